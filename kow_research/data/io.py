"""Reading and writing a Study as CSV, Excel, Parquet or SPSS ``.sav``.

A study folder holds one file per table named after it (``participants.csv``, ``ladder.csv``,
``spells.csv``, ``sessions.csv``; likewise ``.xlsx``, ``.parquet``, ``.sav``), or one Excel
workbook with a sheet per table (sheet names matched case-insensitively). ``participants`` is
required; a missing ``ladder``, ``spells`` or ``sessions`` table is read as empty and reported as
a warning.

Text is read strictly (see :mod:`kow_research.data.readers`): CSV must be UTF-8 (a byte-order mark
is fine); the delimiter is detected from the header line (comma, semicolon as written by Dutch
Excel, or tab) and recorded; every value is read as text and only the empty string counts as
missing; NUL bytes, rows with the wrong number of fields and Excel formulas without a saved value
are refused, naming the file, row and column. Dates must be ISO ``YYYY-MM-DD`` in text, or native
date cells in Excel and SPSS. SPSS files are read as their stored codes for numeric fields (a
ladder rung stays 2, not its label) and as value labels for text fields; SPSS user-missing values
are missing. Files in any other form (other column names, Dutch words, other date formats, wide
ladder columns) are brought in with :func:`kow_research.data.importer.import_study`.

A table that carries the reserved columns ``_source_file`` and ``_source_row`` (written by
``kow-research import``) keeps them as its :class:`TableSource`, so messages name the original
file and row.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from kow_research.core import check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.reproducible import normalize_sav, normalize_zip
from kow_research.data.delimited import read_delimited
from kow_research.data.readers import (
    EXCEL_EXTENSIONS,
    RawTable,
    ReadError,
    match_sheet,
    read_parquet,
    read_sav,
    read_sheet,
    sheet_names,
    spss_user_missing,
)
from kow_research.data.schema import TABLES, get_schema
from kow_research.data.study import PROVENANCE_COLUMNS, Study, TableSource
from kow_research.data.validate import ValidationError, check_study

Format = Literal["csv", "xlsx", "parquet", "sav"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "sav")
_EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".sav": "sav"}
WORKBOOK_NAME = "study.xlsx"


# --------------------------------------------------------------------------------------- reading
def _split_provenance(raw: RawTable) -> tuple[pd.DataFrame, TableSource]:
    """Split the reserved provenance columns off ``raw`` into its TableSource."""
    frame, source = raw.frame, raw.source
    file_col, row_col = PROVENANCE_COLUMNS
    if file_col not in frame.columns or row_col not in frame.columns:
        return frame, source
    rows = pd.to_numeric(frame[row_col], errors="coerce")
    files = frame[file_col].astype(object)
    usable = rows.notna() & files.notna() & (files != "")
    if not usable.all():
        bad = int(np.flatnonzero(~usable.to_numpy())[0])
        raise ReadError(f"{source.name} row {source.row_numbers(np.array([bad]))[0]}: the "
                        f"provenance columns {file_col}/{row_col} are incomplete; restore them "
                        "from the import or remove both columns", file=source.name)
    kept = frame.drop(columns=[file_col, row_col])
    return kept, TableSource(name=source.name, first_row=source.first_row,
                             rows=rows.to_numpy(dtype=np.int64),
                             files=files.astype(str).to_numpy(dtype=object))


def _note_records(table: str, raw: RawTable) -> list[dict[str, Any]]:
    """The reader's notes on ``raw`` as import-log records (table, column, rule, from, to,
    rows)."""
    return [{"table": table, "column": n.column, "rule": n.rule, "from": n.source,
             "to": n.target, "rows": n.rows} for n in raw.notes]


def _canonical_sav(raw: RawTable, table: str) -> pd.DataFrame:
    """SPSS cells in canonical form: user-missing values missing, value labels for text fields
    (codes for numeric, boolean and date fields)."""
    schema = get_schema(table)
    frame = raw.frame.copy()
    for col in frame.columns:
        ranges = raw.missing_ranges.get(col)
        if ranges:
            mask = spss_user_missing(frame[col], ranges)
            if mask.any():
                frame[col] = frame[col].where(~mask)
        labels = raw.value_labels.get(col)
        if labels and col in schema.columns and schema.field(col).type == "string":
            values = frame[col]
            mapped = values.map(labels)
            frame[col] = mapped.where(mapped.notna(), values).astype(object)
    return frame


def _read_file(file: Path, table: str) -> tuple[pd.DataFrame, TableSource, RawTable]:
    fmt = _EXTENSIONS[file.suffix.lower()]
    if fmt == "csv":
        raw = read_delimited(file)
    elif fmt == "parquet":
        raw = read_parquet(file)
    elif fmt == "sav":
        raw = read_sav(file)
        raw = RawTable(frame=_canonical_sav(raw, table), source=raw.source, kind=raw.kind)
    else:
        raw = read_sheet(file, None, table=table)
    frame, source = _split_provenance(raw)
    return frame, source, raw


def _find_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    files = {p.name.casefold(): p for p in folder.iterdir() if p.is_file()}
    for table in TABLES:
        hits = [files[f"{table}{ext}"] for ext in _EXTENSIONS if f"{table}{ext}" in files]
        if len(hits) > 1:
            raise ValueError(f"{folder}: table {table!r} is there in more than one format "
                             f"({', '.join(p.name for p in hits)}); keep one")
        if hits:
            found[table] = hits[0]
    return found


def read_tables(path: str | Path) -> Study:
    """Read the tables of a study without validating them.

    Parameters
    ----------
    path : str or Path
        A study folder or workbook, as for :func:`load_study`.

    Returns
    -------
    Study
        The raw tables (text as read), each with its source file and row numbers.

    Raises
    ------
    ReadError
        A file cannot be read (naming file, line and column).

    Examples
    --------
    >>> import tempfile
    >>> import kow_research as kr
    >>> folder = tempfile.mkdtemp()
    >>> _ = kr.write_study(kr.simulate_study("KOW", n=5, seed=1), folder)
    >>> sorted(read_tables(folder).tables)
    ['ladder', 'participants', 'sessions', 'spells']
    """
    try:
        return _read_tables(path)
    except OSError as exc:  # permissions, a file vanishing while read: unreadable input
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})",
                        file=Path(path).name) from exc


def _read_tables(path: str | Path) -> Study:
    """Read the tables of a study without validating them.

    Parameters
    ----------
    path : str or Path
        A folder with one file per table, or an Excel workbook with one sheet per table.

    Returns
    -------
    Study
        Raw frames exactly as read (text for CSV; native cells for Excel, Parquet and SPSS), with
        ``sources`` naming each file and the row of every record; ``meta["read_notes"]`` says
        what the readers did (delimiter detected, empty rows skipped). Pass it to
        :func:`kow_research.validate`.

    Raises
    ------
    ValueError
        When the folder or a file cannot be read at all (a
        :class:`~kow_research.data.readers.ReadError` naming the file, row and column).
    """
    path = Path(path)
    raw: dict[str, pd.DataFrame] = {}
    sources: dict[str, TableSource] = {}
    skipped: dict[str, np.ndarray] = {}
    notes: list[dict[str, Any]] = []
    if path.is_file() and path.suffix.lower() in EXCEL_EXTENSIONS:
        names = sheet_names(path)
        for table in TABLES:
            if any(n.strip().casefold() == table for n in names):
                sheet = read_sheet(path, match_sheet(path, names, table), table=table)
                raw[table], sources[table] = _split_provenance(sheet)
                skipped[table] = sheet.skipped
                notes += _note_records(table, sheet)
        if "participants" not in raw:
            raise ValueError(f"{path}: no participants sheet; the sheets are "
                             f"{', '.join(map(repr, names))} (name them participants, ladder, "
                             "spells and sessions, or import the workbook with a mapping)")
    elif path.is_dir():
        files = _find_files(path)
        workbooks = sorted(p for p in path.glob("*.xlsx") if p.stem not in TABLES
                           and not p.name.startswith("~$"))
        if not files and len(workbooks) == 1:
            return _read_tables(workbooks[0])
        if not files and len(workbooks) > 1:
            raise ValueError(f"{path}: several workbooks ({', '.join(p.name for p in workbooks)}) "
                             "and no table files; pass the workbook's path")
        for table, file in files.items():
            raw[table], sources[table], read = _read_file(file, table)
            skipped[table] = read.skipped
            notes += _note_records(table, read)
    else:
        raise ValueError(f"{path}: not a folder of table files or an .xlsx workbook")
    if "participants" not in raw:
        raise ValueError(f"{path}: no participants table found (expected participants.csv, "
                         ".xlsx, .parquet or .sav, or a workbook with a 'participants' sheet); "
                         "files in another layout are imported with `kow-research import`")
    missing = [t for t in TABLES if t not in raw]
    frames: dict[str, Any] = {t: raw.get(t, Study.empty_table(t)) for t in TABLES}
    meta = {"path": str(path), "missing_tables": missing,
            "skipped_rows": {t: v for t, v in skipped.items() if len(v)}, "read_notes": notes}
    return Study(**frames, sources=sources, meta=meta)


def load_study(path: str | Path, *, strict: bool = True,
               today: _dt.date | None = None) -> Study:
    """Read and validate a study; return it in the canonical dtypes of the data dictionary.

    Parameters
    ----------
    path : str or Path
        A folder with ``participants``, ``ladder``, ``spells`` and ``sessions`` as CSV, Excel,
        Parquet or SPSS ``.sav`` files, or one Excel workbook with a sheet per table.
    strict : bool, default True
        Raise :class:`ValidationError` when the data have errors. With ``strict=False`` the
        study is returned anyway (unparseable values missing) and the report is in
        ``study.meta["validation"]``.
    today : datetime.date, optional
        The date plausible ranges ("today + 1 year") are resolved on; default the current date.

    Returns
    -------
    Study
        Every row and column as in the files, typed; ``meta["validation"]`` holds the report.

    Raises
    ------
    ValidationError
        On any validation error (the report is ``exc.report``).
    ValueError
        When a file cannot be read at all.

    Examples
    --------
    >>> import tempfile
    >>> import kow_research as kr
    >>> folder = tempfile.mkdtemp()
    >>> _ = kr.write_study(kr.simulate_study("KOW", n=20, seed=1), folder)
    >>> len(load_study(folder).participants)
    20
    """
    raw = read_tables(path)
    report, frames = check_study(raw, today=today)
    if strict and not report.ok:
        raise ValidationError(report)
    return Study(**frames, sources=dict(raw.sources), meta={**raw.meta, "validation": report})


# --------------------------------------------------------------------------------------- writing
def _text_column(s: pd.Series) -> pd.Series:
    """A typed column as canonical text, formatting each distinct value once."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        codes, uniq = pd.factorize(s)
        text = np.append(pd.DatetimeIndex(uniq).strftime("%Y-%m-%d").to_numpy(dtype=object), "")
        return pd.Series(text[codes], index=s.index, dtype=object)
    if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
        return s.astype(object).map({True: "true", False: "false"}).fillna("")
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.append(s.cat.categories.astype(str).to_numpy(dtype=object), "")
        return pd.Series(cats[s.cat.codes.to_numpy()], index=s.index, dtype=object)
    return s.astype(object).where(s.notna(), "").astype(str)


def _for_text(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({col: _text_column(df[col]) for col in df.columns}, columns=df.columns)


def _with_provenance(df: pd.DataFrame, source: TableSource) -> pd.DataFrame:
    positions = np.arange(len(df))
    return df.assign(**{PROVENANCE_COLUMNS[0]: source.file_names(positions),
                        PROVENANCE_COLUMNS[1]: source.row_numbers(positions)})


def _for_sav(df: pd.DataFrame, table: str) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any],
                                                       dict[str, str]]:
    schema = get_schema(table)
    out: dict[str, Any] = {}
    value_labels: dict[str, dict[float, str]] = {}
    formats: dict[str, str] = {}
    labels = {}
    for col in df.columns:
        s = df[col]
        f = schema.field(col) if col in schema.columns else None
        if f is not None:
            labels[col] = f.title_en
        if f is not None and f.enum is not None and f.type == "string":
            codes = {v: float(i + 1) for i, v in enumerate(f.enum)}
            out[col] = s.astype(object).map(codes).astype(float)
            value_labels[col] = {code: str(v) for v, code in codes.items()}
        elif str(s.dtype) == "boolean" or pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s.astype("Float64").astype(float)
            value_labels[col] = {1.0: "true", 0.0: "false"}
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[col] = pd.Series(s.dt.date.to_numpy(dtype=object), index=s.index).where(
                s.notna(), None)
            formats[col] = "DATE11"
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out[col] = s.astype("Float64").astype(float)
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out, columns=df.columns), value_labels, labels, formats


@positional_deprecated("format", n_positional=2)
def write_study(study: Study, path: str | Path, *, format: Format = "csv",
                provenance: bool = False) -> list[Path]:
    """Write the four tables of ``study`` to the folder ``path``.

    Parameters
    ----------
    study : Study
        Typed tables (as from a simulator or :func:`load_study`).
    path : str or Path
        Output folder (created if needed).
    format : {"csv", "xlsx", "parquet", "sav"}
        ``csv``: UTF-8, comma-separated, dates ``YYYY-MM-DD``, booleans ``true``/``false``;
        ``xlsx``: one workbook ``study.xlsx`` with a sheet per table and native date cells
        (text is stored as text, never as a live formula); ``parquet``: one file per table,
        dtypes preserved; ``sav``: SPSS files with variable labels, categorical columns as
        numeric codes with value labels, dates as SPSS dates. XLSX and SAV carry a fixed time
        (:func:`kow_research.core.reproducible.fixed_time`), so the same study gives the same
        bytes.
    provenance : bool, default False
        Add the columns ``_source_file`` and ``_source_row`` (each record's original file and
        row, from ``study.sources``), so that messages on the written study name the original
        files; :func:`read_tables` reads them back into the table's source.

    Returns
    -------
    list of Path
        The files written. Reading them back with :func:`load_study` gives identical frames.

    Examples
    --------
    >>> import tempfile
    >>> import kow_research as kr
    >>> [p.name for p in write_study(kr.simulate_study("KOW", n=10, seed=1), tempfile.mkdtemp(),
    ...                              format="parquet")]
    ['participants.parquet', 'ladder.parquet', 'spells.parquet', 'sessions.parquet']
    """
    check_choice("format", format, FORMATS)
    folder = Path(path)
    tables = {t: (_with_provenance(df, study.source(t)) if provenance else df)
              for t, df in study.tables.items()}
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if format == "xlsx":
        target = folder / WORKBOOK_NAME
        with pd.ExcelWriter(target, engine="openpyxl", date_format="YYYY-MM-DD",
                            datetime_format="YYYY-MM-DD") as writer:
            for table, df in tables.items():
                frame = pd.DataFrame({c: (df[c].astype(object).where(df[c].notna(), None))
                                      for c in df.columns}, columns=df.columns)
                frame.to_excel(writer, sheet_name=table, index=False)
                _text_as_strings(writer.sheets[table])
        return [normalize_zip(target)]
    for table, df in tables.items():
        target = folder / f"{table}.{format}"
        if format == "csv":
            _for_text(df).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
        elif format == "parquet":
            df.reset_index(drop=True).to_parquet(target, index=False)
        else:
            import pyreadstat

            frame, value_labels, labels, formats = _for_sav(df, table)
            pyreadstat.write_sav(frame, str(target), column_labels=labels,
                                 variable_value_labels=value_labels,
                                 variable_format=formats or None)
            normalize_sav(target)
        written.append(target)
    return written


def _text_as_strings(sheet: Any) -> None:
    """Store text that starts with ``=`` as a string, not a live formula (openpyxl takes any
    such text for a formula): ``=HYPERLINK(...)`` written is ``=HYPERLINK(...)`` read back."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


