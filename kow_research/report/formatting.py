"""Numbers and tables as a reader sees them, in English or Dutch, formatted in one place.

Every number in a report document goes through this module: :func:`format_number`,
:func:`format_percent`, :func:`format_p` and :func:`format_ci` format one value, and
:func:`format_table` turns a frame of numbers into labelled text cells (what the HTML, Word
and PDF renderers of :mod:`kow_research.report.document` print). :func:`export_table` writes
the same table for re-use: CSV with the raw numbers, XLSX with numeric cells.

Conventions (one choice each, applied everywhere):

* **Decimal and thousands separators**: English ``1,234.5``, Dutch ``1.234,5`` (grouping from
  1,000 on).
* **Rounding**: half away from zero on the decimal representation (``0.125`` -> ``0.13``), as
  a reader rounding by hand would; Python's ``round`` and ``%f`` round the binary value half to
  even (``0.12``).
* **Minus sign**: U+2212 (``−0.25``), not the hyphen, in every display format; the CSV and XLSX
  exports hold plain numbers.
* **Percent**: English ``44%``; Dutch ``44 %`` with a non-breaking space (U+00A0), the
  spacing of the Taaladviesdienst's advice on symbols and of ISO 80000-1. Dutch house styles
  differ (several government style guides write ``44%`` in tables): change
  :data:`PERCENT_SPACE` to follow one.
* **p-values**: three decimals with the leading zero (``0.012``, ``0,012``), ``<0.001`` below
  0.001 and ``>0.999`` when three decimals would show 1.
* **Confidence intervals**: ``0.25 (0.18–0.33)`` with an en dash; when a bound is negative the
  dash would read as a minus, so ``−0.10 (−0.25 to 0.05)`` / ``(−0,25 tot 0,05)``.
* **Missing values**: an en dash ``–`` in both languages, not "n.v.t." / "n/a": a missing
  number is not the same as a cell that does not apply, and a caller who means "not
  applicable" puts that text in the cell.
* **CSV export**: UTF-8 without byte-order mark, comma-separated, ``.`` as decimal separator,
  internal column names, numbers unrounded — the file for R, pandas and SPSS. A BOM would
  break R's ``read.csv`` header and still not make a double-clicked CSV open in columns in
  Dutch Excel (which expects ``;``); people open the XLSX, whose numeric cells Excel shows
  in its own locale.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kow_research.core.checks import check_alpha, check_choice
from kow_research.data.labels import check_language, variable_title
from kow_research.report.flow import caption_of

__all__ = ["COLUMN_LABELS", "MISSING", "ColumnFormat", "TableLayout", "column_label", "format_ci",
           "localized",
           "format_number", "format_p", "format_percent", "format_table", "in_sentence",
           "table_caption", "table_layout"]

#: decimal separator per language
DECIMAL: dict[str, str] = {"en": ".", "nl": ","}
#: thousands separator per language
THOUSANDS: dict[str, str] = {"en": ",", "nl": "."}
#: what stands between a number and the percent sign
PERCENT_SPACE: dict[str, str] = {"en": "", "nl": "\u00a0"}
#: a missing value in a table cell (en dash)
MISSING = "\u2013"
MINUS = "\u2212"
EN_DASH = "\u2013"
#: separates CI bounds when one of them is negative
CI_TO: dict[str, str] = {"en": " to ", "nl": " tot "}
#: column kinds that :class:`ColumnFormat` knows
KINDS: tuple[str, ...] = ("auto", "text", "integer", "number", "percent", "p", "ci")
#: default decimals per kind
DEFAULT_DECIMALS: dict[str, int] = {"integer": 0, "number": 2, "percent": 0, "p": 3, "ci": 2}

#: column name -> (English, Dutch) table header, from ``column_labels.yaml``; ``{level}`` (the
#: confidence level), ``{index}``, ``{comparator}`` and other fields are filled by
#: :func:`column_label`
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    str(k): (str(v[0]), str(v[1])) for k, v in yaml.safe_load(
        (resources.files("kow_research.report") / "column_labels.yaml").read_text(
            encoding="utf-8")).items()}
#: ``"{label} (95% CI)"``: the header of an estimate shown with its interval
CI_LABEL: dict[str, str] = {"en": "{label} ({level}% CI)", "nl": "{label} ({level}%-BI)"}
YES_NO: dict[str, tuple[str, str]] = {"en": ("yes", "no"), "nl": ("ja", "nee")}
P_NAMES = ("p", "p_value")


def _missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, float | np.floating) and math.isnan(x)


def _decimal(x: Any, name: str = "x") -> Decimal:
    """``x`` as a Decimal of its shortest decimal representation (``0.1`` -> ``0.1``)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool | np.bool_) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number, got {x!r} ({type(x).__name__}); "
                        "format text cells yourself or leave them to format_table")
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    return Decimal(repr(float(x)))


def _check_decimals(decimals: int) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral) \
            or not 0 <= decimals <= 10:
        raise ValueError(f"decimals must be an integer from 0 to 10, got {decimals!r}")
    return int(decimals)


def _digits(d: Decimal, lang: str, decimals: int, grouping: bool) -> str:
    """Rounded ``d`` with the separators of ``lang`` (sign handled here, U+2212)."""
    # enough precision for any magnitude (the default 28 digits fail on 9.2e31)
    ctx = Context(prec=max(28, d.adjusted() + decimals + 2))
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=ctx)
    negative = q < 0 and q != 0
    whole, _, frac = f"{q.copy_abs():f}".partition(".")
    if grouping and len(whole) > 3:
        head = len(whole) % 3 or 3
        whole = whole[:head] + "".join(THOUSANDS[lang] + whole[i:i + 3]
                                       for i in range(head, len(whole), 3))
    out = whole + (DECIMAL[lang] + frac if frac else "")
    return MINUS + out if negative else out


def format_number(x: Any, *, language: str = "en", decimals: int = 0, grouping: bool = True,
                  missing: str = MISSING) -> str:
    """A number with the decimal and thousands separators of ``language``.

    Parameters
    ----------
    x : float or int
        The value; None, NaN and ``pd.NA`` are missing.
    language : {"en", "nl"}, default "en"
    decimals : int, default 0
        Digits after the decimal separator (rounded half away from zero).
    grouping : bool, default True
        Group thousands (``1,234``); False for years and identifiers.
    missing : str, default "–"
        What a missing value becomes.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``x`` is not a number (text, or a bool).

    Examples
    --------
    >>> format_number(1234.5, decimals=1), format_number(1234.5, language="nl", decimals=1)
    ('1,234.5', '1.234,5')
    >>> format_number(0.125, decimals=2), format_number(-0.004, decimals=2)
    ('0.13', '0.00')
    >>> format_number(-2.5, language="nl", decimals=1), format_number(None)
    ('−2,5', '–')
    """
    lang = check_language(language)
    decimals = _check_decimals(decimals)
    if _missing(x):
        return missing
    d = _decimal(x)
    if d.is_infinite():
        return ("\u221e" if d > 0 else MINUS + "\u221e")
    if d.is_nan():
        return missing
    return _digits(d, lang, decimals, grouping)


def format_percent(x: Any, *, language: str = "en", decimals: int = 0, proportion: bool = True,
                   missing: str = MISSING) -> str:
    """A percentage: ``44%`` in English, ``44 %`` (non-breaking space) in Dutch.

    Parameters
    ----------
    x : float
        The value, a proportion (0.44) unless ``proportion`` is False (44.0).
    language : {"en", "nl"}, default "en"
    decimals : int, default 0
        Digits after the decimal separator of the percentage.
    proportion : bool, default True
        Whether ``x`` is a proportion (multiplied by 100) or already a percentage.
    missing : str, default "–"
        What a missing value becomes.

    Returns
    -------
    str

    Examples
    --------
    >>> format_percent(0.44), format_percent(0.445, language="nl", decimals=1)
    ('44%', '44,5\\xa0%')
    >>> format_percent(25.0, proportion=False)
    '25%'
    """
    lang = check_language(language)
    decimals = _check_decimals(decimals)
    if _missing(x):
        return missing
    d = _decimal(x) * (100 if proportion else 1)
    return _digits(d, lang, decimals, True) + PERCENT_SPACE[lang] + "%"


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def localized(text: str, *, language: str = "en") -> str:
    """A formatted cell with the decimal separator of ``language``.

    The disclosure policy formats counts, percentages and means language-free ("12 (33.3%)",
    "1.4"); Dutch tables write decimal commas. Only a point between two digits changes.

    Parameters
    ----------
    text : str
        A formatted cell (a count, "n (p%)", a mean, a marker such as "<5").
    language : {"en", "nl"}, default "en"
        Report language.

    Returns
    -------
    str
        ``text`` with decimal commas in Dutch, unchanged in English.

    Examples
    --------
    >>> localized("12 (33.3%)", language="nl"), localized("1.4", language="en")
    ('12 (33,3%)', '1.4')
    >>> localized("<5", language="nl")
    '<5'
    """
    lang = check_language(language)
    return _DECIMAL_POINT.sub(",", text) if lang == "nl" and isinstance(text, str) else text


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: the first letter in lower case, unless the first
    word is an abbreviation (``EPA``) or a name that keeps its capital (``KOW``).

    Parameters
    ----------
    label : str
        A title-case label, e.g. a variable title.

    Returns
    -------
    str

    Examples
    --------
    >>> in_sentence("Ernstige psychische aandoening (EPA)"), in_sentence("Age")
    ('ernstige psychische aandoening (EPA)', 'age')
    >>> in_sentence("IPS fidelity"), in_sentence("")
    ('IPS fidelity', '')
    """
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:].lower() != first[1:]:
        return label          # an abbreviation or a name (KOW, IPS, BSN)
    return label[:1].lower() + label[1:]


def format_p(p: Any, *, language: str = "en", decimals: int = 3,
             missing: str = MISSING) -> str:
    """A p-value: ``0.012``, ``<0.001`` below the smallest value ``decimals`` can show.

    Parameters
    ----------
    p : float
        The p-value, from 0 to 1.
    language : {"en", "nl"}, default "en"
    decimals : int, default 3
        Digits shown; the threshold is ``10 ** -decimals``.
    missing : str, default "–"
        What a missing value becomes.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``p`` is outside [0, 1].

    Examples
    --------
    >>> format_p(0.0123), format_p(0.0123, language="nl")
    ('0.012', '0,012')
    >>> format_p(0.00042), format_p(0.00042, language="nl"), format_p(0.99962)
    ('<0.001', '<0,001', '>0.999')
    >>> format_p(0.05)
    '0.050'
    """
    lang = check_language(language)
    decimals = _check_decimals(decimals)
    if decimals == 0:
        raise ValueError("decimals must be at least 1 for a p-value")
    if _missing(p):
        return missing
    d = _decimal(p, "p")
    if not 0 <= d <= 1:
        raise ValueError(f"p must be from 0 to 1, got {p!r}")
    step = Decimal(1).scaleb(-decimals)
    if d < step:
        return "<" + _digits(step, lang, decimals, False)
    if d.quantize(step, rounding=ROUND_HALF_UP) >= 1:
        return ">" + _digits(1 - step, lang, decimals, False)
    return _digits(d, lang, decimals, False)


def format_ci(estimate: Any, *, lower: Any, upper: Any, language: str = "en",
              decimals: int = 2, percent: bool = False, missing: str = MISSING) -> str:
    """An estimate with its confidence interval: ``0.25 (0.18–0.33)``.

    The bounds are joined by an en dash; when a bound is negative, by "to" / "tot", since
    ``−0.25–0.05`` reads as a subtraction.

    Parameters
    ----------
    estimate, lower, upper : float
        The estimate and its bounds; with a missing bound only the estimate is shown.
    language : {"en", "nl"}, default "en"
    decimals : int, default 2
        Digits after the decimal separator, the same for all three.
    percent : bool, default False
        The three are proportions, shown as percentages (:func:`format_percent`).
    missing : str, default "–"
        What a missing or infinite estimate becomes (a ratio with a zero denominator is not
        estimable); an infinite bound is shown as ``∞``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_ci(0.25, lower=0.18, upper=0.33)
    '0.25 (0.18–0.33)'
    >>> format_ci(0.25, lower=0.18, upper=0.33, language="nl")
    '0,25 (0,18–0,33)'
    >>> format_ci(-0.1, lower=-0.25, upper=0.05, language="nl")
    '−0,10 (−0,25 tot 0,05)'
    >>> format_ci(1.8, lower=float("nan"), upper=2.2, decimals=1)
    '1.8'
    >>> nan = float("nan")
    >>> (format_ci(0.06, lower=0.0, upper=0.12, percent=True, decimals=0),
    ...  format_ci(0.0, lower=nan, upper=nan, percent=True, decimals=0))
    ('6% (0%–12%)', '0%')
    >>> format_ci(float("inf"), lower=2.0, upper=float("inf"))
    '–'
    """
    lang = check_language(language)

    def number(x: Any, **kw: Any) -> str:
        if percent:
            return format_percent(x, language=lang, decimals=decimals, **kw)
        return format_number(x, language=lang, decimals=decimals, **kw)

    if not _missing(estimate) and not np.isfinite(float(estimate)):
        return missing
    est = number(estimate, missing=missing)
    if _missing(estimate) or _missing(lower) or _missing(upper):
        return est
    lo, hi = number(lower), number(upper)
    sep = CI_TO[lang] if MINUS in lo + hi else EN_DASH
    return f"{est} ({lo}{sep}{hi})"


@dataclass(frozen=True)
class ColumnFormat:
    """How one column of a table is shown.

    Attributes
    ----------
    kind : {"auto", "text", "integer", "number", "percent", "p", "ci"}
        ``"auto"`` chooses from the data: ``p``/``p_value`` columns as p-values, integer
        columns (and float columns holding whole numbers) as integers, other numbers with
        ``decimals``, text as it is. ``"ci"`` shows the column with the bounds in the
        columns ``lower`` and ``upper``, which then disappear from the table.
    decimals : int, optional
        Digits after the decimal separator (per kind: integer 0, number 2, percent 0, p 3,
        ci 2).
    label : str, optional
        The header, in the document's language; by default from :func:`column_label`.
    lower, upper : str
        The bound columns of a ``"ci"`` column.
    proportion : bool
        Whether a ``"percent"`` column holds proportions (True) or percentages.
    """

    kind: str = "auto"
    decimals: int | None = None
    label: str | None = None
    lower: str = "lower"
    upper: str = "upper"
    proportion: bool = True

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, KINDS)
        if self.decimals is not None:
            _check_decimals(self.decimals)

    @classmethod
    def parse(cls, spec: ColumnFormat | str) -> ColumnFormat:
        """A format from ``"kind"`` or ``"kind:decimals"`` (``"number:1"``, ``"ci:2"``)."""
        if isinstance(spec, ColumnFormat):
            return spec
        kind, _, dec = str(spec).partition(":")
        if dec and not dec.isdigit():
            raise ValueError(f"column format {spec!r}: write kind or kind:decimals, "
                             "e.g. 'number:1'")
        return cls(kind=kind, decimals=int(dec) if dec else None)


@dataclass(frozen=True)
class TableLayout:
    """A table ready to print: labels, text cells and alignment (what renderers read).

    Attributes
    ----------
    columns : tuple of str
        The source column of each printed column.
    labels : tuple of str
        The headers.
    kinds : tuple of str
        The resolved kind of each column (``"text"``, ``"integer"``, ...).
    rows : tuple of tuple of str
        The formatted cells.
    values : tuple of tuple
        The numbers behind the cells (None for text and missing), for numeric exports.
    """

    columns: tuple[str, ...]
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    values: tuple[tuple[Any, ...], ...]

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Whether each column holds numbers (right-aligned)."""
        return tuple(k != "text" for k in self.kinds)

    def to_frame(self) -> pd.DataFrame:
        """The cells as a DataFrame of str with the labels as columns."""
        out = pd.DataFrame(list(self.rows), columns=pd.Index(self.labels), dtype=object)
        out.attrs = {"align": ["right" if n else "left" for n in self.numeric]}
        return out


def _level(alpha: float, lang: str) -> str:
    """The confidence level of ``alpha`` in percent: ``95``, ``97,5``."""
    level = 100 * (1 - Decimal(repr(check_alpha(alpha))))
    return format_number(level, language=lang, decimals=max(0, -level.normalize().as_tuple()
                                                               .exponent))  # type: ignore[operator]


def column_label(name: str, *, language: str = "en",
                 labels: Mapping[str, str | tuple[str, str]] | None = None,
                 fields: Mapping[str, Any] | None = None, alpha: float = 0.05) -> str:
    """The header of column ``name`` in ``language``.

    Looked up in ``labels`` (a caller's own, ``{name: (en, nl)}`` or ``{name: text}``), then
    :data:`COLUMN_LABELS`, then the data dictionary; an unknown name is shown with its
    underscores as spaces. ``{level}`` is the confidence level of ``alpha``; other
    placeholders come from ``fields``.

    Parameters
    ----------
    name : str
        The column name.
    language : {"en", "nl"}, default "en"
    labels : mapping, optional
        Labels that take precedence over the catalogue.
    fields : mapping, optional
        Values of placeholders such as ``{index}`` (the index programme) and
        ``{comparator}``.
    alpha : float, default 0.05
        1 - confidence level, for ``{level}``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If the label has a placeholder that ``fields`` does not fill.

    Examples
    --------
    >>> column_label("risk_treated", language="nl", fields={"index": "KOW"})
    'Risico, KOW'
    >>> column_label("lower"), column_label("months_out_of_work", language="nl")
    ('Lower 95% limit', 'Maanden zonder werk')
    >>> column_label("my_score", labels={"my_score": ("Score", "Score (punten)")},
    ...              language="nl")
    'Score (punten)'
    """
    lang = check_language(language)
    level = _level(alpha, lang)
    entry: str | tuple[str, str] | None = (labels or {}).get(name) or COLUMN_LABELS.get(name)
    if entry is None:
        title = variable_title(name, lang)
        plain = name.replace("_", " ")
        # an identifier (``months_out_of_work``) gets its first letter up; a header that is
        # already text (``p (Fine–Gray)``, a programme called ``KOW``) stays as written
        entry = title if title != name else (
            plain[:1].upper() + plain[1:] if re.fullmatch(r"[a-z][a-z0-9_]*", name) else name)
    label = entry if isinstance(entry, str) else entry[lang == "nl"]
    try:
        return label.format(level=level, **dict(fields or {}))
    except KeyError as err:
        raise ValueError(f"the label of column {name!r} ({label!r}) needs the field "
                         f"{err.args[0]!r}: pass fields={{{err.args[0]!r}: ...}}") from None


def _resolve_kind(name: str, series: pd.Series, fmt: ColumnFormat) -> str:
    if fmt.kind != "auto":
        return fmt.kind
    if name in P_NAMES:
        return "p"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna().to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        return "integer" if len(finite) and np.all(finite == np.round(finite)) \
            and np.all(np.abs(finite) < 1e15) else "number"
    numbers_ = [v for v in series if not _missing(v)]
    if numbers_ and all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
                        for v in numbers_):
        return "number"
    # object columns mixing numbers and text (a suppressed "<10"): numbers per cell
    return "mixed" if any(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
                          for v in numbers_) else "text"


def _cell(value: Any, kind: str, fmt: ColumnFormat, lang: str) -> tuple[str, Any]:
    """(text, number or None) of one cell."""
    if _missing(value):
        return MISSING, None
    if isinstance(value, bool | np.bool_):
        return YES_NO[lang][0 if value else 1], None
    if not isinstance(value, numbers.Real):
        return str(value), None
    dec = fmt.decimals if fmt.decimals is not None else DEFAULT_DECIMALS.get(kind, 2)
    if kind == "mixed":
        is_int = float(value).is_integer()
        return format_number(value, language=lang, decimals=0 if is_int else dec), value
    if kind == "p":
        return format_p(value, language=lang, decimals=dec), value
    if kind == "percent":
        return format_percent(value, language=lang, decimals=dec,
                              proportion=fmt.proportion), value
    return format_number(value, language=lang, decimals=dec), value


def _frame_with_index(frame: pd.DataFrame, index: bool | None) -> pd.DataFrame:
    default = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    if index is False or (index is None and default):
        return frame.reset_index(drop=True)
    names = [n if n is not None else f"level_{i}" for i, n in enumerate(frame.index.names)]
    if len(names) == 1 and frame.index.names[0] is None:
        names = [""]
    out = frame.copy()
    out.index = out.index.set_names(names)
    return out.reset_index()


def table_layout(frame: pd.DataFrame, *, spec: Mapping[str, ColumnFormat | str] | None = None,
                 language: str = "en",
                 labels: Mapping[str, str | tuple[str, str]] | None = None,
                 fields: Mapping[str, Any] | None = None, alpha: float = 0.05,
                 index: bool | None = None) -> TableLayout:
    """Format ``frame`` cell by cell: the labels, text, numbers and alignment of a table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The numbers (not changed).
    spec : mapping, optional
        Column name -> :class:`ColumnFormat` or ``"kind[:decimals]"``; other columns are
        ``"auto"``. Every column is shown in the frame's order, less the bounds that a
        ``"ci"`` column consumes.
    language : {"en", "nl"}, default "en"
    labels, fields, alpha : optional
        As in :func:`column_label`.
    index : bool, optional
        Show the index as the first column; by default only a named or non-default one
        (a regression summary indexed by covariate), never a 0..n-1 row number.

    Returns
    -------
    TableLayout

    Raises
    ------
    ValueError
        If ``spec`` names a column that ``frame`` lacks.

    Examples
    --------
    >>> df = pd.DataFrame({"cohort": ["KOW", "TAU"], "n": [115, 1234],
    ...                    "estimate": [0.25, 0.1], "lower": [0.18, 0.05],
    ...                    "upper": [0.33, 0.16], "p": [0.012, 0.0004]})
    >>> t = table_layout(df, spec={"estimate": "ci"}, language="nl")
    >>> t.labels
    ('Cohort', 'n', 'Schatting (95%-BI)', 'p')
    >>> t.rows[1]
    ('TAU', '1.234', '0,10 (0,05–0,16)', '<0,001')
    """
    lang = check_language(language)
    check_alpha(alpha)
    formats = {k: ColumnFormat.parse(v) for k, v in (spec or {}).items()}
    data = _frame_with_index(frame, index)
    unknown = [k for k in formats if k not in data.columns]
    if unknown:
        raise ValueError(f"column formats name columns {unknown} that the table lacks; its "
                         f"columns are {list(map(str, data.columns))}")
    consumed: set[str] = set()
    for name, fmt in formats.items():
        if fmt.kind == "ci":
            missing = [c for c in (fmt.lower, fmt.upper) if c not in data.columns]
            if missing:
                raise ValueError(f"column {name!r} is formatted as 'ci' but the table lacks "
                                 f"its bound columns {missing}: set lower=/upper= in its "
                                 "ColumnFormat")
            consumed |= {fmt.lower, fmt.upper}
    cols, heads, kinds, cells, nums = [], [], [], [], []
    for name in data.columns:
        if name in consumed:
            continue
        fmt = formats.get(name, ColumnFormat())
        series = data[name]
        kind = _resolve_kind(str(name), series, fmt)
        head = fmt.label if fmt.label is not None else (
            column_label(str(name), language=lang, labels=labels, fields=fields, alpha=alpha)
            if str(name) else "")
        if kind == "ci":
            if fmt.label is None:
                head = CI_LABEL[lang].format(label=head, level=_level(alpha, lang))
            dec = fmt.decimals if fmt.decimals is not None else DEFAULT_DECIMALS["ci"]
            col = [format_ci(e, lower=lo, upper=hi, language=lang, decimals=dec)
                   for e, lo, hi in zip(series, data[fmt.lower], data[fmt.upper], strict=True)]
            vals = [None if _missing(e) else e for e in series]
        else:
            pairs = [_cell(v, kind, fmt, lang) for v in series]
            col, vals = [p[0] for p in pairs], [p[1] for p in pairs]
        cols.append(str(name))
        heads.append(head)
        kinds.append("number" if kind == "mixed" else kind)
        cells.append(col)
        nums.append(vals)
    return TableLayout(columns=tuple(cols), labels=tuple(heads), kinds=tuple(kinds),
                       rows=tuple(zip(*cells, strict=True)) if cells else (),
                       values=tuple(zip(*nums, strict=True)) if nums else ())


def format_table(frame: pd.DataFrame, *, spec: Mapping[str, ColumnFormat | str] | None = None,
                 language: str = "en",
                 labels: Mapping[str, str | tuple[str, str]] | None = None,
                 fields: Mapping[str, Any] | None = None, alpha: float = 0.05,
                 index: bool | None = None) -> pd.DataFrame:
    """``frame`` as labelled text cells in ``language`` (see :func:`table_layout`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The numbers.
    spec, language, labels, fields, alpha, index : optional
        As in :func:`table_layout`.

    Returns
    -------
    pandas.DataFrame
        Object columns of str named by their labels, a 0..n-1 index, and
        ``attrs["align"]`` (``"left"``/``"right"`` per column).

    Examples
    --------
    >>> df = pd.DataFrame({"risk_treated": [0.44], "p": [0.0123]})
    >>> format_table(df, spec={"risk_treated": "percent"}, fields={"index": "IPS"})
      Risk, IPS      p
    0       44%  0.012
    """
    return table_layout(frame, spec=spec, language=language, labels=labels, fields=fields,
                        alpha=alpha, index=index).to_frame()


def table_caption(frame: Any, *, title: str, language: str = "en") -> str:
    """A caption: ``title`` and the definition that the frame carries in ``attrs``.

    Parameters
    ----------
    frame : DataFrame or result
        Anything with ``attrs`` following :mod:`kow_research.core.meta`.
    title : str
        What the table shows, in ``language``.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    str

    Examples
    --------
    >>> df = pd.DataFrame({"n": [3]})
    >>> df.attrs["definition_text"] = {"en": "Paid work: regular jobs.",
    ...                                "nl": "Betaald werk: reguliere banen."}
    >>> table_caption(df, title="Paid work by cohort", language="nl")
    'Paid work by cohort. Betaald werk: reguliere banen.'
    """
    lang = check_language(language)
    definition = caption_of(frame, language=lang).strip()
    title = title.strip()
    if not definition:
        return title
    return f"{title.rstrip('.')}. {definition}"
