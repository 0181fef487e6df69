"""A small document model for the study summary, rendered to HTML, Word and PDF.

A :class:`Document` holds a title block and a list of blocks — :class:`Heading`,
:class:`Paragraph` (with ``*italic*`` and ``**bold**``), :class:`Table`, :class:`Figure`,
:class:`KeyValue` (a provenance block) and :class:`PageBreak`. Three renderers print the same
blocks: :func:`to_html` (one self-contained page, nothing loaded from elsewhere), :func:`to_docx`
(python-docx: real Word tables, captions as Word fields, the banner in every page header) and
:func:`to_pdf` (the Typst compiler shipped in the ``typst`` wheel, with its embedded fonts: no
browser, TeX or font download).

Captions follow the ICMJE/Vancouver (and Chicago) convention: a table's number and caption
stand **above** the table, a figure's **below** the figure ("Table 1." / "Tabel 1.",
"Figure 1." / "Figuur 1."). APA 7 would put the figure number and title above the figure too;
we do not follow it. Tables and figures are numbered in order of appearance, each kind on its
own, unless a block gives its number.

When ``simulated`` is True, every page carries the banner "SIMULATED DATA — not real
participants" (Dutch: "GESIMULEERDE GEGEVENS — geen echte deelnemers") and a light diagonal
watermark; figures carry their own watermark, drawn with the figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.data.labels import check_language
from kow_research.report.formatting import ColumnFormat, TableLayout, table_layout

__all__ = ["BANNER", "WATERMARK", "Block", "Document", "Figure", "Heading", "KeyValue",
           "PageBreak", "Paragraph", "Run", "Table", "blocks_of", "parse_inline", "to_docx",
           "to_html", "to_pdf"]

#: the page banner of a report on simulated data
BANNER: dict[str, str] = {"en": "SIMULATED DATA \u2014 not real participants",
                          "nl": "GESIMULEERDE GEGEVENS \u2014 geen echte deelnemers"}
#: the diagonal page watermark
WATERMARK: dict[str, str] = {"en": "SIMULATED", "nl": "GESIMULEERD"}
#: caption prefixes
NAMES: dict[str, dict[str, str]] = {"table": {"en": "Table", "nl": "Tabel"},
                                    "figure": {"en": "Figure", "nl": "Figuur"}}
#: printed labels of the title-block metadata, in order
METADATA_LABELS: dict[str, tuple[str, str]] = {
    "organisation": ("Organisation", "Organisatie"), "author": ("Author", "Auteur"),
    "date": ("Date", "Datum"), "version": ("Version", "Versie"),
}
#: the widest figure (cm): A4 (21 cm) less two 2.5 cm margins
MAX_WIDTH_CM = 16.0

_EMPHASIS = re.compile(r"\\(\*)|\*\*(.+?)\*\*|\*(.+?)\*", flags=re.S)


@dataclass(frozen=True)
class Run:
    """A piece of paragraph text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


def parse_inline(text: str) -> tuple[Run, ...]:
    """Split ``text`` into runs: ``**bold**``, ``*italic*``, ``\\*`` for a literal asterisk.

    Parameters
    ----------
    text : str
        Paragraph text; emphasis does not nest.

    Returns
    -------
    tuple of Run

    Examples
    --------
    >>> [(r.text, r.bold, r.italic) for r in parse_inline("a **b** *c* 2\\\\*3")]
    [('a ', False, False), ('b', True, False), (' ', False, False), ('c', False, True), (' 2*3', False, False)]
    """
    runs: list[Run] = []
    pos, plain = 0, ""
    for m in _EMPHASIS.finditer(text):
        plain += text[pos:m.start()]
        pos = m.end()
        if m.group(1):
            plain += "*"
            continue
        if plain:
            runs.append(Run(plain))
            plain = ""
        runs.append(Run(m.group(2), bold=True) if m.group(2) is not None
                    else Run(m.group(3), italic=True))
    plain += text[pos:]
    if plain:
        runs.append(Run(plain))
    return tuple(runs)


@dataclass(frozen=True)
class Heading:
    """A section heading; ``level`` 1 (section) to 3."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"Heading {self.text!r}: level must be 1, 2 or 3, got "
                             f"{self.level!r}")


@dataclass(frozen=True)
class Paragraph:
    """Body text with ``*italic*`` and ``**bold**`` (see :func:`parse_inline`)."""

    text: str

    @property
    def runs(self) -> tuple[Run, ...]:
        """The text split by emphasis."""
        return parse_inline(self.text)


@dataclass(frozen=True, eq=False)
class Table:
    """A numbered table: numbers in ``frame``, formatted by the renderer in the document's
    language through :func:`kow_research.report.formatting.table_layout`.

    Attributes
    ----------
    frame : pandas.DataFrame
        The numbers (a copy is kept).
    caption : str
        What the table shows (the renderer adds "Table n.").
    number : int, optional
        The table number; by default the next in order.
    notes : tuple of str
        Notes printed below the table (abbreviations, suppression, sources).
    column_formats : mapping, optional
        Column -> :class:`~kow_research.report.formatting.ColumnFormat` or
        ``"kind[:decimals]"``.
    labels, fields, alpha, index
        Passed to :func:`~kow_research.report.formatting.table_layout`.
    key : str, optional
        A name for cross-references (:meth:`Document.reference`).
    """

    frame: pd.DataFrame
    caption: str
    number: int | None = None
    notes: tuple[str, ...] = ()
    column_formats: Mapping[str, ColumnFormat | str] | None = None
    labels: Mapping[str, str | tuple[str, str]] | None = None
    fields: Mapping[str, Any] | None = None
    alpha: float = 0.05
    index: bool | None = None
    key: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"Table {self.caption!r}: frame must be a DataFrame, got "
                            f"{type(self.frame).__name__}")
        if self.frame.shape[1] == 0:
            raise ValueError(f"Table {self.caption!r}: the frame has no columns")
        object.__setattr__(self, "frame", self.frame.copy())
        if isinstance(self.notes, str):
            object.__setattr__(self, "notes", (self.notes,))
        else:
            object.__setattr__(self, "notes", tuple(self.notes))

    def layout(self, language: str) -> TableLayout:
        """The formatted cells in ``language``."""
        return table_layout(self.frame, spec=self.column_formats, language=language,
                            labels=self.labels, fields=self.fields, alpha=self.alpha,
                            index=self.index)


@dataclass(frozen=True, eq=False)
class Figure:
    """A numbered figure: a PNG (file or bytes), optionally an SVG of the same figure.

    Attributes
    ----------
    image : Path or bytes
        The PNG (Word needs it; HTML and PDF use the SVG when there is one).
    caption : str
        What the figure shows (the renderer adds "Figure n.").
    alt_text : str
        A description for readers who cannot see the figure (required).
    svg : Path, optional
        The same figure as SVG.
    number : int, optional
        The figure number; by default the next in order.
    width_cm : float, default 16
        The printed width, at most 16 cm (the text width of A4).
    key : str, optional
        A name for cross-references (:meth:`Document.reference`).
    """

    image: Path | bytes
    caption: str
    alt_text: str
    svg: Path | None = None
    number: int | None = None
    width_cm: float = MAX_WIDTH_CM
    key: str | None = None

    def __post_init__(self) -> None:
        if not str(self.alt_text).strip():
            raise ValueError(f"Figure {self.caption!r}: give alt_text, a description of what "
                             "the figure shows for readers who cannot see it")
        if not 0 < float(self.width_cm) <= MAX_WIDTH_CM:
            raise ValueError(f"Figure {self.caption!r}: width_cm must be in (0, "
                             f"{MAX_WIDTH_CM:g}], got {self.width_cm!r}")
        if not isinstance(self.image, bytes):
            object.__setattr__(self, "image", Path(self.image))
            if not self.image.is_file():
                raise FileNotFoundError(f"Figure {self.caption!r}: {self.image} does not exist")
        if self.svg is not None:
            object.__setattr__(self, "svg", Path(self.svg))
            if not self.svg.is_file():
                raise FileNotFoundError(f"Figure {self.caption!r}: {self.svg} does not exist")
        if not self.png_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError(f"Figure {self.caption!r}: image is not a PNG; save the figure "
                             "with kow_research.report.save_figure (PNG and SVG)")

    def png_bytes(self) -> bytes:
        """The PNG's bytes."""
        return self.image if isinstance(self.image, bytes) else self.image.read_bytes()


@dataclass(frozen=True)
class KeyValue:
    """A two-column block of labels and values (provenance: data, seed, version, date)."""

    rows: tuple[tuple[str, str], ...]
    title: str | None = None

    def __post_init__(self) -> None:
        rows = self.rows.items() if isinstance(self.rows, Mapping) else self.rows
        object.__setattr__(self, "rows", tuple((str(k), str(v)) for k, v in rows))


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (ignored on screen in HTML)."""


Block = Heading | Paragraph | Table | Figure | KeyValue | PageBreak


@dataclass(eq=False)
class Document:
    """A report: title block, language, whether the data are simulated, and blocks.

    Attributes
    ----------
    title : str
    subtitle : str
    language : {"en", "nl"}
        The language of every generated text (caption prefixes, banner, number format).
    simulated : bool
        Whether the data are simulated: a banner on every page and a watermark.
    metadata : dict
        ``organisation``, ``author``, ``date``, ``version`` (shown under the title) and
        ``keywords``, ``subject`` (document properties); other keys are kept for the caller.
    blocks : list
        The content, in order.

    Examples
    --------
    >>> doc = Document("Kansen op Werk", language="nl", simulated=True)
    >>> _ = doc.add(Heading("Resultaten"),
    ...             Table(pd.DataFrame({"n": [115]}), caption="Deelnemers", key="n"))
    >>> _ = doc.add(Paragraph("Zie " + doc.reference("n") + "."))
    >>> doc.blocks[-1].text, doc.banner
    ('Zie Tabel 1.', 'GESIMULEERDE GEGEVENS — geen echte deelnemers')
    """

    title: str
    subtitle: str = ""
    language: str = "en"
    simulated: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.language = check_language(self.language)
        self.metadata = {str(k): str(v) for k, v in dict(self.metadata).items()}

    def add(self, *blocks: Block) -> Document:
        """Append ``blocks`` (returns the document, for chaining)."""
        for block in blocks:
            if not isinstance(block, Heading | Paragraph | Table | Figure | KeyValue |
                              PageBreak):
                raise TypeError(f"Document.add: {type(block).__name__} is not a block; add a "
                                "Heading, Paragraph, Table, Figure, KeyValue or PageBreak")
            self.blocks.append(block)
        return self

    def numbered(self) -> list[Block]:
        """The blocks with every table and figure numbered (explicit numbers kept; the others
        continue from the last number of their kind).

        Raises ``ValueError`` when two tables (or two figures) share a number, or two blocks
        a key.
        """
        last = {"table": 0, "figure": 0}
        seen: dict[tuple[str, int], str] = {}
        keys: set[str] = set()
        out: list[Block] = []
        for block in self.blocks:
            if isinstance(block, Table | Figure):
                kind = "table" if isinstance(block, Table) else "figure"
                number = block.number if block.number is not None else last[kind] + 1
                if (kind, number) in seen:
                    raise ValueError(f"{NAMES[kind]['en']} {number} is used twice: "
                                     f"{seen[(kind, number)]!r} and {block.caption!r}")
                seen[(kind, number)] = block.caption
                if block.key is not None:
                    if block.key in keys:
                        raise ValueError(f"the key {block.key!r} is used by two blocks")
                    keys.add(block.key)
                last[kind] = number
                block = replace(block, number=number)
            out.append(block)
        return out

    def reference(self, key: str) -> str:
        """"Table 2" / "Figuur 1": the name of the block added with ``key``."""
        for block in self.numbered():
            if isinstance(block, Table | Figure) and block.key == key:
                kind = "table" if isinstance(block, Table) else "figure"
                return f"{NAMES[kind][self.language]} {block.number}"
        raise KeyError(f"no table or figure has the key {key!r}; keys: "
                       f"{[b.key for b in self.blocks if isinstance(b, Table | Figure)]}")

    @property
    def banner(self) -> str | None:
        """The page banner, None for real data."""
        return BANNER[self.language] if self.simulated else None

    @property
    def watermark(self) -> str | None:
        """The page watermark, None for real data."""
        return WATERMARK[self.language] if self.simulated else None

    def caption_label(self, block: Table | Figure) -> str:
        """"Table 1." / "Figuur 2." of a numbered block."""
        kind = "table" if isinstance(block, Table) else "figure"
        return f"{NAMES[kind][self.language]} {block.number}."

    def metadata_lines(self) -> list[tuple[str, str]]:
        """(label, value) of the metadata shown under the title, in a fixed order."""
        lang = self.language == "nl"
        return [(labels[lang], self.metadata[k]) for k, labels in METADATA_LABELS.items()
                if self.metadata.get(k)]

    def iter_kind(self, kind: type) -> Iterator[Any]:
        """The numbered blocks of one type, in order."""
        return (b for b in self.numbered() if isinstance(b, kind))


def to_html(doc: Document, *, path: str | Path | None = None, embed_images: bool = True,
            prefer_svg: bool = True) -> str:
    """The document as one self-contained HTML page (inline CSS, no scripts, no URLs).

    Parameters
    ----------
    doc : Document
    path : str or Path, optional
        Where to write the page (UTF-8); linked figures are made relative to its folder.
    embed_images : bool, default True
        Embed figures as ``data:`` URIs; False links to the figure files by a relative path
        (figures given as bytes are always embedded).
    prefer_svg : bool, default True
        Use a figure's SVG when it has one.

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> doc = Document("Summary", simulated=True).add(Paragraph("Text with *emphasis*."))
    >>> page = to_html(doc)
    >>> "SIMULATED DATA" in page, "<em>emphasis</em>" in page, "http" in page
    (True, True, False)
    """
    from kow_research.report.document_html import render_html

    page = render_html(doc, page_dir=None if path is None else Path(path).parent,
                       embed_images=embed_images, prefer_svg=prefer_svg)
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page


def to_docx(doc: Document, *, path: str | Path) -> Path:
    """Write the document as Word (``.docx``) with python-docx.

    Real Word tables (numbers right-aligned, formatted in the document's language, header
    row repeated on every page), captions as Word caption paragraphs with ``SEQ`` fields (so
    Word can list tables and figures), figures at their width, the banner and watermark in
    the header of every section, and the title, language and metadata as document properties.

    Parameters
    ----------
    doc : Document
    path : str or Path
        The ``.docx`` to write.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, docx
    >>> doc = Document("Summary", language="nl").add(
    ...     Table(pd.DataFrame({"mean": [1234.5]}), caption="Gemiddelde",
    ...           column_formats={"mean": "number:1"}))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     word = docx.Document(to_docx(doc, path=Path(tmp) / "s.docx"))
    >>> word.tables[0].cell(1, 0).text, word.core_properties.language
    ('1.234,5', 'nl-NL')
    """
    from kow_research.report.document_docx import render_docx

    return render_docx(doc, path=Path(path))


def to_pdf(doc: Document, *, path: str | Path, typst_source: str | Path | None = None) -> Path:
    """Write the document as PDF (A4) with the Typst compiler of the ``typst`` wheel.

    Only the fonts embedded in the compiler are used (Libertinus Serif, New Computer Modern,
    DejaVu Sans Mono; system fonts are ignored), no Typst package is imported, and the PDF
    carries no creation date, so the same document gives the same bytes on every machine,
    offline.

    Parameters
    ----------
    doc : Document
    path : str or Path
        The ``.pdf`` to write.
    typst_source : str or Path, optional
        Also write the generated Typst source there (for inspection).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pypdf
    >>> doc = Document("Summary", simulated=True).add(Paragraph("Hello."))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     pdf = pypdf.PdfReader(to_pdf(doc, path=Path(tmp) / "s.pdf"))
    ...     text = pdf.pages[0].extract_text()
    >>> len(pdf.pages), "SIMULATED DATA" in text, "Hello." in text
    (1, True, True)
    """
    from kow_research.report.document_pdf import render_pdf

    return render_pdf(doc, path=Path(path), typst_source=None if typst_source is None
                      else Path(typst_source))


def blocks_of(items: Iterable[Block | Sequence[Block]]) -> list[Block]:
    """Flatten blocks and lists of blocks (what a section builder returns) into one list.

    Parameters
    ----------
    items : iterable
        Blocks, or sequences of blocks.

    Returns
    -------
    list

    Examples
    --------
    >>> len(blocks_of([Heading("A"), [Paragraph("b"), Paragraph("c")]]))
    3
    """
    out: list[Block] = []
    for item in items:
        if isinstance(item, Heading | Paragraph | Table | Figure | KeyValue | PageBreak):
            out.append(item)
        else:
            out.extend(item)
    return out
