"""Reading and writing a Study as CSV, Excel, Parquet or SPSS ``.sav``.

A study folder holds one file per table named after it (``participants.csv``, ``ladder.csv``,
``spells.csv``, ``sessions.csv``; likewise ``.xlsx``, ``.parquet``, ``.sav``), or one Excel
workbook with a sheet per table. ``participants`` is required; a missing ``ladder``, ``spells`` or
``sessions`` table is read as empty and reported as a warning.

Text is read strictly: CSV must be UTF-8 (a byte-order mark is fine); the delimiter is detected
from the header line (comma, semicolon as written by Dutch Excel, or tab) and recorded; every
value is read as text and only the empty string counts as missing. Dates must be ISO
``YYYY-MM-DD`` in text, or native date cells in Excel and SPSS.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from kow_research.data.schema import TABLES, get_schema
from kow_research.data.study import Study, TableSource
from kow_research.data.validate import ValidationError, check_study

Format = Literal["csv", "xlsx", "parquet", "sav"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "sav")
_EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".sav": "sav"}
WORKBOOK_NAME = "study.xlsx"


# --------------------------------------------------------------------------------------- reading
def _detect_delimiter(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
    if not header.strip():
        raise ValueError(f"{path}: the file is empty; expected a header row with the column "
                         f"names of the {path.stem} table")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(path: Path) -> tuple[pd.DataFrame, TableSource]:
    try:
        sep = _detect_delimiter(path)
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         encoding="utf-8-sig", engine="c", quoting=csv.QUOTE_MINIMAL)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as "
                         "'CSV UTF-8' and read it again") from exc
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{path}: the file is empty; expected a header row") from exc
    except pd.errors.ParserError as exc:
        raise ValueError(f"{path}: cannot be read as delimited text: {exc}") from exc
    name = path.name if sep == "," else f"{path.name} (delimiter {sep!r})"
    return df, TableSource(name=name, first_row=2)


def _read_excel_sheets(path: Path) -> dict[str, tuple[pd.DataFrame, TableSource]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, keep_default_na=False,
                               na_values=[], engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ValueError(f"{path}: cannot be read as an Excel workbook: {exc}") from exc
    out = {}
    for sheet, df in sheets.items():
        df = df.replace({"": None}) if len(df) else df
        out[str(sheet)] = (df, TableSource(name=f"{path.name}[{sheet}]", first_row=2))
    return out


def _read_parquet(path: Path) -> tuple[pd.DataFrame, TableSource]:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise ValueError(f"{path}: cannot be read as Parquet: {exc}") from exc
    return df.reset_index(drop=True), TableSource(name=path.name, first_row=1)


def _read_sav(path: Path) -> tuple[pd.DataFrame, TableSource]:
    import pyreadstat

    try:
        df, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True,
                                        formats_as_category=True, dates_as_pandas_datetime=True)
    except Exception as exc:
        raise ValueError(f"{path}: cannot be read as an SPSS .sav file: {exc}") from exc
    return df, TableSource(name=path.name, first_row=1)


def _find_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for table in TABLES:
        hits = [folder / f"{table}{ext}" for ext in _EXTENSIONS if (folder / f"{table}{ext}").is_file()]
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
        A folder with one file per table, or an Excel workbook with one sheet per table.

    Returns
    -------
    Study
        Raw frames exactly as read (text for CSV; native cells for Excel, Parquet and SPSS), with
        ``sources`` naming each file. Pass it to :func:`kow_research.validate`.

    Raises
    ------
    ValueError
        When the folder or a file cannot be read at all (naming the file).
    """
    path = Path(path)
    raw: dict[str, pd.DataFrame] = {}
    sources: dict[str, TableSource] = {}
    if path.is_file() and path.suffix.lower() == ".xlsx":
        sheets = _read_excel_sheets(path)
        for table in TABLES:
            if table in sheets:
                raw[table], sources[table] = sheets[table]
    elif path.is_dir():
        files = _find_files(path)
        workbooks = sorted(p for p in path.glob("*.xlsx") if p.stem not in TABLES
                           and not p.name.startswith("~$"))
        if not files and len(workbooks) == 1:
            return read_tables(workbooks[0])
        if not files and len(workbooks) > 1:
            raise ValueError(f"{path}: several workbooks ({', '.join(p.name for p in workbooks)}) "
                             "and no table files; pass the workbook's path")
        for table, file in files.items():
            fmt = _EXTENSIONS[file.suffix]
            if fmt == "csv":
                raw[table], sources[table] = _read_csv(file)
            elif fmt == "parquet":
                raw[table], sources[table] = _read_parquet(file)
            elif fmt == "sav":
                raw[table], sources[table] = _read_sav(file)
            else:
                sheets = _read_excel_sheets(file)
                first = next(iter(sheets.values()))
                raw[table] = first[0]
                sources[table] = TableSource(name=file.name, first_row=2)
    else:
        raise ValueError(f"{path}: not a folder of table files or an .xlsx workbook")
    if "participants" not in raw:
        raise ValueError(f"{path}: no participants table found (expected participants.csv, "
                         ".xlsx, .parquet or .sav, or a workbook with a 'participants' sheet)")
    missing = [t for t in TABLES if t not in raw]
    frames: dict[str, Any] = {t: raw.get(t, Study.empty_table(t)) for t in TABLES}
    return Study(**frames, sources=sources, meta={"path": str(path), "missing_tables": missing})


def load_study(path: str | Path, *, strict: bool = True) -> Study:
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
    """
    raw = read_tables(path)
    report, frames = check_study(raw)
    if strict and not report.ok:
        raise ValidationError(report)
    return Study(**frames, sources=dict(raw.sources), meta={**raw.meta, "validation": report})


# --------------------------------------------------------------------------------------- writing
def _for_text(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[col] = s.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
            out[col] = s.astype(object).map({True: "true", False: "false"}).fillna("")
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out, columns=df.columns)


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


def write_study(study: Study, path: str | Path, format: Format = "csv") -> list[Path]:
    """Write the four tables of ``study`` to the folder ``path``.

    Parameters
    ----------
    study : Study
        Typed tables (as from a simulator or :func:`load_study`).
    path : str or Path
        Output folder (created if needed).
    format : {"csv", "xlsx", "parquet", "sav"}
        ``csv``: UTF-8, comma-separated, dates ``YYYY-MM-DD``, booleans ``true``/``false``;
        ``xlsx``: one workbook ``study.xlsx`` with a sheet per table and native date cells;
        ``parquet``: one file per table, dtypes preserved; ``sav``: SPSS files with variable
        labels, categorical columns as numeric codes with value labels, dates as SPSS dates.

    Returns
    -------
    list of Path
        The files written. Reading them back with :func:`load_study` gives identical frames.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if format == "xlsx":
        target = folder / WORKBOOK_NAME
        with pd.ExcelWriter(target, engine="openpyxl", date_format="YYYY-MM-DD",
                            datetime_format="YYYY-MM-DD") as writer:
            for table, df in study.tables.items():
                frame = pd.DataFrame({c: (df[c].astype(object).where(df[c].notna(), None))
                                      for c in df.columns}, columns=df.columns)
                frame.to_excel(writer, sheet_name=table, index=False)
        return [target]
    for table, df in study.tables.items():
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
        written.append(target)
    return written


