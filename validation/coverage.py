"""Bias, SE/SD and coverage of every 95 % interval the notebooks show, against known truths.

Four data-generating mechanisms (DGMs), each with its true estimands in closed form (or as the
root of a population score equation evaluated by quadrature, never by a simulation):

``trial``
    Randomised, two arms of ``n`` people; constant cause-specific hazards (months) of paid work
    (cause 1: 0.030 control, 0.045 treated, HR 1.5) and dropout (cause 2: 0.015, 0.012).
    Truths: :math:`S_1(t) = e^{-\\lambda_1 t}`, :math:`F_1(t) = \\lambda_1/\\lambda\\,(1 -
    e^{-\\lambda t})`, restricted means their integrals; the cause-specific HR is exact.
``fine_gray``
    Randomised, subdistribution model of Fine & Gray (1999, section 5):
    :math:`F_1(t \\mid z) = 1 - \\{1 - p(1 - e^{-\\rho t})\\}^{\\exp(\\beta z)}`, p = 0.5,
    :math:`\\rho` = 0.08 / month, :math:`e^\\beta` = 1.5; dropout times exponential (0.03 /
    month). The subdistribution HR is exact.
``confounded``
    Not randomised: two binary confounders (SMI, long out of work) drive both programme choice
    (logit 1.0 x1 - 1.0 x2) and the hazards (paid work 0.03 exp(0.405 a - 0.5 x1 - 0.6 x2),
    dropout 0.015 exp(0.6 x1 + 0.3 x2)); ``n`` people sampled per arm. Estimated ATT odds
    weights (:func:`kow_research.compare.propensity`) as notebook 06 uses them. Truths: the
    curves of the treated population under each programme, :math:`\\sum_x P(x \\mid T = 1)
    F_1(t \\mid x, a)`; the marginal (sub)distribution hazard ratios of the weighted Cox and
    Fine-Gray fits are the roots of their population score equations in that
    pseudo-population (non-collapsible: not the conditional HR 1.5).
``missing``
    Randomised; a standard-normal covariate x with cause-specific log HR 0.5 beside the
    programme's log(1.5); x missing at random (logit -1.2 + 0.8 [paid work] + 0.4 a, about 30 %)
    and imputed 20 times compatibly with the cause-specific Cox models of both causes
    (SMC-FCS, the default ``imputation_model``; :func:`kow_research.report.fit_hazard_models`,
    as notebook 04), Cox models pooled by Rubin's rules. Truths: the conditional log HRs.

Censoring in every survival DGM: administrative, uniform on 12-24 months (12 months of
recruitment, 12 more of follow-up), and loss to follow-up at 0.005 / month, independent of all
else. Times are in days (:data:`kow_research.core.units.DAYS_PER_MONTH`), as in the notebooks.
The ladder's Wilson interval (:func:`kow_research.compare.wilson`, summary report) is checked on
binomial counts of ``n`` people.

Not part of ``make test`` (which runs a smoke version). Usage::

    python validation/coverage.py [--n-sim 500] [--n-per-arm 300] [--seed 2027] [--n-jobs 2]
                                  [--only NAME[,NAME]] [--out validation/results]

writes ``coverage.csv`` and ``coverage.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import optimize, stats

import kow_research as kr
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.report.analysis import ModelFrame, fit_hazard_models

#: months at which the curves are read (the notebooks' default horizons)
HORIZONS = (6.0, 12.0, 18.0)
#: horizon of the restricted means (months)
TAU = 18.0
BAND = (0.93, 0.97)
ALPHA = 0.05
#: censoring: administrative uniform on (ADMIN_LO, ADMIN_HI) months, loss at LOSS / month
ADMIN_LO, ADMIN_HI, LOSS = 12.0, 24.0, 0.005
LOG_HR = float(np.log(1.5))
#: randomised trial: (paid work, dropout) hazards per month, control and treated
TRIAL = {0: (0.030, 0.015), 1: (0.045, 0.012)}
#: Fine-Gray DGM
FG_P, FG_RHO, FG_DROPOUT = 0.5, 0.08, 0.03
#: confounded DGM: P(x1), P(x2); propensity log-odds; hazard log-ratios
X_PREVALENCE = (0.4, 0.5)
PS_COEF = (1.0, -1.0)
WORK, WORK_X = 0.03, (-0.5, -0.6)
DROP, DROP_X = 0.015, (0.6, 0.3)
#: missing-covariate DGM
MI_BETA_X, MI_MISSING = 0.5, (-1.2, 0.8, 0.4)
MI_M = 20
WILSON_P = (0.05, 0.2, 0.5)

NAMES = ("km", "aj", "rmst", "cox", "fine_gray", "weighted_aj", "weighted_km", "weighted_cox",
         "weighted_fine_gray", "mi_cox", "wilson")


# --------------------------------------------------------------------------- truths

def censoring_survival(t: np.ndarray) -> np.ndarray:
    """P(C > t): uniform administrative censoring times loss to follow-up."""
    t = np.asarray(t, dtype=float)
    admin = np.clip((ADMIN_HI - t) / (ADMIN_HI - ADMIN_LO), 0.0, 1.0)
    return np.exp(-LOSS * t) * admin


def exp_cif(t: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """Cumulative incidence of cause 1 under constant cause-specific hazards."""
    lam = l1 + l2
    return l1 / lam * (1 - np.exp(-lam * np.asarray(t, dtype=float)))


def exp_time_lost(tau: float, l1: float, l2: float) -> float:
    """:math:`\\int_0^\\tau F_1(t)\\,dt` under constant hazards."""
    lam = l1 + l2
    return float(l1 / lam * (tau - (1 - np.exp(-lam * tau)) / lam))


def fg_cif(t: np.ndarray, z: float) -> np.ndarray:
    """Fine & Gray's (1999) subdistribution model."""
    t = np.asarray(t, dtype=float)
    return 1 - (1 - FG_P * (1 - np.exp(-FG_RHO * t))) ** np.exp(LOG_HR * z)


def strata() -> pd.DataFrame:
    """The four covariate patterns of the confounded DGM with P(x), P(x | T = 1) and the
    hazards under each programme."""
    rows = []
    for x1 in (0, 1):
        for x2 in (0, 1):
            px = (X_PREVALENCE[0] if x1 else 1 - X_PREVALENCE[0]) * (
                X_PREVALENCE[1] if x2 else 1 - X_PREVALENCE[1])
            e = 1 / (1 + np.exp(-(PS_COEF[0] * x1 + PS_COEF[1] * x2)))
            rows.append({"x1": x1, "x2": x2, "px": px, "e": e,
                         "l1_0": WORK * np.exp(WORK_X[0] * x1 + WORK_X[1] * x2),
                         "l1_1": WORK * np.exp(LOG_HR + WORK_X[0] * x1 + WORK_X[1] * x2),
                         "l2": DROP * np.exp(DROP_X[0] * x1 + DROP_X[1] * x2)})
    s = pd.DataFrame(rows)
    s["p_treated"] = s["px"] * s["e"] / (s["px"] * s["e"]).sum()
    s["p_control"] = s["px"] * (1 - s["e"]) / (s["px"] * (1 - s["e"])).sum()
    return s


def _nodes(points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on (0, 12) and (12, 24) months (the censoring
    distribution has a kink at 12 and ends at 24)."""
    x, w = np.polynomial.legendre.leggauss(points)
    t = np.concatenate([(x + 1) * ADMIN_LO / 2, ADMIN_LO + (x + 1) * (ADMIN_HI - ADMIN_LO) / 2])
    return t, np.concatenate([w * ADMIN_LO / 2, w * (ADMIN_HI - ADMIN_LO) / 2])


def limit_log_hr(t: np.ndarray, w: np.ndarray, density: Sequence[np.ndarray],
                 at_risk: Sequence[np.ndarray]) -> float:
    r"""The limit of a (weighted) two-arm partial-likelihood fit: the root :math:`\beta^*` of

    .. math::

        \int \{f_1(t)(1 - E_\beta(t)) - f_0(t) E_\beta(t)\}\,dt = 0,\qquad
        E_\beta(t) = \frac{e^\beta \pi_1(t)}{e^\beta \pi_1(t) + \pi_0(t)},

    with observed event densities :math:`f_a` and (IPCW-) risk-set probabilities
    :math:`\pi_a` per arm of equal mass (the ATT pseudo-population). Under proportional
    (sub)hazards :math:`\beta^*` is the true coefficient; otherwise it is what the fit
    estimates (and it depends on the censoring).
    """
    f0, f1 = density
    p0, p1 = at_risk

    def score(beta: float) -> float:
        e = np.exp(beta) * p1 / (np.exp(beta) * p1 + p0)
        return float(np.sum(w * (f1 * (1 - e) - f0 * e)))

    return float(optimize.brentq(score, -5, 5, xtol=1e-13))


def truths() -> dict[tuple[str, str], float]:
    """The true value of every estimand, keyed by (estimator, estimand)."""
    out: dict[tuple[str, str], float] = {}
    arms = {0: "control", 1: "treated"}
    for a, (l1, l2) in TRIAL.items():
        for h in HORIZONS:
            out[("km", f"S1({h:g} m), {arms[a]}")] = float(np.exp(-l1 * h))
            out[("aj", f"F1({h:g} m), {arms[a]}")] = float(exp_cif(h, l1, l2))
        out[("rmst", f"event-free months (competing) to {TAU:g}, {arms[a]}")] = \
            TAU - exp_time_lost(TAU, l1, l2)
    free = {a: TAU - exp_time_lost(TAU, *TRIAL[a]) for a in TRIAL}
    out[("rmst", f"difference (competing) to {TAU:g}, treated - control")] = free[1] - free[0]
    km_area = {a: (1 - np.exp(-TRIAL[a][0] * TAU)) / TRIAL[a][0] for a in TRIAL}
    out[("rmst", f"difference (censored) to {TAU:g}, treated - control")] = \
        float(km_area[1] - km_area[0])
    out[("cox", "log HR, treated")] = LOG_HR
    out[("fine_gray", "log sHR, treated")] = LOG_HR
    s = strata()
    for a in (0, 1):
        l1, lam = s[f"l1_{a}"], s[f"l1_{a}"] + s["l2"]
        for h in HORIZONS:
            out[("weighted_aj", f"F1({h:g} m) in the treated, {arms[a]}")] = float(
                (s["p_treated"] * l1 / lam * (1 - np.exp(-lam * h))).sum())
            out[("weighted_km", f"S_any({h:g} m) in the treated, {arms[a]}")] = float(
                (s["p_treated"] * np.exp(-lam * h)).sum())
    out[("weighted_cox", "marginal log HR in the treated")] = marginal_log_hr("cox")
    out[("weighted_fine_gray", "marginal log sHR in the treated")] = marginal_log_hr("fine_gray")
    out[("mi_cox", "log HR, treated")] = LOG_HR
    out[("mi_cox", "log HR per SD of x")] = MI_BETA_X
    for p in WILSON_P:
        out[("wilson", f"proportion {p:g}")] = p
    return out


def marginal_log_hr(model: str) -> float:
    """The weighted Cox (cause-specific) or Fine-Gray fit's limit in the confounded DGM."""
    t, w = _nodes()
    s = strata()
    g = censoring_survival(t)
    dens, risk = [], []
    for a in (0, 1):
        l1 = s[f"l1_{a}"].to_numpy()[:, None]
        lam = l1 + s["l2"].to_numpy()[:, None]
        p = s["p_treated"].to_numpy()[:, None]
        surv = np.exp(-lam * t)
        dens.append(g * (p * l1 * surv).sum(axis=0))
        if model == "cox":
            risk.append(g * (p * surv).sum(axis=0))
        else:
            risk.append(g * (1 - (p * l1 / lam * (1 - surv)).sum(axis=0)))
    return limit_log_hr(t, w, dens, risk)


# --------------------------------------------------------------------------- data

def _censor(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.minimum(rng.uniform(ADMIN_LO, ADMIN_HI, n), rng.exponential(1 / LOSS, n))


def _frame(arm: np.ndarray, t_work: np.ndarray, t_drop: np.ndarray,
           cens: np.ndarray, **extra: np.ndarray) -> pd.DataFrame:
    time_ = np.minimum.reduce([t_work, t_drop, cens])
    event = np.select([time_ == t_work, time_ == t_drop], [1, 2], 0)
    return pd.DataFrame({"time": time_ * DAYS_PER_MONTH, "event": event, "arm": arm, **extra})


def simulate_trial(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """The randomised DGM: ``n`` per arm."""
    arm = np.repeat([0, 1], n)
    l1 = np.where(arm == 1, TRIAL[1][0], TRIAL[0][0])
    l2 = np.where(arm == 1, TRIAL[1][1], TRIAL[0][1])
    return _frame(arm, rng.exponential(1 / l1), rng.exponential(1 / l2), _censor(rng, 2 * n))


def simulate_fine_gray(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Fine & Gray's DGM: cause 1 with probability :math:`F_1(\\infty \\mid z)`, its time by
    inverting :math:`F_1(t \\mid z) / F_1(\\infty \\mid z)`; else dropout, exponential."""
    arm = np.repeat([0, 1], n)
    theta = np.exp(LOG_HR * arm)
    p1 = 1 - (1 - FG_P) ** theta
    cause1 = rng.uniform(size=2 * n) < p1
    u = rng.uniform(size=2 * n)
    t1 = -np.log(1 - (1 - (1 - u * p1) ** (1 / theta)) / FG_P) / FG_RHO
    t2 = rng.exponential(1 / FG_DROPOUT, 2 * n)
    never = np.full(2 * n, np.inf)
    return _frame(arm, np.where(cause1, t1, never), np.where(cause1, never, t2),
                  _censor(rng, 2 * n))


def simulate_confounded(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """The confounded DGM: ``n`` people drawn from each programme's covariate distribution."""
    s = strata()
    arm = np.repeat([0, 1], n)
    pattern = np.concatenate([rng.choice(len(s), size=n, p=s["p_control"]),
                              rng.choice(len(s), size=n, p=s["p_treated"])])
    row = s.iloc[pattern]
    l1 = np.where(arm == 1, row["l1_1"], row["l1_0"])
    l2 = row["l2"].to_numpy()
    return _frame(arm, rng.exponential(1 / l1), rng.exponential(1 / l2), _censor(rng, 2 * n),
                  x1=row["x1"].to_numpy(), x2=row["x2"].to_numpy())


def simulate_missing(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """The missing-covariate DGM: x observed, then deleted at random given arm and event."""
    arm = np.repeat([0, 1], n)
    x = rng.normal(size=2 * n)
    l1 = TRIAL[0][0] * np.exp(LOG_HR * arm + MI_BETA_X * x)
    df = _frame(arm, rng.exponential(1 / l1), rng.exponential(1 / TRIAL[0][1], 2 * n),
                _censor(rng, 2 * n), x=x)
    a0, a_event, a_arm = MI_MISSING
    p = 1 / (1 + np.exp(-(a0 + a_event * (df["event"] == 1) + a_arm * arm)))
    df.loc[rng.uniform(size=2 * n) < p, "x"] = np.nan
    return df


# --------------------------------------------------------------------------- estimators

Row = dict[str, object]


def _rows(estimator: str, estimands: Sequence[str], est: Sequence[float],
          se: Sequence[float], lower: Sequence[float], upper: Sequence[float]) -> list[Row]:
    return [{"estimator": estimator, "estimand": e, "estimate": float(a), "se": float(b),
             "lower": float(c), "upper": float(d)}
            for e, a, b, c, d in zip(estimands, est, se, lower, upper, strict=True)]


def _curve_rows(estimator: str, at: pd.DataFrame, label: Callable[[float, str], str]
                ) -> list[Row]:
    names = {"0": "control", "1": "treated", "control": "control", "treated": "treated"}
    return _rows(estimator, [label(t / DAYS_PER_MONTH, names[str(g)])
                             for t, g in zip(at["time"], at["group"], strict=True)],
                 at["estimate"], at["se"], at["lower"], at["upper"])


def _coef_rows(estimator: str, table: pd.DataFrame, terms: dict[str, str]) -> list[Row]:
    """Coefficient rows on the log scale (interval: the log of the one shown)."""
    t = table.loc[list(terms)]
    return _rows(estimator, list(terms.values()), t["coef"], t["se"], np.log(t["lower"]),
                 np.log(t["upper"]))


def _days(months: Sequence[float]) -> list[float]:
    return [m * DAYS_PER_MONTH for m in months]


def estimate_trial(df: pd.DataFrame, wanted: set[str]) -> list[Row]:
    """KM, AJ, restricted means and the Cox HR of the randomised trial (notebooks 04, 05)."""
    rows: list[Row] = []
    if "km" in wanted:
        km = kr.survival.kaplan_meier(df, cause=1, by="arm").at(_days(HORIZONS))
        rows += _curve_rows("km", km, lambda h, g: f"S1({h:g} m), {g}")
    if "aj" in wanted:
        aj = kr.survival.cumulative_incidence(df, cause=1, by="arm").at(_days(HORIZONS))
        rows += _curve_rows("aj", aj, lambda h, g: f"F1({h:g} m), {g}")
    if "rmst" in wanted:
        tau = TAU * DAYS_PER_MONTH
        rm = kr.survival.rmst(df, tau=tau, by="arm", estimand="event_free_competing")
        t = rm.table
        labels = [f"event-free months (competing) to {TAU:g}, {g}"
                  for g in ("control", "treated")]
        rows += _rows("rmst", labels, t["rmst"] / DAYS_PER_MONTH, t["se"] / DAYS_PER_MONTH,
                      t["lower"] / DAYS_PER_MONTH, t["upper"] / DAYS_PER_MONTH)
        for name, r in (("competing", rm),
                        ("censored", kr.survival.rmst(df, tau=tau, by="arm",
                                                      estimand="event_free_censored"))):
            d = r.difference.iloc[0]
            rows += _rows("rmst", [f"difference ({name}) to {TAU:g}, treated - control"],
                          [d["estimate"] / DAYS_PER_MONTH], [d["se"] / DAYS_PER_MONTH],
                          [d["lower"] / DAYS_PER_MONTH], [d["upper"] / DAYS_PER_MONTH])
    if "cox" in wanted:
        fit = kr.survival.cox(df, covariates=["arm"], cause=1)
        rows += _coef_rows("cox", fit.coef, {"arm": "log HR, treated"})
    return rows


def estimate_fine_gray(df: pd.DataFrame) -> list[Row]:
    """The Fine-Gray sHR (notebook 04's hazard models)."""
    fit = kr.survival.fine_gray(df, covariates=["arm"], cause=1)
    return _coef_rows("fine_gray", fit.coef, {"arm": "log sHR, treated"})


def estimate_confounded(df: pd.DataFrame, wanted: set[str]) -> list[Row]:
    """Weighted curves and hazard ratios with estimated ATT weights (notebook 06)."""
    ps = kr.compare.propensity(df, treatment="arm", covariates=["x1", "x2"], estimand="ATT")
    w = np.asarray(ps.weights)
    rows: list[Row] = []
    if "weighted_aj" in wanted:
        aj = kr.compare.weighted_curves(df, treatment="arm", weights=w, cause=1)
        rows += _curve_rows("weighted_aj", aj.at(_days(HORIZONS)),
                            lambda h, g: f"F1({h:g} m) in the treated, {g}")
    if "weighted_km" in wanted:
        anyev = df.assign(event=(df["event"] > 0).astype(int))
        km = kr.compare.weighted_curves(anyev, treatment="arm", weights=w, cause=1,
                                        kind="survival")
        rows += _curve_rows("weighted_km", km.at(_days(HORIZONS)),
                            lambda h, g: f"S_any({h:g} m) in the treated, {g}")
    for name, model, label in (("weighted_cox", "cox", "marginal log HR in the treated"),
                               ("weighted_fine_gray", "fine_gray",
                                "marginal log sHR in the treated")):
        if name in wanted:
            fit = kr.compare.weighted_hazard_ratio(df, treatment="arm", weights=w, model=model)
            rows += _coef_rows(name, fit.coef, {"treated": label})
    return rows


def estimate_missing(df: pd.DataFrame, seed: int) -> list[Row]:
    """Cox model with x multiply imputed, pooled (notebook 04 with ``multiple_imputation``)."""
    mf = ModelFrame(frame=df, covariates=["arm", "x"], n_dropped=0,
                    n_missing={"x": int(df["x"].isna().sum())}, pooled={}, constant=[],
                    imputed=True)
    fits = fit_hazard_models(mf, design={"imputations": MI_M, "seed": seed,  # type: ignore[arg-type]
                                         "imputation_model": "smcfcs"},
                             terms=["arm", "x"], competing=False)
    return _coef_rows("mi_cox", fits["csh"].table,
                      {"arm": "log HR, treated", "x": "log HR per SD of x"})


def estimate_wilson(rng: np.random.Generator, n: int) -> list[Row]:
    """The ladder's Wilson interval (summary report) of a proportion of ``n`` people; the SE
    column is the Wald SE :math:`\\sqrt{\\hat p(1 - \\hat p)/n}`."""
    rows: list[Row] = []
    for p in WILSON_P:
        x = int(rng.binomial(n, p))
        lo, hi = kr.compare.wilson(x, n)
        rows += _rows("wilson", [f"proportion {p:g}"], [x / n],
                      [np.sqrt(x / n * (1 - x / n) / n)], [lo], [hi])
    return rows


def replicate(i: int, *, n: int, seed: int, only: Sequence[str] = NAMES) -> list[Row]:
    """One replicate of every requested estimator; each DGM draws from its own stream
    (``SeedSequence([seed, i, k])``), so ``--only`` reproduces the rows of a full run."""
    wanted = set(only)

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([seed, i, k]))

    rows: list[Row] = []
    if wanted & {"km", "aj", "rmst", "cox"}:
        rows += estimate_trial(simulate_trial(rng(0), n), wanted)
    if "fine_gray" in wanted:
        rows += estimate_fine_gray(simulate_fine_gray(rng(1), n))
    if wanted & {"weighted_aj", "weighted_km", "weighted_cox", "weighted_fine_gray"}:
        rows += estimate_confounded(simulate_confounded(rng(2), n), wanted)
    if "mi_cox" in wanted:
        rows += estimate_missing(simulate_missing(rng(3), n), seed=seed * 100_003 + i)
    if "wilson" in wanted:
        rows += estimate_wilson(rng(4), n)
    for r in rows:
        r["replicate"] = i
    return rows


def _safe(i: int, **kwargs: object) -> list[Row]:
    try:
        return replicate(i, **kwargs)  # type: ignore[arg-type]
    except Exception as err:  # noqa: BLE001 (counted as a failed replicate, not hidden)
        return [{"replicate": i, "estimator": "failed", "estimand": repr(err)}]


def simulate(*, n_sim: int, n: int, seed: int, n_jobs: int = 1,
             only: Sequence[str] = NAMES) -> pd.DataFrame:
    """Every replicate's estimates, SEs and interval limits (one row per estimand)."""
    chunks = Parallel(n_jobs=n_jobs)(delayed(_safe)(i, n=n, seed=seed, only=tuple(only))
                                     for i in range(n_sim))
    return pd.DataFrame([r for chunk in chunks for r in chunk])


def summarise(runs: pd.DataFrame, truth: dict[tuple[str, str], float] | None = None
              ) -> pd.DataFrame:
    """Bias with its Monte Carlo SE, mean SE / empirical SD and coverage with its MC SE."""
    truth = truths() if truth is None else truth
    ok = runs[runs["estimator"] != "failed"]
    n_failed = int(runs.loc[runs["estimator"] == "failed", "replicate"].nunique())
    rows = []
    for (estimator, estimand), g in ok.groupby(["estimator", "estimand"], sort=False):
        true = truth[(str(estimator), str(estimand))]
        est = g["estimate"].to_numpy(dtype=float)
        k = len(est)
        sd = float(est.std(ddof=1))
        cover = float(np.mean((g["lower"] <= true) & (true <= g["upper"])))
        rows.append({
            "estimator": estimator, "estimand": estimand, "truth": true,
            "mean_estimate": float(est.mean()), "bias": float(est.mean() - true),
            "bias_mc_se": sd / np.sqrt(k), "mean_se": float(g["se"].mean()), "emp_sd": sd,
            "se_ratio": float(g["se"].mean()) / sd if sd > 0 else np.nan,
            "coverage": cover, "coverage_mc_se": float(np.sqrt(cover * (1 - cover) / k)),
            "n_sim": k, "n_failed": n_failed})
    table = pd.DataFrame(rows)
    order = {name: i for i, name in enumerate(NAMES)}
    return table.sort_values("estimator", key=lambda s: s.map(order), kind="stable",
                             ignore_index=True)


def exact_wilson_coverage(p: float, n: int) -> float:
    """The exact coverage of the Wilson interval (sum of the binomial probabilities of the
    counts whose interval contains ``p``)."""
    x = np.arange(n + 1)
    covers = np.array([lo <= p <= hi for lo, hi in (kr.compare.wilson(int(k), n) for k in x)])
    return float(stats.binom.pmf(x[covers], n, p).sum())


# --------------------------------------------------------------------------- output

@dataclass(frozen=True)
class Run:
    n_sim: int
    n: int
    seed: int
    seconds: float
    n_jobs: int


def markdown(table: pd.DataFrame, run: Run) -> str:
    """The results page (``coverage.md``)."""
    def f(v: float, d: int = 4) -> str:
        return "" if pd.isna(v) else f"{v:.{d}f}"

    lines = ["# Coverage of the intervals the notebooks show", "",
             f"{run.n_sim} replicates, n = {run.n} per arm, seed {run.seed}; 95 % intervals. "
             f"Acceptance: coverage within {BAND[0]:.2f}-{BAND[1]:.2f} and |bias| within 2 "
             "Monte Carlo SEs. Curves are probabilities, restricted means months, hazard "
             "ratios log HR (the interval is the log of the one shown). The data-generating "
             "mechanisms and how each true value is computed are in the docstring of "
             "`validation/coverage.py`.",
             f"kow_research {kr.__version__}; `python validation/coverage.py --n-sim "
             f"{run.n_sim} --n-per-arm {run.n} --seed {run.seed}`.", "",
             "| estimator | estimand | true value | mean estimate | bias | MC SE | mean SE / "
             "SD | coverage | MC SE | n_sim | within |", "|---|---|---|---|---|---|---|---|---|"
             "---|---|"]
    for _, r in table.iterrows():
        ok_cov = BAND[0] <= r["coverage"] <= BAND[1]
        ok_bias = abs(r["bias"]) <= 2 * r["bias_mc_se"]
        verdict = ("yes" if ok_cov and ok_bias else
                   ", ".join(s for s, bad in (("coverage", not ok_cov), ("bias", not ok_bias))
                             if bad) + " outside")
        lines.append(f"| {r['estimator']} | {r['estimand']} | {f(r['truth'])} | "
                     f"{f(r['mean_estimate'])} | {f(r['bias'])} | {f(r['bias_mc_se'])} | "
                     f"{f(r['mean_se'])} / {f(r['emp_sd'])} = {f(r['se_ratio'], 3)} | "
                     f"{f(r['coverage'], 3)} | {f(r['coverage_mc_se'], 3)} | {r['n_sim']} | "
                     f"{verdict} |")
    if "wilson" in set(table["estimator"]):
        exact = ", ".join(f"{exact_wilson_coverage(p, run.n):.4f} (p = {p:g})"
                          for p in WILSON_P)
        lines += ["", f"Exact coverage of the Wilson interval at n = {run.n}: {exact}."]
    n_failed = int(table["n_failed"].max()) if len(table) else 0
    lines += ["", f"Failed replicates: {n_failed}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=500)
    parser.add_argument("--n-per-arm", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--only", default=",".join(NAMES),
                        help=f"comma-separated subset of {', '.join(NAMES)}")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(NAMES))
    if unknown:
        parser.error(f"--only: unknown {unknown}; choose from {', '.join(NAMES)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    runs = simulate(n_sim=args.n_sim, n=args.n_per_arm, seed=args.seed, n_jobs=args.n_jobs,
                    only=only)
    table = summarise(runs)
    run = Run(args.n_sim, args.n_per_arm, args.seed, time.perf_counter() - started,
              args.n_jobs)
    table.to_csv(out / "coverage.csv", index=False, float_format="%.6g")
    text = markdown(table, run)
    (out / "coverage.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"({run.seconds:.0f} s on {run.n_jobs} jobs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
