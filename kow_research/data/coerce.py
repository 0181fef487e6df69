"""Strict conversion of raw columns (text from CSV, native cells from Excel/SPSS/Parquet) to the
canonical dtypes of the data dictionary.

Nothing is guessed: a value that does not parse under the field's type is reported (``bad`` mask)
and becomes missing in the typed column, and the caller turns it into a validation error. Only the
empty string counts as missing in text sources (``missingValues: [""]`` in the schemas); ``NA``,
``NULL`` or ``.`` are type errors in a date or number column.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kow_research.data.schema import Field

_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_INTEGER = r"[+-]?\d+"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_COMMA = r"[+-]?\d+,\d+"


@dataclass(frozen=True)
class Coerced:
    """A typed column with the masks of missing and unparseable entries.

    Attributes
    ----------
    values : pandas.Series
        The column in the canonical dtype; unparseable entries are missing here.
    missing : numpy.ndarray of bool
        Entries that were empty in the source.
    bad : numpy.ndarray of bool
        Entries that were present but did not parse as the field's type.
    expected : str
        A short phrase for error messages ("a date as YYYY-MM-DD", ...).
    hints : pandas.Series or None
        Optional per-row hint (e.g. "decimal comma?"), aligned with ``values``.
    """

    values: pd.Series
    missing: np.ndarray
    bad: np.ndarray
    expected: str
    hints: pd.Series | None = None


def _as_object(raw: pd.Series) -> pd.Series:
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return raw.astype(object).where(raw.notna(), None)
    return raw


def _missing_mask(raw: pd.Series) -> np.ndarray:
    miss = raw.isna().to_numpy(dtype=bool)
    if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
        miss = miss | (raw.astype(object) == "").to_numpy(dtype=bool)
    return miss


def _is_str(values: pd.Series) -> np.ndarray:
    return np.fromiter((isinstance(v, str) for v in values.to_numpy(dtype=object)), bool, len(values))


def _kind(raw: pd.Series) -> str:
    """Return 'text' (all non-missing values are str), 'native' (a typed dtype) or 'mixed'."""
    if isinstance(raw.dtype, pd.StringDtype):
        return "text"
    if raw.dtype != object:
        return "native"
    inferred = pd.api.types.infer_dtype(raw, skipna=True)
    if inferred in ("string", "empty"):
        return "text"
    return "mixed"


def coerce_column(raw: pd.Series, field: Field) -> Coerced:
    """Convert ``raw`` to the canonical dtype of ``field``.

    Parameters
    ----------
    raw : pandas.Series
        The column as read from the source.
    field : Field
        Its description in the data dictionary.

    Returns
    -------
    Coerced
        Typed values plus the masks of missing and unparseable entries.
    """
    raw = _as_object(raw).reset_index(drop=True)
    missing = _missing_mask(raw)
    converter = {
        "date": _to_date,
        "integer": _to_integer,
        "number": _to_number,
        "boolean": _to_boolean,
    }.get(field.type, _to_string)
    return converter(raw, missing, field)


def _to_date(raw: pd.Series, missing: np.ndarray, field: Field) -> Coerced:
    expected = "a date as YYYY-MM-DD"
    n = len(raw)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        if getattr(raw.dtype, "tz", None) is not None:
            bad = ~missing
            return Coerced(out, missing, bad, expected + " (without a time zone)")
        values = raw.astype("datetime64[ns]")
        has_time = (values.notna() & (values != values.dt.normalize())).to_numpy()
        out = values.where(~has_time)
        return Coerced(out, missing, has_time, expected + " (without a time of day)")
    if _kind(raw) == "native":  # numbers, booleans: never dates
        return Coerced(out, missing, ~missing, expected)
    present = ~missing
    is_str = _is_str(raw) if _kind(raw) == "mixed" else present.copy()
    text_mask = present & is_str
    if text_mask.any():
        text = raw[text_mask].astype(str)
        shaped = text.str.fullmatch(_ISO_DATE).to_numpy(dtype=bool)
        parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
        ok = shaped & parsed.notna().to_numpy()
        out[text_mask] = parsed.where(ok).to_numpy(dtype="datetime64[ns]")
        bad[np.flatnonzero(text_mask)[~ok]] = True
    other = present & ~is_str
    hints = None
    if other.any():
        idx = np.flatnonzero(other)
        for i in idx:  # only native Excel/SPSS cells in a text-typed column; never the bulk path
            v = raw.iat[i]
            if isinstance(v, (pd.Timestamp, _dt.datetime)):
                ts = pd.Timestamp(v)
                if ts.tz is None and ts == ts.normalize():
                    out.iat[i] = ts
                    continue
                if hints is None:
                    hints = pd.Series("", index=raw.index, dtype=object)
                hints.iat[i] = " (it has a time of day; expected a date without a time of day)"
            elif isinstance(v, _dt.date):
                out.iat[i] = pd.Timestamp(v)
                continue
            bad[i] = True
    return Coerced(out, missing, bad, expected, hints)


def _numeric(raw: pd.Series, missing: np.ndarray, pattern: str) -> tuple[pd.Series, np.ndarray]:
    """Parse to float64; return values and a mask of entries that are present but not numbers."""
    n = len(raw)
    present = ~missing
    if pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(np.nan, index=raw.index), present
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.astype("float64"), np.zeros(n, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return pd.Series(np.nan, index=raw.index), present
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    kind = _kind(raw)
    is_str = _is_str(raw) if kind == "mixed" else present.copy()
    text_mask = present & is_str
    if text_mask.any():
        text = raw[text_mask].astype(str)
        shaped = text.str.fullmatch(pattern).to_numpy(dtype=bool)
        vals = pd.to_numeric(text.where(shaped), errors="coerce").to_numpy(dtype=float)
        ok = shaped & np.isfinite(vals)
        out[text_mask] = np.where(ok, vals, np.nan)
        bad[np.flatnonzero(text_mask)[~ok]] = True
    other = present & ~is_str
    if other.any():
        for i in np.flatnonzero(other):  # native cells in an object column (Excel)
            v = raw.iat[i]
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
                bad[i] = True
            else:
                out[i] = float(v)
    return pd.Series(out, index=raw.index), bad


def _hint_decimal_comma(raw: pd.Series, bad: np.ndarray) -> pd.Series | None:
    if not bad.any() or _kind(raw) == "native":
        return None
    sub = raw[bad]
    sub = sub[_is_str(sub)]
    if sub.empty:
        return None
    comma = sub.str.fullmatch(_DECIMAL_COMMA).fillna(False).astype(bool)
    if not comma.any():
        return None
    hints = pd.Series("", index=raw.index, dtype=object)
    hints[comma[comma].index] = " (decimal comma? write numbers with a decimal point)"
    return hints


def _to_integer(raw: pd.Series, missing: np.ndarray, field: Field) -> Coerced:
    expected = "a whole number"
    values, bad = _numeric(raw, missing, _INTEGER)
    finite = values.notna().to_numpy()
    not_whole = finite & (np.mod(values.to_numpy(), 1.0) != 0)
    bad = bad | not_whole | (~missing & ~finite & ~bad)
    typed = values.where(~pd.Series(bad, index=values.index))
    out = pd.array(typed.round().to_numpy(), dtype="Int64") if len(typed) else pd.array([], "Int64")
    return Coerced(pd.Series(out, index=raw.index), missing, bad, expected,
                   _hint_decimal_comma(raw, bad))


def _to_number(raw: pd.Series, missing: np.ndarray, field: Field) -> Coerced:
    expected = "a number with a decimal point"
    values, bad = _numeric(raw, missing, _NUMBER)
    finite = values.notna().to_numpy() & np.isfinite(values.to_numpy(dtype=float))
    bad = bad | (~missing & ~finite)
    out = values.where(~pd.Series(bad, index=values.index)).astype("float64")
    return Coerced(out, missing, bad, expected, _hint_decimal_comma(raw, bad))


def _to_boolean(raw: pd.Series, missing: np.ndarray, field: Field) -> Coerced:
    expected = f"true/false (one of {', '.join(field.true_values + field.false_values)})"
    n = len(raw)
    present = ~missing
    if pd.api.types.is_bool_dtype(raw.dtype):
        return Coerced(raw.astype("boolean"), missing, np.zeros(n, dtype=bool), expected)
    out = pd.array([pd.NA] * n, dtype="boolean")
    bad = np.zeros(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(raw.dtype):  # SPSS/Excel 0/1
        v = raw.to_numpy(dtype=float)
        is_true, is_false = v == 1, v == 0
    elif _kind(raw) == "text":
        is_true = raw.isin(list(field.true_values)).to_numpy(dtype=bool)
        is_false = raw.isin(list(field.false_values)).to_numpy(dtype=bool)
    else:  # native cells mixed with text (Excel): element-wise, small files only
        truth, falsity = set(field.true_values), set(field.false_values)

        def _is(x: object, flag: bool, words: set[str]) -> bool:
            if isinstance(x, (bool, np.bool_)):
                return bool(x) is flag
            if isinstance(x, str):
                return x in words
            if isinstance(x, (int, float, np.number)):
                return float(x) == float(flag)
            return False

        obj = raw.to_numpy(dtype=object)
        is_true = np.fromiter((_is(x, True, truth) for x in obj), bool, n)
        is_false = np.fromiter((_is(x, False, falsity) for x in obj), bool, n)
    is_true = np.asarray(is_true, dtype=bool) & present
    is_false = np.asarray(is_false, dtype=bool) & present
    out[is_true] = True
    out[is_false] = False
    bad = present & ~is_true & ~is_false
    return Coerced(pd.Series(out, index=raw.index), missing, bad, expected)


def _to_string(raw: pd.Series, missing: np.ndarray, field: Field) -> Coerced:
    expected = "text"
    n = len(raw)
    present = ~missing
    kind = _kind(raw)
    if kind == "text":
        bad = np.zeros(n, dtype=bool)
    elif kind == "native":
        bad = present.copy()
    else:
        bad = present & ~_is_str(raw)
    text = raw.astype(object).where(present & ~bad, None)
    if field.enum is not None:
        out = pd.Series(pd.Categorical(text, categories=list(field.enum)), index=raw.index)
    else:
        out = text.astype("string")
    return Coerced(out, missing, bad, expected)
