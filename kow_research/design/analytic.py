"""Analytic sample size and power for time to paid work, and the dispatchers
:func:`sample_size` and :func:`power` over every outcome of :mod:`kow_research.design`.

Times are in months and hazards per month throughout (a month is
``kow_research.core.DAYS_PER_MONTH`` days).
"""

from __future__ import annotations

import math
from typing import Any

from scipy import stats

from kow_research.core import check_alpha, check_choice
from kow_research.design._common import (
    arms_from_total,
    ceil_int,
    check_allocation,
    check_hazard_ratio,
    check_number,
    check_power,
    inflation,
    split_arms,
    z_alpha,
    z_beta,
)
from kow_research.design.results import SampleSizeResult, arm_table, registered

EVENT_METHODS = ("schoenfeld", "freedman")
OUTCOMES = ("proportion", "time", "competing_subdistribution", "competing_cause_specific",
            "ladder")


def _drift(hr: float, allocation: float, method: str) -> float:
    """Standardised effect per event: ``sqrt(D) * drift`` is the mean of the test statistic."""
    if method == "schoenfeld":
        return math.sqrt(allocation * (1 - allocation)) * abs(math.log(hr))
    rho = allocation / (1 - allocation)            # programme : control at risk (Freedman)
    return math.sqrt(rho) * abs(1 - hr) / (1 + rho * hr)


def events_for_hazard_ratio(hr: float, *, alpha: float = 0.05, power: float = 0.8,
                            allocation: float = 0.5, method: str = "schoenfeld",
                            alternative: str = "two-sided") -> int:
    r"""Events needed to detect a hazard ratio with the log-rank (or Cox score) test.

    Schoenfeld (1983), from the asymptotic distribution of the log-rank statistic under
    proportional hazards:

    .. math::

        D = \frac{(z_{1-\alpha/2} + z_{1-\beta})^2}{r(1-r)\,(\log \mathrm{HR})^2};

    Freedman (1982), assuming the ratio of numbers at risk stays at the allocation ratio
    :math:`\phi = r/(1-r)`:

    .. math::

        D = \frac{(z_{1-\alpha/2} + z_{1-\beta})^2\,(1 + \phi\,\mathrm{HR})^2}
                 {\phi\,(1-\mathrm{HR})^2},

    with :math:`r` the fraction allocated to the programme arm. ``alternative="one-sided"``
    uses :math:`z_{1-\alpha}`. Freedman's formula gives somewhat more events than
    Schoenfeld's; both are accurate for hazard ratios between about 0.5 and 2.

    Parameters
    ----------
    hr : float
        Hazard ratio to detect (programme vs control), > 0 and != 1.
    alpha : float, default 0.05
        Significance level.
    power : float, default 0.8
        Target power, in (0, 1).
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    method : {"schoenfeld", "freedman"}, default "schoenfeld"
        Sample size formula.
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        Alternative hypothesis of the test.

    Returns
    -------
    int
        The number of events, rounded up.

    Raises
    ------
    ValueError
        If ``hr`` is 1 or not positive, or another argument is outside its range.

    See Also
    --------
    power_for_events : the inverse.
    sample_size : participants from events, accrual and follow-up.

    References
    ----------
    Schoenfeld DA (1983). Sample-size formula for the proportional-hazards regression model.
    *Biometrics* 39:499-503. Freedman LS (1982). Tables of the number of patients required in
    clinical trials using the logrank test. *Stat Med* 1:121-129.

    Examples
    --------
    With :math:`(z_{0.975} + z_{0.8})^2 = 2.8016^2 = 7.8489`:

    >>> events_for_hazard_ratio(0.7)            # 7.8489 / (0.25 * 0.12722) = 246.8
    247
    >>> events_for_hazard_ratio(0.7, method="freedman")   # 7.8489 * 1.7**2 / 0.3**2 = 252.04
    253
    >>> events_for_hazard_ratio(1.5, allocation=2 / 3)    # 7.8489 / (2/9 * 0.16440) = 214.8
    215
    """
    h = check_hazard_ratio("hr", hr)
    p = check_power(power)
    r = check_allocation(allocation)
    check_choice("method", method, EVENT_METHODS)
    z = z_alpha(alpha, alternative) + z_beta(p)
    return ceil_int((z / _drift(h, r, method)) ** 2)


def power_for_events(hr: float, *, events: float, alpha: float = 0.05,
                     allocation: float = 0.5, method: str = "schoenfeld",
                     alternative: str = "two-sided") -> float:
    r"""Power of the log-rank test with a given number of events.

    The inverse of :func:`events_for_hazard_ratio`:

    .. math::

        1 - \beta = \Phi\bigl(\sqrt{D\,r(1-r)}\,\lvert\log \mathrm{HR}\rvert
                    - z_{1-\alpha/2}\bigr)

    (Schoenfeld), or with :math:`\sqrt{D\phi}\,\lvert 1-\mathrm{HR}\rvert/(1+\phi\mathrm{HR})`
    (Freedman). The far rejection region of a two-sided test is ignored, as in the sample
    size formula.

    Parameters
    ----------
    hr : float
        Hazard ratio (programme vs control), > 0 and != 1.
    events : float
        Number of events (may be an expected, non-integer number), > 0.
    alpha : float, default 0.05
        Significance level.
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    method : {"schoenfeld", "freedman"}, default "schoenfeld"
        Formula, as in :func:`events_for_hazard_ratio`.
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        Alternative hypothesis of the test.

    Returns
    -------
    float
        The power.

    References
    ----------
    Schoenfeld DA (1983). *Biometrics* 39:499-503. Freedman LS (1982). *Stat Med* 1:121-129.

    Examples
    --------
    >>> round(power_for_events(0.7, events=247), 4)   # Phi(sqrt(247 / 4) * 0.35667 - 1.95996)
    0.8003
    """
    h = check_hazard_ratio("hr", hr)
    d = check_number("events", events, low=0.0, hint="the number of events")
    r = check_allocation(allocation)
    check_choice("method", method, EVENT_METHODS)
    za = z_alpha(alpha, alternative)
    return float(stats.norm.cdf(math.sqrt(d) * _drift(h, r, method) - za))


def probability_of_event(hazard: float, *, accrual: float, follow_up: float,
                         loss_hazard: float = 0.0, competing_hazard: float = 0.0) -> float:
    r"""Probability that a participant's event is observed, under uniform accrual.

    Participants enter uniformly over :math:`[0, A]` and are followed until the analysis at
    :math:`A + F`, so the potential follow-up :math:`s` is uniform on :math:`[F, A + F]`.
    With exponential hazards :math:`\lambda` (the event), :math:`\kappa` (a competing event,
    e.g. dropout) and :math:`\eta` (loss to follow-up), and :math:`\Lambda = \lambda +
    \kappa + \eta`, the event is observed by :math:`s` with probability
    :math:`\frac{\lambda}{\Lambda}(1 - e^{-\Lambda s})`; averaged over :math:`s`,

    .. math::

        P = \frac{\lambda}{\Lambda}\Bigl[1 - \frac{e^{-\Lambda F} - e^{-\Lambda (A + F)}}
            {\Lambda A}\Bigr],

    and :math:`P = \frac{\lambda}{\Lambda}(1 - e^{-\Lambda F})` when :math:`A = 0`. This is
    the probability of an observed event under uniform entry and exponential losses of
    Lachin & Foulkes (1986); the number of participants is then the number of events divided
    by the allocation-weighted :math:`P` of the two arms.

    Parameters
    ----------
    hazard : float
        Hazard of the event of interest per month, > 0.
    accrual : float
        Length of the accrual period in months, >= 0.
    follow_up : float
        Additional follow-up after the last participant entered, in months, >= 0
        (``accrual + follow_up > 0``).
    loss_hazard : float, default 0
        Hazard of loss to follow-up per month (censoring), >= 0.
    competing_hazard : float, default 0
        Hazard of a competing event per month (e.g. dropout handled as competing), >= 0.

    Returns
    -------
    float

    References
    ----------
    Lachin JM, Foulkes MA (1986). Evaluation of sample size and power for analyses of
    survival with allowance for nonuniform patient entry, losses to follow-up, noncompliance,
    and stratification. *Biometrics* 42:507-519.

    Examples
    --------
    Median time to paid work 12 months, 12 months of accrual, 12 more of follow-up:

    >>> round(probability_of_event(math.log(2) / 12, accrual=12, follow_up=12), 4)
    0.6393

    (:math:`\Lambda F = \Lambda A = \log 2`, so :math:`P = 1 - 0.5 \cdot 0.5 / \log 2`.)
    A competing hazard lowers it: with dropout at 0.02 per month :math:`\Lambda = 0.07776`,
    :math:`\Lambda F = 0.9331` and :math:`P = 0.7428\,[1 - e^{-0.9331}(1 - e^{-0.9331}) /
    0.9331] = 0.7428 \cdot 0.7443`:

    >>> round(probability_of_event(math.log(2) / 12, accrual=12, follow_up=12,
    ...                            competing_hazard=0.02), 4)
    0.5529
    """
    lam = check_number("hazard", hazard, low=0.0, hint="events per month")
    a = check_number("accrual", accrual, low=0.0, low_open=False, hint="months")
    f = check_number("follow_up", follow_up, low=0.0, low_open=False, hint="months")
    eta = check_number("loss_hazard", loss_hazard, low=0.0, low_open=False, hint="per month")
    kappa = check_number("competing_hazard", competing_hazard, low=0.0, low_open=False,
                         hint="per month")
    if a + f <= 0:
        raise ValueError("accrual + follow_up must be > 0 months; nobody would be followed")
    total = lam + kappa + eta
    if a == 0:
        observed = -math.expm1(-total * f)
    else:   # (e^{-L F} - e^{-L (A+F)}) / (L A) = e^{-L F} (1 - e^{-L A}) / (L A)
        observed = 1.0 - math.exp(-total * f) * (-math.expm1(-total * a)) / (total * a)
    return lam / total * observed


def control_hazard(hazard_control: float | None, median_control: float | None,
                   proportion_control: float | None, horizon: float | None) -> float:
    """The control arm's hazard per month from exactly one of its three descriptions."""
    given = [x is not None for x in (hazard_control, median_control, proportion_control)]
    if sum(given) != 1:
        raise ValueError("describe the control arm by exactly one of hazard_control (per "
                         "month), median_control (months) or proportion_control with horizon")
    if hazard_control is not None:
        return check_number("hazard_control", hazard_control, low=0.0, hint="per month")
    if median_control is not None:
        return math.log(2) / check_number("median_control", median_control, low=0.0,
                                          hint="months")
    p = check_number("proportion_control", proportion_control, low=0.0, high=1.0)
    if horizon is None:
        raise ValueError("proportion_control needs horizon: the month by which that "
                         "proportion is in paid work")
    return -math.log1p(-p) / check_number("horizon", horizon, low=0.0, hint="months")


def event_design(*, outcome: str, function: str, arguments: dict[str, Any], hr: float,
                 psi: tuple[float, float], alpha: float, power: float | None,
                 allocation: float, method: str, alternative: str, n_total: int | None,
                 cluster_size: float | None, icc: float, cluster_cv: float,
                 extra: dict[str, Any]) -> SampleSizeResult:
    """A time-to-event design from the probabilities ``psi`` = (programme, control) that a
    participant's event of interest is observed; solved for n when ``n_total`` is None."""
    r = check_allocation(allocation)
    alpha = check_alpha(alpha)
    factor, cluster = inflation(cluster_size=cluster_size, icc=icc, cluster_cv=cluster_cv)
    psi_t, psi_c = psi
    events: int | None = None
    if n_total is None:
        assert power is not None
        base = events_for_hazard_ratio(hr, alpha=alpha, power=power, allocation=r,
                                       method=method, alternative=alternative)
        events = ceil_int(base * factor)
        n_exact = base * factor / (r * psi_t + (1 - r) * psi_c)
        n_t, n_c = split_arms(n_exact, r)
        extra = {**extra, "events_unclustered": base, "n_unrounded": n_exact}
    else:
        n_t, n_c = arms_from_total(n_total, r)
    expected = n_t * psi_t + n_c * psi_c
    achieved = power_for_events(hr, events=expected / factor, alpha=alpha,
                                allocation=n_t / (n_t + n_c), method=method,
                                alternative=alternative)
    cols: dict[str, tuple[Any, Any, Any]] = {
        "p_event": (psi_t, psi_c, expected / (n_t + n_c)),
        "events": (n_t * psi_t, n_c * psi_c, expected)}
    if cluster_size is not None:
        k_t, k_c = ceil_int(n_t / cluster_size), ceil_int(n_c / cluster_size)
        cols["clusters"] = (k_t, k_c, k_t + k_c)
    attrs = {"outcome": outcome, "function": function, "arguments": dict(arguments),
             "method": method, "alternative": alternative, "allocation": r, "hr": hr,
             "p_event_treated": psi_t, "p_event_control": psi_c,
             "p_event": r * psi_t + (1 - r) * psi_c, "time_unit": "months",
             **cluster, **extra}
    return SampleSizeResult(
        outcome=outcome, solved_for="n" if n_total is None else "power", n_treated=n_t,
        n_control=n_c, power=achieved if power is None else float(power),
        achieved_power=achieved,
        alpha=alpha, table=arm_table(n_t, n_c, **cols), events=events,
        expected_events=expected, attrs=attrs)


@registered
def sample_size_time(*, hr: float, accrual: float, follow_up: float,
                     hazard_control: float | None = None, median_control: float | None = None,
                     proportion_control: float | None = None, horizon: float | None = None,
                     loss_hazard: float = 0.0, alpha: float = 0.05, power: float = 0.8,
                     allocation: float = 0.5, method: str = "schoenfeld",
                     alternative: str = "two-sided", cluster_size: float | None = None,
                     icc: float = 0.0, cluster_cv: float = 0.0,
                     n_total: int | None = None) -> SampleSizeResult:
    r"""Participants needed to detect a hazard ratio for time to paid work.

    The events :math:`D` of :func:`events_for_hazard_ratio` (Schoenfeld or Freedman) are
    converted to participants with the probability of an observed event in each arm,
    :math:`P_1` (hazard :math:`\lambda_0\mathrm{HR}`) and :math:`P_0` (hazard
    :math:`\lambda_0`), from :func:`probability_of_event` (uniform accrual over ``accrual``
    months, ``follow_up`` further months, exponential loss to follow-up):

    .. math::

        N = \frac{D \cdot \mathrm{DE}}{r P_1 + (1 - r) P_0},

    :math:`\mathrm{DE}` the design effect of :func:`~kow_research.design.design_effect`
    (1 without clusters), each arm rounded up. With ``n_total`` the power of that design is
    computed instead, from the expected events :math:`n_1 P_1 + n_0 P_0`.

    Parameters
    ----------
    hr : float
        Hazard ratio of paid work to detect (programme vs control; > 1 means faster).
    accrual, follow_up : float
        Accrual period and additional follow-up, in months.
    hazard_control, median_control : float, optional
        The control arm's hazard of paid work per month, or its median time in months.
    proportion_control, horizon : float, optional
        Or: the proportion in paid work in the control arm by ``horizon`` months.
    loss_hazard : float, default 0
        Hazard of loss to follow-up per month (the same in both arms).
    alpha : float, default 0.05
        Significance level.
    power : float, default 0.8
        Target power, in (0, 1) (ignored with ``n_total``).
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    method : {"schoenfeld", "freedman"}, default "schoenfeld"
        Formula for the events, as in :func:`events_for_hazard_ratio`.
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
        of an observed event and the expected events per arm.

    References
    ----------
    Schoenfeld DA (1983). *Biometrics* 39:499-503. Freedman LS (1982). *Stat Med* 1:121-129.
    Lachin JM, Foulkes MA (1986). *Biometrics* 42:507-519.

    Examples
    --------
    :math:`D = 7.8489 / (0.25 \cdot \log^2 1.5) = 190.97`, :math:`P_0 = 0.6393` (see
    :func:`probability_of_event`) and :math:`P_1 = 1 - 2^{-1.5}(1 - 2^{-1.5})/(1.5 \log 2)
    = 0.7802`, so :math:`N = 191 / 0.7098 = 269.1`, 134.6 per arm:

    >>> res = sample_size_time(hr=1.5, median_control=12, accrual=12, follow_up=12)
    >>> res.events, res.n_treated, res.n_control
    (191, 135, 135)
    >>> res.table["p_event"].round(4).tolist()
    [0.7802, 0.6393, 0.7098]
    """
    args = {k: v for k, v in locals().items()}
    h = check_hazard_ratio("hr", hr)
    lam0 = control_hazard(hazard_control, median_control, proportion_control, horizon)
    if n_total is None:
        check_power(power)
    psi = (probability_of_event(lam0 * h, accrual=accrual, follow_up=follow_up,
                                loss_hazard=loss_hazard),
           probability_of_event(lam0, accrual=accrual, follow_up=follow_up,
                                loss_hazard=loss_hazard))
    return event_design(
        outcome="time", function="sample_size_time", arguments=args, hr=h, psi=psi,
        alpha=alpha, power=None if n_total is not None else power, allocation=allocation,
        method=method, alternative=alternative, n_total=n_total, cluster_size=cluster_size,
        icc=icc, cluster_cv=cluster_cv,
        extra={"hazard_control": lam0, "hazard_treated": lam0 * h,
               "median_control": math.log(2) / lam0, "accrual": float(accrual),
               "follow_up": float(follow_up), "loss_hazard": float(loss_hazard)})


_SAMPLE_SIZE = {"proportion": "sample_size_proportion", "time": "sample_size_time",
                "competing_subdistribution": "sample_size_subdistribution",
                "competing_cause_specific": "sample_size_cause_specific",
                "ladder": "sample_size_ladder"}


def _dispatch(outcome: str, kwargs: dict[str, Any], solve: str) -> SampleSizeResult:
    import inspect

    import kow_research.design.competing  # noqa: F401  (registers its functions)
    import kow_research.design.ordinal  # noqa: F401
    import kow_research.design.proportion  # noqa: F401
    from kow_research.design.results import REGISTRY

    check_choice("outcome", outcome, OUTCOMES)
    fn = REGISTRY[_SAMPLE_SIZE[outcome]]
    accepted = set(inspect.signature(fn).parameters)
    if solve == "n":
        accepted.discard("n_total")
    else:
        accepted.discard("power")
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise TypeError(f"outcome={outcome!r} does not take {', '.join(unknown)}; it takes "
                        f"{', '.join(sorted(accepted))}")
    if solve == "power" and "n_total" not in kwargs:
        raise TypeError(f"power(outcome={outcome!r}) needs n_total, the total number of "
                        "participants")
    out = fn(**kwargs)
    assert isinstance(out, SampleSizeResult)
    return out


def sample_size(*, outcome: str, **assumptions: Any) -> SampleSizeResult:
    """Participants needed for a two-arm comparison of ``outcome``.

    Dispatches to the outcome's calculation; ``assumptions`` are its keyword arguments.

    =============================== ===================================
    ``outcome``                     calculation
    =============================== ===================================
    ``"proportion"``                :func:`sample_size_proportion`
    ``"time"``                      :func:`sample_size_time`
    ``"competing_subdistribution"`` :func:`sample_size_subdistribution`
    ``"competing_cause_specific"``  :func:`sample_size_cause_specific`
    ``"ladder"``                    :func:`sample_size_ladder`
    =============================== ===================================

    Parameters
    ----------
    outcome : str
        One of the outcomes above.
    **assumptions : dict, optional
        The keyword arguments of that calculation (effect, control-arm rates, accrual,
        ``alpha``, ``power``, ``allocation``, clusters, ...).

    Returns
    -------
    SampleSizeResult
        ``n_treated``, ``n_control``, ``n_total``, ``events`` (time-to-event outcomes),
        ``power``, ``alpha``, the assumptions in ``attrs`` and ``sentence(language)``.

    Raises
    ------
    ValueError
        For an unknown outcome or an assumption outside its range.
    TypeError
        For an argument the outcome does not take.

    Examples
    --------
    >>> res = sample_size(outcome="time", hr=1.5, median_control=12, accrual=12, follow_up=12)
    >>> res.n_total, res.events          # as sample_size_time(...)
    (270, 191)
    >>> print(res.sentence("nl"))   # doctest: +ELLIPSIS
    Om met een onderscheidend vermogen van 80 % ...
    """
    return _dispatch(outcome, assumptions, "n")


def power(*, outcome: str, n_total: int, **assumptions: Any) -> SampleSizeResult:
    r"""Power of a two-arm design with ``n_total`` participants for ``outcome``.

    The inverse of :func:`sample_size`, for the same outcomes and assumptions (without
    ``power``); participants are split by ``allocation``.

    Parameters
    ----------
    outcome : str
        As in :func:`sample_size`.
    n_total : int
        Total number of participants.
    **assumptions : dict, optional
        The keyword arguments of the outcome's calculation (without ``power``).

    Returns
    -------
    SampleSizeResult
        With ``solved_for="power"``; ``power`` is the power of the design.

    Examples
    --------
    100 per arm, pooled :math:`\bar p = 0.345`:
    :math:`\Phi\{(0.19 - 1.96\sqrt{0.345 \cdot 0.655 \cdot 0.02}) / \sqrt{(0.2464 + 0.1875)
    / 100}\} = \Phi(0.884)`:

    >>> res = power(outcome="proportion", n_total=200, p_control=0.25, p_treated=0.44)
    >>> round(res.power, 3)
    0.812
    """
    return _dispatch(outcome, {**assumptions, "n_total": n_total}, "power")
