"""Coverage of the bootstrap intervals of the weighted comparison (percentile vs BCa).

Each simulated study has two non-randomised cohorts of 300: KOW-like participants in KOW, and
a comparator with IPS's programme effect and a different case mix (younger, more psychosis
and SMI, longer out of work, fewer women; the same job-finding process otherwise:
``kr.compare.confounded_cohorts``, also used by ``tests/compare/test_bootstrap.py`` and
``benchmarks/bench_compare.py``). Everyone has a 1 % chance of sex = "other", so about
one study in ten has that level in one cohort only and most others have it rarely in one —
the situation in which maximum-likelihood propensity models fail.

The estimand is the ATT risk difference of regular paid work by 6 (and 12) months, dropout
ignored (treatment policy). Its true value comes from ``kr.synthetic.true_effect``: KOW's
population simulated twice, once with each programme's effect (200,000 people, coupled, so
its Monte Carlo error is negligible beside the coverage's).

Per study, ``compare_outcomes`` (ATT weights; age, sex, diagnosis group, SMI and
log(1 + months out of work) in the propensity model) is run three ways:

* ``firth``: Firth-penalised propensity models, 95 % percentile and BCa limits from the same
  replicates (the BCa acceleration from the per-person jackknife);
* ``collapse``: rare levels merged, then the same two intervals;
* ``error`` (maximum likelihood, the old behaviour): counts the studies in which it raises
  (full-data separation, or more than ``max_failed`` = 5 % failed replicates).

Not part of ``make test`` (about 14 minutes at the defaults on 2 shared cores: a Firth
replicate takes about 5 ms, a maximum-likelihood one about 1 ms). Usage::

    python validation/bootstrap_coverage.py [--n-sim 500] [--n-boot 299] [--n-jobs 2]
                                            [--seed 2026] [--out validation/results]

writes ``bootstrap_coverage.csv`` (one row per study, method and measure) and
``bootstrap_coverage.md`` (the summary) into ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import kow_research as kr
from kow_research.synthetic import true_effect

N_ARM = 300
HORIZONS = (6.0, 12.0)
COVARIATES = ["age", "sex", "diagnosis_group", "smi", "log_months_out"]


def one_study(seed: np.random.SeedSequence) -> pd.DataFrame:
    """One simulated pair of cohorts of N_ARM (:func:`kow_research.compare.confounded_cohorts`)."""
    s1, s2 = (int(x) for x in seed.generate_state(2))
    return kr.compare.confounded_cohorts(n=N_ARM, seeds=(s1, s2))


def run(seed: np.random.SeedSequence, sim: int, n_boot: int) -> list[dict]:
    df = one_study(seed)
    kw = dict(treatment="programme", treated="KOW", covariates=COVARIATES,
              horizons_months=HORIZONS, tau_months=12, n_boot=n_boot, seed=sim)
    rows: list[dict] = []
    other = df[df["sex"] == "other"].groupby("programme").size()
    base = {"sim": sim, "other_kow": int(other.get("KOW", 0)),
            "other_ips": int(other.get("IPS", 0))}
    for method in ("firth", "collapse"):
        res = kr.compare.compare_outcomes(df, ci="bca", separation=method, **kw)
        tab = res.table.set_index(["measure", "horizon_months"])
        for h in HORIZONS:
            key = f"risk_difference@{h:g}"
            reps = res.replicates[key].to_numpy()
            reps = reps[np.isfinite(reps)]
            lo, hi = np.quantile(reps, [0.025, 0.975])   # = ci="percentile", same seed
            r = tab.loc[("risk_difference", h)]
            rows.append({**base, "method": method, "horizon_months": h,
                         "estimate": r["estimate"], "se": r["se"], "n_failed": res.n_failed,
                         "pct_lower": lo, "pct_upper": hi,
                         "bca_lower": r["lower"], "bca_upper": r["upper"], "error": ""})
    try:
        res = kr.compare.compare_outcomes(df, separation="error", **kw)
        error = ""
        n_failed = res.n_failed
    except ValueError as err:
        error = ("full-data separation" if "separation —" in str(err) else
                 "failed replicates > max_failed" if "max_failed" in str(err) else str(err)[:60])
        n_failed = -1
    rows.append({**base, "method": "error", "horizon_months": np.nan, "n_failed": n_failed,
                 "error": error})
    return rows


def summarise(table: pd.DataFrame, truth: dict[float, float]) -> pd.DataFrame:
    out = []
    ok = table[table["method"] != "error"]
    for (method, h), g in ok.groupby(["method", "horizon_months"]):
        theta = truth[h]
        row = {"method": method, "horizon_months": h, "n_sim": len(g), "truth": theta,
               "bias": g["estimate"].mean() - theta, "empirical_sd": g["estimate"].std(ddof=1),
               "mean_se": g["se"].mean()}
        for ci in ("pct", "bca"):
            lo, hi = g[f"{ci}_lower"], g[f"{ci}_upper"]
            cov = float(((lo <= theta) & (theta <= hi)).mean())
            row[f"{ci}_coverage"] = cov
            row[f"{ci}_mc_se"] = float(np.sqrt(cov * (1 - cov) / len(g)))
            row[f"{ci}_miss_low"] = float((theta < lo).mean())    # interval above the truth
            row[f"{ci}_miss_high"] = float((theta > hi).mean())   # interval below the truth
            row[f"{ci}_width"] = float((hi - lo).mean())
        out.append(row)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=500)
    parser.add_argument("--n-boot", type=int, default=299)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--from-csv", default=None, metavar="CSV",
                        help="summarise an earlier run's per-study table against the current "
                             "true values instead of simulating (--n-sim, --n-boot and --seed "
                             "must be those of that run)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="with --from-csv: the earlier run's duration, for the page")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    truth = {}
    for h in HORIZONS:
        # treatment policy (dropout ignored), everybody followed to the horizon
        te = true_effect("KOW", reference="IPS", n=200_000, seed=1, horizon_months=h,
                         dropout="ignore")
        truth[h] = te.risk_treated - te.risk_reference
    if args.from_csv:
        table = pd.read_csv(args.from_csv, keep_default_na=False,
                            na_values=[""]).fillna({"error": ""})
        if table["sim"].nunique() != args.n_sim:
            raise SystemExit(f"{args.from_csv} holds {table['sim'].nunique()} studies, not "
                             f"--n-sim {args.n_sim}")
    else:
        seeds = np.random.SeedSequence(args.seed).spawn(args.n_sim)
        parts = Parallel(n_jobs=args.n_jobs)(delayed(run)(sq, i, args.n_boot)
                                             for i, sq in enumerate(seeds))
        table = pd.DataFrame([r for p in parts for r in p])
        table.to_csv(out / "bootstrap_coverage.csv", index=False, float_format="%.6f")
    summary = summarise(table, truth)
    ml = table[table["method"] == "error"]
    minutes = (args.minutes if args.from_csv and args.minutes is not None
               else (time.perf_counter() - started) / 60)
    one_cohort = int(((ml["other_kow"] == 0) | (ml["other_ips"] == 0)).sum())
    fmt = {c: (lambda v: f"{v:.4f}") for c in summary.columns
           if summary[c].dtype.kind == "f" and c != "horizon_months"}
    shown = summary.assign(**{c: summary[c].map(f) for c, f in fmt.items()},
                           horizon_months=summary["horizon_months"].map(lambda v: f"{v:g}"))
    lines = [
        "# Coverage of the bootstrap intervals of compare_outcomes", "",
        f"{args.n_sim} simulated studies, {N_ARM} per cohort, {args.n_boot} bootstrap replicates "
        f"each, nominal 95 %, seed {args.seed}; {minutes:.1f} min on {args.n_jobs} workers.",
        f"kow_research {kr.__version__}; `python validation/bootstrap_coverage.py --n-sim "
        f"{args.n_sim} --n-boot {args.n_boot} --seed {args.seed}`"
        + (" (this page: the committed per-study table summarised again against the current "
           "`true_effect` with `--from-csv`)." if args.from_csv else "."),
        "Estimand: ATT risk difference of regular paid work (KOW minus the comparator "
        "programme, in KOW's population), dropout ignored; truth from "
        "`true_effect(n=200_000)`: " + ", ".join(f"{truth[h]:.4f} by {h:g} months"
                                                 for h in HORIZONS) + ".",
        "Propensity model: " + " + ".join(COVARIATES) + " (ATT weights).", "",
        "Coverage with its Monte Carlo SE; `miss_low`: the interval lies above the truth, "
        "`miss_high`: below it.", "",
        "| " + " | ".join(shown.columns) + " |",
        "|" + "---|" * len(shown.columns),
        *("| " + " | ".join(str(v) for v in r) + " |" for r in shown.itertuples(index=False)),
        "",
        "Maximum likelihood (`separation=\"error\"`, `max_failed=0.05`) on the same studies: "
        f"sex = other in one cohort only in {one_cohort} of {len(ml)}; raised for full-data "
        f"separation in {int((ml['error'] == 'full-data separation').sum())}, for more than 5 % "
        f"failed replicates in {int((ml['error'] == 'failed replicates > max_failed').sum())}; "
        f"ran in {int((ml['error'] == '').sum())} (failed replicates there: median "
        f"{ml.loc[ml['error'] == '', 'n_failed'].median():.0f}, max "
        f"{ml.loc[ml['error'] == '', 'n_failed'].max():.0f} of {args.n_boot}).",
        "Firth and collapse: failed replicates in total "
        + ", ".join(f"{m} {int(table.loc[table['method'] == m, 'n_failed'].sum() // 2)}"
                    for m in ("firth", "collapse")) + ".",
    ]
    (out / "bootstrap_coverage.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
