"""Import a team's own files into a canonical study with a mapping (``kow-research import``).

:func:`import_study` reads the files a mapping names (CSV in any encoding and delimiter, Excel
sheets, SPSS ``.sav``, Parquet), applies the mapping's renames, recodes, missing codes, date
formats, decimal commas, yes/no words and wide-to-long reshaping, validates the result against
the data dictionary and returns a typed :class:`~kow_research.data.study.Study`. Every change
is counted in the import log (table, column, rule, from, to, rows); no record is dropped (rows
whose every field is empty carry nothing and are counted as skipped), and every record keeps
the file and row it came from, so each validation message names the original file, row and
column. :func:`write_study_folder` writes the canonical study folder.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.data.delimited import read_delimited
from kow_research.data.io import write_study
from kow_research.data.mapping import Mapping, MappingError, TableMapping, load_mapping
from kow_research.data.readers import (
    EXCEL_EXTENSIONS,
    RawTable,
    ReadError,
    read_parquet,
    read_sav,
    read_sheet,
)
from kow_research.data.schema import TABLES, get_schema
from kow_research.data.study import Study, TableSource
from kow_research.data.study_design import FILE_NAME as DESIGN_FILE
from kow_research.data.study_design import StudyDesign, load_design, write_design
from kow_research.data.transform import Log, SpssMeta, transform_column
from kow_research.data.validate import ValidationError, check_study

LOG_NAME = "import_log.csv"
MAPPING_NAME = "mapping.yaml"
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class _Part:
    """One source file (or sheet) of a table, as read."""

    raw: RawTable
    file: str


def source_files(sources: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files given as sources: files as they are, folders as the files directly in them
    (hidden files and Excel's ``~$`` lock files left out).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("werk.csv", "deelnemers.csv", "~$deelnemers.xlsx"):
    ...     _ = (folder / name).write_text("x")
    >>> [p.name for p in source_files(folder)]
    ['deelnemers.csv', 'werk.csv']
    """
    items = [sources] if isinstance(sources, str | Path) else list(sources)
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(
                ("~$", ".")))
        elif path.is_file():
            out.append(path)
        else:
            raise ReadError(f"{path}: no such file or folder", file=path.name)
    return out


def _locate(name: str, given: list[Path], mapping: Mapping, where: str) -> Path:
    """The file a mapping's ``source`` names: a given source with that name, or a path relative
    to the mapping file."""
    hits = [p for p in given if p.name.casefold() == Path(name).name.casefold()]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise MappingError(f"{where}: {name!r} matches several sources "
                           f"({', '.join(map(str, hits))}); give its folder as well")
    candidates = [Path(name)] + ([mapping.folder / name] if mapping.folder is not None else [])
    for c in candidates:
        if c.is_file():
            return c
    listing = ", ".join(p.name for p in given) or "none"
    raise MappingError(f"{where}: source {name!r} is not among the files given ({listing}) "
                       "and not beside the mapping file")


class _Reader:
    """Reads each (file, sheet, options) once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], RawTable] = {}

    def read(self, path: Path, tm: TableMapping, defaults: dict[str, Any]) -> RawTable:
        suffix = path.suffix.lower()
        header_row = int(tm.option("header_row", defaults, 1))
        if suffix in TEXT_EXTENSIONS:
            key: tuple[Any, ...] = (path, tm.option("encoding", defaults, "utf-8"),
                                    tm.option("delimiter", defaults), header_row)
            if key not in self.cache:
                self.cache[key] = read_delimited(path, encoding=key[1], delimiter=key[2],
                                                 header_row=header_row)
        elif suffix in EXCEL_EXTENSIONS:
            key = (path, tm.sheet, header_row)
            if key not in self.cache:
                self.cache[key] = read_sheet(path, tm.sheet, header_row=header_row,
                                             table=tm.table)
        elif suffix == ".sav":
            key = (path,)
            if key not in self.cache:
                self.cache[key] = read_sav(path)
        elif suffix == ".parquet":
            key = (path,)
            if key not in self.cache:
                self.cache[key] = read_parquet(path)
        elif suffix == ".xls":
            raise ReadError(f"{path}: old Excel format (.xls); save it as .xlsx", file=path.name)
        else:
            raise ReadError(f"{path}: unknown kind of file {suffix!r} (import reads .csv, .txt, "
                            ".tsv, .xlsx, .sav and .parquet)", file=path.name)
        return self.cache[key]


def _column(name: str, columns: list[str], where: str) -> str:
    """The source column called ``name``: exactly, or ignoring case and surrounding spaces."""
    if name in columns:
        return name
    hits = [c for c in columns if c.strip().casefold() == str(name).strip().casefold()]
    if len(hits) == 1:
        return hits[0]
    close = difflib.get_close_matches(str(name), columns, n=3)
    hint = f"; close: {', '.join(map(repr, close))}" if close else ""
    raise MappingError(f"{where}: no column {name!r} in the source{hint}; the columns are "
                       f"{', '.join(map(repr, columns))}")


def _combine_parts(parts: list[_Part]) -> tuple[pd.DataFrame, TableSource, RawTable]:
    first = parts[0].raw
    if len(parts) == 1:
        return first.frame, first.source, first
    frames = [p.raw.frame.astype(object) for p in parts]
    frame = pd.concat(frames, ignore_index=True)
    rows = np.concatenate([p.raw.source.row_numbers(np.arange(len(p.raw.frame))) for p in parts])
    files = np.concatenate([np.full(len(p.raw.frame), p.raw.source.name, dtype=object)
                            for p in parts])
    name = " + ".join(p.raw.source.name for p in parts)
    return frame, TableSource(name=name, rows=rows, files=files), first


def _spss(parts: list[_Part], column: str) -> SpssMeta | None:
    for p in parts:
        if p.raw.kind == "sav" and column in p.raw.frame.columns:
            return SpssMeta(value_labels=p.raw.value_labels.get(column, {}),
                            missing_ranges=p.raw.missing_ranges.get(column, []))
    return None


def _formats(tm: TableMapping, mapping: Mapping) -> dict[str, str]:
    out = {}
    for f in get_schema(tm.table).fields:
        if f.type == "date":
            fmts = [x for x in tm.rules(f.name, mapping.defaults).date_format if x != "iso"]
            if fmts:
                shown = " or ".join("an Excel serial number" if x == "excel" else x for x in fmts)
                out[f.name] = f"a date as {shown} or YYYY-MM-DD (date_format in the mapping)"
    return out


def _wide_columns(tm: TableMapping, columns: list[str]) -> tuple[list[str], dict[tuple[str, str],
                                                                                 str]]:
    """Key values in order and the source column of every (field, key value)."""
    wide = tm.wide
    assert wide is not None
    found: dict[tuple[str, str], str] = {}
    order: list[str] = []
    for col in columns:
        best: tuple[str, str] | None = None
        for name, template in wide.columns.items():
            m = wide.pattern(template).fullmatch(col)
            if m and (best is None or len(m.group("key")) < len(best[1])):
                best = (name, m.group("key"))
        if best is not None:
            found.setdefault(best, col)
            if best[1] not in order:
                order.append(best[1])
    values = [str(v) for v in wide.values] if wide.values is not None else order
    if not values:
        raise MappingError(f"tables.{tm.table}.wide: no source column matches "
                           f"{', '.join(wide.columns.values())}")
    lookup = {(n, v.casefold()): c for (n, v), c in found.items()}
    return values, {(n, v): lookup[(n, v.casefold())] for n in wide.columns for v in values
                    if (n, v.casefold()) in lookup}


def _constant(value: str, n: int) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int64),
                                               categories=pd.Index([value], dtype=object)))


def _build(tm: TableMapping, parts: list[_Part], mapping: Mapping, log: Log
           ) -> tuple[pd.DataFrame, TableSource, set[str]]:
    """The raw canonical frame of one table, its source and the source columns used."""
    table, schema = tm.table, get_schema(tm.table)
    frame, source, _ = _combine_parts(parts)
    cols = [str(c) for c in frame.columns]
    where = f"tables.{table}"
    n = len(frame)
    used: set[str] = set()
    out: dict[str, Any] = {}
    names: dict[str, Any] = {}

    def field_column(name: str) -> pd.Series:
        src = _column(tm.columns[name], cols, f"{where}.columns.{name}")
        used.add(src)
        names[name] = src
        if src != name:
            log.add(table, name, "rename", src, name, n)
        return transform_column(frame[src], schema.field(name), tm.rules(name, mapping.defaults),
                                table=table, source_column=src, log=log, spss=_spss(parts, src))

    if tm.wide is None:
        for f in schema.fields:
            if f.name in tm.columns:
                out[f.name] = field_column(f.name)
            elif f.name in tm.constants:
                out[f.name] = _constant(str(tm.constants[f.name]), n)
                log.add(table, f.name, "constant", "(mapping)", tm.constants[f.name], n)
        rows = np.arange(n)
    else:
        out, rows, wide_names = _melt(tm, frame, cols, parts, mapping, log, used, field_column)
        names.update(wide_names)
    m = len(rows)
    missing_required = [f.name for f in schema.fields if f.required and f.name not in out]
    if missing_required:
        raise MappingError(f"{where}: no source for the required field(s) "
                           f"{', '.join(missing_required)}; map them under columns: (source "
                           f"columns: {', '.join(map(repr, cols))})")
    for f in schema.fields:
        if f.name not in out:
            out[f.name] = pd.Series([None] * m, dtype=object)
            log.add(table, f.name, "not_in_source", "", "(empty)", m)
    frame_out = pd.DataFrame({f.name: out[f.name].reset_index(drop=True) for f in schema.fields})
    src = source.take(rows)
    src = TableSource(name=source.name, first_row=source.first_row, rows=src.rows,
                      files=src.files, columns=names, formats=_formats(tm, mapping))
    return frame_out, src, used


def _melt(tm: TableMapping, frame: pd.DataFrame, cols: list[str], parts: list[_Part],
          mapping: Mapping, log: Log, used: set[str], field_column: Any
          ) -> tuple[dict[str, Any], np.ndarray, dict[str, Any]]:
    """Wide columns to long rows: one row per source row and key value that has any value."""
    wide = tm.wide
    assert wide is not None
    table, schema = tm.table, get_schema(tm.table)
    values, sources = _wide_columns(tm, cols)
    n, k = len(frame), len(values)
    per_field: dict[str, list[pd.Series]] = {}
    present = np.zeros((n, k), dtype=bool)
    for name in wide.columns:
        f, rules = schema.field(name), tm.rules(name, mapping.defaults)
        series = []
        for j, v in enumerate(values):
            src = sources.get((name, v))
            if src is None:
                series.append(pd.Series([None] * n, dtype=object))
                continue
            used.add(src)
            s = transform_column(frame[src], f, rules, table=table, source_column=src, log=log,
                                 spss=_spss(parts, src)).astype(object)
            present[:, j] |= s.notna().to_numpy()
            series.append(s)
        per_field[name] = series
    row, col = np.nonzero(present)  # row-major: every wave of the first person, then the next
    for jj, v in enumerate(values):
        empty = int(n - present[:, jj].sum())
        log.add(table, wide.key, "wide_empty", f"{wide.key} {v}: all of "
                + ", ".join(sources.get((nm, v), "(absent)") for nm in wide.columns), "no row",
                empty)
    log.add(table, "", "wide_to_long", ", ".join(wide.columns.values()), f"{table} rows",
            len(row))
    out: dict[str, Any] = {}
    names: dict[str, Any] = {}
    for name, series in per_field.items():
        stacked = pd.concat(series, ignore_index=True) if series else pd.Series(dtype=object)
        out[name] = stacked.iloc[col * n + row].reset_index(drop=True)
        names[name] = np.asarray([sources.get((name, values[jj]), "") for jj in col], dtype=object)
    out[wide.key] = pd.Series(np.asarray(values, dtype=object)[col], dtype=object)
    for name, table_of in wide.per_value.items():
        lookup = {str(key): str(val) for key, val in table_of.items()}
        out[name] = pd.Series([lookup.get(values[jj]) for jj in col], dtype=object)
        log.add(table, name, "per_value", wide.key, name, len(row))
    for f in schema.fields:
        if f.name in out:
            continue
        if f.name in tm.columns:
            out[f.name] = field_column(f.name).iloc[row].reset_index(drop=True)
        elif f.name in tm.constants:
            out[f.name] = _constant(str(tm.constants[f.name]), len(row))
            log.add(table, f.name, "constant", "(mapping)", tm.constants[f.name], len(row))
    return out, row, names


def import_study(sources: str | Path | Sequence[str | Path], mapping: Any, *,
                 strict: bool = True, today: _dt.date | None = None) -> Study:
    """Turn a team's own files into a canonical, validated study with a mapping.

    Parameters
    ----------
    sources : str, Path or list of them
        The team's files (CSV, Excel, SPSS ``.sav``, Parquet) or folders holding them; the
        mapping names each table's file by its file name.
    mapping : str, Path, dict or Mapping
        The import mapping (a YAML file; see ``data_dictionary/MAPPING.md`` and
        :func:`kow_research.data.mapping.load_mapping`).
    strict : bool, default True
        Raise :class:`ValidationError` when the imported data break the dictionary's rules
        (the import log is ``exc.import_log``). With ``strict=False`` the study is returned
        anyway with the report in ``meta["validation"]``.
    today : datetime.date, optional
        The date plausible ranges ("today + 1 year") are resolved on.

    Returns
    -------
    Study
        The four tables in canonical dtypes, in source order; ``sources`` give each record's
        original file and row; ``meta`` holds ``validation``, ``import_log`` (a DataFrame with
        table, column, rule, from, to, rows) and ``mapping`` (the mapping's text).

    Raises
    ------
    MappingError
        When the mapping cannot be used (an unknown key, a column not in the file, a required
        field without a source).
    ReadError
        When a file cannot be read as it is (naming the file, row and column).
    ValidationError
        With ``strict=True``, when the imported tables have errors.

    Examples
    --------
    >>> import datetime, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "team.csv").write_text(
    ...     "respnr;groep;start;einde;lft;geslacht;epa;uitkering;diagnose\\n"
    ...     "101;KOW;3-2-2020;2-8-2021;34;vrouw;ja;bijstand;angststoornis\\n", encoding="utf-8")
    >>> study = import_study(folder / "team.csv", '''
    ... kow_research_mapping: 1
    ... defaults: {date_format: "%d-%m-%Y", booleans: {true: [ja], false: [nee]}}
    ... tables:
    ...   participants:
    ...     source: team.csv
    ...     columns: {participant_id: respnr, cohort: groep, start_date: start,
    ...               end_of_followup: einde, age: lft, sex: geslacht, smi: epa,
    ...               benefit: uitkering, diagnosis_group: diagnose}
    ...     recode: {sex: dictionary, diagnosis_group: dictionary}
    ... ''', today=datetime.date(2026, 1, 1))
    >>> study.participants[["participant_id", "start_date", "sex", "smi"]].astype(str).iloc[0].tolist()
    ['101', '2020-02-03', 'female', 'True']
    >>> study.meta["import_log"].query("rule == 'recode_dictionary'")[["from", "to"]].values.tolist()
    [['vrouw', 'female'], ['angststoornis', 'anxiety']]
    """
    m = load_mapping(mapping)
    given = source_files(sources)
    log = Log()
    reader = _Reader()
    frames: dict[str, Any] = {}
    table_sources: dict[str, TableSource] = {}
    skipped: dict[str, np.ndarray] = {}
    used_by_file: dict[str, set[str]] = {}
    parts_by_file: dict[str, RawTable] = {}
    for table in TABLES:
        tm = m.tables.get(table)
        if tm is None:
            continue
        names = list(tm.sources)
        if not names:
            if len(given) != 1:
                raise MappingError(f"tables.{table}: name its file under source: (the files "
                                   f"given are {', '.join(p.name for p in given) or 'none'})")
            names = [given[0].name]
        parts = []
        for name in names:
            path = _locate(name, given, m, f"tables.{table}.source")
            raw = reader.read(path, tm, m.defaults)
            parts.append(_Part(raw=raw, file=path.name))
            parts_by_file[raw.source.name] = raw
            for note in raw.notes:
                log.add(table, note.column, note.rule, note.source, note.target, note.rows)
            encoding = str(tm.option("encoding", m.defaults, "utf-8"))
            if raw.kind == "csv" and encoding.replace("_", "-").lower() not in ("utf-8",
                                                                                 "utf8"):
                log.add(table, "", "encoding", encoding, "UTF-8", len(raw.frame))
        frame, source, used = _build(tm, parts, m, log)
        for part in parts:
            used_by_file.setdefault(part.raw.source.name, set()).update(used)
        frames[table] = frame
        table_sources[table] = source
        rows = np.concatenate([p.raw.skipped for p in parts])
        if len(rows):
            skipped[table] = rows
    ignored = {c for t in m.tables.values() for c in t.ignore}
    for name, raw in parts_by_file.items():
        for col in raw.frame.columns:
            if col not in used_by_file.get(name, set()):
                rule = "ignored" if col in ignored else "not_imported"
                log.add("", str(col), rule, name, "", len(raw.frame))
    missing = [t for t in TABLES if t not in frames]
    for t in missing:
        frames[t] = Study.empty_table(t)
    raw_study = Study(**frames, sources=table_sources,
                      meta={"missing_tables": missing, "skipped_rows": skipped})
    report, typed = check_study(raw_study, today=today)
    log_frame = log.frame()
    if strict and not report.ok:
        exc = ValidationError(report)
        exc.import_log = log_frame
        raise exc
    return Study(**typed, sources=table_sources,
                 meta={"validation": report, "import_log": log_frame, "mapping": m.text,
                       "mapping_path": str(m.path) if m.path else None,
                       "sources": [str(p) for p in given], "missing_tables": missing})


def write_study_folder(study: Study, out: str | Path, *, mapping: str | None = None,
                       log: pd.DataFrame | None = None,
                       design: StudyDesign | None = None) -> list[Path]:
    """Write an imported study as a canonical study folder.

    The folder gets the four tables as CSV (with ``_source_file`` and ``_source_row``, so later
    messages name the original file and row), ``mapping.yaml`` (the mapping as given),
    ``import_log.csv`` and the design ``study.yaml`` — a draft resolved from the data (index
    programme = the first cohort, every other cohort a comparator, waves from the ladder's wave
    labels) for the researcher to complete, unless the folder already has one (which is never
    overwritten).

    Parameters
    ----------
    study : Study
        As returned by :func:`import_study`.
    out : str or Path
        The study folder (created if needed).
    mapping : str, optional
        The mapping's text (default ``study.meta["mapping"]``).
    log : pandas.DataFrame, optional
        The import log (default ``study.meta["import_log"]``).
    design : StudyDesign, optional
        The design to write (default: a draft from the data, see above).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import datetime, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "team.csv").write_text(
    ...     "respnr,start,einde,lft,sekse,epa,uitk,diag\\n"
    ...     "101,2020-02-03,2021-08-02,34,female,false,ww,anxiety\\n", encoding="utf-8")
    >>> study = import_study(folder / "team.csv", '''
    ... kow_research_mapping: 1
    ... tables:
    ...   participants:
    ...     columns: {participant_id: respnr, start_date: start, end_of_followup: einde,
    ...               age: lft, sex: sekse, smi: epa, benefit: uitk, diagnosis_group: diag}
    ...     constants: {cohort: KOW}
    ... ''', today=datetime.date(2026, 1, 1))
    >>> [p.name for p in write_study_folder(study, folder / "study")]
    ['participants.csv', 'ladder.csv', 'spells.csv', 'sessions.csv', 'mapping.yaml', 'import_log.csv', 'study.yaml']
    >>> (folder / "study" / "participants.csv").read_text().splitlines()[0].split(",")[-2:]
    ['_source_file', '_source_row']
    """
    folder = Path(out)
    written = write_study(study, folder, format="csv", provenance=True)
    text = mapping if mapping is not None else study.meta.get("mapping")
    if text:
        (folder / MAPPING_NAME).write_text(str(text), encoding="utf-8")
        written.append(folder / MAPPING_NAME)
    frame = log if log is not None else study.meta.get("import_log")
    if frame is not None:
        frame.to_csv(folder / LOG_NAME, index=False, encoding="utf-8", lineterminator="\n")
        written.append(folder / LOG_NAME)
    if not (folder / DESIGN_FILE).exists():
        draft = design if design is not None else load_design(folder).resolve(
            study.participants, study.ladder, study.sessions)
        written.append(write_design(draft, folder))
    return written
