"""Result objects of the survival engine (formatting only; the numbers are computed by the
estimators). All follow the protocol of :mod:`kow_research.core.results`."""

from __future__ import annotations

from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.results import CallableTable, Result, result_class
from kow_research.survival.kernels import step_at
from kow_research.survival.plotting import plot_curve

CURVE_KINDS = {"survival": "Kaplan-Meier survival",
               "cumulative_incidence": "Aalen-Johansen cumulative incidence"}


@result_class
class CurveResult(Result):
    """A step curve (Kaplan–Meier survival or a cumulative incidence function) per group.

    Attributes
    ----------
    table : DataFrame
        One row per event time and group: ``group, time, n_risk, n_event, estimate, se,
        lower, upper`` (``n_risk``/``n_event`` weighted when weights are given).
    median : DataFrame
        ``group, median, lower, upper`` (NaN where the curve never reaches one half).
    kind : str
        ``"survival"`` or ``"cumulative_incidence"``.
    alpha : float
        1 - confidence level.
    cause : int
        The event code the curve is about.
    at_risk : DataFrame
        ``group, time, n_risk, n_censored``: unweighted counts at every distinct time (for
        risk tables and censoring ticks).
    grouped : bool
        Whether ``by`` was given.
    groups : tuple
        Every group, also those without an event of the cause.
    by : str or None
        The grouping column.
    attrs : dict
        Outcome definition, cause, variance method.
    """

    table: pd.DataFrame
    median: pd.DataFrame
    kind: str
    alpha: float
    cause: int
    at_risk: pd.DataFrame
    grouped: bool
    groups: tuple[Any, ...] = ()
    by: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return (f"{CURVE_KINDS.get(self.kind, self.kind)} of cause {self.cause}{by}, "
                f"{len(self.groups) or 1} group(s), {100 * (1 - self.alpha):g}% CI")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table), ("median", self.median)]

    def at(self, times: Any) -> pd.DataFrame:
        """Curve values at ``times`` (right-continuous step function).

        Before the first event the curve is 1 for survival and 0 for incidence, with zero SE;
        a group without any event of the cause keeps that value throughout.

        Parameters
        ----------
        times : array_like
            Times in the unit of the duration column.

        Returns
        -------
        DataFrame
            ``time, estimate, se, lower, upper`` (with ``group`` first when grouped).
        """
        t = np.atleast_1d(np.asarray(times, dtype=float))
        start = 1.0 if self.kind == "survival" else 0.0
        fill = {"estimate": start, "se": 0.0, "lower": start, "upper": start}
        out = []
        for g in self.groups or tuple(pd.unique(self.table["group"])):
            sub = self.table[self.table["group"] == g]
            cols = {c: step_at(sub["time"].to_numpy(dtype=float), sub[c].to_numpy(dtype=float),
                               t, start=fill[c]) for c in fill}
            frame = pd.DataFrame({"time": t, **cols})
            if self.grouped:
                frame.insert(0, "group", g)
            out.append(frame)
        return pd.concat(out, ignore_index=True)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Step plot with its confidence band (see
        :func:`kow_research.survival.plotting.plot_curve` for ``risk_table``, ``language``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        return plot_curve(self, ax=ax, **kwargs)


@result_class
class RegressionResult(Result):
    """A proportional (sub)hazards fit.

    Attributes
    ----------
    coef : DataFrame
        The coefficient table (one schema for every model of the package): index ``term``,
        ``coef, se, z, p, estimate, lower, upper, scale`` and ``hr`` (= ``estimate``).
        ``summary`` is the same table; calling it, ``summary()``, formats the whole fit.
    vcov : DataFrame
        Covariance of the coefficients.
    model : {"cox", "fine_gray"}
    ties : {"breslow", "efron"}
    cause, n, n_events, loglik, iterations, alpha
    zph : DataFrame or None
        Cox only: the proportional-hazards test per term (``chisq, df, p``).
    """

    coef: pd.DataFrame
    vcov: pd.DataFrame
    alpha: float
    model: str
    ties: str
    cause: int
    n: int
    n_events: int
    loglik: float
    iterations: int
    zph: pd.DataFrame | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> CallableTable:  # type: ignore[override]
        """The coefficient table; ``summary()`` gives the formatted summary."""
        return CallableTable.of(self.coef, lambda: Result.summary(self))

    def _describe(self) -> str:
        name = {"cox": "cause-specific Cox model", "fine_gray": "Fine-Gray model"}[self.model]
        return (f"{name} of cause {self.cause} ({self.ties} ties): n = {self.n}, "
                f"{self.n_events} events, {len(self.coef)} term(s)")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [("coef", self.coef)]
        if self.zph is not None:
            tables.append(("zph", self.zph))
        return tables


@result_class
class TestResult(Result):
    """A K-sample test; ``table`` has one row per cause: ``cause, statistic, df, p``.

    ``statistic``, ``degrees_of_freedom`` (also ``df``) and ``p_value`` refer to ``cause``.
    """

    table: pd.DataFrame
    cause: int
    test: str
    by: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    __test__ = False  # not a pytest test class

    def _row(self) -> pd.Series:
        return self.table.set_index("cause").loc[self.cause]

    @property
    def statistic(self) -> float:
        """The chi-square statistic for ``cause``."""
        return float(self._row()["statistic"])

    @property
    def degrees_of_freedom(self) -> int:
        """Degrees of freedom of the chi-square statistic (number of groups - 1)."""
        return int(self._row()["df"])

    @property
    def df(self) -> int:
        """Degrees of freedom (the name the API contract uses; see ``degrees_of_freedom``)."""
        return self.degrees_of_freedom

    @property
    def p_value(self) -> float:
        """The p-value for ``cause``."""
        return float(self._row()["p"])

    def _describe(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return (f"{self.test}{by}, cause {self.cause}: chi2 = {self.statistic:.4g} on "
                f"{self.degrees_of_freedom} df, p = {self.p_value:.3g}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]


@result_class
class RmstResult(Result):
    """Restricted mean time up to ``tau`` per group (and the difference with two groups).

    Attributes
    ----------
    table : DataFrame
        ``group, rmst, se, lower, upper`` (``rmst`` holds the estimate of ``estimand``).
    difference : DataFrame or None
        Two groups: ``contrast, estimate, se, lower, upper, p`` (second minus first group).
    tau, alpha : float
    estimand : str
        ``"event_free_censored"``, ``"event_free_competing"`` or ``"time_lost"``.
    measure : str
        Its readable name.
    """

    table: pd.DataFrame
    difference: pd.DataFrame | None
    tau: float
    alpha: float
    measure: str
    estimand: str = "event_free_censored"
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return f"{self.measure} up to {self.tau:g}, {len(self.table)} group(s)"

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [("table", self.table)]
        if self.difference is not None:
            tables.append(("difference", self.difference))
        return tables
