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
population simulated with each programme's effect, ``--truth-n`` = 2,000,000 people, coupled;
its Monte Carlo SE, about 0.001, is part of every bias's Monte Carlo SE — with 200,000 people
it was 0.0029, most of the bias part's 0.004).

Five hundred studies measure a bias only to a Monte Carlo SE of about 0.012. A second,
cheaper part (``--n-bias`` studies, point estimates only, the first 500 the same as the
coverage part's) measures it to about 0.004 and takes it apart, on the same simulated people:

* ``estimated weights``: the estimator above (``--separation``, default ``auto``: the
  propensity model by maximum likelihood, Firth-penalised where that has no finite estimate;
  ATT weights);
* ``Firth weights``: the same with Firth's penalty in every fit (``separation="firth"``, the
  default of earlier versions), on the same studies;
* ``known weights``: the same weighted Fine–Gray model with the true ATT weights, the ratio of
  the two cohorts' covariate densities as the simulator draws them
  (:func:`true_att_weights`): what is left is the bias of weighting itself;
* ``randomised``: the comparator cohort drawn with KOW's case mix (only the programme effect
  differs), unweighted: the Fine–Gray estimator and the truth without any confounding.

Not part of ``make test`` (about 13 minutes at the defaults on 2 cores: a bootstrap replicate
takes about 7 ms, the bias part 3 minutes). Usage::

    python validation/hazard_bootstrap_coverage.py [--n-sim 500] [--n-boot 199] [--n-jobs 2]
                                                   [--n-bias 4000] [--seed 2027]
                                                   [--out validation/results]
                                                   [--separation auto|firth]
                                                   [--from-csv CSV --minutes M]

writes ``hazard_bootstrap_coverage.csv`` (one row per study), ``hazard_bootstrap_bias.csv``
(one row per study of the bias part) and ``hazard_bootstrap_coverage.md`` (the summary) into
``--out``; ``--from-csv`` reuses an earlier run's per-study coverage table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats

import kow_research as kr
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.synthetic import get_params, true_effect
from kow_research.synthetic.params import DIAGNOSES, CohortParams

N_ARM = 300
HORIZON_MONTHS = 12.0
COVARIATES = ["age", "sex", "diagnosis_group", "smi", "log_months_out"]
Z = 1.959963984540054


def one_study(seed: np.random.SeedSequence, *, n: int = N_ARM,
              comparator: dict | None = None) -> pd.DataFrame:
    """Two cohorts of ``n``, dropout competing, follow-up ended at HORIZON_MONTHS."""
    s1, s2 = (int(x) for x in seed.generate_state(2))
    df = kr.compare.confounded_cohorts(n=n, seeds=(s1, s2), dropout="competing",
                                       comparator=comparator)
    end = HORIZON_MONTHS * DAYS_PER_MONTH
    late = df["time"] > end
    return df.assign(time=df["time"].where(~late, end), event=df["event"].where(~late, 0))


#: ``--separation`` choices: the propensity models of notebook 06's hazard ratio
SEPARATIONS = ("auto", "firth")
SEPARATION_TEXT = {"auto": "maximum likelihood, Firth's penalty where it has no finite "
                           "estimate", "firth": "Firth"}


def run(seed: np.random.SeedSequence, sim: int, n_boot: int, separation: str = "auto"
        ) -> dict:
    df = one_study(seed)
    fit = kr.compare.bootstrap_hazard_ratio(
        df, treatment="programme", treated="KOW", covariates=COVARIATES, estimand="ATT",
        model="fine_gray", n_boot=n_boot, seed=sim, separation=separation, max_failed=0.999)
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
            "bias_corrected": float(fit.attrs["bias_corrected_coef"]),
            "n_failed": int(fit.attrs["n_failed"]),
            "firth_replicates": int(fit.attrs["firth_replicates"]),
            "firth_full": fit.attrs["propensity_fitted_by"] == "firth"}


def _log_density(p: CohortParams, df: pd.DataFrame) -> np.ndarray:
    """Log probability of each person's age, sex, diagnosis and months out of work under the
    simulator's baseline draws for parameters ``p`` (``simulate_study``: age a rounded normal
    clipped to [age_min, age_max]; months out a rounded lognormal capped at months_out_max)."""
    a = df["age"].to_numpy(dtype=float)
    z = [(a + d - p.age_mean) / p.age_sd for d in (0.5, -0.5)]
    p_age = np.where(a <= p.age_min, stats.norm.cdf(z[0]),
                     np.where(a >= p.age_max, stats.norm.sf(z[1]),
                              stats.norm.cdf(z[0]) - stats.norm.cdf(z[1])))
    sex = df["sex"].astype(str).to_numpy()
    p_sex = np.select([sex == "female", sex == "other"], [p.p_female, p.p_other_sex],
                      1 - p.p_female - p.p_other_sex)
    probs = np.asarray(p.diagnosis_probs, dtype=float)
    code = pd.Categorical(df["diagnosis_group"].astype(str), categories=list(DIAGNOSES)).codes
    p_diag = probs[code] / probs.sum()
    m = df["months_out_of_work"].to_numpy(dtype=float)
    mu, sigma = np.log(p.months_out_median), p.months_out_sigma
    with np.errstate(divide="ignore"):
        lo = np.where(m <= 0, -np.inf, np.log(np.maximum(m - 0.5, 0.0)))
    hi = np.where(m >= p.months_out_max, np.inf, np.log(m + 0.5))
    p_months = stats.norm.cdf((hi - mu) / sigma) - stats.norm.cdf((lo - mu) / sigma)
    return np.log(p_age) + np.log(p_sex) + np.log(p_diag) + np.log(p_months)


def true_att_weights(df: pd.DataFrame, *, comparator: dict | None = None) -> np.ndarray:
    """The true ATT weights of :func:`one_study`'s cohorts: 1 for KOW, the density ratio
    f_KOW(x) / f_comparator(x) of the baseline covariates for the comparator (equal cohort
    sizes). SMI given diagnosis, baseline rung, attendance and dropout are drawn alike in both
    cohorts, so they cancel."""
    mix = kr.compare.comparator_mix() if comparator is None else comparator
    ratio = np.exp(_log_density(get_params("KOW"), df)
                   - _log_density(get_params("KOW", **mix), df))
    return np.where(df["programme"].to_numpy() == "KOW", 1.0, ratio)


def bias_run(seed: np.random.SeedSequence, sim: int, separation: str = "auto") -> dict:
    """Point estimates of the bias part: estimated weights (``separation``), Firth weights,
    known weights, randomised. A propensity model that raises (no convergence) is counted in
    ``error`` and leaves the study's estimated-weights estimate NaN."""
    df = one_study(seed)
    error = ""
    kw = dict(treatment="programme", treated="KOW", covariates=COVARIATES, estimand="ATT")
    try:
        ps = kr.compare.propensity(df, method=separation, **kw)
        estimated = ps.weights
        firth = (estimated if ps.attrs["fitted_by"] == "firth" else
                 kr.compare.propensity(df, method="firth", **kw).weights)
    except ValueError as err:
        estimated, firth, error = None, None, str(err)[:80]
    randomised = one_study(seed, comparator={
        "log_hr_programme": kr.compare.comparator_mix()["log_hr_programme"]})
    fits = {name: np.nan if w is None else float(kr.compare.weighted_hazard_ratio(
                data, treatment="programme", treated="KOW", weights=w,
                model="fine_gray").coef.loc["treated", "coef"])
            for name, data, w in (("estimated", df, estimated), ("firth", df, firth),
                                  ("known", df, true_att_weights(df)),
                                  ("randomised", randomised, np.ones(len(randomised))))}
    return {"sim": sim, **fits, "error": error}


BIAS_NAMES = {"estimated": "estimated weights (the propensity model above, ATT), as validated "
                           "above",
              "firth": "Firth weights (Firth's penalty in every propensity model)",
              "known": "known weights (the true density ratio)",
              "randomised": "randomised (KOW's case mix in both cohorts, unweighted)"}


def summarise_bias(table: pd.DataFrame, truth: float, truth_se: float = 0.0) -> pd.DataFrame:
    """Bias of each estimator of the bias part with its Monte Carlo SE (the studies' spread
    and the truth's own Monte Carlo SE ``truth_se`` combined)."""
    out = []
    for name, label in BIAS_NAMES.items():
        x = table[name].dropna()
        mc = float(np.hypot(x.std(ddof=1) / np.sqrt(len(x)), truth_se))
        out.append({"estimator": label, "n_sim": len(x), "truth": truth,
                    "mean": float(x.mean()), "bias": float(x.mean() - truth),
                    "bias_mc_se": mc, "bias_in_mc_se": float((x.mean() - truth) / mc),
                    "empirical_sd": float(x.std(ddof=1))})
    return pd.DataFrame(out)


def _markdown(frame: pd.DataFrame) -> list[str]:
    shown = frame.assign(**{c: frame[c].map(lambda v: f"{v:.4f}")
                            for c in frame.columns if frame[c].dtype.kind == "f"})
    return ["| " + " | ".join(shown.columns) + " |", "|" + "---|" * len(shown.columns),
            *("| " + " | ".join(str(v) for v in r) + " |" for r in shown.itertuples(index=False))]


def summarise(table: pd.DataFrame, truth: float, truth_se: float = 0.0) -> pd.DataFrame:
    """Bias and coverage per interval; the bias's Monte Carlo SE includes the truth's."""
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
                    "bias_mc_se": np.hypot(table["estimate"].std(ddof=1) / np.sqrt(n),
                                           truth_se),
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
    parser.add_argument("--n-bias", type=int, default=4000,
                        help="studies of the bias part (point estimates only; 0: skip it)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--truth-n", type=int, default=2_000_000,
                        help="people in the true_effect simulation of the true value")
    parser.add_argument("--separation", choices=SEPARATIONS, default="auto",
                        help="propensity models: maximum likelihood with Firth's penalty "
                             "where it fails (auto, the design default) or Firth everywhere")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--from-csv", default=None, metavar="CSV",
                        help="take the coverage part's per-study table from an earlier run "
                             "(--n-sim, --n-boot and --seed must be those of that run)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="with --from-csv: the earlier coverage run's duration")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    te = true_effect("KOW", reference="IPS", n=args.truth_n, seed=1,
                     horizon_months=HORIZON_MONTHS, dropout="competing")
    truth = float(te.table.loc["log_shr", "estimate"])
    truth_se = float(te.table.loc["log_shr", "mc_se"])
    if args.from_csv:
        table = pd.read_csv(args.from_csv)
        if len(table) != args.n_sim:
            raise SystemExit(f"{args.from_csv} holds {len(table)} studies, not --n-sim "
                             f"{args.n_sim}")
    else:
        seeds = np.random.SeedSequence(args.seed).spawn(args.n_sim)
        rows = Parallel(n_jobs=args.n_jobs)(delayed(run)(sq, i, args.n_boot, args.separation)
                                            for i, sq in enumerate(seeds))
        table = pd.DataFrame(rows)
        table.to_csv(out / "hazard_bootstrap_coverage.csv", index=False, float_format="%.6f")
    summary = summarise(table, truth, truth_se)
    minutes = (args.minutes if args.from_csv and args.minutes is not None
               else (time.perf_counter() - started) / 60)
    bias_lines: list[str] = []
    if args.n_bias > 0:
        bias_started = time.perf_counter()
        seeds = np.random.SeedSequence(args.seed).spawn(args.n_bias)
        bias = pd.DataFrame(Parallel(n_jobs=args.n_jobs)(
            delayed(bias_run)(sq, i, args.separation) for i, sq in enumerate(seeds)))
        bias.to_csv(out / "hazard_bootstrap_bias.csv", index=False, float_format="%.6f")
        bias_minutes = (time.perf_counter() - bias_started) / 60
        bias_lines = [
            "", "## Bias with a precise Monte Carlo SE", "",
            f"{args.n_bias} studies of {N_ARM} per cohort (the first {min(args.n_sim, args.n_bias)}"
            " are the coverage part's), point estimates only, the same seed; "
            f"{bias_minutes:.1f} min. Truth {truth:.4f} (its own Monte Carlo SE "
            f"{truth_se:.4f}, part of `bias_mc_se`). Studies whose propensity model raised "
            "(left out of the estimated-weights row): "
            f"{int((bias['error'].fillna('') != '').sum())}.", "",
            *_markdown(summarise_bias(bias, truth, truth_se))]
    lines = [
        "# Coverage of the weighted subdistribution hazard ratio's intervals", "",
        f"{args.n_sim} simulated studies, {N_ARM} per cohort, {args.n_boot} bootstrap "
        f"replicates each, nominal 95 %, seed {args.seed}; {minutes:.1f} min on "
        f"{args.n_jobs} workers.",
        f"kow_research {kr.__version__}; `python validation/hazard_bootstrap_coverage.py "
        f"--n-sim {args.n_sim} --n-boot {args.n_boot} --n-bias {args.n_bias} --seed {args.seed}"
        f" --separation {args.separation}`"
        + (" (coverage part: the committed per-study table, `--from-csv`)." if args.from_csv
           else "."),
        "Estimand: marginal log subdistribution hazard ratio of regular paid work over "
        f"(0, {HORIZON_MONTHS:g} months], KOW against the comparator programme in KOW's "
        "population (ATT), dropout competing; truth from `true_effect(dropout=\"competing\", "
        f"n={args.truth_n:_})`: {truth:.4f} (Monte Carlo SE {truth_se:.4f}, part of "
        "`bias_mc_se`).",
        "Propensity model: " + " + ".join(COVARIATES) + " (" + SEPARATION_TEXT[args.separation]
        + ", ATT weights); weighted Fine–Gray model with the treatment as its only term.", "",
        "Coverage with its Monte Carlo SE; `miss_low`: the interval lies above the truth, "
        "`miss_high`: below it.", "",
        *_markdown(summary),
        "",
        f"Failed replicates in total: {int(table['n_failed'].sum())} of "
        f"{args.n_sim * args.n_boot}."
        + (f" Firth's penalty was needed for the full data in "
           f"{int(table['firth_full'].astype(str).str.lower().eq('true').sum())} of "
           f"{args.n_sim} studies and in {int(table['firth_replicates'].sum())} replicates."
           if "firth_replicates" in table and args.separation == "auto" else ""),
        *([f"Bootstrap bias-corrected estimate (`attrs[\"bias_corrected_coef\"]`, 2 beta-hat "
           f"minus the mean of the replicates), reported but not used: bias "
           f"{table['bias_corrected'].mean() - truth:.4f} (Monte Carlo SE "
           f"{table['bias_corrected'].std(ddof=1) / np.sqrt(len(table)):.4f}), SD "
           f"{table['bias_corrected'].std(ddof=1):.4f}."] if "bias_corrected" in table else []),
        *bias_lines,
    ]
    (out / "hazard_bootstrap_coverage.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
