"""The table schemas, read from the data dictionary shipped inside the package.

The YAML files under ``kow_research/data/dictionary/`` are Frictionless Table Schemas with two
custom properties: ``x-nl`` (Dutch title and description, per table, field and category) and
``x-checks`` (cross-field and cross-table rules). They are the single source of truth for
validation, canonical dtypes, labels and the generated codebook.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import pandas as pd
import yaml

from kow_research.core import check_choice

TABLES: tuple[str, ...] = ("participants", "ladder", "spells", "sessions")
Language = Literal["en", "nl"]


@dataclass(frozen=True)
class Category:
    """An allowed value with its English and Dutch label."""

    value: Any
    label_en: str
    label_nl: str

    def label(self, language: Language = "en") -> str:
        """Return the label in ``language`` ("en" or "nl")."""
        return self.label_nl if language == "nl" else self.label_en


@dataclass(frozen=True)
class Field:
    """One column of a table, as the data dictionary describes it."""

    name: str
    type: str
    title_en: str
    title_nl: str
    description_en: str
    description_nl: str
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    unit: str | None = None
    categories: tuple[Category, ...] = ()
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)
    plausible_min: str | None = None
    plausible_max: str | None = None
    names: tuple[str, ...] = ()

    def plausible_range(self, today: _dt.date | None = None
                        ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """The plausible range of a date field (``x-plausible`` in the schema), resolved on
        ``today`` (default: the current date) — e.g. 1990-01-01 to today + 1 year."""
        day = today or _dt.date.today()
        return (_resolve_date(self.plausible_min, day) if self.plausible_min else None,
                _resolve_date(self.plausible_max, day) if self.plausible_max else None)

    def plausible_text(self) -> str:
        """The plausible range as written in the dictionary ("1990-01-01 to today + 1 year")."""
        def words(expr: str | None) -> str:
            if expr is None:
                return "…"
            m = _RELATIVE.fullmatch(expr.replace(" ", ""))
            if not m:
                return expr
            if not m.group(1):
                return "today"
            n, unit = int(m.group(2)), {"y": "year", "d": "day"}[m.group(3)]
            return f"today {m.group(1)} {n} {unit}{'s' if n != 1 else ''}"
        return f"{words(self.plausible_min)} to {words(self.plausible_max)}"

    def title(self, language: Language = "en") -> str:
        """Return the field title in ``language``."""
        return self.title_nl if language == "nl" else self.title_en

    def labels(self, language: Language = "en") -> dict[Any, str]:
        """Return ``{value: label}`` for a categorical field (empty otherwise)."""
        return {c.value: c.label(language) for c in self.categories}

    @property
    def dtype(self) -> Any:
        """The canonical pandas dtype of this column in a loaded Study."""
        if self.type == "date":
            return "datetime64[ns]"
        if self.type == "integer":
            return "Int64"
        if self.type == "number":
            return "float64"
        if self.type == "boolean":
            return "boolean"
        if self.enum is not None:
            return pd.CategoricalDtype(categories=list(self.enum), ordered=False)
        return "string"


@dataclass(frozen=True)
class Check:
    """A cross-field or cross-table rule (``x-checks`` in the schema)."""

    rule: str
    severity: Literal["error", "warning"]
    message: str
    column: str | None = None
    op: str | None = None
    other: str | None = None
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSchema:
    """Schema of one table: its fields, keys and checks."""

    name: str
    title_en: str
    title_nl: str
    description_en: str
    description_nl: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, table, column)
    checks: tuple[Check, ...] = field(default_factory=tuple)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def columns(self) -> list[str]:
        """Column names in dictionary order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no column {name!r}; columns: {self.columns}")

    def title(self, language: Language = "en") -> str:
        """Return the table title in ``language``."""
        return self.title_nl if language == "nl" else self.title_en

    def dtypes(self) -> dict[str, Any]:
        """Canonical pandas dtype per column."""
        return {f.name: f.dtype for f in self.fields}


_RELATIVE = re.compile(r"today(?:([+-])(\d+)([yd]))?")


def _resolve_date(expr: str, today: _dt.date) -> pd.Timestamp:
    """``"1990-01-01"``, ``"today"``, ``"today+1y"`` or ``"today-30d"`` as a Timestamp."""
    m = _RELATIVE.fullmatch(str(expr).replace(" ", ""))
    if not m:
        return pd.Timestamp(str(expr))
    day = pd.Timestamp(today)
    if m.group(1):
        n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
        day = day + (pd.DateOffset(years=n) if m.group(3) == "y" else pd.Timedelta(days=n))
    return pd.Timestamp(day).normalize()


def _parse_field(d: dict[str, Any]) -> Field:
    constraints = d.get("constraints", {}) or {}
    nl = d.get("x-nl", {}) or {}
    categories = tuple(
        Category(value=c["value"], label_en=str(c.get("label", c["value"])),
                 label_nl=str(c.get("x-nl", c.get("label", c["value"]))))
        for c in d.get("categories", []) or []
    )
    enum = constraints.get("enum")
    plausible = d.get("x-plausible", {}) or {}
    return Field(
        name=d["name"],
        type=d.get("type", "string"),
        title_en=d.get("title", d["name"]),
        title_nl=nl.get("title", d.get("title", d["name"])),
        description_en=d.get("description", ""),
        description_nl=nl.get("description", ""),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(enum) if enum is not None else None,
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        pattern=constraints.get("pattern"),
        unit=d.get("x-unit"),
        categories=categories,
        true_values=tuple(d.get("trueValues", ("true",))),
        false_values=tuple(d.get("falseValues", ("false",))),
        plausible_min=plausible.get("minimum"),
        plausible_max=plausible.get("maximum"),
        names=tuple(str(n) for n in d.get("x-names", ()) or ()),
    )


def _parse_schema(d: dict[str, Any]) -> TableSchema:
    nl = d.get("x-nl", {}) or {}
    fks = []
    for fk in d.get("foreignKeys", []) or []:
        ref = fk["reference"]
        fks.append((fk["fields"], ref["resource"], ref["fields"]))
    checks = tuple(
        Check(rule=c["rule"], severity=c.get("severity", "error"), message=c.get("message", ""),
              column=c.get("column"), op=c.get("op"), other=c.get("other"),
              kinds=tuple(c.get("kinds", ())))
        for c in d.get("x-checks", []) or []
    )
    pk = d.get("primaryKey", ())
    return TableSchema(
        name=d["name"],
        title_en=d.get("title", d["name"]),
        title_nl=nl.get("title", d.get("title", d["name"])),
        description_en=" ".join(str(d.get("description", "")).split()),
        description_nl=" ".join(str(nl.get("description", "")).split()),
        fields=tuple(_parse_field(f) for f in d["fields"]),
        primary_key=tuple([pk] if isinstance(pk, str) else pk),
        foreign_keys=tuple(fks),
        checks=checks,
        raw=d,
    )


def schema_text(table: str) -> str:
    """Return the YAML text of the packaged schema of ``table``."""
    check_choice("table", table, TABLES)
    return (resources.files("kow_research.data") / "dictionary" / f"{table}.schema.yaml").read_text(
        encoding="utf-8"
    )


@cache
def get_schema(table: str) -> TableSchema:
    """Return the :class:`TableSchema` of ``table`` (participants, ladder, spells or sessions)."""
    return _parse_schema(yaml.safe_load(schema_text(table)))


def schemas() -> dict[str, TableSchema]:
    """Return every table schema, keyed by table name, in canonical order.

    Returns
    -------
    dict of str to TableSchema

    Examples
    --------
    >>> list(schemas())
    ['participants', 'ladder', 'spells', 'sessions']
    """
    return {t: get_schema(t) for t in TABLES}
