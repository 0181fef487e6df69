"""Sample size with a competing event (dropout): subdistribution and cause-specific hazards."""

from __future__ import annotations

import math
from typing import Any

from scipy import integrate

from kow_research.design._common import check_hazard_ratio, check_number, check_power
from kow_research.design.analytic import event_design, probability_of_event
from kow_research.design.results import SampleSizeResult, registered


def probability_of_subdistribution_event(hazard: float, *, competing_hazard: float,
                                         accrual: float, follow_up: float, hr: float = 1.0,
                                         loss_hazard: float = 0.0) -> float:
    r"""Probability of an observed event of interest when the arm's cumulative incidence is
    the control arm's shifted by a subdistribution hazard ratio.

    The control arm has exponential cause-specific hazards :math:`\lambda` (event of
    interest) and :math:`\kappa` (competing event), so its cumulative incidence is
    :math:`F_0(u) = \frac{\lambda}{\lambda+\kappa}(1 - e^{-(\lambda+\kappa)u})`. Under
    proportional subdistribution hazards with ratio :math:`\theta` (Fine & Gray 1999) the
    arm's cumulative incidence is :math:`F(u) = 1 - (1 - F_0(u))^\theta`. With uniform accrual
    over :math:`[0, A]`, analysis at :math:`A + F` and exponential loss to follow-up
    :math:`\eta`,

    .. math::

        \psi = \int_0^{A+F} e^{-\eta u}\, w(u)\, dF(u), \qquad
        w(u) = \min\Bigl(1, \frac{A + F - u}{A}\Bigr),

    :math:`w(u)` the fraction of participants followed for at least :math:`u` months,
    evaluated by adaptive quadrature (``scipy.integrate.quad``). For :math:`\theta = 1` it
    equals :func:`~kow_research.design.probability_of_event` with ``competing_hazard``.

    Parameters
    ----------
    hazard : float
        The control arm's cause-specific hazard per month of the event of interest, > 0.
    competing_hazard : float
        The control arm's cause-specific hazard per month of the competing event, >= 0.
    accrual : float
        Length of the accrual period in months, >= 0.
    follow_up : float
        Additional follow-up after the last participant entered, in months, >= 0.
    hr : float, default 1
        Subdistribution hazard ratio of this arm relative to the control arm.
    loss_hazard : float, default 0
        Hazard of loss to follow-up per month.

    Returns
    -------
    float
        The probability :math:`\psi`.

    References
    ----------
    Fine JP, Gray RJ (1999). *JASA* 94:496-509. Latouche A, Porcher R, Chevret S (2004).
    *Stat Med* 23:3263-3274.

    Examples
    --------
    With :math:`\theta = 1` it is the closed form of
    :func:`~kow_research.design.probability_of_event`, :math:`\frac{0.05}{0.07}[1 -
    e^{-0.84}(1 - e^{-0.84})/0.84] = 0.7143 \cdot 0.7079`:

    >>> round(probability_of_subdistribution_event(0.05, competing_hazard=0.02, accrual=12,
    ...                                            follow_up=12), 4)
    0.5057

    With :math:`\theta = 1.5` (a sum over a grid of 2 million steps of :math:`w(u)\,\Delta
    F(u)` gives the same 0.6511):

    >>> round(probability_of_subdistribution_event(0.05, competing_hazard=0.02, accrual=12,
    ...                                            follow_up=12, hr=1.5), 4)
    0.6511
    """
    lam = check_number("hazard", hazard, low=0.0, hint="per month")
    kappa = check_number("competing_hazard", competing_hazard, low=0.0, low_open=False,
                         hint="per month")
    a = check_number("accrual", accrual, low=0.0, low_open=False, hint="months")
    f = check_number("follow_up", follow_up, low=0.0, low_open=False, hint="months")
    theta = check_number("hr", hr, low=0.0, hint="a subdistribution hazard ratio")
    eta = check_number("loss_hazard", loss_hazard, low=0.0, low_open=False, hint="per month")
    if a + f <= 0:
        raise ValueError("accrual + follow_up must be > 0 months; nobody would be followed")
    total = lam + kappa
    p1 = lam / total

    def density(u: float) -> float:   # e^{-eta u} dF/du
        surv0 = 1.0 - p1 * (-math.expm1(-total * u))      # 1 - F_0(u)
        return math.exp(-eta * u) * theta * surv0 ** (theta - 1) * lam * math.exp(-total * u)

    inner = integrate.quad(density, 0.0, f, epsabs=1e-13, epsrel=1e-11)[0] if f > 0 else 0.0
    if a > 0:
        inner += integrate.quad(lambda u: density(u) * (a + f - u) / a, f, a + f,
                                epsabs=1e-13, epsrel=1e-11)[0]
    return inner


@registered
def sample_size_subdistribution(*, hr: float, hazard_control: float, competing_hazard: float,
                                accrual: float, follow_up: float, loss_hazard: float = 0.0,
                                alpha: float = 0.05, power: float = 0.8,
                                allocation: float = 0.5, alternative: str = "two-sided",
                                cluster_size: float | None = None, icc: float = 0.0,
                                cluster_cv: float = 0.0,
                                n_total: int | None = None) -> SampleSizeResult:
    r"""Participants needed to detect a subdistribution hazard ratio (Fine-Gray) of paid work
    with dropout as a competing event.

    Latouche, Porcher & Chevret (2004): Schoenfeld's number of events for the
    subdistribution hazard ratio :math:`\theta`, divided by the probability :math:`\psi`
    that a participant's event of interest is observed,

    .. math::

        N = \frac{(z_{1-\alpha/2} + z_{1-\beta})^2}{r(1-r)\,(\log\theta)^2\,\psi}\cdot
            \mathrm{DE}, \qquad \psi = r\psi_1 + (1 - r)\psi_0,

    :math:`\psi_0, \psi_1` from :func:`probability_of_subdistribution_event` (control arm
    with exponential cause-specific hazards of paid work and of dropout; programme arm its
    cumulative incidence shifted by :math:`\theta`; uniform accrual, exponential loss to
    follow-up). The events are rounded up before dividing, each arm after. With ``n_total``
    the power of that design is computed instead.

    Parameters
    ----------
    hr : float
        Subdistribution hazard ratio of paid work (programme vs control), > 0, != 1.
    hazard_control : float
        Control arm's cause-specific hazard of paid work per month.
    competing_hazard : float
        Control arm's cause-specific hazard of dropout per month.
    accrual : float
        Accrual period in months.
    follow_up : float
        Additional follow-up after the last participant entered, in months.
    loss_hazard : float, default 0
        Hazard of loss to follow-up per month.
    alpha : float, default 0.05
        Significance level.
    power : float, default 0.8
        Target power, in (0, 1) (ignored with ``n_total``).
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        Alternative hypothesis of the test.
    cluster_size : float, optional
        Mean number of participants per cluster, for delivery in clusters (see
        :func:`~kow_research.design.design_effect`).
    icc : float, default 0
        Intracluster correlation (with ``cluster_size``).
    cluster_cv : float, default 0
        Coefficient of variation of the cluster sizes (with ``cluster_size``).
    n_total : int, optional
        Given total number of participants: solve for power instead of n.

    Returns
    -------
    SampleSizeResult
        ``events``, ``n_treated``, ``n_control``, ``power``; ``table`` holds :math:`\psi`
        and the expected events per arm.

    References
    ----------
    Latouche A, Porcher R, Chevret S (2004). Sample size formula for proportional hazards
    modelling of competing risks. *Stat Med* 23:3263-3274. Schoenfeld DA (1983).
    *Biometrics* 39:499-503.

    Examples
    --------
    191 events (as :func:`~kow_research.design.events_for_hazard_ratio` at HR 1.5), divided by
    :math:`\psi = (0.6511 + 0.5057) / 2 = 0.5784`: 330.2, 165.1 per arm:

    >>> res = sample_size_subdistribution(hr=1.5, hazard_control=0.05, competing_hazard=0.02,
    ...                                   accrual=12, follow_up=12)
    >>> res.events, res.n_per_arm
    (191, (166, 166))
    """
    args = {k: v for k, v in locals().items()}
    theta = check_hazard_ratio("hr", hr)
    if n_total is None:
        check_power(power)
    common = {"competing_hazard": competing_hazard, "accrual": accrual, "follow_up": follow_up,
              "loss_hazard": loss_hazard}
    psi = (probability_of_subdistribution_event(hazard_control, hr=theta, **common),
           probability_of_subdistribution_event(hazard_control, **common))
    return event_design(
        outcome="competing_subdistribution", function="sample_size_subdistribution",
        arguments=args, hr=theta, psi=psi, alpha=alpha,
        power=None if n_total is not None else power, allocation=allocation,
        method="schoenfeld", alternative=alternative, n_total=n_total,
        cluster_size=cluster_size, icc=icc, cluster_cv=cluster_cv,
        extra={"hazard_control": float(hazard_control),
               "competing_hazard": float(competing_hazard), "accrual": float(accrual),
               "follow_up": float(follow_up), "loss_hazard": float(loss_hazard),
               "estimand": "subdistribution hazard ratio (Fine-Gray)"})


@registered
def sample_size_cause_specific(*, hr: float, hazard_control: float, competing_hazard: float,
                               accrual: float, follow_up: float, competing_hr: float = 1.0,
                               loss_hazard: float = 0.0, alpha: float = 0.05,
                               power: float = 0.8, allocation: float = 0.5,
                               method: str = "schoenfeld", alternative: str = "two-sided",
                               cluster_size: float | None = None, icc: float = 0.0,
                               cluster_cv: float = 0.0,
                               n_total: int | None = None) -> SampleSizeResult:
    r"""Participants needed to detect a cause-specific hazard ratio of paid work when dropout
    competes with it.

    The events of paid work needed, :math:`D` (Schoenfeld or Freedman, see
    :func:`~kow_research.design.events_for_hazard_ratio`), divided by the probability of an
    observed paid-work event, with exponential cause-specific hazards of paid work
    (:math:`\lambda_0`, programme :math:`\lambda_0\,\mathrm{HR}`), dropout (:math:`\kappa`,
    programme :math:`\kappa\,\mathrm{HR}_\kappa`) and loss to follow-up :math:`\eta`
    (Pintilie 2002; Schulgen et al. 2005):

    .. math::

        N = \frac{D\cdot\mathrm{DE}}{r P_1 + (1-r) P_0}, \qquad
        P = \frac{\lambda}{\Lambda}\Bigl[1 - \frac{e^{-\Lambda F} - e^{-\Lambda (A+F)}}
        {\Lambda A}\Bigr], \quad \Lambda = \lambda + \kappa + \eta,

    the probability of :func:`~kow_research.design.probability_of_event` with the
    competing hazard. Dropout lowers the probability of observing paid work and so raises
    :math:`N`, not :math:`D`. With ``n_total`` the power of that design is computed instead.

    Parameters
    ----------
    hr : float
        Cause-specific hazard ratio of paid work (programme vs control), > 0, != 1.
    hazard_control : float
        Control arm's cause-specific hazard of paid work per month.
    competing_hazard : float
        Control arm's cause-specific hazard of dropout per month.
    accrual : float
        Accrual period in months.
    follow_up : float
        Additional follow-up after the last participant entered, in months.
    competing_hr : float, default 1
        Programme effect on the dropout hazard (1: the programme does not change dropout).
    loss_hazard : float, default 0
        Hazard of loss to follow-up per month.
    alpha : float, default 0.05
        Significance level.
    power : float, default 0.8
        Target power, in (0, 1) (ignored with ``n_total``).
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    method : {"schoenfeld", "freedman"}, default "schoenfeld"
        Formula for the events, as in :func:`~kow_research.design.events_for_hazard_ratio`.
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        Alternative hypothesis of the test.
    cluster_size : float, optional
        Mean number of participants per cluster, for delivery in clusters (see
        :func:`~kow_research.design.design_effect`).
    icc : float, default 0
        Intracluster correlation (with ``cluster_size``).
    cluster_cv : float, default 0
        Coefficient of variation of the cluster sizes (with ``cluster_size``).
    n_total : int, optional
        Given total number of participants: solve for power instead of n.

    Returns
    -------
    SampleSizeResult
        ``events``, ``n_treated``, ``n_control``, ``power``; ``table`` holds the probability
        of an observed paid-work event and the expected events per arm.

    References
    ----------
    Pintilie M (2002). Dealing with competing risks: testing covariates and calculating
    sample size. *Stat Med* 21:3317-3324. Schulgen G, Olschewski M, Krane V, Wanner C, Ruf G,
    Schumacher M (2005). Sample sizes for clinical trials with time-to-event endpoints and
    competing risks. *Contemp Clin Trials* 26:386-396. Schoenfeld DA (1983). *Biometrics*
    39:499-503.

    Examples
    --------
    191 events divided by :math:`(P_1 + P_0)/2 = (0.6388 + 0.5057)/2`, with :math:`P_1 =
    \frac{0.075}{0.095}[1 - e^{-1.14}(1 - e^{-1.14})/1.14]`: 333.8, 166.9 per arm:

    >>> res = sample_size_cause_specific(hr=1.5, hazard_control=0.05, competing_hazard=0.02,
    ...                                  accrual=12, follow_up=12)
    >>> res.events, res.n_per_arm
    (191, (167, 167))
    """
    args = {k: v for k, v in locals().items()}
    h = check_hazard_ratio("hr", hr)
    hk = check_number("competing_hr", competing_hr, low=0.0, hint="a hazard ratio of dropout")
    kappa = check_number("competing_hazard", competing_hazard, low=0.0, low_open=False,
                         hint="per month")
    lam0 = check_number("hazard_control", hazard_control, low=0.0, hint="per month")
    if n_total is None:
        check_power(power)
    common = {"accrual": accrual, "follow_up": follow_up, "loss_hazard": loss_hazard}
    psi = (probability_of_event(lam0 * h, competing_hazard=kappa * hk, **common),
           probability_of_event(lam0, competing_hazard=kappa, **common))
    extra: dict[str, Any] = {
        "hazard_control": lam0, "hazard_treated": lam0 * h, "competing_hazard": kappa,
        "competing_hr": hk, "accrual": float(accrual), "follow_up": float(follow_up),
        "loss_hazard": float(loss_hazard), "estimand": "cause-specific hazard ratio"}
    return event_design(
        outcome="competing_cause_specific", function="sample_size_cause_specific",
        arguments=args, hr=h, psi=psi, alpha=alpha,
        power=None if n_total is not None else power, allocation=allocation, method=method,
        alternative=alternative, n_total=n_total, cluster_size=cluster_size, icc=icc,
        cluster_cv=cluster_cv, extra=extra)
