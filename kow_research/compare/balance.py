"""Covariate balance: standardised mean differences and variance ratios before/after weighting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import as_weights, control_level, treatment_indicator
from kow_research.compare.plots import love_plot
from kow_research.core.checks import check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import CallableTable, Result, result_class
from kow_research.survival.design import design_matrix

#: SD in the denominator of the SMD (see :func:`balance`)
DENOMINATORS = ("pooled", "treated", "control")
SMD_TEXT = {
    "pooled": "sqrt((s1^2 + s0^2)/2), SDs of the unweighted groups; binary: "
              "sqrt((p1(1-p1) + p0(1-p0))/2)",
    "treated": "s1, the SD of the unweighted treated group (for the ATT, as MatchIt/cobalt); "
               "binary: sqrt(p1(1-p1))",
    "control": "s0, the SD of the unweighted control group (for the ATC); binary: "
               "sqrt(p0(1-p0))"}


def weighted_mean_var(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Column means and unbiased (reliability-weight) variances.

    .. math::

        \bar x_w = \frac{\sum w_i x_i}{\sum w_i},\qquad
        s_w^2 = \frac{\sum w_i}{(\sum w_i)^2 - \sum w_i^2}\sum w_i (x_i - \bar x_w)^2

    which is the usual :math:`n-1` sample variance when all weights are equal (cobalt's
    ``col_w_sd``).

    Parameters
    ----------
    x : ndarray, shape (n, p)
        One column per covariate.
    w : ndarray, shape (n,)
        Weights (>= 0).

    Returns
    -------
    (mean, variance) : (ndarray, ndarray)
        One value per column (variance NaN when :math:`(\sum w)^2 = \sum w^2`).

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [3.0]])
    >>> [v.tolist() for v in weighted_mean_var(x, np.ones(3))]
    [[2.0], [1.0]]
    >>> [v.round(4).tolist() for v in weighted_mean_var(x, np.array([1.0, 1.0, 2.0]))]
    [[2.25], [1.1]]

    (mean 9 / 4; :math:`4 / (16 - 6) \cdot (1.5625 + 0.0625 + 2 \cdot 0.5625) = 1.1`.)
    """
    sw = w.sum()
    m = (w[:, None] * x).sum(axis=0) / sw
    denom = sw ** 2 - np.sum(w ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = sw / denom * (w[:, None] * (x - m) ** 2).sum(axis=0) if denom > 0 else \
            np.full(x.shape[1], np.nan)
    return m, v


@result_class
class BalanceResult(Result):
    """Balance table: one row per covariate column (categorical levels expanded).

    Attributes
    ----------
    table : DataFrame
        ``variable`` (source column), ``type`` (binary/continuous), ``mean_treated_before``,
        ``mean_control_before``, ``mean_treated_after``, ``mean_control_after``,
        ``smd_before``, ``smd_after``, ``vr_before``, ``vr_after`` (variance ratio
        treated/control, continuous only).
    overall : DataFrame
        Maximum absolute SMD before/after, number of columns above ``threshold``, effective
        sample sizes. ``summary`` is the same table; calling it formats the whole result.
    threshold : float
    weighted : bool
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    threshold: float
    weighted: bool
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> CallableTable:  # type: ignore[override]
        """The overall balance; ``summary()`` gives the formatted summary."""
        return CallableTable.of(self.overall, lambda: Result.summary(self))

    def _describe(self) -> str:
        t, c = self.attrs.get("treated_level"), self.attrs.get("control_level")
        return (f"covariate balance of {t} vs {c}: {len(self.table)} column(s), largest "
                f"|SMD| {self.overall['max_abs_smd'].iloc[-1]:.3f} "
                f"{'after weighting' if self.weighted else 'unweighted'}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table), ("overall", self.overall)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Love plot of the absolute SMDs before and after (see
        :func:`kow_research.compare.plots.love_plot`); returns the Axes."""
        return love_plot(self, ax=ax, **kwargs)


@positional_deprecated("treatment", "covariates", "weights", "treated", "threshold")
def balance(df: pd.DataFrame, *, treatment: str, covariates: Sequence[str],
            treated: Any = None, weights: Any = None, threshold: float = 0.1,
            denominator: str = "pooled") -> BalanceResult:
    r"""Standardised mean differences (SMD) and variance ratios before and after weighting.

    For a continuous covariate

    .. math::

        \mathrm{SMD} = \frac{\bar x_{1,w} - \bar x_{0,w}}{\sqrt{(s_1^2 + s_0^2)/2}},

    for a binary one (every level of a categorical covariate is its own 0/1 row)

    .. math::

        \mathrm{SMD} = \frac{\hat p_{1,w} - \hat p_{0,w}}
        {\sqrt{\{\hat p_1(1-\hat p_1) + \hat p_0(1-\hat p_0)\}/2}} .

    With ``denominator="treated"`` the denominator is the treated group's SD alone
    (:math:`s_1`, binary :math:`\sqrt{\hat p_1(1-\hat p_1)}`), with ``"control"`` the control
    group's. The pooled SD suits the ATE and a plain two-group table (tableone); the treated SD
    suits the ATT (matching, ATT weights), because the treated are the target population: it
    is what MatchIt's ``summary`` and cobalt's ``bal.tab`` report for the ATT; the control SD
    suits the ATC. The denominator always uses the *unweighted* groups (so before and after
    are on one scale, as cobalt's default and tableone's unweighted table); the numerator uses
    weighted means after weighting. Variance ratio = :math:`s_{1,w}^2 / s_{0,w}^2` (continuous covariates) with
    the reliability-weight variance of :func:`weighted_mean_var`. The SMD is treated minus
    control.

    Parameters
    ----------
    df : DataFrame
        One row per person with the treatment and covariate columns.
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one (see
        :func:`~kow_research.compare.propensity`).
    covariates : sequence of str
        Columns to compare; every level of a categorical column becomes its own 0/1 row.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    weights : str or array_like, optional
        Weights "after" (a column name or one value per row, e.g. ``ps.weights`` of
        :func:`~kow_research.compare.propensity`); persons with weight 0 (trimmed) count
        before but not after. None: only the unweighted comparison.
    threshold : float, default 0.1
        Absolute SMD above which a covariate is flagged as imbalanced (Austin 2009).
    denominator : {"pooled", "treated", "control"}, default "pooled"
        SD in the denominator of the SMD: pooled over both groups (ATE), the treated group's
        (ATT, as MatchIt and cobalt) or the control group's (ATC). Recorded in
        ``attrs["denominator"]``.

    Returns
    -------
    BalanceResult
        ``table`` (one row per covariate column) and ``overall`` (largest absolute SMD,
        columns above ``threshold`` and effective sample sizes, before and after).

    References
    ----------
    Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
    between treatment groups in propensity-score matched samples. Stat Med 28:3083-3107.
    Greifer N, cobalt: Covariate Balance Tables and Plots (R package). Yoshida K, Bartel A,
    tableone (R package), ``ExtractSmd``.

    Examples
    --------
    Ages 30, 40, 50 (treated) against 40, 50, 60: means 40 and 50, both variances 100:

    >>> d = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0], "age": [30, 40, 50, 40, 50, 60]})
    >>> float(balance(d, treatment="arm", covariates=["age"]).table["smd_before"].iloc[0])
    -1.0

    Weighting the controls 2, 1, 0 moves their mean to (2 * 40 + 50) / 3 = 43.33; the SD of the
    unweighted groups stays the denominator:

    >>> b = balance(d, treatment="arm", covariates=["age"], weights=[1, 1, 1, 2, 1, 0])
    >>> round(float(b.table["smd_after"].iloc[0]), 4)     # (40 - 43.333) / 10
    -0.3333
    >>> b.overall["ess_control"].tolist()                 # (2 + 1)**2 / (4 + 1) after
    [3.0, 1.8]

    With the treated group's SD alone (for the ATT): treated ages 30, 40, 50 (mean 40, SD 10),
    controls 40, 50, 70 (mean 53.33, variance 233.3): -13.33 / 10 instead of -13.33 /
    sqrt((100 + 233.3) / 2) = -13.33 / 12.91:

    >>> d2 = d.assign(age=[30, 40, 50, 40, 50, 70])
    >>> round(float(balance(d2, treatment="arm", covariates=["age"],
    ...                     denominator="treated").table["smd_before"].iloc[0]), 4)
    -1.3333
    >>> round(float(balance(d2, treatment="arm", covariates=["age"]).table["smd_before"].iloc[0]),
    ...       4)
    -1.0328
    """
    check_choice("denominator", denominator, DENOMINATORS)
    t = treatment_indicator(df, treatment, treated)
    dm = design_matrix(df, covariates, drop_first=False, allow_constant=True)
    x, names, source, binary = dm.x, dm.names, dm.source, dm.binary
    w = as_weights(weights, df)
    g1, g0 = t == 1, t == 0
    one = np.ones(len(t))
    m1, v1 = weighted_mean_var(x[g1], one[g1])
    m0, v0 = weighted_mean_var(x[g0], one[g0])
    wm1, wv1 = weighted_mean_var(x[g1], w[g1])
    wm0, wv0 = weighted_mean_var(x[g0], w[g0])
    bin_ = np.asarray(binary)
    var1 = np.where(bin_, m1 * (1 - m1), v1)
    var0 = np.where(bin_, m0 * (1 - m0), v0)
    s2 = {"pooled": (var1 + var0) / 2, "treated": var1, "control": var0}[denominator]
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(s2)
        smd_b = np.where(sd > 0, (m1 - m0) / sd, 0.0)
        smd_a = np.where(sd > 0, (wm1 - wm0) / sd, 0.0)
        vr_b = np.where(bin_, np.nan, v1 / v0)
        vr_a = np.where(bin_, np.nan, wv1 / wv0)
    table = pd.DataFrame({"variable": source,
                          "type": np.where(bin_, "binary", "continuous"),
                          "mean_treated_before": m1, "mean_control_before": m0,
                          "mean_treated_after": wm1, "mean_control_after": wm0,
                          "smd_before": smd_b, "smd_after": smd_a,
                          "vr_before": vr_b, "vr_after": vr_a},
                         index=pd.Index(names, name="covariate"))

    def ess(v: np.ndarray) -> float:
        return float(v.sum() ** 2 / np.sum(v ** 2)) if v.sum() > 0 else 0.0

    summary = pd.DataFrame({
        "max_abs_smd": [float(np.max(np.abs(smd_b))), float(np.max(np.abs(smd_a)))],
        "n_above_threshold": [int((np.abs(smd_b) > threshold).sum()),
                              int((np.abs(smd_a) > threshold).sum())],
        "ess_treated": [float(g1.sum()), ess(w[g1])],
        "ess_control": [float(g0.sum()), ess(w[g0])]},
        index=pd.Index(["before", "after"], name="weighting"))
    attrs = {"smd": "SMD = (treated - control) weighted mean / " + SMD_TEXT[denominator],
             "denominator": denominator,
             "treatment": treatment,
             "treated_level": "treated" if treated is None else str(treated),
             "control_level": control_level(df, treatment, treated)}
    return BalanceResult(table=table, overall=summary, threshold=threshold,
                         weighted=weights is not None, attrs=attrs)
