"""Argument checks and small helpers shared by the design calculations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from kow_research.core import check_alpha, check_choice

ALTERNATIVES = ("two-sided", "one-sided")


def check_number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = True, high_open: bool = True, hint: str = "") -> float:
    """``value`` as a finite float inside the given bounds; ``ValueError`` naming it otherwise."""
    ok = not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
    v = float(value) if ok else math.nan
    if ok and math.isfinite(v):
        if low is not None and (v < low or (low_open and v == low)):
            ok = False
        if high is not None and (v > high or (high_open and v == high)):
            ok = False
    else:
        ok = False
    if not ok:
        lo = "" if low is None else (f"> {low:g}" if low_open else f">= {low:g}")
        hi = "" if high is None else (f"< {high:g}" if high_open else f"<= {high:g}")
        bounds = " and ".join(b for b in (lo, hi) if b) or "finite"
        raise ValueError(f"{name} must be a number {bounds}; got {value!r}"
                         + (f" ({hint})" if hint else ""))
    return v


def check_probability(name: str, value: Any, hint: str = "") -> float:
    """A probability strictly between 0 and 1."""
    return check_number(name, value, low=0.0, high=1.0, hint=hint)


def check_power(power: Any) -> float:
    """The target power, strictly between 0 and 1 (``power=0.8`` for 80 %)."""
    return check_probability("power", power, "for 80% power use power=0.8")


def check_allocation(allocation: Any) -> float:
    """The fraction of participants allocated to the programme arm, strictly in (0, 1)."""
    return check_probability("allocation", allocation,
                             "it is the fraction allocated to the programme arm; 1:1 is 0.5, "
                             "2:1 is 2/3")


def check_hazard_ratio(name: str, hr: Any) -> float:
    """A hazard (or odds) ratio > 0 and != 1 (a ratio of 1 needs infinitely many events)."""
    v = check_number(name, hr, low=0.0, hint="a ratio of two hazards or odds")
    if v == 1.0:
        raise ValueError(f"{name} = 1 means no effect: no finite sample size detects it; give "
                         "the ratio you want to detect, e.g. 0.7 or 1.5")
    return v


def z_alpha(alpha: Any, alternative: str) -> float:
    """The critical value :math:`z_{1-\\alpha/2}` (two-sided) or :math:`z_{1-\\alpha}`."""
    a = check_alpha(alpha)
    check_choice("alternative", alternative, ALTERNATIVES)
    return float(stats.norm.ppf(1 - a / 2 if alternative == "two-sided" else 1 - a))


def z_beta(power: float) -> float:
    """:math:`z_{1-\\beta}` for the target power."""
    return float(stats.norm.ppf(power))


def ceil_int(x: float) -> int:
    """``x`` rounded up to an integer, ignoring floating-point noise below 1e-9."""
    return int(math.ceil(x - 1e-9))


def split_arms(n_total: float, allocation: float) -> tuple[int, int]:
    """Participants per arm (programme, control) from an unrounded total, each rounded up."""
    return ceil_int(allocation * n_total), ceil_int((1 - allocation) * n_total)


def check_n(name: str, n: Any) -> int:
    """A positive whole number of participants."""
    v = check_number(name, n, low=0.0, hint="a number of participants")
    if v != round(v):
        raise ValueError(f"{name} must be a whole number of participants; got {n!r}")
    return int(v)


def arms_from_total(n_total: Any, allocation: float) -> tuple[int, int]:
    """Split a given total (for power) into programme and control arms, programme rounded to
    the nearest integer; both arms need at least one participant."""
    n = check_n("n_total", n_total)
    n_t = int(round(allocation * n))
    if n_t < 1 or n - n_t < 1:
        raise ValueError(f"n_total={n} with allocation={allocation:g} leaves an arm empty; "
                         "give a larger n_total")
    return n_t, n - n_t


def inflation(*, attrition: Any = 0.0, cluster_size: Any = None, icc: Any = 0.0,
              cluster_cv: Any = 0.0) -> tuple[float, dict[str, Any]]:
    """The factor by which an unclustered, complete-data sample size is multiplied, and the
    assumptions behind it (for ``attrs``)."""
    from kow_research.design.cluster import design_effect

    a = check_number("attrition", attrition, low=0.0, high=1.0, low_open=False,
                     hint="the fraction of participants without an outcome measurement")
    info: dict[str, Any] = {"attrition": a}
    factor = 1.0 / (1.0 - a)
    if cluster_size is not None:
        de = design_effect(cluster_size=cluster_size, icc=icc, cv=cluster_cv)
        factor *= de
        info.update(cluster_size=float(cluster_size), icc=float(icc), cluster_cv=float(cluster_cv),
                    design_effect=de)
    elif (icc not in (0, 0.0)) or (cluster_cv not in (0, 0.0)):
        raise ValueError("icc and cluster_cv describe clusters: give cluster_size (the mean "
                         "number of participants per cluster) as well")
    return factor, info
