"""Weighted outcome analyses of two cohorts: curves, hazard models, risks at fixed horizons
and restricted mean times (the point estimates; :mod:`bootstrap` adds the intervals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import (
    as_weights,
    control_level,
    months_to,
    plain,
    time_unit,
    treatment_indicator,
)
from kow_research.core.checks import check_alpha, check_choice, check_columns
from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.survival import cox, cumulative_incidence, fine_gray, kaplan_meier
from kow_research.survival.kernels import (
    AJCurve,
    aalen_johansen,
    aj_integral_se,
    integrate_step,
    step_at,
)
from kow_research.survival.results import CurveResult, RegressionResult

GROUP = "_group"
WEIGHT = "_weight"
#: what the restricted-mean rows of the effect tables estimate (the ``event_free_competing``
#: estimand of :func:`kow_research.survival.rmst`)
EVENT_FREE_TIME = ("restricted mean time free of the event up to tau, other causes competing "
                   "(tau minus the time lost to the event; Aalen-Johansen)")


def incidence_curve(time: np.ndarray, event: np.ndarray, weight: np.ndarray,
                    cause: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Weighted Aalen–Johansen cumulative incidence of ``cause`` at every distinct time (no
    variance): the per-replicate work of the bootstrap, through the kernel layer's
    :func:`~kow_research.survival.kernels.aalen_johansen`.

    Without competing events this is :math:`1 - \hat S_{KM}`.

    Parameters
    ----------
    time : ndarray
        Follow-up times.
    event : ndarray
        Event codes: 0 censored, 1, 2, ... causes.
    weight : ndarray
        Case weights (> 0).
    cause : int
        The event of interest; other codes > 0 compete.

    Returns
    -------
    (times, incidence) : (ndarray, ndarray)
        The distinct times and :math:`\hat F_k` just after each.

    Examples
    --------
    Three people: cause 1 at 1 (1/3), the competing cause at 2, cause 1 at 3 (the one left:
    1/3 + 1/3):

    >>> t, f = incidence_curve(np.array([1.0, 2, 3]), np.array([1, 2, 1]), np.ones(3), 1)
    >>> t.tolist(), f.round(4).tolist()
    ([1.0, 2.0, 3.0], [0.3333, 0.3333, 0.6667])
    """
    curve = _curve(time, event, weight, cause, variance=False)
    return curve.time, curve.estimate


def _curve(time: np.ndarray, event: np.ndarray, weight: np.ndarray, cause: int,
           variance: bool) -> AJCurve:
    """Weighted Aalen–Johansen curve of ``cause`` (the causes present compete)."""
    causes = tuple(int(c) for c in np.unique(event[event > 0])) or (cause,)
    if cause not in causes:
        causes = tuple(sorted((*causes, cause)))
    return aalen_johansen(time, event, weight, causes, cause, variance=variance)


#: relative slack of :func:`beyond_follow_up` (a horizon in months converted to days and back
#: can exceed the last time by an ulp: 123 days -> 4.041 months -> 123.00000000000001 days)
FOLLOW_UP_RTOL = 1e-9


def beyond_follow_up(horizon: Any, last: float) -> Any:
    """Whether ``horizon`` lies beyond the last follow-up time ``last`` (with a relative slack
    of :data:`FOLLOW_UP_RTOL` for rounding).

    Parameters
    ----------
    horizon : float or ndarray
        Horizon(s), in the unit of ``last``.
    last : float
        Last observed time.

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> bool(beyond_follow_up(123.00000000000001, 123.0)), bool(beyond_follow_up(124, 123.0))
    (False, True)
    """
    return np.asarray(horizon) > last + FOLLOW_UP_RTOL * max(1.0, abs(last))


def effect_kernel(time: np.ndarray, event: np.ndarray, t: np.ndarray, w: np.ndarray,
                  cause: int, horizons: np.ndarray, tau: float) -> np.ndarray:
    """Risks by the horizons, their difference and ratio, and restricted mean times free of
    the event (other causes competing) with their difference (treated minus control), as one
    flat vector.

    Layout: ``risk1[h], risk0[h], rd[h], rr[h], eft1, eft0, eft_diff``. A risk at a horizon
    beyond a group's last observed time is NaN (no extrapolation); so is the restricted mean
    when ``tau`` lies beyond it.
    """
    out = []
    rm = []
    for g in (1.0, 0.0):
        sel = (t == g) & (w > 0)
        ut, f = incidence_curve(time[sel], event[sel], w[sel], cause)
        r = step_at(ut, f, horizons)
        last = ut[-1] if len(ut) else -np.inf
        out.append(np.where(~beyond_follow_up(horizons, last), r, np.nan))
        rm.append(tau - integrate_step(ut, f, tau) if not beyond_follow_up(tau, last)
                  else np.nan)
    r1, r0 = out
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = r1 / r0
    return np.concatenate([r1, r0, r1 - r0, rr, [rm[0], rm[1], rm[0] - rm[1]]])


def effect_se_kernel(time: np.ndarray, event: np.ndarray, t: np.ndarray, w: np.ndarray,
                     cause: int, horizons: np.ndarray, tau: float) -> np.ndarray:
    r"""Standard errors of the per-cohort estimates of :func:`effect_kernel` with the weights
    held fixed: the infinitesimal jackknife of the weighted Aalen–Johansen risks and of the
    restricted mean event-free time (R ``survfit(..., weights = w, id = id)``'s robust SE).

    Used by the studentized (bootstrap-t) intervals of
    :func:`~kow_research.compare.compare_outcomes`, which divide every replicate's deviation
    by its own SE; the uncertainty of estimated weights enters through the replicates.

    Parameters
    ----------
    time, event, t, w, cause, horizons, tau
        As for :func:`effect_kernel`.

    Returns
    -------
    ndarray
        The layout of :func:`effect_kernel`; NaN at the contrasts (``rd``, ``rr``,
        ``eft_diff``) and where the estimate is NaN.

    Examples
    --------
    Two people per cohort, no censoring: the risk by time 2 in the treated is 1/2 with IJ SE
    :math:`\sqrt{2 \cdot (1/4)^2} = 0.3536` (as a binomial SE with :math:`n` in the
    denominator):

    >>> se = effect_se_kernel(np.array([1.0, 3, 2, 3]), np.array([1, 0, 1, 1]),
    ...                       np.array([1, 1, 0, 0]), np.ones(4), 1, np.array([2.0]), 2.0)
    >>> se.round(4).tolist()[:2]
    [0.3536, 0.3536]
    """
    out, rm = [], []
    for g in (1.0, 0.0):
        sel = (t == g) & (w > 0)
        curve = _curve(time[sel], event[sel], w[sel], cause, variance=True)
        last = curve.time[-1] if len(curve.time) else -np.inf
        se = step_at(curve.time, curve.se, horizons) if curve.se is not None else horizons * 0
        out.append(np.where(~beyond_follow_up(horizons, last), se, np.nan))
        rm.append(aj_integral_se(curve, w[sel], tau) if not beyond_follow_up(tau, last)
                  else np.nan)
    nan = np.full(len(horizons), np.nan)
    return np.concatenate([out[0], out[1], nan, nan, [rm[0], rm[1], np.nan]])


def effect_labels(horizons_months: Sequence[float]) -> pd.DataFrame:
    """Row labels (``measure``, ``horizon_months``) matching :func:`effect_kernel`."""
    rows = []
    for measure in ("risk_treated", "risk_control", "risk_difference", "risk_ratio"):
        rows += [(measure, float(h)) for h in horizons_months]
    rows += [("event_free_time_treated", np.nan), ("event_free_time_control", np.nan),
             ("event_free_time_difference", np.nan)]
    return pd.DataFrame(rows, columns=["measure", "horizon_months"])


def _frame(df: pd.DataFrame, treatment: str, weights: Any, treated: Any, duration: str,
           event: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Working frame with a labelled group and a positive weight column (weight-0 rows, e.g.
    trimmed persons, are excluded and counted)."""
    t = treatment_indicator(df, treatment, treated)
    w = as_weights(weights, df)
    check_columns(df, [duration, event])
    work = plain(df, [duration, event])
    label_t = str(treated) if treated is not None else "treated"
    label_c = control_level(df, treatment, treated)
    work[GROUP] = pd.Categorical(np.where(t == 1, label_t, label_c),
                                 categories=[label_c, label_t])
    work[WEIGHT] = w
    keep = w > 0
    info = {**outcome_meta(df).result_attrs(), "n_excluded_zero_weight": int((~keep).sum()),
            "weighted": weights is not None, "treated_level": label_t, "control_level": label_c}
    return work[keep], info


@positional_deprecated("treatment", "weights", "treated", "duration", "event", "cause", "kind",
                       "alpha")
def weighted_curves(df: pd.DataFrame, *, treatment: str, treated: Any = None,
                    weights: Any = None, duration: str = "time", event: str = "event",
                    cause: int = 1, kind: str = "cumulative_incidence",
                    alpha: float = 0.05) -> CurveResult:
    r"""Weighted Kaplan-Meier (``kind="survival"``) or Aalen-Johansen (``"cumulative_incidence"``)
    curves per group.

    A thin call into :func:`kow_research.survival.kaplan_meier` /
    :func:`~kow_research.survival.cumulative_incidence` with case weights :math:`w_i`:

    .. math::

        \hat S(t) = \prod_{t_j \le t}\Bigl(1 - \frac{d^w_j}{n^w_j}\Bigr),\qquad
        \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1})\,\frac{d^w_{kj}}{n^w_j},

    with :math:`d^w_j = \sum_{i: t_i = t_j} w_i \delta_i` and :math:`n^w_j = \sum_{i: t_i \ge
    t_j} w_i` per group. Estimates equal R ``survfit(..., weights = w)``. The SE of the weighted
    AJ curve is the infinitesimal jackknife, as ``survfit``; the KM SE is Greenwood with
    weighted counts, whereas ``survfit`` with non-integer weights reports the infinitesimal
    jackknife: for that SE use ``kind="cumulative_incidence"`` with the other causes recoded as
    censored (1 - KM, same SE; tested). Neither treats the weights as estimated: use
    :func:`compare_outcomes` for bootstrap intervals that do.

    Parameters
    ----------
    df : DataFrame
        One row per person with ``treatment``, ``duration`` and ``event``.
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    weights : str or array_like, optional
        Case weights: a column name or one value per row (e.g. ``ps.weights`` of
        :func:`~kow_research.compare.propensity`); persons with weight 0 (trimmed) are left out
        and counted in ``attrs["n_excluded_zero_weight"]``. None: unweighted.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, 1, 2, ... causes.
    cause : int, default 1
        The event the curves are about.
    kind : {"survival", "cumulative_incidence"}, default "cumulative_incidence"
        Kaplan-Meier survival (other causes censored) or Aalen-Johansen cumulative incidence
        (other causes competing).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    CurveResult
        Grouped by the labels of ``treatment``; ``attrs`` record the weighting and the number of
        persons excluded for weight 0.

    References
    ----------
    Kaplan EL, Meier P (1958). JASA 53:457-481. Aalen OO, Johansen S (1978). Scand J Stat
    5:141-150. Therneau TM, survival (R package), ``survfit`` with case weights.

    Examples
    --------
    >>> d = pd.DataFrame({"arm": [1, 1, 1, 1, 0, 0, 0, 0],
    ...                   "time": [2, 5, 8, 14, 3, 9, 13, 20],
    ...                   "event": [1, 1, 0, 1, 1, 0, 1, 0]})
    >>> km = weighted_curves(d, treatment="arm", kind="survival")
    >>> km.at([6])[["group", "estimate"]].values.tolist()   # control 3/4; treated 3/4 * 2/3
    [['control', 0.75], ['treated', 0.5]]

    Weighting the first control 3 times: at 3 months 3 of 6 at risk (weighted) have the event:

    >>> w = [1, 1, 1, 1, 3, 1, 1, 1]
    >>> km = weighted_curves(d, treatment="arm", weights=w, kind="survival")
    >>> km.at([6])[["group", "estimate"]].values.tolist()
    [['control', 0.5], ['treated', 0.5]]
    """
    check_choice("kind", kind, ("survival", "cumulative_incidence"))
    alpha = check_alpha(alpha)
    work, info = _frame(df, treatment, weights, treated, duration, event)
    if kind == "survival":
        res = kaplan_meier(work, duration=duration, event=event, cause=cause, by=GROUP,
                           weights=WEIGHT, alpha=alpha)
    else:
        res = cumulative_incidence(work, duration=duration, event=event, cause=cause, by=GROUP,
                                   weights=WEIGHT, alpha=alpha)
    res.attrs.update(info)
    return res


@positional_deprecated("treatment", "weights", "treated", "duration", "event", "cause",
                       "model", "covariates", "alpha")
def weighted_hazard_ratio(df: pd.DataFrame, *, treatment: str, treated: Any = None,
                          weights: Any = None, duration: str = "time", event: str = "event",
                          cause: int = 1, model: str = "cox", covariates: Sequence[str] = (),
                          alpha: float = 0.05) -> RegressionResult:
    r"""Weighted cause-specific Cox (``model="cox"``) or Fine-Gray (``"fine_gray"``) hazard
    ratio of treated versus control, with the robust (sandwich) standard error.

    .. math::

        \lambda_k(t \mid T) = \lambda_{k0}(t)\exp(\beta T)

    fitted by weighted partial likelihood; :math:`e^\beta` is a marginal hazard ratio in the
    weighted population. The robust SE (Lin & Wei 1989) is conservative for IPTW with an
    estimated propensity score (Austin 2016); the bootstrap of :func:`compare_outcomes` is the
    alternative. ``covariates`` may add baseline columns (doubly robust adjustment).

    Parameters
    ----------
    df : DataFrame
        One row per person with ``treatment``, ``duration``, ``event`` and the covariates.
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    weights : str or array_like, optional
        Case weights: a column name or one value per row (e.g. ``ps.weights`` of
        :func:`~kow_research.compare.propensity`); persons with weight 0 (trimmed) are left
        out. None: unweighted (still the robust SE).
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, 1, 2, ... causes.
    cause : int, default 1
        The event modelled; other causes are censored (Cox) or competing (Fine-Gray).
    model : {"cox", "fine_gray"}, default "cox"
        Cause-specific hazard or subdistribution hazard.
    covariates : sequence of str, default ()
        Baseline columns added to the model beside the treatment indicator.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    RegressionResult
        ``coef`` (the package's coefficient schema, ``scale`` the hazard ratio) with the term
        ``treated`` first; ``attrs`` record the weighting.

    References
    ----------
    Lin DY, Wei LJ (1989). The robust inference for the Cox proportional hazards model. JASA
    84:1074-1078. Fine JP, Gray RJ (1999). JASA 94:496-509. Austin PC (2016). Variance
    estimation when using inverse probability of treatment weighting (IPTW) with survival
    analysis. Stat Med 35:5642-5655.

    Examples
    --------
    Four people, events at 1 (treated) and 2 (control), two censored at 3. The partial
    likelihood :math:`\frac{u}{2u + 2}\cdot\frac{1}{u + 2}` (:math:`u = e^\beta`) is largest at
    :math:`u^2 = 2`:

    >>> d = pd.DataFrame({"arm": [1, 0, 1, 0], "time": [1, 2, 3, 3], "event": [1, 1, 0, 0],
    ...                   "w": [1, 1, 2, 2]})
    >>> round(float(weighted_hazard_ratio(d, treatment="arm").coef.loc["treated", "hr"]), 4)
    1.4142

    With the censored pair weighted 2, :math:`\frac{u}{3u + 3}\cdot\frac{1}{2u + 3}` is largest
    at :math:`u^2 = 1.5`:

    >>> fit = weighted_hazard_ratio(d, treatment="arm", weights="w")
    >>> round(float(fit.coef.loc["treated", "hr"]), 4)
    1.2247
    """
    check_choice("model", model, ("cox", "fine_gray"))
    alpha = check_alpha(alpha)
    work, info = _frame(df, treatment, weights, treated, duration, event)
    work["treated"] = (work[GROUP] == info["treated_level"]).astype(float)
    for c in covariates:
        work[c] = df.loc[work.index, c]
    terms = ["treated", *covariates]
    if model == "cox":
        res = cox(work, duration=duration, event=event, covariates=terms, cause=cause,
                  weights=WEIGHT, robust=True, alpha=alpha)
    else:
        res = fine_gray(work, duration=duration, event=event, covariates=terms, cause=cause,
                        weights=WEIGHT, alpha=alpha)
    res.attrs.update(info)
    return res


@positional_deprecated("treatment", "weights", "treated", "duration", "event", "cause",
                       "horizons_months", "tau_months", "unit")
def horizon_effects(df: pd.DataFrame, *, treatment: str, treated: Any = None,
                    weights: Any = None, duration: str = "time", event: str = "event",
                    cause: int = 1, horizons_months: Sequence[float] = (12, 18, 30),
                    tau_months: float = 12, unit: str | None = None) -> pd.DataFrame:
    r"""Point estimates of the (weighted) risk of ``cause`` by each horizon per group, the risk
    difference and ratio (treated vs control), and the restricted mean event-free time up to
    ``tau_months`` with its difference.

    .. math::

        \mathrm{RD}(h) = \hat F_{k,1}(h) - \hat F_{k,0}(h),\quad
        \mathrm{RR}(h) = \hat F_{k,1}(h)/\hat F_{k,0}(h),\quad
        \mathrm{EFT}_g = \int_0^{\tau} \{1 - \hat F_{k,g}(t)\}\,dt

    with the weighted Aalen-Johansen :math:`\hat F_k` (= 1 - KM without competing events); the
    restricted mean rows (``event_free_time_*``) are the ``event_free_competing`` estimand of
    :func:`kow_research.survival.rmst`. Horizons beyond a group's follow-up give NaN.

    Parameters
    ----------
    df : DataFrame
        One row per person with ``treatment``, ``duration`` and ``event``.
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    weights : str or array_like, optional
        Case weights: a column name or one value per row (e.g. ``ps.weights`` of
        :func:`~kow_research.compare.propensity`); weight 0 leaves a person out. None:
        unweighted.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, ``cause`` the event, other codes competing.
    cause : int, default 1
        Event code of interest (paid work).
    horizons_months : sequence of float, default (12, 18, 30)
        Horizons of the risks, in months.
    tau_months : float, default 12
        Horizon of the restricted mean event-free time, in months.
    unit : {"days", "weeks", "months"}, optional
        Unit of ``duration`` (default: the outcome definition's, else days).

    Returns
    -------
    DataFrame
        ``measure, horizon_months, estimate``: ``risk_treated``, ``risk_control``,
        ``risk_difference``, ``risk_ratio`` per horizon, then ``event_free_time_treated``,
        ``event_free_time_control`` and ``event_free_time_difference`` (in the unit of
        ``duration``); ``attrs`` hold the definition, weighting and unit.

    References
    ----------
    Aalen OO, Johansen S (1978). Scand J Stat 5:141-150. Andersen PK (2013). Decomposition of
    number of life years lost according to causes of death. Stat Med 32:5278-5285.

    Examples
    --------
    Times in months, no competing events. By 12 months the treated curve is
    :math:`(3/4)(2/3) = 1/2`, the control curve :math:`3/4`; the areas under them up to 12 are
    :math:`2 + 3 \cdot 0.75 + 7 \cdot 0.5 = 7.75` and :math:`3 + 9 \cdot 0.75 = 9.75`:

    >>> d = pd.DataFrame({"arm": [1, 1, 1, 1, 0, 0, 0, 0],
    ...                   "time": [2, 5, 8, 14, 3, 9, 13, 20],
    ...                   "event": [1, 1, 0, 1, 1, 0, 1, 0]})
    >>> horizon_effects(d, treatment="arm", horizons_months=(12,), tau_months=12, unit="months")
                          measure  horizon_months  estimate
    0                risk_treated            12.0      0.50
    1                risk_control            12.0      0.25
    2             risk_difference            12.0      0.25
    3                  risk_ratio            12.0      2.00
    4     event_free_time_treated             NaN      7.75
    5     event_free_time_control             NaN      9.75
    6  event_free_time_difference             NaN     -2.00
    """
    work, info = _frame(df, treatment, weights, treated, duration, event)
    u = time_unit(df, unit)
    h = months_to(horizons_months, unit=u)
    tau = float(months_to(tau_months, unit=u))
    t = (work[GROUP] == info["treated_level"]).to_numpy(dtype=float)
    est = effect_kernel(work[duration].to_numpy(dtype=float),
                        work[event].to_numpy(dtype=np.int64), t, work[WEIGHT].to_numpy(),
                        cause, h, tau)
    out = effect_labels(horizons_months)
    out["estimate"] = est
    out.attrs = {**info, "unit": u, "tau_months": tau_months, "event_free_time": EVENT_FREE_TIME}
    return out


#: kinds of outcome of :func:`kow_research.compare.compare_outcomes`
OUTCOME_TYPES = ("auto", "continuous", "binary")


def outcome_values(df: pd.DataFrame, outcome: str, outcome_type: str = "auto"
                   ) -> tuple[np.ndarray, str]:
    """The outcome column as floats and its kind (``"continuous"`` or ``"binary"``).

    ``"auto"`` calls a boolean column, or a numeric one whose values are all 0 or 1, binary,
    any other numeric column continuous.

    Parameters
    ----------
    df : DataFrame
        The frame holding ``outcome``.
    outcome : str
        Column name.
    outcome_type : {"auto", "continuous", "binary"}, default "auto"
        The kind, or ``"auto"`` to infer it.

    Returns
    -------
    (values, kind) : (ndarray, str)

    Raises
    ------
    ValueError
        The column is missing, not numeric or boolean (naming a value), has missing values
        (naming how many and the first row), or is declared binary with values other than
        0/1.

    Examples
    --------
    >>> d = pd.DataFrame({"hours": [0, 12.5, 20], "job": [True, False, True]})
    >>> outcome_values(d, "hours")[1], outcome_values(d, "job")
    ('continuous', (array([1., 0., 1.]), 'binary'))
    """
    check_choice("outcome_type", outcome_type, OUTCOME_TYPES)
    if outcome not in df.columns:
        raise ValueError(f"outcome column {outcome!r} not found; columns are "
                         f"{list(map(str, df.columns))}")
    col = df[outcome]
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        bad = next((v for v in col.dropna()
                    if not isinstance(v, (int, float, bool, np.number, np.bool_))),
                   col.dropna().iloc[0] if col.notna().any() else None)
        raise ValueError(f"outcome column {outcome!r} must be numeric (a continuous outcome) or "
                         f"boolean/0-1 (a binary one), got dtype {col.dtype} with value "
                         f"{bad!r}; convert it first (e.g. df[{outcome!r}] == 'yes')")
    if col.isna().any():
        first = col.index[col.isna()][0]
        raise ValueError(f"outcome column {outcome!r} has {int(col.isna().sum())} missing "
                         f"value(s), first in row {first}; impute them or drop those rows "
                         "(see kow_research.missing)")
    y = col.to_numpy(dtype=float)
    is01 = bool(np.isin(y, (0.0, 1.0)).all())
    if outcome_type == "binary" and not is01:
        bad = y[~np.isin(y, (0.0, 1.0))][0]
        raise ValueError(f"outcome column {outcome!r} is declared binary but has value "
                         f"{bad:g}; a binary outcome is boolean or 0/1")
    kind = outcome_type if outcome_type != "auto" else "binary" if is01 else "continuous"
    return y, kind


def mean_kernel(y: np.ndarray, t: np.ndarray, w: np.ndarray, binary: bool) -> np.ndarray:
    r"""Weighted means per group and their difference (treated minus control); for a binary
    outcome the risks, the risk difference and the risk ratio.

    .. math::

        \bar y_g = \frac{\sum_{i \in g} w_i y_i}{\sum_{i \in g} w_i}

    Layout: ``mean1, mean0, mean1 - mean0`` (continuous) or ``risk1, risk0, risk1 - risk0,
    risk1 / risk0`` (binary). Persons with weight 0 do not count.

    Parameters
    ----------
    y : ndarray
        Outcome values (0/1 when ``binary``).
    t : ndarray
        1 treated, 0 control.
    w : ndarray
        Weights (>= 0).
    binary : bool
        Add the ratio.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> y = np.array([10.0, 20, 30, 5, 15])
    >>> t = np.array([1, 1, 1, 0, 0])
    >>> mean_kernel(y, t, np.array([1.0, 1, 2, 3, 1]), binary=False).tolist()  # 22.5 - 7.5
    [22.5, 7.5, 15.0]
    """
    means = []
    for g in (1, 0):
        sel = (t == g) & (w > 0)
        means.append(float(np.sum(w[sel] * y[sel]) / np.sum(w[sel])) if sel.any() else np.nan)
    m1, m0 = means
    if not binary:
        return np.array([m1, m0, m1 - m0])
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = np.float64(m1) / np.float64(m0)
    return np.array([m1, m0, m1 - m0, rr])


def mean_se_kernel(y: np.ndarray, t: np.ndarray, w: np.ndarray, binary: bool) -> np.ndarray:
    r"""Standard errors of the per-cohort weighted means of :func:`mean_kernel` with the
    weights held fixed (infinitesimal jackknife, the sandwich SE of a weighted mean):

    .. math::

        \widehat{\mathrm{se}}(\bar y_g) = \frac{\sqrt{\sum_{i \in g} w_i^2
        (y_i - \bar y_g)^2}}{\sum_{i \in g} w_i}

    Parameters
    ----------
    y, t, w, binary
        As for :func:`mean_kernel`.

    Returns
    -------
    ndarray
        The layout of :func:`mean_kernel`; NaN at the difference (and the ratio).

    Examples
    --------
    >>> y = np.array([10.0, 20, 30, 5, 15])
    >>> t = np.array([1, 1, 1, 0, 0])
    >>> mean_se_kernel(y, t, np.ones(5), binary=False).round(4).tolist()[:2]  # sqrt(200)/3
    [4.714, 3.5355]
    """
    ses = []
    for g in (1, 0):
        sel = (t == g) & (w > 0)
        if not sel.any():
            ses.append(np.nan)
            continue
        wg, yg = w[sel], y[sel]
        m = np.sum(wg * yg) / np.sum(wg)
        ses.append(float(np.sqrt(np.sum(wg ** 2 * (yg - m) ** 2)) / np.sum(wg)))
    return np.array([*ses, np.nan] + ([np.nan] if binary else []))


def mean_labels(binary: bool) -> pd.DataFrame:
    """Row labels (``measure``, ``horizon_months`` = NaN) matching :func:`mean_kernel`."""
    measures = (["risk_treated", "risk_control", "risk_difference", "risk_ratio"] if binary
                else ["mean_treated", "mean_control", "mean_difference"])
    return pd.DataFrame({"measure": measures, "horizon_months": np.nan})
