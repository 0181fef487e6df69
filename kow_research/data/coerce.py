"""Strict conversion of raw columns (text from CSV, native cells from Excel/SPSS/Parquet) to the
canonical dtypes of the data dictionary.

Nothing is guessed: a value that does not parse under the field's type is reported (``bad`` mask)
and becomes missing in the typed column, and the caller turns it into a validation error. Only the
empty string counts as missing in text sources (``missingValues: [""]`` in the schemas); ``NA``,
``NULL`` or ``.`` are type errors in a date or number column. Values that parse but cannot be
stored in the canonical dtype (a 23-digit integer, a timestamp in the year 3000) are type errors
too, never an overflow.

Text columns are parsed through their distinct values (``pandas.factorize``): a column of three
million dates holds a few thousand distinct strings, so each is matched and parsed once.
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
MAX_EXACT_INTEGER = 2 ** 53  # larger whole numbers cannot be held exactly
_NS_MIN = np.datetime64(pd.Timestamp.min.ceil("D").date(), "s")
_NS_MAX = np.datetime64(pd.Timestamp.max.floor("D").date(), "s")
DATE_RANGE_TEXT = f"{_NS_MIN.astype('datetime64[D]')} to {_NS_MAX.astype('datetime64[D]')}"


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


def _expand(per_unique: np.ndarray, codes: np.ndarray, fill: object) -> np.ndarray:
    """Values per row from values per distinct value; code -1 (missing) gets ``fill``."""
    return np.append(per_unique, np.asarray([fill], dtype=per_unique.dtype))[codes]


def _kind(raw: pd.Series) -> str:
    """Return 'text' (all non-missing values are str), 'native' (a typed dtype) or 'mixed'."""
    if isinstance(raw.dtype, pd.StringDtype | pd.CategoricalDtype):
        return "text" if (not isinstance(raw.dtype, pd.CategoricalDtype)
                          or pd.api.types.infer_dtype(raw.cat.categories) in ("string", "empty")
                          ) else "mixed"
    if raw.dtype != object:
        return "native"
    inferred = pd.api.types.infer_dtype(raw, skipna=True)
    if inferred in ("string", "empty"):
        return "text"
    return "mixed"


@dataclass(frozen=True)
class _Text:
    """A text column as distinct values and a code per row (-1 = missing)."""

    codes: np.ndarray
    uniques: pd.Series  # object dtype, str
    missing: np.ndarray

    @classmethod
    def of(cls, raw: pd.Series) -> _Text:
        if isinstance(raw.dtype, pd.CategoricalDtype):
            codes = raw.cat.codes.to_numpy(dtype=np.int64)
            uniq = pd.Series(raw.cat.categories.astype(object), dtype=object)
        elif isinstance(raw.dtype, pd.StringDtype):
            c, u = pd.factorize(raw)
            codes, uniq = np.asarray(c, dtype=np.int64), pd.Series(np.asarray(u, dtype=object))
        else:
            c, u = pd.factorize(raw.to_numpy(dtype=object))
            codes, uniq = c.astype(np.int64, copy=False), pd.Series(u, dtype=object)
        empty = (uniq == "").to_numpy(dtype=bool)
        missing = codes < 0
        if empty.any():
            missing = missing | _expand(empty, codes, False)
        return cls(codes, uniq, missing)

    def rows(self, per_unique: np.ndarray, fill: object) -> np.ndarray:
        return _expand(per_unique, self.codes, fill)

    def bad(self, ok_unique: np.ndarray) -> np.ndarray:
        empty = (self.uniques == "").to_numpy(dtype=bool)
        return self.rows(~ok_unique & ~empty, False)


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

    Examples
    --------
    >>> from kow_research.data import get_schema
    >>> c = coerce_column(pd.Series(["34", "", "abc"]), get_schema("participants").field("age"))
    >>> c.values.tolist(), c.missing.tolist(), c.bad.tolist()
    ([34, <NA>, <NA>], [False, True, False], [False, False, True])
    """
    raw = raw.reset_index(drop=True)
    converter = {
        "date": _to_date,
        "integer": _to_integer,
        "number": _to_number,
        "boolean": _to_boolean,
    }.get(field.type, _to_string)
    return converter(raw, field)


def _object(raw: pd.Series) -> pd.Series:
    if isinstance(raw.dtype, pd.CategoricalDtype | pd.StringDtype):
        return raw.astype(object).where(raw.notna(), None)
    return raw


def _missing_native(raw: pd.Series) -> np.ndarray:
    miss = raw.isna().to_numpy(dtype=bool)
    if raw.dtype == object:
        miss = miss | np.fromiter((isinstance(v, str) and v == "" for v in raw.to_numpy()),
                                  bool, len(raw))
    return miss


def _is_str(values: pd.Series) -> np.ndarray:
    return np.fromiter((isinstance(v, str) for v in values.to_numpy(dtype=object)), bool, len(values))


# ------------------------------------------------------------------------------------ dates
def _native_dates(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split datetime64 values (any unit) into (typed ns values, out of range, with a time)."""
    secs = values.astype("datetime64[s]")
    present = ~np.isnat(secs)
    with np.errstate(invalid="ignore"):
        in_range = present & (secs >= _NS_MIN) & (secs <= _NS_MAX)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[in_range] = values[in_range].astype("datetime64[ns]")
    has_time = in_range & (out != out.astype("datetime64[D]").astype("datetime64[ns]"))
    out[has_time] = np.datetime64("NaT")
    return out, present & ~in_range, has_time


def _to_date(raw: pd.Series, field: Field) -> Coerced:
    expected = "a date as YYYY-MM-DD"
    n = len(raw)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        missing = raw.isna().to_numpy(dtype=bool)
        if getattr(raw.dtype, "tz", None) is not None:
            out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
            return Coerced(out, missing, ~missing, expected + " (without a time zone)")
        typed, far, has_time = _native_dates(raw.to_numpy())
        hints = None
        if far.any():
            hints = pd.Series("", index=raw.index, dtype=object)
            hints[far] = f" (outside the dates that can be stored, {DATE_RANGE_TEXT})"
        if has_time.any():
            hints = hints if hints is not None else pd.Series("", index=raw.index, dtype=object)
            hints[has_time] = " (it has a time of day; expected a date without a time of day)"
        return Coerced(pd.Series(typed, index=raw.index), missing, far | has_time, expected, hints)
    kind = _kind(raw)
    if kind == "text":
        t = _Text.of(raw)
        u = t.uniques
        shaped = u.str.fullmatch(_ISO_DATE).to_numpy(dtype=bool)
        parsed = pd.to_datetime(u.where(shaped), format="%Y-%m-%d", errors="coerce").to_numpy(
            dtype="datetime64[ns]")
        ok = shaped & ~np.isnat(parsed)
        parsed[~ok] = np.datetime64("NaT")
        values = t.rows(parsed, np.datetime64("NaT"))
        return Coerced(pd.Series(values, index=raw.index), t.missing, t.bad(ok), expected)
    missing = _missing_native(raw)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if kind == "native":  # numbers, booleans: never dates
        return Coerced(out, missing, ~missing, expected)
    bad = np.zeros(n, dtype=bool)
    hints = None
    present = np.flatnonzero(~missing)
    is_str = _is_str(raw.iloc[present])
    if is_str.any():
        sub = _to_date(raw.iloc[present[is_str]].astype(object).reset_index(drop=True), field)
        out.iloc[present[is_str]] = sub.values.to_numpy()
        bad[present[is_str]] = sub.bad
    for i in present[~is_str]:  # native Excel cells among text: element-wise, small files only
        v = raw.iat[i]
        if isinstance(v, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
            plain = v.replace(tzinfo=None) if isinstance(v, _dt.datetime) else v
            ts = np.asarray([plain], dtype="datetime64[s]")
            typed, far, has_time = _native_dates(ts)
            if getattr(v, "tzinfo", None) is None and not far[0] and not has_time[0]:
                out.iat[i] = typed[0]
                continue
            if hints is None:
                hints = pd.Series("", index=raw.index, dtype=object)
            hints.iat[i] = (" (it has a time of day; expected a date without a time of day)"
                            if has_time[0] else f" (outside {DATE_RANGE_TEXT})" if far[0]
                            else " (without a time zone)")
        bad[i] = True
    return Coerced(out, missing, bad, expected, hints)


# ---------------------------------------------------------------------------------- numbers
def _numeric(raw: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse to float64; return (values, missing, present but not a number)."""
    n = len(raw)
    if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        missing = raw.isna().to_numpy(dtype=bool)
        return np.full(n, np.nan), missing, ~missing
    if pd.api.types.is_numeric_dtype(raw.dtype):
        missing = raw.isna().to_numpy(dtype=bool)
        return raw.to_numpy(dtype="float64", na_value=np.nan), missing, np.zeros(n, dtype=bool)
    if _kind(raw) == "text":
        t = _Text.of(raw)
        u = t.uniques
        shaped = u.str.fullmatch(pattern).to_numpy(dtype=bool)
        vals = pd.to_numeric(u.where(shaped), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            ok = shaped & np.isfinite(vals)
        vals = np.where(ok, vals, np.nan)
        return t.rows(vals, np.nan), t.missing, t.bad(ok)
    obj = _object(raw)
    missing = _missing_native(obj)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    present = np.flatnonzero(~missing)
    is_str = _is_str(obj.iloc[present])
    if is_str.any():
        v, _, b = _numeric(obj.iloc[present[is_str]].astype(object).reset_index(drop=True),
                           pattern)
        out[present[is_str]] = v
        bad[present[is_str]] = b
    for i in present[~is_str]:  # native cells in an object column (Excel)
        v = obj.iat[i]
        if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.number):
            bad[i] = True
            continue
        try:
            out[i] = float(v)
        except OverflowError:  # a Python int beyond the float range
            bad[i] = True
    return out, missing, bad


def _hint_decimal_comma(raw: pd.Series, bad: np.ndarray) -> pd.Series | None:
    if not bad.any() or _kind(raw) == "native":
        return None
    sub = _object(raw)[bad]
    sub = sub[_is_str(sub)]
    if sub.empty:
        return None
    comma = sub.astype(str).str.fullmatch(_DECIMAL_COMMA).fillna(False).astype(bool)
    if not comma.any():
        return None
    hints = pd.Series("", index=raw.index, dtype=object)
    hints[comma[comma].index] = (" (decimal comma? write numbers with a decimal point, or "
                                 "declare decimal: ',' in the import mapping)")
    return hints


def _to_integer(raw: pd.Series, field: Field) -> Coerced:
    expected = "a whole number"
    values, missing, bad = _numeric(raw, _INTEGER)
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        not_whole = finite & (np.mod(values, 1.0) != 0)
        too_big = finite & (np.abs(values) > MAX_EXACT_INTEGER)
    bad = bad | not_whole | too_big | (~missing & ~finite)
    typed = np.where(bad | ~finite, 0.0, values)
    out = pd.array(np.round(typed).astype(np.int64), dtype="Int64")
    out[bad | ~finite] = pd.NA
    hints = _hint_decimal_comma(raw, bad)
    if too_big.any():
        hints = hints if hints is not None else pd.Series("", index=raw.index, dtype=object)
        hints[too_big] = f" (too large: whole numbers are stored up to {MAX_EXACT_INTEGER:,})"
    return Coerced(pd.Series(out, index=raw.index), missing, bad, expected, hints)


def _to_number(raw: pd.Series, field: Field) -> Coerced:
    expected = "a number with a decimal point"
    values, missing, bad = _numeric(raw, _NUMBER)
    finite = np.isfinite(values)
    bad = bad | (~missing & ~finite)
    out = np.where(bad, np.nan, values)
    return Coerced(pd.Series(out, index=raw.index, dtype="float64"), missing, bad, expected,
                   _hint_decimal_comma(raw, bad))


# --------------------------------------------------------------------------------- booleans
def _to_boolean(raw: pd.Series, field: Field) -> Coerced:
    expected = f"true/false (one of {', '.join(field.true_values + field.false_values)})"
    n = len(raw)
    if pd.api.types.is_bool_dtype(raw.dtype):
        missing = raw.isna().to_numpy(dtype=bool)
        return Coerced(raw.astype("boolean"), missing, np.zeros(n, dtype=bool), expected)
    if pd.api.types.is_numeric_dtype(raw.dtype):  # SPSS/Excel 0/1
        missing = raw.isna().to_numpy(dtype=bool)
        v = raw.to_numpy(dtype=float, na_value=np.nan)
        is_true, is_false = v == 1, v == 0
    elif _kind(raw) == "text":
        t = _Text.of(raw)
        missing = t.missing
        is_true = t.rows(t.uniques.isin(list(field.true_values)).to_numpy(dtype=bool), False)
        is_false = t.rows(t.uniques.isin(list(field.false_values)).to_numpy(dtype=bool), False)
    else:  # native cells mixed with text (Excel): element-wise, small files only
        obj = _object(raw)
        missing = _missing_native(obj)
        truth, falsity = set(field.true_values), set(field.false_values)

        def _is(x: object, flag: bool, words: set[str]) -> bool:
            if isinstance(x, bool | np.bool_):
                return bool(x) is flag
            if isinstance(x, str):
                return x in words
            if isinstance(x, int | float | np.number):
                return float(x) == float(flag)
            return False

        values = obj.to_numpy(dtype=object)
        is_true = np.fromiter((_is(x, True, truth) for x in values), bool, n)
        is_false = np.fromiter((_is(x, False, falsity) for x in values), bool, n)
    present = ~missing
    is_true = np.asarray(is_true, dtype=bool) & present
    is_false = np.asarray(is_false, dtype=bool) & present
    out = pd.array(np.zeros(n, dtype=bool), dtype="boolean")
    out[is_true] = True
    out[~is_true & ~is_false] = pd.NA
    bad = present & ~is_true & ~is_false
    return Coerced(pd.Series(out, index=raw.index), missing, bad, expected)


# ------------------------------------------------------------------------------------- text
def _to_string(raw: pd.Series, field: Field) -> Coerced:
    expected = "text"
    n = len(raw)
    kind = _kind(raw)
    if kind == "text" and field.enum is not None:
        t = _Text.of(raw)
        cat_codes = pd.Index(list(field.enum), dtype=object).get_indexer(t.uniques)
        codes = t.rows(cat_codes.astype(np.int64), -1)
        out = pd.Series(pd.Categorical.from_codes(codes, categories=list(field.enum)),
                        index=raw.index)
        return Coerced(out, t.missing, np.zeros(n, dtype=bool), expected)
    if kind == "text":
        if isinstance(raw.dtype, pd.StringDtype):
            missing = raw.isna().to_numpy(dtype=bool) | (raw == "").fillna(False).to_numpy(bool)
            text = raw.where(~missing, None) if missing.any() else raw
            return Coerced(text.astype("string"), missing, np.zeros(n, dtype=bool), expected)
        if isinstance(raw.dtype, pd.CategoricalDtype):
            raw = _object(raw)
        arr = raw.to_numpy(dtype=object)
        missing = pd.isna(arr) | (arr == "")
        if missing.any():
            arr = np.where(missing, None, arr)
        return Coerced(pd.Series(pd.array(arr, dtype="string"), index=raw.index), missing,
                       np.zeros(n, dtype=bool), expected)
    obj = _object(raw)
    missing = _missing_native(obj)
    present = ~missing
    bad = present.copy() if kind == "native" else present & ~_is_str(obj)
    text = obj.astype(object).where(present & ~bad, None)
    if field.enum is not None:
        out = pd.Series(pd.Categorical(text, categories=list(field.enum)), index=raw.index)
    else:
        out = text.astype("string")
    return Coerced(out, missing, bad, expected)
