"""Sample size for the participation ladder: an ordinal outcome under proportional odds."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core import check_alpha, check_choice
from kow_research.design._common import (
    ALTERNATIVES,
    arms_from_total,
    ceil_int,
    check_allocation,
    check_hazard_ratio,
    check_power,
    inflation,
    split_arms,
    z_alpha,
    z_beta,
)
from kow_research.design.results import SampleSizeResult, arm_table, registered


def _rungs(probabilities: Sequence[float] | Mapping[Any, float] | pd.Series
           ) -> tuple[list[Any], np.ndarray]:
    """Rung labels and probabilities, checked (>= 0, at least two positive, sum 1)."""
    if isinstance(probabilities, pd.Series):
        labels, values = probabilities.index.tolist(), probabilities.to_numpy(dtype=float)
    elif isinstance(probabilities, Mapping):
        labels = [k.item() if isinstance(k, np.generic) else k for k in probabilities]
        values = np.asarray(list(probabilities.values()), dtype=float)
    else:
        values = np.asarray(probabilities, dtype=float)
        labels = list(range(1, len(values) + 1))
    if values.ndim != 1 or len(values) < 2:
        raise ValueError("rung_probabilities needs one probability per rung, at least two "
                         f"rungs; got {probabilities!r}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"rung_probabilities must be finite and >= 0; got {values.tolist()}")
    if (values > 0).sum() < 2:
        raise ValueError("rung_probabilities puts everybody on one rung: there is nothing to "
                         "compare; give the expected distribution over the rungs")
    if abs(values.sum() - 1) > 1e-6:
        raise ValueError(f"rung_probabilities sum to {values.sum():.6g}; they must sum to 1 "
                         "(give proportions, not counts or percentages)")
    return labels, values / values.sum()


def proportional_odds_probabilities(control: Sequence[float] | Mapping[Any, float] | pd.Series,
                                    *, odds_ratio: float) -> np.ndarray:
    r"""Rung probabilities in the programme arm under proportional odds.

    With cumulative probabilities :math:`Q_{0k} = P(Y \le k)` in the control arm and an odds
    ratio :math:`\mathrm{OR}` of being on a *higher* rung (programme vs control), the same for
    every cut-point,

    .. math::

        \frac{Q_{1k}}{1 - Q_{1k}} = \frac{1}{\mathrm{OR}}\,\frac{Q_{0k}}{1 - Q_{0k}}
        \quad\Longleftrightarrow\quad
        Q_{1k} = \frac{Q_{0k}}{Q_{0k} + \mathrm{OR}\,(1 - Q_{0k})},

    and the rung probabilities are the differences of :math:`Q_{1k}`.

    Parameters
    ----------
    control : sequence or mapping of float
        Probabilities of the rungs (lowest first) in the control arm, summing to 1.
    odds_ratio : float
        Common odds ratio of a higher rung, > 0.

    Returns
    -------
    numpy.ndarray
        The programme arm's rung probabilities (lowest rung first).

    References
    ----------
    McCullagh P (1980). Regression models for ordinal data. *JRSS-B* 42:109-142.

    Examples
    --------
    >>> proportional_odds_probabilities([0.5, 0.5], odds_ratio=3).round(4).tolist()  # odds 1 -> 3
    [0.25, 0.75]
    >>> proportional_odds_probabilities([0.2, 0.3, 0.5], odds_ratio=2).round(4).tolist()
    [0.1111, 0.2222, 0.6667]

    (:math:`Q_{01} = 0.2 \to 0.2/(0.2 + 2 \cdot 0.8) = 1/9`, :math:`Q_{02} = 0.5 \to 0.5/1.5
    = 1/3`.)
    """
    _, p0 = _rungs(control)
    if not (isinstance(odds_ratio, int | float | np.floating) and math.isfinite(odds_ratio)
            and odds_ratio > 0):
        raise ValueError(f"odds_ratio must be a number > 0; got {odds_ratio!r}")
    q0 = np.cumsum(p0)[:-1].clip(0.0, 1.0)
    q1 = q0 / (q0 + odds_ratio * (1 - q0))
    return np.diff(np.concatenate([[0.0], q1, [1.0]]))


@registered
def sample_size_ladder(*, odds_ratio: float,
                       rung_probabilities: Sequence[float] | Mapping[Any, float] | pd.Series,
                       alpha: float = 0.05, power: float = 0.8, allocation: float = 0.5,
                       alternative: str = "two-sided", attrition: float = 0.0,
                       cluster_size: float | None = None, icc: float = 0.0,
                       cluster_cv: float = 0.0, n_total: int | None = None) -> SampleSizeResult:
    r"""Participants needed to detect a shift up the participation ladder (proportional odds).

    Whitehead (1993), for the Mann-Whitney / proportional-odds score test with allocation
    ratio :math:`A = n_1/n_0` (:math:`A = r/(1-r)`):

    .. math::

        N = \frac{3\,(A + 1)^2\,(z_{1-\alpha/2} + z_{1-\beta})^2}
                 {A\,(\log\mathrm{OR})^2\,\bigl(1 - \sum_k \bar p_k^3\bigr)},

    where :math:`\bar p_k = r p_{1k} + (1-r) p_{0k}` is the rung distribution of both arms
    together (the plain mean of the two arms at 1:1), the programme arm's :math:`p_{1k}`
    computed from the control arm's by :func:`proportional_odds_probabilities`. :math:`N` is
    divided by :math:`1 - \text{attrition}` and multiplied by the design effect, each arm
    rounded up. With ``n_total`` the power of that design is computed instead (the formula
    solved for :math:`z_{1-\beta}`).

    Parameters
    ----------
    odds_ratio : float
        Common odds ratio of a higher rung (programme vs control), > 0, != 1.
    rung_probabilities : sequence, mapping or Series of float
        Expected rung distribution in the control arm (lowest rung first), summing to 1;
        the labels of a mapping or Series are kept.
    alpha : float, default 0.05
        Significance level.
    power : float, default 0.8
        Target power, in (0, 1) (ignored with ``n_total``).
    allocation : float, default 0.5
        Fraction of participants allocated to the programme arm, in (0, 1).
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        Alternative hypothesis of the test.
    attrition : float, default 0
        Fraction of participants expected to have no ladder measurement, in [0, 1).
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
        ``distribution`` holds the rung distribution of each arm and the pooled one.

    References
    ----------
    Whitehead J (1993). Sample size calculations for ordered categorical data. *Stat Med*
    12:2257-2271.

    Examples
    --------
    Two equally likely categories: at OR 3 the programme arm has (0.25, 0.75), so
    :math:`\bar p = (0.375, 0.625)`, :math:`1 - \sum\bar p^3 = 0.7031` and
    :math:`N = 12 \cdot 7.8489 / (\log^2 3 \cdot 0.7031) = 111.0`, 55.5 per arm:

    >>> res = sample_size_ladder(odds_ratio=3, rung_probabilities=[0.5, 0.5])
    >>> res.n_total
    112
    >>> res.distribution["pooled"].tolist()
    [0.375, 0.625]
    """
    args = {k: v for k, v in locals().items()}
    orr = check_hazard_ratio("odds_ratio", odds_ratio)
    labels, p0 = _rungs(rung_probabilities)
    labelled = isinstance(rung_probabilities, Mapping | pd.Series)
    args["rung_probabilities"] = (dict(zip(labels, p0.tolist(), strict=True)) if labelled
                                  else p0.tolist())
    alpha = check_alpha(alpha)
    check_choice("alternative", alternative, ALTERNATIVES)
    r = check_allocation(allocation)
    factor, extra = inflation(attrition=attrition, cluster_size=cluster_size, icc=icc,
                              cluster_cv=cluster_cv)
    p1 = proportional_odds_probabilities(p0, odds_ratio=orr)
    pbar = r * p1 + (1 - r) * p0
    info = 1 - float(np.sum(pbar ** 3))
    za = z_alpha(alpha, alternative)
    per_z2 = 3 / (r * (1 - r) * math.log(orr) ** 2 * info)   # N = per_z2 * (z_a + z_b)^2
    if n_total is None:
        target = check_power(power)
        n_exact = per_z2 * (za + z_beta(target)) ** 2 * factor
        n_t, n_c = split_arms(n_exact, r)
        extra["n_unrounded"] = n_exact
    else:
        n_t, n_c = arms_from_total(n_total, r)
    n_eff, r_eff = (n_t + n_c) / factor, n_t / (n_t + n_c)
    pbar_eff = r_eff * p1 + (1 - r_eff) * p0
    z_b = math.sqrt(n_eff * r_eff * (1 - r_eff) * math.log(orr) ** 2
                    * (1 - float(np.sum(pbar_eff ** 3))) / 3) - za
    achieved = float(stats.norm.cdf(z_b))
    cols: dict[str, tuple[Any, Any, Any]] = {}
    if cluster_size is not None:
        k_t, k_c = ceil_int(n_t / cluster_size), ceil_int(n_c / cluster_size)
        cols["clusters"] = (k_t, k_c, k_t + k_c)
    distribution = pd.DataFrame({"rung": labels, "control": p0, "programme": p1,
                                 "pooled": pbar})
    attrs = {"outcome": "ladder", "function": "sample_size_ladder", "arguments": args,
             "method": "Whitehead", "alternative": alternative, "allocation": r,
             "odds_ratio": orr, "rung_probabilities_control": p0.tolist(),
             "rung_probabilities_treated": p1.tolist(), "rungs": labels,
             "sum_pbar_cubed": float(np.sum(pbar ** 3)), **extra}
    return SampleSizeResult(
        outcome="ladder", solved_for="n" if n_total is None else "power", n_treated=n_t,
        n_control=n_c, power=float(power) if n_total is None else achieved,
        achieved_power=achieved, alpha=alpha, table=arm_table(n_t, n_c, **cols),
        distribution=distribution, attrs=attrs)
