"""Kaplan-Meier estimator with Greenwood variance and log-log confidence intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.survival._input import definition_of, groups, prepare
from kow_research.survival._steps import Steps, risk_steps
from kow_research.survival.results import CurveResult


def loglog_ci(est: np.ndarray, se_log: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Log-log interval for a survival probability given the SE of ``log S``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        xx = np.log(-np.log(est))
        d = z * se_log / np.abs(np.log(est))
        lower = np.exp(-np.exp(xx + d))
        upper = np.exp(-np.exp(xx - d))
    ok = (est > 0) & (est < 1)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def curve_median(time: np.ndarray, curve: np.ndarray, threshold: float = 0.5,
                 decreasing: bool = True) -> float:
    """First time the step curve crosses ``threshold`` (midpoint rule on exact flats, as R)."""
    tol = np.sqrt(np.finfo(float).eps)
    c = curve if decreasing else 1 - curve
    ok = np.isfinite(c)
    time, c = time[ok], c[ok]
    hit = np.flatnonzero(c <= threshold + tol)
    if len(hit) == 0:
        return float("nan")
    j = hit[0]
    if abs(c[j] - threshold) < tol and j + 1 < len(time):
        return float((time[j] + time[j + 1]) / 2)
    return float(time[j])


def _ij_var_log(s: Steps, event: np.ndarray, weight: np.ndarray) -> np.ndarray:
    r"""Infinitesimal-jackknife variance of log S at every distinct time (no late entry).

    With :math:`D_i(t) = \partial \hat S(t) / \partial w_i`,
    :math:`D_i(t)/\hat S(t) = A(\min(t, T_i)) - c_i [T_i \le t]` where
    :math:`A(t) = \sum_{t_j \le t} d_j / (Y_j (Y_j - d_j))` and :math:`c_i = 1/(Y - d)` at an
    own event (0 when censored). The variance is :math:`\sum_i w_i^2 D_i(t)^2`, a handful of
    cumulative sums over people sorted by time.
    """
    d = s.events[:, 0]
    y = s.at_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        a_inc = np.where(y - d > 0, d / (y * (y - d)), 0.0)
        c = np.where(y - d > 0, 1.0 / (y - d), 0.0)
    big_a = np.cumsum(a_inc)
    g = big_a[s.index] - np.where(event > 0, c[s.index], 0.0)
    w2 = weight ** 2
    m = len(s.time)
    exited = np.bincount(s.index, weights=w2 * g * g, minlength=m).cumsum()
    remaining = w2.sum() - np.bincount(s.index, weights=w2, minlength=m).cumsum()
    return remaining * big_a ** 2 + exited


def kaplan_meier(df: pd.DataFrame, duration: str = "time", event: str = "event", cause: int = 1,
                 by: str | None = None, weights: str | None = None, entry: str | None = None,
                 alpha: float = 0.05, variance: str = "greenwood") -> CurveResult:
    r"""Kaplan-Meier survival from the event ``cause`` (other causes are treated as censoring).

    .. math::

        \hat S(t) = \prod_{t_j \le t} \Bigl(1 - \frac{d_j}{Y_j}\Bigr), \qquad
        \widehat{\operatorname{Var}}\{\log \hat S(t)\} = \sum_{t_j \le t}
        \frac{d_j}{Y_j (Y_j - d_j)}

    with (weighted) events ``d_j`` and risk set ``Y_j``; with ``entry`` (left truncation) a
    person is at risk at ``t_j`` when ``entry < t_j <= time``. The interval is log-log,
    :math:`\hat S^{\exp(\pm z\,\mathrm{se}/\log \hat S)}`. Censorings tied with events are at
    risk at that time. ``.table`` has a row for every time with an event of ``cause``.
    When competing causes are present this is the *cause-specific* survival (1 - KM is then
    not the cumulative incidence: use :func:`cumulative_incidence`).

    Parameters
    ----------
    df : DataFrame
        One row per person. ``event`` is 0 for censored and 1, 2, ... for causes.
    cause : int
        Event code counted as the event.
    by, weights, entry : str, optional
        Grouping column, case-weight column (> 0), left-truncation entry time column.
    alpha : float
        1 - confidence level.
    variance : {"greenwood", "ij"}, default "greenwood"
        Greenwood with weighted counts, or the infinitesimal jackknife (robust) variance —
        what R's ``survfit`` reports by default for non-integer case weights (e.g. inverse
        probability weights). Without weights the two differ only slightly. ``"ij"`` is not
        available with ``entry``.

    Returns
    -------
    CurveResult

    References
    ----------
    Kaplan EL, Meier P (1958). JASA 53:457-481. Greenwood M (1926). Reports on Public Health
    and Medical Subjects 33. Therneau TM, survival: ``survfit(..., conf.type = "log-log")``.
    """
    if variance not in ("greenwood", "ij"):
        raise ValueError(f"variance must be 'greenwood' or 'ij', got {variance!r}")
    if variance == "ij" and entry is not None:
        raise ValueError("the IJ variance is not available with entry (left truncation); use "
                         "variance='greenwood'")
    data = prepare(df, duration, event, weights, entry)
    if cause not in data.causes:
        raise ValueError(f"{event}: no events with code {cause}; codes present are "
                         f"{list(data.causes)}. Pick a present cause or check the outcome.")
    z = stats.norm.ppf(1 - alpha / 2)
    rows, meds, risk = [], [], []
    for label, mask in groups(df, by):
        e = np.where(data.event[mask] == cause, 1, 0)
        ent = None if data.entry is None else data.entry[mask]
        s = risk_steps(data.time[mask], e, data.weight[mask], (1,), ent)
        d = s.events[:, 0]
        y = s.at_risk
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(y > 0, 1 - d / y, 1.0)
            est = np.cumprod(factor)
            term = np.where((d > 0) & (y > d), d / (y * (y - d)), 0.0)
        var_log = np.cumsum(term) if variance == "greenwood" else _ij_var_log(
            s, e, data.weight[mask])
        var_log = np.where(np.cumsum((d > 0) & (y <= d)) > 0, np.nan, var_log)
        se_log = np.sqrt(var_log)
        lower, upper = loglog_ci(est, se_log, z)
        se = est * se_log
        if variance == "ij":  # once S is 0 it no longer varies (as R's robust survfit)
            se = np.where(est == 0, 0.0, se)
        keep = d > 0
        rows.append(pd.DataFrame({
            "group": label, "time": s.time[keep], "n_risk": y[keep], "n_event": d[keep],
            "estimate": est[keep], "se": se[keep], "lower": lower[keep],
            "upper": upper[keep]}))
        t_ev = s.time[keep]
        meds.append({"group": label,
                     "median": curve_median(t_ev, est[keep]),
                     "lower": curve_median(t_ev, lower[keep]),
                     "upper": curve_median(t_ev, upper[keep])})
        risk.append(pd.DataFrame({"group": label, "time": s.time, "n_risk": s.n_at_risk}))
    attrs: dict[str, Any] = {**definition_of(df), "cause": cause, "variance": variance,
                             "note": "other causes treated as censoring"}
    return CurveResult(table=pd.concat(rows, ignore_index=True), median=pd.DataFrame(meds),
                       kind="survival", alpha=alpha, cause=cause,
                       at_risk=pd.concat(risk, ignore_index=True), grouped=by is not None,
                       attrs=attrs)
