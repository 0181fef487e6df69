"""HTML renderer of :class:`kow_research.report.document.Document` (see :func:`to_html`).

One page with inline CSS and no scripts, fonts or URLs: figures are ``data:`` URIs or links
relative to the page. Printed (A4), the banner and watermark repeat on every page (fixed
elements repeat per printed page), table headers repeat, and figures and table rows are not
split across pages.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from urllib.parse import quote

from kow_research._version import __version__
from kow_research.report.document import (
    Document,
    Figure,
    Heading,
    KeyValue,
    PageBreak,
    Paragraph,
    Table,
    parse_inline,
)

__all__ = ["CSS", "render_html"]

CSS = """
@page { size: A4; margin: 24mm 22mm 20mm 22mm;
        @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif;
                        color: #5d6673; } }
:root { --ink: #1c2430; --muted: #5d6673; --accent: #1f4e79; --rule: #2b3442;
        --hair: #d5dae1; --banner: #a4262c; }
* { box-sizing: border-box; }
html { font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans",
       sans-serif; color: var(--ink); background: #eef0f3; }
body { margin: 0; font-size: 10.5pt; line-height: 1.5; }
main { max-width: 190mm; margin: 0 auto 12mm; padding: 14mm 14mm 16mm; background: #fff;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); position: relative; z-index: 1; }
.banner { position: sticky; top: 0; z-index: 3; background: var(--banner); color: #fff;
          text-align: center; font-size: 9pt; font-weight: 700; letter-spacing: .08em;
          padding: 5px 8px; }
.watermark { position: fixed; top: 50%; left: 50%; z-index: 2; pointer-events: none;
             transform: translate(-50%, -50%) rotate(-35deg); white-space: nowrap;
             font-size: 104pt; font-weight: 800; letter-spacing: .05em;
             color: rgba(164, 38, 44, .07); user-select: none; }
header.title-block { border-bottom: 2px solid var(--accent); padding-bottom: 8pt;
                     margin-bottom: 16pt; }
h1 { font-size: 22pt; line-height: 1.2; color: var(--accent); margin: 0 0 4pt;
     font-weight: 700; }
.subtitle { font-size: 13pt; color: var(--muted); margin: 0 0 8pt; }
.meta { font-size: 9pt; color: var(--muted); margin: 0; }
.meta span + span::before { content: "\\00a0\\00a0\\2022\\00a0\\00a0"; }
h2 { font-size: 14pt; color: var(--accent); margin: 20pt 0 6pt; font-weight: 700;
     break-after: avoid; }
h3 { font-size: 11.5pt; margin: 14pt 0 4pt; break-after: avoid; }
h4 { font-size: 10.5pt; font-style: italic; font-weight: 600; margin: 10pt 0 2pt;
     break-after: avoid; }
p { margin: 0 0 7pt; }
.table-block { margin: 14pt 0 16pt; overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; font-size: 9.5pt; line-height: 1.35;
             font-variant-numeric: tabular-nums lining-nums; }
table.data caption { caption-side: top; text-align: left; font-size: 9.5pt;
                     padding: 0 0 5pt; line-height: 1.4; }
.label { font-weight: 700; }
table.data th, table.data td { padding: 3.5pt 4.5pt; vertical-align: top; }
table.data th:first-child, table.data td:first-child { padding-left: 0; }
table.data th:last-child, table.data td:last-child { padding-right: 0; }
table.data thead th { font-weight: 600; text-align: left; vertical-align: bottom;
                      border-top: 1.5px solid var(--rule); border-bottom: 1px solid var(--rule); }
table.data tbody td { border-bottom: 1px solid var(--hair); }
table.data tbody tr:last-child td { border-bottom: 1.5px solid var(--rule); }
table.data .num { text-align: right; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.table-note { font-size: 8.5pt; color: var(--muted); margin: 4pt 0 0; line-height: 1.4; }
figure { margin: 14pt 0 16pt; break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 9.5pt; margin-top: 6pt; line-height: 1.4; }
table.kv { border-collapse: collapse; font-size: 9pt; margin: 6pt 0 12pt; width: 100%; }
table.kv caption { caption-side: top; text-align: left; font-weight: 700; padding-bottom: 4pt; }
table.kv th { text-align: left; font-weight: 600; color: var(--muted); padding: 2pt 12pt 2pt 0;
              width: 32%; vertical-align: top; }
table.kv td { padding: 2pt 0; vertical-align: top; word-break: break-word; }
table.kv tr { border-top: 1px solid var(--hair); }
table.kv tr:last-child { border-bottom: 1px solid var(--hair); }
.page-break { break-after: page; }
@media print {
  html { background: #fff; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  .banner { display: none; }
  .watermark { font-size: 96pt; }
}
"""

#: printed, the banner stands in the top margin of every page (CSS page-margin boxes)
PRINT_BANNER_CSS = """
@page { @top-center { content: %s; font: bold 8.5pt sans-serif; letter-spacing: .06em;
                      color: #fff; background: #a4262c; vertical-align: middle;
                      margin: 8mm 0 5mm; } }
"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes and non-ASCII escaped)."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) > 126 or ord(ch) < 32:
            out.append(f"\\{ord(ch):06x} ")  # the space ends the escape (and is eaten)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _inline(text: str) -> str:
    out = []
    for run in parse_inline(text):
        piece = html.escape(run.text)
        if run.italic:
            piece = f"<em>{piece}</em>"
        if run.bold:
            piece = f"<strong>{piece}</strong>"
        out.append(piece)
    return "".join(out)


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _figure_src(fig: Figure, page_dir: Path | None, embed: bool, prefer_svg: bool) -> str:
    use_svg = prefer_svg and fig.svg is not None
    if embed or isinstance(fig.image, bytes):
        if use_svg and fig.svg is not None:
            return _data_uri(fig.svg.read_bytes(), "image/svg+xml")
        return _data_uri(fig.png_bytes(), "image/png")
    if page_dir is None:
        raise ValueError("to_html(embed_images=False) links figures relative to the page: "
                         "pass path= (where the page is written)")
    target = fig.svg if use_svg and fig.svg is not None else fig.image
    assert isinstance(target, Path)
    rel = os.path.relpath(target.resolve(), page_dir.resolve())
    return html.escape(quote(Path(rel).as_posix()), quote=True)


def _table(doc: Document, block: Table) -> str:
    layout = block.layout(doc.language)
    align = ['class="num"' if n else "" for n in layout.numeric]
    head = "".join(f"<th scope=\"col\" {a}>{html.escape(label)}</th>".replace(" >", ">")
                   for label, a in zip(layout.labels, align, strict=True))
    body = "\n".join(
        "<tr>" + "".join(f"<td {a}>{html.escape(cell)}</td>".replace(" >", ">")
                         for cell, a in zip(row, align, strict=True)) + "</tr>"
        for row in layout.rows)
    notes = "".join(f'<p class="table-note">{_inline(n)}</p>' for n in block.notes)
    caption = (f'<caption><span class="label">{html.escape(doc.caption_label(block))}</span> '
               f"{_inline(block.caption)}</caption>")
    return (f'<div class="table-block"><table class="data">{caption}\n<thead><tr>{head}</tr>'
            f"</thead>\n<tbody>\n{body}\n</tbody></table>{notes}</div>")


def _figure(doc: Document, fig: Figure, page_dir: Path | None, embed: bool,
            prefer_svg: bool) -> str:
    src = _figure_src(fig, page_dir, embed, prefer_svg)
    return (f'<figure><img src="{src}" alt="{html.escape(fig.alt_text, quote=True)}" '
            f'style="width: {fig.width_cm:g}cm">'
            f'<figcaption><span class="label">{html.escape(doc.caption_label(fig))}</span> '
            f"{_inline(fig.caption)}</figcaption></figure>")


def _key_value(block: KeyValue) -> str:
    caption = f"<caption>{html.escape(block.title)}</caption>" if block.title else ""
    rows = "".join(f'<tr><th scope="row">{html.escape(k)}</th><td>{_inline(v)}</td></tr>'
                   for k, v in block.rows)
    return f'<table class="kv">{caption}{rows}</table>'


def render_html(doc: Document, *, page_dir: Path | None = None, embed_images: bool = True,
                prefer_svg: bool = True) -> str:
    """The page of ``doc``; :func:`kow_research.report.document.to_html` calls it.

    Parameters
    ----------
    doc : Document
    page_dir : Path, optional
        The page's folder, for figure links relative to it.
    embed_images, prefer_svg : bool
        As in :func:`~kow_research.report.document.to_html`.

    Returns
    -------
    str

    Examples
    --------
    >>> page = render_html(Document("T", language="nl", simulated=True))
    >>> page.startswith("<!DOCTYPE html>"), "GESIMULEERDE GEGEVENS" in page
    (True, True)
    """
    parts: list[str] = []
    for block in doc.numbered():
        if isinstance(block, Heading):
            tag = f"h{block.level + 1}"
            parts.append(f"<{tag}>{_inline(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, Table):
            parts.append(_table(doc, block))
        elif isinstance(block, Figure):
            parts.append(_figure(doc, block, page_dir, embed_images, prefer_svg))
        elif isinstance(block, KeyValue):
            parts.append(_key_value(block))
        elif isinstance(block, PageBreak):
            parts.append('<div class="page-break"></div>')
    meta = "".join(f"<span>{html.escape(label)}: {html.escape(value)}</span>"
                   for label, value in doc.metadata_lines())
    title_block = (f"<h1>{html.escape(doc.title)}</h1>"
                   + (f'<p class="subtitle">{html.escape(doc.subtitle)}</p>' if doc.subtitle
                      else "")
                   + (f'<p class="meta">{meta}</p>' if meta else ""))
    banner = (f'<div class="banner" role="note">{html.escape(doc.banner)}</div>\n'
              if doc.banner else "")
    watermark = (f'<div class="watermark" aria-hidden="true">{html.escape(doc.watermark)}</div>\n'
                 if doc.watermark else "")
    metas = "".join(f'<meta name="{name}" content="{html.escape(doc.metadata[key], quote=True)}">\n'
                    for key, name in (("author", "author"), ("subject", "description"),
                                      ("keywords", "keywords")) if doc.metadata.get(key))
    return ("<!DOCTYPE html>\n"
            f'<html lang="{doc.language}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="kow_research {html.escape(__version__)}">\n'
            f"{metas}<title>{html.escape(doc.title)}</title>\n<style>{CSS}"
            f"{PRINT_BANNER_CSS % _css_string(doc.banner) if doc.banner else ''}</style>\n"
            "</head>\n"
            f"<body>\n{banner}{watermark}<main>\n<header class=\"title-block\">{title_block}"
            "</header>\n" + "\n".join(parts) + "\n</main>\n</body>\n</html>\n")
