"""Nearest-neighbour propensity-score matching with a caliper (1:k, without replacement)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare.balance import BalanceResult, balance
from kow_research.compare.propensity import PropensityResult, propensity
from kow_research.core.checks import check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import Result, result_class


@result_class
class MatchResult(Result):
    """Matched sets.

    Attributes
    ----------
    pairs : DataFrame
        One row per matched control: ``match_id``, ``treated`` and ``control`` (index labels of
        the input), ``distance`` (absolute difference in the logit of the propensity score).
    weights : Series
        Matching weights indexed like the input: 1 for matched treated, (number of times
        used)/k per control (1/k each), 0 for the unmatched.
    unmatched : Index
        Treated persons without a control within the caliper (they leave the ATT population:
        the estimand becomes the ATT among the matchable).
    balance : BalanceResult
        Before (all) and after (matched, weighted) balance on the same covariates.
    """

    pairs: pd.DataFrame
    weights: pd.Series
    unmatched: pd.Index
    balance: BalanceResult
    propensity: PropensityResult
    caliper: float
    k: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"1:{self.k} nearest-neighbour matching on the logit of the propensity score, "
                f"caliper {self.caliper:.3g}: {self.pairs['match_id'].nunique()} matched "
                f"treated, {len(self.unmatched)} unmatched")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("pairs", self.pairs), ("balance", self.balance.table)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Love plot of the balance before and after matching; returns the Axes."""
        return self.balance.plot(ax=ax, **kwargs)


@positional_deprecated("treatment", "covariates", "treated", "k", "caliper", "order", "seed")
def match(df: pd.DataFrame, *, treatment: str, covariates: Sequence[str], treated: Any = None,
          k: int = 1, caliper: float | None = 0.2, order: str = "largest",
          seed: int | None = None) -> MatchResult:
    r"""Greedy nearest-neighbour matching on the logit of the propensity score.

    Treated persons are taken in ``order`` (``"largest"`` propensity first, the hardest to
    match, or ``"random"`` with ``seed``); each receives up to ``k`` controls, the closest not
    yet used, within the caliper

    .. math::

        |\operatorname{logit} e_i - \operatorname{logit} e_j| \le c \cdot
        \mathrm{SD}(\operatorname{logit} e),

    with :math:`c` = ``caliper`` (0.2, Austin 2011; None: no caliper). The propensity model is
    :func:`propensity` (logistic, main effects).

    Parameters
    ----------
    df : DataFrame
        One row per person with the treatment and covariate columns (no missing values).
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    covariates : sequence of str
        Baseline covariates of the propensity model.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    k : int, default 1
        Controls per treated person.
    caliper : float or None, default 0.2
        Caliper in standard deviations of the logit of the propensity score (None: no
        caliper).
    order : {"largest", "random"}, default "largest"
        Order in which treated persons choose their controls.
    seed : int, optional
        Seed of the random order.

    Returns
    -------
    MatchResult
        ``pairs``, the matching ``weights`` (pass them as ``weights=m.weights`` to the
        weighted analyses), the ``unmatched`` treated, the ``balance`` before and after and the
        ``propensity`` model.

    References
    ----------
    Austin PC (2011). Optimal caliper widths for propensity-score matching when estimating
    differences in means and differences in proportions in observational studies. Pharm Stat
    10:150-161. Stuart EA (2010). Matching methods for causal inference. Stat Sci 25:1-21.

    Examples
    --------
    The logit of the propensity score is linear in age, so the nearest control in the logit is
    the nearest in age. The oldest treated person (52) goes first; the closest controls, 55
    and 46, lie 3 and 6 years away, beyond the caliper of 0.2 SD (0.2 * 9.35 = 1.87 years):

    >>> d = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0, 0, 0],
    ...                   "age": [31, 45, 52, 30, 40, 46, 55, 35]})
    >>> m = match(d, treatment="arm", covariates=["age"])
    >>> m.pairs[["treated", "control"]].values.tolist()      # 45 with 46, 31 with 30
    [[1, 5], [0, 3]]
    >>> m.unmatched.tolist()
    [2]
    >>> m.weights.tolist()
    [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]

    Without a caliper 52 is matched to 55:

    >>> match(d, treatment="arm", covariates=["age"], caliper=None).pairs["control"].tolist()
    [6, 5, 3]
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    check_choice("order", order, ("largest", "random"))
    prop = propensity(df, treatment=treatment, covariates=covariates, estimand="ATT",
                      treated=treated)
    ps = prop.table["ps"].to_numpy()
    lg = np.log(ps / (1 - ps))
    width = np.inf if caliper is None else caliper * lg.std(ddof=1)
    t = prop.table["treated"].to_numpy()
    ti, ci = np.flatnonzero(t == 1), np.flatnonzero(t == 0)
    c_order = np.argsort(lg[ci], kind="stable")
    c_sorted, c_lg = ci[c_order], lg[ci][c_order]
    free = np.ones(len(c_sorted), dtype=bool)
    if order == "largest":
        seq = ti[np.argsort(-lg[ti], kind="stable")]
    else:
        seq = np.random.default_rng(seed).permutation(ti)
    rows: list[tuple[int, int, float]] = []
    for i in seq:  # greedy matching is sequential by nature
        pos = int(np.searchsorted(c_lg, lg[i]))
        lo, hi = pos - 1, pos
        got = 0
        while got < k:
            while lo >= 0 and not free[lo]:
                lo -= 1
            while hi < len(c_lg) and not free[hi]:
                hi += 1
            dl = lg[i] - c_lg[lo] if lo >= 0 else np.inf
            dh = c_lg[hi] - lg[i] if hi < len(c_lg) else np.inf
            best = lo if dl <= dh else hi
            dist = min(dl, dh)
            if not np.isfinite(dist) or dist > width:
                break
            free[best] = False
            rows.append((int(i), int(c_sorted[best]), float(dist)))
            got += 1
    idx = df.index
    pairs = pd.DataFrame(rows, columns=["treated", "control", "distance"])
    pairs.insert(0, "match_id", pd.factorize(pairs["treated"])[0])
    w = np.zeros(len(df))
    if len(pairs):
        w[pairs["treated"].unique()] = 1.0
        n_per = pairs.groupby("treated")["control"].transform("size").to_numpy()
        w[pairs["control"].to_numpy()] = 1.0 / n_per
    pairs["treated"] = idx[pairs["treated"].to_numpy()]
    pairs["control"] = idx[pairs["control"].to_numpy()]
    matched_t = set(pairs["treated"])
    unmatched = pd.Index([x for x in idx[ti] if x not in matched_t])
    weights = pd.Series(w, index=idx, name="weight")
    bal = balance(df, treatment=treatment, covariates=covariates, weights=weights,
                  treated=treated)
    return MatchResult(pairs=pairs, weights=weights, unmatched=unmatched, balance=bal,
                       propensity=prop, caliper=float(width), k=k,
                       attrs={"order": order, "seed": seed, "caliper_sd": caliper,
                              "method": "greedy nearest neighbour on logit PS, without "
                                        "replacement"})
