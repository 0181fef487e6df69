"""Validation of a :class:`~kow_research.data.study.Study` against the data dictionary.

Every rule comes from the schemas in ``data_dictionary/`` (types, ``constraints``, ``primaryKey``,
``foreignKeys``, ``x-plausible`` and the ``x-checks`` cross-field rules). Validation never drops,
alters or reorders a row: each problem becomes one row of the report, naming the table, the file
and row the record came from (see :class:`~kow_research.data.study.TableSource`), the column,
the offending value and the rule.

Rules (``rule`` column of the report)
-------------------------------------
empty_study (error)         participants has no rows
missing_table (warning)     a table other than participants was not supplied
empty_rows (warning)        blank rows or rows of empty fields were skipped when reading
missing_column (error)      a dictionary column is absent
unknown_column (warning)    a column that is not in the dictionary (kept as is)
type (error)                a value that does not parse as the column's type, or does not fit it
                            (a 23-digit integer, a timestamp in the year 3000)
required (error)            an empty value in a required column
enum (error)                a value outside the allowed categories
range (error)               a number below ``minimum`` or above ``maximum``
plausible_date (error)      a date outside the field's plausible range (e.g. 1990 to today + 1 y)
pattern (error)             text that does not match the column's pattern
unique_key (error)          a second row with the same key (``unique`` / ``primaryKey``)
duplicate_row (error)       a row identical to an earlier row in every column
foreign_key (error)         a participant_id that is not in participants
date_order (error)          e.g. end_of_followup before start_date (see x-checks)
requires (error/warning)    a value given without the value it depends on
after_followup (warning)    a ladder/spell/session date after end_of_followup
overlapping_paid_spells (warning) a paid spell that starts before an earlier paid spell ended
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core import row_labels
from kow_research.data.coerce import Coerced, coerce_column
from kow_research.data.problems import (
    REPORT_COLUMNS,
    Collector,
    ValidationError,
    ValidationReport,
    _fmt,
)
from kow_research.data.schema import TABLES, Check, Field, TableSchema, get_schema
from kow_research.data.study import Study, TableSource

__all__ = ["REPORT_COLUMNS", "ValidationError", "ValidationReport", "check_study", "validate"]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}
_OP_WORDS = {">=": "before", "<=": "after", ">": "on or before", "<": "on or after"}


def _quoted(values: pd.Series) -> pd.Series:
    return _fmt(values).map(repr).reset_index(drop=True)


def _check_field(table: str, raw: pd.Series, f: Field, source: TableSource, out: Collector,
                 today: _dt.date | None) -> Coerced:
    c: Coerced = coerce_column(raw, f)
    if c.bad.any():
        pos = np.flatnonzero(c.bad)
        vals = raw.iloc[pos]
        expected = source.formats.get(f.name, c.expected)
        msg = f"{f.name} " + _quoted(vals) + f" is not {expected}"
        if c.hints is not None:
            msg = msg + c.hints.iloc[pos].reset_index(drop=True)
        out.add(table, source, pos, f.name, vals, "type", "error", msg)
    if f.required and c.missing.any():
        pos = np.flatnonzero(c.missing)
        out.add(table, source, pos, f.name, None, "required", "error",
                f"{f.name} is empty but required")
    present = ~c.missing & ~c.bad
    if f.enum is not None and f.type == "string":
        off = present & c.values.isna().to_numpy()
        if off.any():
            pos = np.flatnonzero(off)
            vals = raw.iloc[pos]
            out.add(table, source, pos, f.name, vals, "enum", "error",
                    f"{f.name} " + _quoted(vals) + f" is not one of {', '.join(map(str, f.enum))}")
    if f.pattern is not None and f.type == "string" and present.any():
        codes, uniques = pd.factorize(c.values)
        fits = pd.Series(uniques, dtype="string").str.fullmatch(f.pattern).fillna(True)
        off = present & ~np.append(fits.to_numpy(dtype=bool), True)[codes]
        if off.any():
            pos = np.flatnonzero(off)
            vals = raw.iloc[pos]
            out.add(table, source, pos, f.name, vals, "pattern", "error",
                    f"{f.name} " + _quoted(vals) + f" does not match the pattern {f.pattern}")
    if f.type in ("integer", "number") and (f.minimum is not None or f.maximum is not None):
        v = c.values.astype("float64").to_numpy(dtype=float, na_value=np.nan)
        lo = -np.inf if f.minimum is None else f.minimum
        hi = np.inf if f.maximum is None else f.maximum
        with np.errstate(invalid="ignore"):
            off = present & ((v < lo) | (v > hi))
        if off.any():
            pos = np.flatnonzero(off)
            vals = c.values.iloc[pos]
            unit = f" {f.unit}" if f.unit else ""
            hint = pd.Series(np.where((v[pos] == 0) & (table == "ladder") & (f.name == "rung"),
                                      " (the 0-6 ladder variant? recode to 1-6)", ""))
            out.add(table, source, pos, f.name, vals, "range", "error",
                    f"{f.name} " + _fmt(vals).reset_index(drop=True)
                    + f"{unit} is outside {f.minimum}-{f.maximum}{unit}" + hint)
    if f.type == "date" and (f.plausible_min or f.plausible_max):
        lo_ts, hi_ts = f.plausible_range(today)
        d = c.values.to_numpy(dtype="datetime64[ns]")
        off = np.zeros(len(d), dtype=bool)
        if lo_ts is not None:
            off |= d < lo_ts.to_datetime64()
        if hi_ts is not None:
            off |= d > hi_ts.to_datetime64()
        off &= ~np.isnat(d)
        if off.any():
            pos = np.flatnonzero(off)
            vals = c.values.iloc[pos]
            bounds = (f"{lo_ts.date() if lo_ts is not None else '…'} to "
                      f"{hi_ts.date() if hi_ts is not None else '…'}")
            out.add(table, source, pos, f.name, vals, "plausible_date", "error",
                    f"{f.name} " + _fmt(vals).reset_index(drop=True)
                    + f" is outside the plausible range {bounds} ({f.plausible_text()}): a "
                    "typing error, or a date read the wrong way (day and month swapped, an "
                    "Excel serial number, an empty Excel date)?")
    return c


def _check_fields(table: str, df: pd.DataFrame, schema: TableSchema, source: TableSource,
                  out: Collector, today: _dt.date | None) -> dict[str, Coerced]:
    checked: dict[str, Coerced] = {}
    for col in df.columns:
        if col not in schema.columns:
            out.add(table, source, None, col, None, "unknown_column", "warning",
                    f"column {col!r} is not in the data dictionary (kept as is)")
    for f in schema.fields:
        if f.name not in df.columns:
            out.add(table, source, None, f.name, None, "missing_column", "error",
                    f"column {f.name!r} ({f.title_en}) is missing; columns found: "
                    f"{', '.join(map(str, df.columns)) or 'none'}")
            continue
        checked[f.name] = _check_field(table, df[f.name].reset_index(drop=True), f, source, out,
                                       today)
    return checked


def _codes(values: pd.Series) -> np.ndarray:
    """An int64 code per row such that equal values (and missing) share a code."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return values.to_numpy(dtype="datetime64[ns]").view(np.int64)
    if isinstance(dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64)
    if str(dtype) in ("Int64", "boolean"):
        v = values.to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(v), np.iinfo(np.int64).min, np.nan_to_num(v)).astype(np.int64)
    if dtype == np.float64:
        v = values.to_numpy(dtype=np.float64)
        return np.where(np.isnan(v), np.nan, v + 0.0).view(np.int64)  # +0.0 folds -0.0 into 0.0
    return pd.factorize(values, use_na_sentinel=False)[0].astype(np.int64)


def _combine(columns: list[np.ndarray]) -> np.ndarray:
    """One exact code per row for the combination of several code columns."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        c, uniq = pd.factorize(col)
        combined, _ = pd.factorize(combined * (len(uniq) + 1) + c)
    return combined


def _hash(columns: list[np.ndarray]) -> np.ndarray:
    """A 64-bit hash per row of several int64 code columns (equal rows, equal hash)."""
    h = np.full(len(columns[0]), 0x9E3779B97F4A7C15, dtype=np.uint64)
    for col in columns:
        x = np.ascontiguousarray(col, dtype=np.int64).view(np.uint64)
        h ^= x + np.uint64(0x9E3779B97F4A7C15) + (h << np.uint64(6)) + (h >> np.uint64(2))
        h *= np.uint64(0xBF58476D1CE4E5B9)
    return h


def _repeated(columns: list[np.ndarray]) -> np.ndarray:
    """Positions of the rows whose combination of codes occurs more than once (exact)."""
    if len(columns) == 1:
        return np.flatnonzero(pd.Series(columns[0]).duplicated(keep=False).to_numpy())
    candidates = np.flatnonzero(pd.Series(_hash(columns)).duplicated(keep=False).to_numpy())
    if len(candidates) == 0:
        return candidates
    exact = _combine([c[candidates] for c in columns])
    return candidates[pd.Series(exact).duplicated(keep=False).to_numpy()]


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """Position of the first row with the same code, for every row."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    first_sorted = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = first_sorted
    return out


def _column_codes(col: str, c: Coerced, owners: np.ndarray | None) -> np.ndarray:
    """Codes of a typed column; participant_id codes are owner positions when known."""
    if col == "participant_id" and owners is not None and len(owners) == len(c.values):
        known = owners >= 0
        if known.all():
            return owners.astype(np.int64)
        codes = owners.astype(np.int64).copy()
        sub = pd.factorize(c.values[~known], use_na_sentinel=False)[0]
        codes[~known] = -1 - sub.astype(np.int64)
        return codes
    return _codes(c.values)


def _check_keys(table: str, df: pd.DataFrame, schema: TableSchema, checked: dict[str, Coerced],
                source: TableSource, out: Collector, owners: np.ndarray | None) -> None:
    """Exact duplicate rows and unique keys (hash first, then exact on the few candidates)."""
    n = len(df)
    if n == 0:
        return
    frame = df.reset_index(drop=True)
    keys: list[tuple[str, ...]] = []
    if schema.primary_key:
        keys.append(tuple(schema.primary_key))
    keys += [(f.name,) for f in schema.fields if f.unique and (f.name,) not in keys]
    keys = [k for k in keys if all(c in checked for c in k)]
    codes = {c: _column_codes(c, checked[c], owners) for k in keys for c in k}
    repeated = {k: _repeated([codes[c] for c in k]) for k in keys}
    # exact duplicates: rows identical in every column (typed values where they parsed, the raw
    # cells otherwise). With a key, only rows whose key repeats can be duplicates.
    if keys:
        candidates = repeated[keys[0]]
    else:
        cols = [(_column_codes(c, checked[c], owners) if c in checked and not checked[c].bad.any()
                 else pd.factorize(frame[c].astype(object), use_na_sentinel=False)[0].astype(
                     np.int64)) for c in frame.columns]
        candidates = _repeated(cols)
    dup_row = np.zeros(n, dtype=bool)
    if len(candidates) > 1:
        cols = []
        for col in frame.columns:
            c = checked.get(col)
            if c is not None and not c.bad[candidates].any():
                cols.append(_codes(c.values.iloc[candidates]))
            else:
                cols.append(pd.factorize(frame[col].iloc[candidates].astype(object),
                                         use_na_sentinel=False)[0].astype(np.int64))
        row_codes = _combine(cols)
        dup_sub = pd.Series(row_codes).duplicated(keep="first").to_numpy()
        if dup_sub.any():
            first = candidates[_first_positions(row_codes)]
            pos = candidates[dup_sub]
            dup_row[pos] = True
            out.add(table, source, pos, None, None, "duplicate_row", "error",
                    "row is identical to row " + pd.Series(
                        source.row_numbers(first[dup_sub])).astype(str) + " (duplicate entry?)")
    for key in keys:
        rep = repeated[key]
        if len(rep) < 2:
            continue
        exact = _combine([codes[c][rep] for c in key])
        dup = pd.Series(exact).duplicated(keep="first").to_numpy() & ~dup_row[rep]
        for k in key:
            dup &= ~checked[k].missing[rep] & ~checked[k].bad[rep]
        if dup.any():
            first_pos = rep[_first_positions(exact)]
            pos = rep[dup]
            label = " + ".join(key)
            typed = [checked[k].values for k in key]
            vals = typed[0].iloc[pos] if len(key) == 1 else (
                pd.Series(_fmt(typed[0].iloc[pos]).to_numpy(), dtype=object) + " / "
                + _fmt(typed[1].iloc[pos]).to_numpy())
            out.add(table, source, pos, label, vals, "unique_key", "error",
                    f"{label} " + _fmt(vals).reset_index(drop=True)
                    + " also on row " + pd.Series(source.row_numbers(first_pos[dup])).astype(str))


def _owner_positions(typed: dict[str, dict[str, pd.Series]]) -> dict[str, np.ndarray]:
    """Row position in participants (first occurrence) of each row's participant_id; -1 if none.

    Computed once and shared by the foreign-key check and the cross-table date checks.
    """
    ids = typed["participants"].get("participant_id")
    if ids is None:
        return {}
    first = ~ids.duplicated(keep="first").to_numpy()
    index = pd.Index(ids.to_numpy(dtype=object)[first])
    positions = np.flatnonzero(first)
    out = {}
    for table, cols in typed.items():
        if "participant_id" in cols:
            idx = index.get_indexer(cols["participant_id"].to_numpy(dtype=object))
            out[table] = np.where(idx < 0, -1, positions[np.where(idx < 0, 0, idx)]
                                  if len(positions) else -1)
    return out


def _resolve(other: str, table: str, typed: dict[str, dict[str, pd.Series]],
             owners: dict[str, np.ndarray]) -> pd.Series | None:
    """Resolve ``column`` or ``participants.column`` for the rows of ``table``."""
    if "." not in other:
        return typed[table].get(other)
    ref_table, ref_col = other.split(".", 1)
    ref = typed.get(ref_table, {})
    if ref_table != "participants" or ref_col not in ref or table not in owners:
        return None
    pos = owners[table]
    values = ref[ref_col]
    if len(values) == 0:
        return pd.Series(pd.NaT, index=range(len(pos)), dtype=values.dtype)
    out = pd.Series(values.to_numpy()[np.where(pos < 0, 0, pos)], dtype=values.dtype)
    out[pos < 0] = pd.NaT
    return out


def _check_rules(table: str, schema: TableSchema, typed: dict[str, dict[str, pd.Series]],
                 owners: dict[str, np.ndarray], source: TableSource, out: Collector) -> None:
    t = typed[table]
    for chk in schema.checks:
        if chk.rule == "overlapping_paid_spells":
            _check_overlap(table, chk, t, source, out, owners.get(table))
            continue
        if chk.column is None or chk.other is None or chk.column not in t:
            continue
        a = t[chk.column]
        b = _resolve(chk.other, table, typed, owners)
        if b is None:
            continue
        if chk.rule == "requires":
            off = (a.notna() & b.isna()).to_numpy()
            pos = np.flatnonzero(off)
            out.add(table, source, pos, chk.column, a.iloc[pos], chk.rule, chk.severity, chk.message)
            continue
        op = _OPS[chk.op or ">="]
        both = (a.notna() & b.notna()).to_numpy()
        off = np.zeros(len(a), dtype=bool)
        off[both] = ~op(a.to_numpy()[both], b.to_numpy()[both])
        pos = np.flatnonzero(off)
        if len(pos):
            other_name = chk.other.split(".")[-1]
            msg = (f"{chk.column} " + _fmt(a.iloc[pos]).reset_index(drop=True)
                   + f" is {_OP_WORDS[chk.op or '>=']} {other_name} "
                   + _fmt(b.iloc[pos]).reset_index(drop=True))
            out.add(table, source, pos, chk.column, a.iloc[pos], chk.rule, chk.severity, msg)


def _check_overlap(table: str, chk: Check, t: dict[str, pd.Series], source: TableSource,
                   out: Collector, owners: np.ndarray | None) -> None:
    need = ("participant_id", "start_date", "end_date", "kind")
    if not all(c in t for c in need):
        return
    paid = (t["kind"].isin(list(chk.kinds)) & t["start_date"].notna()).to_numpy()
    if paid.sum() < 2:
        return
    pos_all = np.flatnonzero(paid)
    if owners is not None and (owners[pos_all] >= 0).all():
        pid = owners[pos_all]
    else:
        pid = pd.factorize(t["participant_id"].to_numpy(dtype=object)[pos_all])[0]
    day = np.int64(86_400 * 10**9)
    start = t["start_date"].to_numpy(dtype="datetime64[ns]")[pos_all].view(np.int64) // day
    end_raw = t["end_date"].to_numpy(dtype="datetime64[ns]")[pos_all]
    span = np.int64(1 << 20)  # days from 1677 to 2262 fit; ongoing spells end at the top
    end = np.where(np.isnat(end_raw), span - 1, end_raw.view(np.int64) // day + (span >> 1))
    start = start + (span >> 1)
    order = np.lexsort((end, start, pid))
    pid_s, start_s, end_s = pid[order], start[order], end[order]
    # a spell overlaps when it starts on or before the latest end of the participant's earlier
    # paid spells: a running maximum within each participant (offsets keep groups apart)
    grp_start = np.r_[True, pid_s[1:] != pid_s[:-1]]
    group = np.cumsum(grp_start) - 1
    prev_end = np.r_[0, end_s[:-1]]
    prev_end[grp_start] = 0
    run_max = np.maximum.accumulate(prev_end + group * span) - group * span
    overlap = start_s <= run_max
    pos = np.sort(pos_all[order[overlap]])
    out.add(table, source, pos, "start_date", t["start_date"].iloc[pos], chk.rule, chk.severity,
            chk.message)


def _check_foreign_keys(table: str, schema: TableSchema, typed: dict[str, dict[str, pd.Series]],
                        owners: dict[str, np.ndarray], source: TableSource,
                        out: Collector) -> None:
    for col, ref_table, ref_col in schema.foreign_keys:
        if col not in typed[table] or ref_col not in typed.get(ref_table, {}):
            continue
        values = typed[table][col]
        if (col, ref_table, ref_col) == ("participant_id", "participants", "participant_id"):
            unknown = owners[table] < 0
        else:
            known = pd.Index(typed[ref_table][ref_col].dropna().unique())
            unknown = known.get_indexer(values.to_numpy()) < 0
        pos = np.flatnonzero(values.notna().to_numpy() & unknown)
        if len(pos):
            vals = values.iloc[pos]
            out.add(table, source, pos, col, vals, "foreign_key", "error",
                    f"{col} " + _quoted(vals) + f" is not in {ref_table}.{ref_col}")


def check_study(study: Study, *, today: _dt.date | None = None
                ) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    """Validate ``study`` and return the report and the typed (canonical-dtype) tables.

    Typed tables keep every row and column in source order; values that failed to parse are
    missing there (and reported). This is the engine behind :func:`validate` and
    :func:`kow_research.load_study`.

    Parameters
    ----------
    study : Study
        Raw or typed tables.
    today : datetime.date, optional
        The date plausible ranges such as "today + 1 year" are resolved on (default: the
        current date); pass a fixed date for reproducible reports.

    Returns
    -------
    (ValidationReport, dict of str to DataFrame)

    Examples
    --------
    >>> import kow_research as kr
    >>> study = kr.simulate_study("KOW", n=5, seed=1)
    >>> report, typed = check_study(study)
    >>> report.ok, sorted(typed) == sorted(kr.data.TABLES), len(typed["participants"])
    (True, True, 5)
    """
    out = Collector()
    checked: dict[str, dict[str, Coerced]] = {}
    if len(study.participants) == 0:
        out.add("participants", study.source("participants"), None, None, None, "empty_study",
                "error", "the participants table has no rows: a study needs at least one "
                "participant (was the right file, sheet or filter used?)")
    skipped = study.meta.get("skipped_rows") or {}
    for table in TABLES:
        df = getattr(study, table)
        source = study.source(table)
        schema = get_schema(table)
        if study.meta.get("missing_tables") and table in study.meta["missing_tables"]:
            out.add(table, source, None, None, None, "missing_table", "warning",
                    f"no {table} table was supplied; it is treated as empty")
        rows = np.asarray(skipped.get(table, ()), dtype=np.int64)
        if len(rows):
            out.add(table, source, None, None, None, "empty_rows", "warning",
                    f"{len(rows)} empty row(s) skipped (blank, or every field empty, such as "
                    f"';;;;' padding): rows {row_labels(np.ones(len(rows)), rows)}")
        checked[table] = _check_fields(table, df, schema, source, out, today)
    typed = {t: {c: v.values for c, v in cols.items()} for t, cols in checked.items()}
    owners = _owner_positions(typed)
    for table in TABLES:
        df = getattr(study, table)
        schema = get_schema(table)
        source = study.source(table)
        if checked[table]:
            _check_keys(table, df, schema, checked[table], source, out, owners.get(table))
        _check_foreign_keys(table, schema, typed, owners, source, out)
        _check_rules(table, schema, typed, owners, source, out)
    problems = out.frame()
    errors = problems[problems["severity"] == "error"].reset_index(drop=True)
    warnings = problems[problems["severity"] == "warning"].reset_index(drop=True)
    report = ValidationReport(errors=errors, warnings=warnings,
                              n_rows={t: len(getattr(study, t)) for t in TABLES})
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        df = getattr(study, table)
        cols = {c: (typed[table][c] if c in typed[table] else df[c].reset_index(drop=True))
                for c in df.columns}
        frames[table] = pd.DataFrame(cols, index=pd.RangeIndex(len(df)))
    return report, frames


def validate(study: Study, *, today: _dt.date | None = None) -> ValidationReport:
    """Check ``study`` against the data dictionary and return every problem found.

    Parameters
    ----------
    study : Study
        The four tables, typed (as from :func:`kow_research.load_study` or a simulator) or raw
        (as read from files with :func:`kow_research.read_tables`).
    today : datetime.date, optional
        The date that plausible ranges such as "today + 1 year" are resolved on (default: the
        current date).

    Returns
    -------
    ValidationReport
        ``.ok`` is True when there are no errors; ``.errors`` and ``.warnings`` list every problem
        with table, source file and row, column, value, rule and message. Nothing in ``study`` is
        changed.

    Examples
    --------
    >>> import kow_research as kr
    >>> report = kr.validate(kr.Study.from_frames())
    >>> report.ok
    False
    >>> report.errors["rule"].tolist()
    ['empty_study']
    """
    return check_study(study, today=today)[0]
