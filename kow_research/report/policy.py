"""One disclosure policy per report: what may be published, and how hidden cells are marked.

Everything in a report folder is an export of special-category (health) data. A single
:class:`DisclosurePolicy` — read from the ``disclosure`` entry of ``study.yaml`` or given on the
command line — is passed to every table, figure and notebook, so that one threshold and one set
of markers hold for the whole report.

The rules (primary ``"<k"``, secondary marker ``"×"`` from the "smallest complementary
cell" method, derived statistics hidden, rounding, figures) are spelled out in
:mod:`kow_research.report.suppression`, which applies them to tables.

These are the primary/secondary rules of statistical offices (CBS, ONS; Hundepool et al.
2012). They protect each partition on its own; recovery across several tables (linked
margins, a mean times its denominator, an SMD inverted by brute force) is checked afterwards by
:class:`kow_research.report.ledger.DisclosureLedger`.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. (2012). *Statistical Disclosure Control*.
Wiley, chapter 4 (frequency tables, primary and secondary suppression).
Statistics Netherlands (CBS). Output guidelines for microdata (remote access): tables must be
based on at least 10 units per cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.checks import check_choice
from kow_research.report.labels import check_language
from kow_research.report.suppression import (
    NOTE_TEXTS,
    CellKey,
    _decimals_text,
    _missing,
    suppress_long,
    suppress_table,
    suppression_reasons,
)

SECONDARY_METHODS: tuple[str, ...] = ("smallest",)
DERIVED_RULES: tuple[str, ...] = ("suppress", "round")

#: the presets; ``strict`` follows Statistics Netherlands' remote-access output checks (k = 10)
PRESETS: dict[str, dict[str, Any]] = {
    "default": {"k": 5},
    "strict": {"k": 10},
}

def _is_whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))



@dataclass(frozen=True)
class DisclosurePolicy:
    """The disclosure rules of one report.

    Parameters
    ----------
    k : int, default 5
        Counts of 1 to ``k - 1`` persons are hidden (primary suppression).
    percent_decimals : int, default 0
        Decimals of a published percentage (0: whole numbers).
    mean_decimals : int, default 1
        Decimals of a published mean or SD.
    smd_decimals : int, default 2
        Decimals of a published standardised mean difference.
    small_counts_in_figures : bool, default False
        Figures may print exact counts below ``k`` (default: they show ``"<k"`` too).
    secondary : {"smallest"}
        Secondary-suppression method (see the module docstring).
    secondary_marker : str, default "×"
        Text of a cell hidden to protect another cell; must differ from ``"<k"``.
    derived : {"suppress", "round"}
        A statistic computed from a hidden count is hidden (``"suppress"``) or only rounded
        (``"round"``, leaving the ledger to prove it safe).
    name : str, default "default"
        The preset it came from (for provenance).

    Examples
    --------
    >>> policy = DisclosurePolicy.default()
    >>> policy.k, policy.primary_marker, policy.secondary_marker
    (5, '<5', '×')
    >>> DisclosurePolicy.strict().count(7)
    '<10'
    """

    k: int = 5
    percent_decimals: int = 0
    mean_decimals: int = 1
    smd_decimals: int = 2
    small_counts_in_figures: bool = False
    secondary: str = "smallest"
    secondary_marker: str = "×"
    derived: str = "suppress"
    name: str = "default"

    def __post_init__(self) -> None:
        if not _is_whole(self.k) or self.k < 1:
            raise ValueError(f"disclosure k (the smallest number of persons a cell may show) "
                             f"must be a whole number >= 1, got {self.k!r}")
        for attr in ("percent_decimals", "mean_decimals", "smd_decimals"):
            value = getattr(self, attr)
            if not _is_whole(value) or not 0 <= value <= 6:
                raise ValueError(f"disclosure {attr} must be a whole number from 0 to 6, "
                                 f"got {value!r}")
        if not isinstance(self.small_counts_in_figures, bool):
            raise ValueError("disclosure small_counts_in_figures must be true or false, got "
                             f"{self.small_counts_in_figures!r}")
        check_choice("disclosure secondary", self.secondary, SECONDARY_METHODS)
        check_choice("disclosure derived", self.derived, DERIVED_RULES)
        marker = self.secondary_marker
        if not isinstance(marker, str) or not marker.strip() or marker == self.primary_marker \
                or any(ch.isdigit() for ch in marker):
            raise ValueError(f"disclosure secondary_marker must be a short text without digits "
                             f"that differs from the primary marker {self.primary_marker!r}, "
                             f"got {marker!r}")

    # ------------------------------------------------------------------ construction
    @classmethod
    def default(cls) -> DisclosurePolicy:
        """The default policy: ``k = 5``.

        Returns
        -------
        DisclosurePolicy

        Examples
        --------
        >>> DisclosurePolicy.default().k
        5
        """
        return cls.preset("default")

    @classmethod
    def strict(cls) -> DisclosurePolicy:
        """The strict policy: ``k = 10``, as in Statistics Netherlands' (CBS) remote-access
        output checks.

        Returns
        -------
        DisclosurePolicy

        Examples
        --------
        >>> DisclosurePolicy.strict().primary_marker
        '<10'
        """
        return cls.preset("strict")

    @classmethod
    def preset(cls, name: str) -> DisclosurePolicy:
        """The policy of a named preset.

        Parameters
        ----------
        name : {"default", "strict"}

        Returns
        -------
        DisclosurePolicy

        Examples
        --------
        >>> DisclosurePolicy.preset("strict").name
        'strict'
        """
        check_choice("disclosure preset", name, PRESETS)
        return cls(**PRESETS[name], name=name)

    @classmethod
    def from_design(cls, design: Mapping[str, Any] | Any) -> DisclosurePolicy:
        """The policy declared in a study design (the ``disclosure`` entry of ``study.yaml``).

        Parameters
        ----------
        design : mapping or StudyDesign
            A whole design (its ``disclosure`` entry is read; no entry: the default policy)
            or the entry itself, e.g. ``{"preset": "strict"}`` or ``{"k": 5,
            "percent_decimals": 1}``. ``preset`` picks the starting point, the other keys
            (the fields of this class) override it — except that a named preset's ``k`` is
            a floor: ``{"preset": "strict", "k": 5}`` (study.yaml's defaults carry
            ``k: 5``) still gives ``k = 10``.

        Returns
        -------
        DisclosurePolicy

        Raises
        ------
        ValueError
            For an unknown key, preset or an invalid value (the message names it).

        Examples
        --------
        >>> DisclosurePolicy.from_design({"disclosure": {"preset": "strict", "k": 5}}).k
        10
        >>> DisclosurePolicy.from_design({"k": 7, "percent_decimals": 1}).count(6)
        '<7'
        """
        entry: Any
        if isinstance(design, Mapping):
            known = {f.name for f in fields(cls)} | {"preset"}
            if "disclosure" in design:
                entry = design["disclosure"]
            elif set(design) <= known:
                entry = design
            else:
                entry = {}
        elif hasattr(design, "get"):
            entry = design.get("disclosure", {})
        else:
            raise TypeError(f"from_design takes a mapping or a StudyDesign, got "
                            f"{type(design).__name__}")
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping):
            raise ValueError(f"study.yaml: disclosure must be a mapping such as {{k: 5}}, "
                             f"got {entry!r}")
        allowed = [f.name for f in fields(cls) if f.name != "name"]
        unknown = sorted(set(entry) - set(allowed) - {"preset"})
        if unknown:
            raise ValueError(f"study.yaml: unknown disclosure entr"
                             f"{'y' if len(unknown) == 1 else 'ies'} {unknown}; known entries "
                             f"are {['preset', *allowed]}")
        preset = entry.get("preset", "default")
        try:
            base = cls.preset(preset)
            values = {key: entry[key] for key in allowed if key in entry}
            if preset != "default" and isinstance(values.get("k"), int):
                values["k"] = max(values["k"], base.k)   # a named preset is a floor
            policy = replace(base, **values)
        except ValueError as exc:
            raise ValueError(f"study.yaml: {exc}") from None
        return policy

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain values (for ``provenance.json``).

        Returns
        -------
        dict

        Examples
        --------
        >>> DisclosurePolicy.default().to_dict()["k"]
        5
        """
        return asdict(self)

    # ------------------------------------------------------------------ single values
    @property
    def primary_marker(self) -> str:
        """The text of a primary-suppressed cell, ``"<k"``."""
        return f"<{self.k}"

    def is_small(self, n: Any) -> bool:
        """Whether ``n`` persons is a count that must be hidden (``0 < n < k``).

        Parameters
        ----------
        n : int or float
            A number of persons (missing: False).

        Returns
        -------
        bool

        Examples
        --------
        >>> p = DisclosurePolicy.default()
        >>> p.is_small(0), p.is_small(4), p.is_small(5)
        (False, True, False)
        """
        if _missing(n):
            return False
        v = float(n)
        return math.isfinite(v) and 0 < v < self.k

    def count(self, n: Any) -> str:
        """A single published count: ``"<k"`` when ``0 < n < k``, else the number.

        Parameters
        ----------
        n : int or float
            Number of persons (missing: an empty string).

        Returns
        -------
        str

        Raises
        ------
        ValueError
            If ``n`` is negative or not a whole number.

        Examples
        --------
        >>> p = DisclosurePolicy.default()
        >>> [p.count(x) for x in (0, 3, 53.0, None)]
        ['0', '<5', '53', '']
        """
        if _missing(n):
            return ""
        v = float(n)
        if not math.isfinite(v) or v < 0 or v != round(v):
            raise ValueError(f"a count must be a whole number >= 0, got {n!r}")
        return self.primary_marker if self.is_small(v) else str(int(v))

    def figure_count(self, n: Any) -> str:
        """A count printed in a figure (an at-risk table, a heat map, a flow diagram).

        Parameters
        ----------
        n : int or float
            Number of persons.

        Returns
        -------
        str
            The exact number when ``small_counts_in_figures`` is True, else :meth:`count`.

        Examples
        --------
        >>> DisclosurePolicy.default().figure_count(2)
        '<5'
        >>> DisclosurePolicy(small_counts_in_figures=True).figure_count(2)
        '2'
        """
        if self.small_counts_in_figures and not _missing(n):
            return str(int(float(n)))
        return self.count(n)

    def round_percent(self, value: float) -> float:
        """A percentage rounded to ``percent_decimals``.

        Parameters
        ----------
        value : float

        Returns
        -------
        float

        Examples
        --------
        >>> DisclosurePolicy.default().round_percent(46.0869)
        46.0
        """
        return float(round(float(value), self.percent_decimals))

    def round_mean(self, value: float) -> float:
        """A mean (or SD) rounded to ``mean_decimals``.

        Parameters
        ----------
        value : float

        Returns
        -------
        float

        Examples
        --------
        >>> DisclosurePolicy.default().round_mean(3.0588235294117645)
        3.1
        """
        return float(round(float(value), self.mean_decimals))

    def percent(self, x: Any, n: Any, *, symbol: bool = True) -> str:
        """A published percentage ``100 x / n``, rounded, or the marker when a count is small.

        Parameters
        ----------
        x : int
            Persons in the numerator.
        n : int
            Persons in the denominator.
        symbol : bool, default True
            Append ``"%"``.

        Returns
        -------
        str
            ``"<k"`` when ``x`` or ``n`` is a hidden count (no percentage is shown for it),
            an empty string when ``n`` is 0 or missing.

        Examples
        --------
        >>> p = DisclosurePolicy.default()
        >>> p.percent(53, 115), p.percent(3, 115), p.percent(53, 115, symbol=False)
        ('46%', '<5', '46')
        """
        if _missing(n) or _missing(x) or float(n) == 0:
            return ""
        if self.is_small(x) or self.is_small(n):
            return self.primary_marker
        text = f"{100 * float(x) / float(n):.{self.percent_decimals}f}"
        return text + ("%" if symbol else "")

    def n_percent(self, x: Any, n: Any) -> str:
        """A Table-1 cell ``"x (p%)"``, or ``"<k"`` when ``x`` is small.

        Parameters
        ----------
        x : int
            Persons with the characteristic.
        n : int
            Persons with a known value (the denominator).

        Returns
        -------
        str

        Examples
        --------
        >>> p = DisclosurePolicy.default()
        >>> p.n_percent(53, 115), p.n_percent(0, 115), p.n_percent(2, 115)
        ('53 (46%)', '0 (0%)', '<5')
        """
        if self.is_small(x):
            return self.primary_marker
        shown = self.count(x)
        pct = self.percent(x, n)
        return f"{shown} ({pct})" if pct else shown

    def mean(self, value: float, *, n: Any, sd: float | None = None) -> str:
        """A published mean (SD), rounded, or ``"<k"`` when fewer than ``k`` persons are behind it.

        Parameters
        ----------
        value : float
            The mean.
        n : int
            Persons behind the mean.
        sd : float, optional
            Standard deviation, shown in parentheses.

        Returns
        -------
        str

        Examples
        --------
        >>> p = DisclosurePolicy.default()
        >>> p.mean(37.24, n=115, sd=9.93), p.mean(3.0588235294117645, n=17), p.mean(2.5, n=4)
        ('37.2 (9.9)', '3.1', '<5')
        """
        if _missing(n) or float(n) == 0 or _missing(value):
            return ""
        if self.is_small(n):
            return self.primary_marker
        d = self.mean_decimals
        text = f"{float(value):.{d}f}"
        return text + (f" ({float(sd):.{d}f})" if sd is not None and not _missing(sd) else "")

    def smd(self, value: float) -> str:
        """A published standardised mean difference, rounded to ``smd_decimals``.

        Parameters
        ----------
        value : float

        Returns
        -------
        str
            Empty for a missing value.

        Examples
        --------
        >>> DisclosurePolicy.default().smd(0.6253)
        '0.63'
        """
        return "" if _missing(value) else f"{float(value):.{self.smd_decimals}f}"

    def curve_visible(self, n_risk: Any) -> np.ndarray:
        """Where a survival or incidence curve may be drawn: while at least ``k`` remain at risk.

        Parameters
        ----------
        n_risk : array_like
            Number at risk at each time of a curve table.

        Returns
        -------
        numpy.ndarray of bool
            True up to (not including) the first time with fewer than ``k`` at risk; the
            figure ends the curve there and says so in its caption.

        Examples
        --------
        >>> DisclosurePolicy.default().curve_visible([20, 9, 5, 4, 6]).tolist()
        [True, True, True, False, False]
        """
        r = np.asarray(n_risk, dtype=float)
        below = np.flatnonzero(~(r >= self.k))
        end = below[0] if len(below) else len(r)
        return np.arange(len(r)) < end

    def note(self, language: str = "en") -> str:
        """The footnote that explains both markers and the rounding, in English or Dutch.

        Parameters
        ----------
        language : {"en", "nl"}

        Returns
        -------
        str

        Examples
        --------
        >>> print(DisclosurePolicy.default().note("nl"))  # doctest: +NORMALIZE_WHITESPACE
        <5: minder dan 5 personen (1 tot en met 4). ×: niet getoond, zodat een cel met <5
        niet uit een totaal of een ander kengetal is terug te rekenen; de cel kan elk aantal
        bevatten, ook 5 of meer. Percentages zijn afgerond op hele getallen, gemiddelden op
        1 decimaal; bij een verborgen aantal staat geen percentage of gemiddelde. Figuren
        tonen aantallen onder 5 als <5.
        """
        lang = check_language(language)
        i = 0 if lang == "en" else 1
        values = {"primary": self.primary_marker, "secondary": self.secondary_marker,
                  "k": self.k, "k_1": self.k - 1,
                  "percent": _decimals_text(self.percent_decimals, lang),
                  "mean": _decimals_text(self.mean_decimals, lang)}
        keys = ["primary", "secondary", "rounding"]
        if not self.small_counts_in_figures:
            keys.append("figures")
        return " ".join(NOTE_TEXTS[key][i].format(**values) for key in keys)

    # ------------------------------------------------------------------ tables
    def reasons(self, counts: pd.DataFrame, *, blocks: Sequence[Any] | None = None,
                row_totals: bool = False, col_totals: bool = False,
                counted: pd.DataFrame | None = None,
                derived_from: Mapping[CellKey, Sequence[CellKey]] | None = None
                ) -> pd.DataFrame:
        """Which cells of a table to hide under this policy, and why.

        Parameters
        ----------
        counts : pandas.DataFrame
            The persons behind each cell.
        blocks, row_totals, col_totals, counted, derived_from
            The partitions and dependencies, see
            :func:`kow_research.report.suppression.suppression_reasons`.

        Returns
        -------
        pandas.DataFrame of str
            ``""``, ``"primary"``, ``"secondary"`` or ``"derived"`` per cell.

        Examples
        --------
        >>> counts = pd.DataFrame({"KOW": [61, 53, 1]}, index=["female", "male", "other"])
        >>> DisclosurePolicy.default().reasons(counts, blocks=["sex"] * 3)["KOW"].tolist()
        ['', 'secondary', 'primary']
        """
        return suppression_reasons(counts, policy=self, blocks=blocks, row_totals=row_totals,
                                   col_totals=col_totals, counted=counted,
                                   derived_from=derived_from)

    def suppress(self, table: pd.DataFrame, *, counts: pd.DataFrame,
                 blocks: Sequence[Any] | None = None, row_totals: bool = False,
                 col_totals: bool = False, counted: pd.DataFrame | None = None,
                 derived_from: Mapping[CellKey, Sequence[CellKey]] | None = None
                 ) -> pd.DataFrame:
        """The table as it may be published: ``"<k"`` for small counts, the secondary marker
        for protecting cells, derived statistics hidden.

        Parameters
        ----------
        table : pandas.DataFrame
            The cells as shown.
        counts : pandas.DataFrame
            Same shape: the persons behind each cell.
        blocks, row_totals, col_totals, counted, derived_from
            See :func:`kow_research.report.suppression.suppression_reasons`.

        Returns
        -------
        pandas.DataFrame
            See :func:`kow_research.report.suppression.suppress_table`; which cells were
            hidden and why is in ``attrs["disclosure"]["hidden"]``.

        Examples
        --------
        A secondary cell holding 53 people shows "×", not "<5":

        >>> counts = pd.DataFrame({"KOW": [61, 53, 1]}, index=["female", "male", "other"])
        >>> DisclosurePolicy.default().suppress(counts, counts=counts,
        ...                                     blocks=["sex"] * 3)["KOW"].tolist()
        [61, '×', '<5']
        """
        return suppress_table(table, policy=self, counts=counts, blocks=blocks,
                              row_totals=row_totals, col_totals=col_totals, counted=counted,
                              derived_from=derived_from)

    def suppress_columns(self, frame: pd.DataFrame, *, counts: Sequence[str] | str,
                         partitions: Sequence[Any] | None = None, row_totals: bool = False,
                         means: Mapping[str, str] | None = None,
                         percents: Mapping[str, tuple[str, str]] | None = None
                         ) -> pd.DataFrame:
        """Disclosure control of a long aggregate table (count columns, means, percentages).

        Parameters
        ----------
        frame : pandas.DataFrame
        counts : str or sequence of str
            The count columns.
        partitions, row_totals, means, percents
            See :func:`kow_research.report.suppression.suppress_long`.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> flow = pd.DataFrame({"stage": ["entered", "excluded", "analysed"],
        ...                      "n": [40, 3, 37]})
        >>> DisclosurePolicy.default().suppress_columns(
        ...     flow, counts="n", partitions=[None, "split", "split"])["n"].tolist()
        [40, '<5', '×']
        """
        return suppress_long(frame, policy=self, counts=counts, partitions=partitions,
                             row_totals=row_totals, means=means, percents=percents)
