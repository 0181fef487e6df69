"""The summary document in HTML, Word and PDF (kow_research.report.document).

One document with two tables, a figure and a provenance block is rendered in English and
Dutch; each output is read back with an independent reader (python-docx, pypdf, regular
expressions on the HTML) and checked for the numbers formatted by hand, the captions, the
banner on every page and the absence of anything loaded from elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pypdf
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm

from kow_research.report.document import (
    BANNER,
    Document,
    Figure,
    Heading,
    KeyValue,
    PageBreak,
    Paragraph,
    Table,
    parse_inline,
    to_docx,
    to_html,
    to_pdf,
)
from kow_research.report.document_docx import PPR_ORDER, TBLPR_ORDER

ALT = "Cumulative incidence of paid work for KOW and TAU over 24 months"


@pytest.fixture(scope="module")
def figure_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("figures")
    fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
    ax.plot([0, 12, 24], [0, 0.3, 0.44], label="KOW")
    ax.legend()
    fig.savefig(folder / "cif.png")
    fig.savefig(folder / "cif.svg", metadata={"Date": None})
    plt.close(fig)
    return folder / "cif.png", folder / "cif.svg"


def build(language: str, figure_files: tuple[Path, Path], *, simulated: bool = True) -> Document:
    png, svg = figure_files
    nl = language == "nl"
    main = pd.DataFrame({"cohort": ["KOW", "TAU"], "n": [1234, 87], "events": [412, 20],
                         "risk_treated": [0.4412, np.nan], "estimate": [0.25, -0.1],
                         "lower": [0.18, -0.25], "upper": [0.33, 0.05],
                         "p": [0.0123, 0.00004]})
    cox = pd.DataFrame({"hr": [1.82, 0.95], "lower": [1.31, 0.71], "upper": [2.52, 1.27],
                        "p": [0.00031, 0.74]},
                       index=pd.Index(["Programme", "Age"], name="covariate"))
    doc = Document("Kansen op Werk", subtitle="Summary", language=language,
                   simulated=simulated, metadata={"organisation": "Institute",
                                                  "date": "2026-11-30", "version": "0.4.0",
                                                  "author": "A. Researcher"})
    doc.add(Heading("Results"),
            Paragraph("Within 24 months **44%** found *regular* paid work."),
            Table(main, caption="Paid work by cohort", key="main",
                  column_formats={"estimate": "ci", "risk_treated": "percent"},
                  fields={"index": "KOW"}, notes=("CI: confidence interval.",)),
            Figure(png, svg=svg, caption="Cumulative incidence", alt_text=ALT, width_cm=12,
                   key="cif"),
            PageBreak(),
            Table(cox, caption="Cox model", column_formats={"hr": "ci"}),
            KeyValue({"Data": "simulated (seed 1)", "Package": "kow_research 0.4.0"},
                     title="Provenance" if not nl else "Herkomst"))
    return doc


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, figure_files) -> dict[str, dict[str, Path]]:
    out: dict[str, dict[str, Path]] = {}
    for lang in ("en", "nl"):
        folder = tmp_path_factory.mktemp(f"summary_{lang}")
        doc = build(lang, figure_files)
        out[lang] = {"html": folder / "summary.html", "docx": folder / "summary.docx",
                     "pdf": folder / "summary.pdf"}
        to_html(doc, path=out[lang]["html"])
        to_docx(doc, path=out[lang]["docx"])
        to_pdf(doc, path=out[lang]["pdf"])
    return out


# ---------------------------------------------------------------- the model

def test_numbering_and_references(figure_files):
    doc = build("nl", figure_files)
    numbered = doc.numbered()
    tables = [b for b in numbered if isinstance(b, Table)]
    figures = [b for b in numbered if isinstance(b, Figure)]
    assert [t.number for t in tables] == [1, 2] and [f.number for f in figures] == [1]
    assert doc.reference("main") == "Tabel 1" and doc.reference("cif") == "Figuur 1"
    assert doc.caption_label(tables[1]) == "Tabel 2."
    assert all(b.number is None for b in doc.blocks if isinstance(b, Table))  # not changed
    with pytest.raises(KeyError, match="no table or figure"):
        doc.reference("none")


def test_explicit_numbers_and_duplicates():
    df = pd.DataFrame({"n": [1]})
    doc = Document("T").add(Table(df, caption="a", number=3), Table(df, caption="b"))
    assert [b.number for b in doc.numbered()] == [3, 4]
    doc.add(Table(df, caption="c", number=4))
    with pytest.raises(ValueError, match="Table 4 is used twice"):
        doc.numbered()


def test_figure_checks(figure_files, tmp_path):
    png, _ = figure_files
    with pytest.raises(ValueError, match="alt_text"):
        Figure(png, caption="c", alt_text=" ")
    with pytest.raises(ValueError, match="width_cm"):
        Figure(png, caption="c", alt_text="a", width_cm=17)
    (tmp_path / "x.png").write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match="not a PNG"):
        Figure(tmp_path / "x.png", caption="c", alt_text="a")
    with pytest.raises(FileNotFoundError):
        Figure(tmp_path / "missing.png", caption="c", alt_text="a")
    assert Figure(png.read_bytes(), caption="c", alt_text="a").png_bytes()[:4] == b"\x89PNG"


def test_inline_emphasis():
    runs = parse_inline("a **b** and *c*")
    assert [(r.text, r.bold, r.italic) for r in runs] == [
        ("a ", False, False), ("b", True, False), (" and ", False, False), ("c", False, True)]
    assert [r.text for r in parse_inline("2 \\* 3")] == ["2 * 3"]


def test_document_checks():
    with pytest.raises(ValueError, match="language"):
        Document("T", language="fr")
    with pytest.raises(TypeError, match="not a block"):
        Document("T").add("text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        Heading("x", level=4)


# ---------------------------------------------------------------- HTML

EXTERNAL = re.compile(r"https?:|(?:src|href)\s*=\s*[\"']?//|url\(\s*[\"']?(?:https?:)?//|@import",
                      flags=re.I)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_html_is_self_contained(outputs, lang):
    page = outputs[lang]["html"].read_text(encoding="utf-8")
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert f'<html lang="{lang}">' in page
    imgs = re.findall(r"<img\b[^>]*>", page)
    assert len(imgs) == 1
    assert all(re.search(r'alt="[^"]+"', tag) for tag in imgs)
    assert f'alt="{ALT}"' in page
    assert 'src="data:image/svg+xml;base64,' in imgs[0]


def test_html_content_and_banner(outputs):
    en = outputs["en"]["html"].read_text(encoding="utf-8")
    nl = outputs["nl"]["html"].read_text(encoding="utf-8")
    assert BANNER["en"] in en and "SIMULATED</div>" in en
    assert BANNER["nl"] in nl and "GESIMULEERD</div>" in nl
    assert '<span class="label">Table 1.</span> Paid work by cohort</caption>' in en
    assert '<span class="label">Figuur 1.</span> Cumulative incidence</figcaption>' in nl
    assert '<td class="num">1,234</td>' in en and '<td class="num">1.234</td>' in nl
    assert "<td class=\"num\">0,25 (0,18\u20130,33)</td>" in nl
    assert "<strong>44%</strong>" in en and "<em>regular</em>" in en
    # printed, the banner is a page-margin box on every page
    assert "@top-center" in en


def test_html_can_link_figures_relative_to_the_page(figure_files, tmp_path):
    doc = build("en", figure_files)
    page = to_html(doc, path=tmp_path / "summary.html", embed_images=False, prefer_svg=False)
    src = re.search(r'<img src="([^"]+)"', page).group(1)
    assert not src.startswith(("/", "data:"))
    assert (tmp_path / src).resolve() == figure_files[0].resolve()
    assert not EXTERNAL.search(page)
    with pytest.raises(ValueError, match="pass path="):
        to_html(doc, embed_images=False)


def test_real_data_has_no_banner(figure_files, tmp_path):
    doc = build("en", figure_files, simulated=False)
    page = to_html(doc)
    assert "SIMULATED" not in page and "watermark\"" not in page
    word = docx.Document(to_docx(doc, path=tmp_path / "s.docx"))
    assert "SIMULATED" not in word.sections[0].header.paragraphs[0].text
    text = "".join(p.extract_text() for p in pypdf.PdfReader(
        to_pdf(doc, path=tmp_path / "s.pdf")).pages)
    assert "SIMULATED" not in text


# ---------------------------------------------------------------- Word

def _caption_texts(word: docx.document.Document) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == "Caption"]


@pytest.mark.parametrize("lang,thousands,ci,percent", [
    ("en", "1,234", "0.25 (0.18\u20130.33)", "44%"),
    ("nl", "1.234", "0,25 (0,18\u20130,33)", "44\u00a0%"),
])
def test_docx_key_table_has_numeric_cells(outputs, lang, thousands, ci, percent):
    word = docx.Document(outputs[lang]["docx"])
    assert len(word.tables) == 3            # two data tables and the provenance block
    main = word.tables[0]
    header = [c.text for c in main.rows[0].cells]
    assert header[0] == "Cohort" and header[4] == ("Estimate (95% CI)" if lang == "en"
                                                   else "Schatting (95%-BI)")
    kow = [c.text for c in main.rows[1].cells]
    assert kow == ["KOW", thousands, "412", percent, ci, "0.012" if lang == "en" else "0,012"]
    # numbers are read back as numbers in the document's convention
    sep, dec = ("," , ".") if lang == "en" else (".", ",")
    assert float(kow[1].replace(sep, "").replace(dec, ".")) == 1234
    numeric = main.rows[1].cells[1].paragraphs[0]
    assert numeric.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert main.rows[1].cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    # the header row repeats on every page
    assert main.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_docx_captions_banner_properties_and_figure(outputs):
    word = docx.Document(outputs["nl"]["docx"])
    assert _caption_texts(word) == ["Tabel 1. Paid work by cohort", "Figuur 1. Cumulative incidence",
                                    "Tabel 2. Cox model"]
    body = word.element.body
    instr = [e.text.strip() for e in body.iter(qn("w:instrText"))]
    assert instr == ["SEQ Table \\* ARABIC", "SEQ Figure \\* ARABIC", "SEQ Table \\* ARABIC"]
    for section in word.sections:
        assert section.header.paragraphs[0].text == BANNER["nl"]
        assert "GESIMULEERD" in section.header._element.xml      # the watermark shape
        assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    props = word.core_properties
    assert (props.title, props.language, props.author) == ("Kansen op Werk", "nl-NL",
                                                           "A. Researcher")
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "nl-NL"
    (shape,) = word.inline_shapes
    assert abs(shape.width - Cm(12)) < Cm(0.01)
    assert shape._inline.docPr.get("descr") == ALT


def test_docx_properties_are_in_schema_order(outputs):
    """Word refuses a file whose w:pPr / w:tblPr children are out of the schema's order."""
    word = docx.Document(outputs["en"]["docx"])
    parts = [word.element, *(s.header._element for s in word.sections),
             *(s.footer._element for s in word.sections)]
    for part in parts:
        for tag, order in (("w:pPr", PPR_ORDER), ("w:tblPr", TBLPR_ORDER)):
            for props in part.iter(qn(tag)):
                names = [c.tag.rsplit("}", 1)[1] for c in props]
                positions = [order.index(n) for n in names]
                assert positions == sorted(positions), f"{tag}: {names}"
                assert len(set(names)) == len(names), f"{tag}: {names} repeats an element"


# ---------------------------------------------------------------- PDF

@pytest.mark.parametrize("lang", ["en", "nl"])
def test_pdf_has_the_banner_on_every_page(outputs, lang):
    reader = pypdf.PdfReader(outputs[lang]["pdf"])
    assert len(reader.pages) == 2                      # the page break
    for page in reader.pages:
        assert BANNER[lang] in page.extract_text()
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in pt


def test_pdf_holds_the_tables_and_captions(outputs):
    en = "\n".join(p.extract_text() for p in pypdf.PdfReader(outputs["en"]["pdf"]).pages)
    nl = "\n".join(p.extract_text() for p in pypdf.PdfReader(outputs["nl"]["pdf"]).pages)
    for needle in ("Table 1. Paid work by cohort", "Figure 1. Cumulative incidence",
                   "Table 2. Cox model", "1,234", "0.25 (0.18\u20130.33)", "<0.001",
                   "1.82 (1.31\u20132.52)", "CI: confidence interval."):
        assert needle in en, needle
    for needle in ("Tabel 1. Paid work by cohort", "Figuur 1.", "1.234", "0,25 (0,18\u20130,33)",
                   "<0,001", "1,82 (1,31\u20132,52)", "Herkomst"):
        assert needle in nl, needle
    assert "GESIMULEERD" in nl                          # the watermark
    meta = pypdf.PdfReader(outputs["nl"]["pdf"]).metadata
    assert meta.title == "Kansen op Werk"


def test_pdf_is_reproducible(figure_files, tmp_path):
    doc = build("en", figure_files)
    a = to_pdf(doc, path=tmp_path / "a.pdf").read_bytes()
    b = to_pdf(doc, path=tmp_path / "b.pdf").read_bytes()
    assert a == b
    assert b"/CreationDate" not in a


def test_pdf_keeps_the_typst_project_when_asked(figure_files, tmp_path):
    to_pdf(build("en", figure_files), path=tmp_path / "s.pdf", typst_source=tmp_path / "typ")
    assert {p.name for p in (tmp_path / "typ").iterdir()} == {"main.typ", "document.json",
                                                              "figure-1.svg"}
    assert "@preview" not in (tmp_path / "typ" / "main.typ").read_text()   # no package import


def test_text_is_never_markup(tmp_path):
    """Typst and HTML special characters in the content are printed, not interpreted."""
    tricky = '#set page(paper: "a5") $x^2$ <lbl> @ref _u_ [b] \\ <script>alert(1)</script>'
    df = pd.DataFrame({"label": [tricky], "n": [5]})
    doc = Document(tricky, simulated=True).add(Heading(tricky), Paragraph(tricky),
                                               Table(df, caption=tricky))
    page1 = pypdf.PdfReader(to_pdf(doc, path=tmp_path / "t.pdf")).pages[0]
    text = page1.extract_text()
    # title, heading, paragraph, caption, cell and footer
    assert text.count("$x^2$ <lbl> @ref _u_ [b]") == 6
    assert round(float(page1.mediabox.width)) == 595                 # still A4, not A5
    page = to_html(doc)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    word = docx.Document(to_docx(doc, path=tmp_path / "t.docx"))
    assert word.tables[0].cell(1, 0).text == tricky.replace("\\\\", "\\")


def test_empty_table_is_refused():
    with pytest.raises(ValueError, match="no columns"):
        Table(pd.DataFrame(), caption="empty")
