"""Seeded generator of the imputed data sets that R's ``mice::pool`` is checked on (run once;
the CSV is committed, so the reference does not move when the imputation code changes).

300 people of ``kr.simulate_studies({"KOW": 150, "IPS": 150}, seed=7)``: time to paid work
(event 1 paid work, 2 dropout), the baseline rung and the rung at T18 (the wave both cohorts
plan), with missing values added at random given observed columns (MAR): ``education`` more
often missing for older people, ``months_out_of_work`` for people with SMI, and ``rung_T18``
(besides the assessments the simulator already misses) more often missing for low baseline
rungs in IPS. Five imputations by :func:`kow_research.missing.impute` (pmm, polyreg, polr),
written long with mice's ``.imp`` and ``.id``. The pooling comparison does not depend on how
good these imputations are, only on both languages analysing the same completed data.

Run: ``PYTHONPATH=. .venv/bin/python tests/missing/reference/make_imputations.py``
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import kow_research as kr
from kow_research.missing import impute, nelson_aalen

HERE = Path(__file__).parent
COLUMNS = ["cohort", "age", "smi", "education", "months_out_of_work", "rung_T0", "rung_T18",
           "work", "H"]


def incomplete() -> pd.DataFrame:
    study = kr.simulate_studies({"KOW": 150, "IPS": 150}, seed=7)
    df = kr.outcomes.time_to_paid_work(study)
    wide = kr.outcomes.ladder_by_wave(study).pivot(index="participant_id", columns="wave",
                                                   values="rung")
    df = df.join(wide[["T0", "T18"]].rename(columns=lambda w: f"rung_{w}"), on="participant_id")
    rng = np.random.default_rng(20261202)
    age = df["age"].to_numpy(float)
    df.loc[rng.random(len(df)) < 0.05 + 0.25 * (age > 45), "education"] = np.nan
    smi = df["smi"].to_numpy(bool)
    df.loc[rng.random(len(df)) < np.where(smi, 0.30, 0.08), "months_out_of_work"] = pd.NA
    low = (df["rung_T0"] <= 2).to_numpy(bool) & (df["cohort"] == "IPS").to_numpy(bool)
    df.loc[rng.random(len(df)) < np.where(low, 0.25, 0.05), "rung_T18"] = pd.NA
    df["smi"] = df["smi"].astype(int)
    df["work"] = (df["event"] == 1).astype(int)
    df["H"] = nelson_aalen(df, cause=1)
    return df[["participant_id", "time", "event", *COLUMNS]].reset_index(drop=True)


def main() -> None:
    df = incomplete()
    imp = impute(df, columns=COLUMNS, m=5, iterations=10, seed=20261202,
                 methods={"rung_T18": "polr"})
    out = imp.data[[".imp", ".id", "time", "event", *COLUMNS]].copy()
    out["education"] = out["education"].astype(str)
    out.to_csv(HERE / "imputed.csv", index=False)
    df.to_csv(HERE / "incomplete.csv", index=False)
    print(imp.methods)


if __name__ == "__main__":
    main()
