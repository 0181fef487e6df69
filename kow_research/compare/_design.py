"""Input checks shared by the comparison methods: the treatment indicator, weights, time units.

Design matrices, separation checks and Newton–Raphson come from
:mod:`kow_research.survival.design` (one implementation for every model of the package).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.checks import check_choice, check_columns, row_labels
from kow_research.core.compat import warn_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.core.units import TIME_UNITS, months_to
from kow_research.survival._input import weights_array

__all__ = ["as_weights", "months_to", "plain", "time_unit", "treatment_indicator"]


def treatment_indicator(df: pd.DataFrame, treatment: str, treated: Any = None) -> np.ndarray:
    """0/1 array of the treatment column.

    A boolean or 0/1 column needs no ``treated``; any other column (e.g. ``cohort``) must
    have exactly two levels and ``treated`` names the treated one.
    """
    check_columns(df, [treatment], what="treatment column")
    col = df[treatment]
    if col.isna().any():
        raise ValueError(f"{treatment}: missing values in rows "
                         f"{row_labels(col.isna().to_numpy(), df.index)}; every person needs "
                         "a treatment group")
    if treated is None:
        values = set(pd.unique(col.astype(object)))
        if values <= {0, 1}:  # True == 1, False == 0
            t = col.astype(float).to_numpy()
        else:
            raise ValueError(f"{treatment}: levels {sorted(map(str, values))} are not 0/1; "
                             "say which level is treated, e.g. treated='KOW'")
    else:
        levels = set(map(str, pd.unique(col.astype(object))))
        if str(treated) not in levels:
            raise ValueError(f"{treatment}: treated level {treated!r} not present; levels "
                             f"are {sorted(levels)}")
        if len(levels) != 2:
            raise ValueError(f"{treatment}: needs exactly two groups, found {sorted(levels)}; "
                             "subset the data to the two cohorts being compared")
        t = (col.astype(str) == str(treated)).to_numpy(dtype=float)
    if t.min() == t.max():
        raise ValueError(f"{treatment}: only one group present; a comparison needs both")
    return t


def control_level(df: pd.DataFrame, treatment: str, treated: Any) -> str:
    """The name of the level that is not ``treated`` (``"control"`` for a 0/1 column)."""
    if treated is None:
        return "control"
    return next(str(v) for v in pd.unique(df[treatment].astype(str)) if v != str(treated))


def time_unit(df: pd.DataFrame, unit: str | None) -> str:
    """The unit of the duration column: ``unit`` or the outcome definition's, else days."""
    u = outcome_meta(df).unit if unit is None else unit
    check_choice("unit", u, TIME_UNITS)
    return str(u)


def plain(df: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` (optionally only ``columns``) without ``attrs``.

    pandas compares ``attrs`` when concatenating; working copies drop them and results carry
    the definition instead.
    """
    out = (df if columns is None else df[list(columns)]).copy()
    out.attrs = {}
    return out


def as_weights(weights: Any, df: pd.DataFrame) -> np.ndarray:
    """Weights from a column name or an array/Series (aligned by index), checked finite and
    >= 0 (0 = left out, e.g. trimmed); ones when None.

    A result object with ``.weights`` (propensity, matching, MAIC) is still accepted for one
    release, with a ``FutureWarning``: pass ``result.weights``.
    """
    if weights is None:
        return np.ones(len(df))
    if hasattr(weights, "weights") and not isinstance(weights, pd.Series | np.ndarray | str):
        warn_deprecated(f"weights={type(weights).__name__}(...) is deprecated: pass "
                        "weights=result.weights (a column name or an array)")
        weights = weights.weights
    w = weights_array(df, weights, allow_zero=True)
    assert w is not None
    return w
