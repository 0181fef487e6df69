"""Gray's K-sample test for equality of cumulative incidence functions."""

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
from kow_research.survival.kernels import aj_from_counts, left_continuous, reverse_cumsum
from kow_research.survival.results import TestResult


def _score_var(time: np.ndarray, mark: np.ndarray, grp: np.ndarray, ng: int,
               rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Score (first ng-1 groups) and its covariance within one stratum (Gray 1988).

    The per-group event-free survival and cumulative incidence come from the kernel layer.
    Gray's recursion over the event times (``cmprsk``'s ``crstm``) is written as cumulative
    sums over the event times, so it runs vectorised: the pooled incidence :math:`F(t)` and
    the matrix :math:`c(t)` are cumulative sums, and every score and variance term at a time
    depends only on that time's counts and on them.
    """
    ut, idx = np.unique(time, return_inverse=True)
    m = len(ut)
    cnt = np.zeros((3, ng, m))
    np.add.at(cnt, (mark, grp, idx), 1.0)
    rs_all = reverse_cumsum(cnt.sum(axis=0).T).T            # at risk per group and time
    d1_all, d2_all = cnt[1], cnt[2]
    skm_all, f1_all = aj_from_counts(rs_all, d1_all, d1_all + d2_all)
    skm_left = np.stack([left_continuous(row) for row in skm_all])
    f1_left = np.stack([left_continuous(row, 0.0) for row in f1_all])
    g1 = ng - 1
    times = np.flatnonzero(cnt[1:].sum(axis=(0, 1)) > 0)     # times with an event
    if len(times) == 0:
        return np.zeros(g1), np.zeros((g1, g1))
    # (J, ng) per event time and group
    rs, d1, d2 = rs_all[:, times].T, d1_all[:, times].T, d2_all[:, times].T
    skmm, f1m, skm = skm_left[:, times].T, f1_left[:, times].T, skm_all[:, times].T
    nd1 = d1.sum(axis=1)
    live = rs > 0
    safe_rs = np.where(live, rs, 1.0)
    ratio = np.where(live, rs / skmm, 0.0)                  # rs / S(t-) per group
    tr = ratio.sum(axis=1)
    tq = np.where(live, rs * (1 - f1m) / skmm, 0.0).sum(axis=1)
    f = np.cumsum(nd1 / tr)                                  # pooled F(t), after each time
    fm = np.r_[0.0, f[:-1]]                                  # ... and just before it
    fb = (1 - fm) ** rho
    a = -(fb / tr)[:, None, None] * ratio[:, :, None] * ratio[:, None, :]
    diag = np.arange(ng)
    a[:, diag, diag] = np.where(live, fb[:, None] * ratio * (1 - ratio / tr[:, None]), 0.0)
    c = np.cumsum(a * (nd1 / (tr * (1 - fm)))[:, None, None], axis=0)
    score = np.where(live, fb[:, None] * (d1 - nd1[:, None] * rs * (1 - f1m)
                                          / (skmm * tq[:, None])), 0.0)[:, :g1].sum(axis=0)
    v = np.zeros((g1, g1))
    v2 = np.zeros((g1, ng))
    v3 = np.zeros(ng)
    j = nd1 > 0                                              # times with an event of cause k
    if j.any():
        n1, sk, sm, r1, sr, li = nd1[j, None], skm[j], skmm[j], tr[j, None], safe_rs[j], live[j]
        t4 = np.where(sk > 0, 1 - (1 - f[j, None]) / np.where(sk > 0, sk, 1), 1.0)
        t5 = np.where(n1 > 1, 1 - (n1 - 1) / np.where(n1 > 1, r1 * sm - 1, 1.0), 1.0)
        t3 = np.where(li, t5 * sm * n1 / (r1 * sr), 0.0)
        v3 += (t4 * t4 * t3).sum(axis=0)
        t1 = a[j, :g1, :] - t4[:, None, :] * c[j, :g1, :]     # (J1, g1, ng)
        v2 += (t1 * (t4 * t3)[:, None, :]).sum(axis=0)
        v += np.einsum("jak,jbk->ab", t1 * t3[:, None, :], t1)
    j = d2.sum(axis=1) > 0                                   # times with a competing event
    if j.any():
        sk, sm, dd, rr, sr = skm[j], skmm[j], d2[j], rs[j], safe_rs[j]
        ok = live[j] & (sk > 0) & (dd > 0)
        t4 = np.where(ok, (1 - f[j, None]) / np.where(sk > 0, sk, 1), 0.0)
        t5 = np.where(dd > 1, 1 - (dd - 1) / np.where(rr > 1, rr - 1, 1), 1.0)
        t3 = np.where(ok, t5 * sm ** 2 * dd / sr ** 2, 0.0)
        v3 += (t4 * t4 * t3).sum(axis=0)
        t1 = t4[:, None, :] * c[j, :g1, :]
        v2 -= (t1 * (t4 * t3)[:, None, :]).sum(axis=0)
        v += np.einsum("jak,jbk->ab", t1 * t3[:, None, :], t1)
    cg = c[-1, :g1, :]
    v = v + (cg * v3[None, :]) @ cg.T + cg @ v2.T + v2 @ cg.T
    return score, v


@positional_deprecated("duration", "event", "group", "cause", "strata", "rho", "causes")
def gray_test(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
              by: str = "cohort", cause: int = 1, strata: str | None = None, rho: float = 0.0,
              causes: Sequence[int] | None = None,
              event_codes: Mapping[Any, int] | None = None,
              group: str | None = None) -> TestResult:
    r"""Gray's test that the cumulative incidence of a cause is equal across groups.

    For each cause *k* the score compares, at each event time, the observed events of cause
    *k* in group *g* with those expected under a common subdistribution hazard,

    .. math::

        z_g = \sum_t (1 - \hat F_k(t-))^{\rho}\Bigl\{d_{kg}(t) - d_k(t)
        \frac{R_g(t)}{\sum_h R_h(t)}\Bigr\}, \quad R_g(t) = \frac{Y_g(t)\{1 - \hat F_{kg}(t-)\}}
        {\hat S_g(t-)},

    with Gray's (1988) variance; :math:`z' V^{-1} z \sim \chi^2_{G-1}`. Every cause present
    is tested (``.table``); ``.statistic``/``.df``/``.p_value`` refer to ``cause``. Identical
    to ``cmprsk::cuminc(...)$Tests`` (``rho = 0`` default; ``strata`` sums over strata).

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
        The cause whose test ``.statistic`` and ``.p_value`` report.
    strata : str, optional
        Stratification column (no missing values): scores and variances are summed.
    rho : float, default 0
        Weight :math:`(1 - \hat F(t-))^\rho` (``cmprsk``'s ``rho``).
    causes : sequence of int, optional
        Declared event codes.
    event_codes : mapping, optional
        Raw code → 0 (censored) or a cause (see :func:`kaplan_meier`).
    group : str, optional
        Deprecated alias of ``by`` (kept one release).

    Returns
    -------
    TestResult

    References
    ----------
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence of a
    competing risk. Ann Statist 16:1141-1154.

    Examples
    --------
    >>> d = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6], "event": [1, 2, 1, 1, 0, 2],
    ...                   "arm": ["a", "a", "a", "b", "b", "b"]})
    >>> round(gray_test(d, by="arm").statistic, 4)
    2.1654
    """
    by = by_alias(by, group, "gray_test") or "cohort"
    data = prepare(df, duration, event, causes=causes, event_codes=event_codes)
    levels, grp = comparison_groups(df, by, data, cause, event, "Gray's test")
    st = strata_codes(df, strata)
    ng = len(levels)
    rows = []
    for k in data.causes:
        mark = np.where(data.event == k, 1, np.where(data.event > 0, 2, 0))
        score, var = np.zeros(ng - 1), np.zeros((ng - 1, ng - 1))
        for s in np.unique(st):
            sel = st == s
            with np.errstate(divide="ignore", invalid="ignore"):
                sc, vv = _score_var(data.time[sel], mark[sel], grp[sel], ng, rho)
            score, var = score + sc, var + vv
        stat = float(score @ np.linalg.pinv(var) @ score)
        rows.append({"cause": int(k), "statistic": stat, "df": ng - 1,
                     "p": float(stats.chi2.sf(stat, ng - 1))})
    return TestResult(table=pd.DataFrame(rows), cause=cause, test="Gray's test", by=by,
                      attrs=result_attrs(df, groups=list(levels), rho=rho,
                                         strata=strata))
