r"""Rubin's rules: one estimate, variance and interval from the analyses of ``m`` completed
data sets, with the Barnard–Rubin small-sample degrees of freedom (as R's ``mice::pool``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.checks import check_alpha
from kow_research.core.results import Result, new_axes, result_class

#: the customary alias columns of coefficient tables, copied to the pooled table
ALIASES = ("hr", "or")
#: the scale of pooled thresholds of ordinal models (not exponentiated)
THRESHOLD = "threshold (logit)"
#: mice's floor on lambda in the Barnard-Rubin degrees of freedom
LAMBDA_FLOOR = 1e-4


def barnard_rubin(b: np.ndarray, *, t: np.ndarray, m: int, dfcom: float = np.inf
                  ) -> np.ndarray:
    r"""Barnard–Rubin (1999) degrees of freedom of the pooled estimate.

    .. math::

        \nu = \frac{\nu_{\mathrm{old}}\,\nu_{\mathrm{obs}}}{\nu_{\mathrm{old}} +
        \nu_{\mathrm{obs}}},\quad
        \nu_{\mathrm{old}} = \frac{m - 1}{\lambda^2},\quad
        \nu_{\mathrm{obs}} = \frac{\nu_{\mathrm{com}} + 1}{\nu_{\mathrm{com}} + 3}\,
        \nu_{\mathrm{com}}\,(1 - \lambda),\quad \lambda = \frac{(1 + 1/m)\,b}{t}

    with :math:`\lambda` floored at :data:`LAMBDA_FLOOR` (as mice) and
    :math:`\nu = \nu_{\mathrm{old}}` for an infinite :math:`\nu_{\mathrm{com}}`.

    Parameters
    ----------
    b : ndarray
        Between-imputation variance.
    t : ndarray
        Total variance.
    m : int
        Number of imputations.
    dfcom : float, default inf
        Degrees of freedom of the complete-data analysis (``inf``: large sample).

    Returns
    -------
    ndarray

    References
    ----------
    Barnard J, Rubin DB (1999). Small-sample degrees of freedom with multiple imputation.
    Biometrika 86:948-955.

    Examples
    --------
    With :math:`m = 5`, :math:`b = 0.1`, :math:`t = 0.6`: :math:`\lambda = 0.2`,
    :math:`\nu_{\mathrm{old}} = 100`, :math:`\nu_{\mathrm{obs}} = (51/53) \cdot 50 \cdot 0.8
    = 38.49`, :math:`\nu = 27.79`:

    >>> barnard_rubin(np.array([0.1]), t=np.array([0.6]), m=5, dfcom=50).round(2).tolist()
    [27.79]
    """
    lam = np.maximum((1 + 1 / m) * np.asarray(b, float) / np.asarray(t, float), LAMBDA_FLOOR)
    old = (m - 1) / lam ** 2
    if not np.isfinite(dfcom):
        return old
    obs = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lam)
    return old * obs / (old + obs)


@dataclass(frozen=True)
class _Estimates:
    q: pd.Series
    u: pd.Series
    log_scale: bool
    scale: pd.Series | None
    alias: str | None
    dfcom: float
    dfcom_rule: str
    what: str


def _table_of(result: Any, estimate: str | None, on: Sequence[str] | None, thresholds: bool
              ) -> _Estimates:
    if isinstance(result, pd.DataFrame):
        frame, what = result, "table"
    elif isinstance(getattr(result, "coef", None), pd.DataFrame):
        frame, what = result.coef, result._describe() if isinstance(result, Result) else ""
    elif isinstance(result, Result):
        frame, what = result.to_frame(), result._describe()
    else:
        raise TypeError(f"cannot pool a {type(result).__name__}: give result objects with a "
                        "coefficient table (.coef) or DataFrames with an estimate and 'se'")
    col = estimate or ("coef" if "coef" in frame.columns else "estimate")
    missing = [c for c in (col, "se") if c not in frame.columns]
    if missing:
        raise ValueError(f"the {what or 'table'} has no column(s) {missing}; columns are "
                         f"{list(frame.columns)} (name the estimate with estimate=)")
    keys = list(on) if on is not None else (
        [c for c in ("measure", "horizon_months") if c in frame.columns]
        if "measure" in frame.columns and isinstance(frame.index, pd.RangeIndex) else [])
    work = frame.set_index(keys) if keys else frame
    log_scale = col == "coef"
    scale = work["scale"].astype(str) if log_scale and "scale" in work.columns else None
    alias = next((a for a in ALIASES if a in work.columns), None) if log_scale else None
    q = work[col].astype(float)
    u = work["se"].astype(float) ** 2
    n_par = len(q)
    th = getattr(result, "thresholds", None)
    if isinstance(th, pd.DataFrame) and {"theta", "se"} <= set(th.columns):
        n_par += len(th)
        if thresholds:
            names = pd.Index(th["between"].astype(str) if "between" in th else th.index)
            q = pd.concat([q, pd.Series(th["theta"].to_numpy(float), index=names)])
            u = pd.concat([u, pd.Series(th["se"].to_numpy(float) ** 2, index=names)])
            if scale is not None:
                scale = pd.concat([scale, pd.Series(THRESHOLD, index=names)])
    dfcom, rule = _default_dfcom(result, n_par)
    return _Estimates(q, u, log_scale, scale, alias, dfcom, rule, what)


def _default_dfcom(result: Any, n_par: int) -> tuple[float, str]:
    """mice's ``get.dfcom``: events - parameters for proportional-hazards models (``coxph``),
    observations - parameters otherwise (``df.residual`` of ``glm``/``polr``)."""
    n_events = getattr(result, "n_events", None)
    if isinstance(n_events, int | np.integer) and getattr(result, "model", "") in (
            "cox", "fine_gray"):
        return float(max(int(n_events) - n_par, 1)), "events - parameters"
    n = getattr(result, "n", None)
    if n is None and isinstance(getattr(result, "by_group", None), pd.DataFrame) and \
            "n" in result.by_group.columns:
        n = int(result.by_group["n"].sum())
    if isinstance(n, int | np.integer):
        return float(max(int(n) - n_par, 1)), "observations - parameters"
    return float("inf"), "large sample (dfcom not known)"


@result_class
class PooledResult(Result):
    r"""Estimates pooled over imputations with Rubin's rules.

    Attributes
    ----------
    table : DataFrame
        One row per term (the rows of the analysed table). For coefficient tables:
        ``coef, se, t, df, p`` on the log scale and ``estimate, lower, upper`` on the scale
        named in ``scale`` (with the alias ``hr``/``or`` when the input had it); for other
        tables ``estimate, se, t, df, p, lower, upper``. ``se`` is :math:`\sqrt{T}`; ``t`` is
        the estimate over ``se``, referred to a t distribution with ``df`` degrees of freedom
        (Barnard–Rubin), as are the intervals.
    variance : DataFrame
        Per term: ``ubar`` (within-imputation variance :math:`\bar U`), ``b`` (between,
        :math:`B`), ``total`` (:math:`T = \bar U + (1 + 1/m)B`, mice's ``t``), ``dfcom``,
        ``df``, ``riv`` (relative increase in variance), ``lambda`` (proportion of the
        variance due to missingness) and ``fmi`` (fraction of missing information), as
        ``mice::pool(fit)$pooled``.
    estimates : DataFrame
        The estimate of every imputation (one column per imputation).
    m : int
    alpha : float
    """

    table: pd.DataFrame
    variance: pd.DataFrame
    estimates: pd.DataFrame
    m: int
    alpha: float
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"{self.attrs.get('analysis', 'analysis')} pooled over {self.m} imputations "
                f"(Rubin's rules), {len(self.table)} term(s), {100 * (1 - self.alpha):g}% CI")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table), ("variance", self.variance)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Pooled estimates with their intervals, one row per term.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = new_axes(ax)
        t = self.table
        y = np.arange(len(t))[::-1]
        est, lo, hi = (t[c].to_numpy(float) for c in ("estimate", "lower", "upper"))
        ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", capsize=3,
                    **{"color": "black", **kwargs})
        ratio = "coef" in t.columns
        ax.axvline(1.0 if ratio else 0.0, color="grey", lw=0.8, ls="--")
        if ratio:
            ax.set_xscale("log")
        ax.set_yticks(y, [str(i) for i in t.index])
        scale = t["scale"].iloc[0] if "scale" in t.columns else "estimate"
        ax.set_xlabel(f"{scale} ({100 * (1 - self.alpha):g}% CI, pooled over {self.m})")
        return ax


def pool(results: Sequence[Any], *, dfcom: float | None = None, alpha: float = 0.05,
         estimate: str | None = None, on: Sequence[str] | None = None,
         thresholds: bool = False) -> PooledResult:
    r"""Pool the results of one analysis run on each of ``m`` completed data sets.

    With :math:`\hat Q_l` and :math:`U_l` the estimate and its squared standard error in data
    set :math:`l`:

    .. math::

        \bar Q = \frac1m \sum_l \hat Q_l,\quad
        \bar U = \frac1m \sum_l U_l,\quad
        B = \frac{1}{m-1} \sum_l (\hat Q_l - \bar Q)^2,\quad
        T = \bar U + \Bigl(1 + \frac1m\Bigr) B,

    relative increase in variance :math:`r = (1 + 1/m)B/\bar U`,
    :math:`\lambda = (1 + 1/m)B/T`, degrees of freedom :math:`\nu` by Barnard & Rubin
    (:func:`barnard_rubin`), fraction of missing information
    :math:`\gamma = (r + 2/(\nu + 3))/(r + 1)`, and the interval
    :math:`\bar Q \pm t_{\nu, 1 - \alpha/2} \sqrt T` — the formulas of R's ``mice::pool``.
    Estimates must be on a scale where normality is plausible: coefficients of Cox,
    Fine–Gray, logistic and ordinal models are pooled on the log scale (hazard and odds
    ratios exponentiated afterwards), risk differences as they are.

    Parameters
    ----------
    results : sequence
        At least two results of the same analysis: objects with a coefficient table
        (``.coef``: Cox, Fine–Gray, the ordinal model, the propensity model), other results
        (their main table, e.g. a comparison's ``measure, horizon_months, estimate, se``),
        or DataFrames with an estimate and ``se`` column.
    dfcom : float, optional
        Degrees of freedom of the complete-data analysis. Default as mice: events minus
        parameters for Cox and Fine–Gray models, observations minus parameters for the
        ordinal and logistic models, infinite (large sample) for other tables.
    alpha : float, default 0.05
        1 - confidence level.
    estimate : str, optional
        The column to pool (default ``coef`` when present, else ``estimate``).
    on : sequence of str, optional
        Columns identifying the rows (default the index; ``measure`` and ``horizon_months``
        for comparison tables).
    thresholds : bool, default False
        Ordinal models: pool the thresholds too (rows named like ``"2|3"``).

    Returns
    -------
    PooledResult
        ``table`` (pooled estimates with t-based intervals), ``variance`` (``ubar, b, total,
        dfcom, df, riv, lambda, fmi``) and ``estimates`` (per imputation).

    Raises
    ------
    ValueError
        Fewer than two results, results with different terms or scales, missing or
        non-finite standard errors.

    References
    ----------
    .. [1] Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley 1987.
    .. [2] Barnard J, Rubin DB. Small-sample degrees of freedom with multiple imputation.
       Biometrika 1999;86:948-955.
    .. [3] van Buuren S, Groothuis-Oudshoorn K. mice: Multivariate imputation by chained
       equations in R. J Stat Softw 2011;45(3):1-67.

    Examples
    --------
    Three imputations of one risk difference: :math:`\bar Q = 0.2`, :math:`\bar U = 0.0025`,
    :math:`B = 0.0004`, :math:`T = 0.0025 + (4/3)\,0.0004 = 0.003033`:

    >>> fits = [pd.DataFrame({"estimate": [q], "se": [0.05]}, index=["rd"])
    ...         for q in (0.18, 0.20, 0.22)]
    >>> res = pool(fits, dfcom=100)
    >>> res.table.loc["rd", ["estimate", "se"]].round(5).tolist()
    [0.2, 0.05508]
    >>> res.variance.loc["rd", ["b", "total", "riv"]].round(6).tolist()
    [0.0004, 0.003033, 0.213333]
    """
    alpha = check_alpha(alpha)
    results = list(results)
    m = len(results)
    if m < 2:
        raise ValueError(f"pooling needs the results of at least 2 imputations, got {m}")
    parts = [_table_of(r, estimate, on, thresholds) for r in results]
    first = parts[0]
    terms = list(first.q.index)
    for i, p in enumerate(parts[1:], start=2):
        if not p.q.index.equals(first.q.index):   # (NaN labels compare equal here)
            raise ValueError(f"imputation {i} has terms {list(p.q.index)}, imputation 1 has "
                             f"{terms}: pool the same analysis (same covariates and levels; "
                             "give reference= so that every data set codes levels alike)")
        if p.log_scale != first.log_scale or (
                p.scale is not None and first.scale is not None
                and list(p.scale) != list(first.scale)):
            raise ValueError(f"imputation {i} is on another scale than imputation 1")
    q = np.column_stack([p.q.to_numpy(float) for p in parts])
    u = np.column_stack([p.u.to_numpy(float) for p in parts])
    bad = ~np.isfinite(q) | ~np.isfinite(u) | (u < 0)
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise ValueError(f"missing or non-finite estimate or SE: term {terms[rows[0]]!r} in "
                         f"imputation {cols[0] + 1} (and {int(bad.sum()) - 1} more)")
    if dfcom is None:
        dfc, rule = first.dfcom, first.dfcom_rule
    else:
        dfc, rule = max(float(dfcom), 1.0), "given"
    qbar, ubar = q.mean(axis=1), u.mean(axis=1)
    b = q.var(axis=1, ddof=1)
    total = ubar + (1 + 1 / m) * b
    df = barnard_rubin(b, t=total, m=m, dfcom=dfc)
    with np.errstate(divide="ignore", invalid="ignore"):
        riv = (1 + 1 / m) * b / ubar
    lam = (1 + 1 / m) * b / total
    fmi = (riv + 2 / (df + 3)) / (riv + 1)
    se = np.sqrt(total)
    stat = qbar / se
    p = 2 * stats.t.sf(np.abs(stat), np.maximum(df, 0.001))
    crit = stats.t.ppf(1 - alpha / 2, df)
    lo, hi = qbar - crit * se, qbar + crit * se
    index = pd.Index(terms, name="term") if not isinstance(first.q.index, pd.MultiIndex) \
        else first.q.index
    if first.log_scale:
        is_th = np.zeros(len(terms), dtype=bool) if first.scale is None else \
            (first.scale == THRESHOLD).to_numpy()
        est, elo, ehi = (np.where(is_th, v, np.exp(v)) for v in (qbar, lo, hi))
        table = pd.DataFrame({"coef": qbar, "se": se, "t": stat, "df": df, "p": p,
                              "estimate": est, "lower": elo, "upper": ehi}, index=index)
        if first.scale is not None:
            table["scale"] = first.scale.to_numpy()
        if first.alias is not None:
            table[first.alias] = np.where(is_th, np.nan, est)
    else:
        table = pd.DataFrame({"estimate": qbar, "se": se, "t": stat, "df": df, "p": p,
                              "lower": lo, "upper": hi}, index=index)
    variance = pd.DataFrame({"ubar": ubar, "b": b, "total": total, "dfcom": dfc, "df": df,
                             "riv": riv, "lambda": lam, "fmi": fmi}, index=index)
    estimates = pd.DataFrame(q, index=index, columns=[f"imp{i}" for i in range(1, m + 1)])
    attrs = {"analysis": first.what or "analysis", "m": m, "dfcom": dfc, "dfcom_rule": rule,
             "pooled_on": "log scale" if first.log_scale else "the scale of the estimate",
             "note": (f"Rubin's rules over {m} imputations; t intervals with Barnard-Rubin "
                      f"degrees of freedom (complete-data df: {rule}"
                      + ("" if not np.isfinite(dfc) else f", {dfc:g}") + ")")}
    return PooledResult(table=table, variance=variance, estimates=estimates, m=m, alpha=alpha,
                        attrs=attrs)
