"""A draft import mapping from what the files hold (``kow-research init-mapping``).

:func:`draft_mapping` reads the team's files (every sheet of a workbook, SPSS variable and value
labels, CSV encodings and delimiters), profiles every column (distinct values, date patterns,
decimal commas, yes/no words, SPSS user-missing values), proposes a dictionary field for each
column by similarity to the field's name, its English and Dutch titles and the names teams use
(``x-names`` in the dictionary: respnr, conditie, geslacht, leeftijd, ...), recognises wide
ladder (``PL_T0, PL_T0_dat, ...``) and session columns, and writes a mapping with a comment on
every line saying what was found and what to check. Nothing here is final: the researcher
checks the lines marked ``CHECK`` and runs ``kow-research import``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from kow_research.data.delimited import read_delimited
from kow_research.data.mapping import text_key
from kow_research.data.readers import (
    EXCEL_EXTENSIONS,
    RawTable,
    ReadError,
    read_parquet,
    read_sav,
    read_sheet,
    sheet_names,
)
from kow_research.data.schema import TABLES, Field, get_schema

_THRESHOLD = 0.78
_DATE_PATTERNS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "iso"),
    (re.compile(r"(\d{1,2})-(\d{1,2})-\d{4}"), "%d-%m-%Y"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/\d{4}"), "%d/%m/%Y"),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.\d{4}"), "%d.%m.%Y"),
)
_BOOLEAN_PAIRS = ((("ja", "j"), ("nee", "n")), (("waar",), ("onwaar",)),
                  (("yes", "y"), ("no",)), (("true",), ("false",)), (("1",), ("0",)))
_WAVE = re.compile(r"(?P<pre>.*?)(?P<key>T\d{1,3})(?P<post>(?:[_ .-].*)?)", re.IGNORECASE)
_NUMBERED = re.compile(r"(?P<pre>.*?[A-Za-z_ .-])(?P<key>\d{1,2})(?P<post>(?:[_ .-].*)?)")
_DISTINCTIVE = {"participants": ("sex", "age", "cohort", "diagnosis_group", "benefit", "smi"),
                "ladder": ("rung", "wave"), "spells": ("kind", "hours_per_week", "end_date"),
                "sessions": ("session_number", "attended", "session_type")}


def _norm(text: str) -> str:
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


@dataclass
class Column:
    """What one source column holds."""

    name: str
    label: str = ""
    values: list[Any] = field(default_factory=list)  # distinct non-empty values (a sample)
    n_distinct: int = 0
    value_labels: dict[Any, str] = field(default_factory=dict)
    missing_ranges: list[tuple[float, float]] = field(default_factory=list)
    native_dates: bool = False

    @property
    def texts(self) -> list[str]:
        return [text_key(v) for v in self.values]

    def date_format(self) -> str | None:
        """The date format of the text values ("iso", "%d-%m-%Y", ...) or None."""
        texts = [t for t in self.texts if t]
        if self.native_dates or not texts:
            return None
        for pattern, fmt in _DATE_PATTERNS:
            matches = [pattern.fullmatch(t) for t in texts]
            if all(matches):
                if fmt != "iso" and any(int(m.group(2)) > 12 for m in matches if m) and not any(
                        int(m.group(1)) > 12 for m in matches if m):
                    return fmt.replace("%d", "%X").replace("%m", "%d").replace("%X", "%m")
                return fmt
        return None

    def booleans(self) -> tuple[list[str], list[str]] | None:
        words = {t.casefold() for t in self.texts}
        for true, false in _BOOLEAN_PAIRS:
            if words and words <= set(true) | set(false):
                return ([t for t in self.texts if t.casefold() in true],
                        [t for t in self.texts if t.casefold() in false])
        return None

    def sample(self, k: int = 4) -> str:
        shown = [f"{text_key(v)} = {self.value_labels[v]}" if v in self.value_labels else
                 text_key(v) for v in self.values[:k]]
        more = ", ..." if self.n_distinct > k else ""
        return ", ".join(shown) + more


@dataclass
class Unit:
    """One source file or sheet."""

    file: str
    sheet: str | None
    kind: str
    rows: int
    columns: list[Column]
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)


def _profile(raw: RawTable) -> list[Column]:
    cols = []
    for name in raw.frame.columns:
        s = raw.frame[name]
        present = s[s.notna() & (s.astype(object) != "")]
        uniq = list(pd.unique(present.astype(object)))
        cols.append(Column(
            name=str(name), label=raw.variable_labels.get(name, ""), values=uniq[:200],
            n_distinct=len(uniq), value_labels=raw.value_labels.get(name, {}),
            missing_ranges=raw.missing_ranges.get(name, []),
            native_dates=pd.api.types.is_datetime64_any_dtype(s.dtype) or (
                bool(uniq) and all(hasattr(v, "year") for v in uniq[:50]))))
    return cols


def _profile_sources(paths: list[Path]) -> list[Unit]:
    """Read every file (every sheet of a workbook) and profile its columns."""
    units = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt", ".tsv"):
            try:
                raw, encoding = read_delimited(path), "utf-8"
            except ReadError as exc:
                if "not UTF-8" not in str(exc):
                    raise
                raw, encoding = read_delimited(path, encoding="cp1252"), "cp1252"
            delim = next((n.target for n in raw.notes if n.rule == "delimiter"), None)
            units.append(Unit(path.name, None, "csv", len(raw.frame), _profile(raw),
                              encoding=encoding, delimiter=delim))
        elif suffix in EXCEL_EXTENSIONS:
            names = sheet_names(path)
            for sheet in names:
                try:
                    raw = read_sheet(path, sheet)
                except ReadError:
                    continue  # an empty or explanation-only sheet
                if raw.frame.shape[1] < 2:
                    continue
                units.append(Unit(path.name, sheet, "xlsx", len(raw.frame), _profile(raw),
                                  sheets=names))
        elif suffix == ".sav":
            raw = read_sav(path)
            units.append(Unit(path.name, None, "sav", len(raw.frame), _profile(raw)))
        elif suffix == ".parquet":
            raw = read_parquet(path)
            units.append(Unit(path.name, None, "parquet", len(raw.frame), _profile(raw)))
    return units


def _similarity(column: Column, f: Field) -> float:
    """How well a column's name (or SPSS label) matches a dictionary field, 0 to 1."""
    names = [f.name, f.title_en, f.title_nl, *f.names]
    targets = [_norm(n) for n in names]
    best = 0.0
    for text, weight in ((column.name, 1.0), (column.label, 0.95)):
        t = _norm(text)
        if not t:
            continue
        for target in targets:
            score = 1.0 if t == target else difflib.SequenceMatcher(None, t, target).ratio()
            best = max(best, weight * score)
    return best


def _fits(column: Column, f: Field) -> bool:
    """Whether the values could belong to the field's type (keeps 'datum' off 'age')."""
    if f.type == "date":
        return column.native_dates or column.date_format() is not None or not column.values
    if column.native_dates:
        return False
    return True


def _match_columns(unit: Unit, table: str, taken: set[str]) -> dict[str, tuple[str, float]]:
    """Field → (column, score) for the best one-to-one matches above the threshold."""
    schema = get_schema(table)
    scores = sorted(((_similarity(c, f), f.name, c.name) for f in schema.fields
                     for c in unit.columns if c.name not in taken and _fits(c, f)), reverse=True)
    out: dict[str, tuple[str, float]] = {}
    used: set[str] = set()
    for score, name, col in scores:
        if score >= _THRESHOLD and name not in out and col not in used:
            out[name] = (col, score)
            used.add(col)
    return out


def _wide_groups(unit: Unit, pattern: re.Pattern[str]) -> dict[tuple[str, str], list[str]]:
    """(prefix, suffix) → key values, for column names like PL_T0, PL_T0_dat, ..."""
    groups: dict[tuple[str, str], list[str]] = {}
    for c in unit.columns:
        m = pattern.fullmatch(c.name)
        if m:
            groups.setdefault((m.group("pre"), m.group("post")), []).append(m.group("key"))
    return {k: v for k, v in groups.items() if len(v) >= 2}


def _wide(unit: Unit, table: str) -> dict[str, str] | None:
    """Templates for a wide ladder (``PL_{wave}``) or wide sessions (``x_{session_number}``)."""
    key = "wave" if table == "ladder" else "session_number"
    groups = _wide_groups(unit, _WAVE if table == "ladder" else _NUMBERED)
    if not groups:
        return None
    by_name = {c.name: c for c in unit.columns}
    templates: dict[str, str] = {}
    for (pre, post), keys in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        cols = [by_name[f"{pre}{k}{post}"] for k in keys if f"{pre}{k}{post}" in by_name]
        dates = all(c.native_dates or c.date_format() for c in cols if c.values)
        template = f"{pre}{{{key}}}{post}"
        if table == "ladder":
            name = "assessment_date" if dates else "rung"
        else:
            name = "session_date" if dates else "attended"
        templates.setdefault(name, template)
    if table == "ladder" and "rung" not in templates:
        return None
    if table == "sessions" and "attended" not in templates:
        return None
    return templates


def _score(unit: Unit, table: str) -> int:
    matched = _match_columns(unit, table, set())
    count = sum(1 for f in _DISTINCTIVE[table] if f in matched)
    if table in ("ladder", "sessions") and _wide(unit, table):
        count += 3
    return count


def _q(value: Any) -> str:
    """A value as YAML (quoted where YAML needs it), for a flow mapping or a block line."""
    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1000)
    return text.strip()[1:-1]


_PROGRAMMES = (("kansen op werk", "KOW"), ("individual placement", "IPS"), ("ips", "IPS"),
               ("grip op werk", "GOW"), ("care as usual", "CAU"), ("gebruikelijke zorg", "CAU"),
               ("treatment as usual", "TAU"), ("tau", "TAU"), ("cau", "CAU"), ("kow", "KOW"),
               ("gow", "GOW"))


def _pattern_lines(c: Column, f: Field) -> list[str]:
    """A recode for a text field with a pattern (cohort, wave) whose values do not fit it."""
    assert f.pattern is not None
    shown = [text_key(c.value_labels.get(v, v)) for v in c.values]
    if not shown or all(re.fullmatch(f.pattern, t) and not t.isdigit() for t in shown):
        return []
    pairs: dict[str, str] = {}
    core = f.pattern.replace("{1,32}", "+")
    for t in shown[:20]:
        found = re.search(core, t) if f.name == "wave" else None
        guess = found.group(0) if found else next(
            (code for words, code in _PROGRAMMES if words in t.casefold()), "?")
        pairs[t] = guess
    body = ", ".join(f"{_q(k)}: {_q(v)}" for k, v in pairs.items())
    what = "the cohort codes reports should use (e.g. KOW, CAU)" if f.name == "cohort" else (
        f"values of the pattern {f.pattern}")
    return [f"      {f.name}: {{{body}}}   # CHECK: {what}"]


def _recode_lines(c: Column, f: Field) -> list[str]:
    """A recode for a categorical field, from the values or SPSS value labels found."""
    if not f.categories:
        return []
    words: dict[str, str] = {}
    for cat in f.categories:
        for w in (cat.value, cat.label_en, cat.label_nl):
            words[text_key(w).casefold()] = str(cat.value)
    shown = [c.value_labels.get(v, v) for v in c.values]
    texts = [text_key(v) for v in shown]
    if texts and all(t.casefold() in words for t in texts):
        if all(t in {str(cat.value) for cat in f.categories} for t in texts):
            return []
        source = "labels" if c.value_labels else "values"
        return [f"      {f.name}: dictionary   # {source} {', '.join(texts[:6])}: the "
                "dictionary's own values or labels"]
    pairs = {t: words.get(t.casefold(), "") for t in texts[:20]}
    unknown = [t for t, v in pairs.items() if not v]
    body = ", ".join(f"{_q(t)}: {_q(v) if v else _q('?')}" for t, v in pairs.items())
    note = f"CHECK: give the dictionary value for {', '.join(unknown[:5])}" if unknown else (
        "CHECK")
    allowed = ", ".join(str(cat.value) for cat in f.categories)
    return [f"      {f.name}: {{{body}}}   # {note} (allowed: {allowed})"]


def _date_formats(table: str, unit: Unit) -> list[str]:
    """The non-ISO date formats of the text columns matched to date fields."""
    schema, by_name = get_schema(table), {c.name: c for c in unit.columns}
    out = []
    for name, (col, _) in _match_columns(unit, table, set()).items():
        fmt = by_name[col].date_format() if schema.field(name).type == "date" else None
        if fmt and fmt != "iso":
            out.append(fmt)
    return out


def _table_lines(table: str, unit: Unit, taken: set[str], common_format: str | None
                 ) -> tuple[list[str], set[str]]:
    schema = get_schema(table)
    lines = [f"  {table}:", f"    source: {_q(unit.file)}   # {unit.kind}: {unit.rows} rows, "
             f"{len(unit.columns)} columns"]
    if unit.sheet is not None:
        lines.append(f"    sheet: {_q(unit.sheet)}   # sheets: {', '.join(unit.sheets)}")
    if unit.encoding and unit.encoding != "utf-8":
        lines.append(f"    encoding: {unit.encoding}   # not UTF-8: Windows-1252 (Dutch Excel)")
    by_name = {c.name: c for c in unit.columns}
    wide = _wide(unit, table) if table in ("ladder", "sessions") else None
    matched = _match_columns(unit, table, taken)
    used: set[str] = set()
    if wide:
        key = "wave" if table == "ladder" else "session_number"
        keep = {"participant_id"} & set(matched)
        matched = {k: v for k, v in matched.items() if k in keep}
        for template in wide.values():
            regex = re.compile(re.escape(template).replace(re.escape(f"{{{key}}}"), ".+"))
            used |= {c.name for c in unit.columns if regex.fullmatch(c.name)}
    lines.append("    columns:")
    recodes: list[str] = []
    per_field_formats: dict[str, str] = {}
    booleans: tuple[list[str], list[str]] | None = None
    missing: dict[str, list[str]] = {}
    for f in schema.fields:
        if f.name not in matched:
            if not wide or f.name not in ("rung", "assessment_date", "wave", "attended",
                                          "session_date", "session_number"):
                need = "required" if f.required else "optional"
                lines.append(f"      # {f.name}: ?   # CHECK: no column found ({need}: "
                             f"{f.title_en} / {f.title_nl})")
            continue
        col, score = matched[f.name]
        c = by_name[col]
        used.add(col)
        info = [f"{_q(c.label)}" if c.label else "", c.sample()]
        check = "CHECK: " if score < 0.95 else ""
        lines.append(f"      {f.name}: {_q(col)}   # {check}{'; '.join(i for i in info if i)}")
        if f.type == "string":
            recodes += _recode_lines(c, f) if f.categories else (
                _pattern_lines(c, f) if f.pattern else [])
        if f.type == "date":
            fmt = c.date_format()
            if fmt and fmt != "iso" and fmt != common_format:
                per_field_formats[f.name] = fmt
        if f.type == "boolean" and not c.value_labels:
            found = c.booleans()
            if found and not all(w in (*f.true_values, *f.false_values) for w in c.texts):
                booleans = found
        if f.type in ("integer", "number") and not c.missing_ranges:
            lo, hi = f.minimum, f.maximum
            odd = sorted({t for t, v in zip(c.texts, c.values, strict=True)
                          if isinstance(v, int | float) and not isinstance(v, bool) and (
                              (lo is not None and v < lo) or (hi is not None and v > hi))})
            if odd:
                missing[f.name] = odd
        if c.missing_ranges:
            ranges = ", ".join(f"{text_key(lo)}" if lo == hi else f"{text_key(lo)}-{text_key(hi)}"
                               for lo, hi in c.missing_ranges)
            lines[-1] += f"; SPSS user-missing {ranges} are read as missing"
    if wide:
        lines.append("    wide:   # one row per person and value of the placeholder")
        body = ", ".join(f'{k}: "{v}"' for k, v in wide.items())
        lines.append(f"      columns: {{{body}}}")
        if table == "sessions":
            lines.append("      # per_value: {session_type: {1: information, 2: training, ...}}"
                         "   # CHECK: the type of each session number")
    if recodes:
        lines.append("    recode:")
        lines += recodes
    if per_field_formats:
        shown = ", ".join(f"{k}: {_q(v)}" for k, v in per_field_formats.items())
        lines.append(f"    date_format: {{{shown}}}   # found in the values")
    if booleans:
        lines.append(f"    booleans: {{true: {_q(booleans[0])}, false: {_q(booleans[1])}}}")
    if missing:
        body = ", ".join(f"{k}: {_q(v)}" for k, v in missing.items())
        lines.append(f"    missing: {{{body}}}   # CHECK: outside the allowed range; codes "
                     "for 'unknown'?")
    decimal = any(re.fullmatch(r"-?\d+,\d+", t) for f in schema.fields if f.type == "number"
                  and f.name in matched for t in by_name[matched[f.name][0]].texts)
    if decimal:
        lines.append("    decimal: ','   # numbers are written with a decimal comma")
    return lines, used


def draft_mapping(paths: list[Path]) -> str:
    """Write a draft mapping (YAML with comments) for the files at ``paths``.

    Parameters
    ----------
    paths : list of Path
        The team's files.

    Returns
    -------
    str
        A mapping that :func:`kow_research.data.mapping.load_mapping` reads, with a comment on
        every line saying what was found; lines marked ``CHECK`` need the researcher's eye.

    Raises
    ------
    ReadError
        When a file cannot be read, or none holds a table.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "deelnemers.csv"
    >>> _ = path.write_text("Respnr;Geslacht;Leeftijd;Start\\n101;vrouw;34;3-2-2020\\n"
    ...                     "102;Man;41;10-2-2020\\n", encoding="utf-8")
    >>> text = draft_mapping([path])
    >>> print("\\n".join(line for line in text.splitlines() if ": " in line and "#" in line
    ...                  and not line.lstrip().startswith("#") and "date_format" not in line))
        source: deelnemers.csv   # csv: 2 rows, 4 columns
          participant_id: Respnr   # 101, 102
          start_date: Start   # 3-2-2020, 10-2-2020
          age: Leeftijd   # 34, 41
          sex: Geslacht   # vrouw, Man
          sex: dictionary   # values vrouw, Man: the dictionary's own values or labels
    """
    units = _profile_sources(paths)
    if not units:
        raise ReadError("no readable table in " + ", ".join(p.name for p in paths))
    chosen: dict[str, Unit] = {}
    for table in TABLES:
        ranked = sorted(units, key=lambda u: -_score(u, table))
        if ranked and _score(ranked[0], table) >= (2 if table == "participants" else 1):
            chosen[table] = ranked[0]
    names = " ".join(p.name for p in paths)
    lines = [f"# Draft import mapping written by `kow-research init-mapping` from {names}.",
             "# Check every line marked CHECK (and the matches), then run",
             f"#   kow-research import {names} --mapping mapping.yaml --out STUDY_FOLDER",
             "# The format is described in data_dictionary/MAPPING.md.",
             "kow_research_mapping: 1"]
    body: list[str] = []
    formats = [fmt for table, unit in chosen.items() for fmt in _date_formats(table, unit)]
    common = max(set(formats), key=formats.count) if formats else None
    used_by_unit: dict[int, set[str]] = {}
    for table in TABLES:
        if table not in chosen:
            body.append(f"  # {table}: no file found for this table (it is read as empty)")
            continue
        unit = chosen[table]
        table_lines, used = _table_lines(table, unit, set(), common)
        used_by_unit.setdefault(id(unit), set()).update(used)
        body += table_lines
    if common:
        lines += ["defaults:", f"  date_format: {_q(common)}   # CHECK: the date format found in "
                  f"{formats.count(common)} date column(s) (day-month-year?)"]
    lines.append("tables:")
    lines += body
    for unit in units:
        rest = [c.name for c in unit.columns if c.name not in used_by_unit.get(id(unit), set())]
        if rest:
            where = f"{unit.file}[{unit.sheet}]" if unit.sheet else unit.file
            lines.append(f"# not matched in {where}: {', '.join(rest)}")
    return "\n".join(lines) + "\n"
