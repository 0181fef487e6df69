"""The strict reader of delimited text (CSV as written by any program, any encoding).

The bytes are checked before they are parsed: NUL bytes, text that does not decode in the
declared encoding and a header that names a column twice are refused; pyarrow then parses every
column as text (multi-threaded, nothing read as missing) and refuses rows with more or fewer
fields than the header, and a byte-level scan of the lines says which rows, so the message names
the file, the row and the column. Blank lines and rows of only delimiters (``;;;;``) are skipped
but keep their place in the row numbers of every later message.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kow_research.core import row_labels
from kow_research.data.readers import Note, RawTable, ReadError, _unique_names
from kow_research.data.study import TableSource

_CHUNK = 1 << 24  # bytes per step of the line scan (bounds its memory)
_QUOTE, _NL, _CR = 34, 10, 13


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

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "deelnemers.csv"
    >>> _ = path.write_bytes("respnr;regio\\r\\n101;Súdwest-Fryslân\\r\\n\\r\\n102;Zwolle\\r\\n;\\r\\n"
    ...                      .encode("cp1252"))
    >>> raw = read_delimited(path, encoding="cp1252")
    >>> raw.frame["regio"].tolist(), raw.source.row_numbers([0, 1]).tolist(), raw.skipped.tolist()
    (['Súdwest-Fryslân', 'Zwolle'], [2, 4], [3, 5])
    >>> _ = path.write_text("respnr;regio\\n101;Utrecht\\n102\\n", encoding="utf-8")
    >>> try:
    ...     read_delimited(path)
    ... except ReadError as exc:
    ...     print(exc.file, exc.row, exc.column, "|", str(exc).split(": ", 1)[1][:55])
    deelnemers.csv 3 regio | row 3 has 1 field(s) where the header has 2: the values
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
