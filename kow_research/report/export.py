"""Tables written for re-use: CSV with the raw numbers, XLSX with numeric cells and the caption.

The display side (labels, decimals, language) comes from :mod:`kow_research.report.formatting`;
the file conventions are documented there (CSV: UTF-8 without BOM, comma, ``.`` decimals,
internal column names, unrounded numbers).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.reproducible import normalize_zip
from kow_research.data.labels import check_language
from kow_research.report.formatting import (
    DEFAULT_DECIMALS,
    MISSING,
    ColumnFormat,
    _frame_with_index,
    _missing,
    column_label,
    table_layout,
)

__all__ = ["export_table", "neutralise", "neutralised", "write_csv"]

#: a text cell starting with one of these is read as a formula by spreadsheet programs
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: plain numbers and "estimate (lower–upper)" texts, which no spreadsheet runs
_NUMBER_TEXT = re.compile(r"[-+]?\d[\d.,]*%?(\s*\([-+−–\d.,%\s]*\))?")


def neutralise(value: Any) -> Any:
    """A text cell made inert for CSV: prefixed with ``'`` when it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return (OWASP, "CSV injection"), unless it is a plain
    number or an ``estimate (lower–upper)`` text. Other values are returned unchanged.

    Parameters
    ----------
    value : object

    Returns
    -------
    object

    Examples
    --------
    >>> [neutralise(v) for v in ["=HYPERLINK(1)", "@SUM(1)", "-0.25 (-0.4–0.1)", "KOW", 3]]
    ["'=HYPERLINK(1)", "'@SUM(1)", '-0.25 (-0.4–0.1)', 'KOW', 3]

    References
    ----------
    OWASP. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and not _NUMBER_TEXT.fullmatch(value.strip()):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a copy) with every text cell and column name passed through
    :func:`neutralise`.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> neutralised(pd.DataFrame({"=cmd": ["+1+cmd|' /C calc'!A0", "ok"]})).values.tolist()
    [["'+1+cmd|' /C calc'!A0"], ['ok']]
    """
    out = frame.copy()
    out.columns = [neutralise(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(neutralise)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a report CSV: UTF-8, ``\\n`` line ends, formula-like text neutralised
    (:func:`neutralise`, also in column names).

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or pathlib.Path
    index : bool, default False
        Write the index (as columns).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     print(write_csv(pd.DataFrame({"region": ["@SUM(1)"]}), Path(tmp) / "t.csv")
    ...           .read_text(), end="")
    region
    '@SUM(1)
    """
    data = frame.reset_index() if index else frame
    neutralised(data).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)


def text_as_strings(sheet: Any) -> None:
    """Store every text cell of an openpyxl sheet as a string, never as a live formula
    (openpyxl takes text starting with ``=`` for one): a round trip gives the text back."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"

_XLSX_FORMATS = {"integer": "#,##0", "percent": "0%", "p": "0.000"}


def _xlsx_format(kind: str, decimals: int | None) -> str:
    if kind in ("number", "ci"):
        dec = DEFAULT_DECIMALS.get(kind, 2) if decimals is None else decimals
        return "#,##0" + ("." + "0" * dec if dec else "")
    if kind == "percent" and decimals:
        return "0." + "0" * decimals + "%"
    return _XLSX_FORMATS.get(kind, "General")


def export_table(frame: pd.DataFrame, *, path_stem: str | Path, caption: str,
                 language: str = "en", spec: Mapping[str, ColumnFormat | str] | None = None,
                 notes: Sequence[str] = (),
                 labels: Mapping[str, str | tuple[str, str]] | None = None,
                 fields: Mapping[str, Any] | None = None, alpha: float = 0.05,
                 index: bool | None = None) -> tuple[Path, Path]:
    """Write ``frame`` as ``<stem>.csv`` (raw numbers) and ``<stem>.xlsx`` (numeric cells).

    The CSV holds the internal column names and unrounded numbers (UTF-8 without BOM, comma,
    ``.`` decimals: see the module notes). The XLSX's first sheet has the caption in row 1,
    the labelled headers in row 3 and numeric cells below with a display format per column
    (Excel shows them in its own locale), then the notes; a ``"ci"`` column becomes three
    numeric columns (estimate, lower, upper). A second sheet, ``columns``, maps every
    header to its column name and format.

    Parameters
    ----------
    frame : pandas.DataFrame
        The numbers (not changed).
    path_stem : str or Path
        The path without suffix; its folder must exist.
    caption : str
        The table's caption (with its number if it has one).
    language : {"en", "nl"}, default "en"
    spec, labels, fields, alpha, index : optional
        As in :func:`table_layout`.
    notes : sequence of str, default ()
        Notes printed below the table.

    Returns
    -------
    tuple of Path
        The CSV and XLSX paths.

    Examples
    --------
    >>> import tempfile
    >>> df = pd.DataFrame({"cohort": ["KOW"], "estimate": [0.25], "lower": [0.18],
    ...                    "upper": [0.33]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     csv, xlsx = export_table(df, path_stem=Path(tmp) / "t1", caption="Table 1. Risk",
    ...                              spec={"estimate": "ci"})
    ...     print(csv.read_text(), end="")
    ...     print(pd.read_excel(xlsx, header=2).to_string(index=False))
    cohort,estimate,lower,upper
    KOW,0.25,0.18,0.33
    Cohort  Estimate  Lower 95% limit  Upper 95% limit
       KOW      0.25             0.18             0.33
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    lang = check_language(language)
    stem = Path(path_stem)
    if not stem.parent.is_dir():
        raise FileNotFoundError(f"export_table: folder {stem.parent} does not exist; create it "
                                "first")
    layout = table_layout(frame, spec=spec, language=lang, labels=labels, fields=fields,
                          alpha=alpha, index=index)
    formats = {k: ColumnFormat.parse(v) for k, v in (spec or {}).items()}
    data = _frame_with_index(frame, index)
    csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
    write_csv(data, csv_path)

    columns: list[tuple[str, str, str, list[Any]]] = []   # (name, label, number format, values)
    for j, name in enumerate(layout.columns):
        kind, fmt = layout.kinds[j], formats.get(name, ColumnFormat())
        values = [row[j] for row in layout.values] if kind != "text" else \
            [None if c == MISSING else c for c in (row[j] for row in layout.rows)]
        if kind == "ci":
            columns.append((name, column_label(name, language=lang, labels=labels,
                                               fields=fields, alpha=alpha),
                            _xlsx_format(kind, fmt.decimals), values))
            for bound in (fmt.lower, fmt.upper):
                columns.append((bound, column_label(("lower", "upper")[bound == fmt.upper],
                                                    language=lang, alpha=alpha),
                                _xlsx_format(kind, fmt.decimals),
                                [None if _missing(v) else v for v in data[bound]]))
            continue
        if kind in ("number", "percent", "p", "integer"):
            # a suppressed count ("<10") stays text: it is no number
            values = [v if v is not None else (None if c == MISSING else c)
                      for v, c in zip(values, (row[j] for row in layout.rows), strict=True)]
        columns.append((name, layout.labels[j],
                        _xlsx_format(kind, fmt.decimals) if kind != "text" else "@", values))

    wb = Workbook()
    ws = wb.active
    ws.title = "Tabel" if lang == "nl" else "Table"
    ws.cell(row=1, column=1, value=caption).font = Font(bold=True)
    rule = Side(style="thin")
    for j, (_, label, _, _) in enumerate(columns, start=1):
        c = ws.cell(row=3, column=j, value=label)
        c.font, c.border = Font(bold=True), Border(top=rule, bottom=rule)
        c.alignment = Alignment(wrap_text=True, vertical="bottom")
    for j, (_, label, number_format, values) in enumerate(columns, start=1):
        for i, v in enumerate(values, start=4):
            v = v.item() if isinstance(v, np.generic) else v
            c = ws.cell(row=i, column=j, value=v)
            if isinstance(v, numbers.Real) and not isinstance(v, bool):
                c.number_format = number_format
        width = max([len(str(label))] + [len(str(v)) for v in values if v is not None])
        ws.column_dimensions[c.column_letter].width = min(max(width + 2, 8), 50)
    last = 3 + len(layout.rows)
    for j in range(1, len(columns) + 1):
        ws.cell(row=last, column=j).border = Border(bottom=rule)
    for k, note in enumerate(notes, start=last + 2):
        ws.cell(row=k, column=1, value=note).font = Font(italic=True, size=9)
    ws.freeze_panes = "A4"
    meta = wb.create_sheet("columns")
    meta.append(["column", "label", "number_format"])
    for name, label, number_format, _ in columns:
        meta.append([name, label, number_format])
    for sheet in wb.worksheets:
        text_as_strings(sheet)
    wb.save(xlsx_path)
    normalize_zip(xlsx_path)   # no save time in the file: reruns give the same bytes
    return csv_path, xlsx_path
