"""Checks and preparation shared by the survival estimators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SurvData:
    """Validated arrays: ``time`` ≥ 0, integer ``event`` (0 = censored), positive ``weight``."""

    time: np.ndarray
    event: np.ndarray
    weight: np.ndarray
    entry: np.ndarray | None
    causes: tuple[int, ...]
    weighted: bool


def _rows(mask: np.ndarray, index: pd.Index, limit: int = 5) -> str:
    labels = [str(x) for x in index[np.flatnonzero(mask)[:limit]]]
    more = int(mask.sum()) - len(labels)
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def prepare(df: pd.DataFrame, duration: str, event: str, weights: str | None = None,
            entry: str | None = None, causes: Sequence[int] | None = None) -> SurvData:
    """Validate the survival columns of ``df`` and return them as arrays.

    Raises
    ------
    ValueError
        Naming the column and the offending row labels: missing columns, missing, negative or
        infinite durations, non-integer or negative event codes, codes outside ``causes``,
        weights that are missing or ≤ 0, entry times after the exit time.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    for col in (duration, event, weights, entry):
        if col is not None and col not in df.columns:
            raise ValueError(f"column {col!r} not found; columns are {list(df.columns)}")
    if len(df) == 0:
        raise ValueError("the data frame has no rows")
    t = pd.to_numeric(df[duration], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(t)
    if bad.any():
        raise ValueError(f"{duration}: missing or non-finite durations in rows "
                         f"{_rows(bad, df.index)}")
    if (t < 0).any():
        raise ValueError(f"{duration}: negative durations in rows {_rows(t < 0, df.index)}")
    e_raw = pd.to_numeric(df[event], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(e_raw) | (e_raw != np.round(e_raw)) | (e_raw < 0)
    if bad.any():
        raise ValueError(f"{event}: event codes must be integers ≥ 0 (0 = censored); rows "
                         f"{_rows(bad, df.index)}")
    e = e_raw.astype(np.int64)
    present = tuple(sorted(int(c) for c in np.unique(e) if c > 0))
    if causes is not None:
        declared = tuple(sorted(int(c) for c in causes))
        outside = (e > 0) & ~np.isin(e, declared)
        if outside.any():
            raise ValueError(f"{event}: codes {sorted(set(e[outside].tolist()))} are not among "
                             f"the declared causes {declared} (rows {_rows(outside, df.index)})")
        present = declared
    if weights is not None:
        w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(w) | (w <= 0)
        if bad.any():
            raise ValueError(f"{weights}: weights must be finite and > 0; rows "
                             f"{_rows(bad, df.index)}")
    else:
        w = np.ones(len(t))
    start = None
    if entry is not None:
        start = pd.to_numeric(df[entry], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(start) | (start > t) | (start < 0)
        if bad.any():
            raise ValueError(f"{entry}: entry times must be finite, ≥ 0 and ≤ {duration}; rows "
                             f"{_rows(bad, df.index)}")
    return SurvData(time=t, event=e, weight=w, entry=start, causes=present,
                    weighted=weights is not None)


def groups(df: pd.DataFrame, by: str | None) -> list[tuple[Any, np.ndarray]]:
    """``[(label, row mask)]`` for each level of ``by`` (sorted), or one group ``"all"``."""
    if by is None:
        return [("all", np.ones(len(df), dtype=bool))]
    if by not in df.columns:
        raise ValueError(f"column {by!r} not found; columns are {list(df.columns)}")
    values = df[by]
    if values.isna().any():
        raise ValueError(f"{by}: missing group values in rows "
                         f"{_rows(values.isna().to_numpy(), df.index)}")
    levels = list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype) \
        else sorted(values.unique().tolist(), key=str)
    return [(lv, (values == lv).to_numpy()) for lv in levels if (values == lv).any()]


def definition_of(df: pd.DataFrame) -> dict[str, Any]:
    """The outcome definition carried by ``df.attrs`` (empty when none)."""
    out = {}
    for key in ("outcome", "definition", "definition_text"):
        if key in df.attrs:
            out[key] = df.attrs[key]
    return out
