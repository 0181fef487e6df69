"""Seeded generator of the reference data sets (run once; the CSVs are committed).

Three data sets, each chosen to stress a different part of the engine:

* ``trial``  — 240 people, continuous times (2 decimals), causes 1 and 2, two groups, two
  covariates and non-integer case weights: the everyday case.
* ``ties``   — 400 people with times in whole months (1-24): heavy ties between events of both
  causes and censorings at the same time, three groups.
* ``three``  — 300 people with a third cause and events at time 0, two groups.

Run: ``.venv/bin/python tests/reference/make_data.py``
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def competing(rng: np.random.Generator, n: int, rates: list[float], lp: np.ndarray,
              cens_rate: float) -> tuple[np.ndarray, np.ndarray]:
    times = np.stack([rng.exponential(1 / (r * np.exp(lp))) for r in rates], axis=1)
    cause = times.argmin(axis=1) + 1
    t = times.min(axis=1)
    c = rng.exponential(1 / cens_rate, n)
    event = np.where(c < t, 0, cause)
    return np.minimum(t, c), event


def main() -> None:
    rng = np.random.default_rng(20261123)
    n = 240
    x1 = np.round(rng.normal(0, 1, n), 3)
    x2 = rng.integers(0, 2, n)
    group = np.where(rng.random(n) < 0.5, "A", "B")
    lp = 0.5 * x1 - 0.4 * x2 + 0.3 * (group == "B")
    t, e = competing(rng, n, [0.08, 0.05], lp, 0.04)
    w = np.round(rng.uniform(0.5, 2.0, n), 3)
    pd.DataFrame({"time": np.round(t + 0.01, 2), "event": e, "group": group, "x1": x1, "x2": x2,
                  "w": w}).to_csv(HERE / "trial.csv", index=False)

    n = 400
    x1 = np.round(rng.normal(0, 1, n), 3)
    x2 = rng.integers(0, 2, n)
    group = rng.choice(["KOW", "IPS", "GOW"], n)
    lp = 0.4 * x1 + 0.3 * x2 + 0.2 * (group == "IPS")
    t, e = competing(rng, n, [0.06, 0.04], lp, 0.03)
    t = np.clip(np.ceil(t), 1, 24)
    e = np.where(t >= 24, 0, e)
    w = np.round(rng.uniform(0.5, 2.0, n), 3)
    pd.DataFrame({"time": t, "event": e, "group": group, "x1": x1, "x2": x2, "w": w}).to_csv(
        HERE / "ties.csv", index=False)

    n = 300
    x1 = np.round(rng.normal(0, 1, n), 3)
    x2 = rng.integers(0, 2, n)
    group = np.where(rng.random(n) < 0.4, "A", "B")
    lp = 0.3 * x1 + 0.5 * x2
    t, e = competing(rng, n, [0.05, 0.03, 0.02], lp, 0.03)
    t = np.round(t, 1)
    zero = rng.random(n) < 0.03  # events on day 0 (e.g. a job found on the start date)
    t[zero] = 0.0
    e[zero] = rng.choice([1, 2, 3], zero.sum())
    w = np.round(rng.uniform(0.5, 2.0, n), 3)
    pd.DataFrame({"time": t, "event": e, "group": group, "x1": x1, "x2": x2, "w": w}).to_csv(
        HERE / "three.csv", index=False)


if __name__ == "__main__":
    main()
