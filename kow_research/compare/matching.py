"""Nearest-neighbour propensity-score matching with a caliper (1:k, without replacement)."""

from __future__ import annotations

import warnings
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

#: distance measures of :func:`match`
DISTANCES = ("logit", "ps")
DISTANCE_TEXT = {"logit": "logit of the propensity score", "ps": "propensity score"}


@result_class
class MatchResult(Result):
    """Matched sets.

    Attributes
    ----------
    pairs : DataFrame
        One row per matched control: ``match_id``, ``treated`` and ``control`` (index labels of
        the input), ``distance`` (absolute difference in the distance measure,
        ``attrs["distance"]``).
    weights : Series
        Matching weights indexed like the input: 1 for matched treated, (number of times
        used)/k per control (1/k each), 0 for the unmatched.
    unmatched : Index
        Treated persons without a control within the caliper (they leave the ATT population:
        the estimand becomes the ATT among the matchable). :attr:`n_unmatched` counts them,
        :attr:`n_treated` counts all treated.
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

    @property
    def n_unmatched(self) -> int:
        """Treated persons left without a control by the caliper."""
        return len(self.unmatched)

    @property
    def n_treated(self) -> int:
        """All treated persons (matched and unmatched)."""
        return int(self.pairs["treated"].nunique()) + self.n_unmatched

    def _describe(self) -> str:
        what = DISTANCE_TEXT[str(self.attrs.get("distance", "logit"))]
        return (f"1:{self.k} nearest-neighbour matching on the {what}, "
                f"caliper {self.caliper:.3g}: {self.pairs['match_id'].nunique()} matched "
                f"of {self.n_treated} treated, {self.n_unmatched} unmatched")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("pairs", self.pairs), ("balance", self.balance.table)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Love plot of the balance before and after matching; returns the Axes."""
        return self.balance.plot(ax=ax, **kwargs)


@positional_deprecated("treatment", "covariates", "treated", "k", "caliper", "order", "seed")
def match(df: pd.DataFrame, *, treatment: str, covariates: Sequence[str], treated: Any = None,
          k: int = 1, caliper: float | None = 0.2, order: str = "largest",
          seed: int | None = None, distance: str = "logit",
          denominator: str = "pooled") -> MatchResult:
    r"""Greedy nearest-neighbour matching on the propensity score (MatchIt's algorithm).

    The distance :math:`d_i` is the logit of the propensity score :math:`e_i`
    (``distance="logit"``, Austin 2011) or the score itself (``"ps"``, MatchIt's default).
    Treated persons are taken in ``order`` (``"largest"`` distance first, the hardest to
    match, ties in data order; or ``"random"`` with ``seed``); each takes the closest control
    not yet used, within the caliper

    .. math::

        |d_i - d_j| \le c \cdot \mathrm{SD}(d),

    with :math:`c` = ``caliper`` (0.2; None: no caliper) and the SD over everyone (treated and
    control, :math:`n - 1`). The algorithm is ``MatchIt::matchit(method = "nearest")``'s
    (``nn_matchC_vec``): everyone sorted by :math:`d` (ties in data order), the nearest free
    control to the left or right, the left (smaller :math:`d`) on a tie; with ``k > 1`` all
    treated receive a first control before any receives a second. ``distance="ps"`` with
    ``caliper=None`` or ``0.2`` reproduces ``matchit(..., distance = "glm")`` with
    ``caliper = NULL`` / ``0.2``, and ``distance="logit"`` reproduces ``link =
    "linear.logit"``, pair by pair (tested on the lalonde data; MatchIt's caliper is in SDs of
    the distance it matches on, so its default caliper is on the probability scale). A
    treated person with no control within the caliper stays unmatched: the result counts them
    (``n_unmatched``) and a ``UserWarning`` says how many of how many treated were dropped,
    because the matched comparison then estimates the effect among the matchable treated, no
    longer the ATT of all treated. The propensity model is :func:`propensity` (logistic, main
    effects).

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
        Caliper in standard deviations of the distance measure (None: no caliper).
    order : {"largest", "random"}, default "largest"
        Order in which treated persons choose their controls.
    seed : int, optional
        Seed of the random order.
    distance : {"logit", "ps"}, default "logit"
        Distance measure: the logit of the propensity score (Austin 2011) or the score
        (MatchIt's default); the caliper is in SDs of this measure.
    denominator : {"pooled", "treated", "control"}, default "pooled"
        SD in the denominator of the SMDs of ``balance`` (see :func:`balance`; ``"treated"``
        is what MatchIt and cobalt report for the ATT).

    Returns
    -------
    MatchResult
        ``pairs``, the matching ``weights`` (pass them as ``weights=m.weights`` to the
        weighted analyses), the ``unmatched`` treated (``n_unmatched`` of ``n_treated``), the
        ``balance`` before and after and the ``propensity`` model.

    Warns
    -----
    UserWarning
        When the caliper leaves treated persons unmatched (how many of how many).

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

    >>> import warnings
    >>> d = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0, 0, 0],
    ...                   "age": [31, 45, 52, 30, 40, 46, 55, 35]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     m = match(d, treatment="arm", covariates=["age"])
    >>> m.pairs[["treated", "control"]].values.tolist()      # 45 with 46, 31 with 30
    [[1, 5], [0, 3]]
    >>> m.unmatched.tolist(), m.n_unmatched, m.n_treated
    ([2], 1, 3)
    >>> print(str(caught[0].message).split(";")[0])    # doctest: +NORMALIZE_WHITESPACE
    match: the caliper (0.2 SD of the logit of the propensity score = 0.03597) left 1 of 3
    treated without a control
    >>> m.weights.tolist()
    [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]

    Without a caliper 52 is matched to 55:

    >>> match(d, treatment="arm", covariates=["age"], caliper=None).pairs["control"].tolist()
    [6, 5, 3]
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    check_choice("order", order, ("largest", "random"))
    check_choice("distance", distance, DISTANCES)
    if caliper is not None and not caliper > 0:
        raise ValueError(f"caliper must be a positive number of SDs or None, got {caliper!r}")
    prop = propensity(df, treatment=treatment, covariates=covariates, estimand="ATT",
                      treated=treated)
    ps = prop.table["ps"].to_numpy()
    d = np.log(ps / (1 - ps)) if distance == "logit" else ps
    width = np.inf if caliper is None else caliper * d.std(ddof=1)
    t = prop.table["treated"].to_numpy()
    rows = _greedy(d, t, k=k, width=width,
                   seq=None if order == "largest" else
                   np.random.default_rng(seed).permutation(int(t.sum())))
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
    unmatched = pd.Index([x for x in idx[t == 1] if x not in matched_t])
    if len(unmatched):
        n1 = int(t.sum())
        warnings.warn(
            f"match: the caliper ({caliper:g} SD of the {DISTANCE_TEXT[distance]} = "
            f"{width:.4g}) left {len(unmatched)} of {n1} treated without a control; the "
            f"matched comparison estimates the effect among the {n1 - len(unmatched)} "
            "matchable treated, no longer the ATT of all treated (see MatchResult.unmatched; "
            "caliper=None keeps every treated person)", UserWarning, stacklevel=3)
    weights = pd.Series(w, index=idx, name="weight")
    bal = balance(df, treatment=treatment, covariates=covariates, weights=weights,
                  treated=treated, denominator=denominator)
    return MatchResult(pairs=pairs, weights=weights, unmatched=unmatched, balance=bal,
                       propensity=prop, caliper=float(width), k=k,
                       attrs={"order": order, "seed": seed, "caliper_sd": caliper,
                              "distance": distance, "n_treated": int(t.sum()),
                              "n_unmatched": len(unmatched),
                              "method": f"greedy nearest neighbour on the "
                                        f"{DISTANCE_TEXT[distance]}, without replacement "
                                        "(MatchIt's algorithm)"})


def _greedy(d: np.ndarray, t: np.ndarray, *, k: int, width: float,
            seq: np.ndarray | None) -> list[tuple[int, int, float]]:
    """MatchIt's greedy nearest-neighbour matching without replacement (``nn_matchC_vec``).

    All persons are sorted by the distance measure (stable: ties in data order); each treated
    person, in ``seq`` order (positions among the treated; None: largest distance first, ties
    in data order), takes the nearest free control to its left or right in that sorted list,
    the left one (smaller distance) when both are equally near. With ``k > 1`` every treated
    person receives a first control before any receives a second (MatchIt's rounds).
    Returns ``(treated row, control row, |distance difference|)`` in matching order.
    """
    srt = np.argsort(d, kind="stable")
    ds, ts = d[srt], t[srt]
    pos = np.empty(len(d), dtype=np.int64)
    pos[srt] = np.arange(len(d))
    free = ts == 0
    ti = np.flatnonzero(t == 1)
    if seq is None:
        seq = np.argsort(-d[ti], kind="stable")
    rows: list[tuple[int, int, float]] = []
    n = len(ds)
    for _ in range(k):  # greedy matching is sequential by nature
        for i in ti[seq]:
            p = pos[i]
            lo, hi = p - 1, p + 1
            while lo >= 0 and not free[lo]:
                lo -= 1
            while hi < n and not free[hi]:
                hi += 1
            dl = d[i] - ds[lo] if lo >= 0 else np.inf
            dh = ds[hi] - d[i] if hi < n else np.inf
            best, dist = (lo, dl) if dl <= dh else (hi, dh)
            if not dist <= width:
                continue
            free[best] = False
            rows.append((int(i), int(srt[best]), float(dist)))
    return rows
