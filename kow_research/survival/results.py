"""Frozen result objects of the survival engine (formatting only, no computation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _html(title: str, frame: pd.DataFrame, note: str = "") -> str:
    body = frame.to_html(float_format=lambda v: f"{v:.4g}")
    return f"<h4>{title}</h4>{body}" + (f"<p><small>{note}</small></p>" if note else "")


@dataclass(frozen=True)
class CurveResult:
    """A step curve (Kaplan-Meier survival or a cumulative incidence function) per group.

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
    at_risk : DataFrame
        ``group, time, n_risk`` unweighted counts at every distinct time (for risk tables).
    """

    table: pd.DataFrame
    median: pd.DataFrame
    kind: str
    alpha: float
    cause: int
    at_risk: pd.DataFrame
    grouped: bool
    attrs: dict[str, Any] = field(default_factory=dict)

    def at(self, times: Any) -> pd.DataFrame:
        """Curve values at ``times`` (right-continuous step function; before the first event
        the curve is 1 for survival and 0 for incidence, with zero SE)."""
        t = np.atleast_1d(np.asarray(times, dtype=float))
        out = []
        for g, sub in self.table.groupby("group", sort=False, observed=True):
            pos = np.searchsorted(sub["time"].to_numpy(), t, side="right") - 1
            start = 1.0 if self.kind == "survival" else 0.0
            cols = {}
            for c in ("estimate", "se", "lower", "upper"):
                v = sub[c].to_numpy()
                fill = {"estimate": start, "se": 0.0, "lower": start, "upper": start}[c]
                cols[c] = np.where(pos >= 0, v[np.clip(pos, 0, None)], fill)
            frame = pd.DataFrame({"time": t, **cols})
            if self.grouped:
                frame.insert(0, "group", g)
            out.append(frame)
        return pd.concat(out, ignore_index=True)

    def plot(self, ax: Any = None, risk_table: bool = False, language: str = "en") -> Any:
        """Step plot with confidence band; optional number-at-risk table. Returns the axes."""
        from kow_research.survival.plotting import plot_curve
        return plot_curve(self, ax=ax, risk_table=risk_table, language=language)

    def _repr_html_(self) -> str:
        return _html(f"{self.kind} (cause {self.cause})", self.median,
                     str(self.attrs.get("definition_text", "")))


@dataclass(frozen=True)
class RegressionResult:
    """Proportional (sub)hazards fit.

    ``summary`` is indexed by covariate with ``coef, se, hr, lower, upper, p``; ``vcov`` the
    covariance of the coefficients; ``zph`` (Cox only) the proportional-hazards test per term.
    """

    summary: pd.DataFrame
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

    def _repr_html_(self) -> str:
        return _html(f"{self.model} (cause {self.cause}, ties={self.ties})", self.summary,
                     f"n = {self.n}, events = {self.n_events}")


@dataclass(frozen=True)
class TestResult:
    """A K-sample test; ``table`` has one row per cause: ``cause, statistic, df, p``."""

    table: pd.DataFrame
    cause: int
    test: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def _row(self) -> pd.Series:
        return self.table.set_index("cause").loc[self.cause]

    @property
    def statistic(self) -> float:
        return float(self._row()["statistic"])

    @property
    def df(self) -> int:
        return int(self._row()["df"])

    @property
    def p_value(self) -> float:
        return float(self._row()["p"])

    def _repr_html_(self) -> str:
        return _html(self.test, self.table)


@dataclass(frozen=True)
class RmstResult:
    """Restricted mean survival time (``cause=0``... or time lost to a cause) up to ``tau``."""

    table: pd.DataFrame
    difference: pd.DataFrame | None
    tau: float
    alpha: float
    measure: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return _html(f"{self.measure} up to {self.tau:g}", self.table)
