"""Word renderer of :class:`kow_research.report.document.Document` (see :func:`to_docx`).

python-docx writes the paragraphs and tables; what it has no API for is added as WordprocessingML:
the document language (``w:lang``, for spelling and hyphenation), table rules in the
booktabs manner, repeated header rows, caption numbers as ``SEQ`` fields (Word's "Insert
Caption"), page numbers as ``PAGE``/``NUMPAGES`` fields, figure alt text (``wp:docPr/@descr``)
and the diagonal watermark (the VML text shape that Word's own "Watermark" command writes).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from docx import Document as new_word_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from kow_research.core.reproducible import normalize_zip
from kow_research.report.document import (
    NAMES,
    Document,
    Figure,
    Heading,
    KeyValue,
    PageBreak,
    Paragraph,
    Table,
    parse_inline,
)

__all__ = ["render_docx"]

LOCALE = {"en": "en-GB", "nl": "nl-NL"}
FONT = "Calibri"
INK, MUTED = RGBColor(0x1C, 0x24, 0x30), RGBColor(0x5D, 0x66, 0x73)
ACCENT, ALARM = RGBColor(0x1F, 0x4E, 0x79), RGBColor(0xA4, 0x26, 0x2C)
RULE, HAIR = "2B3442", "D5DAE1"
TEXT_WIDTH_CM = 16.0
#: schema order of the children of w:pPr and w:tblPr (Word rejects other orders)
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
             "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
             "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
             "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
             "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange")
TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
               "tblPrChange")

WATERMARK_XML = """<w:r {w} xmlns:v="urn:schemas-microsoft-com:vml"
 xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
 path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>
<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>
<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>
<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>
<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>
<v:f eqn="sum @6 0 @5"/></v:formulas><v:path textpathok="t" o:connecttype="custom"
 o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>
<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>
<v:shape id="KowWatermark" o:spid="_x0000_s1025" type="#_x0000_t136"
 style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:110pt;rotation:315;
 z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;
 mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f"
 fillcolor="#A4262C" stroked="f"><v:fill opacity=".12"/>
<v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt;font-weight:bold"
 string={text}/></v:shape></w:pict></w:r>"""


def _put(parent: Any, child: Any, order: tuple[str, ...]) -> None:
    """Insert ``child`` into ``parent`` at its schema position, replacing one of its kind."""
    name = child.tag.rsplit("}", 1)[1]
    for old in parent.findall(qn(f"w:{name}")):
        parent.remove(old)
    later = {qn(f"w:{n}") for n in order[order.index(name) + 1:]}
    for i, sibling in enumerate(parent):
        if sibling.tag in later:
            parent.insert(i, child)
            return
    parent.append(child)


def _runs(paragraph: Any, text: str, *, size: float | None = None,
          color: RGBColor | None = None, bold: bool | None = None) -> None:
    for run in parse_inline(text):
        r = paragraph.add_run(run.text)
        r.bold = True if run.bold else bold
        r.italic = run.italic or None
        if size is not None:
            r.font.size = Pt(size)
        if color is not None:
            r.font.color.rgb = color


def _field(paragraph: Any, instruction: str, result: str, *, bold: bool = False,
           size: float | None = None) -> None:
    """A complex field (``SEQ``, ``PAGE``) with its current result, so readers that do not
    update fields (and python-docx's ``paragraph.text``) show the number."""
    def run(xml: str) -> None:
        r = paragraph.add_run()
        r.bold = bold or None
        if size is not None:
            r.font.size = Pt(size)
        r._r.append(parse_xml(xml))
    run(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>')
    run(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {instruction} </w:instrText>')
    run(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>')
    r = paragraph.add_run(result)
    r.bold = bold or None
    if size is not None:
        r.font.size = Pt(size)
    run(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>')


def _set_language(word: Any, locale: str) -> None:
    rpr = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    rpr.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{locale}" w:eastAsia="{locale}" '
                         f'w:bidi="ar-SA"/>'))


def _styles(word: Any) -> None:
    styles = word.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size, normal.font.color.rgb = FONT, Pt(10.5), INK
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, color, before in (("Heading 1", 14, ACCENT, 18), ("Heading 2", 11.5, INK, 14),
                                      ("Heading 3", 10.5, INK, 10)):
        st = styles[name]
        st.font.name, st.font.size, st.font.bold, st.font.color.rgb = FONT, Pt(size), True, color
        st.font.italic = name == "Heading 3"
        st.paragraph_format.space_before, st.paragraph_format.space_after = Pt(before), Pt(4)
        st.paragraph_format.keep_with_next = True
        rpr = st.element.get_or_add_rPr()
        for tag in ("w:rFonts",):
            for old in rpr.findall(qn(tag)):
                rpr.remove(old)
        rpr.insert(0, parse_xml(f'<w:rFonts {nsdecls("w")} w:ascii="{FONT}" w:hAnsi="{FONT}" '
                                f'w:cs="{FONT}"/>'))
    caption = styles["Caption"]
    caption.font.name, caption.font.size, caption.font.bold = FONT, Pt(9.5), False
    caption.font.italic, caption.font.color.rgb = False, INK
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(4), Pt(4)


def _border_xml(tag: str, edges: dict[str, tuple[int, str]]) -> str:
    inner = "".join(f'<w:{e} w:val="single" w:sz="{sz}" w:space="0" w:color="{color}"/>'
                    for e, (sz, color) in edges.items())
    return f'<w:{tag} {nsdecls("w")}>{inner}</w:{tag}>'


def _cell_borders(cell: Any, **edges: tuple[int, str]) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(parse_xml(_border_xml("tcBorders", edges)))


def _table_frame(table: Any, widths_cm: list[float], *, rule: tuple[int, str] = (12, RULE),
                 inside: tuple[int, str] = (4, HAIR)) -> None:
    """Rules above and below and between rows, full text width, columns of ``widths_cm``."""
    tblpr = table._tbl.tblPr
    _put(tblpr, parse_xml(f'<w:tblW {nsdecls("w")} w:w="5000" w:type="pct"/>'), TBLPR_ORDER)
    _put(tblpr, parse_xml(_border_xml("tblBorders", {"top": rule, "bottom": rule,
                                                     "insideH": inside})), TBLPR_ORDER)
    _put(tblpr, parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'), TBLPR_ORDER)
    _put(tblpr, parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="57" w:type="dxa"/>'
                          '<w:right w:w="57" w:type="dxa"/></w:tblCellMar>'), TBLPR_ORDER)
    table.autofit = False
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
        for cell in col.cells:
            cell.width = Cm(width)


def _widths(labels: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> list[float]:
    """Column widths (cm) over the text width, by the longest cell (headers wrap)."""
    need = [max([min(len(label), 14)] + [len(r[j]) for r in rows]) + 2
            for j, label in enumerate(labels)]
    total = sum(need)
    return [TEXT_WIDTH_CM * n / total for n in need]


def _cell_text(cell: Any, text: str, *, right: bool, bold: bool = False, size: float = 9.5,
               color: RGBColor | None = None) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(1.5)
    p.paragraph_format.line_spacing = 1.0
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    _runs(p, text, size=size, bold=bold or None, color=color)


def _caption(word: Any, doc: Document, kind: str, number: int, text: str) -> Any:
    p = word.add_paragraph(style="Caption")
    r = p.add_run(f"{NAMES[kind][doc.language]} ")
    r.bold = True
    _field(p, f"SEQ {NAMES[kind]['en']} \\* ARABIC", str(number), bold=True)
    p.add_run(".").bold = True
    p.add_run(" ")
    _runs(p, text)
    return p


def _table(word: Any, doc: Document, block: Table) -> None:
    assert block.number is not None
    _caption(word, doc, "table", block.number, block.caption).paragraph_format \
        .keep_with_next = True
    layout = block.layout(doc.language)
    t = word.add_table(rows=1 + len(layout.rows), cols=len(layout.labels))
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    _table_frame(t, _widths(layout.labels, layout.rows))
    header = t.rows[0]
    header._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    for j, label in enumerate(layout.labels):
        cell = header.cells[j]
        _cell_text(cell, label, right=layout.numeric[j], bold=True)
        _cell_borders(cell, bottom=(6, RULE))
    for i, row in enumerate(layout.rows, start=1):
        t.rows[i]._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        for j, text in enumerate(row):
            _cell_text(t.rows[i].cells[j], text, right=layout.numeric[j])
    for note in block.notes:
        p = word.add_paragraph()
        p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(3), Pt(0)
        _runs(p, note, size=8.5, color=MUTED)
    word.add_paragraph().paragraph_format.space_after = Pt(4)


def _figure(word: Any, doc: Document, fig: Figure) -> None:
    assert fig.number is not None
    p = word.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(8)
    shape = p.add_run().add_picture(io.BytesIO(fig.png_bytes()), width=Cm(fig.width_cm))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", fig.alt_text)
    doc_pr.set("title", f"{doc.caption_label(fig)} {fig.caption}")
    cap = _caption(word, doc, "figure", fig.number, fig.caption)
    cap.paragraph_format.space_after = Pt(12)


def _key_value(word: Any, block: KeyValue) -> None:
    if block.title:
        p = word.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.add_run(block.title).bold = True
    t = word.add_table(rows=len(block.rows), cols=2)
    _table_frame(t, [5.2, TEXT_WIDTH_CM - 5.2], rule=(4, HAIR))
    for i, (key, value) in enumerate(block.rows):
        _cell_text(t.cell(i, 0), key, right=False, bold=True, size=9, color=MUTED)
        _cell_text(t.cell(i, 1), value, right=False, size=9)
    word.add_paragraph()


def _header_footer(word: Any, doc: Document) -> None:
    for section in word.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.8), Cm(2.2)
        section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
        hp = section.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if doc.banner:
            hp.paragraph_format.space_after = Pt(0)
            _put(hp._p.get_or_add_pPr(), parse_xml(
                f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="A4262C"/>'),
                PPR_ORDER)
            _runs(hp, doc.banner, size=8.5, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
            hp._p.append(parse_xml(WATERMARK_XML.format(w=nsdecls("w"), font=FONT,
                                                        text=quoteattr(doc.watermark or ""))))
        else:
            _runs(hp, doc.title, size=8, color=MUTED)
        fp = section.footer.paragraphs[0]
        stops = fp.paragraph_format.tab_stops
        for inherited in (Cm(8.255), Cm(16.51)):  # the Footer style's centre and right stops
            stops.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        left = doc.title + (f" \u00b7 {doc.metadata['version']}"
                            if doc.metadata.get("version") else "")
        _runs(fp, left, size=8, color=MUTED)
        fp.add_run("\t")
        _field(fp, "PAGE", "1", size=8)
        fp.add_run(" / ").font.size = Pt(8)
        _field(fp, "NUMPAGES", "1", size=8)


def render_docx(doc: Document, *, path: Path) -> Path:
    """Write ``doc`` to ``path``; :func:`kow_research.report.document.to_docx` calls it.

    Parameters
    ----------
    doc : Document
    path : Path
        The ``.docx`` to write.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, docx
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     word = docx.Document(render_docx(Document("T", simulated=True),
    ...                                      path=Path(tmp) / "t.docx"))
    >>> word.sections[0].header.paragraphs[0].text
    'SIMULATED DATA — not real participants'
    """
    word = new_word_document()
    _styles(word)
    _set_language(word, LOCALE[doc.language])
    props = word.core_properties
    props.title, props.language = doc.title, LOCALE[doc.language]
    props.author = doc.metadata.get("author", "")
    props.subject = doc.metadata.get("subject", doc.subtitle)
    props.keywords = doc.metadata.get("keywords", "")
    props.comments = doc.banner or ""
    props.last_modified_by = ""
    title = word.add_paragraph()
    title.paragraph_format.space_after = Pt(2)
    _runs(title, doc.title, size=22, bold=True, color=ACCENT)
    if doc.subtitle:
        sub = word.add_paragraph()
        sub.paragraph_format.space_after = Pt(4)
        _runs(sub, doc.subtitle, size=13, color=MUTED)
    meta = word.add_paragraph()
    meta.paragraph_format.space_after = Pt(14)
    _put(meta._p.get_or_add_pPr(), parse_xml(
        _border_xml("pBdr", {"bottom": (12, "1F4E79")}).replace('w:space="0"', 'w:space="6"')),
        PPR_ORDER)
    _runs(meta, "   \u00b7   ".join(f"{k}: {v}" for k, v in doc.metadata_lines()), size=9,
          color=MUTED)
    for block in doc.numbered():
        if isinstance(block, Heading):
            _runs(word.add_paragraph(style=f"Heading {block.level}"), block.text)
        elif isinstance(block, Paragraph):
            _runs(word.add_paragraph(), block.text)
        elif isinstance(block, Table):
            _table(word, doc, block)
        elif isinstance(block, Figure):
            _figure(word, doc, block)
        elif isinstance(block, KeyValue):
            _key_value(word, block)
        elif isinstance(block, PageBreak):
            word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _header_footer(word, doc)
    word.save(str(path))
    normalize_zip(path)   # fixed member times and document dates: reruns give the same bytes
    return path
