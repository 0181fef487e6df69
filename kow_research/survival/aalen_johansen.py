"""Aalen–Johansen cumulative incidence with infinitesimal-jackknife variance in O(n log n)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.checks import check_alpha
from kow_research.core.compat import positional_deprecated
from kow_research.survival._input import groups, prepare, result_attrs
from kow_research.survival.kernels import aalen_johansen, curve_median, loglog_interval_incidence
from kow_research.survival.results import CurveResult


@positional_deprecated("duration", "event", "cause", "by", "weights", "entry", "alpha",
                       "causes")
def cumulative_incidence(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
                         cause: int = 1, by: str | None = None,
                         weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
                         entry: str | None = None, causes: Sequence[int] | None = None,
                         alpha: float = 0.05,
                         event_codes: Mapping[Any, int] | None = None) -> CurveResult:
    r"""Aalen–Johansen cumulative incidence of ``cause`` with all other codes > 0 competing.

    .. math::

        \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1}) \frac{d_{kj}}{Y_j},\qquad
        \hat S(t) = \prod_{t_j \le t}\Bigl(1 - \frac{\sum_c d_{cj}}{Y_j}\Bigr)

    The standard error is the infinitesimal jackknife
    :math:`\sqrt{\sum_i \{w_i\, \partial \hat F_k(t)/\partial w_i\}^2}`, identical to R
    ``survival::survfit`` for multi-state data (``Surv(time, factor(event))``, ``id``), also
    with case weights. Ties are exact (no jitter); events at time 0 count at time 0.
    The interval is log-log on :math:`\hat F`: :math:`\hat F^{\exp(\pm z\,\mathrm{se}/
    (\hat F \log \hat F))}`.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times (>= 0).
    event : str, default "event"
        Column of event codes: 0 censored, 1, 2, ... causes.
    cause : int, default 1
        The cause whose incidence is estimated; every other code > 0 competes.
    by : str, optional
        Grouping column.
    weights : str or array_like, optional
        Case weights (> 0): a column name or one value per row.
    entry : str, optional
        Left-truncation entry-time column.
    causes : sequence of int, optional
        Declared event codes; any other non-zero code raises.
    alpha : float, default 0.05
        1 - confidence level.
    event_codes : mapping, optional
        Raw code → 0 (censored) or a cause, when the codes are not 0/1/2... (see
        :func:`kaplan_meier`).

    Returns
    -------
    CurveResult
        ``.table`` has a row for each time with an event of any cause.

    References
    ----------
    Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous Markov
    chains based on censored observations. Scand J Statist 5:141-150. Therneau TM, Crowson C,
    Atkinson E (2023), *Multi-state models and competing risks*, survival package vignette.

    Examples
    --------
    >>> d = pd.DataFrame({"time": [1, 2, 3, 4], "event": [1, 2, 1, 0]})
    >>> cumulative_incidence(d, cause=1).table["estimate"].round(4).tolist()
    [0.25, 0.25, 0.5]
    """
    alpha = check_alpha(alpha)
    data = prepare(df, duration, event, weights, entry, causes=causes, event_codes=event_codes)
    if cause not in data.causes:
        raise ValueError(f"{event}: no events with code {cause}; codes present are "
                         f"{list(data.causes)}")
    z = stats.norm.ppf(1 - alpha / 2)
    rows, meds, risk = [], [], []
    levels = groups(df, by)
    for label, mask in levels:
        ent = None if data.entry is None else data.entry[mask]
        present = tuple(c for c in data.causes if (data.event[mask] == c).any()) or (cause,)
        if cause not in present:
            present = tuple(sorted((*present, cause)))
        r = aalen_johansen(data.time[mask], data.event[mask], data.weight[mask], present, cause,
                           ent)
        keep = r.any_event
        f = r.estimate
        se = r.se if r.se is not None else np.full(len(f), np.nan)
        lower, upper = loglog_interval_incidence(f, se, z)
        rows.append(pd.DataFrame({"group": label, "time": r.time[keep],
                                  "n_risk": r.n_risk[keep], "n_event": r.n_event[keep],
                                  "estimate": f[keep], "se": se[keep], "lower": lower[keep],
                                  "upper": upper[keep]}))
        t = r.time[keep]
        meds.append({"group": label, "median": curve_median(t, f[keep], decreasing=False),
                     "lower": curve_median(t, upper[keep], decreasing=False),
                     "upper": curve_median(t, lower[keep], decreasing=False)})
        censored = np.searchsorted(r.time, data.time[mask][data.event[mask] == 0])
        risk.append(pd.DataFrame({"group": label, "time": r.time, "n_risk": r.n_at_risk,
                                  "n_censored": np.bincount(censored, minlength=len(r.time))}))
    attrs = result_attrs(df, cause=cause, competing=[c for c in data.causes if c != cause],
                         variance="infinitesimal jackknife")
    return CurveResult(table=pd.concat(rows, ignore_index=True), median=pd.DataFrame(meds),
                       kind="cumulative_incidence", alpha=alpha, cause=cause,
                       at_risk=pd.concat(risk, ignore_index=True), grouped=by is not None,
                       groups=tuple(lv for lv, _ in levels), by=by, attrs=attrs)
