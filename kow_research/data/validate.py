"""Validation of a :class:`~kow_research.data.study.Study` against the data dictionary.

Every rule comes from the schemas in ``data_dictionary/`` (types, ``constraints``, ``primaryKey``,
``foreignKeys`` and the ``x-checks`` cross-field rules). Validation never drops, alters or reorders
a row: each problem becomes one row of the report, naming the table, the source row as in the file,
the column, the offending value and the rule.

Rules (``rule`` column of the report)
-------------------------------------
missing_table (warning)     a table other than participants was not supplied
missing_column (error)      a dictionary column is absent
unknown_column (warning)    a column that is not in the dictionary (kept as is)
type (error)                a value that does not parse as the column's type
required (error)            an empty value in a required column
enum (error)                a value outside the allowed categories
range (error)               a number below ``minimum`` or above ``maximum``
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

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.data.coerce import Coerced, coerce_column
from kow_research.data.schema import TABLES, Check, TableSchema, get_schema
from kow_research.data.study import Study, TableSource

REPORT_COLUMNS = ["table", "source", "row", "column", "value", "rule", "severity", "message"]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}
_OP_WORDS = {">=": "before", "<=": "after", ">": "on or before", "<": "on or after"}


class ValidationError(ValueError):
    """Raised by :func:`kow_research.load_study` when the data break the dictionary's rules.

    Attributes
    ----------
    report : ValidationReport
        Every problem found (errors and warnings).
    """

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(report.summary_text(max_rows=3))


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    Attributes
    ----------
    errors, warnings : pandas.DataFrame
        One row per problem with columns ``table, source, row, column, value, rule, severity,
        message``. ``row`` is the row number in the source file (header = row 1 for CSV and
        Excel; first record = row 1 for Parquet, SPSS and in-memory frames); it is empty for
        problems with a whole table or column.
    """

    errors: pd.DataFrame
    warnings: pd.DataFrame
    n_rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return self.errors.empty

    @property
    def problems(self) -> pd.DataFrame:
        """Errors then warnings in one frame."""
        return pd.concat([self.errors, self.warnings], ignore_index=True)

    def counts(self) -> pd.DataFrame:
        """Number of problems per severity, table, column and rule."""
        p = self.problems
        if p.empty:
            return pd.DataFrame(columns=["severity", "table", "column", "rule", "n"])
        return (p.fillna({"column": ""}).groupby(["severity", "table", "column", "rule"], sort=False)
                .size().rename("n").reset_index())

    def summary_text(self, max_rows: int = 5) -> str:
        """A readable summary: counts per rule and the first rows of each problem."""
        lines = [f"{len(self.errors)} error(s), {len(self.warnings)} warning(s) in "
                 + ", ".join(f"{t} ({n:,} rows)" for t, n in self.n_rows.items())]
        p = self.problems
        for (sev, table, rule), grp in p.groupby(["severity", "table", "rule"], sort=False):
            lines.append(f"  {sev:7s} {table}: {rule} × {len(grp)}")
            for msg in grp["message"].head(max_rows):
                lines.append(f"      {msg}")
            if len(grp) > max_rows:
                lines.append(f"      … and {len(grp) - max_rows} more")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The full report as JSON (``ok``, ``counts``, ``errors``, ``warnings``)."""
        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = df.astype(object).where(df.notna(), None)
            return [{k: (int(v) if isinstance(v, (np.integer,)) else v) for k, v in r.items()}
                    for r in out.to_dict(orient="records")]
        return json.dumps({"ok": self.ok, "n_rows": self.n_rows,
                           "counts": records(self.counts()),
                           "errors": records(self.errors), "warnings": records(self.warnings)},
                          ensure_ascii=False, indent=2)

    def __str__(self) -> str:
        return self.summary_text()

    def _repr_html_(self) -> str:
        head = f"<p><b>{'OK' if self.ok else 'Not valid'}</b>: {self.summary_text(0)}</p>"
        return head + self.counts().to_html(index=False)


def _fmt(values: pd.Series) -> pd.Series:
    """Format values for messages: dates as YYYY-MM-DD, missing as empty."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d").fillna("")
    return values.astype(object).map(lambda v: "" if v is None or (isinstance(v, float) and
                                                                   np.isnan(v)) else str(v))


class _Collector:
    """Accumulates problem rows as column arrays (vectorised; no per-row Python objects)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, table: str, source: TableSource, positions: np.ndarray | None, column: str | None,
            values: pd.Series | None, rule: str, severity: str, message: pd.Series | str) -> None:
        if positions is None:
            n = 1
            rows = pd.array([pd.NA], dtype="Int64")
            where = f"{source.name}: "
        else:
            n = len(positions)
            if n == 0:
                return
            rows = pd.array(positions + source.first_row, dtype="Int64")
            where = f"{source.name} row " + pd.Series(rows, dtype="string").astype(str) + ": "
        vals = (_fmt(values).to_numpy(dtype=object) if values is not None
                else np.full(n, "", dtype=object))
        msg = where + message if isinstance(message, pd.Series) else where + message
        if isinstance(msg, pd.Series):
            msg = msg.to_numpy(dtype=object)
        self.parts.append(pd.DataFrame({
            "table": table, "source": source.name, "row": rows,
            "column": column if column is not None else "", "value": vals,
            "rule": rule, "severity": severity, "message": msg,
        }))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else object)
                                 for c in REPORT_COLUMNS})
        return pd.concat(self.parts, ignore_index=True)[REPORT_COLUMNS]


def _check_fields(table: str, df: pd.DataFrame, schema: TableSchema, source: TableSource,
                  out: _Collector) -> dict[str, pd.Series]:
    typed: dict[str, pd.Series] = {}
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
        raw = df[f.name].reset_index(drop=True)
        c: Coerced = coerce_column(raw, f)
        typed[f.name] = c.values
        if c.bad.any():
            pos = np.flatnonzero(c.bad)
            vals = raw.iloc[pos]
            msg = f"{f.name} " + _fmt(vals).map(repr).reset_index(drop=True) + f" is not {c.expected}"
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
                        f"{f.name} " + _fmt(vals).map(repr).reset_index(drop=True)
                        + f" is not one of {', '.join(map(str, f.enum))}")
        if f.pattern is not None and f.type == "string":
            text = c.values.astype("string")
            off = present & ~text.str.fullmatch(f.pattern).fillna(True).to_numpy(dtype=bool)
            if off.any():
                pos = np.flatnonzero(off)
                vals = raw.iloc[pos]
                out.add(table, source, pos, f.name, vals, "pattern", "error",
                        f"{f.name} " + _fmt(vals).map(repr).reset_index(drop=True)
                        + f" does not match the pattern {f.pattern}")
        if f.type in ("integer", "number") and (f.minimum is not None or f.maximum is not None):
            v = c.values.astype("float64").to_numpy(dtype=float, na_value=np.nan)
            lo = -np.inf if f.minimum is None else f.minimum
            hi = np.inf if f.maximum is None else f.maximum
            with np.errstate(invalid="ignore"):
                off = present & ((v < lo) | (v > hi))
            if off.any():
                pos = np.flatnonzero(off)
                vals = raw.iloc[pos]
                unit = f" {f.unit}" if f.unit else ""
                hint = " (the 0-6 ladder variant? recode to 1-6)" if (
                    table == "ladder" and f.name == "rung") else ""
                out.add(table, source, pos, f.name, vals, "range", "error",
                        f"{f.name} " + _fmt(vals).reset_index(drop=True)
                        + f"{unit} is outside {f.minimum}-{f.maximum}{unit}{hint}")
    return typed


def _key_codes(typed: dict[str, pd.Series], cols: list[str]) -> np.ndarray:
    """Integer code per row of the combination of ``cols`` (missing values get their own code)."""
    codes = np.zeros(len(next(iter(typed.values()))), dtype=np.int64)
    for col in cols:
        c, uniq = pd.factorize(typed[col], use_na_sentinel=False)
        codes = codes * (len(uniq) + 1) + c
        codes, _ = pd.factorize(codes)
    return codes


def _check_keys(table: str, df: pd.DataFrame, schema: TableSchema, typed: dict[str, pd.Series],
                source: TableSource, out: _Collector) -> np.ndarray:
    """Duplicate rows and unique keys; return the mask of exact duplicate rows."""
    n = len(df)
    if n == 0:
        return np.zeros(0, dtype=bool)
    dup_row = df.reset_index(drop=True).duplicated(keep="first").to_numpy()
    if dup_row.any():
        first = _first_position(df)
        pos = np.flatnonzero(dup_row)
        out.add(table, source, pos, None, None, "duplicate_row", "error",
                "row is identical to row " + pd.Series(first[pos] + source.first_row).astype(str)
                + " (duplicate entry?)")
    keys: list[tuple[str, ...]] = []
    if schema.primary_key:
        keys.append(tuple(schema.primary_key))
    keys += [(f.name,) for f in schema.fields if f.unique and (f.name,) not in keys]
    for key in keys:
        if not all(k in typed for k in key):
            continue
        codes = _key_codes(typed, list(key))
        dup = pd.Series(codes).duplicated(keep="first").to_numpy() & ~dup_row
        missing_any = np.zeros(n, dtype=bool)
        for k in key:
            missing_any |= typed[k].isna().to_numpy()
        dup &= ~missing_any
        if dup.any():
            first_pos = pd.Series(np.arange(n)).groupby(codes).transform("min").to_numpy()
            pos = np.flatnonzero(dup)
            label = " + ".join(key)
            vals = typed[key[0]].iloc[pos] if len(key) == 1 else (
                pd.Series(_fmt(typed[key[0]]).iloc[pos].to_numpy(), dtype=object) + " / "
                + _fmt(typed[key[1]]).iloc[pos].to_numpy())
            out.add(table, source, pos, label, vals, "unique_key", "error",
                    f"{label} " + _fmt(vals).reset_index(drop=True)
                    + " also on row " + pd.Series(first_pos[pos] + source.first_row).astype(str))
    return dup_row


def _first_position(df: pd.DataFrame) -> np.ndarray:
    """Position of the first occurrence of each row's content."""
    frame = df.reset_index(drop=True)
    codes = np.zeros(len(frame), dtype=np.int64)
    for col in frame.columns:
        c, uniq = pd.factorize(frame[col].astype(object), use_na_sentinel=False)
        codes, _ = pd.factorize(codes * (len(uniq) + 1) + c)
    return pd.Series(np.arange(len(frame))).groupby(codes).transform("min").to_numpy()


def _owner_positions(typed: dict[str, dict[str, pd.Series]]) -> dict[str, np.ndarray]:
    """Row position in participants (first occurrence) of each row's participant_id; -1 if none.

    Computed once and shared by the foreign-key check and the cross-table date checks.
    """
    ids = typed["participants"].get("participant_id")
    if ids is None:
        return {}
    first = ~ids.duplicated(keep="first").to_numpy()
    index = pd.Index(ids.to_numpy()[first])
    positions = np.flatnonzero(first)
    out = {}
    for table, cols in typed.items():
        if "participant_id" in cols:
            idx = index.get_indexer(cols["participant_id"].to_numpy())
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
                 owners: dict[str, np.ndarray], source: TableSource, out: _Collector) -> None:
    t = typed[table]
    for chk in schema.checks:
        if chk.rule == "overlapping_paid_spells":
            _check_overlap(table, chk, t, source, out)
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
                   out: _Collector) -> None:
    need = ("participant_id", "start_date", "end_date", "kind")
    if not all(c in t for c in need):
        return
    paid = (t["kind"].isin(list(chk.kinds)) & t["start_date"].notna()).to_numpy()
    if paid.sum() < 2:
        return
    pos_all = np.flatnonzero(paid)
    pid = pd.factorize(t["participant_id"].to_numpy()[pos_all])[0]
    start = t["start_date"].to_numpy()[pos_all].astype("datetime64[D]").astype(np.int64)
    end_raw = t["end_date"].to_numpy()[pos_all].astype("datetime64[D]")
    end = np.where(np.isnat(end_raw), np.iinfo(np.int64).max, end_raw.astype(np.int64))
    order = np.lexsort((end, start, pid))
    pid_s, start_s, end_s = pid[order], start[order], end[order]
    # a spell overlaps when it starts on or before the latest end of the participant's earlier
    # paid spells (ongoing spells end at +infinity)
    grp_start = np.r_[True, pid_s[1:] != pid_s[:-1]]
    prev_end = np.r_[np.iinfo(np.int64).min, end_s[:-1]]
    prev_end[grp_start] = np.iinfo(np.int64).min
    run_max = pd.Series(prev_end).groupby(np.cumsum(grp_start)).cummax().to_numpy()
    overlap = start_s <= run_max
    pos = np.sort(pos_all[order[overlap]])
    out.add(table, source, pos, "start_date", t["start_date"].iloc[pos], chk.rule, chk.severity,
            chk.message)


def _check_foreign_keys(table: str, schema: TableSchema, typed: dict[str, dict[str, pd.Series]],
                        owners: dict[str, np.ndarray], source: TableSource,
                        out: _Collector) -> None:
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
                    f"{col} " + _fmt(vals).map(repr).reset_index(drop=True)
                    + f" is not in {ref_table}.{ref_col}")


def check_study(study: Study) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    """Validate ``study`` and return the report and the typed (canonical-dtype) tables.

    Typed tables keep every row and column in source order; values that failed to parse are
    missing there (and reported). This is the engine behind :func:`validate` and
    :func:`kow_research.load_study`.
    """
    out = _Collector()
    typed: dict[str, dict[str, pd.Series]] = {}
    for table in TABLES:
        df = getattr(study, table)
        source = study.source(table)
        schema = get_schema(table)
        if study.meta.get("missing_tables") and table in study.meta["missing_tables"]:
            out.add(table, source, None, None, None, "missing_table", "warning",
                    f"no {table} table was supplied; it is treated as empty")
        typed[table] = _check_fields(table, df, schema, source, out)
    owners = _owner_positions(typed)
    for table in TABLES:
        df = getattr(study, table)
        schema = get_schema(table)
        source = study.source(table)
        if typed[table]:
            _check_keys(table, df, schema, typed[table], source, out)
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


def validate(study: Study) -> ValidationReport:
    """Check ``study`` against the data dictionary and return every problem found.

    Parameters
    ----------
    study : Study
        The four tables, typed (as from :func:`kow_research.load_study` or a simulator) or raw
        (as read from files with :func:`kow_research.read_study`).

    Returns
    -------
    ValidationReport
        ``.ok`` is True when there are no errors; ``.errors`` and ``.warnings`` list every problem
        with table, source row, column, value, rule and message. Nothing in ``study`` is changed.

    Examples
    --------
    >>> import kow_research as kr
    >>> report = kr.validate(kr.Study.from_frames())
    >>> report.ok
    True
    """
    return check_study(study)[0]
