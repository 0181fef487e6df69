r"""The numerical kernel layer of the survival engine: one implementation of each algorithm.

Every estimator of :mod:`kow_research.survival`, and every stage after it that needs a risk
set, a product-limit curve, an Aalen–Johansen curve, a step function or an area under one
(:mod:`kow_research.compare`, :mod:`kow_research.outcomes`, :mod:`kow_research.report`), calls
these functions. They work on plain arrays, are vectorised (one sort, cumulative sums,
``bincount``; O(n log n)) and have no side effects.

Notation: at each distinct time :math:`t_j` the (weighted) number at risk is
:math:`Y_j = \sum_i w_i [T_i \ge t_j]` (with left truncation also :math:`\text{entry}_i < t_j`)
and :math:`d_{kj} = \sum_i w_i [T_i = t_j, \epsilon_i = k]` the events of cause *k*. Censorings
at :math:`t_j` are at risk at :math:`t_j` (they leave just after it), as in R's ``survfit``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


# --- risk sets -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskSets:
    """Per distinct time: weighted risk set, events per cause, censorings, and counts.

    Attributes
    ----------
    time : ndarray
        Distinct times (event and censoring times), increasing.
    at_risk : ndarray
        Weighted number at risk :math:`Y_j`.
    events : ndarray, shape (n_times, n_causes)
        Weighted events of each cause in ``causes``.
    censored : ndarray
        Weighted censorings (event code 0).
    n_at_risk, n_events : ndarray
        Unweighted counts at risk and of events of any cause.
    causes : tuple of int
    index : ndarray
        Position of each subject's time in ``time``.
    """

    time: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    censored: np.ndarray
    n_at_risk: np.ndarray
    n_events: np.ndarray
    causes: tuple[int, ...]
    index: np.ndarray

    def events_of(self, cause: int) -> np.ndarray:
        """Weighted events of ``cause`` at each time."""
        return self.events[:, self.causes.index(cause)]


def sum_by_time(index: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """``out[j] = sum of values[i] with index[i] == j`` for 1-d, or per column for n-d values.

    Parameters
    ----------
    index : ndarray of int
        Time position of each row (``RiskSets.index``).
    values : ndarray, shape (n, ...)
    m : int
        Number of distinct times.

    Returns
    -------
    ndarray, shape (m, ...)

    Examples
    --------
    >>> sum_by_time(np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0]), 2)
    array([1., 5.])
    """
    if values.ndim == 1:
        return np.bincount(index, weights=values, minlength=m)
    flat = values.reshape(len(values), -1)
    out = np.stack([np.bincount(index, weights=flat[:, a], minlength=m)
                    for a in range(flat.shape[1])], axis=1)
    return out.reshape((m, *values.shape[1:]))


def reverse_cumsum(a: np.ndarray) -> np.ndarray:
    """``out[j] = sum_{l >= j} a[l]`` along the first axis (the risk-set sum over later times).

    Examples
    --------
    >>> reverse_cumsum(np.array([1.0, 2.0, 3.0]))
    array([6., 5., 3.])
    """
    return a[::-1].cumsum(axis=0)[::-1]


def shifted_cumsum(a: np.ndarray) -> np.ndarray:
    """``out[j] = sum_{l < j} a[l]`` along the first axis (strictly earlier times).

    Examples
    --------
    >>> shifted_cumsum(np.array([1.0, 2.0, 3.0]))
    array([0., 1., 3.])
    """
    c = a.cumsum(axis=0)
    return np.concatenate([np.zeros_like(c[:1]), c[:-1]], axis=0)


def risk_sets(time: np.ndarray, event: np.ndarray, weight: np.ndarray,
              causes: tuple[int, ...], entry: np.ndarray | None = None) -> RiskSets:
    """Tabulate the risk sets at every distinct time.

    Parameters
    ----------
    time : ndarray
        Exit times.
    event : ndarray of int
        0 = censored, else the cause.
    weight : ndarray
        Case weights (> 0).
    causes : tuple of int
        Causes to tabulate (columns of ``events``).
    entry : ndarray, optional
        Left-truncation times: subject *i* is at risk at :math:`t_j` iff
        :math:`\\text{entry}_i < t_j \\le T_i`.

    Returns
    -------
    RiskSets

    Examples
    --------
    >>> r = risk_sets(np.array([1.0, 2.0, 2.0]), np.array([1, 0, 1]), np.ones(3), (1,))
    >>> r.at_risk, r.events[:, 0]
    (array([3., 2.]), array([1., 1.]))
    """
    ut, idx = np.unique(time, return_inverse=True)
    m = len(ut)
    at_risk = reverse_cumsum(np.bincount(idx, weights=weight, minlength=m))
    n_at_risk = reverse_cumsum(np.bincount(idx, minlength=m).astype(float))
    if entry is not None:
        first = np.searchsorted(ut, entry, side="right")  # first t_j > entry_i
        entered = np.bincount(first, weights=weight, minlength=m + 1)[:m].cumsum()
        n_entered = np.bincount(first, minlength=m + 1)[:m].cumsum().astype(float)
        at_risk = at_risk - (weight.sum() - entered)
        n_at_risk = n_at_risk - (len(weight) - n_entered)
    events = np.zeros((m, len(causes)))
    for j, k in enumerate(causes):
        sel = event == k
        events[:, j] = np.bincount(idx[sel], weights=weight[sel], minlength=m)
    cens = event == 0
    censored = np.bincount(idx[cens], weights=weight[cens], minlength=m)
    n_events = np.bincount(idx[event > 0], minlength=m).astype(float)
    return RiskSets(time=ut, at_risk=at_risk, events=events, censored=censored,
                    n_at_risk=n_at_risk, n_events=n_events, causes=causes, index=idx)


# --- product-limit (Kaplan–Meier) ------------------------------------------------------------
def product_limit(at_risk: np.ndarray, events: np.ndarray) -> np.ndarray:
    r"""Kaplan–Meier product :math:`\prod_{t_l \le t_j} (1 - d_l / Y_l)` at every time.

    Times with an empty risk set contribute a factor 1.

    Examples
    --------
    >>> product_limit(np.array([4.0, 2.0]), np.array([1.0, 1.0]))
    array([0.75 , 0.375])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.cumprod(np.where(at_risk > 0, 1 - events / at_risk, 1.0))


def left_continuous(curve: np.ndarray, start: float = 1.0) -> np.ndarray:
    """The value just before each time: ``[start, curve[0], ..., curve[-2]]``."""
    return np.concatenate([[start], curve[:-1]])


def greenwood_var_log(at_risk: np.ndarray, events: np.ndarray) -> np.ndarray:
    r"""Greenwood variance of :math:`\log \hat S(t_j)`: :math:`\sum_{l \le j} d_l /
    \{Y_l (Y_l - d_l)\}`; NaN from a time where everyone at risk has the event.

    Examples
    --------
    >>> greenwood_var_log(np.array([4.0, 2.0]), np.array([1.0, 1.0]))
    array([0.08333333, 0.58333333])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where((events > 0) & (at_risk > events),
                        events / (at_risk * (at_risk - events)), 0.0)
    var = np.cumsum(term)
    return np.where(np.cumsum((events > 0) & (at_risk <= events)) > 0, np.nan, var)


def km_ij_var_log(r: RiskSets, event: np.ndarray, weight: np.ndarray) -> np.ndarray:
    r"""Infinitesimal-jackknife variance of :math:`\log \hat S` at every time (no late entry).

    With :math:`D_i(t) = \partial \hat S(t) / \partial w_i`,
    :math:`D_i(t)/\hat S(t) = A(\min(t, T_i)) - c_i [T_i \le t]` where
    :math:`A(t) = \sum_{t_j \le t} d_j / \{Y_j (Y_j - d_j)\}` and :math:`c_i = 1/(Y - d)` at an
    own event (0 when censored). The variance is :math:`\sum_i w_i^2 D_i(t)^2 / \hat S^2`,
    assembled from cumulative sums over people sorted by time. ``r`` must have one cause
    (the event) and ``event`` be 0/1.
    """
    d = r.events[:, 0]
    y = r.at_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        a_inc = np.where(y - d > 0, d / (y * (y - d)), 0.0)
        c = np.where(y - d > 0, 1.0 / (y - d), 0.0)
    big_a = np.cumsum(a_inc)
    g = big_a[r.index] - np.where(event > 0, c[r.index], 0.0)
    w2 = weight ** 2
    m = len(r.time)
    exited = np.bincount(r.index, weights=w2 * g * g, minlength=m).cumsum()
    remaining = w2.sum() - np.bincount(r.index, weights=w2, minlength=m).cumsum()
    var = remaining * big_a ** 2 + exited
    return np.where(np.cumsum((d > 0) & (y <= d)) > 0, np.nan, var)


# --- Aalen–Johansen --------------------------------------------------------------------------
def aj_from_counts(at_risk: np.ndarray, events_cause: np.ndarray, events_all: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    r"""Event-free survival :math:`\hat S` (any cause) and the cumulative incidence
    :math:`\hat F_k = \sum \hat S(t_{j-1}) d_{kj} / Y_j` from counts on a time grid (the last
    axis); rows are independent groups when 2-d.

    Examples
    --------
    >>> aj_from_counts(np.array([3.0, 2.0, 1.0]), np.array([1.0, 0.0, 1.0]),
    ...                np.array([1.0, 1.0, 1.0]))[1]
    array([0.33333333, 0.33333333, 0.66666667])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(at_risk > 0, events_all / at_risk, 0.0)
        lamk = np.where(at_risk > 0, events_cause / at_risk, 0.0)
    surv = np.cumprod(1 - lam, axis=-1)
    s_prev = np.concatenate([np.ones_like(surv[..., :1]), surv[..., :-1]], axis=-1)
    return surv, np.cumsum(s_prev * lamk, axis=-1)


@dataclass(frozen=True)
class AJInfluence:
    """Per-subject pieces of the IJ influence of the Aalen–Johansen curve (for integrals)."""

    b: np.ndarray        # per time: cumulative term of the at-risk influence
    exit_index: np.ndarray
    entry_index: np.ndarray
    alpha: np.ndarray    # per subject: at-risk influence = alpha + b(J) + beta * F(J)
    beta: np.ndarray
    intercept: np.ndarray  # per subject: after exit, influence = intercept + slope * F(J)
    slope: np.ndarray


@dataclass(frozen=True)
class AJCurve:
    """Aalen–Johansen cumulative incidence of one cause at every distinct time.

    Attributes
    ----------
    time, estimate : ndarray
        Distinct times and :math:`\\hat F_k(t_j)`.
    se : ndarray or None
        Infinitesimal-jackknife standard error (None when not requested).
    n_risk, n_event, n_at_risk, any_event : ndarray
        Weighted risk set, weighted events of the cause, unweighted number at risk, and whether
        any cause had an event at the time.
    influence : AJInfluence or None
    """

    time: np.ndarray
    estimate: np.ndarray
    se: np.ndarray | None
    n_risk: np.ndarray
    n_event: np.ndarray
    n_at_risk: np.ndarray
    any_event: np.ndarray
    influence: AJInfluence | None = None


def _bincum(idx: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """``out[J] = sum of values over subjects with idx <= J`` (idx may equal m: never)."""
    return np.bincount(idx, weights=values, minlength=m + 1)[:m].cumsum()


def aalen_johansen(time: np.ndarray, event: np.ndarray, weight: np.ndarray,
                   causes: tuple[int, ...], cause: int, entry: np.ndarray | None = None,
                   variance: bool = True) -> AJCurve:
    r"""Cumulative incidence of ``cause`` (all other codes > 0 compete) and its IJ variance.

    .. math::

        \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1}) \frac{d_{kj}}{Y_j},\qquad
        \hat S(t) = \prod_{t_j \le t}\Bigl(1 - \frac{\sum_c d_{cj}}{Y_j}\Bigr)

    Without competing events :math:`\hat F_k = 1 - \hat S_{KM}`. The influence of person *i* on
    :math:`\hat F_k(t_J)` is linear in :math:`B(J)` and :math:`\hat F_k(t_J)` while *i* is at
    risk and in :math:`\hat F_k(t_J)` after exit, so :math:`\sum_i w_i^2 U_i(J)^2` is assembled
    from cumulative sums (no n-by-m matrix). ``variance=False`` computes the estimate only (the
    per-replicate work of a bootstrap).

    Parameters
    ----------
    time, event, weight : ndarray
        Exit times, event codes (0 = censored), case weights.
    causes : tuple of int
        The causes present (must include ``cause``).
    cause : int
    entry : ndarray, optional
        Left-truncation times.
    variance : bool, default True

    Returns
    -------
    AJCurve

    Examples
    --------
    >>> c = aalen_johansen(np.array([1.0, 2.0, 3.0]), np.array([1, 2, 1]), np.ones(3), (1, 2), 1)
    >>> c.estimate
    array([0.33333333, 0.33333333, 0.66666667])
    """
    s = risk_sets(time, event, weight, causes, entry)
    m = len(s.time)
    y = s.at_risk
    k = causes.index(cause)
    dall = s.events.sum(axis=1)
    surv, cif = aj_from_counts(y, s.events[:, k], dall)
    s_prev = left_continuous(surv)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(y > 0, dall / y, 0.0)
        inc = s_prev * np.where(y > 0, s.events[:, k] / y, 0.0)   # the jumps of cif
    any_event = s.n_events > 0
    if not variance:
        return AJCurve(time=s.time, estimate=cif, se=None, n_risk=y, n_event=s.events[:, k],
                       n_at_risk=s.n_at_risk, any_event=any_event)
    with np.errstate(divide="ignore", invalid="ignore"):
        # H1(j) = sum_{l<=j} lam_l / (Y_l (1 - lam_l)) ; guard lam = 1 (everyone leaves)
        h1 = np.cumsum(np.where((y > 0) & (lam < 1), lam / (y * (1 - lam)), 0.0))
        inv_y = np.where(y > 0, 1 / y, 0.0)
        ev_term = np.where((y > 0) & (lam < 1), 1 / (y * (1 - lam)), 0.0)
    b = np.cumsum(inc * (left_continuous(h1, 0.0) - inv_y))
    li = s.index                                                   # exit index
    ei = (np.full(len(time), -1) if entry is None                   # last time index <= entry
          else np.searchsorted(s.time, entry, side="right") - 1)

    def at_entry(arr: np.ndarray) -> np.ndarray:
        return np.where(ei >= 0, arr[np.clip(ei, 0, None)], 0.0)

    b_e, f_e, h_e = at_entry(b), at_entry(cif), at_entry(h1)
    alpha_i = -b_e + h_e * f_e
    beta_i = -h_e
    a_l = np.where(event > 0, ev_term[li], 0.0) - (h1[li] - h_e)
    dfl = (b[li] - b_e) - h_e * (cif[li] - f_e) + np.where(event == cause,
                                                             s_prev[li] * inv_y[li], 0.0)
    slope = -a_l
    icpt = dfl + a_l * cif[li]
    w2 = weight ** 2
    start = ei + 1

    def at_risk_sum(v: np.ndarray) -> np.ndarray:
        # subjects at risk at J: entered (ei < J) and not exited (li > J); li == J is counted
        # as exited (the post-exit formula equals the at-risk one at J)
        return _bincum(start, v, m) - _bincum(li, v, m)

    s0, sa, sb = at_risk_sum(w2), at_risk_sum(w2 * alpha_i), at_risk_sum(w2 * beta_i)
    saa, sab = at_risk_sum(w2 * alpha_i ** 2), at_risk_sum(w2 * alpha_i * beta_i)
    sbb = at_risk_sum(w2 * beta_i ** 2)
    var_risk = saa + 2 * sab * cif + sbb * cif ** 2 + 2 * b * (sa + sb * cif) + s0 * b ** 2
    e0, e1 = _bincum(li, w2 * icpt ** 2, m), _bincum(li, w2 * icpt * slope, m)
    e2 = _bincum(li, w2 * slope ** 2, m)
    var = np.clip(var_risk + e0 + 2 * cif * e1 + cif ** 2 * e2, 0, None)
    influence = AJInfluence(b=b, exit_index=li, entry_index=ei, alpha=alpha_i, beta=beta_i,
                            intercept=icpt, slope=slope)
    return AJCurve(time=s.time, estimate=cif, se=np.sqrt(var), n_risk=y,
                   n_event=s.events[:, k], n_at_risk=s.n_at_risk, any_event=any_event,
                   influence=influence)


def aj_integral_se(curve: AJCurve, weight: np.ndarray, tau: float) -> float:
    r"""IJ standard error of :math:`\int_0^\tau \hat F_k(t)\,dt` from an :class:`AJCurve`
    computed with ``variance=True`` on the same subjects and ``weight``."""
    if curve.influence is None:
        raise ValueError("the curve was computed without variance; use variance=True")
    inf = curve.influence
    t = curve.time
    wd = np.clip(np.minimum(np.append(t[1:], np.inf), tau) - t, 0, None)
    cw = np.concatenate([[0.0], np.cumsum(wd)])                 # cw[J+1] = sum_{j<=J}
    cb = np.concatenate([[0.0], np.cumsum(wd * inf.b)])
    cf = np.concatenate([[0.0], np.cumsum(wd * curve.estimate)])
    e1, l1 = inf.entry_index + 1, inf.exit_index                 # at risk for J in (ei, li)
    risk = (cw[l1] - cw[e1]) * inf.alpha + (cb[l1] - cb[e1]) + inf.beta * (cf[l1] - cf[e1])
    after = inf.intercept * (cw[-1] - cw[l1]) + inf.slope * (cf[-1] - cf[l1])
    return float(np.sqrt(np.sum((weight * (risk + after)) ** 2)))


# --- step functions ----------------------------------------------------------------------------
def step_at(time: np.ndarray, values: np.ndarray, at: np.ndarray, start: float = 0.0
            ) -> np.ndarray:
    """Right-continuous step function through ``(time, values)`` evaluated at ``at``; ``start``
    before the first time.

    Examples
    --------
    >>> step_at(np.array([1.0, 3.0]), np.array([0.2, 0.5]), np.array([0.5, 1.0, 2.0, 9.0]))
    array([0. , 0.2, 0.2, 0.5])
    """
    at = np.asarray(at, dtype=float)
    if len(time) == 0:  # a curve without steps (e.g. a group without events)
        return np.full(at.shape, start, dtype=float)
    pos = np.searchsorted(time, at, side="right") - 1
    return np.where(pos >= 0, values[np.clip(pos, 0, None)], start)


def integrate_step(time: np.ndarray, values: np.ndarray, tau: float, start: float = 0.0
                   ) -> float:
    r"""Area :math:`\int_0^\tau f(t)\,dt` under the right-continuous step function through
    ``(time, values)`` with value ``start`` before the first time.

    Examples
    --------
    >>> integrate_step(np.array([1.0, 3.0]), np.array([0.5, 0.25]), 4.0, start=1.0)
    2.25
    """
    keep = time < tau
    knots = np.concatenate([[0.0], time[keep], [tau]])
    vals = np.concatenate([[start], values[keep]])
    return float(np.sum(np.diff(knots) * vals))


def km_rmst(time: np.ndarray, event: np.ndarray, weight: np.ndarray, tau: float
            ) -> tuple[float, float]:
    r"""Restricted mean :math:`\int_0^\tau \hat S(t)\,dt` of the Kaplan–Meier curve of
    ``event`` (0/1) and its Greenwood-type SE
    :math:`\{\sum_j A_j^2 d_j / (Y_j(Y_j - d_j))\}^{1/2}`, :math:`A_j = \int_{t_j}^\tau \hat S`
    (as R ``print(survfit(...), rmean = tau)``)."""
    r = risk_sets(time, event, weight, (1,))
    d, y = r.events[:, 0], r.at_risk
    surv = product_limit(y, d)
    keep = r.time < tau
    t, surv, d, y = r.time[keep], surv[keep], d[keep], y[keep]
    areas = np.diff(np.concatenate([[0.0], t, [tau]])) * np.concatenate([[1.0], surv])
    after = reverse_cumsum(areas)[1:]                     # area after each t_j up to tau
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where((d > 0) & (y > d), after ** 2 * d / (y * (y - d)), 0.0)
    return float(areas.sum()), float(np.sqrt(term.sum()))


# --- intervals and medians of curves ---------------------------------------------------------
def loglog_interval(estimate: np.ndarray, se_log: np.ndarray, z: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    r"""Log-log interval of a survival probability from the SE of :math:`\log \hat S`:
    :math:`\hat S^{\exp(\pm z\,\mathrm{se}/\log \hat S)}`; NaN where :math:`\hat S \in \{0, 1\}`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        xx = np.log(-np.log(estimate))
        d = z * se_log / np.abs(np.log(estimate))
        lower = np.exp(-np.exp(xx + d))
        upper = np.exp(-np.exp(xx - d))
    ok = (estimate > 0) & (estimate < 1)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def loglog_interval_incidence(estimate: np.ndarray, se: np.ndarray, z: float
                              ) -> tuple[np.ndarray, np.ndarray]:
    r"""Log-log interval of a cumulative incidence from its SE:
    :math:`\hat F^{\exp(\pm z\,\mathrm{se}/(\hat F \log \hat F))}`; NaN where
    :math:`\hat F \in \{0, 1\}`."""
    # over: exp(d) overflows to inf for an estimate next to 0 or 1, and F ** inf = 0 is the
    # limit of the lower bound
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d = z * se / (estimate * np.abs(np.log(estimate)))
        lower = estimate ** np.exp(d)
        upper = estimate ** np.exp(-d)
    ok = (estimate > 0) & (estimate < 1)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def curve_median(time: np.ndarray, curve: np.ndarray, threshold: float = 0.5,
                 decreasing: bool = True) -> float:
    """First time the step curve crosses ``threshold`` (midpoint rule on exact flats, as R).

    Examples
    --------
    >>> curve_median(np.array([1.0, 2.0, 3.0]), np.array([0.8, 0.5, 0.2]))
    2.5
    """
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
