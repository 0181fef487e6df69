"""Time the outcome derivations on a large study.

Targets (issue: outcome measures): ``time_to_paid_work`` for 1,000,000 participants with
3,000,000 spells in under 10 s; the ladder tables in under 15 s. The naive baseline is a
per-person Python loop (what the vectorised code replaces) on 2,000 people, extrapolated.

Run: ``.venv/bin/python benchmarks/bench_outcomes.py [--n N]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import kow_research as kr
from kow_research.outcomes import ladder_by_wave, ladder_change, ladder_transitions
from kow_research.outcomes import time_to_paid_work as ttw


def make(n: int, spells_per_person: float, seed: int = 7) -> kr.Study:
    """KOW-like cohort of n people with about 3 spells each (simulated, then spells topped up)."""
    study = kr.simulate_study("KOW", n=n, seed=seed)
    rng = np.random.default_rng(seed)
    extra = int(spells_per_person * n) - len(study.spells)
    if extra > 0:
        who = rng.integers(0, n, extra)
        p = study.participants
        start = p["start_date"].to_numpy()[who] + rng.integers(1, 540, extra).astype(
            "timedelta64[D]")
        add = pd.DataFrame({
            "participant_id": p["participant_id"].to_numpy()[who], "start_date": start,
            "end_date": start + rng.integers(10, 200, extra).astype("timedelta64[D]"),
            "kind": pd.Categorical(rng.choice(["volunteer", "work_experience", "regular_paid"],
                                              extra), categories=study.spells["kind"].cat.categories),
            "hours_per_week": rng.integers(4, 40, extra).astype(float)})
        spells = pd.concat([study.spells, add], ignore_index=True)
        study = kr.Study(participants=study.participants, ladder=study.ladder, spells=spells,
                         sessions=study.sessions)
    return study


def naive_time_to_work(study: kr.Study) -> list[tuple[float, int]]:
    """Per-person loop over each person's spells (the obvious, slow way)."""
    out = []
    spells = study.spells[study.spells["kind"] == "regular_paid"]
    by_person = dict(tuple(spells.groupby("participant_id", observed=True)))
    for row in study.participants.itertuples():
        mine = by_person.get(row.participant_id)
        end = (row.end_of_followup - row.start_date).days
        t, e = end, 0
        if mine is not None:
            after = mine[(mine["start_date"] > row.start_date)
                         & (mine["start_date"] <= row.end_of_followup)]
            if len(after):
                t, e = (after["start_date"].min() - row.start_date).days, 1
        if pd.notna(row.dropout_date) and (row.dropout_date - row.start_date).days < t:
            t, e = (row.dropout_date - row.start_date).days, 2
        out.append((t, e))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    study = make(args.n, 3.0)
    print(f"study: {len(study.participants):,} participants, {len(study.spells):,} spells, "
          f"{len(study.ladder):,} ladder rows")
    t0 = time.perf_counter()
    df = ttw(study)
    t_ttw = time.perf_counter() - t0
    t0 = time.perf_counter()
    bw = ladder_by_wave(study)
    ladder_change(bw)
    ladder_transitions(bw, from_wave="T0", to_wave="T12")
    t_lad = time.perf_counter() - t0
    small = make(2_000, 3.0, seed=8)
    t0 = time.perf_counter()
    naive_time_to_work(small)
    t_naive = (time.perf_counter() - t0) * args.n / 2_000
    print(f"time_to_paid_work: {t_ttw:6.2f} s for {len(df):,} rows (target < 10 s: "
          f"{'met' if t_ttw < 10 else 'NOT met'})")
    print(f"ladder by wave + change + transitions: {t_lad:6.2f} s (target < 15 s: "
          f"{'met' if t_lad < 15 else 'NOT met'})")
    print(f"naive per-person loop, extrapolated from 2,000: {t_naive:8.1f} s "
          f"(vectorised is {t_naive / t_ttw:,.0f}x faster)")


if __name__ == "__main__":
    main()
