"""Shared helpers: align table rows with their participant (vectorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kow_research.data.study import Study

ORIGINS = ("start_date", "intake_date")
BASELINE_COLUMNS = ("region", "age", "sex", "diagnosis_group", "smi", "benefit", "education",
                    "months_out_of_work")
#: spell kinds that are paid work, without and with supported work
PAID_WORK = ("regular_paid",)
PAID_WORK_WITH_SUPPORT = ("regular_paid", "supported_paid")


def paid_kinds(include_supported: bool) -> tuple[str, ...]:
    """Spell kinds that count as paid work (regular, and supported when asked)."""
    return PAID_WORK_WITH_SUPPORT if include_supported else PAID_WORK


def owner_index(study: Study, table: pd.DataFrame) -> np.ndarray:
    """Position in ``study.participants`` of each row's participant (-1 if unknown)."""
    ids = pd.Index(study.participants["participant_id"].astype(str).to_numpy())
    if not ids.is_unique:
        dup = ids[ids.duplicated()][0]
        raise ValueError(f"participants.participant_id {dup!r} occurs more than once; validate "
                         "the study (kow_research.validate) before deriving outcomes")
    return ids.get_indexer(table["participant_id"].astype(str).to_numpy())


def day_numbers(values: pd.Series) -> np.ndarray:
    """Dates as float day numbers since 1970-01-01 (NaN for missing)."""
    v = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = v.astype(np.int64).astype(float)
    out[np.isnat(v)] = np.nan
    return out


def dates_from_days(days: np.ndarray) -> pd.DatetimeIndex:
    """Day numbers since 1970-01-01 (NaN for missing) back to dates (NaT for missing).

    Whole days go through integer ``datetime64[D]``. pandas' float conversion
    (``to_datetime(..., unit="D")``) raises "FloatingPointError: overflow encountered in
    multiply" now and then on arrays holding NaN: in pandas 2.2 the fractional parts of
    NaN entries are left uninitialised (``np.empty``) and then rounded under
    ``errstate(over="raise")`` (pandas-dev/pandas#58419, fixed in #61022 for pandas 3).

    >>> dates_from_days(np.array([0.0, np.nan, 19723.0])).strftime("%Y-%m-%d").tolist()
    ['1970-01-01', nan, '2024-01-01']
    """
    values = np.asarray(days, dtype=float)
    out = np.full(values.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    known = ~np.isnan(values)
    out[known] = np.round(values[known]).astype(np.int64).astype("datetime64[D]")
    return pd.DatetimeIndex(out)


def require_columns(study: Study, table: str, columns: tuple[str, ...]) -> None:
    """Raise when ``table`` lacks a column the derivation needs."""
    frame = getattr(study, table)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"table {table!r} lacks column(s) {missing} needed for this outcome")
