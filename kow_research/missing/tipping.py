r"""Delta-adjusted (tipping-point) sensitivity analysis of an analysis after multiple imputation.

Under missing at random (MAR) the imputations of a person without a follow-up rung resemble
comparable people with one. If those without an assessment in fact did worse (or better), the
imputations are off by some shift :math:`\delta`. The analysis is repeated with the imputed
values shifted by each :math:`\delta` of a grid — for an ordinal rung imputed by proportional
odds, :math:`\delta` is added to the linear predictor, so the imputed people have
:math:`e^{\delta}` times the odds of a higher rung of comparable observed people — and the
*tipping point* is the shift at which the conclusion changes (the interval starts or stops
including the null). A conclusion that only tips at implausible shifts is robust to departures
from MAR (Ratitch, O'Kelly & Tosiello 2013; van Buuren 2018, section 9.2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.checks import check_alpha, check_columns
from kow_research.core.results import Result, new_axes, result_class
from kow_research.missing.imputation import ImputedData, impute
from kow_research.missing.pooling import PooledResult, pool
from kow_research.outcomes.ladder_model import OrdinalResult, fit_proportional_odds

#: default grid of shifts (log-odds of a higher category)
DELTAS = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)


def ordinal_model(df: pd.DataFrame, *, outcome: str, covariates: Sequence[str],
                  alpha: float = 0.05, reference: Mapping[str, Any] | None = None
                  ) -> OrdinalResult:
    r"""Proportional-odds model of an ordinal column of a frame (e.g. a completed data set).

    The model of :func:`kow_research.outcomes.ordinal_ladder_model`,

    .. math::

        \operatorname{logit} P(Y_i \le j) = \theta_j - \beta^\top x_i,

    fitted to the rows of ``df`` without a missing ``outcome`` or covariate (the others are
    counted in ``n_missing``), for analyses of the completed data sets of
    :func:`kow_research.missing.impute`.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    outcome : str
        Integer ordinal outcome (a rung).
    covariates : sequence of str
        Numeric, boolean or categorical columns.
    alpha : float, default 0.05
        1 - confidence level.
    reference : mapping, optional
        Reference level per categorical covariate.

    Returns
    -------
    OrdinalResult
        ``coef`` (odds ratios of a higher category), ``thresholds``, ``n``, ``n_missing``.

    References
    ----------
    McCullagh P (1980). Regression models for ordinal data. JRSS B 42:109-142.

    Examples
    --------
    The data of :func:`kow_research.outcomes.ordinal_ladder_model`'s example (R's
    ``polr(t6 ~ base)``: 0.6156, SE 0.6939):

    >>> d = pd.DataFrame({"base": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
    ...                   "t6": [1, 1, 2, 3, 1, 2, 2, 3, 2, 3, 3, 1]})
    >>> fit = ordinal_model(d, outcome="t6", covariates=["base"])
    >>> fit.coef.loc["base", ["coef", "se"]].astype(float).round(4).tolist()
    [0.6156, 0.6939]
    """
    alpha = check_alpha(alpha)
    check_columns(df, [outcome, *covariates])
    ok = df[[outcome, *covariates]].notna().all(axis=1)
    coef, thresholds, loglik = fit_proportional_odds(
        df[ok], outcome=outcome, covariates=list(covariates), alpha=alpha, label=outcome,
        reference=reference)
    definition = {"outcome": outcome, "model": "proportional odds (logit)",
                  "covariates": list(covariates)}
    return OrdinalResult(coef=coef, thresholds=thresholds, wave=outcome, n=int(ok.sum()),
                         n_missing=int((~ok).sum()), loglik=loglik, alpha=alpha,
                         definition=definition, attrs={"definition": definition})


@result_class
class TippingPointResult(Result):
    r"""Pooled estimates of one term over a grid of shifts of the imputations.

    Attributes
    ----------
    table : DataFrame
        One row per shift ``delta``: ``coef, se`` (pooling scale), ``estimate, lower,
        upper`` (the scale of the term, e.g. odds ratio), ``p``, ``fmi`` and
        ``significant`` (:math:`p < \alpha`). ``to_frame()`` returns it.
    tipping : DataFrame
        Per direction (``"negative"``, ``"positive"``): the shift at which the conclusion
        at :math:`\delta = 0` changes, interpolated linearly between the grid points around
        it (NaN when it does not change within the grid).
    term, column : str
        The term whose conclusion is followed and the imputed column that was shifted.
    alpha : float
    """

    table: pd.DataFrame
    tipping: pd.DataFrame
    term: str
    column: str
    alpha: float
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def tipping_point(self) -> float:
        """The tipping shift nearest to 0 (NaN when the conclusion holds over the grid)."""
        d = self.tipping["delta"].to_numpy(float)
        d = d[np.isfinite(d)]
        return float(d[np.argmin(np.abs(d))]) if len(d) else float("nan")

    def _describe(self) -> str:
        tp = self.tipping_point
        where = f"tips at delta = {tp:.3g}" if np.isfinite(tp) else "holds over the grid"
        return (f"tipping-point analysis of {self.term} (imputed {self.column} shifted, "
                f"{len(self.table)} deltas): the conclusion {where}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table), ("tipping", self.tipping)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Pooled estimate and interval against the shift, the null and the tipping point.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = new_axes(ax)
        t = self.table
        ax.fill_between(t["delta"], t["lower"], t["upper"], color="0.85", step=None,
                        label=f"{100 * (1 - self.alpha):g}% CI")
        ax.plot(t["delta"], t["estimate"], marker="o", **{"color": "black", **kwargs})
        ratio = "coef" in t.columns and bool(np.allclose(t["estimate"], np.exp(t["coef"])))
        ax.axhline(1.0 if ratio else 0.0, color="grey", lw=0.8, ls="--")
        if ratio:
            ax.set_yscale("log")
        for d in self.tipping["delta"].dropna():
            ax.axvline(d, color="firebrick", lw=1, ls=":")
        ax.set_xlabel(f"shift of the imputed {self.column} (delta)")
        ax.set_ylabel(f"{self.attrs.get('scale', 'estimate')} of {self.term}")
        return ax


def _crossing(d0: float, d1: float, v0: float, v1: float) -> float:
    """Where the line through (d0, v0) and (d1, v1) crosses 0."""
    return float(d0 + (d1 - d0) * v0 / (v0 - v1)) if v0 != v1 else float(d1)


def _tipping(table: pd.DataFrame, null_col: str) -> pd.DataFrame:
    base = table.loc[np.isclose(table["delta"], 0.0)].iloc[0]
    sig0, sign0 = bool(base["significant"]), np.sign(base[null_col])
    rows = []
    for direction, part in (("negative", table[table["delta"] <= 0].iloc[::-1]),
                            ("positive", table[table["delta"] >= 0])):
        found = float("nan")
        between = ""
        prev = part.iloc[0]
        for _, row in part.iloc[1:].iterrows():
            changed = bool(row["significant"]) != sig0 or (
                sig0 and np.sign(row[null_col]) != sign0)
            if changed:
                if sig0:  # the bound on the side of the null reaches it
                    bound = "lo" if sign0 > 0 else "hi"
                else:     # either bound leaves the null
                    bound = "lo" if row["lo"] > 0 else "hi"
                found = _crossing(prev["delta"], row["delta"], prev[bound], row[bound])
                between = f"{prev['delta']:g} to {row['delta']:g}"
                break
            prev = row
        rows.append((direction, found, between))
    return pd.DataFrame(rows, columns=["direction", "delta", "between"])


def tipping_point(imputed: ImputedData, *, analysis: Callable[[pd.DataFrame], Any], term: str,
                  column: str | None = None, deltas: Sequence[float] = DELTAS,
                  treatment: str | None = None, treated: Any = None, alpha: float = 0.05,
                  dfcom: float | None = None, n_jobs: int = 1) -> TippingPointResult:
    r"""Re-impute with the imputations of ``column`` shifted by each ``delta``, re-run the
    analysis, pool, and find the shift at which the conclusion about ``term`` changes.

    For every :math:`\delta` the chained equations of ``imputed`` are run again (same
    columns, methods, predictors and seed) with :math:`\delta` added to the linear predictor
    of ``column``'s imputation model in every iteration (``polr``, ``logreg``: log-odds of a
    higher category; ``pmm``: added to the value), only for the rows of the ``treated`` arm
    when ``treatment`` is given. Each data set is analysed with ``analysis``, the results are
    pooled (:func:`kow_research.missing.pool`), and the conclusion — whether the
    :math:`1-\alpha` interval of ``term`` excludes the null, and the sign of the estimate —
    is compared with the one at :math:`\delta = 0` (missing at random).

    Parameters
    ----------
    imputed : ImputedData
        The imputations under MAR (:func:`kow_research.missing.impute`).
    analysis : callable
        ``analysis(frame)`` returns a result with a coefficient table (or a table with
        estimate and ``se``) containing ``term``.
    term : str
        The row of the pooled table whose conclusion is followed (e.g. ``"cohort=KOW"``).
    column : str, optional
        The imputed column to shift (default: the only ``polr`` column, else the only imputed
        column).
    deltas : sequence of float, default -2 to 2 by 0.5
        The shifts; 0 is added when absent.
    treatment : str, optional
        Shift only the imputations of rows where ``treatment`` equals ``treated``.
    treated : object, optional
        The level of ``treatment`` whose imputations are shifted (default True or 1).
    alpha : float, default 0.05
        1 - confidence level; the conclusion is :math:`p < \alpha`.
    dfcom : float, optional
        Complete-data degrees of freedom (see :func:`kow_research.missing.pool`).
    n_jobs : int, default 1
        Chains run in parallel with joblib.

    Returns
    -------
    TippingPointResult
        ``table`` (one row per shift), ``tipping`` (per direction), ``tipping_point`` and
        ``plot()``.

    Raises
    ------
    ValueError
        ``column`` not imputed, ``term`` not in the analysis, or a ``treatment`` without
        the ``treated`` level.

    References
    ----------
    .. [1] Ratitch B, O'Kelly M, Tosiello R. Missing data in clinical trials: from clinical
       assumptions to statistical analysis using pattern mixture models. Pharm Stat
       2013;12:337-347.
    .. [2] van Buuren S. Flexible Imputation of Missing Data, 2nd ed. CRC 2018, section 9.2.
    .. [3] Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley 1987.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"arm": np.repeat([0, 1], 60), "base": rng.integers(1, 4, 120)})
    >>> d["rung"] = np.clip(d["base"] + rng.integers(0, 3, 120) + d["arm"], 1, 6).astype(float)
    >>> d.loc[rng.random(120) < 0.25, "rung"] = np.nan
    >>> imp = impute(d, m=5, iterations=3, seed=2, methods={"rung": "polr"})
    >>> res = tipping_point(imp, analysis=lambda f: ordinal_model(
    ...     f, outcome="rung", covariates=["arm", "base"]), term="arm", deltas=[-4, -2, 0],
    ...     treatment="arm", treated=1)
    >>> res.table[["delta", "significant"]].to_dict("list")
    {'delta': [-4.0, -2.0, 0.0], 'significant': [False, True, True]}
    >>> res.tipping["direction"].tolist()
    ['negative', 'positive']
    """
    alpha = check_alpha(alpha)
    settings = dict(imputed.attrs.get("settings", {}))
    if settings.get("substantive"):
        raise ValueError("these imputations are compatible with a Cox model (SMC-FCS), which "
                         "has no shifted version; run the tipping-point analysis on "
                         "imputations by chained equations (impute without substantive=)")
    methods = dict(settings.get("methods", {}))
    if column is None:
        polr = [c for c, mth in methods.items() if mth == "polr"]
        choice = polr if len(polr) == 1 else list(methods)
        if len(choice) != 1:
            raise ValueError(f"name the column to shift (column=); imputed: {list(methods)}")
        column = choice[0]
    if column not in methods:
        raise ValueError(f"{column!r} was not imputed; imputed columns: {list(methods)}")
    df = imputed.original
    rows = None
    if treatment is not None:
        check_columns(df, [treatment])
        level = treated
        if level is None:
            values = set(pd.unique(df[treatment].dropna()))
            if not values <= {0, 1}:   # also True/False
                raise ValueError(f"{treatment} has levels {sorted(map(str, values))}: say "
                                 "which one is shifted with treated=")
            level = 1
        rows = (df[treatment] == level).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            raise ValueError(f"no row has {treatment} == {level!r}")
    grid = sorted({float(d) for d in deltas} | {0.0})
    pooled: list[PooledResult] = []
    for d in grid:
        run = imputed if d == 0.0 else impute(
            df, columns=settings["columns"], m=imputed.m, iterations=imputed.iterations,
            seed=imputed.seed, methods=methods, predictors=settings.get("predictors") or None,
            donors=settings.get("donors", 5), prior_scale=settings.get("prior_scale", 2.5),
            delta={column: d}, delta_rows=rows, n_jobs=n_jobs)
        pooled.append(pool(run.analyse(analysis), dfcom=dfcom, alpha=alpha))
    if term not in pooled[0].table.index:
        raise ValueError(f"term {term!r} is not in the pooled table; terms are "
                         f"{list(pooled[0].table.index)}")
    records = []
    for d, res in zip(grid, pooled, strict=True):
        row = res.table.loc[term]
        on_coef = "coef" in res.table.columns
        centre = float(row["coef"] if on_coef else row["estimate"])
        se, dfv = float(row["se"]), float(row["df"])
        crit = stats.t.ppf(1 - alpha / 2, dfv)
        records.append({"delta": d, **({"coef": centre} if on_coef else {}), "se": se,
                        "estimate": float(row["estimate"]), "lower": float(row["lower"]),
                        "upper": float(row["upper"]), "p": float(row["p"]),
                        "fmi": float(res.variance.loc[term, "fmi"]),
                        "significant": bool(row["p"] < alpha),
                        "lo": centre - crit * se, "hi": centre + crit * se})
    work = pd.DataFrame(records)
    tipping = _tipping(work, "coef" if "coef" in work.columns else "estimate")
    table = work.drop(columns=["lo", "hi"])
    scale = str(pooled[0].table.loc[term, "scale"]) if "scale" in pooled[0].table.columns \
        else "estimate"
    arm = "" if treatment is None else f" in rows with {treatment} == {treated!r}"
    attrs = {"term": term, "column": column, "method": methods[column], "scale": scale,
             "deltas": grid, "treatment": treatment, "treated": treated,
             "note": (f"imputations of {column} shifted by delta{arm} "
                      + ("on the log-odds scale of a higher category"
                         if methods[column] in ("polr", "logreg") else "in its own units")
                      + f"; same seed ({imputed.seed}) for every delta; conclusion: "
                        f"p < {alpha:g} for {term}")}
    return TippingPointResult(table=table, tipping=tipping, term=term, column=column,
                              alpha=alpha, attrs=attrs)
