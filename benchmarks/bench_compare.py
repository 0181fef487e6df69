"""Timing of the comparison bootstrap (not part of `make test`).

Bootstraps 1,000 replicates of an IPTW-weighted (ATT) restricted-mean difference and risks by
12 and 18 months on 2 x 1,000 simulated persons (KOW beside an IPS-effect comparator), with the
propensity model re-fitted in every replicate, and compares the time per replicate with a
naive serial implementation (statsmodels GLM + the survival engine's weighted Aalen-Johansen
per replicate) on fewer replicates. Target: under 60 s on a 2-core machine.

Run:  .venv/bin/python benchmarks/bench_compare.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

import kow_research as kr
from kow_research.survival.design import design_matrix
from kow_research.synthetic import get_params

COVS = ["age", "sex", "diagnosis_group", "smi", "log_months_out"]


def data(n: int = 1000) -> pd.DataFrame:
    """The two cohorts (:func:`kow_research.compare.confounded_cohorts`) with the comparator
    differing in age, months out of work and the programme effect only."""
    mix = dict(age_mean=33.0, months_out_median=48.0,
               log_hr_programme=get_params("IPS").log_hr_programme)
    return kr.compare.confounded_cohorts(n=n, comparator=mix)


def naive(df: pd.DataFrame, n_rep: int, seed: int) -> float:
    """Per replicate: statsmodels logistic GLM, then the survival engine's weighted curves."""
    import statsmodels.api as sm

    rng = np.random.default_rng(seed)
    x = design_matrix(df, COVS).x
    xi = np.column_stack([np.ones(len(df)), x])
    t = (df["programme"] == "KOW").to_numpy(float)
    tau = 12 * 30.4375
    start = time.perf_counter()
    for _ in range(n_rep):
        idx = rng.integers(0, len(df), len(df))
        ps = sm.GLM(t[idx], xi[idx], family=sm.families.Binomial()).fit().fittedvalues
        w = np.where(t[idx] == 1, 1.0, ps / (1 - ps))
        sub = df.iloc[idx][["time", "event", "programme"]].assign(w=w).reset_index(drop=True)
        cif = kr.survival.cumulative_incidence(sub, by="programme", weights="w")
        rm = []
        for g in ("IPS", "KOW"):
            tab = cif.table[cif.table["group"] == g]
            tt, f = tab["time"].to_numpy(), tab["estimate"].to_numpy()
            keep = tt < tau
            knots = np.r_[0.0, tt[keep], tau]
            rm.append(float(np.sum(np.diff(knots) * (1 - np.r_[0.0, f[keep]]))))
    return (time.perf_counter() - start) / n_rep


def main() -> None:
    df = data()
    cores = os.cpu_count() or 1
    print(f"data: {len(df)} persons, {cores} cores")
    for n_jobs in (1, 2):
        start = time.perf_counter()
        res = kr.compare.compare_outcomes(df, treatment="programme", covariates=COVS, treated="KOW",
                                          horizons_months=(12, 18), tau_months=12,
                                          n_boot=1000, seed=1, n_jobs=n_jobs)
        sec = time.perf_counter() - start
        print(f"compare_outcomes, 1000 replicates, n_jobs={n_jobs}: {sec:.1f} s "
              f"({1000 * sec / 1000:.2f} ms per replicate); failed replicates {res.n_failed}")
        fast = sec / 1000
    rmst = res.table.set_index("measure").loc["event_free_time_difference"]
    print(f"event-free time difference (12 months, days): {rmst['estimate']:.1f} "
          f"[{rmst['lower']:.1f}, {rmst['upper']:.1f}]")
    slow = naive(df, 30, seed=1)
    print(f"naive serial (statsmodels GLM + survival engine), 30 replicates: "
          f"{1000 * slow:.1f} ms per replicate")
    print(f"ratio naive / compare_outcomes (n_jobs=2): {slow / fast:.1f}x; naive 1000 "
          f"replicates would take {1000 * slow:.0f} s")


if __name__ == "__main__":
    main()
