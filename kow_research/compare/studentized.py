"""Studentized (bootstrap-t) limits per cohort and their combination into limits for a
difference or a ratio (MOVER): the default ``ci="studentized"`` of
:func:`kow_research.compare.compare_outcomes`."""

from __future__ import annotations

import numpy as np

from kow_research.compare.benchmark import clopper_pearson


def studentized_limits(replicates: np.ndarray, replicate_se: np.ndarray, estimate: np.ndarray,
                       se: np.ndarray, *, alpha: float = 0.05,
                       upper_bound: np.ndarray | float = np.inf
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Bootstrap-t limits, per column.

    Each replicate :math:`b` is studentized by its own standard error,
    :math:`T^*_b = (\hat\phi^*_b - \hat\phi) / \widehat{\mathrm{se}}(\hat\phi^*_b)`, and
    the limits are

    .. math::

        \bigl[\hat\phi - T^*_{(1-\alpha/2)}\,\widehat{\mathrm{se}}(\hat\phi),\;
        \hat\phi - T^*_{(\alpha/2)}\,\widehat{\mathrm{se}}(\hat\phi)\bigr]

    with :math:`T^*_{(q)}` the :math:`q` quantile of the :math:`T^*_b` (linear interpolation)
    and :math:`\widehat{\mathrm{se}}(\hat\phi)` the same SE formula on the full data
    (Efron & Tibshirani 1993, ch. 12; Hall 1988). Unlike the percentile interval this follows
    a standard error that moves with the estimate — a weighted risk that comes out low also
    gets a small SE — which is what made the percentile intervals of weighted risks miss on
    one side.

    A quantity that lies in :math:`[0, b]` (a risk, :math:`b = 1`; a restricted mean time up
    to :math:`\tau`, :math:`b = \tau`) is studentized on the arcsine-square-root scale,
    :math:`\phi = \arcsin\sqrt{\theta / b}` with :math:`\widehat{\mathrm{se}}(\hat\phi) =
    \widehat{\mathrm{se}}(\hat\theta) / (2 b \sqrt{p (1 - p)})`, :math:`p = \hat\theta/b`
    (the delta method), and the limits are transformed back: the scale on which a proportion's
    SE does not depend on the proportion, so :math:`T^*` stays bounded when an arm has few
    events (on the natural scale a replicate with a risk near 0 has an SE near 0 and a huge
    :math:`T^*`) and the limits stay inside :math:`[0, b]`. Without a bound (a mean) the
    natural scale is used. A replicate with SE 0 that differs from the estimate (a resample
    without any event of a cohort that has some, or with every person's event) cannot be
    studentized: such a column gets the percentile limits instead, flagged in the third
    return value. NaN replicates are left out.

    Parameters
    ----------
    replicates, replicate_se : ndarray, shape (B, k)
        Bootstrap replicates and each replicate's own SE.
    estimate, se : ndarray, shape (k,)
        Full-data estimates and their SE (the same formula as ``replicate_se``).
    alpha : float, default 0.05
        1 - confidence level.
    upper_bound : ndarray or float, default inf
        Per column, the largest possible value :math:`b` of a quantity in :math:`[0, b]`
        (arcsine-square-root scale); ``inf``: unbounded (natural scale).

    Returns
    -------
    (lower, upper, percentile) : tuple of ndarray, each shape (k,)
        The limits (NaN for a column with fewer than two usable replicates or a NaN estimate
        or SE) and, boolean, the columns that fell back to percentile limits.

    References
    ----------
    Efron B, Tibshirani RJ (1993). An Introduction to the Bootstrap, ch. 12 (the
    variance-stabilised bootstrap-t). Chapman & Hall. Hall P (1988). Theoretical comparison
    of bootstrap confidence intervals. Ann Stat 16:927-953.

    Examples
    --------
    Four replicates of a mean 0.2 with SE 0.1 (unbounded); the :math:`T^*` are -1, 0, 1 and
    3, so the 25 % and 75 % quantiles are -0.25 and 1.5 and the 50 % limits
    :math:`0.2 - 1.5 \cdot 0.1` and :math:`0.2 + 0.25 \cdot 0.1`:

    >>> reps = np.array([[0.1], [0.2], [0.3], [0.35]])
    >>> ses = np.array([[0.1], [0.1], [0.1], [0.05]])
    >>> lo, hi, pct = studentized_limits(reps, ses, np.array([0.2]), np.array([0.1]),
    ...                                  alpha=0.5)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4), bool(pct[0])
    (0.05, 0.225, False)
    """
    reps = np.asarray(replicates, dtype=float)
    sd = np.asarray(replicate_se, dtype=float)
    est = np.asarray(estimate, dtype=float)
    s = np.asarray(se, dtype=float)
    k = reps.shape[1]
    bound = np.broadcast_to(np.asarray(upper_bound, dtype=float), (k,))
    lower, upper = np.full(k, np.nan), np.full(k, np.nan)
    percentile = np.zeros(k, dtype=bool)
    for c in range(k):
        ok = np.isfinite(reps[:, c]) & np.isfinite(sd[:, c])
        if ok.sum() < 2 or not (np.isfinite(est[c]) and np.isfinite(s[c])):
            continue
        b = bound[c]
        phi, phi_se = _scale(reps[ok, c], sd[ok, c], b)
        phi0, phi0_se = _scale(est[c:c + 1], s[c:c + 1], b)
        dev = phi - phi0[0]
        if not (np.isfinite(phi0_se[0]) and np.isfinite(phi_se).all()) or phi0_se[0] == 0 \
                or np.any((phi_se == 0) & (dev != 0)):
            # no spread in the data, or a replicate that cannot be studentized
            percentile[c] = s[c] > 0 or np.any(dev != 0)
            lower[c], upper[c] = np.quantile(reps[ok, c], [alpha / 2, 1 - alpha / 2])
            continue
        tstat = np.where(phi_se > 0, dev / np.where(phi_se > 0, phi_se, 1.0), 0.0)
        q = np.quantile(tstat, [alpha / 2, 1 - alpha / 2])
        lims = np.array([phi0[0] - q[1] * phi0_se[0], phi0[0] - q[0] * phi0_se[0]])
        lower[c], upper[c] = _unscale(lims, b)
    return lower, upper, percentile


#: a cohort's risk with fewer effective events than this gets Korn-Graubard limits
MIN_EFFECTIVE_EVENTS = 10


def effective_events(weights: np.ndarray) -> float:
    r"""Kish's effective number of the weighted events :math:`(\sum w)^2 / \sum w^2` (the
    number of equally weighted events that carry as much information; 0 without events).

    Parameters
    ----------
    weights : ndarray
        The weights of the events.

    Returns
    -------
    float

    Examples
    --------
    >>> effective_events(np.array([1.0, 1.0, 1.0])), effective_events(np.array([3.0, 1.0]))
    (3.0, 1.6)
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if len(w) and (w ** 2).sum() > 0 else 0.0


def korn_graubard_limits(estimate: np.ndarray, se: np.ndarray, ess: np.ndarray, *,
                         alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    r"""Clopper-Pearson limits of weighted risks at an effective sample size (Korn & Graubard
    1998): the interval for sparse risks in :func:`compare_outcomes`' studentized intervals.

    With the risk :math:`\hat p` and its (bootstrap) SE, the effective sample size is the
    number of independent binary outcomes that would give that SE,
    :math:`n^* = \hat p (1 - \hat p) / \widehat{\mathrm{se}}^2`, at most the cohort's Kish
    effective sample size ``ess`` (weights never add information), and the limits are the
    Clopper-Pearson limits of :math:`x^* = n^* \hat p` events in :math:`n^*` trials
    (:func:`~kow_research.compare.clopper_pearson`). When :math:`\hat p` is 0 or 1 or the SE
    is 0, :math:`n^*` = ``ess``. A beta interval does not depend on a bootstrap-t's tail: with
    few events the :math:`T^*` of a weighted risk is heavy-tailed (a resample with one
    low-weight event has a tiny SE) and the bootstrap-t upper limit runs away.

    Parameters
    ----------
    estimate, se, ess : ndarray
        Risks, their SEs and the cohorts' effective sample sizes.
    alpha : float, default 0.05

    Returns
    -------
    (lower, upper) : tuple of ndarray

    References
    ----------
    Korn EL, Graubard BI (1998). Confidence intervals for proportions with small expected
    number of positive counts estimated from survey data. Survey Methodology 24:193-201.

    Examples
    --------
    A risk of 0.1 with SE 0.03 is worth n* = 100 trials (10 events); with a Kish size of 50
    it is capped at 50 (5 events):

    >>> lo, hi = korn_graubard_limits(np.array([0.1, 0.1]), np.array([0.03, 0.03]),
    ...                               np.array([500.0, 50.0]))
    >>> [round(float(v), 4) for v in (lo[0], hi[0], lo[1], hi[1])]
    [0.049, 0.1762, 0.0333, 0.2181]
    """
    est = np.atleast_1d(np.asarray(estimate, dtype=float))
    sd = np.broadcast_to(np.asarray(se, dtype=float), est.shape)
    size = np.broadcast_to(np.asarray(ess, dtype=float), est.shape)
    lower, upper = np.full(est.shape, np.nan), np.full(est.shape, np.nan)
    for i, (p, s, n) in enumerate(zip(est, sd, size, strict=True)):
        if not (np.isfinite(p) and np.isfinite(n) and n > 0):
            continue
        inner = p * (1 - p)
        n_star = min(inner / s ** 2, n) if inner > 0 and np.isfinite(s) and s > 0 else n
        lower[i], upper[i] = clopper_pearson(n_star * p, n_star, alpha=alpha)
    return lower, upper


def _scale(theta: np.ndarray, se: np.ndarray, bound: float) -> tuple[np.ndarray, np.ndarray]:
    """``theta`` and its SE on the arcsine-square-root scale of ``theta / bound`` (delta
    method; SE 0 stays 0, a value on the bound with SE > 0 gets an infinite SE); unchanged
    when ``bound`` is infinite."""
    if not np.isfinite(bound):
        return theta, se
    p = np.clip(theta / bound, 0.0, 1.0)
    inner = np.sqrt(p * (1 - p))
    with np.errstate(divide="ignore", invalid="ignore"):
        phi_se = np.where(se == 0, 0.0, np.where(inner > 0, se / (2 * bound * inner), np.inf))
    return np.arcsin(np.sqrt(p)), phi_se


def _unscale(phi: np.ndarray, bound: float) -> np.ndarray:
    """Back from the arcsine-square-root scale (limits beyond [0, pi/2] clipped to it)."""
    if not np.isfinite(bound):
        return phi
    return bound * np.sin(np.clip(phi, 0.0, np.pi / 2)) ** 2


def mover_limits(est1: np.ndarray, lower1: np.ndarray, upper1: np.ndarray, est0: np.ndarray,
                 lower0: np.ndarray, upper0: np.ndarray, rho: np.ndarray | float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    r"""Limits for a difference :math:`\theta_1 - \theta_0` recovered from limits for each
    (the method of variance estimates recovery, MOVER; Zou & Donner 2008).

    .. math::

        L = \hat\theta_1 - \hat\theta_0 - \sqrt{(\hat\theta_1 - l_1)^2 + (u_0 - \hat\theta_0)^2
            - 2\rho(\hat\theta_1 - l_1)(u_0 - \hat\theta_0)},

        U = \hat\theta_1 - \hat\theta_0 + \sqrt{(u_1 - \hat\theta_1)^2 + (\hat\theta_0 - l_0)^2
            - 2\rho(u_1 - \hat\theta_1)(\hat\theta_0 - l_0)}

    With independent estimates :math:`\rho = 0`; :func:`compare_outcomes` passes the
    correlation of the two cohorts' replicates, which are linked through the refitted
    propensity model. Each side uses the side of each interval that matters for it, so an
    asymmetric per-cohort interval (a risk near 0) carries over to the difference. For a
    ratio, pass logarithms and exponentiate the result (MOVER-R).

    Parameters
    ----------
    est1, lower1, upper1 : ndarray
        Estimate and limits of :math:`\theta_1` (the treated).
    est0, lower0, upper0 : ndarray
        Estimate and limits of :math:`\theta_0` (the control).
    rho : ndarray or float, default 0
        Correlation of the two estimates.

    Returns
    -------
    (lower, upper) : tuple of ndarray

    References
    ----------
    Zou GY, Donner A (2008). Construction of confidence limits about effect measures: a
    general approach. Stat Med 27:1693-1702. Newcombe RG (1998). Interval estimation for
    the difference between independent proportions. Stat Med 17:873-890.

    Examples
    --------
    Symmetric limits :math:`\pm 1.96 \cdot 0.03` and :math:`\pm 1.96 \cdot 0.04`, independent:
    the Wald interval of the difference, :math:`0.1 \pm 1.96 \cdot 0.05`:

    >>> lo, hi = mover_limits(np.array([0.3]), np.array([0.3 - 0.0588]),
    ...                       np.array([0.3 + 0.0588]), np.array([0.2]),
    ...                       np.array([0.2 - 0.0784]), np.array([0.2 + 0.0784]))
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.002, 0.198)
    """
    e1, l1, u1 = (np.asarray(a, dtype=float) for a in (est1, lower1, upper1))
    e0, l0, u0 = (np.asarray(a, dtype=float) for a in (est0, lower0, upper0))
    r = np.asarray(rho, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        lower = e1 - e0 - _half_width(e1 - l1, u0 - e0, r)
        upper = e1 - e0 + _half_width(u1 - e1, e0 - l0, r)
    return lower, upper


def _half_width(a: np.ndarray, b: np.ndarray, r: np.ndarray) -> np.ndarray:
    """MOVER's square root; infinite when either side is (a limit of 0 on the log scale)."""
    inf = np.isinf(a) | np.isinf(b)
    a, b = np.where(inf, 0.0, a), np.where(inf, 0.0, b)
    return np.where(inf, np.inf, np.sqrt(np.clip(a ** 2 + b ** 2 - 2 * r * a * b, 0, None)))
