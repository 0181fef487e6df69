"""Log-rank test for k groups, optionally stratified (cause-specific)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.compat import positional_deprecated
from kow_research.survival._input import (
    by_alias,
    comparison_groups,
    prepare,
    result_attrs,
    strata_codes,
)
from kow_research.survival.kernels import reverse_cumsum
from kow_research.survival.results import TestResult


@positional_deprecated("duration", "event", "group", "cause", "strata", "weights")
def logrank(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
            by: str = "cohort", cause: int = 1, strata: str | None = None,
            weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
            event_codes: Mapping[Any, int] | None = None,
            group: str | None = None) -> TestResult:
    r"""Log-rank test of equal cause-specific hazards of ``cause`` across groups.

    .. math::

        U_g = \sum_j \Bigl(d_{gj} - d_j \frac{Y_{gj}}{Y_j}\Bigr), \quad
        V_{gh} = \sum_j d_j \frac{Y_j - d_j}{Y_j - 1}\frac{Y_{gj}}{Y_j}
        \Bigl(\delta_{gh} - \frac{Y_{hj}}{Y_j}\Bigr)

    summed within strata; :math:`U'V^{-}U \sim \chi^2_{G-1}`. Other causes are censored.
    As R ``survdiff(Surv(time, event == cause) ~ group + strata(s))``.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, 1, 2, ... causes.
    by : str, default "cohort"
        Groups to compare (at least two levels; no missing values).
    cause : int, default 1
        The event; other causes are censored at their time.
    strata : str, optional
        Stratification column (no missing values).
    weights : str or array_like, optional
        Case weights (> 0).
    event_codes : mapping, optional
        Raw code → 0 (censored) or a cause (see :func:`kaplan_meier`).
    group : str, optional
        Deprecated alias of ``by`` (kept one release).

    Returns
    -------
    TestResult
        ``attrs["observed_minus_expected"]`` per group.

    References
    ----------
    Mantel N (1966). Cancer Chemother Rep 50:163-170. Peto R, Peto J (1972). Asymptotically
    efficient rank invariant test procedures. JRSS-A 135:185-207.

    Examples
    --------
    >>> d = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6], "event": [1, 1, 0, 1, 0, 1],
    ...                   "arm": ["a", "a", "a", "b", "b", "b"]})
    >>> round(logrank(d, by="arm").statistic, 4)   # U = 2 - 0.9, V = 0.25 + 0.24
    2.4694
    """
    by = by_alias(by, group, "logrank") or "cohort"
    data = prepare(df, duration, event, weights, event_codes=event_codes)
    levels, grp = comparison_groups(df, by, data, cause, event, "the log-rank test")
    ng = len(levels)
    st = strata_codes(df, strata)
    dead = (data.event == cause).astype(float) * data.weight
    u = np.zeros(ng)
    v = np.zeros((ng, ng))
    for s in np.unique(st):
        sel = st == s
        ut, idx = np.unique(data.time[sel], return_inverse=True)
        m = len(ut)
        y_g = np.zeros((ng, m))
        d_g = np.zeros((ng, m))
        np.add.at(y_g, (grp[sel], idx), data.weight[sel])
        np.add.at(d_g, (grp[sel], idx), dead[sel])
        y_g = reverse_cumsum(y_g.T).T
        y, d = y_g.sum(axis=0), d_g.sum(axis=0)
        ok = (d > 0) & (y > 0)
        y_g, d_g, y, d = y_g[:, ok], d_g[:, ok], y[ok], d[ok]
        e = d * y_g / y
        u += (d_g - e).sum(axis=1)
        tie = np.where(y > 1, (y - d) / np.where(y > 1, y - 1, 1.0), 0.0)
        fac = d * tie / y
        prop = y_g / y
        v += np.diag((fac * y_g).sum(axis=1)) - np.einsum("j,gj,hj->gh", fac, y_g, prop)
    stat = float(u[:-1] @ np.linalg.pinv(v[:-1, :-1]) @ u[:-1])
    table = pd.DataFrame([{"cause": cause, "statistic": stat, "df": ng - 1,
                           "p": float(stats.chi2.sf(stat, ng - 1))}])
    return TestResult(table=table, cause=cause, test="log-rank", by=by,
                      attrs=result_attrs(df, groups=list(levels), strata=strata,
                                         observed_minus_expected=u.tolist()))
