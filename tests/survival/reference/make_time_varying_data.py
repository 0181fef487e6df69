"""Seeded generator of the time-varying reference data (run once; the CSVs are committed).

A KOW-like cohort of 300 people followed for up to 104 weeks, times in whole weeks (so events of
both causes tie with each other and with interval ends):

* ``tv_persons.csv`` — one row per person: ``participant_id, time, event, x, w`` (``event`` 0 =
  censored, 1 = paid work, 2 = dropout; ``x`` a baseline covariate; ``w`` a case weight).
* ``tv_changes.csv`` — the exposure history: ``participant_id, time, tv`` (``tv`` switches from 0
  to 1 at ``time``, e.g. the week the work-experience placement started; a switch at week 0
  means exposed from the start) and the training sessions attended: ``sessions`` rows of
  ``participant_id, time`` in ``tv_sessions.csv``.
* ``tv_intervals.csv`` — the same data in counting-process form, ``(start, stop]`` per person and
  exposure period, built here with a plain loop (independently of
  ``kow_research.survival.expand_time_varying``, which the tests check against it);
  ``tv_intervals_sessions.csv`` also splits at the session weeks and carries ``sessions``, the
  number attended so far.

Hazards: paid work 0.012 * exp(0.4 x + 0.6 tv) per week, dropout 0.006 * exp(-0.3 x) per week,
administrative censoring uniform on weeks 40-104.

Run: ``.venv/bin/python tests/survival/reference/make_time_varying_data.py``
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(20261201)
    n = 300
    ids = [f"P{i:03d}" for i in range(1, n + 1)]
    x = np.round(rng.normal(0, 1, n), 3)
    w = np.round(rng.uniform(0.5, 2.0, n), 3)
    # switch week: a tenth exposed from the start, a quarter never, the rest after ~N weeks
    switch = np.ceil(rng.exponential(20, n))
    switch[rng.random(n) < 0.10] = 0
    switch[rng.random(n) < 0.25] = np.inf
    h1_0 = 0.012 * np.exp(0.4 * x)
    h1_1 = h1_0 * np.exp(0.6)
    h2 = 0.006 * np.exp(-0.3 * x)
    before, after = h1_0 + h2, h1_1 + h2
    e = rng.exponential(1.0, n)
    cum_at_switch = before * switch                     # inf for the never-exposed
    late = e >= cum_at_switch
    t_event = e / before
    t_event[late] = switch[late] + (e[late] - cum_at_switch[late]) / after[late]
    exposed = t_event > switch
    p1 = np.where(exposed, h1_1, h1_0) / np.where(exposed, after, before)
    cause = np.where(rng.random(n) < p1, 1, 2)
    cens = rng.integers(40, 105, n).astype(float)
    time = np.minimum(np.ceil(t_event), cens)
    event = np.where(np.ceil(t_event) <= cens, cause, 0)
    persons = pd.DataFrame({"participant_id": ids, "time": time, "event": event, "x": x, "w": w})
    persons.to_csv(HERE / "tv_persons.csv", index=False)
    has = np.isfinite(switch)
    pd.DataFrame({"participant_id": np.array(ids)[has], "time": switch[has], "tv": 1}).to_csv(
        HERE / "tv_changes.csv", index=False)
    # sessions: weeks 1..10 offered, each attended with probability 0.6 (two on week 3 for some)
    rows = []
    for pid in ids:
        for week in range(1, 11):
            if rng.random() < 0.6:
                rows.append((pid, float(week)))
        if rng.random() < 0.1:
            rows.append((pid, 3.0))
    pd.DataFrame(rows, columns=["participant_id", "time"]).to_csv(HERE / "tv_sessions.csv",
                                                                   index=False)
    # counting-process form (exposure tv only), by a plain loop
    out = []
    for pid, t, ev, xi, wi, s in zip(ids, time, event, x, w, switch, strict=True):
        if 0 < s < t:
            out.append((pid, 0.0, s, 0, xi, wi, 0))
            out.append((pid, s, t, ev, xi, wi, 1))
        else:
            out.append((pid, 0.0, t, ev, xi, wi, int(s <= 0)))
    pd.DataFrame(out, columns=["participant_id", "start", "stop", "event", "x", "w", "tv"]).to_csv(
        HERE / "tv_intervals.csv", index=False)
    # split at the exposure switch and at every session week; sessions = attended up to start
    attended: dict[str, list[float]] = {}
    for pid, week in rows:
        attended.setdefault(pid, []).append(week)
    out = []
    for pid, t, ev, xi, wi, s in zip(ids, time, event, x, w, switch, strict=True):
        weeks = attended.get(pid, [])
        cuts = sorted({c for c in [s, *weeks] if 0 < c < t})
        edges = [0.0, *cuts, t]
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            out.append((pid, a, b, ev if b == t else 0, xi, wi, int(s <= a),
                        sum(1 for k in weeks if k <= a)))
    pd.DataFrame(out, columns=["participant_id", "start", "stop", "event", "x", "w", "tv",
                               "sessions"]).to_csv(HERE / "tv_intervals_sessions.csv",
                                                   index=False)


if __name__ == "__main__":
    main()
