"""Fine–Gray subdistribution hazard regression, O(n log n) without expanding the data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

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
    shifted_cumsum,
    sum_by_time,
)
from kow_research.survival.partial_likelihood import (
    Partial,
    at_risk_moments,
    exited_before_moments,
    moments_by_time,
    partial,
    sandwich,
    score_residuals,
)
from kow_research.survival.results import RegressionResult

TIES = ("breslow", "efron")


@positional_deprecated("duration", "event", "covariates", "cause", "ties", "weights", "alpha",
                       "causes")
def fine_gray(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
              covariates: Sequence[str] = (), cause: int = 1, ties: str = "breslow",
              weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
              causes: Sequence[int] | None = None, alpha: float = 0.05,
              reference: Mapping[str, Any] | None = None,
              event_codes: Mapping[Any, int] | None = None) -> RegressionResult:
    r"""Fine–Gray proportional subdistribution hazards model for ``cause``.

    People who had a competing event stay in the risk set after their event with weight
    :math:`\hat G(t-)/\hat G(T_i-)`, :math:`\hat G` the Kaplan–Meier estimate of the
    censoring distribution. The risk-set sums at each event time are

    .. math::

        S_r(t) = \sum_{T_i \ge t} w_i e^{\beta' x_i} x_i^{\otimes r} + \hat G(t-)
        \sum_{T_i < t,\ \epsilon_i \notin \{0, k\}} \frac{w_i e^{\beta' x_i}}{\hat G(T_i-)}
        x_i^{\otimes r},

    i.e. cumulative sums in time order (O(n log n); the counting-process data set is never
    built). ``ties="breslow"`` maximises the Breslow partial likelihood and uses the Fine–Gray
    (1999) sandwich :math:`I^{-1}\{\sum_i w_i^2 (\eta_i + \psi_i)^{\otimes 2}\} I^{-1}`,
    including the term :math:`\psi_i` for the estimated :math:`\hat G`: identical to
    ``cmprsk::crr``. ``ties="efron"`` uses Efron's approximation and the robust sandwich
    without :math:`\psi_i`, identical to ``survival::finegray`` + ``coxph(..., cluster(id))``.
    With ``weights`` (case weights, e.g. IPTW) the same formulas are used with weighted sums
    and a weighted :math:`\hat G` (robust SE).

    :math:`e^\beta` is a *subdistribution* hazard ratio: above 1 means a higher cumulative
    incidence of ``cause`` over time (the competing events counted as staying event-free).

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Event codes: 0 = censored, ``cause`` = event of interest, other codes > 0 competing.
    covariates : sequence of str
        Numeric, boolean, text or categorical columns (categories become indicators against
        the reference level, see :func:`kow_research.survival.design.design_matrix`).
    cause : int, default 1
    ties : {"breslow", "efron"}, default "breslow"
    weights : str or array_like, optional
        Case weights (> 0).
    causes : sequence of int, optional
        Declared event codes; any other non-zero code raises.
    alpha : float, default 0.05
        1 - confidence level.
    reference : mapping, optional
        Reference level per categorical covariate.
    event_codes : mapping, optional
        Raw code → 0 (censored) or a cause (see :func:`kaplan_meier`).

    Returns
    -------
    RegressionResult
        ``coef``/``summary`` with ``scale = "subdistribution hazard ratio"`` (Wald).

    Raises
    ------
    SeparationError
        A level of a covariate whose people have no event of ``cause`` (e.g. only competing
        events), so that its coefficient is infinite.

    References
    ----------
    Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a
    competing risk. JASA 94:496-509. Gray RJ, cmprsk (``crr``). Therneau TM, Crowson C,
    Atkinson E, *Multi-state models and competing risks* (``finegray``).

    Examples
    --------
    >>> d = pd.DataFrame({"time": [2, 3, 4, 5, 6, 7, 8, 9], "event": [1, 2, 0, 1, 1, 2, 1, 1],
    ...                   "x": [1, 0, 1, 0, 1, 0, 0, 1]})
    >>> round(float(fine_gray(d, covariates=["x"]).summary.loc["x", "hr"]), 4)
    2.5774
    """
    check_choice("ties", ties, TIES)
    alpha = check_alpha(alpha)
    data = prepare(df, duration, event, weights, causes=causes, event_codes=event_codes)
    dm = design_matrix(df, covariates, reference=reference)
    if not (data.event == cause).any():
        raise ValueError(f"{event}: no events with code {cause}; nothing to model")
    check_separation(dm, (data.event == cause).astype(float), model="Fine-Gray model",
                     outcome_name=f"events of cause {cause}")
    order = np.argsort(data.time, kind="stable")
    t, ev, w, x = data.time[order], data.event[order], data.weight[order], dm.x[order]
    n, p = x.shape
    ut, idx = np.unique(t, return_inverse=True)
    m = len(ut)
    is_k = ev == cause
    comp = (ev > 0) & ~is_k
    cens = ev == 0
    y_w = reverse_cumsum(np.bincount(idx, weights=w, minlength=m))
    c_w = np.bincount(idx[cens], weights=w[cens], minlength=m)
    # censoring distribution G: Kaplan-Meier of the censorings; finegray (efron) lets events
    # precede censorings at the same time
    y_g = y_w - np.bincount(idx[~cens], weights=w[~cens], minlength=m) if ties == "efron" \
        else y_w
    g_left = left_continuous(product_limit(y_g, c_w))          # G(u_l -)
    if ties == "breslow" and ut[0] == 0:
        # crr evaluates G at time * (1 - 100 eps): for time 0 that is G(0), not G(0-)
        g_left[0] = product_limit(y_g, c_w)[0]
    g_subj = g_left[idx]
    ev_times = np.flatnonzero(np.bincount(idx[is_k], minlength=m) > 0)
    nd = np.bincount(idx[is_k], minlength=m)[ev_times].astype(float)
    dw = np.bincount(idx[is_k], weights=w[is_k], minlength=m)[ev_times]
    xx = x[:, :, None] * x[:, None, :]
    efron = ties == "efron"
    xsum_d = sum_by_time(idx[is_k], w[is_k, None] * x[is_k], m)[ev_times]

    def sums(beta: np.ndarray) -> tuple[Partial, np.ndarray, np.ndarray]:
        eta = x @ beta
        r = w * np.exp(eta)
        rc = np.where(comp, r / g_subj, 0.0)
        risk = at_risk_moments(idx, m, r, x, xx) + \
            exited_before_moments(idx, m, rc, x, xx).scaled(g_left)
        tied = moments_by_time(idx[is_k], m, r[is_k], x[is_k], xx[is_k]).take(ev_times)
        etas = np.bincount(idx[is_k], weights=w[is_k] * eta[is_k], minlength=m)[ev_times]
        part = partial(risk.take(ev_times), tied, nd, dw, xsum_d, etas, efron)
        return part, risk.s0, eta

    beta, _, iters = newton_raphson(lambda b: sums(b)[0], p, model="Fine-Gray model")
    check_divergence(beta, dm, model="Fine-Gray model")
    part, s0_all, eta = sums(beta)
    # score residuals: the Cox-type part, plus the competing subjects' time in the risk set
    # after their event, plus (breslow) psi for the estimated censoring distribution
    e = np.exp(eta)
    base = score_residuals(part, x, e, is_k, idx, m, ev_times)
    h0, h1 = base.h0, base.h1
    after0 = (reverse_cumsum(g_left * h0) - g_left * h0)[idx]     # event times after T_i
    after1 = (reverse_cumsum(g_left[:, None] * h1) - g_left[:, None] * h1)[idx]
    haz_c = (x * after0[:, None] - after1) / g_subj[:, None]
    resid = base.residuals - e[:, None] * np.where(comp[:, None], haz_c, 0.0)
    if ties == "breslow":
        # psi_i: correction for the estimated censoring distribution (Fine & Gray 1999)
        rc = np.where(comp, e * w / g_subj, 0.0)
        c0 = shifted_cumsum(np.bincount(idx, weights=rc, minlength=m))
        c1 = shifted_cumsum(sum_by_time(idx, rc[:, None] * x, m))
        fac = np.zeros(m)
        fac[ev_times] = dw * g_left[ev_times] / s0_all[ev_times]
        xbar = np.zeros((m, p))
        xbar[ev_times] = part.h1 / part.h0[:, None]
        q = c1 * reverse_cumsum(fac)[:, None] - c0[:, None] * reverse_cumsum(
            fac[:, None] * xbar)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(y_w[:, None] > 0, c_w[:, None] * q / y_w[:, None] ** 2, 0.0)
            own = np.where(y_w[:, None] > 0, q / y_w[:, None], 0.0)
        resid = resid - np.cumsum(step, axis=0)[idx] + np.where(cens[:, None], own[idx], 0.0)
    vcov = sandwich(part.info, w[:, None] * resid)
    coef = coefficient_table(beta, np.sqrt(np.diag(vcov)), dm.names, alpha=alpha,
                             scale="subdistribution hazard ratio", alias="hr")
    return RegressionResult(
        coef=coef, vcov=pd.DataFrame(vcov, index=dm.names, columns=dm.names), alpha=alpha,
        model="fine_gray", ties=ties, cause=cause, n=n, n_events=int(is_k.sum()),
        loglik=part.loglik, iterations=iters,
        attrs=result_attrs(df, cause=cause, competing=[c for c in data.causes if c != cause],
                           variance="Fine-Gray sandwich with G-hat term" if ties == "breslow"
                           else "robust sandwich (finegray + coxph)", reference=dm.reference))
