"""Sample size and power for the proportion in paid work at a horizon (two groups)."""

from __future__ import annotations

import math
from typing import Any

from statsmodels.stats.power import NormalIndPower, normal_power_het
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

from kow_research.core import check_alpha, check_choice
from kow_research.design._common import (
    ALTERNATIVES,
    arms_from_total,
    ceil_int,
    check_allocation,
    check_number,
    check_power,
    check_probability,
    inflation,
    split_arms,
    z_alpha,
    z_beta,
)
from kow_research.design.results import SampleSizeResult, arm_table, registered

PROPORTION_METHODS = ("pooled", "unpooled", "arcsine")
METHOD_LABELS = {
    "pooled": "normal approximation, pooled variance under the null (Fleiss)",
    "unpooled": "normal approximation, unpooled variance",
    "arcsine": "arcsine transformation, Cohen's h (statsmodels NormalIndPower)",
}


def _sm_alternative(diff: float, alternative: str) -> str:
    return "two-sided" if alternative == "two-sided" else ("larger" if diff > 0 else "smaller")


def _n_treated(p_t: float, p_c: float, *, ratio: float, alpha: float, power: float,
               method: str, alternative: str, continuity_correction: bool) -> float:
    """Unrounded programme-arm size (control arm = ``ratio`` times it)."""
    diff = p_t - p_c
    if method == "arcsine":
        h = abs(float(proportion_effectsize(p_t, p_c)))
        return float(NormalIndPower().solve_power(
            effect_size=h, nobs1=None, alpha=alpha, power=power, ratio=ratio,
            alternative="two-sided" if alternative == "two-sided" else "larger"))
    if method == "unpooled":
        z = z_alpha(alpha, alternative) + z_beta(power)
        return z * z * (p_t * (1 - p_t) + p_c * (1 - p_c) / ratio) / (diff * diff)
    n1 = float(samplesize_proportions_2indep_onetail(
        diff=diff, prop2=p_c, power=power, ratio=ratio, alpha=alpha,
        alternative="two-sided" if alternative == "two-sided" else "larger"))
    if continuity_correction:
        n1 = n1 / 4 * (1 + math.sqrt(1 + 2 * (ratio + 1) / (ratio * n1 * abs(diff)))) ** 2
    return n1


def _power(p_t: float, p_c: float, *, n_t: float, n_c: float, alpha: float, method: str,
           alternative: str, continuity_correction: bool) -> float:
    """Power with (effective, possibly fractional) arm sizes ``n_t`` and ``n_c``."""
    diff = p_t - p_c
    ratio = n_c / n_t
    sm_alt = _sm_alternative(diff, alternative)
    if method == "arcsine":
        h = abs(float(proportion_effectsize(p_t, p_c)))
        return float(NormalIndPower().power(
            effect_size=h, nobs1=n_t, alpha=alpha, ratio=ratio,
            alternative="two-sided" if alternative == "two-sided" else "larger"))
    if method == "unpooled":
        sd = math.sqrt(p_t * (1 - p_t) + p_c * (1 - p_c) / ratio)
        return float(normal_power_het(diff, n_t, alpha, std_null=sd, std_alternative=sd,
                                      alternative=sm_alt))
    if continuity_correction:   # invert n' = n/4 (1 + sqrt(1 + 2c/n))^2, c = (k+1)/(k|d|)
        c = (ratio + 1) / (ratio * abs(diff))
        if n_t <= c / 2:
            return 0.0
        n_t = (n_t - c / 2) ** 2 / n_t
    return float(power_proportions_2indep(diff=diff, prop2=p_c, nobs1=n_t, ratio=ratio,
                                          alpha=alpha, alternative=sm_alt,
                                          return_results=False))


@registered
def sample_size_proportion(*, p_control: float, p_treated: float, method: str = "pooled",
                           continuity_correction: bool = False, horizon: float | None = None,
                           alpha: float = 0.05, power: float = 0.8, allocation: float = 0.5,
                           alternative: str = "two-sided", attrition: float = 0.0,
                           cluster_size: float | None = None, icc: float = 0.0,
                           cluster_cv: float = 0.0,
                           n_total: int | None = None) -> SampleSizeResult:
    r"""Participants needed to detect a difference in the proportion in paid work.

    With :math:`p_1` (programme), :math:`p_0` (control), :math:`\Delta = p_1 - p_0`, the
    programme arm :math:`n_1` and the control arm :math:`n_0 = k n_1`, :math:`k =
    (1-r)/r`:

    * ``method="pooled"`` (Fleiss; the z-test / chi-square test of two proportions, pooled
      variance under the null, unpooled under the alternative; statsmodels
      ``samplesize_proportions_2indep_onetail`` and ``power_proportions_2indep``):

      .. math::

          n_1 = \frac{\bigl(z_{1-\alpha/2}\sqrt{\bar p \bar q (1 + 1/k)} + z_{1-\beta}
                \sqrt{p_1 q_1 + p_0 q_0 / k}\bigr)^2}{\Delta^2},
          \quad \bar p = \frac{p_1 + k p_0}{1 + k};

      with ``continuity_correction=True`` (Fleiss, Tytun & Ury 1980)
      :math:`n_1' = \frac{n_1}{4}\bigl(1 + \sqrt{1 + 2(k+1)/(k n_1 |\Delta|)}\bigr)^2`;
    * ``method="unpooled"`` (the Wald test, unpooled variance throughout):
      :math:`n_1 = (z_{1-\alpha/2} + z_{1-\beta})^2 (p_1 q_1 + p_0 q_0 / k) / \Delta^2`;
    * ``method="arcsine"`` (Cohen's :math:`h = 2\arcsin\sqrt{p_1} - 2\arcsin\sqrt{p_0}`,
      statsmodels ``proportion_effectsize`` and ``NormalIndPower``):
      :math:`n_1 = (z_{1-\alpha/2} + z_{1-\beta})^2 (1 + 1/k) / h^2`, solved numerically by
      statsmodels with both rejection regions of a two-sided test.

    The result is divided by :math:`1 - \text{attrition}` (participants without an outcome
    measurement) and multiplied by the design effect for clusters, then each arm is rounded
    up. With ``n_total`` the power of that design is computed instead.

    Parameters
    ----------
    p_control : float
        Expected proportion in paid work at the horizon in the control arm, in (0, 1).
    p_treated : float
        Expected proportion in the programme arm, in (0, 1), different from ``p_control``.
    method : {"pooled", "unpooled", "arcsine"}, default "pooled"
        Test the sample size is for (see above).
    continuity_correction : bool, default False
        Fleiss' continuity correction (``method="pooled"`` only).
    horizon : float, optional
        Month at which the proportion is measured (for the proposal sentence only).
    alpha : float, default 0.05
        Significance level.
    power : float, default 0.8
        Target power, in (0, 1) (ignored with ``n_total``).
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        Alternative hypothesis of the test.
    attrition : float, default 0
        Fraction of participants expected to have no outcome measurement, in [0, 1).
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
        ``n_treated``, ``n_control``, ``power`` (target) and ``achieved_power`` (at the
        rounded numbers); ``table`` holds the proportion per arm.

    References
    ----------
    Fleiss JL, Levin B, Paik MC (2003). *Statistical Methods for Rates and Proportions*, 3rd
    ed., sections 4.2-4.4. Wiley. Fleiss JL, Tytun A, Ury HK (1980). A simple approximation
    for calculating sample sizes for comparing independent proportions. *Biometrics*
    36:343-346. Cohen J (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd
    ed., chapter 6. Erlbaum.

    Examples
    --------
    Competitive employment 25 % vs 44 % (Michon et al. 2014). Pooled: :math:`(1.96
    \sqrt{2 \cdot 0.345 \cdot 0.655} + 0.8416 \sqrt{0.2464 + 0.1875})^2 / 0.19^2 = 97.08`;
    arcsine: :math:`h = 0.40387`, :math:`2 \cdot 7.8489 / h^2 = 96.24`; unpooled:
    :math:`7.8489 \cdot 0.4339 / 0.19^2 = 94.34`:

    >>> sample_size_proportion(p_control=0.25, p_treated=0.44).n_per_arm
    (98, 98)
    >>> sample_size_proportion(p_control=0.25, p_treated=0.44, method="arcsine").n_per_arm
    (97, 97)
    >>> sample_size_proportion(p_control=0.25, p_treated=0.44, method="unpooled").n_per_arm
    (95, 95)

    20 % attrition divides by 0.8 (97.08 / 0.8 = 121.3):

    >>> sample_size_proportion(p_control=0.25, p_treated=0.44, attrition=0.2).n_per_arm
    (122, 122)
    """
    args = {k: v for k, v in locals().items()}
    p_c = check_probability("p_control", p_control)
    p_t = check_probability("p_treated", p_treated)
    if p_c == p_t:
        raise ValueError(f"p_treated equals p_control ({p_c:g}): there is no difference to "
                         "detect; give the proportion expected in the programme arm")
    check_choice("method", method, PROPORTION_METHODS)
    if continuity_correction and method != "pooled":
        raise ValueError("continuity_correction is Fleiss' correction of the pooled method; "
                         f"use method='pooled' (got method={method!r})")
    alpha = check_alpha(alpha)
    check_choice("alternative", alternative, ALTERNATIVES)
    r = check_allocation(allocation)
    factor, extra = inflation(attrition=attrition, cluster_size=cluster_size, icc=icc,
                              cluster_cv=cluster_cv)
    if horizon is not None:
        check_number("horizon", horizon, low=0.0, hint="months")
    ratio = (1 - r) / r
    if n_total is None:
        target = check_power(power)
        n1 = _n_treated(p_t, p_c, ratio=ratio, alpha=alpha, power=target, method=method,
                        alternative=alternative, continuity_correction=continuity_correction)
        n_exact = n1 / r * factor
        n_t, n_c = split_arms(n_exact, r)
        extra["n_unrounded"] = n_exact
    else:
        n_t, n_c = arms_from_total(n_total, r)
    achieved = _power(p_t, p_c, n_t=n_t / factor, n_c=n_c / factor, alpha=alpha, method=method,
                      alternative=alternative, continuity_correction=continuity_correction)
    cols: dict[str, tuple[Any, Any, Any]] = {
        "proportion": (p_t, p_c, (n_t * p_t + n_c * p_c) / (n_t + n_c))}
    if cluster_size is not None:
        k_t, k_c = ceil_int(n_t / cluster_size), ceil_int(n_c / cluster_size)
        cols["clusters"] = (k_t, k_c, k_t + k_c)
    attrs = {"outcome": "proportion", "function": "sample_size_proportion", "arguments": args,
             "method": method, "method_label": METHOD_LABELS[method],
             "continuity_correction": bool(continuity_correction), "alternative": alternative,
             "allocation": r, "p_control": p_c, "p_treated": p_t, "difference": p_t - p_c,
             "cohens_h": float(proportion_effectsize(p_t, p_c)), "horizon": horizon,
             "time_unit": "months", **extra}
    return SampleSizeResult(
        outcome="proportion", solved_for="n" if n_total is None else "power", n_treated=n_t,
        n_control=n_c, power=float(power) if n_total is None else achieved,
        achieved_power=achieved, alpha=alpha, table=arm_table(n_t, n_c, **cols), attrs=attrs)
