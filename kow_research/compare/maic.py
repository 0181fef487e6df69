"""Matching-adjusted indirect comparison (MAIC): weight individual data to published
baseline moments of a comparator cohort."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import months_to, time_unit
from kow_research.compare.weighted import incidence_curve
from kow_research.core.checks import check_alpha
from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.core.results import Result, result_class
from kow_research.survival.design import design_matrix
from kow_research.survival.kernels import step_at

#: the moment conditions are met when the largest (standardised) gradient is below this
MAIC_TOL = 1e-12
#: damped Newton iterations before the targets are declared unreachable
MAIC_MAX_ITER = 200


def _targets(targets: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """Flatten targets into ``(column, "mean"|"sd", value)``."""
    out = []
    for name, spec in targets.items():
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"mean", "sd"}
            if unknown or "mean" not in spec:
                raise ValueError(f"target {name!r}: give {{'mean': m}} or {{'mean': m, 'sd': s}}, "
                                 f"got keys {sorted(spec)}")
            out.append((name, "mean", float(spec["mean"])))
            if "sd" in spec and spec["sd"] is not None:
                if float(spec["sd"]) <= 0:
                    raise ValueError(f"target {name!r}: sd must be > 0")
                out.append((name, "sd", float(spec["sd"])))
        else:
            out.append((name, "mean", float(spec)))
    return out


def maic_design(ipd: pd.DataFrame, targets: Mapping[str, Any],
                covariates: Sequence[str] | None = None
                ) -> tuple[np.ndarray, list[tuple[str, str, float]], np.ndarray]:
    """Centred moment matrix ``Z`` (one column per target), the flat targets and the raw
    columns; ``Z @ 1`` weighted to zero means the targets are met."""
    flat = _targets(targets)
    cols = list(covariates) if covariates is not None else sorted(
        {n.split("=")[0] for n, _, _ in flat if n.split("=")[0] in ipd.columns} |
        {n for n, _, _ in flat if n in ipd.columns})
    dm = design_matrix(ipd, cols, drop_first=False, allow_constant=True)
    x, names = dm.x, dm.names
    index = {n: j for j, n in enumerate(names)}
    z = np.empty((len(ipd), len(flat)))
    raw = np.empty((len(ipd), len(flat)))
    for k, (name, kind, value) in enumerate(flat):
        if name not in index:
            raise ValueError(f"target {name!r} is not a column of the IPD design; available: "
                             f"{names} (categorical levels as 'column=level')")
        v = x[:, index[name]]
        raw[:, k] = v
        if kind == "mean":
            z[:, k] = v - value
        else:
            mean = next(val for n, kd, val in flat if n == name and kd == "mean")
            z[:, k] = v ** 2 - (value ** 2 + mean ** 2)
    return z, flat, raw


def solve_maic(z: np.ndarray, tol: float = MAIC_TOL, max_iter: int = MAIC_MAX_ITER
               ) -> np.ndarray:
    r"""Minimise :math:`\log \sum_i \exp(z_i^\top a)` by damped Newton; returns ``a``.

    At the minimum :math:`\sum_i w_i z_i = 0` with :math:`w_i = \exp(z_i^\top a)`: the weighted
    moments equal the targets. Raises ``ValueError`` when the targets lie outside the range the
    IPD can reach (the minimum does not exist).
    """
    scale = z.std(axis=0)
    if np.any(scale == 0):
        raise ValueError("a target column is constant in the IPD; it cannot be matched")
    zs = z / scale
    a = np.zeros(z.shape[1])

    def obj(b: np.ndarray) -> float:
        e = zs @ b
        mx = e.max()
        return float(mx + np.log(np.exp(e - mx).sum()))

    for _ in range(max_iter):
        e = zs @ a
        p = np.exp(e - e.max())
        p /= p.sum()
        g = zs.T @ p
        if np.max(np.abs(g)) < tol:
            return a / scale
        hess = (zs * p[:, None]).T @ zs - np.outer(g, g)
        try:
            step = np.linalg.solve(hess + 1e-14 * np.eye(len(a)), g)
        except np.linalg.LinAlgError as exc:
            raise ValueError("MAIC moments are collinear (e.g. all levels of a categorical "
                             "covariate given); drop one target") from exc
        f0, s = obj(a), 1.0
        while obj(a - s * step) > f0 - 1e-4 * s * (g @ step) and s > 1e-10:
            s /= 2
        a = a - s * step
    raise ValueError("MAIC weights do not exist: the targets lie outside what the individual "
                     "data can be reweighted to (no IPD person beyond a target mean, or too "
                     "small an SD); check the targets and their definitions")


@result_class
class MaicResult(Result):
    """MAIC weights and diagnostics.

    Attributes
    ----------
    table : DataFrame
        Per target: ``covariate, statistic (mean/sd), target, before, after``, with ``after``
        equal to ``target`` to solver precision.
    weights : Series
        Rescaled weights (sum = n), indexed like the IPD.
    ess : float
        Effective sample size :math:`(\\sum w)^2/\\sum w^2`.
    coef : Series
        The method-of-moments coefficients.
    """

    table: pd.DataFrame
    weights: pd.Series
    ess: float
    coef: pd.Series
    n: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"MAIC weights to {len(self.table)} published moment(s): n = {self.n}, "
                f"effective sample size {self.ess:.1f}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]


def _moments(raw: np.ndarray, flat: list[tuple[str, str, float]], w: np.ndarray) -> np.ndarray:
    m = (w[:, None] * raw).sum(axis=0) / w.sum()
    out = m.copy()
    for k, (_, kind, _) in enumerate(flat):
        if kind == "sd":
            out[k] = np.sqrt(max((w * (raw[:, k] - m[k]) ** 2).sum() / w.sum(), 0.0))
    return out


@positional_deprecated("targets", "covariates")
def maic(ipd: pd.DataFrame, *, targets: Mapping[str, Any],
         covariates: Sequence[str] | None = None) -> MaicResult:
    r"""Matching-adjusted indirect comparison weights (Signorovitch et al. 2010).

    Weights :math:`w_i = \exp(z_i^\top \hat a)` with :math:`z_i` the IPD covariates centred at
    the published means (and :math:`x^2 - (\mathrm{sd}^2 + \mathrm{mean}^2)` for published SDs),
    :math:`\hat a = \arg\min_a \sum_i \exp(z_i^\top a)` (method of moments; the dual of entropy
    balancing), so that

    .. math::

        \frac{\sum_i w_i x_i}{\sum_i w_i} = \bar x_{\text{target}},\qquad
        \frac{\sum_i w_i x_i^2}{\sum_i w_i} = \mathrm{sd}^2_{\text{target}} +
        \bar x^2_{\text{target}}

    exactly. The SD is matched as the weighted population SD (divisor :math:`\sum w`).
    Weights are rescaled to sum to n; effective sample size :math:`(\sum w)^2 / \sum w^2`.

    Parameters
    ----------
    ipd : DataFrame
        Individual data of our cohort (no missing values in the matched columns).
    targets : mapping
        ``{"age": {"mean": 35, "sd": 10}, "smi": 0.95, "sex=female": 0.35}``: a number is a
        mean (a proportion for 0/1 columns and ``column=level`` indicators).
    covariates : sequence of str, optional
        Source columns (default: inferred from the target names).

    Returns
    -------
    MaicResult
        ``table`` (per target: ``covariate, statistic, target, before, after``), the
        ``weights`` (indexed like ``ipd``), ``ess`` and ``coef``.

    Raises
    ------
    ValueError
        When the targets lie outside what the IPD can be reweighted to, or a target column
        is constant or not in the IPD.

    References
    ----------
    Signorovitch JE, Wu EQ, Yu AP, et al. (2010). Comparative effectiveness without head-to-head
    trials: a method for matching-adjusted indirect comparisons applied to psoriasis treatment
    with adalimumab or etanercept. Pharmacoeconomics 28:935-945. Phillippo DM, Ades AE, Dias S,
    Palmer S, Abrams KR, Welton NJ (2016). NICE DSU Technical Support Document 18. Hainmueller J
    (2012). Entropy balancing. Political Analysis 20:25-46.

    Examples
    --------
    Half of our four people have ``x = 1``, the published cohort 75 %: the two with ``x = 1``
    get three times the weight of the others (3w / (3w + w) = 0.75), rescaled to sum to 4:

    >>> ipd = pd.DataFrame({"x": [0, 0, 1, 1]})
    >>> m = maic(ipd, targets={"x": 0.75})
    >>> m.weights.round(6).tolist()
    [0.5, 0.5, 1.5, 1.5]
    >>> round(m.ess, 6)                        # 4**2 / (2 * 0.25 + 2 * 2.25)
    3.2
    >>> m.table[["before", "after"]].round(6).values.tolist()
    [[0.5, 0.75]]
    """
    z, flat, raw = maic_design(ipd, targets, covariates)
    a = solve_maic(z)
    e = z @ a
    w = np.exp(e - e.max())
    w = w * len(w) / w.sum()
    table = pd.DataFrame({"covariate": [n for n, _, _ in flat],
                          "statistic": [k for _, k, _ in flat],
                          "target": [v for _, _, v in flat],
                          "before": _moments(raw, flat, np.ones(len(w))),
                          "after": _moments(raw, flat, w)})
    return MaicResult(table=table, weights=pd.Series(w, index=ipd.index, name="weight"),
                      ess=float(w.sum() ** 2 / np.sum(w ** 2)),
                      coef=pd.Series(a, index=[f"{n}:{k}" for n, k, _ in flat], name="coef"),
                      n=len(w), attrs={**outcome_meta(ipd).result_attrs(),
                                       "targets": dict(targets),
                                       "method": "method of moments (Signorovitch 2010)"})


@positional_deprecated("targets", "covariates", "duration", "event", "cause", "horizons_months",
                       "published", "n_boot", "seed", "unit", "alpha")
def maic_risk(ipd: pd.DataFrame, *, targets: Mapping[str, Any],
              covariates: Sequence[str] | None = None, duration: str = "time",
              event: str = "event", cause: int = 1, horizons_months: Sequence[float] = (12,),
              published: Mapping[float, float] | None = None, n_boot: int = 1000,
              seed: int | None = None, unit: str | None = None,
              alpha: float = 0.05) -> pd.DataFrame:
    r"""MAIC-weighted risk of ``cause`` by each horizon, with bootstrap CIs, and the comparison
    with published risks of the comparator.

    Each replicate resamples the IPD persons, re-solves the MAIC weights of :func:`maic` and
    recomputes the weighted Aalen-Johansen risk

    .. math::

        \hat F_k(h) = \sum_{t_j \le h} \hat S(t_{j-1})\,\frac{d^w_{kj}}{n^w_j},

    with :math:`d^w_{kj}` the weighted events of cause :math:`k` and :math:`n^w_j` the weighted
    number at risk at :math:`t_j` (:math:`1 - \hat S_{KM}` without competing events). The
    published figures are treated as fixed (their own sampling error is not included: widen by
    hand when it matters).

    Parameters
    ----------
    ipd : DataFrame
        Individual data of our cohort: the outcome and the matched columns.
    targets : mapping
        Published moments, as in :func:`maic`.
    covariates : sequence of str, optional
        Source columns (default: inferred from the target names).
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, ``cause`` the event, other codes competing.
    cause : int, default 1
        Event code of interest.
    horizons_months : sequence of float, default (12,)
        Horizons of the risks, in months.
    published : mapping of float to float, optional
        The comparator's published risk per horizon (months → risk); without it the difference
        and ratio rows are NaN.
    n_boot : int, default 1000
        Bootstrap replicates (0 or 1: no intervals).
    seed : int, optional
        Seed of the replicates.
    unit : {"days", "weeks", "months"}, optional
        Unit of ``duration`` (default: the outcome definition's, else days).
    alpha : float, default 0.05
        1 - confidence level of the percentile intervals.

    Returns
    -------
    DataFrame
        ``horizon_months, measure (risk_unweighted, risk_maic, difference, ratio), estimate,
        se, lower, upper``; difference and ratio are ours minus / over the published figure.

    References
    ----------
    Signorovitch JE, Wu EQ, Yu AP, et al. (2010). Pharmacoeconomics 28:935-945. Phillippo DM,
    Ades AE, Dias S, Palmer S, Abrams KR, Welton NJ (2016). NICE DSU Technical Support
    Document 18. Aalen OO, Johansen S (1978). Scand J Stat 5:141-150.

    Examples
    --------
    The weights of the :func:`maic` example (1 for ``x = 0``, 3 for ``x = 1``, up to scale); by 6
    months the events are at 2 and 5 months (both ``x = 0``), the censoring at 3:

    >>> ipd = pd.DataFrame({"x": [0, 0, 1, 1], "time": [2, 5, 3, 8], "event": [1, 1, 0, 1]})
    >>> out = maic_risk(ipd, targets={"x": 0.75}, horizons_months=(6,), published={6: 0.30},
    ...                 n_boot=0, unit="months")
    >>> out.set_index("measure")["estimate"].round(4).to_dict()
    {'risk_unweighted': 0.625, 'risk_maic': 0.3438, 'difference': 0.0438, 'ratio': 1.1458}

    Unweighted :math:`1 - (3/4)(1/2) = 0.625`; weighted :math:`1 - (7/8)(3/4) = 11/32 =
    0.3438` (weight 1 of 8 at risk at 2 months, 1 of 4 at 5); 0.3438 - 0.30 and 0.3438 / 0.30.
    """
    alpha = check_alpha(alpha)
    u = time_unit(ipd, unit)
    h = months_to(horizons_months, unit=u)
    z, _, _ = maic_design(ipd, targets, covariates)
    time = pd.to_numeric(ipd[duration]).to_numpy(dtype=float)
    ev = pd.to_numeric(ipd[event]).to_numpy(dtype=np.int64)
    pub = np.array([np.nan if published is None else published.get(float(m), published.get(
        m, np.nan)) for m in horizons_months], dtype=float)

    def one(idx: np.ndarray) -> np.ndarray:
        a = solve_maic(z[idx])
        w = np.exp(z[idx] @ a - (z[idx] @ a).max())
        ut, f = incidence_curve(time[idx], ev[idx], w, cause)
        risk = np.where(h <= ut[-1], step_at(ut, f, h), np.nan)
        ut0, f0 = incidence_curve(time[idx], ev[idx], np.ones(len(idx)), cause)
        raw = np.where(h <= ut0[-1], step_at(ut0, f0, h), np.nan)
        return np.concatenate([raw, risk, risk - pub, risk / pub])

    point = one(np.arange(len(time)))
    rng = np.random.default_rng(seed)
    reps = []
    for _ in range(n_boot):
        try:
            reps.append(one(rng.integers(0, len(time), len(time))))
        except ValueError:
            reps.append(np.full(len(point), np.nan))
    r = np.array(reps) if reps else np.full((0, len(point)), np.nan)
    with np.errstate(invalid="ignore"):
        se = np.nanstd(r, axis=0, ddof=1) if n_boot > 1 else np.full(len(point), np.nan)
        q = (np.nanquantile(r, [alpha / 2, 1 - alpha / 2], axis=0) if n_boot > 1
             else np.full((2, len(point)), np.nan))
    k = len(h)
    measures = np.repeat(["risk_unweighted", "risk_maic", "difference", "ratio"], k)
    out = pd.DataFrame({"horizon_months": np.tile(np.asarray(horizons_months, float), 4),
                        "measure": measures, "estimate": point, "se": se, "lower": q[0],
                        "upper": q[1]})
    out.attrs = {**outcome_meta(ipd).result_attrs(), "n_boot": n_boot, "seed": seed,
                 "alpha": alpha,
                 "published": None if published is None else dict(published),
                 "note": "published figures treated as fixed"}
    return out
