"""Input checks and design matrices shared by the comparison methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

MONTH = 30.4375  # days per month (365.25 / 12), as in kow_research.outcomes
UNITS = {"days": 1.0, "weeks": 7.0, "months": MONTH}


def _row_labels(mask: np.ndarray, index: pd.Index, limit: int = 5) -> str:
    labels = [str(x) for x in index[np.flatnonzero(mask)[:limit]]]
    more = int(mask.sum()) - len(labels)
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def treatment_indicator(df: pd.DataFrame, treatment: str, treated: Any = None) -> np.ndarray:
    """0/1 array of the treatment column.

    A boolean or 0/1 column needs no ``treated``; any other column (e.g. ``cohort``) must
    have exactly two levels and ``treated`` names the treated one.
    """
    if treatment not in df.columns:
        raise ValueError(f"treatment column {treatment!r} not found; columns are "
                         f"{list(df.columns)}")
    col = df[treatment]
    if col.isna().any():
        raise ValueError(f"{treatment}: missing values in rows "
                         f"{_row_labels(col.isna().to_numpy(), df.index)}; every person needs "
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


def design(df: pd.DataFrame, covariates: Sequence[str], drop_first: bool = True
           ) -> tuple[np.ndarray, list[str], list[str], list[bool]]:
    """Numeric design matrix (no intercept).

    Numeric and boolean columns enter as they are; text and categorical columns become 0/1
    indicators ``column=level`` (all levels when ``drop_first`` is False, else against the
    first level). Returns the matrix, the column names, the source variable of each column
    and whether each column is binary (0/1).

    Raises
    ------
    ValueError
        For unknown columns, missing or non-finite values (impute or drop those rows
        explicitly first) and constant categorical covariates.
    """
    names = list(covariates)
    if not names:
        raise ValueError("covariates is empty: name at least one baseline column")
    unknown = [c for c in names if c not in df.columns]
    if unknown:
        raise ValueError(f"covariates {unknown} not found; columns are {list(df.columns)}")
    cols: list[np.ndarray] = []
    out: list[str] = []
    source: list[str] = []
    for c in names:
        col = df[c]
        if col.isna().any():
            raise ValueError(f"{c}: {int(col.isna().sum())} missing values (rows "
                             f"{_row_labels(col.isna().to_numpy(), df.index)}); impute them or "
                             "drop those rows explicitly before comparing")
        if pd.api.types.is_bool_dtype(col) or (pd.api.types.is_numeric_dtype(col)
                                               and not isinstance(col.dtype,
                                                                  pd.CategoricalDtype)):
            v = col.astype(float).to_numpy()
            if not np.isfinite(v).all():
                raise ValueError(f"{c}: non-finite values in rows "
                                 f"{_row_labels(~np.isfinite(v), df.index)}")
            cols.append(v)
            out.append(c)
            source.append(c)
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            present = set(col.unique())
            levels = [lv for lv in col.cat.categories if lv in present]
            values = col.astype(object).to_numpy()
        else:
            values = col.astype(str).to_numpy()
            levels = sorted(set(values))
        if len(levels) < 2:
            raise ValueError(f"{c}: only one level ({levels}); a constant covariate cannot be "
                             "balanced or modelled, leave it out")
        for lv in levels[1:] if drop_first else levels:
            cols.append((values == lv).astype(float))
            out.append(f"{c}={lv}")
            source.append(c)
    x = np.column_stack(cols)
    binary = [bool(np.isin(x[:, j], (0.0, 1.0)).all()) for j in range(x.shape[1])]
    return x, out, source, binary


def time_unit(df: pd.DataFrame, unit: str | None) -> str:
    """The unit of the duration column: ``unit`` or the outcome definition's, else days."""
    if unit is None:
        definition = df.attrs.get("definition")
        unit = definition.get("unit", "days") if isinstance(definition, dict) else "days"
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}, got {unit!r}")
    return str(unit)


def months_to(unit: str, months: Any) -> np.ndarray:
    """Convert months to ``unit``."""
    return np.asarray(months, dtype=float) * MONTH / UNITS[unit]


def definition_attrs(df: pd.DataFrame) -> dict[str, Any]:
    """The outcome definition carried by ``df.attrs`` (no DataFrames, which break pandas)."""
    return {k: df.attrs[k] for k in ("outcome", "definition", "definition_text")
            if k in df.attrs}


def plain(df: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` (optionally only ``columns``) without ``attrs``.

    pandas compares ``attrs`` when concatenating; DataFrames stored there (attrition tables)
    make that comparison fail, so working copies drop them and results carry the definition.
    """
    out = (df if columns is None else df[list(columns)]).copy()
    out.attrs = {}
    return out


def as_weights(weights: Any, df: pd.DataFrame) -> np.ndarray:
    """Weights from a column name, array/Series (aligned by index) or a result with
    ``.weights``; checked finite and >= 0."""
    if weights is None:
        return np.ones(len(df))
    if hasattr(weights, "weights") and not isinstance(weights, pd.Series | np.ndarray):
        weights = weights.weights
    if isinstance(weights, str):
        if weights not in df.columns:
            raise ValueError(f"weights column {weights!r} not found")
        w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float)
    elif isinstance(weights, pd.Series):
        if not weights.index.equals(df.index):
            if not df.index.isin(weights.index).all():
                raise ValueError("weights Series index does not cover the rows of df; pass "
                                 "weights computed on the same frame")
            weights = weights.reindex(df.index)
        w = weights.to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
    if w.shape != (len(df),):
        raise ValueError(f"weights have shape {w.shape}, expected ({len(df)},)")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise ValueError(f"weights must be finite and >= 0; rows {_row_labels(bad, df.index)}")
    return w
