"""Strict low-level readers: delimited text, Excel sheets, SPSS ``.sav`` and Parquet.

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

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core import row_labels
from kow_research.data.study import TableSource

_CHUNK = 1 << 24  # bytes per step of the line scan (bounds its memory)
_QUOTE, _NL, _CR = 34, 10, 13
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


# --------------------------------------------------------------------------- delimited text
def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _field_at(data: bytes, pos: int, sep: bytes, header: list[str]) -> str:
    start = data.rfind(b"\n", 0, pos) + 1
    k = data.count(sep, start, pos)
    return header[k] if k < len(header) else f"field {k + 1}"


def _check_encoding(data: bytes, path: Path, encoding: str) -> str:
    """Return the codec to decode ``data`` with, or raise naming the line that does not decode."""
    name = codecs.lookup(encoding).name
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and not name.startswith("utf-16"):
        raise ReadError(f"{path}: the file is UTF-16 text ('Unicode text' in Excel); save it as "
                        "'CSV UTF-8' or declare encoding: utf-16 in the mapping", file=path.name)
    if name in ("utf-8", "utf-8-sig"):
        name = "utf-8-sig"
        arr = np.frombuffer(data, dtype=np.uint8)
        if len(arr) == 0 or arr.max() < 128:
            return name
    try:
        data.decode(name)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        hint = ("Dutch Excel's 'CSV (gescheiden door lijstscheidingsteken)' writes Windows-1252: "
                "declare encoding: cp1252 in the mapping, or save the file as 'CSV UTF-8'"
                if name == "utf-8-sig" else "check the encoding declared in the mapping")
        label = "UTF-8" if name == "utf-8-sig" else encoding
        raise ReadError(f"{path}: not {label} text (row {line}: byte "
                        f"0x{data[exc.start]:02x} cannot be decoded, {exc.reason}); {hint}",
                        file=path.name, row=line) from exc
    return name


def _detect_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


@dataclass
class _Lines:
    """Logical lines of a delimited file (newlines inside quotes do not end a line)."""

    starts: np.ndarray
    length: np.ndarray  # without the line end (and without a trailing CR)
    fields: np.ndarray
    physical: np.ndarray  # 1-based physical line where each logical line starts
    consistent: bool  # False when quotes are unbalanced (the csv module must decide)


def _scan_lines(data: bytes, sep: int, quoted: bool) -> _Lines:
    arr = np.frombuffer(data, dtype=np.uint8)
    n = len(arr)
    ends_parts, seps_parts, phys_parts = [], [], []
    carry_q, carry_s, carry_p = 0, 0, 0
    for off in range(0, n, _CHUNK):  # int32 running counts per chunk: fast and bounded memory
        a = arr[off:off + _CHUNK]
        is_nl = a == _NL
        is_sep = a == sep
        if quoted:
            quotes = np.cumsum(a == _QUOTE, dtype=np.int32)
            outside = ((quotes + carry_q) & 1) == 0
            carry_q = (carry_q + int(quotes[-1])) & 1
            line_end = is_nl & outside
            is_sep &= outside
            phys = np.cumsum(is_nl, dtype=np.int32)
        else:
            line_end, phys = is_nl, None
        idx = np.flatnonzero(line_end)
        cs = np.cumsum(is_sep, dtype=np.int32)
        ends_parts.append(idx + off)
        seps_parts.append(cs[idx].astype(np.int64) + carry_s)
        carry_s += int(cs[-1])
        if phys is not None:
            phys_parts.append(phys[idx].astype(np.int64) + carry_p)
            carry_p += int(phys[-1])
    ends = np.concatenate(ends_parts) if ends_parts else np.zeros(0, np.int64)
    seps = np.concatenate(seps_parts) if seps_parts else np.zeros(0, np.int64)
    if n and (len(ends) == 0 or ends[-1] != n - 1):  # last line without a line end
        ends, seps = np.r_[ends, n], np.r_[seps, carry_s]
        if quoted:
            phys_parts.append(np.array([carry_p]))
    starts = np.r_[0, ends[:-1] + 1].astype(np.int64)
    length = ends - starts
    last = np.clip(ends - 1, 0, max(n - 1, 0))
    has_cr = (length > 0) & (arr[last] == _CR) if n else np.zeros(0, bool)
    length = length - has_cr
    fields = np.diff(np.r_[0, seps]) + 1
    if quoted:
        phys_at_end = np.concatenate(phys_parts)
        physical = np.r_[0, phys_at_end[:-1]] + 1
    else:
        physical = np.arange(1, len(starts) + 1)
    return _Lines(starts, length, fields, physical, consistent=carry_q == 0)


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


def _header_names(text: str, sep: str, path: Path) -> list[str]:
    return _unique_names(next(csv.reader([text], delimiter=sep), []), path)


def _field_count_error(path: Path, header: list[str], bad_rows: np.ndarray,
                       counts: np.ndarray) -> ReadError:
    n = len(header)
    first_row, first = int(bad_rows[0]), int(counts[0])
    if first < n:
        what = (f"row {first_row} has {first} field(s) where the header has {n}: the values for "
                f"{', '.join(header[first:])} are missing (a short row would shift or lose "
                "values, e.g. a dropout date)")
        column = header[first]
    else:
        what = (f"row {first_row} has {first} fields where the header has {n}: an extra field "
                f"after column {header[-1]} (a delimiter inside a value? quote the value)")
        column = header[-1]
    more = ""
    if len(bad_rows) > 1:
        more = f"; rows with the wrong number of fields: {row_labels(np.ones(len(bad_rows)), bad_rows)}"
    return ReadError(f"{path}: {what}{more}; fix these rows so every row has {n} fields",
                     file=path.name, row=first_row, column=column)


def _read_with_csv_module(text: str, sep: str, header_row: int, header: list[str],
                          path: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Exact but slower path for quoted files whose quotes the byte scan cannot follow."""
    rows: list[list[str]] = []
    lines: list[int] = []
    wrong: list[tuple[int, int]] = []
    skipped: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    last = 0
    for record in reader:
        start, last = last + 1, reader.line_num
        if start <= header_row:
            continue
        if not record or all(v.strip() == "" for v in record):
            skipped.append(start)
            continue
        if len(record) != len(header):
            wrong.append((start, len(record)))
            continue
        rows.append(record)
        lines.append(start)
    if wrong:
        raise _field_count_error(path, header, np.array([w[0] for w in wrong]),
                                 np.array([w[1] for w in wrong]))
    text = pd.StringDtype("pyarrow")
    frame = pd.DataFrame(rows, columns=header, dtype=text) if rows else pd.DataFrame(
        {c: pd.Series(dtype=text) for c in header})
    return frame, np.asarray(lines, dtype=np.int64), np.asarray(skipped, dtype=np.int64)


def _parse_with_arrow(data: bytes, path: Path, display: str, codec: str, sep: str,
                      header: list[str], header_row: int, quoted: bool) -> pd.DataFrame | None:
    """Parse checked delimited bytes with pyarrow (multi-threaded): every column as text,
    nothing read as missing, text kept in Arrow memory (``string[pyarrow]``)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding = "utf8" if codec in ("utf-8", "utf-8-sig") else codec
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(skip_rows=header_row, column_names=header,
                                           encoding=encoding),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True,
                                              newlines_in_values=quoted,
                                              ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        if "columns" in str(exc):
            return None  # a row with the wrong number of fields: the byte scan says which
        raise ReadError(f"{path}: cannot be read as delimited text: {exc}", file=display) from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise ReadError(f"{path}: cannot be read as delimited text: {exc}", file=display) from exc
    dtype = pd.StringDtype("pyarrow")
    frame = table.to_pandas(types_mapper=lambda t: dtype if t == pa.string() else None)
    frame.columns = header
    return frame


def _values_with_newlines(frame: pd.DataFrame) -> bool:
    return any(bool(frame[c].str.contains("\n", regex=False).any()) for c in frame.columns)


def _physical_rows(data: bytes, frame: pd.DataFrame, header_row: int, path: Path,
                   display: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Physical row of each parsed record when no value holds a line break; drop the records
    whose fields are all empty (``;;;;`` padding) and return the rows skipped."""
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if b"\n\n" in data or b"\n\r\n" in data or data.endswith(b"\n\r"):
        arr = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(arr == _NL)
        if len(ends) == 0 or ends[-1] != len(arr) - 1:
            ends = np.r_[ends, len(arr)]
        starts = np.r_[0, ends[:-1] + 1]
        length = ends - starts
        length = length - ((length > 0) & (arr[np.clip(ends - 1, 0, None)] == _CR))
        physical = np.arange(1, len(ends) + 1)[header_row:]
        blank = length[header_row:] == 0
    else:
        physical = np.arange(header_row + 1, n_lines + 1)
        blank = np.zeros(len(physical), dtype=bool)
    rows = physical[~blank]
    if len(frame) != len(rows):
        lone_cr = b"\r" in data.replace(b"\r\n", b"")
        raise ReadError(f"{path}: cannot be read consistently ({len(frame)} records found where "
                        f"the file has {len(rows)} non-empty rows); "
                        + ("it uses old Mac line endings (CR only): save it again as CSV"
                           if lone_cr else "check for unbalanced quotes"), file=display)
    empty = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        empty &= (frame[c] == "").to_numpy(dtype=bool, na_value=True)
        if not empty.any():
            break
    skipped = physical[blank]
    if empty.any():
        skipped = np.sort(np.r_[skipped, rows[empty]])
        frame, rows = frame[~empty].reset_index(drop=True), rows[~empty]
    return frame, rows, skipped


def read_delimited(path: str | Path, *, encoding: str = "utf-8", delimiter: str | None = None,
                   header_row: int = 1, name: str | None = None) -> RawTable:
    """Read a delimited text file strictly: every value as text, only ``""`` is missing.

    Parameters
    ----------
    path : str or Path
    encoding : str, default "utf-8"
        Any codec Python knows; ``utf-8`` accepts a byte-order mark. ``cp1252`` is what Dutch
        Excel writes for "CSV (gescheiden door lijstscheidingsteken)".
    delimiter : str, optional
        Detected from the header row when not given (``,``, ``;``, tab or ``|``).
    header_row : int, default 1
        Line of the column names; lines above it are skipped.
    name : str, optional
        How messages name the file (default: its file name).

    Returns
    -------
    RawTable
        Every column as text (``string[pyarrow]``, compact); records keep their physical row.

    Raises
    ------
    ReadError
        Empty file, NUL bytes, text not in ``encoding``, duplicate column names, or rows with
        more or fewer fields than the header (naming the file, row and column).
    """
    path = Path(path)
    display = name or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})", file=display) from exc
    codec = _check_encoding(data, path, encoding)
    if codec.startswith(("utf-16", "utf-32")):
        data = data.decode(codec).encode("utf-8")
        codec = "utf-8-sig"
    start = 0
    for _ in range(header_row - 1):
        start = data.find(b"\n", start) + 1 if data.find(b"\n", start) >= 0 else len(data)
    stop = data.find(b"\n", start)
    first_line = data[start:stop if stop >= 0 else len(data)]
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[len(codecs.BOM_UTF8):]
    header_text = first_line.decode(codec, errors="replace").rstrip("\r")
    if not header_text.strip():
        raise ReadError(f"{path}: the file is empty; expected a header row with the column names",
                        file=display, row=header_row)
    sep = delimiter or _detect_delimiter(header_text)
    header = _header_names(header_text, sep, path)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = _line_of(data, nul)
        begin = max(data.rfind(sep.encode(), 0, nul), data.rfind(b"\n", 0, nul)) + 1
        value = data[begin:nul + 4].split(b"\n")[0]
        column = _field_at(data, nul, sep.encode(), header)
        raise ReadError(f"{path}: row {line}, column {column}: a NUL byte (\\x00) inside the "
                        f"value {value!r}; the file is damaged or not plain text (values would "
                        "be cut at the NUL): repair or re-export it",
                        file=display, row=line, column=column)
    quoted = b'"' in data
    frame = _parse_with_arrow(data, path, display, codec, sep, header, header_row, quoted)
    if frame is None or (quoted and _values_with_newlines(frame)):
        # exact and slower: the byte scan names the rows with the wrong number of fields; the
        # csv module follows quoted newlines and rows of only delimiters wider than the header
        lines = _scan_lines(data, ord(sep), quoted)
        body = slice(header_row, None)
        length, fields, physical = lines.length[body], lines.fields[body], lines.physical[body]
        blank = length == 0
        only_seps = ~blank & (length == fields - 1)
        wrong = ~blank & ~only_seps & (fields != len(header))
        if wrong.any() and not quoted:
            raise _field_count_error(path, header, physical[wrong], fields[wrong])
        frame, kept_rows, skipped = _read_with_csv_module(data.decode(codec), sep, header_row,
                                                          header, path)
    else:
        frame, kept_rows, skipped = _physical_rows(data, frame, header_row, path, display)
    notes = [Note("read", "", display, "", len(frame))]
    if delimiter is None:
        notes.append(Note("delimiter", "", "detected", sep, len(frame)))
    if len(skipped):
        notes.append(Note("empty_row", "", "blank or all fields empty", "skipped", len(skipped)))
    contiguous = len(kept_rows) == 0 or (
        int(kept_rows[-1]) - int(kept_rows[0]) == len(kept_rows) - 1
        and int(kept_rows[0]) == header_row + 1)
    source = TableSource(name=display, first_row=header_row + 1,
                         rows=None if contiguous else kept_rows.astype(np.int64))
    return RawTable(frame=frame, source=source, kind="csv", notes=tuple(notes),
                    skipped=np.asarray(skipped, dtype=np.int64))


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
    """Mask of ``values`` inside SPSS user-missing ``ranges`` (numeric variables only)."""
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
    not an overflow) and dates as ``datetime64``."""
    import pyarrow.parquet as pq

    path = Path(path)
    display = name or path.name
    try:
        df = pq.read_table(path).to_pandas(date_as_object=False)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise ReadError(f"{path}: cannot be read as Parquet: {exc}", file=display) from exc
    return RawTable(frame=df.reset_index(drop=True), source=TableSource(name=display, first_row=1),
                    kind="parquet", notes=(Note("read", "", display, "", len(df)),))
