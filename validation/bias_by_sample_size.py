"""Does the small bias of the weighted ratios shrink as 1/n? The same studies at 300 and 1,200
per cohort.

The pages of ``bootstrap_coverage.py`` and ``hazard_bootstrap_coverage.py`` measure, at 300 per
cohort and with Monte Carlo SEs of a few thousandths, a bias of several Monte Carlo SEs in two
estimates notebook 06 prints: the risk ratio (log scale +0.032 at 6 months) and the weighted
subdistribution hazard ratio (log scale +0.015). Both are smooth functions of weighted means,
so a correct estimator's bias is O(1/n): second-order terms of the Taylor expansion (Jensen's
term of the log of a noisy risk; the weighted partial likelihood's). A wrong estimator or a
wrong truth would leave a bias that does not shrink. This script tells the two apart by
running the same estimators on studies four times as large:

* ``compare_outcomes`` (``separation="auto"``, ATT weights, point estimates only,
  ``n_boot=0``; ``bootstrap_coverage.bias_run``'s ``auto`` row): risks, risk differences and
  risk ratios at 6 and 12 months, dropout ignored;
* the weighted Fine–Gray log sHR over (0, 12 months], dropout competing, with the estimated
  weights (``propensity(method="auto")``) and with the true ones
  (``hazard_bootstrap_coverage.true_att_weights``; ``hazard_bootstrap_coverage.bias_run``'s
  ``estimated`` and ``known`` columns), and their paired difference on the same people, whose
  truth is 0 if the propensity model is right and whose Monte Carlo SE is a tenth of theirs.

The studies are those of the two pages' bias parts (their seeds, 2026 and 2027, spawned per
study), so at 300 per cohort this run reproduces their committed per-study tables, which it
checks. For each size ``n`` it states the bias with its Monte Carlo SE (the studies' spread and
the truth's own Monte Carlo SE) and ``n / 300`` times the bias, which is constant if the bias
is c/n. Two sizes then give the bias extrapolated to infinitely large studies,
(4 b(1200) − b(300)) / 3 (Richardson), which is the estimator's limit minus the truth: zero
within its Monte Carlo SE if the estimator is consistent for the truth. For the log risk ratio
the second-order term of the two logs, Var(r̂_c) / (2 r_c²) − Var(r̂_t) / (2 r_t²) with the
risks' variances across the studies, is shown beside its bias.

Not part of ``make test`` (about 45 minutes at the defaults on 2 cores; a study of 1,200 per
cohort takes about 0.07 s for ``compare_outcomes`` and 0.09 s for the two sHR fits). Usage::

    python validation/bias_by_sample_size.py [--sizes 300,1200] [--n-sim 10000,20000]
                                             [--n-sim-shr 16000,20000] [--n-jobs 2]
                                             [--truth-n 2000000] [--out validation/results]
                                             [--from-csv CSV --minutes M]

writes ``bias_by_sample_size.csv`` (one row per size and study) and ``bias_by_sample_size.md``
(the summary) into ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import kow_research as kr
from kow_research.synthetic import true_effect

HERE = Path(__file__).resolve().parent


# the two pages' scripts, importable by name so that the worker processes find them too
sys.path.append(str(HERE))
import bootstrap_coverage as bc  # noqa: E402
import hazard_bootstrap_coverage as hb  # noqa: E402

#: the seeds of the two pages' bias parts: study i here is study i there
SEED_RISK, SEED_SHR = 2026, 2027
REFERENCE_N = 300
RISKS = [bc.label(m, h) for m in ("risk_treated", "risk_control", "risk_difference",
                                  "risk_ratio") for h in bc.HORIZONS]
#: the estimates summarised: (column, name on the page, on the log scale?)
SUMMARISED = [*((bc.label("risk_difference", h), f"risk difference, {h:g} months", False)
                for h in bc.HORIZONS),
              *((bc.label("risk_ratio", h), f"log risk ratio, {h:g} months", True)
                for h in bc.HORIZONS),
              ("estimated", "log sHR, estimated weights", False),
              ("known", "log sHR, true weights", False),
              ("paired", "log sHR, estimated minus true weights (paired; truth 0)", False)]


def risk_study(seed: np.random.SeedSequence, sim: int, n: int) -> dict:
    """``compare_outcomes`` (``auto``, no bootstrap) on one study of ``n`` per cohort:
    ``bootstrap_coverage.bias_run``'s ``auto`` row."""
    df = bc.one_study(seed, n)
    res = kr.compare.compare_outcomes(
        df, treatment="programme", treated="KOW", covariates=bc.COVARIATES,
        horizons_months=bc.HORIZONS, tau_months=bc.TAU_MONTHS, n_boot=0, seed=sim,
        separation="auto")
    tab = res.table.set_index(["measure", "horizon_months"])["estimate"]
    return {"n": n, "sim": sim, **{bc.label(m, h): float(tab.loc[(m, h)])
                                   for m in ("risk_treated", "risk_control",
                                             "risk_difference", "risk_ratio")
                                   for h in bc.HORIZONS}}


def shr_study(seed: np.random.SeedSequence, sim: int, n: int) -> dict:
    """The weighted log sHR of one study of ``n`` per cohort with estimated (``auto``) and
    true ATT weights: ``hazard_bootstrap_coverage.bias_run``'s ``estimated`` and ``known``."""
    df = hb.one_study(seed, n=n)
    weights = {"estimated": kr.compare.propensity(
                   df, treatment="programme", treated="KOW", covariates=hb.COVARIATES,
                   estimand="ATT", method="auto").weights,
               "known": hb.true_att_weights(df)}
    return {"n": n, "sim": sim, **{name: float(kr.compare.weighted_hazard_ratio(
        df, treatment="programme", treated="KOW", weights=w,
        model="fine_gray").coef.loc["treated", "coef"]) for name, w in weights.items()}}


def truths(n: int) -> tuple[dict[str, float], dict[str, float]]:
    """True values and their Monte Carlo SEs from :func:`kow_research.synthetic.true_effect`
    with ``n`` people: the risks' as ``bootstrap_coverage.true_values``, the log sHR's as
    ``hazard_bootstrap_coverage`` (both estimated-weights and true-weights rows share it)."""
    truth, se = bc.true_values(n)
    te = true_effect("KOW", reference="IPS", n=n, seed=1, horizon_months=hb.HORIZON_MONTHS,
                     dropout="competing")
    for name in ("estimated", "known"):
        truth[name] = float(te.table.loc["log_shr", "estimate"])
        se[name] = float(te.table.loc["log_shr", "mc_se"])
    # the same people with both weights: the propensity model's part, exactly 0 if right
    truth["paired"], se["paired"] = 0.0, 0.0
    return truth, se


def summarise(table: pd.DataFrame, truth: dict[str, float], truth_se: dict[str, float]
              ) -> pd.DataFrame:
    """Bias per size with its Monte Carlo SE (studies and truth), scaled to 300 per cohort,
    and, for a log risk ratio, its second-order (Jensen) term from the risks' spread."""
    rows = []
    for n, g in table.groupby("n"):
        for col, name, log in SUMMARISED:
            x = g[col].dropna().to_numpy(dtype=float)
            # the pages' arithmetic: mean minus truth, the studies' and the truth's MC SEs
            st = bc._bias_stats(x, truth[col], truth_se[col], log)
            bias, mc = (st["log_bias"], st["log_bias_mc_se"]) if log else (st["bias"],
                                                                           st["bias_mc_se"])
            sd = float(np.log(x).std(ddof=1)) if log else st["empirical_sd"]
            row = {"estimate": name, "n_per_cohort": int(n), "n_sim": len(x),
                   "truth": np.log(truth[col]) if log else truth[col],
                   "bias": bias, "bias_mc_se": mc, "bias_in_mc_se": bias / mc,
                   "studies_mc_se": sd / np.sqrt(len(x)), "empirical_sd": sd,
                   "bias_times_n_over_300": bias * n / REFERENCE_N,
                   "second_order_term": np.nan}
            if log:
                h = col.split("@")[1]
                jensen = 0.0
                for arm, sign in (("control", 1.0), ("treated", -1.0)):
                    r = g[f"risk_{arm}@{h}"].dropna().to_numpy(dtype=float)
                    jensen += sign * r.var(ddof=1) / (2 * truth[f"risk_{arm}@{h}"] ** 2)
                row["second_order_term"] = jensen
            rows.append(row)
    return pd.DataFrame(rows)


def extrapolate(summary: pd.DataFrame, truth_se: dict[str, float]) -> pd.DataFrame:
    """Richardson's extrapolation of the bias to infinitely large studies from the two
    sizes, b(inf) = (k b(n2) - b(n1)) / (k - 1) with k = n2 / n1, and the 1/n coefficient;
    their Monte Carlo SEs combine both sizes' studies and (for b(inf)) the truth's, which
    cancels in the coefficient."""
    sizes = sorted(summary["n_per_cohort"].unique())
    if len(sizes) < 2:
        return pd.DataFrame()
    n1, n2 = sizes[0], sizes[-1]
    k = n2 / n1
    rows = []
    for col, name, log in SUMMARISED:
        a = summary[(summary["estimate"] == name) & (summary["n_per_cohort"] == n1)].iloc[0]
        b = summary[(summary["estimate"] == name) & (summary["n_per_cohort"] == n2)].iloc[0]
        theta_se = truth_se[col] / np.exp(a["truth"]) if log else truth_se[col]
        limit = (k * b["bias"] - a["bias"]) / (k - 1)
        # the truth's error enters both biases alike, so once in the limit, not in the slope
        studies = np.hypot(k * b["studies_mc_se"], a["studies_mc_se"]) / (k - 1)
        limit_se = float(np.hypot(studies, theta_se))
        slope = (a["bias"] - b["bias"]) / (1 / n1 - 1 / n2)
        slope_se = float(np.hypot(a["studies_mc_se"], b["studies_mc_se"]) / (1 / n1 - 1 / n2))
        rows.append({"estimate": name, "sizes": f"{n1}, {n2}",
                     f"bias_at_{n1}": a["bias"], f"bias_at_{n2}": b["bias"],
                     "bias_in_the_limit": limit, "limit_mc_se": limit_se,
                     "limit_in_mc_se": limit / limit_se,
                     "c_over_300": slope / REFERENCE_N, "c_over_300_mc_se": slope_se / REFERENCE_N})
    return pd.DataFrame(rows)


def check_reproduced(table: pd.DataFrame, results: Path) -> list[str]:
    """Compare this run's studies of 300 per cohort with the two pages' committed per-study
    tables (the same seeds): one sentence per table, raising if a study differs."""
    lines = []
    for path, method, cols in (
            (results / "bootstrap_coverage_bias.csv", "auto", RISKS),
            (results / "hazard_bootstrap_bias.csv", None, ["estimated", "known"])):
        if cols[0] not in table or not path.is_file():
            continue
        mine = table[(table["n"] == REFERENCE_N) & table[cols[0]].notna()]
        theirs = pd.read_csv(path)
        if method is not None:
            theirs = theirs[theirs["method"] == method]
        both = mine.merge(theirs, on="sim", suffixes=("", "_page"))
        if both.empty:
            continue
        gap = max(float(np.nanmax(np.abs(both[c] - both[f"{c}_page"]))) for c in cols)
        if not gap <= 2e-6:   # the committed tables hold six decimals
            raise SystemExit(f"{path.name}: this run's studies of {REFERENCE_N} per cohort "
                             f"differ from the committed ones by up to {gap:.3g}")
        lines.append(f"its {len(both)} studies of {REFERENCE_N} per cohort reproduce "
                     f"`{path.name}` (largest difference {gap:.1e}, the table's rounding)")
    return lines


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_ints, default=[300, 1200],
                        help="people per cohort, comma-separated (the first and last are "
                             "extrapolated)")
    parser.add_argument("--n-sim", type=_ints, default=[10_000, 20_000],
                        help="studies of compare_outcomes per size")
    parser.add_argument("--n-sim-shr", type=_ints, default=[16_000, 20_000],
                        help="studies of the weighted sHR per size")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--truth-n", type=int, default=2_000_000)
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--from-csv", default=None, metavar="CSV",
                        help="summarise an earlier run's per-study table instead of "
                             "simulating (--sizes, --n-sim and --n-sim-shr must be its own)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="with --from-csv: the earlier run's duration, for the page")
    args = parser.parse_args(argv)
    if not len(args.sizes) == len(args.n_sim) == len(args.n_sim_shr):
        parser.error("--sizes, --n-sim and --n-sim-shr need one value per size")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    truth, truth_se = truths(args.truth_n)
    if args.from_csv:
        table = pd.read_csv(args.from_csv)
        for n, k_risk, k_shr in zip(args.sizes, args.n_sim, args.n_sim_shr, strict=True):
            g = table[table["n"] == n]
            if (g["risk_ratio@6"].notna().sum(), g["estimated"].notna().sum()) != (k_risk,
                                                                                    k_shr):
                raise SystemExit(f"{args.from_csv}: its studies of {n} per cohort are not "
                                 f"--n-sim {k_risk} and --n-sim-shr {k_shr}")
    else:
        parts = []
        for n, k_risk, k_shr in zip(args.sizes, args.n_sim, args.n_sim_shr, strict=True):
            risk = Parallel(n_jobs=args.n_jobs)(
                delayed(risk_study)(sq, i, n)
                for i, sq in enumerate(np.random.SeedSequence(SEED_RISK).spawn(k_risk)))
            shr = Parallel(n_jobs=args.n_jobs)(
                delayed(shr_study)(sq, i, n)
                for i, sq in enumerate(np.random.SeedSequence(SEED_SHR).spawn(k_shr)))
            parts.append(pd.merge(pd.DataFrame(risk), pd.DataFrame(shr), on=["n", "sim"],
                                  how="outer"))
        table = pd.concat(parts, ignore_index=True)
        table.to_csv(out / "bias_by_sample_size.csv", index=False, float_format="%.6f")
    table = table.assign(paired=table["estimated"] - table["known"])
    summary = summarise(table, truth, truth_se)
    limit = extrapolate(summary, truth_se)
    reproduced = check_reproduced(table, HERE / "results")
    minutes = (args.minutes if args.from_csv and args.minutes is not None
               else (time.perf_counter() - started) / 60)
    lines = [
        "# Bias of the weighted ratios by sample size", "",
        f"kow_research {kr.__version__}; `python validation/bias_by_sample_size.py --sizes "
        f"{','.join(map(str, args.sizes))} --n-sim {','.join(map(str, args.n_sim))} "
        f"--n-sim-shr {','.join(map(str, args.n_sim_shr))} --truth-n {args.truth_n}`"
        + (" (this page: the committed per-study table summarised again, `--from-csv`)"
           if args.from_csv else "") + f"; {minutes:.1f} min on {args.n_jobs} workers"
        + ("; " + "; ".join(reproduced) if reproduced else "") + ".",
        "Estimates: `compare_outcomes` with `separation=\"auto\"` (ATT weights, dropout "
        "ignored, seed 2026) and the weighted Fine–Gray log sHR over (0, 12 months] (ATT, "
        "dropout competing, seed 2027), as on the pages of `bootstrap_coverage.py` and "
        f"`hazard_bootstrap_coverage.py`; truths from `true_effect(n={args.truth_n:_})`.", "",
        "Per size: `bias_mc_se` combines the studies' spread (`studies_mc_se`) and the "
        "truth's Monte Carlo SE; `bias_times_n_over_300` is constant if the bias is c/n; "
        "`second_order_term` (log risk ratio) is Var(r̂_c)/(2 r_c²) − Var(r̂_t)/(2 r_t²) "
        "with the risks' variances across these studies.", "",
        *hb._markdown(summary), "",
    ]
    if not limit.empty:
        lines += [
            "## Extrapolated to infinitely large studies", "",
            "`bias_in_the_limit` = (k b(n2) − b(n1)) / (k − 1), k = n2 / n1 (Richardson): the "
            "estimator's limit minus the truth if the bias is c/n, with its Monte Carlo SE "
            "(both sizes' studies and the truth's). `c_over_300`: the 1/n part of the bias at "
            "300 per cohort, c / 300 = (b(n1) − b(n2)) / (300 (1/n1 − 1/n2)); the truth "
            "cancels in it.", "",
            *hb._markdown(limit), ""]
    (out / "bias_by_sample_size.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
