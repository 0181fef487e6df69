"""The validation report: one row per problem, naming the file, row, column and value.

:class:`ValidationReport` is what :func:`kow_research.validate` returns and what
:class:`ValidationError` carries; :class:`Collector` builds it column-wise (no Python object per
problem), taking file names and row numbers from each table's
:class:`~kow_research.data.study.TableSource`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.data.study import TableSource

REPORT_COLUMNS = ["table", "source", "row", "column", "value", "rule", "severity", "message"]


class ValidationError(ValueError):
    """Raised by :func:`kow_research.load_study` when the data break the dictionary's rules.

    Attributes
    ----------
    report : ValidationReport
        Every problem found (errors and warnings).
    import_log : pandas.DataFrame or None
        When raised by an import: what the import changed (table, column, rule, from, to, rows).
    """

    import_log: pd.DataFrame | None = None

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
        message``. ``source`` is the file the record came from and ``row`` its row number there
        (header = row 1 for CSV and Excel; first record = row 1 for Parquet, SPSS and in-memory
        frames); ``row`` is empty for problems with a whole table or column.
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
            return [{k: (int(v) if isinstance(v, np.integer) else v) for k, v in r.items()}
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
    return values.astype(object).map(lambda v: "" if v is None or v is pd.NA or (
        isinstance(v, float) and np.isnan(v)) else str(v))


class Collector:
    """Accumulates problem rows as column arrays (vectorised; no per-row Python objects)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, table: str, source: TableSource, positions: np.ndarray | None, column: str | None,
            values: pd.Series | None, rule: str, severity: str, message: pd.Series | str) -> None:
        """Add one problem per position (or one for the whole table when ``positions`` is None).

        The message is prefixed with where the record is: ``file row N: `` (and the source
        column, when the column was renamed on import).
        """
        if positions is None:
            n = 1
            rows = pd.array([pd.NA], dtype="Int64")
            files: Any = source.name
            where: pd.Series | str = f"{source.name}: "
        else:
            pos = np.asarray(positions, dtype=np.int64)
            n = len(pos)
            if n == 0:
                return
            numbers = source.row_numbers(pos)
            rows = pd.array(numbers, dtype="Int64")
            files = source.file_names(pos)
            where = pd.Series(files, dtype=object) + " row " + pd.Series(numbers).astype(str)
            original = source.source_column(column, pos) if column else None
            if original is not None:
                where = where + ", column " + pd.Series(original, dtype=object).astype(str)
            where = where + ": "
        vals = (_fmt(values).to_numpy(dtype=object) if values is not None
                else np.full(n, "", dtype=object))
        if isinstance(message, pd.Series):
            message = message.reset_index(drop=True)
        msg = where + message
        if isinstance(msg, pd.Series):
            msg = msg.to_numpy(dtype=object)
        self.parts.append(pd.DataFrame({
            "table": table, "source": files, "row": rows,
            "column": column if column is not None else "", "value": vals,
            "rule": rule, "severity": severity, "message": msg,
        }))

    def frame(self) -> pd.DataFrame:
        """All problems in the order they were added."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else object)
                                 for c in REPORT_COLUMNS})
        return pd.concat(self.parts, ignore_index=True)[REPORT_COLUMNS]
