"""E-values: sensitivity of an observed association to unmeasured confounding."""

from __future__ import annotations

from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.checks import check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import Result, result_class

#: below this cumulative incidence by the end of follow-up an outcome counts as rare, so that a
#: hazard ratio approximates a risk ratio (VanderWeele 2020)
RARE_OUTCOME = 0.15


def _evalue_rr(rr: float) -> float:
    r"""E-value of a risk ratio: :math:`RR^* + \sqrt{RR^*(RR^* - 1)}`, :math:`RR^* = \max(RR,
    1/RR)`."""
    r = rr if rr >= 1 else 1 / rr
    return float(r + np.sqrt(r * (r - 1)))


@positional_deprecated("rare")
def hr_to_rr(hr: float, *, rare: bool) -> float:
    r"""Approximate risk ratio of a hazard ratio (VanderWeele 2020).

    .. math::

        RR \approx HR \ \text{(rare outcome)},\qquad
        RR \approx \frac{1 - 0.5^{\sqrt{HR}}}{1 - 0.5^{\sqrt{1/HR}}} \ \text{(common outcome)},

    an outcome counting as rare below 15 % by the end of follow-up. Valid for a hazard
    ratio of a single event type; with competing events neither a cause-specific nor a
    subdistribution hazard ratio converts this way — give the risk ratio of the cumulative
    incidence at a horizon to :func:`evalue` instead.

    Parameters
    ----------
    hr : float
        Hazard ratio (> 0).
    rare : bool
        Whether the outcome is rare (cumulative incidence below
        :data:`RARE_OUTCOME` by the end of follow-up).

    Returns
    -------
    float
        The approximate risk ratio.

    References
    ----------
    VanderWeele TJ (2020). Optimal approximate conversions of odds ratios and hazard ratios to
    risk ratios. Biometrics 76:746-752.

    Examples
    --------
    >>> round(hr_to_rr(2.0, rare=False), 4)   # (1 - 0.5**sqrt(2)) / (1 - 0.5**sqrt(1/2))
    1.6125
    >>> hr_to_rr(2.0, rare=True)
    2.0
    """
    if rare:
        return hr
    return float((1 - 0.5 ** np.sqrt(hr)) / (1 - 0.5 ** np.sqrt(1 / hr)))


@result_class
class EValueResult(Result):
    """``table`` indexed by ``point``/``ci`` with columns ``estimate`` (on the RR scale after
    any conversion), ``evalue``."""

    table: pd.DataFrame
    measure: str
    rare: bool | None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def point(self) -> float:
        """E-value of the point estimate."""
        return float(self.table.loc["point", "evalue"])

    @property
    def ci(self) -> float:
        """E-value of the confidence limit closer to 1 (1 when the interval contains 1)."""
        return float(self.table.loc["ci", "evalue"])

    def _describe(self) -> str:
        return f"E-value ({self.measure}): {self.attrs['text']}"

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]


@positional_deprecated("lower", "upper", "measure", "rare")
def evalue(estimate: float, *, lower: float | None = None, upper: float | None = None,
           measure: str = "RR", rare: bool | None = None) -> EValueResult:
    r"""E-value for a risk ratio or hazard ratio and for its confidence limit closer to 1.

    .. math::

        E = RR^* + \sqrt{RR^*\,(RR^* - 1)}, \qquad RR^* = \max(RR, 1/RR)

    is the minimum strength of association (risk-ratio scale) that an unmeasured confounder
    would need with both the treatment and the outcome, beyond the measured covariates, to
    explain away the estimate. For the interval the limit closer to 1 is used; when the
    interval includes 1 its E-value is 1. Hazard ratios are first converted with
    :func:`hr_to_rr` (``rare`` must be stated: it depends on the outcome's cumulative
    incidence by the end of follow-up, < 15 % counting as rare).

    Parameters
    ----------
    estimate : float
        Ratio estimate (> 0).
    lower : float, optional
        Lower confidence limit.
    upper : float, optional
        Upper confidence limit.
    measure : {"RR", "HR"}, default "RR"
        Scale of the estimate: risk ratio, or hazard ratio (converted with
        :func:`hr_to_rr`).
    rare : bool, optional
        Whether the outcome is rare (< 15 % by the end of follow-up); required for
        ``measure="HR"``.

    Returns
    -------
    EValueResult
        ``table`` (rows ``point`` and ``ci``: ``estimate`` on the RR scale, ``evalue``), with
        the properties ``point`` and ``ci``.

    References
    ----------
    VanderWeele TJ, Ding P (2017). Sensitivity analysis in observational research: introducing
    the E-value. Ann Intern Med 167:268-274. VanderWeele TJ (2020). Optimal approximate
    conversions of odds ratios and hazard ratios to risk ratios. Biometrics 76:746-752.

    Examples
    --------
    >>> r = evalue(2.0, lower=1.5, upper=2.7)
    >>> round(r.point, 4), round(r.ci, 4)   # 2 + sqrt(2 * 1), 1.5 + sqrt(1.5 * 0.5)
    (3.4142, 2.366)

    A protective estimate is inverted first, and an interval that includes 1 gives 1:

    >>> r = evalue(0.8, lower=0.6, upper=1.1)
    >>> round(r.point, 4), r.ci             # 1.25 + sqrt(1.25 * 0.25)
    (1.809, 1.0)

    A limit of 0 (no events in one arm of some bootstrap replicates) includes 1 as well:

    >>> evalue(4.8, lower=0.0, upper=2404.0).ci
    1.0

    """
    check_choice("measure", measure, ("RR", "HR"))
    vals = [v for v in (estimate, lower, upper) if v is not None]
    if not np.isfinite(estimate) or estimate <= 0:
        raise ValueError(f"the ratio must be finite and > 0, got {estimate}")
    # a confidence limit may be 0 or infinite (a bootstrap replicate with no events in one
    # arm): such an interval includes 1, and the E-value of its limit is 1
    if any(np.isnan(v) or v < 0 for v in vals[1:]):
        raise ValueError(f"confidence limits must be >= 0, got {vals[1:]}")
    if lower is not None and upper is not None and not lower <= estimate <= upper:
        raise ValueError(f"need lower <= estimate <= upper, got {lower}, {estimate}, {upper}")
    if measure == "HR":
        if rare is None:
            raise ValueError("measure='HR' needs rare=True or rare=False: is the outcome's "
                             "cumulative incidence below 15 % by the end of follow-up?")

        def conv(v: float) -> float:
            return hr_to_rr(v, rare=rare)
    else:
        def conv(v: float) -> float:
            return v
    rr = conv(estimate)
    rows = {"point": {"estimate": rr, "evalue": _evalue_rr(rr)}}
    limit = upper if estimate < 1 else lower
    if limit is not None:
        crosses = (lower is not None and lower <= 1) and (upper is not None and upper >= 1) \
            or (estimate >= 1 and limit <= 1) or (estimate < 1 and limit >= 1)
        lim = conv(limit) if 0 < limit < np.inf else float(limit)
        rows["ci"] = {"estimate": lim, "evalue": 1.0 if crosses else _evalue_rr(lim)}
    else:
        rows["ci"] = {"estimate": np.nan, "evalue": np.nan}
    table = pd.DataFrame.from_dict(rows, orient="index")
    text = (f"E-value {rows['point']['evalue']:.2f} for the estimate"
            + ("" if limit is None else f", {rows['ci']['evalue']:.2f} for the confidence limit")
            + (f"; HR converted to RR as a {'rare' if rare else 'common'} outcome"
               if measure == "HR" else ""))
    return EValueResult(table=table, measure=measure, rare=rare, attrs={"text": text})
