"""Coverage of the bootstrap intervals of the weighted comparison (studentized, percentile,
BCa).

Each simulated study has two non-randomised cohorts of 300: KOW-like participants in KOW, and
a comparator with IPS's programme effect and a different case mix (younger, more psychosis
and SMI, longer out of work, fewer women; the same job-finding process otherwise:
``kr.compare.confounded_cohorts``, also used by ``tests/compare/test_bootstrap.py`` and
``benchmarks/bench_compare.py``). Everyone has a 1 % chance of sex = "other", so about
one study in ten has that level in one cohort only and most others have it rarely in one —
the situation in which maximum-likelihood propensity models fail.

The estimands are every row of notebook 06's effects table for the ATT: each cohort's risk of
regular paid work by 6 and 12 months, their difference and ratio, and each cohort's restricted
mean time without paid work up to 12 months and its difference, dropout ignored (treatment
policy). Their true values come from ``kr.synthetic.true_effect``: KOW's
population simulated twice, once with each programme's effect (``--truth-n`` = 2,000,000
people, coupled; about 2 minutes). The truth's Monte Carlo SE is small beside a coverage's but
not beside a bias's (0.0004 against 0.0023 for a 12-month risk; with 200,000 people it was
0.0010), so it is part of the bias's Monte Carlo SE.

Per study, ``compare_outcomes`` (ATT weights; age, sex, diagnosis group, SMI and
log(1 + months out of work) in the propensity model) is run four ways:

* ``auto`` (the study design's default): propensity models by maximum likelihood, with
  Firth's penalty in the fits (full data or replicate) where maximum likelihood has no finite
  estimate; 95 % studentized (the default ``ci``: bootstrap-t per cohort, MOVER for the
  contrasts), percentile and BCa limits from the same replicates (the BCa acceleration from
  the per-person jackknife);
* ``firth``: Firth-penalised propensity models everywhere, the same three intervals;
* ``collapse``: rare levels merged, then the same three intervals;
* ``error`` (maximum likelihood, the old behaviour): counts the studies in which it raises
  (full-data separation, or more than ``max_failed`` = 5 % failed replicates).

Not part of ``make test`` (about 90 minutes at the defaults on 2 cores: ``auto`` about 25,
``firth`` and ``collapse`` about 60 together; a Firth replicate takes about 5 ms, a
maximum-likelihood one about 1 ms; ``--methods`` runs a subset). Usage::

    python validation/bootstrap_coverage.py [--n-sim 500] [--n-boot 299] [--n-bias 10000]
                                            [--n-jobs 2]
                                            [--n-arm 300] [--truth-n 2000000]
                                            [--seed 2026] [--out validation/results]
                                            [--from-csv CSV | --extend CSV] [--minutes M]
                                            [--methods auto,firth,collapse] [--merge CSV]

writes ``bootstrap_coverage.csv`` (one row per study, method and measure, with the mean of
the replicates, ``boot_mean``, from which the page measures the bootstrap bias-corrected
estimate as well) and ``bootstrap_coverage.md`` (the summary) into ``--out``. ``--extend CSV`` grows an earlier
run to ``--n-sim`` studies (study ``i`` is the same study in every run with the same seed).
The bias part (``--n-bias`` studies, default 10,000, point estimates only with
``n_boot=0``, about 6 minutes on 2 workers) measures each contrast's bias with a Monte Carlo
SE small enough to see an O(1/n) bias, for the Firth, collapsed and maximum-likelihood
propensity models; it writes ``bootstrap_coverage_bias.csv`` (one row per study and model).
``--methods auto --merge CSV`` runs only the named propensity models and takes the other
models' rows from an earlier table of the same studies (its maximum-likelihood rows must
come out identical). ``--n-arm 60`` measures the small studies the Korn-Graubard rule is for
(``bootstrap_coverage_n60.*``; about 6 minutes for 400 studies).
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import kow_research as kr
from kow_research.synthetic import true_effect

N_ARM = 300
HORIZONS = (6.0, 12.0)
TAU_MONTHS = 12.0
#: (measure, horizon) of the rows whose intervals are measured: every row notebook 06 shows
CONTRASTS = [*((m, h) for m in ("risk_treated", "risk_control", "risk_difference",
                                "risk_ratio") for h in HORIZONS),
             *((m, np.nan) for m in ("event_free_time_treated", "event_free_time_control",
                                     "event_free_time_difference"))]
INTERVALS = {"stu": "studentized", "pct": "percentile", "bca": "BCa"}
#: the propensity models of the coverage part (``separation=``), the default first
METHODS = ("auto", "firth", "collapse")
COVARIATES = ["age", "sex", "diagnosis_group", "smi", "log_months_out"]


def one_study(seed: np.random.SeedSequence, n_arm: int = N_ARM) -> pd.DataFrame:
    """One simulated pair of cohorts of ``n_arm`` each
    (:func:`kow_research.compare.confounded_cohorts`)."""
    s1, s2 = (int(x) for x in seed.generate_state(2))
    return kr.compare.confounded_cohorts(n=n_arm, seeds=(s1, s2))


def run(seed: np.random.SeedSequence, sim: int, n_boot: int, n_arm: int = N_ARM,
        methods: tuple[str, ...] = METHODS) -> list[dict]:
    df = one_study(seed, n_arm)
    kw = dict(treatment="programme", treated="KOW", covariates=COVARIATES,
              horizons_months=HORIZONS, tau_months=TAU_MONTHS, n_boot=n_boot, seed=sim)
    rows: list[dict] = []
    other = df[df["sex"] == "other"].groupby("programme").size()
    base = {"sim": sim, "other_kow": int(other.get("KOW", 0)),
            "other_ips": int(other.get("IPS", 0))}
    for method in methods:
        # the same seed gives the same replicates, so the three intervals share them
        try:
            stu = kr.compare.compare_outcomes(df, ci="studentized", separation=method, **kw)
            bca = kr.compare.compare_outcomes(df, ci="bca", separation=method, **kw)
        except ValueError as err:   # more than max_failed replicates failed: counted
            rows.append({**base, "method": method, "measure": "", "horizon_months": np.nan,
                         "n_failed": -1, "error": _reason(err)})
            continue
        tabs = {k: r.table.set_index(["measure", "horizon_months"]) for k, r in
                (("stu", stu), ("bca", bca))}
        for measure, h in CONTRASTS:
            key = f"{measure}@{h:g}" if np.isfinite(h) else measure
            reps = stu.replicates[key].to_numpy()
            reps = reps[np.isfinite(reps)]
            lo, hi = np.quantile(reps, [0.025, 0.975])   # = ci="percentile", same seed
            r = tabs["stu"].loc[(measure, h)]
            # the replicates' mean, for the bootstrap bias correction 2 theta-hat - mean;
            # a ratio's also on the log scale (NaN if a replicate is 0)
            log_mean = (np.log(reps).mean() if measure == "risk_ratio" and (reps > 0).all()
                        else np.nan)
            rows.append({**base, "method": method, "measure": measure, "horizon_months": h,
                         "estimate": r["estimate"], "se": r["se"], "n_failed": stu.n_failed,
                         "boot_mean": reps.mean(), "boot_log_mean": log_mean,
                         "stu_lower": r["lower"], "stu_upper": r["upper"],
                         "pct_lower": lo, "pct_upper": hi,
                         "bca_lower": tabs["bca"].loc[(measure, h), "lower"],
                         "bca_upper": tabs["bca"].loc[(measure, h), "upper"],
                         "percentile_rows": len(stu.attrs["percentile_rows"]),
                         "korn_graubard": key in stu.attrs["korn_graubard_rows"],
                         "firth_replicates": stu.attrs["firth_replicates"],
                         "firth_full": bool(stu.propensity is not None and
                                            stu.propensity.attrs["fitted_by"] == "firth"),
                         "error": ""})
    try:
        res = kr.compare.compare_outcomes(df, separation="error", **kw)
        error = ""
        n_failed = res.n_failed
    except ValueError as err:
        error = _reason(err)
        n_failed = -1
    rows.append({**base, "method": "error", "measure": "", "horizon_months": np.nan,
                 "n_failed": n_failed, "error": error})
    return rows


def _reason(err: ValueError) -> str:
    """Why ``compare_outcomes`` raised, in a few words."""
    return ("full-data separation" if "separation —" in str(err) else
            "failed replicates > max_failed" if "max_failed" in str(err) else str(err)[:60])


#: the propensity models of the bias part: ``separation=`` of compare_outcomes
BIAS_METHODS = ("auto", "firth", "collapse", "error")


def bias_run(seed: np.random.SeedSequence, sim: int, n_arm: int = N_ARM) -> list[dict]:
    """Point estimates of the bias part (no bootstrap): one row per propensity model, with
    one column per contrast; maximum likelihood (``error``) that raises for full-data
    separation leaves its row NaN, with the reason (Firth or collapse raising stops the
    run)."""
    df = one_study(seed, n_arm)
    rows = []
    for method in BIAS_METHODS:
        row: dict = {"sim": sim, "method": method, "error": ""}
        try:
            res = kr.compare.compare_outcomes(
                df, treatment="programme", treated="KOW", covariates=COVARIATES,
                horizons_months=HORIZONS, tau_months=TAU_MONTHS, n_boot=0, seed=sim,
                separation=method)
        except ValueError as err:
            if method != "error":   # Firth and collapse have no full-data failure to count
                raise
            row.update({label(m, h): np.nan for m, h in CONTRASTS}, error=_reason(err))
        else:
            tab = res.table.set_index(["measure", "horizon_months"])["estimate"]
            row.update({label(m, h): float(tab.loc[(m, h)]) for m, h in CONTRASTS})
        rows.append(row)
    return rows


#: the bias part's propensity models as the page names them
BIAS_LABELS = {"auto": "auto (the default: Firth where ML fails)", "firth": "Firth",
               "collapse": "rare levels collapsed", "error": "maximum likelihood"}


def _bias_stats(est: np.ndarray, theta: float, theta_se: float, ratio: bool) -> dict:
    """Bias of ``est`` against ``theta`` with its Monte Carlo SE (the studies' spread and the
    truth's own Monte Carlo SE ``theta_se`` combined); a ratio's also on the log scale, on
    which its interval is made."""
    est = np.asarray(est, dtype=float)
    n = len(est)
    if n == 0:   # every study of this model raised: nothing to summarise
        return dict.fromkeys(("bias", "bias_mc_se", "log_bias", "log_bias_mc_se",
                              "empirical_sd"), np.nan)

    def sd(x: np.ndarray) -> float:   # NaN, without a warning, for a single study
        return float(x.std(ddof=1)) if n > 1 else np.nan

    log = np.log(est) if ratio else None
    return {"bias": est.mean() - theta,
            "bias_mc_se": float(np.hypot(sd(est) / np.sqrt(n), theta_se)),
            "log_bias": np.nan if log is None else log.mean() - np.log(theta),
            "log_bias_mc_se": (np.nan if log is None else float(np.hypot(
                sd(log) / np.sqrt(n), theta_se / theta))),
            "empirical_sd": sd(est)}


def summarise_point_bias(table: pd.DataFrame, truth: dict[str, float],
                         truth_se: dict[str, float]) -> pd.DataFrame:
    """Bias of each contrast's point estimate per propensity model, with its Monte Carlo SE
    (the studies' spread and the truth's own Monte Carlo SE combined), in Monte Carlo SEs and
    in SDs of the estimate; a ratio's also on the log scale."""
    out = []
    for method in BIAS_METHODS:
        g = table[(table["method"] == method) & (table["error"].fillna("") == "")]
        for m, h in CONTRASTS:
            key = label(m, h)
            stats = _bias_stats(g[key].to_numpy(), truth[key], truth_se[key],
                                m == "risk_ratio")
            out.append({"contrast": key, "method": BIAS_LABELS[method], "n_sim": len(g),
                        "truth": truth[key], "bias": stats["bias"],
                        "bias_mc_se": stats["bias_mc_se"],
                        "bias_in_mc_se": stats["bias"] / stats["bias_mc_se"],
                        "bias_in_sd": stats["bias"] / stats["empirical_sd"],
                        "empirical_sd": stats["empirical_sd"], "log_bias": stats["log_bias"],
                        "log_bias_mc_se": stats["log_bias_mc_se"]})
    return pd.DataFrame(out)


def label(measure: str, h: float) -> str:
    """``risk_difference@6``, or the measure alone without a horizon."""
    return f"{measure}@{h:g}" if np.isfinite(h) else measure


def true_values(n: int) -> tuple[dict[str, float], dict[str, float]]:
    """The true value of every contrast and its Monte Carlo SE, from
    :func:`kow_research.synthetic.true_effect` with ``n`` people (treatment policy: dropout
    ignored, everybody followed to the horizon)."""
    truth: dict[str, float] = {}
    se: dict[str, float] = {}
    names = {"risk_treated": "risk_treated", "risk_control": "risk_reference",
             "risk_difference": "risk_difference", "risk_ratio": "risk_ratio"}
    for h in HORIZONS:
        te = true_effect("KOW", reference="IPS", n=n, seed=1, horizon_months=h,
                         dropout="ignore", tau_months=TAU_MONTHS)
        for ours, theirs in names.items():
            truth[label(ours, h)] = float(te.table.loc[theirs, "estimate"])
            se[label(ours, h)] = float(te.table.loc[theirs, "mc_se"])
    # days without paid work up to tau = the restricted mean time to paid work
    for ours, theirs in (("event_free_time_treated", "rmst_treated"),
                         ("event_free_time_control", "rmst_reference"),
                         ("event_free_time_difference", "rmst_difference")):
        truth[ours] = float(te.table.loc[theirs, "estimate"])
        se[ours] = float(te.table.loc[theirs, "mc_se"])
    return truth, se


def summarise(table: pd.DataFrame, truth: dict[str, float],
              truth_se: dict[str, float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bias per contrast and method; coverage per contrast, method and interval.

    The bias's Monte Carlo SE combines the studies' spread and the truth's own Monte Carlo SE
    (``truth_se``, 0 when not given).
    """
    bias, cover = [], []
    ok = table[(table["method"] != "error") & (table["error"] == "")]
    for (measure, h, method), g in ok.groupby(["measure", "horizon_months", "method"],
                                              dropna=False, sort=False):
        theta = truth[label(measure, h)]
        theta_se = 0.0 if truth_se is None else truth_se[label(measure, h)]
        log = np.log(g["estimate"]) if measure == "risk_ratio" else None
        bias.append({"contrast": label(measure, h), "method": method, "n_sim": len(g),
                     "truth": theta, **_bias_stats(g["estimate"].to_numpy(), theta, theta_se,
                                                   log is not None),
                     "mean_se": g["se"].mean()})
        if "boot_mean" in g:   # the bootstrap bias-corrected estimate, reported, not used
            bc = 2 * g["estimate"] - g["boot_mean"]
            bc_log = 2 * log - g["boot_log_mean"] if log is not None else None
            bias[-1].update({
                "bc_bias": bc.mean() - theta,
                "bc_bias_mc_se": np.hypot(bc.std(ddof=1) / np.sqrt(len(g)), theta_se),
                "bc_log_bias": np.nan if bc_log is None else bc_log.mean() - np.log(theta),
                "bc_log_bias_mc_se": (np.nan if bc_log is None else np.hypot(
                    bc_log.std(ddof=1) / np.sqrt(len(g)), theta_se / theta)),
                "bc_sd": bc.std(ddof=1)})
        for ci, name in INTERVALS.items():
            lo, hi = g[f"{ci}_lower"], g[f"{ci}_upper"]
            cov = float(((lo <= theta) & (theta <= hi)).mean())
            cover.append({"contrast": label(measure, h), "method": method, "interval": name,
                          "coverage": cov, "mc_se": float(np.sqrt(cov * (1 - cov) / len(g))),
                          "miss_low": float((theta < lo).mean()),    # interval above truth
                          "miss_high": float((theta > hi).mean()),   # interval below truth
                          "median_width": float((hi - lo).median())})
    return pd.DataFrame(bias), pd.DataFrame(cover)


def _kg_shares(table: pd.DataFrame) -> dict[str, float]:
    """Per per-cohort risk (the default propensity model), the share of studies in which it
    had Korn-Graubard limits (``{}`` for a table from before that rule)."""
    if "korn_graubard" not in table:
        return {}
    firth = table[(table["method"] == METHODS[0]) & table["measure"].isin(
        ["risk_treated", "risk_control"])]
    kg = firth["korn_graubard"].astype(str).str.lower() == "true"
    return {label(m, h): float(g.mean()) for (m, h), g in kg.groupby(
        [firth["measure"], firth["horizon_months"]], sort=False)}


def _read_table(source: str | io.StringIO) -> pd.DataFrame:
    """A per-study table as written by :func:`main` (an empty ``error`` is "", not NaN)."""
    return pd.read_csv(source, keep_default_na=False, na_values=[""]).fillna({"error": ""})


def _earlier_studies(path: str, n_sim: int) -> pd.DataFrame:
    """The per-study table of an earlier run to be extended: studies 0 .. k - 1, k < n_sim."""
    table = _read_table(path)
    sims = np.sort(table["sim"].unique())
    if not np.array_equal(sims, np.arange(len(sims))) or len(sims) >= n_sim:
        raise SystemExit(f"{path}: --extend needs studies 0 .. k - 1 with k below --n-sim "
                         f"{n_sim}; it holds {len(sims)} studies ({sims.min()} .. {sims.max()})")
    return table


def _check_reproduced(earlier: pd.DataFrame, again: pd.DataFrame, path: str) -> None:
    """Stop unless study ``again`` equals its row in the earlier table (to the CSV's six
    decimals): a changed package or seed would mix two different runs."""
    again = _read_table(io.StringIO(again.to_csv(index=False, float_format="%.6f")))
    missing = [c for c in again.columns if c not in earlier.columns]
    if missing:
        raise SystemExit(f"{path} has no column {', '.join(missing)} (written by an older "
                         "version of this script): run all studies again instead")
    a, b = (f.reset_index(drop=True)[again.columns] for f in (earlier, again))
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, atol=2e-6, rtol=0)
    except AssertionError as err:
        raise SystemExit(f"{path}: study {int(b['sim'].iloc[0])} run again does not "
                         f"reproduce the earlier table (another package version or seed?): "
                         f"{err}") from None


def _merge_earlier(path: str, table: pd.DataFrame, methods: tuple[str, ...],
                   n_sim: int) -> pd.DataFrame:
    """``table`` (this run's models and maximum likelihood) with the other models' rows of the
    earlier table ``path``; stops unless that table holds studies 0 .. n_sim - 1 and its
    maximum-likelihood rows come out identical here (the same studies)."""
    earlier = _read_table(path)
    if sorted(earlier["sim"].unique()) != list(range(n_sim)):
        raise SystemExit(f"{path}: --merge needs the studies 0 .. {n_sim - 1} of --n-sim")
    cols = ["sim", "other_kow", "other_ips", "n_failed", "error"]
    a, b = (f[f["method"] == "error"].sort_values("sim").reset_index(drop=True)[cols]
            for f in (earlier, _read_table(io.StringIO(table.to_csv(index=False)))))
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    except AssertionError as err:
        raise SystemExit(f"{path}: its maximum-likelihood rows differ from this run's (other "
                         f"studies, seed or package?): {err}") from None
    keep = earlier[~earlier["method"].isin([*methods, "error"])]
    order = {m: i for i, m in enumerate((*METHODS, "error"))}
    return (pd.concat([table, keep], ignore_index=True)
            .sort_values(["sim", "method"], key=lambda c: c.map(order) if c.name == "method"
                         else c, kind="stable").reset_index(drop=True))


def _auto_lines(table: pd.DataFrame, n_boot: int) -> list[str]:
    """How often ``auto`` needed Firth's penalty (none for a table without ``auto``)."""
    auto = table[(table["method"] == "auto") & (table["error"] == "")]
    if auto.empty or "firth_replicates" not in auto:
        return []
    per = auto.groupby("sim")[["firth_replicates", "firth_full"]].first()
    full = per["firth_full"].astype(str).str.lower() == "true"
    reps = per["firth_replicates"].astype(float)
    return [f"`auto` used Firth's penalty for the full data in {int(full.sum())} of {len(per)} "
            f"studies and in {int(reps.sum())} of {len(per) * n_boot} replicates (per study: "
            f"median {reps.median():.0f}, max {reps.max():.0f} of {n_boot}); maximum "
            "likelihood everywhere else."]


def _bias_correction_section(bias: pd.DataFrame) -> list[str]:
    """The page's section on the bootstrap bias-corrected estimate (none for a table from
    before the replicates' mean was recorded)."""
    if "bc_bias" not in bias:
        return []
    cols = ["contrast", "method", "n_sim", "bias", "bc_bias", "bc_bias_mc_se", "log_bias",
            "bc_log_bias", "bc_log_bias_mc_se", "empirical_sd", "bc_sd"]
    return ["## Bootstrap bias correction (measured, not used)", "",
            "The estimate minus the bootstrap's estimate of its bias, "
            "2 theta-hat - mean(theta*) from the same replicates (`bc_`; a ratio's also on "
            "the log scale), against the estimate `compare_outcomes` reports (`bias`). "
            "`bc_sd` is its SD across studies, `empirical_sd` the reported estimate's.", "",
            *_markdown(bias[cols]), ""]


def _markdown(frame: pd.DataFrame) -> list[str]:
    shown = frame.assign(**{c: frame[c].map(lambda v: f"{v:.4f}" if np.isfinite(v) else "")
                            for c in frame.columns if frame[c].dtype.kind == "f"})
    return ["| " + " | ".join(shown.columns) + " |", "|" + "---|" * len(shown.columns),
            *("| " + " | ".join(str(v) for v in r) + " |"
              for r in shown.itertuples(index=False))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=500)
    parser.add_argument("--n-boot", type=int, default=299)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--n-arm", type=int, default=N_ARM,
                        help="people per cohort; other than 300, the files get a suffix "
                             "(bootstrap_coverage_n60.md)")
    parser.add_argument("--truth-n", type=int, default=2_000_000,
                        help="people in the true_effect simulation of the true values")
    parser.add_argument("--n-bias", type=int, default=10_000,
                        help="studies of the bias part (point estimates only, no bootstrap; "
                             "the first --n-sim are the coverage part's); 0 to skip")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    earlier = parser.add_mutually_exclusive_group()
    earlier.add_argument("--from-csv", default=None, metavar="CSV",
                        help="summarise an earlier run's per-study table against the current "
                             "true values instead of simulating (--n-sim, --n-boot and --seed "
                             "must be those of that run)")
    earlier.add_argument("--extend", default=None, metavar="CSV",
                        help="grow an earlier run's per-study table (same --n-boot, --n-arm "
                             "and --seed, fewer studies) to --n-sim studies: its studies are "
                             "kept, its last one is run again and must come out identical, "
                             "and only the new ones are simulated")
    earlier.add_argument("--merge", default=None, metavar="CSV",
                         help="with --methods: take the other propensity models' rows from "
                              "this earlier table of the same --n-sim studies")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated propensity models of the coverage part "
                             f"(default {','.join(METHODS)})")
    parser.add_argument("--minutes", type=float, default=None,
                        help="with --from-csv: the earlier run's duration, for the page; "
                             "with --extend: the earlier run's, added to this one's")
    args = parser.parse_args(argv)
    methods = tuple(m.strip() for m in args.methods.split(","))
    if not methods or any(m not in METHODS for m in methods):
        parser.error(f"--methods must name some of {', '.join(METHODS)}, got {args.methods!r}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    truth, truth_se = true_values(args.truth_n)
    stem = "bootstrap_coverage" + ("" if args.n_arm == N_ARM else f"_n{args.n_arm}")
    first = 0  # the first study simulated in this run
    if args.from_csv:
        table = _read_table(args.from_csv)
        if table["sim"].nunique() != args.n_sim:
            raise SystemExit(f"{args.from_csv} holds {table['sim'].nunique()} studies, not "
                             f"--n-sim {args.n_sim}")
    else:
        # spawn(n)[:k] == spawn(k): study i is the same study in a longer run
        seeds = np.random.SeedSequence(args.seed).spawn(args.n_sim)
        done = pd.DataFrame()
        if args.extend:
            done = _earlier_studies(args.extend, args.n_sim)
            last = int(done["sim"].max())
            _check_reproduced(done[done["sim"] == last],
                              pd.DataFrame(run(seeds[last], last, args.n_boot, args.n_arm,
                                               methods)), args.extend)
            first = last + 1
        parts = Parallel(n_jobs=args.n_jobs)(delayed(run)(seeds[i], i, args.n_boot,
                                                          args.n_arm, methods)
                                             for i in range(first, args.n_sim))
        table = pd.concat([done, pd.DataFrame([r for p in parts for r in p])],
                          ignore_index=True)
        if args.merge:
            table = _merge_earlier(args.merge, table, methods, args.n_sim)
        table.to_csv(out / f"{stem}.csv", index=False, float_format="%.6f")
    bias, cover = summarise(table, truth, truth_se)
    ml = table[table["method"] == "error"]
    minutes = (args.minutes if args.from_csv and args.minutes is not None
               else (time.perf_counter() - started) / 60
               + ((args.minutes or 0.0) if args.extend else 0.0))
    bias_lines: list[str] = []
    if args.n_bias > 0:
        bias_started = time.perf_counter()
        bias_seeds = np.random.SeedSequence(args.seed).spawn(args.n_bias)
        studies = Parallel(n_jobs=args.n_jobs)(delayed(bias_run)(sq, i, args.n_arm)
                                               for i, sq in enumerate(bias_seeds))
        points = pd.DataFrame([r for study in studies for r in study])
        points.to_csv(out / f"{stem}_bias.csv", index=False, float_format="%.6f")
        refused = points[points["error"].fillna("") != ""].groupby("method").size()
        bias_lines = [
            "## Bias with a precise Monte Carlo SE", "",
            f"{args.n_bias} studies of {args.n_arm} per cohort (the first "
            f"{min(args.n_sim, args.n_bias)} are the coverage part's), point estimates only "
            f"(`n_boot=0`), the same seed; {(time.perf_counter() - bias_started) / 60:.1f} min. "
            "`bias_in_sd`: the bias in SDs of the estimate. Studies whose propensity model "
            "raised (full-data separation; left out of their rows): "
            + ", ".join(f"{BIAS_LABELS[m]} {int(refused.get(m, 0))}" for m in BIAS_METHODS)
            + ".", "",
            *_markdown(summarise_point_bias(points, truth, truth_se)), ""]
    one_cohort = int(((ml["other_kow"] == 0) | (ml["other_ips"] == 0)).sum())
    ran = table[(table["method"] != "error") & (table["error"] == "")]
    per_study = ran.groupby(["method", "sim"])["n_failed"].first()
    present = [m for m in METHODS if (table["method"] == m).any()]
    raised = {m: int(((table["method"] == m) & (table["error"] != "")).sum())
              for m in present}
    lines = [
        "# Coverage of the bootstrap intervals of compare_outcomes", "",
        f"{args.n_sim} simulated studies, {args.n_arm} per cohort, {args.n_boot} bootstrap replicates "
        f"each, nominal 95 %, seed {args.seed}; {minutes:.1f} min on {args.n_jobs} workers.",
        f"kow_research {kr.__version__}; `python validation/bootstrap_coverage.py --n-sim "
        f"{args.n_sim} --n-boot {args.n_boot} --n-bias {args.n_bias}"
        + ("" if args.n_arm == N_ARM else f" --n-arm {args.n_arm}") + f" --seed {args.seed}"
        + (f" --methods {','.join(methods)}" if methods != METHODS else "")
        + (f" --merge {Path(args.merge).name}`" if args.merge else "`")
        + (" (this page: the committed per-study table summarised again against the current "
           "`true_effect` with `--from-csv`)." if args.from_csv else
           f" (grown from an earlier run of {first} studies with `--extend`; its last study "
           "was run again and came out identical)." if args.extend else
           f" (the rows of {' and '.join(m for m in METHODS if m not in methods)} from the "
           "earlier run of the same studies in that table; the time above is this run's)."
           if args.merge else "."),
        "Estimands (the rows of notebook 06's effects table, ATT): KOW's population with KOW "
        "(`treated`) and with the comparator programme (`control`), dropout ignored: risks of "
        f"regular paid work by {' and '.join(f'{h:g}' for h in HORIZONS)} months, their "
        f"difference and ratio, days without paid work up to {TAU_MONTHS:g} months and their "
        f"difference; truth from `true_effect(n={args.truth_n:_})` (Monte Carlo SE in "
        "brackets, part of `bias_mc_se`): "
        + ", ".join(f"{k} {v:.4f} ({truth_se[k]:.4f})" for k, v in truth.items()) + ".",
        "Propensity model: " + " + ".join(COVARIATES) + " (ATT weights).", "",
        "## Bias", "", *_markdown(bias[[c for c in bias.columns
                                          if not c.startswith("bc_")]]), "",
        *_bias_correction_section(bias),
        *bias_lines,
        "## Coverage", "",
        "Coverage with its Monte Carlo SE; `miss_low`: the interval lies above the truth, "
        "`miss_high`: below it. `studentized` is the default `ci`; studies in which a "
        "per-cohort row fell back to percentile limits (a resample without events): "
        + ", ".join(f"{m} {int((table.loc[table['method'] == m].groupby('sim')['percentile_rows'].first() > 0).sum())}"
                    for m in present) + "; per-cohort risks with Korn-Graubard "
        "limits (fewer than 10 effective events; then also the contrasts built from them), "
        "share of studies: "
        + ", ".join(f"{lab} {share:.3f}" for lab, share in _kg_shares(table).items()) + ".", "",
        *_markdown(cover), "",
        "Maximum likelihood (`separation=\"error\"`, `max_failed=0.05`) on the same studies: "
        f"sex = other in one cohort only in {one_cohort} of {len(ml)}; raised for full-data "
        f"separation in {int((ml['error'] == 'full-data separation').sum())}, for more than 5 % "
        f"failed replicates in {int((ml['error'] == 'failed replicates > max_failed').sum())}; "
        f"ran in {int((ml['error'] == '').sum())} (failed replicates there: median "
        f"{ml.loc[ml['error'] == '', 'n_failed'].median():.0f}, max "
        f"{ml.loc[ml['error'] == '', 'n_failed'].max():.0f} of {args.n_boot}).",
        "Failed replicates in total "
        + ", ".join(f"{m} {int(per_study.loc[m].sum())}" for m in present)
        + "; studies in which they raised (more than 5 % failed replicates), left out of "
        "their rows above (`n_sim`): "
        + ", ".join(f"{m} {n}" for m, n in raised.items()) + ".",
        *_auto_lines(table, args.n_boot),
    ]
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
