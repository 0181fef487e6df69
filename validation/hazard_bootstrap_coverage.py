"""Coverage of the weighted subdistribution hazard ratio's intervals (bootstrap vs robust).

Notebook 06 and the summary print the propensity-weighted Fine–Gray hazard ratio of the
index programme against its comparator with a bootstrap interval whose replicates
re-estimate the weights (:func:`kow_research.compare.bootstrap_hazard_ratio`, basic interval
by default, percentile as an option); the robust (sandwich) interval, which treats the
weights as known, is what it replaced. This study measures all three; the first run (500
studies) chose the default: percentile 0.916, basic 0.934.

Each simulated study has two non-randomised cohorts of 300 (``kr.compare.confounded_cohorts``
with dropout as a competing event: KOW's case mix and programme against a comparator with
IPS's programme effect and another case mix), followed administratively to 12 months. The
estimand is the marginal log subdistribution hazard ratio of paid work over (0, 12 months] in
KOW's population (ATT), dropout competing (while on treatment); its true value is
``kr.synthetic.true_effect(dropout="competing", horizon_months=12).log_shr`` (KOW's
population simulated with each programme's effect, 200,000 people, coupled).

Not part of ``make test`` (about 10 minutes at the defaults on 2 cores: a replicate takes
about 7 ms). Usage::

    python validation/hazard_bootstrap_coverage.py [--n-sim 500] [--n-boot 199] [--n-jobs 2]
                                                   [--seed 2027] [--out validation/results]

writes ``hazard_bootstrap_coverage.csv`` (one row per study) and
``hazard_bootstrap_coverage.md`` (the summary) into ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import kow_research as kr
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.synthetic import true_effect

N_ARM = 300
HORIZON_MONTHS = 12.0
COVARIATES = ["age", "sex", "diagnosis_group", "smi", "log_months_out"]
Z = 1.959963984540054


def one_study(seed: np.random.SeedSequence) -> pd.DataFrame:
    """Two cohorts of N_ARM, dropout competing, follow-up ended at HORIZON_MONTHS."""
    s1, s2 = (int(x) for x in seed.generate_state(2))
    df = kr.compare.confounded_cohorts(n=N_ARM, seeds=(s1, s2), dropout="competing")
    end = HORIZON_MONTHS * DAYS_PER_MONTH
    late = df["time"] > end
    return df.assign(time=df["time"].where(~late, end), event=df["event"].where(~late, 0))


def run(seed: np.random.SeedSequence, sim: int, n_boot: int) -> dict:
    df = one_study(seed)
    fit = kr.compare.bootstrap_hazard_ratio(
        df, treatment="programme", treated="KOW", covariates=COVARIATES, estimand="ATT",
        model="fine_gray", n_boot=n_boot, seed=sim, separation="firth", max_failed=0.999)
    row = fit.coef.iloc[0]
    reps = np.asarray(fit.attrs["replicates"], dtype=float)
    reps = reps[np.isfinite(reps)]
    lo, hi = np.quantile(reps, [0.025, 0.975])
    robust = float(fit.attrs["robust_se"])
    beta = float(row["coef"])
    return {"sim": sim, "estimate": beta, "boot_se": float(reps.std(ddof=1)),
            "pct_lower": float(lo), "pct_upper": float(hi),
            "basic_lower": float(np.log(row["lower"])), "basic_upper": float(np.log(row["upper"])),
            "robust_se": robust,
            "robust_lower": float(row["coef"]) - Z * robust,
            "robust_upper": float(row["coef"]) + Z * robust,
            "n_failed": int(fit.attrs["n_failed"])}


def summarise(table: pd.DataFrame, truth: float) -> pd.DataFrame:
    out = []
    n = len(table)
    names = {"basic": "bootstrap basic, the default (weights re-estimated)",
             "pct": "bootstrap percentile (weights re-estimated)",
             "robust": "robust sandwich (weights as known)"}
    for ci in ("basic", "pct", "robust"):
        lo, hi = table[f"{ci}_lower"], table[f"{ci}_upper"]
        cov = float(((lo <= truth) & (truth <= hi)).mean())
        se = "robust_se" if ci == "robust" else "boot_se"
        out.append({"interval": names[ci],
                    "n_sim": n, "truth": truth, "bias": table["estimate"].mean() - truth,
                    "bias_mc_se": table["estimate"].std(ddof=1) / np.sqrt(n),
                    "empirical_sd": table["estimate"].std(ddof=1),
                    "mean_se": table[se].mean(),
                    "coverage": cov, "coverage_mc_se": float(np.sqrt(cov * (1 - cov) / n)),
                    "miss_low": float((truth < lo).mean()),
                    "miss_high": float((truth > hi).mean())})
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=500)
    parser.add_argument("--n-boot", type=int, default=199)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    te = true_effect("KOW", reference="IPS", n=200_000, seed=1,
                     horizon_months=HORIZON_MONTHS, dropout="competing")
    truth = float(te.table.loc["log_shr", "estimate"])
    truth_se = float(te.table.loc["log_shr", "mc_se"])
    seeds = np.random.SeedSequence(args.seed).spawn(args.n_sim)
    rows = Parallel(n_jobs=args.n_jobs)(delayed(run)(sq, i, args.n_boot)
                                        for i, sq in enumerate(seeds))
    table = pd.DataFrame(rows)
    table.to_csv(out / "hazard_bootstrap_coverage.csv", index=False, float_format="%.6f")
    summary = summarise(table, truth)
    minutes = (time.perf_counter() - started) / 60
    shown = summary.assign(**{c: summary[c].map(lambda v: f"{v:.4f}")
                              for c in summary.columns if summary[c].dtype.kind == "f"})
    lines = [
        "# Coverage of the weighted subdistribution hazard ratio's intervals", "",
        f"{args.n_sim} simulated studies, {N_ARM} per cohort, {args.n_boot} bootstrap "
        f"replicates each, nominal 95 %, seed {args.seed}; {minutes:.1f} min on "
        f"{args.n_jobs} workers.",
        f"kow_research {kr.__version__}; `python validation/hazard_bootstrap_coverage.py "
        f"--n-sim {args.n_sim} --n-boot {args.n_boot} --seed {args.seed}`.",
        "Estimand: marginal log subdistribution hazard ratio of regular paid work over "
        f"(0, {HORIZON_MONTHS:g} months], KOW against the comparator programme in KOW's "
        "population (ATT), dropout competing; truth from `true_effect(dropout=\"competing\", "
        f"n=200_000)`: {truth:.4f} (Monte Carlo SE {truth_se:.4f}).",
        "Propensity model: " + " + ".join(COVARIATES) + " (Firth, ATT weights); weighted "
        "Fine–Gray model with the treatment as its only term.", "",
        "Coverage with its Monte Carlo SE; `miss_low`: the interval lies above the truth, "
        "`miss_high`: below it.", "",
        "| " + " | ".join(shown.columns) + " |",
        "|" + "---|" * len(shown.columns),
        *("| " + " | ".join(str(v) for v in r) + " |" for r in shown.itertuples(index=False)),
        "",
        f"Failed replicates in total: {int(table['n_failed'].sum())} of "
        f"{args.n_sim * args.n_boot}.",
    ]
    (out / "hazard_bootstrap_coverage.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
