"""The import mapping: how a team's own files become the canonical tables.

A mapping is a YAML file (documented in ``data_dictionary/MAPPING.md``) that says, per table,
which file and sheet to read, which source column feeds which dictionary field, which values
to recode, which codes mean "missing", how dates, decimals and yes/no words are written, whether
SPSS codes or value labels are read, and how wide columns (``PL_T0, PL_T0_dat, PL_T6, ...``) become
long rows. :func:`load_mapping` checks it completely before any data are read: every unknown key,
unknown table or field, and every value of the wrong kind is reported with its place in the file.

The YAML is read with YAML 1.2 booleans: only ``true``/``false`` are booleans, so ``ja``, ``nee``,
``yes``, ``no``, ``NO`` and ``on`` stay words.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kow_research.core import check_choice
from kow_research.data.schema import TABLES, get_schema

MAPPING_VERSION = 1
SPSS_VALUES = ("auto", "codes", "labels")
SPSS_USER_MISSING = ("missing", "keep")
DECIMALS = (".", ",")
DATE_KEYWORDS = ("iso", "excel")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_OPTION_KEYS = ("encoding", "delimiter", "header_row", "decimal", "date_format", "booleans",
                "missing", "spss_values", "spss_user_missing", "strip")
_TABLE_KEYS = ("source", "sheet", "columns", "constants", "recode", "wide", "ignore",
               *_OPTION_KEYS)
_PER_FIELD = ("decimal", "date_format", "booleans", "missing", "spss_values", "spss_user_missing")


class MappingError(ValueError):
    """A mapping that cannot be used, naming the place in the mapping file and what to do."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (true/false only): ja/nee/yes/no/on/off stay text."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def text_key(value: Any) -> str:
    """A value from the mapping or a source cell as the text it is matched by.

    Whole numbers lose their decimal part (``101.0`` → ``"101"``), booleans become
    ``"true"``/``"false"``, dates ``YYYY-MM-DD``; text is stripped.

    Examples
    --------
    >>> [text_key(v) for v in (101.0, 27.5, True, " vrouw ", "01")]
    ['101', '27.5', 'true', 'vrouw', '01']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value == value.replace(
            hour=0, minute=0, second=0, microsecond=0) else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass(frozen=True)
class Wide:
    """Wide columns that become one long row per key value (a wave, a session number).

    Attributes
    ----------
    columns : dict of str to str
        Dictionary field → column-name template with the key as placeholder, e.g.
        ``{"rung": "PL_{wave}", "assessment_date": "PL_{wave}_dat"}``.
    key : str
        The dictionary field named by the placeholder (``wave``, ``session_number``).
    values : tuple of str or None
        The key values in order; None: every value found in the source's column names.
    per_value : dict
        Field → {key value: field value}, e.g. the session type of each session number.
    """

    columns: dict[str, str]
    key: str
    values: tuple[str, ...] | None = None
    per_value: dict[str, dict[str, str]] = field(default_factory=dict)

    def pattern(self, template: str) -> re.Pattern[str]:
        """A regular expression matching the column names of ``template``."""
        parts = _PLACEHOLDER.split(template)
        regex = "".join(re.escape(p) if i % 2 == 0 else "(?P<key>.+?)"
                        for i, p in enumerate(parts))
        return re.compile(regex, re.IGNORECASE)


@dataclass(frozen=True)
class Rules:
    """How the values of one field are read (resolved from the field, table and defaults)."""

    date_format: tuple[str, ...] = ("iso",)
    decimal: str = "."
    true_words: tuple[str, ...] = ()
    false_words: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    recode: dict[str, str] | str | None = None
    spss_values: str = "auto"
    spss_user_missing: str = "missing"
    strip: bool = True


@dataclass(frozen=True)
class TableMapping:
    """The mapping of one table."""

    table: str
    sources: tuple[str, ...]
    sheet: str | None
    columns: dict[str, str]
    constants: dict[str, str]
    recode: dict[str, dict[str, str] | str]
    wide: Wide | None
    ignore: tuple[str, ...]
    options: dict[str, Any]

    def option(self, name: str, defaults: dict[str, Any], fallback: Any = None) -> Any:
        """A table-wide option (``encoding``, ``delimiter``, ``header_row``, ``strip``)."""
        return self.options.get(name, defaults.get(name, fallback))

    def rules(self, name: str, defaults: dict[str, Any]) -> Rules:
        """The reading rules of field ``name``: per-field entries over table over defaults."""
        resolved: dict[str, Any] = {}
        for key in _PER_FIELD:
            for level in (self.options, defaults):
                value = level.get(key)
                if isinstance(value, dict) and _is_per_field(key, value):
                    if name in value:
                        resolved[key] = value[name]
                        break
                    continue
                if value is not None:
                    resolved[key] = value
                    break
        fmt = resolved.get("date_format", "iso")
        words = resolved.get("booleans") or {}
        missing = tuple(text_key(v) for v in (resolved.get("missing") or ()))
        return Rules(
            date_format=tuple(fmt) if isinstance(fmt, list | tuple) else (str(fmt),),
            decimal=str(resolved.get("decimal", ".")),
            true_words=tuple(text_key(w) for w in words.get("true", ())),
            false_words=tuple(text_key(w) for w in words.get("false", ())),
            missing=missing,
            recode=self.recode.get(name),
            spss_values=str(resolved.get("spss_values", "auto")),
            spss_user_missing=str(resolved.get("spss_user_missing", "missing")),
            strip=str(self.option("strip", defaults, "true")) == "true",
        )


@dataclass(frozen=True)
class Mapping:
    """A checked import mapping (see :func:`load_mapping`)."""

    tables: dict[str, TableMapping]
    defaults: dict[str, Any]
    text: str
    path: Path | None = None

    @property
    def folder(self) -> Path | None:
        """Folder of the mapping file (relative ``source`` paths are looked up there)."""
        return self.path.parent if self.path is not None else None


# ------------------------------------------------------------------------------------ parsing
def _where(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _unknown(key: str, allowed: tuple[str, ...], where: str, what: str = "key") -> MappingError:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
    return MappingError(f"{where}: unknown {what} {key!r}{hint}")


def _norm(value: Any) -> Any:
    """YAML values as the mapping uses them: keys and scalars as text (a delimiter such as a
    tab is kept as it is), lists and dicts kept."""
    if isinstance(value, dict):
        return {text_key(k): _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if value is None or isinstance(value, str):
        return value
    return text_key(value)


def _is_per_field(key: str, value: Any) -> bool:
    """Whether an option is given per field (``{start_date: '%d-%m-%Y'}``) rather than for all
    fields; ``booleans: {true: [...], false: [...]}`` is for all fields."""
    if not isinstance(value, dict) or key not in _PER_FIELD:
        return False
    return not (key == "booleans" and set(value) <= {"true", "false"})


def _choice(place: str, value: Any, allowed: tuple[str, ...]) -> None:
    try:
        check_choice(place, value, allowed)
    except ValueError as exc:
        raise MappingError(str(exc)) from None


def _check_date_format(value: Any, where: str) -> None:
    for fmt in value if isinstance(value, list) else [value]:
        if not isinstance(fmt, str) or not (fmt in DATE_KEYWORDS or "%" in fmt):
            raise MappingError(f"{where}: date_format {fmt!r} is not 'iso', 'excel' or a "
                               "strftime pattern such as '%d-%m-%Y'")


def _check_options(options: dict[str, Any], where: str, table: str | None) -> None:
    fields = get_schema(table).columns if table else None
    for key, value in options.items():
        place = _where(where, key)
        per_field = _is_per_field(key, value)
        if per_field and fields is not None:
            for name in value:
                if name not in fields:
                    raise _unknown(name, tuple(fields), place, f"field of {table}")
        values = list(value.values()) if per_field else [value]
        for v in values:
            if key == "spss_values":
                _choice(place, v, SPSS_VALUES)
            elif key == "spss_user_missing":
                _choice(place, v, SPSS_USER_MISSING)
            elif key == "decimal":
                _choice(place, v, DECIMALS)
            elif key == "date_format":
                _check_date_format(v, place)
            elif key == "booleans":
                if not isinstance(v, dict) or not set(v) <= {"true", "false"}:
                    raise MappingError(f"{place}: give the words as {{true: [ja, WAAR, 1], "
                                       "false: [nee, ONWAAR, 0]}")
            elif key == "missing" and not isinstance(v, list):
                raise MappingError(f"{place}: give missing codes as a list, e.g. [-9, 99, 999]")
        if key == "header_row" and (not str(value).isdigit() or int(value) < 1):
            raise MappingError(f"{place}: header_row must be a row number (1 = first row)")
        if key == "strip":
            _choice(place, value, ("true", "false"))
        if key in ("encoding",):
            import codecs

            try:
                codecs.lookup(str(value))
            except LookupError as exc:
                raise MappingError(f"{place}: unknown encoding {value!r} (use utf-8 or "
                                   "cp1252)") from exc


def _parse_wide(spec: Any, table: str, where: str) -> Wide:
    schema = get_schema(table)
    if not isinstance(spec, dict) or "columns" not in spec:
        raise MappingError(f"{where}: give wide: {{columns: {{rung: 'PL_{{wave}}', "
                           "assessment_date: 'PL_{wave}_dat'}}}")
    for key in spec:
        if key not in ("columns", "values", "per_value"):
            raise _unknown(key, ("columns", "values", "per_value"), where)
    columns = spec["columns"]
    if not isinstance(columns, dict) or not columns:
        raise MappingError(f"{where}.columns: map fields to column-name templates")
    keys = set()
    for name, template in columns.items():
        if name not in schema.columns:
            raise _unknown(name, tuple(schema.columns), _where(where, "columns"), "field")
        found = _PLACEHOLDER.findall(str(template))
        if len(found) != 1:
            raise MappingError(f"{where}.columns.{name}: the template {template!r} needs exactly "
                               "one placeholder such as {wave} or {session_number}")
        keys.add(found[0])
    if len(keys) != 1:
        raise MappingError(f"{where}.columns: every template must use the same placeholder; "
                           f"found {sorted(keys)}")
    key = keys.pop()
    if key not in schema.columns:
        raise MappingError(f"{where}.columns: the placeholder {{{key}}} must name a field of "
                           f"{table} ({', '.join(schema.columns)})")
    values = spec.get("values")
    if values is not None and not isinstance(values, list):
        raise MappingError(f"{where}.values: give the {key} values as a list")
    per_value = spec.get("per_value") or {}
    for name, table_of in per_value.items():
        if name not in schema.columns:
            raise _unknown(name, tuple(schema.columns), _where(where, "per_value"), "field")
        if not isinstance(table_of, dict):
            raise MappingError(f"{where}.per_value.{name}: give {{{key} value: {name}}}")
    return Wide(columns={k: str(v) for k, v in columns.items()}, key=key,
                values=tuple(values) if values is not None else None,
                per_value={k: dict(v) for k, v in per_value.items()})


def _parse_table(table: str, spec: Any, where: str) -> TableMapping:
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected the mapping of the {table} table")
    for key in spec:
        if key not in _TABLE_KEYS:
            raise _unknown(key, _TABLE_KEYS, where)
    schema = get_schema(table)
    columns = spec.get("columns") or {}
    constants = spec.get("constants") or {}
    recode = spec.get("recode") or {}
    for section, entries in (("columns", columns), ("constants", constants), ("recode", recode)):
        if not isinstance(entries, dict):
            raise MappingError(f"{where}.{section}: expected field: value entries")
        for name in entries:
            if name not in schema.columns:
                raise _unknown(name, tuple(schema.columns), _where(where, section),
                               f"field of {table}")
    for name, rule in recode.items():
        if not (isinstance(rule, dict) or rule == "dictionary"):
            raise MappingError(f"{where}.recode.{name}: give {{source value: dictionary value}} "
                               "or 'dictionary' (the dictionary's own values and labels)")
        if rule == "dictionary" and not schema.field(name).categories:
            raise MappingError(f"{where}.recode.{name}: 'dictionary' needs a field with "
                               "categories; give the recodes explicitly")
    wide = _parse_wide(spec["wide"], table, _where(where, "wide")) if "wide" in spec else None
    sources = spec.get("source")
    if sources is not None and not isinstance(sources, str | list):
        raise MappingError(f"{where}.source: give a file name or a list of file names")
    options = {k: spec[k] for k in _OPTION_KEYS if k in spec}
    _check_options(options, where, table)
    ignore = spec.get("ignore") or []
    if not isinstance(ignore, list):
        raise MappingError(f"{where}.ignore: give a list of source columns")
    return TableMapping(
        table=table,
        sources=tuple([sources] if isinstance(sources, str) else (sources or [])),
        sheet=spec.get("sheet"), columns=dict(columns), constants=dict(constants),
        recode=dict(recode), wide=wide, ignore=tuple(ignore), options=options)


def parse_mapping(data: Any, *, text: str = "", path: Path | None = None) -> Mapping:
    """Check a mapping given as parsed YAML (a dict) and return it.

    Raises
    ------
    MappingError
        Naming the place in the mapping and what to do.

    Examples
    --------
    >>> parse_mapping({"kow_research_mapping": 1, "tables": {"participants": {
    ...     "colums": {"age": "leeftijd"}}}})
    Traceback (most recent call last):
    ...
    kow_research.data.mapping.MappingError: mapping.tables.participants: unknown key 'colums'; did you mean 'columns'?
    """
    where = str(path.name) if path is not None else "mapping"
    if not isinstance(data, dict):
        raise MappingError(f"{where}: expected a mapping with 'kow_research_mapping: 1' and "
                           "'tables:'")
    data = _norm(data)
    for key in data:
        if key not in ("kow_research_mapping", "defaults", "tables"):
            raise _unknown(key, ("kow_research_mapping", "defaults", "tables"), where)
    version = data.get("kow_research_mapping")
    if version != str(MAPPING_VERSION):
        raise MappingError(f"{where}: start the file with 'kow_research_mapping: "
                           f"{MAPPING_VERSION}' (the format version); got {version!r}")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise MappingError(f"{where}.defaults: expected option: value entries")
    for key in defaults:
        if key not in _OPTION_KEYS:
            raise _unknown(key, _OPTION_KEYS, _where(where, "defaults"))
    _check_options(defaults, _where(where, "defaults"), None)
    tables_spec = data.get("tables")
    for table in tables_spec if isinstance(tables_spec, dict) else ():
        if table not in TABLES:
            raise _unknown(table, TABLES, _where(where, "tables"), "table")
    if not isinstance(tables_spec, dict) or "participants" not in tables_spec:
        raise MappingError(f"{where}.tables: map at least the participants table")
    tables = {table: _parse_table(table, spec, _where(where, "tables", table))
              for table, spec in tables_spec.items()}
    return Mapping(tables=tables, defaults=defaults, text=text, path=path)


def load_mapping(mapping: str | Path | AbcMapping[str, Any] | Mapping) -> Mapping:
    """Read and check an import mapping.

    Parameters
    ----------
    mapping : str, Path, dict or Mapping
        The path of a YAML mapping file, YAML text (several lines, or one line with a colon
        that is not a file name), or the parsed mapping.

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        When the mapping cannot be used (naming the key and what to do).

    Examples
    --------
    >>> m = load_mapping('''
    ... kow_research_mapping: 1
    ... tables:
    ...   participants:
    ...     source: team.csv
    ...     columns: {participant_id: respnr, sex: geslacht}
    ...     recode: {sex: {vrouw: female, man: male}}
    ... ''')
    >>> m.tables["participants"].columns
    {'participant_id': 'respnr', 'sex': 'geslacht'}
    >>> m.tables["participants"].rules("sex", m.defaults).recode
    {'vrouw': 'female', 'man': 'male'}
    """
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, AbcMapping):
        return parse_mapping(dict(mapping), text=yaml.safe_dump(dict(mapping), sort_keys=False,
                                                                allow_unicode=True))
    path: Path | None = None
    if isinstance(mapping, Path) or (isinstance(mapping, str) and "\n" not in mapping and (
            ":" not in mapping or Path(mapping).is_file())):
        path = Path(mapping)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{path}: cannot read the mapping ({exc})") from exc
    else:
        text = str(mapping)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise MappingError(f"{path or 'mapping'}: not valid YAML: {exc}") from exc
    return parse_mapping(data, text=text, path=path)
