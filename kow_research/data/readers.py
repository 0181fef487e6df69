"""Strict low-level readers: Excel sheets, SPSS ``.sav`` and Parquet (delimited text is in
:mod:`kow_research.data.delimited`), and what they return.

Every reader returns a :class:`RawTable`: the cells exactly as stored (text for CSV; native cells
for Excel, SPSS and Parquet), a :class:`~kow_research.data.study.TableSource` giving the physical
row of every record, and notes on what the reader did (delimiter found, empty rows skipped), so
that every later message can name the original file and row.

Input that would change values without a message is refused with a :class:`ReadError` that
names the file, the row and the column: NUL bytes, rows with more or fewer fields than the
header, text that is not in the declared encoding, duplicate column names and Excel formulas
without a cached value. Blank lines and rows whose fields are all empty (``;;;;`` padding
written by Excel) carry no data: they are skipped, counted in the notes, and still counted in
the row numbers, so every later message names the right line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.data.study import TableSource

SPSS_EPOCH = np.datetime64("1582-10-14", "s")
_SPSS_DATE_FORMATS = ("DATE", "ADATE", "EDATE", "JDATE", "SDATE", "DATETIME", "YMDHMS")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")


class ReadError(ValueError):
    """A file that cannot be read as it is, naming where (file, row, column) and what to do.

    Attributes
    ----------
    file : str or None
    row : int or None
        Physical row (line) in the file, 1-based.
    column : str or None
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        super().__init__(message)
        self.file, self.row, self.column = file, row, column


@dataclass(frozen=True)
class Note:
    """One thing a reader (or the importer) did, for the import log."""

    rule: str
    column: str
    source: str
    target: str
    rows: int


@dataclass(frozen=True)
class RawTable:
    """Cells as read from one file or sheet.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per record, columns named as in the file.
    source : TableSource
        File name and the physical row of every record.
    kind : str
        ``csv``, ``xlsx``, ``sav`` or ``parquet``.
    notes : tuple of Note
        What the reader did (delimiter, encoding, rows skipped).
    skipped : numpy.ndarray of int
        Physical rows skipped because they were blank or every field was empty.
    value_labels, variable_labels, missing_ranges, formats : dict
        SPSS metadata (empty for other kinds): value labels per variable, variable labels,
        user-missing ranges ``[(lo, hi), ...]`` and SPSS formats (``DATE11``, ``F8.2``).
    """

    frame: pd.DataFrame
    source: TableSource
    kind: str
    notes: tuple[Note, ...] = ()
    skipped: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    missing_ranges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)


def _unique_names(names: list[str], path: Path) -> list[str]:
    names = [n.strip() for n in names]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    seen: dict[str, int] = {}
    for k, name in enumerate(names, start=1):
        key = name.casefold()
        if name and key in seen:
            raise ReadError(f"{path}: the header names column {name!r} twice (columns "
                            f"{seen[key]} and {k}); give every column its own name",
                            file=path.name, column=name)
        seen[key] = k
    return [n if n else f"Unnamed: {k}" for k, n in enumerate(names)]


# ------------------------------------------------------------------------------------ Excel
def sheet_names(path: str | Path) -> list[str]:
    """Names of the sheets of an Excel workbook, in workbook order."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ReadError(f"{path}: cannot be read as an Excel workbook: {exc}",
                        file=Path(path).name) from exc
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def match_sheet(path: str | Path, names: list[str], wanted: str | None,
                table: str | None = None) -> str:
    """Pick a sheet by name, case-insensitively; never "the first sheet" without saying so.

    With ``wanted=None`` a workbook with one sheet gives that sheet, and a workbook with several
    gives the sheet named after ``table`` (when there is one); otherwise a :class:`ReadError`
    lists the sheets.

    Examples
    --------
    >>> match_sheet("export.xlsx", ["Toelichting", "Study results"], "study RESULTS")
    'Study results'
    >>> match_sheet("export.xlsx", ["Toelichting", "Study results"], None)
    Traceback (most recent call last):
    ...
    kow_research.data.readers.ReadError: export.xlsx: the workbook has 2 sheets ('Toelichting', 'Study results') and none is named for this table; name the sheet to read (sheet: ... in the mapping)
    """
    listing = ", ".join(repr(n) for n in names)
    if wanted is None:
        if len(names) == 1:
            return names[0]
        if table is not None:
            hits = [n for n in names if n.strip().casefold() == table.casefold()]
            if len(hits) == 1:
                return hits[0]
        raise ReadError(f"{path}: the workbook has {len(names)} sheets ({listing}) and none is "
                        "named for this table; name the sheet to read (sheet: ... in the mapping)",
                        file=Path(path).name)
    if wanted in names:
        return wanted
    hits = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    if len(hits) == 1:
        return hits[0]
    raise ReadError(f"{path}: no sheet named {wanted!r}; the sheets are {listing}",
                    file=Path(path).name)


def _cell_name(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def read_sheet(path: str | Path, sheet: str | None = None, *, header_row: int = 1,
               table: str | None = None) -> RawTable:
    """Read one sheet of an Excel workbook with native cells (numbers, dates, text, booleans).

    Parameters
    ----------
    path : str or Path
    sheet : str, optional
        Sheet name, matched case-insensitively (see :func:`match_sheet`).
    header_row : int, default 1
        Row of the column names; rows above it are skipped.
    table : str, optional
        Table being read, to pick a sheet named after it when ``sheet`` is not given.

    Returns
    -------
    RawTable
        ``source.name`` is ``file[sheet]``; rows are the sheet's row numbers.

    Raises
    ------
    ReadError
        No such sheet, several sheets and none named, duplicate column names, values under a
        column without a name, or a formula cell without a cached value (naming the cell).

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "export.xlsx"
    >>> wb = openpyxl.Workbook()
    >>> wb.active.title = "Toelichting"
    >>> ws = wb.create_sheet("Deelnemers")
    >>> for row in (["respnr", "leeftijd"], [101, 34], [], [102, "=B2+1"]):
    ...     ws.append(row)
    >>> wb.save(path)
    >>> sheet_names(path)
    ['Toelichting', 'Deelnemers']
    >>> try:
    ...     read_sheet(path, "deelnemers")
    ... except ReadError as exc:
    ...     print(exc.row, exc.column, "|", str(exc).split(": ", 1)[1][:61])
    4 leeftijd | sheet 'Deelnemers' cell B4 (row 4, column leeftijd) holds the
    """
    import openpyxl

    path = Path(path)
    chosen = match_sheet(path, sheet_names(path), sheet, table)
    display = f"{path.name}[{chosen}]"
    grids = {}
    for data_only in (False, True):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        try:
            grids[data_only] = list(wb[chosen].iter_rows(min_row=1, values_only=True))
        finally:
            wb.close()
        if data_only is False and not any(isinstance(v, str) and v.startswith("=")
                                          for r in grids[False] for v in r):
            grids[True] = grids[False]
            break
    formulas, values = grids[False], grids[True]
    if len(values) < header_row or not any(v not in (None, "") for v in values[header_row - 1]):
        raise ReadError(f"{path}: sheet {chosen!r} is empty (no column names in row "
                        f"{header_row})", file=display, row=header_row)
    raw_header = list(values[header_row - 1])
    names = [("" if v is None else str(v)).strip() for v in raw_header]
    while names and names[-1] == "":
        names.pop()
    width = len(names)
    header = _unique_names(names, path)
    records: list[tuple[Any, ...]] = []
    rows: list[int] = []
    skipped: list[int] = []
    for i, (vals, forms) in enumerate(zip(values[header_row:], formulas[header_row:],
                                          strict=False), start=header_row + 1):
        cells = list(vals) + [None] * max(0, width - len(vals))
        extra = [k for k, v in enumerate(cells[width:], start=width + 1) if v not in (None, "")]
        if extra:
            raise ReadError(f"{path}: sheet {chosen!r} cell {_cell_name(i, extra[0])} has a "
                            "value under a column without a name in the header row; name the "
                            "column or clear the cell", file=display, row=i)
        for k, (v, f) in enumerate(zip(cells[:width], list(forms) + [None] * width,
                                       strict=False)):
            if v is None and isinstance(f, str) and f.startswith("="):
                raise ReadError(f"{path}: sheet {chosen!r} cell {_cell_name(i, k + 1)} (row {i}, "
                                f"column {header[k]}) holds the formula {f!r} without a saved "
                                "value; open the workbook in Excel and save it (or paste the "
                                "values) so the result is stored", file=display, row=i,
                                column=header[k])
        if all(v is None or (isinstance(v, str) and v.strip() == "") for v in cells[:width]):
            skipped.append(i)
            continue
        records.append(tuple(cells[:width]))
        rows.append(i)
    frame = pd.DataFrame.from_records(records, columns=header) if records else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in header})
    frame = frame.astype(object)
    notes = [Note("read", "", display, "", len(frame))]
    if skipped:
        notes.append(Note("empty_row", "", "all cells empty", "skipped", len(skipped)))
    arr = np.asarray(rows, dtype=np.int64)
    contiguous = len(arr) == 0 or (arr[-1] - arr[0] == len(arr) - 1 and arr[0] == header_row + 1)
    source = TableSource(name=display, first_row=header_row + 1, rows=None if contiguous else arr)
    return RawTable(frame=frame, source=source, kind="xlsx", notes=tuple(notes),
                    skipped=np.asarray(skipped, dtype=np.int64))


# ------------------------------------------------------------------------------------- SPSS
def read_sav(path: str | Path, *, name: str | None = None) -> RawTable:
    """Read an SPSS ``.sav`` file: stored codes (never labels), user-missing values kept.

    Value labels, variable labels, user-missing ranges and formats are returned beside the
    values; :mod:`kow_research.data.importer` and :func:`kow_research.read_tables` decide what
    to do with them. Date variables (SPSS formats DATE, ADATE, EDATE, SDATE, JDATE, DATETIME)
    become ``datetime64[s]``, so dates far outside 1677-2262 are kept for validation to report.

    Parameters
    ----------
    path : str or Path
    name : str, optional
        How messages name the file.

    Returns
    -------
    RawTable

    Raises
    ------
    ReadError
        When the file is not a readable ``.sav`` file.

    Examples
    --------
    >>> import pathlib, tempfile, pyreadstat
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "team.sav"
    >>> frame = pd.DataFrame({"respnr": [101.0, 102.0], "PL_T0": [2.0, 999.0]})
    >>> pyreadstat.write_sav(frame, str(path), missing_ranges={"PL_T0": [999.0]},
    ...                      variable_value_labels={"PL_T0": {2.0: "sociale contacten buitenshuis"}})
    >>> raw = read_sav(path)
    >>> raw.frame["PL_T0"].tolist(), raw.value_labels["PL_T0"], raw.missing_ranges["PL_T0"]
    ([2.0, 999.0], {2.0: 'sociale contacten buitenshuis'}, [(999.0, 999.0)])
    """
    import pyreadstat

    path = Path(path)
    display = name or path.name
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True,
                                       disable_datetime_conversion=True)
    except Exception as exc:  # pyreadstat raises its own and OSError types
        raise ReadError(f"{path}: cannot be read as an SPSS .sav file: {exc}",
                        file=display) from exc
    formats = {str(c): str(f) for c, f in (meta.original_variable_types or {}).items()}
    for col, fmt in formats.items():
        if col in df.columns and str(fmt).upper().startswith(_SPSS_DATE_FORMATS):
            secs = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(secs)
            out = np.full(len(secs), np.datetime64("NaT"), dtype="datetime64[s]")
            out[ok] = SPSS_EPOCH + np.round(secs[ok]).astype(np.int64).astype("timedelta64[s]")
            df[col] = pd.Series(out, index=df.index)
    ranges: dict[str, list[tuple[float, float]]] = {
        col: [(float(r["lo"]), float(r["hi"])) for r in spec if isinstance(r, dict)]
        for col, spec in (meta.missing_ranges or {}).items()}
    labels = {col: dict(v) for col, v in (meta.variable_value_labels or {}).items()}
    var_labels = {c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    source = TableSource(name=display, first_row=1)
    notes = (Note("read", "", display, "", len(df)),)
    return RawTable(frame=df.reset_index(drop=True), source=source, kind="sav", notes=notes,
                    value_labels=labels, variable_labels=var_labels, missing_ranges=ranges,
                    formats=formats)


def spss_user_missing(values: pd.Series, ranges: list[tuple[float, float]]) -> np.ndarray:
    """Mask of ``values`` inside SPSS user-missing ``ranges`` (numeric variables only).

    Examples
    --------
    >>> spss_user_missing(pd.Series([12.0, 999.0, -9.0]), [(999.0, 999.0), (-9.0, -9.0)]).tolist()
    [False, True, True]
    """
    if not ranges or not pd.api.types.is_numeric_dtype(values.dtype):
        return np.zeros(len(values), dtype=bool)
    v = values.to_numpy(dtype=float, na_value=np.nan)
    mask = np.zeros(len(v), dtype=bool)
    for lo, hi in ranges:
        with np.errstate(invalid="ignore"):
            mask |= (v >= lo) & (v <= hi)
    return mask


# ---------------------------------------------------------------------------------- Parquet
def read_parquet(path: str | Path, *, name: str | None = None) -> RawTable:
    """Read a Parquet file keeping each timestamp's unit (so year 3000 is a value to report,
    not an overflow) and dates as ``datetime64``.

    Examples
    --------
    >>> import datetime, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spells.parquet"
    >>> pd.DataFrame({"end_date": [datetime.datetime(3000, 1, 1)]}).astype(
    ...     "datetime64[us]").to_parquet(path)
    >>> read_parquet(path).frame["end_date"].iloc[0]
    Timestamp('3000-01-01 00:00:00')
    """
    import pyarrow.parquet as pq

    path = Path(path)
    display = name or path.name
    try:
        df = pq.read_table(path).to_pandas(date_as_object=False)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise ReadError(f"{path}: cannot be read as Parquet: {exc}", file=display) from exc
    return RawTable(frame=df.reset_index(drop=True), source=TableSource(name=display, first_row=1),
                    kind="parquet", notes=(Note("read", "", display, "", len(df)),))
