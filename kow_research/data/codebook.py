"""The human codebook (``data_dictionary/CODEBOOK.md``) generated from the schemas.

The packaged schemas (``kow_research/data/dictionary/``) are the source of truth. ``kow-research
codebook`` writes copies of them and ``CODEBOOK.md`` into ``data_dictionary/``; a test checks that
the committed files are current.
"""

from __future__ import annotations

from pathlib import Path

from kow_research.data.schema import TABLES, Field, get_schema, schema_text


def _constraints(f: Field) -> str:
    parts = []
    if f.required:
        parts.append("required")
    if f.unique:
        parts.append("unique")
    if f.minimum is not None or f.maximum is not None:
        parts.append(f"{f.minimum if f.minimum is not None else '…'}–"
                     f"{f.maximum if f.maximum is not None else '…'}")
    if f.pattern:
        parts.append(f"pattern `{f.pattern}`")
    if f.plausible_min or f.plausible_max:
        parts.append(f"plausible {f.plausible_text()}")
    return ", ".join(parts)


def render_codebook() -> str:
    """Return the codebook as Markdown (tables, fields, types, allowed values, nl/en labels)."""
    lines = [
        "# Codebook / Codeboek",
        "",
        "Generated from the schemas by `kow-research codebook`; do not edit by hand.",
        "Gegenereerd uit de schema's met `kow-research codebook`; niet met de hand bewerken.",
        "",
        "Types: `string` text, `date` ISO date `YYYY-MM-DD` (or a native Excel/SPSS date), "
        "`integer` whole number, `number` decimal number with a point, `boolean` "
        "`true`/`false`. An empty cell is missing; nothing else is. A date outside its "
        "plausible range is an error (a typing error or a date read the wrong way).",
        "",
        "Your own files (other column names, codes, Dutch words, date formats, wide ladder "
        "columns) are brought into this form by `kow-research import` with a mapping: see "
        "[MAPPING.md](MAPPING.md).",
        "",
    ]
    for table in TABLES:
        s = get_schema(table)
        lines += [f"## `{table}` — {s.title_en} / {s.title_nl}", "", s.description_en, "",
                  f"*{s.description_nl}*", ""]
        if s.primary_key:
            lines.append(f"Primary key: `{' + '.join(s.primary_key)}`.  ")
        for col, ref_t, ref_c in s.foreign_keys:
            lines.append(f"Foreign key: `{col}` → `{ref_t}.{ref_c}`.  ")
        lines += ["", "| field | type | constraints | English | Nederlands |",
                  "|---|---|---|---|---|"]
        for f in s.fields:
            unit = f" ({f.unit})" if f.unit else ""
            lines.append(f"| `{f.name}` | {f.type}{unit} | {_constraints(f)} | "
                         f"**{f.title_en}** — {f.description_en} | "
                         f"**{f.title_nl}** — {f.description_nl} |")
        lines.append("")
        for f in s.fields:
            if f.categories:
                lines += [f"Allowed values of `{f.name}` / toegestane waarden:", "",
                          "| value | English | Nederlands |", "|---|---|---|"]
                lines += [f"| `{c.value}` | {c.label_en} | {c.label_nl} |" for c in f.categories]
                lines.append("")
        if s.checks:
            lines += ["Checks across fields / controles tussen velden:", ""]
            for c in s.checks:
                lines.append(f"- `{c.rule}` ({c.severity}): {c.message}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def dictionary_files() -> dict[str, str]:
    """The files ``data_dictionary/`` should hold: file name → text."""
    files = {f"{t}.schema.yaml": schema_text(t) for t in TABLES}
    files["CODEBOOK.md"] = render_codebook()
    return files


def write_dictionary(folder: str | Path) -> list[Path]:
    """Write the schema copies and ``CODEBOOK.md`` into ``folder``; return the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in dictionary_files().items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return written


def stale_files(folder: str | Path) -> list[str]:
    """Names of files in ``folder`` that differ from what :func:`write_dictionary` would write."""
    out = Path(folder)
    return [name for name, text in dictionary_files().items()
            if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text]
