"""Cause-specific Cox proportional hazards model (own Newton–Raphson) with a PH check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.checks import check_alpha, check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.survival._input import prepare, result_attrs
from kow_research.survival.design import (
    check_divergence,
    check_separation,
    coefficient_table,
    design_matrix,
    newton_raphson,
)
from kow_research.survival.kernels import (
    left_continuous,
    product_limit,
    reverse_cumsum,
    sum_by_time,
)
from kow_research.survival.partial_likelihood import (
    Partial,
    at_risk_moments,
    moments_by_time,
    partial,
    sandwich,
    score_residuals,
)
from kow_research.survival.results import RegressionResult

TIES = ("breslow", "efron")


@positional_deprecated("duration", "event", "covariates", "cause", "weights", "ties", "robust",
                       "alpha")
def cox(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
        covariates: Sequence[str] = (), cause: int = 1,
        weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
        ties: str = "efron", robust: bool | None = None, alpha: float = 0.05,
        reference: Mapping[str, Any] | None = None,
        event_codes: Mapping[Any, int] | None = None) -> RegressionResult:
    r"""Cause-specific Cox model for ``cause`` (other causes censored at their event time).

    Maximises the weighted partial likelihood with Efron (default) or Breslow ties,

    .. math::

        \ell(\beta) = \sum_j \Bigl[\sum_{i \in D_j} w_i \beta' x_i - \bar w_j
        \sum_{r=0}^{d_j - 1} \log\Bigl(S_0(t_j) - \tfrac{r}{d_j} \sum_{i\in D_j} w_i
        e^{\beta' x_i}\Bigr)\Bigr],

    by Newton–Raphson (converged when the Newton decrement is below
    :data:`~kow_research.survival.design.DECREMENT_TOL` relative to the log-likelihood).
    Model-based variance :math:`I^{-1}`; with ``weights`` (or ``robust=True``) the robust
    sandwich :math:`I^{-1}(\sum_i w_i^2 L_i L_i')I^{-1}` from score residuals :math:`L_i`, as R
    ``coxph(..., robust = TRUE)``. ``.zph`` holds the proportional-hazards test of
    ``cox.zph(fit, transform = "km", terms = FALSE)``: a score test per covariate for adding
    :math:`x \cdot g(t)`, :math:`g` = 1 - left-continuous KM, centred over the events.

    A hazard ratio above 1 means a higher *cause-specific* hazard of ``cause`` among people
    still free of every event; with competing events it does not by itself mean a higher
    cumulative incidence (use :func:`fine_gray` or :func:`cumulative_incidence` for that).

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, 1, 2, ... causes.
    covariates : sequence of str
        Numeric, boolean, text or categorical columns (categories become indicators
        ``column=level`` against the reference level; see
        :func:`kow_research.survival.design.design_matrix`). No missing values.
    cause : int, default 1
        The event modelled; other causes are censored.
    weights : str or array_like, optional
        Case weights (> 0); implies the robust variance.
    ties : {"efron", "breslow"}, default "efron"
    robust : bool, optional
        Robust (sandwich) variance; default True with weights, else False.
    alpha : float, default 0.05
        1 - confidence level.
    reference : mapping, optional
        Reference level per categorical covariate, e.g. ``{"cohort": "KOW"}``.
    event_codes : mapping, optional
        Raw code → 0 (censored) or a cause (see :func:`kaplan_meier`).

    Returns
    -------
    RegressionResult
        ``coef``/``summary`` with ``scale = "hazard ratio"`` (cause-specific).

    Raises
    ------
    SeparationError
        A level of a covariate without any event of ``cause`` (or with every person having
        it), so that its coefficient is infinite.
    ValueError
        Collinear covariates, missing values, no events.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS-B 34:187-220. Efron B (1977). JASA
    72:557-565. Lin DY, Wei LJ (1989). JASA 84:1074-1078. Grambsch PM, Therneau TM (1994).
    Biometrika 81:515-526.

    Examples
    --------
    >>> d = pd.DataFrame({"time": [2, 3, 4, 5, 6, 7, 8, 9], "event": [1, 1, 0, 1, 1, 0, 1, 1],
    ...                   "x": [1, 0, 1, 0, 1, 0, 0, 1]})
    >>> round(float(cox(d, covariates=["x"]).summary.loc["x", "hr"]), 4)
    0.7633
    """
    check_choice("ties", ties, TIES)
    alpha = check_alpha(alpha)
    data = prepare(df, duration, event, weights, event_codes=event_codes)
    dm = design_matrix(df, covariates, reference=reference)
    x, names = dm.x, dm.names
    if not (data.event == cause).any():
        raise ValueError(f"{event}: no events with code {cause}; nothing to model")
    check_separation(dm, (data.event == cause).astype(float), model="Cox model",
                     outcome_name=f"events of cause {cause}")
    robust = data.weighted if robust is None else robust
    order = np.argsort(data.time, kind="stable")
    t, w, x = data.time[order], data.weight[order], x[order]
    dead = data.event[order] == cause
    n, p = x.shape
    ut, idx = np.unique(t, return_inverse=True)
    m = len(ut)
    ev_times = np.flatnonzero(np.bincount(idx[dead], minlength=m) > 0)
    nd = np.bincount(idx[dead], minlength=m)[ev_times].astype(float)
    dw = np.bincount(idx[dead], weights=w[dead], minlength=m)[ev_times]
    xx = x[:, :, None] * x[:, None, :]
    xsum_d = sum_by_time(idx[dead], w[dead, None] * x[dead], m)[ev_times]
    efron = ties == "efron"

    def fun(beta: np.ndarray, by_time: bool = False) -> Partial:
        eta = x @ beta
        r = w * np.exp(eta)
        risk = at_risk_moments(idx, m, r, x, xx).take(ev_times)
        tied = moments_by_time(idx[dead], m, r[dead], x[dead], xx[dead]).take(ev_times)
        etas = np.bincount(idx[dead], weights=w[dead] * eta[dead], minlength=m)[ev_times]
        return partial(risk, tied, nd, dw, xsum_d, etas, efron, by_time=by_time)

    beta, _, iters = newton_raphson(fun, p, model="Cox model")
    check_divergence(beta, dm, model="Cox model")
    fit = fun(beta, by_time=True)
    inv = np.linalg.inv(fit.info)
    vcov = inv
    if robust:
        res = score_residuals(fit, x, np.exp(x @ beta), dead, idx, m, ev_times)
        vcov = sandwich(fit.info, w[:, None] * res.residuals)
    zph = _zph(dead, x, w, fit, ev_times, idx)
    zph.index = pd.Index(names, name="term")
    coef = coefficient_table(beta, np.sqrt(np.diag(vcov)), names, alpha=alpha,
                             scale="hazard ratio", alias="hr")
    return RegressionResult(
        coef=coef, vcov=pd.DataFrame(vcov, index=names, columns=names), alpha=alpha,
        model="cox", ties=ties, cause=cause, n=n, n_events=int(dead.sum()), loglik=fit.loglik,
        iterations=iters, zph=zph,
        attrs=result_attrs(df, cause=cause, note="cause-specific: other causes censored",
                           variance="robust sandwich" if robust else "model-based",
                           reference=dm.reference))


def _zph(dead: np.ndarray, x: np.ndarray, w: np.ndarray, fit: Partial, ev_times: np.ndarray,
         idx: np.ndarray) -> pd.DataFrame:
    """Score test per covariate for ``x * g(t)`` (``cox.zph``, km transform, terms=FALSE)."""
    m = idx.max() + 1
    # left-continuous KM of all events (unweighted counts of deaths as in cox.zph)
    n_at = reverse_cumsum(np.bincount(idx, minlength=m).astype(float))
    n_d = np.bincount(idx[dead], minlength=m).astype(float)
    g_time = 1 - left_continuous(product_limit(n_at, n_d))[ev_times]
    nd = n_d[ev_times]
    g = g_time - np.sum(g_time * nd) / nd.sum()
    xsum = sum_by_time(idx[dead], w[dead, None] * x[dead], m)[ev_times]
    dwt = np.bincount(idx[dead], weights=w[dead], minlength=m)[ev_times]
    u_t = xsum - dwt[:, None] * fit.xbar_d          # score contribution at each event time
    imat = fit.info_by_time
    assert imat is not None
    u = (g[:, None] * u_t).sum(axis=0)
    i12 = np.einsum("t,tab->ab", g, imat)
    i22 = np.einsum("t,tab->ab", g ** 2, imat)
    i11_inv = np.linalg.inv(imat.sum(axis=0))
    rows = []
    for a in range(x.shape[1]):
        v = i22[a, a] - i12[:, a] @ i11_inv @ i12[:, a]
        chisq = u[a] ** 2 / v
        rows.append((chisq, 1, stats.chi2.sf(chisq, 1)))
    return pd.DataFrame(rows, columns=["chisq", "df", "p"])
