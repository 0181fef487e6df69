r"""Restricted mean times up to a horizon :math:`\tau`: three estimands with three names.

* ``"event_free_censored"`` — restricted mean **event-free** time with the other causes
  **censored**: :math:`\int_0^\tau \hat S_{KM}(t)\,dt` from the Kaplan–Meier curve of the cause
  (a hypothetical estimand when other causes exist: as if they could not happen);
* ``"event_free_competing"`` — restricted mean time **free of the cause** with the other causes
  **competing**: :math:`\tau - \int_0^\tau \hat F_k(t)\,dt` from Aalen–Johansen (time spent in
  any state but "had the cause"; someone who dropped out counts as free of paid work from then
  on);
* ``"time_lost"`` — restricted mean time **lost** to the cause: :math:`\int_0^\tau \hat F_k(t)
  \,dt` (Andersen 2013), so that ``event_free_competing = tau - time_lost``.

Without competing events the three agree (the first two) or complement each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.checks import check_alpha, check_choice
from kow_research.core.compat import positional_deprecated, warn_deprecated
from kow_research.survival._input import groups, prepare, result_attrs
from kow_research.survival.kernels import aalen_johansen, aj_integral_se, integrate_step, km_rmst
from kow_research.survival.results import RmstResult

#: estimand name -> readable measure
ESTIMANDS: dict[str, str] = {
    "event_free_censored": "restricted mean event-free time (other causes censored)",
    "event_free_competing": "restricted mean time free of the cause (other causes competing)",
    "time_lost": "restricted mean time lost to the cause (other causes competing)",
}


@positional_deprecated("duration", "event", "tau", "cause", "by", "competing", "alpha")
def rmst(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
         tau: float = 365, cause: int | None = 1, by: str | None = None,
         estimand: str | None = None,
         weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
         alpha: float = 0.05,
         event_codes: Mapping[Any, int] | None = None,
         competing: bool | None = None) -> RmstResult:
    r"""Restricted mean time up to ``tau`` per group, under a named estimand.

    ``estimand="event_free_censored"`` (default): :math:`\int_0^\tau \hat S(t)\,dt` from the
    Kaplan–Meier curve of ``cause`` (other causes censored; ``cause=None`` counts every cause as
    the event), with the Greenwood-type SE
    :math:`\{\sum_j A_j^2 d_j / (Y_j(Y_j - d_j))\}^{1/2}`, :math:`A_j = \int_{t_j}^\tau \hat S`,
    as R ``print(survfit(...), rmean = tau)``.
    ``estimand="time_lost"``: :math:`\int_0^\tau \hat F_k(t)\,dt` from Aalen–Johansen with the
    infinitesimal-jackknife SE (as R ``survfit`` multi-state), and
    ``estimand="event_free_competing"``: :math:`\tau` minus that (same SE). ``.difference`` (two
    groups): second minus first group, SE from independent groups, Wald CI and p.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, 1, 2, ... causes.
    tau : float, default 365
        Horizon, in the unit of ``duration``.
    cause : int or None, default 1
        The event; None (only with ``"event_free_censored"``): any cause.
    by : str, optional
        Grouping column.
    weights : str or array_like, optional
        Case weights (> 0); the SEs treat them as known (for estimated weights use the
        bootstrap of :func:`kow_research.compare.compare_outcomes`).
    estimand : {"event_free_censored", "event_free_competing", "time_lost"}, optional
        See the module docstring; default ``"event_free_censored"``.
    alpha : float, default 0.05
        1 - confidence level.
    event_codes : mapping, optional
        Raw code → 0 (censored) or a cause (see :func:`kaplan_meier`).
    competing : bool, optional
        Deprecated: ``competing=True`` is ``estimand="time_lost"``, ``False`` the default.

    Returns
    -------
    RmstResult
        ``.table`` (``group, rmst, se, lower, upper``; ``rmst`` holds the estimate of
        ``estimand``) and ``.difference`` with two groups.

    References
    ----------
    Royston P, Parmar MKB (2013). Restricted mean survival time: an alternative to the hazard
    ratio for the design and analysis of randomized trials with a time-to-event outcome. BMC
    Med Res Methodol 13:152. Andersen PK (2013). Decomposition of number of life years lost
    according to causes of death. Stat Med 32:5278-5285.

    Examples
    --------
    >>> d = pd.DataFrame({"time": [1, 2, 3, 4], "event": [1, 2, 1, 0]})
    >>> float(rmst(d, tau=4, estimand="event_free_censored").table["rmst"].iloc[0])
    2.875
    >>> float(rmst(d, tau=4, estimand="time_lost").table["rmst"].iloc[0])
    1.0
    """
    if competing is not None:
        warn_deprecated("rmst(competing=...) is deprecated; use estimand='time_lost' (was "
                        "competing=True) or estimand='event_free_censored'")
        if estimand is None:
            estimand = "time_lost" if competing else "event_free_censored"
    estimand = estimand or "event_free_censored"
    check_choice("estimand", estimand, ESTIMANDS)
    alpha = check_alpha(alpha)
    if not np.isfinite(tau) or tau <= 0:
        raise ValueError(f"tau must be a positive finite time, got {tau!r}")
    data = prepare(df, duration, event, weights, event_codes=event_codes)
    if cause is not None and cause not in data.causes:
        raise ValueError(f"{event}: no events with code {cause}; codes present are "
                         f"{list(data.causes)}")
    if estimand != "event_free_censored" and cause is None:
        raise ValueError(f"estimand={estimand!r} needs the cause whose time is wanted")
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for label, mask in groups(df, by):
        t, e, w = data.time[mask], data.event[mask], data.weight[mask]
        if estimand == "event_free_censored":
            ev = (e > 0) if cause is None else (e == cause)
            est, se = km_rmst(t, ev.astype(np.int64), w, tau)
        else:
            present = tuple(c for c in data.causes if (e == c).any())
            if cause not in present:
                lost, se = 0.0, 0.0
            else:
                r = aalen_johansen(t, e, w, present, int(cause))  # type: ignore[arg-type]
                lost, se = integrate_step(r.time, r.estimate, tau), aj_integral_se(r, w, tau)
            est = lost if estimand == "time_lost" else tau - lost
        rows.append({"group": label, "rmst": est, "se": se, "lower": est - z * se,
                     "upper": est + z * se})
    table = pd.DataFrame(rows)
    diff = None
    if len(table) == 2:
        a, b = table.iloc[0], table.iloc[1]
        d = b["rmst"] - a["rmst"]
        se = float(np.hypot(a["se"], b["se"]))
        diff = pd.DataFrame({"contrast": [f"{b['group']} - {a['group']}"], "estimate": [d],
                             "se": [se], "lower": [d - z * se], "upper": [d + z * se],
                             "p": [2 * stats.norm.sf(abs(d) / se) if se > 0 else np.nan]})
    attrs = result_attrs(df, cause=cause, tau=tau, estimand_name=estimand,
                         estimand_text=ESTIMANDS[estimand])
    return RmstResult(table=table, difference=diff, tau=float(tau), alpha=alpha,
                      measure=ESTIMANDS[estimand], estimand=estimand, attrs=attrs)
