"""PDF renderer of :class:`kow_research.report.document.Document` (see :func:`to_pdf`).

The document becomes data (``document.json``) that one fixed Typst template (:data:`TEMPLATE`)
lays out, so no text of the report is ever parsed as Typst markup. The compiler is the one in
the ``typst`` wheel: it uses only its embedded fonts (system fonts are ignored, so every
machine gives the same PDF), imports no Typst package (nothing is downloaded) and writes no
creation date.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kow_research.report.document import (
    Document,
    Figure,
    Heading,
    KeyValue,
    PageBreak,
    Paragraph,
    Run,
    Table,
    parse_inline,
)

__all__ = ["TEMPLATE", "document_data", "render_pdf"]

REGION = {"en": "GB", "nl": "NL"}

TEMPLATE = r"""
#let doc = json("document.json")
#let ink = rgb("#1c2430")
#let muted = rgb("#5d6673")
#let accent = rgb("#1f4e79")
#let hair = rgb("#d5dae1")
#let alarm = rgb("#a4262c")

#let runs(rs) = {
  for r in rs {
    let t = [#r.text]
    if r.bold { t = strong(t) }
    if r.italic { t = emph(t) }
    t
  }
}

#set document(title: doc.title, author: doc.authors, keywords: doc.keywords, date: none)
#set text(font: "Libertinus Serif", size: 10.5pt, lang: doc.language, region: doc.region,
          fill: ink, number-type: "lining")
#set par(justify: true, leading: 0.6em, spacing: 0.95em)
#set strong(delta: 300)

#let banner = if doc.banner != none {
  block(width: 100%, fill: alarm, inset: (x: 8pt, y: 4.5pt), radius: 1.5pt,
        align(center, text(8.5pt, fill: white, weight: "bold", doc.banner)))
}
#let running = context {
  if here().page() > 1 {
    set text(8pt, fill: muted)
    grid(columns: (1fr, auto), align: (left, right), doc.title, doc.running_right)
    v(-4pt)
    line(length: 100%, stroke: 0.4pt + hair)
  }
}

#set page(
  paper: "a4",
  margin: (top: 30mm, bottom: 22mm, x: 25mm),
  header-ascent: 18%,
  header: { banner; if doc.banner != none { v(3pt) }; running },
  footer: context {
    set text(8pt, fill: muted)
    line(length: 100%, stroke: 0.4pt + hair)
    v(-2pt)
    grid(columns: (1fr, auto), align: (left, right), doc.footer_left,
         counter(page).display("1 / 1", both: true))
  },
  // in the foreground, so that it shows over figures too
  foreground: if doc.watermark != none {
    // a box wider than the text, so that a long word (GESIMULEERD) never wraps
    place(center + horizon, rotate(-35deg, box(width: 24cm, align(center, text(
          if doc.watermark.len() > 9 { 74pt } else { 88pt }, weight: "bold",
          hyphenate: false, fill: alarm.transparentize(93%), doc.watermark)))))
  },
)

#show heading: set block(sticky: true)
#show heading.where(level: 1): it => block(above: 1.7em, below: 0.75em,
  text(14pt, weight: "bold", fill: accent, it.body))
#show heading.where(level: 2): it => block(above: 1.4em, below: 0.6em,
  text(11.5pt, weight: "bold", it.body))
#show heading.where(level: 3): it => block(above: 1.2em, below: 0.5em,
  text(10.5pt, weight: "bold", style: "italic", it.body))
#show figure: set block(breakable: true)
#show figure.caption: it => align(left, block(width: 100%,
  text(9.5pt, it.body)))
#set figure(gap: 6pt)

// title block
#block(below: 16pt, {
  text(22pt, weight: "bold", fill: accent, hyphenate: false, doc.title)
  if doc.subtitle != "" {
    v(2pt)
    text(13pt, fill: muted, doc.subtitle)
  }
  if doc.meta.len() > 0 {
    v(4pt)
    text(9pt, fill: muted, doc.meta.map(m => m.at(0) + ": " + m.at(1)).join("   ·   "))
  }
  v(2pt)
  line(length: 100%, stroke: 1.4pt + accent)
})

#let data-table(t) = {
  let n = t.labels.len()
  // auto columns: Typst shares the width among them (a 1fr first column was squeezed to
  // nothing when long headers filled the page, and its text ran into the next column)
  let cols = (auto,) * n
  let body = {
    set text(9.5pt, number-width: "tabular")
    set par(justify: false, leading: 0.5em)
    table(
      columns: cols,
      stroke: (x, y) => if y >= 2 { (top: 0.4pt + hair) },
      inset: (x, y) => (left: if x == 0 { 0pt } else { 6pt },
                        right: if x == n - 1 { 0pt } else { 6pt }, y: 3.6pt),
      align: (x, y) => (if t.numeric.at(x) { right } else { left })
                       + (if y == 0 { bottom } else { top }),
      table.hline(stroke: 0.9pt + ink),
      table.header(..t.labels.map(l => text(weight: "bold", l))),
      table.hline(stroke: 0.5pt + ink),
      ..t.rows.flatten(),
      table.hline(stroke: 0.9pt + ink),
    )
    for note in t.notes {
      v(-2pt)
      align(left, block(above: 5pt, width: 100%, text(8.5pt, fill: muted, runs(note))))
    }
  }
  block(above: 14pt, below: 16pt, figure(body, kind: table, numbering: none,
        supplement: none, caption: figure.caption(position: top,
        [#strong(t.label) #runs(t.caption)])))
}

#let data-figure(f) = block(above: 14pt, below: 16pt, figure(
  image(f.path, width: f.width * 1cm, alt: f.alt), kind: image, numbering: none,
  supplement: none, caption: figure.caption(position: bottom,
  [#strong(f.label) #runs(f.caption)])))

#let key-value(b) = block(above: 8pt, below: 14pt, breakable: false, {
  if b.title != none { block(below: 5pt, text(weight: "bold", b.title)) }
  set text(9pt)
  set par(justify: false)
  grid(columns: (32%, 1fr), column-gutter: 10pt, row-gutter: 0pt,
       stroke: (x, y) => (top: 0.4pt + hair, bottom: if y == b.rows.len() - 1 { 0.4pt + hair }),
       inset: (y: 3pt),
       ..b.rows.map(r => (text(fill: muted, weight: "bold", r.at(0)), runs(r.at(1)))).flatten())
})

#for b in doc.blocks {
  if b.type == "heading" { heading(level: b.level, runs(b.runs)) }
  else if b.type == "paragraph" { par(runs(b.runs)) }
  else if b.type == "table" { data-table(b) }
  else if b.type == "figure" { data-figure(b) }
  else if b.type == "kv" { key-value(b) }
  else if b.type == "pagebreak" { pagebreak(weak: true) }
}
"""


def _runs(runs: tuple[Run, ...]) -> list[dict[str, Any]]:
    return [{"text": r.text, "bold": r.bold, "italic": r.italic} for r in runs]


def _figure(doc: Document, fig: Figure, root: Path) -> dict[str, Any]:
    stem = f"figure-{fig.number}"
    if fig.svg is not None:
        name = f"{stem}.svg"
        shutil.copyfile(fig.svg, root / name)
    else:
        name = f"{stem}.png"
        (root / name).write_bytes(fig.png_bytes())
    return {"type": "figure", "path": name, "width": float(fig.width_cm), "alt": fig.alt_text,
            "label": doc.caption_label(fig), "caption": _runs(parse_inline(fig.caption))}


def document_data(doc: Document, *, root: Path) -> dict[str, Any]:
    """The data that :data:`TEMPLATE` lays out, with the figures copied into ``root``.

    Parameters
    ----------
    doc : Document
    root : Path
        The Typst project folder (the figures are written there).

    Returns
    -------
    dict
        JSON-ready: the title block, banner, watermark and every block with its text
        already formatted.

    Examples
    --------
    >>> import tempfile
    >>> doc = Document("T", language="nl").add(Paragraph("**Vet**"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     data = document_data(doc, root=Path(tmp))
    >>> data["region"], data["blocks"]
    ('NL', [{'type': 'paragraph', 'runs': [{'text': 'Vet', 'bold': True, 'italic': False}]}])
    """
    blocks: list[dict[str, Any]] = []
    for block in doc.numbered():
        if isinstance(block, Heading):
            blocks.append({"type": "heading", "level": block.level,
                           "runs": _runs(parse_inline(block.text))})
        elif isinstance(block, Paragraph):
            blocks.append({"type": "paragraph", "runs": _runs(block.runs)})
        elif isinstance(block, Table):
            layout = block.layout(doc.language)
            blocks.append({"type": "table", "label": doc.caption_label(block),
                           "caption": _runs(parse_inline(block.caption)),
                           "labels": list(layout.labels), "numeric": list(layout.numeric),
                           "rows": [list(r) for r in layout.rows],
                           "notes": [_runs(parse_inline(n)) for n in block.notes]})
        elif isinstance(block, Figure):
            blocks.append(_figure(doc, block, root))
        elif isinstance(block, KeyValue):
            blocks.append({"type": "kv", "title": block.title,
                           "rows": [[k, _runs(parse_inline(v))] for k, v in block.rows]})
        elif isinstance(block, PageBreak):
            blocks.append({"type": "pagebreak"})
    meta = doc.metadata
    return {
        "language": doc.language, "region": REGION[doc.language], "title": doc.title,
        "subtitle": doc.subtitle, "meta": [list(m) for m in doc.metadata_lines()],
        "banner": doc.banner, "watermark": doc.watermark,
        "authors": [a.strip() for a in meta.get("author", "").split(";") if a.strip()],
        "keywords": [k.strip() for k in meta.get("keywords", "").split(",") if k.strip()],
        "running_right": meta.get("organisation", ""),
        "footer_left": meta.get("version", "") and f"{doc.title} \u00b7 {meta['version']}"
        or doc.title,
        "blocks": blocks,
    }


def render_pdf(doc: Document, *, path: Path, typst_source: Path | None = None) -> Path:
    """Compile ``doc`` to ``path``; :func:`kow_research.report.document.to_pdf` calls it.

    Parameters
    ----------
    doc : Document
    path : Path
        The ``.pdf`` to write.
    typst_source : Path, optional
        A folder to keep the Typst project in (``main.typ``, ``document.json``, figures).

    Returns
    -------
    Path

    Raises
    ------
    RuntimeError
        If Typst cannot lay out the document (a fault of the template, with its diagnostic).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     pdf = render_pdf(Document("T"), path=Path(tmp) / "t.pdf").read_bytes()
    >>> pdf[:5]
    b'%PDF-'
    """
    import typst

    with tempfile.TemporaryDirectory(prefix="kow-typst-") as tmp:
        root = Path(tmp)
        data = document_data(doc, root=root)
        (root / "document.json").write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        (root / "main.typ").write_text(TEMPLATE, encoding="utf-8")
        if typst_source is not None:
            typst_source.mkdir(parents=True, exist_ok=True)
            for item in root.iterdir():
                shutil.copyfile(item, typst_source / item.name)
        try:
            pdf = typst.compile(str(root / "main.typ"), root=str(root), font_paths=[],
                                ignore_system_fonts=True, format="pdf")
        except typst.TypstError as err:  # a template fault, never the user's text
            raise RuntimeError(f"to_pdf: Typst could not lay out {doc.title!r}: "
                               f"{err.message}\n{err.diagnostic}") from err
    assert isinstance(pdf, bytes)
    path.write_bytes(pdf)
    return path
