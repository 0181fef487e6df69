"""Read tables and text back out of notebook outputs, for the leak scanner.

A frame printed in a notebook reaches the reader as pandas' HTML (``text/html``), as fixed-width
text (``text/plain``, a ``print`` in a stream), as a markdown pipe table, as JSON records or as
the text elements of an SVG figure. :func:`tables_in` turns each of them into :class:`Table`
objects (header, index and values as text, and the true number of rows when pandas truncated
the display), and :func:`visible_text` into the plain text a reader sees (tags, styles and
scripts removed) — so the rules of :mod:`kow_research.report.leaks` look at what is shown,
whatever the format.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

_FOOTER_TEXT = re.compile(r"^\[(\d[\d,]*) rows x (\d+) columns\]$")
_FOOTER_HTML = re.compile(r"(\d[\d,]*) rows × (\d+) columns")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ELLIPSIS = {"...", "…"}


@dataclass
class Table:
    """A table as shown: column headers, index columns and values, all as text.

    Examples
    --------
    >>> t = Table(columns=["age"], index_names=[""], index=[["0"], ["1"]], values=[["31"], ["44"]])
    >>> t.n_rows, t.column("age")
    (2, ['31', '44'])
    """

    columns: list[str]
    index_names: list[str]
    index: list[list[str]]
    values: list[list[str]]
    true_rows: int | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Rows of the data (the truncation footer's count when pandas shortened the display)."""
        return self.true_rows if self.true_rows is not None else len(self.values)

    def column(self, name: str) -> list[str]:
        """The shown values of a column.

        Parameters
        ----------
        name : str

        Returns
        -------
        list of str

        Examples
        --------
        >>> Table(["a"], [], [[]], [["1"]]).column("a")
        ['1']
        """
        j = self.columns.index(name)
        return [row[j] for row in self.values if j < len(row)]

    def all_columns(self) -> list[tuple[str, list[str], bool]]:
        """Every index level and value column as ``(header, values, is_index)``.

        Returns
        -------
        list of tuple

        Examples
        --------
        >>> [c[0] for c in Table(["a"], ["id"], [["7"]], [["1"]]).all_columns()]
        ['id', 'a']
        """
        out = []
        for j, name in enumerate(self.index_names):
            out.append((name, [r[j] for r in self.index if j < len(r)], True))
        for j, name in enumerate(self.columns):
            out.append((name, [r[j] for r in self.values if j < len(r)], False))
        return out


# ----------------------------------------------------------------------------- HTML
class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.row: list[tuple[str, str, int, int]] | None = None
        self.cell: list[str] | None = None
        self.cell_tag = ""
        self.span = (1, 1)
        self.in_head = False
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("style", "script"):
            self.skip += 1
        elif tag == "table":
            self.stack.append({"head": [], "body": []})
        elif tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr" and self.stack:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell, self.cell_tag = [], tag
            self.span = (_int(a.get("colspan")), _int(a.get("rowspan")))
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip = max(self.skip - 1, 0)
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append((" ".join("".join(self.cell).split()), self.cell_tag, *self.span))
            self.cell = None
            self.text.append("  ")
        elif tag == "tr" and self.row is not None and self.stack:
            t = self.stack[-1]
            head = self.in_head or (not t["body"] and not t["head"] and self.row
                                    and all(c[1] == "th" for c in self.row))
            (t["head"] if head else t["body"]).append(self.row)
            self.row = None
            self.text.append("\n")
        elif tag == "thead":
            self.in_head = False
        elif tag == "table" and self.stack:
            self.tables.append(self.stack.pop())

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        self.text.append(data)


def _int(v: str | None) -> int:
    try:
        return max(int(v or 1), 1)
    except ValueError:
        return 1


def _expand(rows: list[list[tuple[str, str, int, int]]]) -> list[list[tuple[str, str]]]:
    """Rows with colspans repeated and rowspans carried down."""
    grid: list[list[tuple[str, str]]] = []
    pending: dict[int, list[Any]] = {}
    for row in rows:
        out: list[tuple[str, str]] = []
        cells = iter(row)
        col = 0
        while True:
            if col in pending:
                text, tag, left = pending[col]
                out.append((text, tag))
                if left <= 1:
                    del pending[col]
                else:
                    pending[col][2] = left - 1
                col += 1
                continue
            nxt = next(cells, None)
            if nxt is None:
                break
            text, tag, colspan, rowspan = nxt
            for _ in range(colspan):
                out.append((text, tag))
                if rowspan > 1:
                    pending[col] = [text, tag, rowspan - 1]
                col += 1
        for c in sorted(k for k in pending if k >= col):
            text, tag, left = pending[c]
            out.append((text, tag))
            pending[c][2] = left - 1
            if left <= 1:
                del pending[c]
        grid.append(out)
    return grid


def html_tables(text: str) -> tuple[list[Table], str]:
    """The tables of an HTML fragment and its visible text.

    Parameters
    ----------
    text : str

    Returns
    -------
    (list of Table, str)

    Examples
    --------
    >>> tables, shown = html_tables("<table><thead><tr><th></th><th>age</th></tr></thead>"
    ...                             "<tbody><tr><th>0</th><td>31</td></tr></tbody></table>"
    ...                             "<p>1 rows × 1 columns</p>")
    >>> tables[0].columns, tables[0].index, tables[0].values, tables[0].n_rows
    (['age'], [['0']], [['31']], 1)
    """
    parser = _Parser()
    parser.feed(text)
    parser.close()
    footers = [int(m.group(1).replace(",", "")) for m in _FOOTER_HTML.finditer(text)]
    out = []
    for t in parser.tables:
        body = _expand(t["body"])
        head = _expand(t["head"])
        if not body:
            continue
        width = max(len(r) for r in body)
        n_index = min(sum(1 for _ in _leading(r, "th")) for r in body)
        labels = []
        for j in range(width):
            parts = [r[j][0] for r in head if j < len(r) and r[j][0]]
            labels.append(" ".join(dict.fromkeys(parts)))
        rows = [r for r in body if not all(c[0] in _ELLIPSIS for c in r)]
        keep = [j for j in range(n_index, width)
                if not all(j < len(r) and r[j][0] in _ELLIPSIS for r in rows)]
        table = Table(columns=[labels[j] for j in keep], index_names=labels[:n_index],
                      index=[[c[0] for c in r[:n_index]] for r in rows],
                      values=[[r[j][0] if j < len(r) else "" for j in keep] for r in rows],
                      source="text/html")
        out.append(table)
    if len(footers) == len(out):
        for table, n in zip(out, footers, strict=True):
            table.true_rows = n
    elif len(out) == 1 and footers:
        out[0].true_rows = footers[-1]
    return out, html.unescape("".join(parser.text))


def _leading(row: list[tuple[str, str]], tag: str) -> list[tuple[str, str]]:
    out = []
    for c in row:
        if c[1] != tag:
            break
        out.append(c)
    return out


# ----------------------------------------------------------------------------- plain text
def text_tables(text: str) -> list[Table]:
    """Frames printed as fixed-width text (pandas ``to_string``).

    pandas separates fields by two or more spaces, right-aligns each value column under its
    header and left-aligns the index levels (a repeated label of a MultiIndex level is left
    blank). A token ending where a column header ends belongs to that column; tokens left of
    the first column are index labels, their level given by where they start.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of Table

    Examples
    --------
    >>> t = text_tables("           name  age\\n0  Jan de Vries   31\\n1      Eva Smit   44")[0]
    >>> t.columns, t.column("name"), t.index
    (['name', 'age'], ['Jan de Vries', 'Eva Smit'], [['0'], ['1']])
    """
    out = []
    for block in re.split(r"\n\s*\n", _ANSI.sub("", text)):
        lines = [ln.rstrip().removesuffix("\\").rstrip() for ln in block.splitlines()
                 if ln.strip()]
        true_rows = None
        kept = []
        for ln in lines:
            m = _FOOTER_TEXT.match(ln.strip())
            if m:
                true_rows = int(m.group(1).replace(",", ""))
            else:
                kept.append(ln)
        table = _fixed_width(kept)
        if table is not None:
            table.true_rows = true_rows
            out.append(table)
    return out


def _spans(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)]


def _fixed_width(lines: list[str]) -> Table | None:
    if len(lines) < 2:
        return None
    spans = [_spans(ln) for ln in lines]
    integer = re.compile(r"-?\d+")
    headerless = (len(spans[0]) >= 2 and spans[0][0][0] == 0 and len(spans[1]) >= 2
                  and integer.fullmatch(spans[0][0][2]) is not None
                  and integer.fullmatch(spans[1][0][2]) is not None)
    head = [] if headerless else spans[0]
    body = spans if headerless else spans[1:]
    ends = Counter(e for row in body for _, e, _ in row[1:])
    if headerless:
        cols = [(e, "") for e, c in sorted(ends.items()) if c >= 0.5 * len(body)]
    else:
        cols = [(e, t) for s, e, t in head if ends.get(e, 0) >= 0.5 * len(body)]
    if not cols:
        return None
    first_col = min(s for row in [head, *body] for s, e, _ in row if e == cols[0][0])
    col_of = {e: j for j, (e, _) in enumerate(cols)}
    starts = sorted({s for row in body for s, e, _ in row if e not in col_of and s < first_col})
    if body and not any(e in col_of for _, e, _ in body[0]) and len(body) > 1:
        body = body[1:]                       # the index-names line under the header
    index: list[list[str]] = []
    values: list[list[str]] = []
    carry = [""] * len(starts)
    for row in body:
        vals = [""] * len(cols)
        labels = list(carry)                  # a blank outer level repeats the one above
        for s, e, t in row:
            if e in col_of:
                vals[col_of[e]] = t
            elif s < first_col and s in starts:
                labels[starts.index(s)] = t
        if all(v in _ELLIPSIS or v == "" for v in vals) and not any(labels):
            continue
        if all(v in _ELLIPSIS for v in vals if v):
            continue
        carry = labels
        index.append(labels)
        values.append(vals)
    if len(values) < 2:
        return None
    keep = [j for j, (_, name) in enumerate(cols) if name not in _ELLIPSIS
            and not all(r[j] in _ELLIPSIS for r in values)]
    return Table(columns=[cols[j][1] for j in keep], index_names=[""] * len(starts),
                 index=index, values=[[r[j] for j in keep] for r in values], source="text")


def markdown_tables(text: str) -> list[Table]:
    """Pipe tables of markdown (``| a | b |`` with a ``|---|`` rule under the header).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of Table

    Examples
    --------
    >>> markdown_tables("| id | age |\\n|---|---|\\n| kow-00012 | 31 |")[0].column("id")
    ['kow-00012']
    """
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines) - 1:
        if "|" in lines[i] and re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*",
                                            lines[i + 1]):
            header = _pipe(lines[i])
            rows = []
            j = i + 2
            while j < len(lines) and "|" in lines[j]:
                rows.append(_pipe(lines[j]))
                j += 1
            out.append(Table(columns=header, index_names=[], index=[[] for _ in rows],
                             values=rows, source="markdown"))
            i = j
        else:
            i += 1
    return out


def _pipe(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [c.strip() for c in s.split("|")]


# ----------------------------------------------------------------------------- JSON, SVG
def json_tables(obj: Any, *, name: str = "") -> list[Table]:
    """Tables hidden in a JSON value: lists of records, dicts of columns, pandas' ``split``
    and ``table`` orients, and any list of scalars (one column).

    Parameters
    ----------
    obj : object
        Parsed JSON.
    name : str
        The key it was found under (header of a list of scalars).

    Returns
    -------
    list of Table

    Examples
    --------
    >>> json_tables({"ids": ["kow-00012", "kow-00013", "kow-00014"]})[0].column("ids")
    ['kow-00012', 'kow-00013', 'kow-00014']
    """
    out: list[Table] = []
    if isinstance(obj, list):
        if obj and all(isinstance(r, dict) for r in obj):
            cols = list(dict.fromkeys(k for r in obj for k in r))
            out.append(Table(columns=[str(c) for c in cols], index_names=[],
                             index=[[] for _ in obj],
                             values=[[_scalar(r.get(c)) for c in cols] for r in obj],
                             source="application/json"))
            for r in obj:
                for k, v in r.items():
                    if isinstance(v, (list, dict)):
                        out += json_tables(v, name=str(k))
        elif obj and all(not isinstance(v, (list, dict)) for v in obj):
            out.append(Table(columns=[name], index_names=[], index=[[] for _ in obj],
                             values=[[_scalar(v)] for v in obj], source="application/json"))
        else:
            for v in obj:
                out += json_tables(v, name=name)
    elif isinstance(obj, dict):
        if isinstance(obj.get("columns"), list) and isinstance(obj.get("data"), list):
            rows = [r for r in obj["data"] if isinstance(r, list)]
            idx = obj.get("index") if isinstance(obj.get("index"), list) else None
            out.append(Table(columns=[str(c) for c in obj["columns"]],
                             index_names=[""] if idx else [],
                             index=[[_scalar(i)] for i in idx] if idx else [[] for _ in rows],
                             values=[[_scalar(v) for v in r] for r in rows],
                             source="application/json"))
        elif isinstance(obj.get("schema"), dict) and isinstance(obj.get("data"), list):
            out += json_tables(obj["data"], name=name)
        else:
            lists = {k: v for k, v in obj.items() if isinstance(v, list)
                     and all(not isinstance(x, (list, dict)) for x in v)}
            lengths = {len(v) for v in lists.values()}
            if len(lists) >= 2 and len(lengths) == 1 and lengths != {0}:
                cols = list(lists)
                n = lengths.pop()
                out.append(Table(columns=[str(c) for c in cols], index_names=[],
                                 index=[[] for _ in range(n)],
                                 values=[[_scalar(lists[c][i]) for c in cols] for i in range(n)],
                                 source="application/json"))
            inner = {k: v for k, v in obj.items() if isinstance(v, dict)}
            if len(inner) >= 2 and all(all(not isinstance(x, (list, dict)) for x in v.values())
                                       for v in inner.values()):
                keys = list(dict.fromkeys(k for v in inner.values() for k in v))
                cols = list(inner)
                out.append(Table(columns=[str(c) for c in cols], index_names=[""],
                                 index=[[str(k)] for k in keys],
                                 values=[[_scalar(inner[c].get(k)) for c in cols]
                                         for k in keys], source="application/json"))
            for k, v in obj.items():
                if isinstance(v, (list, dict)) and not (k in lists and len(lists) >= 2):
                    out += json_tables(v, name=str(k))
    return out


def json_text(obj: Any) -> str:
    """Every key and scalar value of a JSON value, one per line.

    Parameters
    ----------
    obj : object

    Returns
    -------
    str

    Examples
    --------
    >>> print(json_text({"a": [1, "x"]}))
    a
    1
    x
    """
    parts: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                parts.append(str(k))
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif v is not None:
            parts.append(_scalar(v))

    walk(obj)
    return "\n".join(parts)


def _scalar(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def svg_texts(svg: str) -> list[str]:
    """The text of an SVG figure: ``<text>`` (with its ``<tspan>``), ``<title>``, ``<desc>``
    and comments (matplotlib writes each label as a comment above its glyph paths).

    Parameters
    ----------
    svg : str

    Returns
    -------
    list of str

    Examples
    --------
    >>> svg_texts('<svg><text x="1">KOW-00012</text><!-- kow-00013 --></svg>')
    ['KOW-00012', 'kow-00013']
    """
    found = []
    for m in re.finditer(r"<(text|title|desc)\b[^>]*>(.*?)</\1>|<!--(.*?)-->", svg, flags=re.S):
        body = m.group(2) if m.group(2) is not None else m.group(3)
        t = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
        if t and not t.lower().startswith(("created with", "generator")):
            found.append((m.start(), t))
    return [t for _, t in sorted(found)]


def parse_json(data: Any) -> Any:
    """A JSON output as Python (nbformat stores it parsed; a string is parsed here).

    Parameters
    ----------
    data : object

    Returns
    -------
    object

    Examples
    --------
    >>> parse_json('{"a": 1}')
    {'a': 1}
    """
    if isinstance(data, str):
        try:
            return json.loads(data)
        except json.JSONDecodeError:
            return data
    return data


def visible_text(text: str, kind: str) -> tuple[list[Table], str]:
    """Tables and reader-visible text of one output of MIME type (or stream) ``kind``.

    Parameters
    ----------
    text : str
        The output (JSON outputs serialised).
    kind : str
        ``"text/html"``, ``"text/plain"``, ``"text/markdown"``, ``"markdown"`` (a markdown
        cell), ``"image/svg+xml"``, ``"application/json"``, a stream name or ``"error"``.

    Returns
    -------
    (list of Table, str)

    Examples
    --------
    >>> tables, shown = visible_text("<b>KOW</b> <i>115</i>", "text/html")
    >>> shown
    'KOW 115'
    """
    if kind == "text/html":
        return html_tables(text)
    if kind == "image/svg+xml":
        texts = svg_texts(text)
        table = Table(columns=["svg text"], index_names=[], index=[[] for _ in texts],
                      values=[[t] for t in texts], source=kind, extra={"svg": True})
        return ([table] if texts else []), "\n".join(texts)
    if "json" in kind:
        obj = parse_json(text)
        return json_tables(obj), json_text(obj)
    if kind in ("text/markdown", "markdown"):
        tables = markdown_tables(text)
        shown = text
        if "<table" in text or "<td" in text:
            more, shown = html_tables(text)
            tables += more
        return tables, shown
    clean = _ANSI.sub("", text)
    return text_tables(clean), clean
