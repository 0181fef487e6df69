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

    The per-group event-free survival and cumulative incidence come from the kernel layer;
    the loop over event times accumulates Gray's variance, which is sequential by nature.
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
    score = np.zeros(g1)
    v = np.zeros((g1, g1))
    v2 = np.zeros((g1, ng))
    v3 = np.zeros(ng)
    c = np.zeros((ng, ng))
    fm = 0.0
    for j in np.flatnonzero(cnt[1:].sum(axis=(0, 1)) > 0):
        rs, d1, d2 = rs_all[:, j], d1_all[:, j], d2_all[:, j]
        skmm, f1m, skm = skm_left[:, j], f1_left[:, j], skm_all[:, j]
        nd1, nd2 = d1.sum(), d2.sum()
        live = rs > 0
        safe_rs = np.where(live, rs, 1.0)
        ratio = np.where(live, rs / skmm, 0.0)             # rs / S(t-) per group
        tr = ratio.sum()
        tq = np.where(live, rs * (1 - f1m) / skmm, 0.0).sum()
        f = fm + nd1 / tr
        fb = (1 - fm) ** rho
        a = -fb * np.outer(ratio, ratio) / tr
        np.fill_diagonal(a, np.where(live, fb * ratio * (1 - ratio / tr), 0.0))
        c += a * nd1 / (tr * (1 - fm))
        score += np.where(live, fb * (d1 - nd1 * rs * (1 - f1m) / (skmm * tq)), 0.0)[:g1]
        if nd1 > 0:
            t4 = np.where(skm > 0, 1 - (1 - f) / np.where(skm > 0, skm, 1), 1.0)
            t5 = 1 - (nd1 - 1) / (tr * skmm - 1) if nd1 > 1 else np.ones(ng)
            t3 = np.where(live, t5 * skmm * nd1 / (tr * safe_rs), 0.0)
            v3 += t4 * t4 * t3
            t1 = a[:g1, :] - t4[None, :] * c[:g1, :]            # (g1, ng)
            v2 += t1 * (t4 * t3)[None, :]
            v += (t1 * t3[None, :]) @ t1.T
        if nd2 > 0:
            ok = live & (skm > 0) & (d2 > 0)
            t4 = np.where(ok, (1 - f) / np.where(skm > 0, skm, 1), 0.0)
            t5 = np.where(d2 > 1, 1 - (d2 - 1) / np.where(rs > 1, rs - 1, 1), 1.0)
            t3 = np.where(ok, t5 * skmm ** 2 * d2 / safe_rs ** 2, 0.0)
            v3 += t4 * t4 * t3
            t1 = t4[None, :] * c[:g1, :]
            v2 -= t1 * (t4 * t3)[None, :]
            v += (t1 * t3[None, :]) @ t1.T
        fm = f
    cg = c[:g1, :]
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
