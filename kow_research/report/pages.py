"""The report's web pages: each executed notebook as a code-free page, and the landing page.

A notebook page shows what a reader needs — the narrative, tables and figures — and none of the
code (the executed notebook is linked for those who want it). Pages are self-contained and
offline: one inline style sheet, figures embedded, no script, font or style loaded from
anywhere (a secure research environment has no internet, and a request to a CDN would leak that
the report was opened). Figures keep the alt text the notebook gave them; every page has a title
and, when the data are simulated, a banner.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kow_research.data.labels import check_language
from kow_research.report.document import BANNER

#: the one style sheet of every page (report colours, A4-friendly width, print rules)
STYLE = """
body{font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d1d1d;
max-width:54em;margin:0 auto;padding:1.5em 1.2em 4em;line-height:1.5;font-size:15px}
h1{font-size:1.6em;margin:.4em 0 .6em}h2{font-size:1.25em;margin-top:1.6em}
h3{font-size:1.05em}a{color:#0060a8}
nav{font-size:.9em;margin-bottom:1em;color:#555}
.banner{background:#fff3cd;border:1px solid #d9b24c;color:#5c4400;padding:.45em .8em;
font-weight:600;margin:0 0 1em;border-radius:3px}
blockquote{border-left:4px solid #d9b24c;background:#fffbea;margin:1em 0;padding:.3em 1em}
table{border-collapse:collapse;margin:.6em 0 .3em;font-size:.9em}
th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #555}
td:not(:first-child){font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto}
figure{margin:1em 0}figcaption,small{color:#444;font-size:.88em}
.status-ok{color:#1b6e20}.status-na{color:#6b5b00}.status-failed{color:#b00020}
.status-withheld{color:#b00020}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;font-size:.9em}
dl.kv dt{color:#555}dl.kv dd{margin:0;overflow-wrap:anywhere}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em}
@media print{nav{display:none}body{max-width:none}}
"""

_TEXT = {
    "back": ("Report overview", "Overzicht van het rapport"),
    "notebook": ("executed notebook (code and outputs)", "uitgevoerd notebook (code en uitvoer)"),
    "not_applicable": ("Not applicable to this study", "Niet van toepassing op deze studie"),
    "failed": ("This analysis failed", "Deze analyse is mislukt"),
}


def _t(key: str, language: str) -> str:
    return _TEXT[key][check_language(language) == "nl"]


def _markdown(source: str) -> str:
    import mistune

    render = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    return str(render(source))


def page(*, title: str, body: str, language: str, simulated: bool,
         nav: str = "") -> str:
    """A complete, self-contained HTML page.

    Parameters
    ----------
    title : str
        The ``<title>`` (and nothing else: the body brings its own heading).
    body : str
        HTML of the content.
    language : {"en", "nl"}
    simulated : bool
        Show the simulated-data banner at the top.
    nav : str, default ""
        HTML of the navigation line above the banner.

    Returns
    -------
    str

    Examples
    --------
    >>> text = page(title="Flow", body="<h1>Flow</h1>", language="nl", simulated=True)
    >>> "GESIMULEERDE GEGEVENS" in text, "<script" in text, "http" in text
    (True, False, False)
    """
    lang = check_language(language)
    banner = (f'<div class="banner" role="note">{html.escape(BANNER[lang])}</div>'
              if simulated else "")
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style>", "</head>",
        "<body>", nav, banner, body, "</body>", "</html>", ""])


def _join(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _output_html(output: Mapping[str, Any], language: str) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr":
            return ""          # warnings and logs are not for the reader (and kept in the log)
        return f"<pre>{html.escape(_join(output.get('text')))}</pre>"
    if kind == "error":
        if output.get("ename") == "NotApplicable":
            return ""          # the notebook said why in its own words just before
        return (f'<p class="status-failed"><strong>{_t("failed", language)}:</strong> '
                f"{html.escape(str(output.get('ename')))}: "
                f"{html.escape(str(output.get('evalue')))}</p>")
    data = output.get("data", {})
    meta = output.get("metadata", {})
    if "text/markdown" in data:
        return _markdown(_join(data["text/markdown"]))
    if "text/html" in data:
        return _join(data["text/html"])
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            info = meta.get(mime, {}) if isinstance(meta.get(mime), Mapping) else {}
            alt = info.get("alt") or ""
            width = f' width="{int(info["width"])}"' if info.get("width") else ""
            payload = _join(data[mime]).replace("\n", "")
            return (f'<img src="data:{mime};base64,{payload}" alt="{html.escape(alt)}"'
                    f"{width}>")
    if "image/svg+xml" in data:
        return _join(data["image/svg+xml"])
    if "text/plain" in data:
        return f"<pre>{html.escape(_join(data['text/plain']))}</pre>"
    return ""


def notebook_body(nb: Mapping[str, Any], *, language: str) -> str:
    """The content of an executed notebook without its code: markdown cells and the outputs
    of code cells, in order.

    Parameters
    ----------
    nb : mapping
        The executed notebook (JSON).
    language : {"en", "nl"}

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "source": "x = 1 + 1", "outputs": [
    ...     {"output_type": "display_data", "metadata": {},
    ...      "data": {"text/markdown": "**Two** people"}}]}]}
    >>> notebook_body(nb, language="en")
    '<p><strong>Two</strong> people</p>\\n'
    """
    parts = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            parts.append(_markdown(_join(cell.get("source"))))
        elif cell.get("cell_type") == "code":
            parts.extend(_output_html(o, language) for o in cell.get("outputs", []))
    return "".join(p for p in parts if p)


def title_of(nb: Mapping[str, Any], default: str) -> str:
    """The first level-1 heading a notebook shows (in a markdown cell or output)."""
    for cell in nb.get("cells", []):
        texts = [_join(cell.get("source"))] if cell.get("cell_type") == "markdown" else [
            _join(o.get("data", {}).get("text/markdown", "")) for o in cell.get("outputs", [])]
        for text in texts:
            m = re.search(r"^#\s+(.+)$", text, flags=re.M)
            if m:
                return m.group(1).strip()
    return default


def write_notebook_page(executed: str | Path, *, path: str | Path, language: str,
                        simulated: bool, index_href: str = "index.html",
                        notebook_href: str | None = None) -> Path:
    """Render an executed notebook as a code-free page.

    Parameters
    ----------
    executed : str or pathlib.Path
        The executed notebook.
    path : str or pathlib.Path
        The page to write.
    language : {"en", "nl"}
    simulated : bool
        Show the simulated-data banner.
    index_href : str, default "index.html"
        Link back to the landing page.
    notebook_href : str, optional
        Link to the executed notebook (code and outputs).

    Returns
    -------
    pathlib.Path
    """
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    lang = check_language(language)
    title = title_of(nb, Path(executed).stem)
    links = [f'<a href="{html.escape(index_href)}">← {_t("back", lang)}</a>']
    if notebook_href:
        links.append(f'<a href="{html.escape(notebook_href)}">{_t("notebook", lang)}</a>')
    out = Path(path)
    out.write_text(page(title=title, body=notebook_body(nb, language=lang), language=lang,
                        simulated=simulated, nav="<nav>" + " · ".join(links) + "</nav>"),
                   encoding="utf-8")
    return out


@dataclass(frozen=True)
class Entry:
    """One line of the landing page: a notebook run, its status and its files."""

    title: str
    status: str          # "ok", "not_applicable", "failed" or "withheld"
    page: str | None
    notebook: str | None
    note: str = ""
    seconds: float = 0.0


_INDEX_TEXT = {
    "summary": ("Summary", "Samenvatting"),
    "summary_text": ("The summary report for funders and co-authors:",
                     "Het samenvattende rapport voor financiers en medeauteurs:"),
    "analyses": ("Analyses", "Analyses"),
    "figures": ("Figures", "Figuren"),
    "tables": ("Tables", "Tabellen"),
    "provenance": ("Provenance", "Herkomst"),
    "ok": ("ok", "ok"),
    "not_applicable": ("not applicable", "niet van toepassing"),
    "failed": ("failed", "mislukt"),
    "withheld": ("withheld (disclosure check)", "achtergehouden (controle op herleidbaarheid)"),
    "code": ("notebook", "notebook"),
    "none": ("none", "geen"),
}


def _i(key: str, language: str) -> str:
    return _INDEX_TEXT[key][check_language(language) == "nl"]


def write_index(path: str | Path, *, title: str, language: str, simulated: bool,
                entries: Sequence[Entry], summary: Sequence[str],
                figures: Iterable[tuple[str, str, Sequence[str]]],
                tables: Iterable[tuple[str, str, Sequence[str]]],
                provenance: Sequence[tuple[str, str]]) -> Path:
    """Write the landing page: summary first, the analyses with their status, the figures and
    tables, and the provenance block.

    Parameters
    ----------
    path : str or pathlib.Path
    title : str
    language : {"en", "nl"}
    simulated : bool
    entries : sequence of Entry
    summary : sequence of str
        Relative links of the summary files (HTML, Word, PDF).
    figures, tables : iterable of (caption, stem, files)
        One line per exported figure or table: its caption and the links to its files
        (PNG and SVG, CSV and XLSX).
    provenance : sequence of (label, value)

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_index(Path(tmp) / "index.html", title="KOW study", language="en",
    ...                     simulated=False, entries=[Entry("Flow", "ok", "01.html", None)],
    ...                     summary=["summary.html"], figures=[], tables=[],
    ...                     provenance=[("Version", "0.2.0")])
    ...     text = p.read_text(encoding="utf-8")
    >>> '<a href="01.html">Flow</a>' in text, "summary.html" in text
    (True, True)
    """
    lang = check_language(language)
    e = html.escape
    rows = []
    for entry in entries:
        name = (f'<a href="{e(entry.page)}">{e(entry.title)}</a>' if entry.page
                else e(entry.title))
        status = f'<span class="status-{ {"not_applicable": "na"}.get(entry.status, entry.status)}">' \
            f"{e(_i(entry.status, lang))}</span>"
        note = f" — {e(entry.note)}" if entry.note else ""
        code = (f' · <a href="{e(entry.notebook)}">{e(_i("code", lang))}</a>'
                if entry.notebook else "")
        rows.append(f"<li>{name}: {status}{note}{code}</li>")
    summary_links = " · ".join(f'<a href="{e(s)}">{e(Path(s).name)}</a>' for s in summary)

    def listing(items: Iterable[tuple[str, str, Sequence[str]]]) -> str:
        lines = []
        items = list(items)
        # a caption shared by several files (one per comparator) is told apart by the file
        seen = [c for c, _, _ in items if c]
        for caption, stem, files in items:
            links = " · ".join(f'<a href="{e(f)}">{e(Path(f).suffix.lstrip(".").upper())}</a>'
                               for f in files)
            label = e(caption) if caption else f"<code>{e(Path(stem).name)}</code>"
            if caption and seen.count(caption) > 1:
                label += f" (<code>{e(Path(stem).name)}</code>)"
            lines.append(f"<li>{label} — {links}</li>")
        return f"<ul>{''.join(lines)}</ul>" if lines else f"<p>{e(_i('none', lang))}</p>"

    kv = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in provenance)
    body = "\n".join([
        f"<h1>{e(title)}</h1>",
        f"<h2>{e(_i('summary', lang))}</h2>",
        f"<p>{e(_i('summary_text', lang))} {summary_links}</p>" if summary else "",
        f"<h2>{e(_i('analyses', lang))}</h2>", f"<ol>{''.join(rows)}</ol>",
        f"<h2>{e(_i('figures', lang))}</h2>", listing(figures),
        f"<h2>{e(_i('tables', lang))}</h2>", listing(tables),
        f"<h2>{e(_i('provenance', lang))}</h2>", f'<dl class="kv">{kv}</dl>'])
    out = Path(path)
    out.write_text(page(title=title, body=body, language=lang, simulated=simulated),
                   encoding="utf-8")
    return out


__all__ = ["STYLE", "Entry", "notebook_body", "page", "title_of", "write_index",
           "write_notebook_page"]
