"""Primary, secondary and derived suppression of tables under a :class:`DisclosurePolicy`.

Rules
-----
1. **Primary suppression.** A count of ``1`` to ``k - 1`` persons is shown as ``"<k"``
   (the *primary marker*). Zero is shown: it discloses no person.
2. **Secondary (complementary) suppression.** Where cells add up to a total the reader knows
   (the levels of a characteristic plus its missing row add up to the group size; the cells of
   a row add up to a row total), hidden cells must not be recoverable by subtraction. The
   ``"smallest"`` method hides the smallest other non-zero cell of the partition (a zero cell
   when no non-zero cell is left) whenever the hidden cells of a partition could be solved:

   * one hidden cell in the partition, or
   * several, but their sum is the least they can hold (every ``<k`` cell is 1 and every
     other hidden cell 0) or, without other hidden cells, the most (every ``<k`` cell is
     ``k - 1``).

   It repeats until nothing changes (hiding a cell can expose a crossing partition). A cell
   hidden only to protect another shows the *secondary marker* (default ``"×"``), never
   ``"<k"``: it may hold any number of persons.
3. **Derived statistics.** A statistic computed from a hidden count — a percentage, mean, SD
   or SMD — is not shown (``derived="suppress"``) so the count cannot be solved back from it;
   percentages and means that are shown are rounded (by default percentages to whole numbers,
   means to one decimal, SMDs to two).
4. **Figures** show small counts as ``"<k"`` unless ``small_counts_in_figures=True``.

The functions here do the work behind :meth:`DisclosurePolicy.reasons`,
:meth:`DisclosurePolicy.suppress` and :meth:`DisclosurePolicy.suppress_columns`, and are what
the older :func:`kow_research.report.disclosure.suppression_mask` family can delegate to.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. (2012). *Statistical Disclosure Control*.
Wiley, chapter 4 (frequency tables, primary and secondary suppression).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kow_research.report.policy import DisclosurePolicy

#: reasons a cell can be hidden, as returned by :func:`suppression_reasons`
REASONS: tuple[str, ...] = ("", "primary", "secondary", "derived")
#: a cell reference: (row label, column label)
CellKey = tuple[Hashable, Hashable]


#: the footnote sentences, (English, Dutch)
NOTE_TEXTS: dict[str, tuple[str, str]] = {
    "primary": ("{primary}: fewer than {k} persons (1 to {k_1}).",
                "{primary}: minder dan {k} personen (1 tot en met {k_1})."),
    "secondary": ("{secondary}: not shown so that a cell marked {primary} cannot be "
                  "calculated from a total or another statistic; it can hold any number, "
                  "also {k} or more.",
                  "{secondary}: niet getoond, zodat een cel met {primary} niet uit een totaal "
                  "of een ander kengetal is terug te rekenen; de cel kan elk aantal bevatten, "
                  "ook {k} of meer."),
    "rounding": ("Percentages are rounded to {percent}, means to {mean}; no percentage or "
                 "mean is shown for a hidden count.",
                 "Percentages zijn afgerond op {percent}, gemiddelden op {mean}; bij een "
                 "verborgen aantal staat geen percentage of gemiddelde."),
    "figures": ("Figures show counts below {k} as {primary}.",
                "Figuren tonen aantallen onder {k} als {primary}."),
}


def _decimals_text(d: int, language: str) -> str:
    if language == "nl":
        return "hele getallen" if d == 0 else ("1 decimaal" if d == 1 else f"{d} decimalen")
    return "whole numbers" if d == 0 else ("1 decimal" if d == 1 else f"{d} decimals")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def suppression_reasons(counts: pd.DataFrame, *, policy: DisclosurePolicy,
                        blocks: Sequence[Any] | None = None, row_totals: bool = False,
                        col_totals: bool = False, counted: pd.DataFrame | None = None,
                        derived_from: Mapping[CellKey, Sequence[CellKey]] | None = None
                        ) -> pd.DataFrame:
    """Which cells of a table to hide, and why.

    Parameters
    ----------
    counts : pandas.DataFrame
        The number of persons behind each cell (``inf`` or NaN: not a count, e.g. an SMD
        column, never hidden for its own sake).
    policy : DisclosurePolicy
        Gives ``k``.
    blocks : sequence, optional
        A label per row; rows sharing a label partition each column's total (the levels
        and the missing row of one characteristic). ``None``/NaN: in no partition.
    row_totals : bool, default False
        The cells of each row add up to a published row total.
    col_totals : bool, default False
        The cells of each column add up to a published column total.
    counted : pandas.DataFrame of bool, optional
        Cells that show their count and so take part in partitions (default: every
        finite cell). A "mean (SD)" cell is not counted: it is hidden when fewer than
        ``k`` persons are behind it, never to protect another cell.
    derived_from : mapping, optional
        ``{(row, column): [(row, column), ...]}``: a cell whose statistic is computed from
        other cells' counts (an SMD from the level counts, the percentages of a column
        from its missing count). When one of them is hidden the cell is ``"derived"``.

    Returns
    -------
    pandas.DataFrame of str
        Same shape: ``""`` (shown), ``"primary"``, ``"secondary"`` or ``"derived"``. A small
        cell whose partition has nothing left to hide with it, and whose published total
        would still give it away, is ``"secondary"`` too: its marker then claims nothing
        about its size.

    Examples
    --------
    >>> from kow_research.report.policy import DisclosurePolicy
    >>> counts = pd.DataFrame({"KOW": [61, 53, 1]}, index=["female", "male", "other"])
    >>> suppression_reasons(counts, policy=DisclosurePolicy.default(),
    ...                     blocks=["sex"] * 3)["KOW"].tolist()
    ['', 'secondary', 'primary']

    Dropout before and after paid work add up to a published 8: shown as ``<5`` and ``<5``
    they could only be 4 and 4, so neither says it is small:

    >>> split = pd.DataFrame({"before": [4, 3], "after": [4, 2]})
    >>> suppression_reasons(split, policy=DisclosurePolicy.default(),
    ...                     row_totals=True).values.tolist()
    [['secondary', 'secondary'], ['primary', 'primary']]
    """
    c = counts.to_numpy(dtype=float)
    finite = np.isfinite(c)
    if (c[finite] < 0).any():
        raise ValueError("counts must be >= 0; a negative count was given")
    primary = finite & (c > 0) & (c < policy.k)
    usable = finite.copy()
    if counted is not None:
        if counted.shape != counts.shape:
            raise ValueError(f"counted has shape {counted.shape}, counts {counts.shape}; "
                             "give one flag per cell")
        usable &= counted.to_numpy(dtype=bool)
    n_rows, n_cols = c.shape
    sets: list[np.ndarray] = []
    if blocks is not None:
        labels = np.asarray(list(blocks), dtype=object)
        if len(labels) != n_rows:
            raise ValueError(f"blocks must have one label per row: got {len(labels)} "
                             f"labels for {n_rows} rows")
        keep = pd.notna(pd.Series(labels)).to_numpy()
        for label in pd.unique(labels[keep]):
            rows = np.flatnonzero(keep & (labels == label))
            sets.extend(rows * n_cols + j for j in range(n_cols))
    if row_totals:
        sets.extend(np.arange(n_cols) + i * n_cols for i in range(n_rows))
    if col_totals:
        sets.extend(np.arange(n_rows) * n_cols + j for j in range(n_cols))
    hidden, masked = _secondary(c.ravel(), primary.ravel(), usable.ravel(), sets, policy.k)
    out = np.full(c.shape, "", dtype=object)
    out[hidden.reshape(c.shape)] = "secondary"
    out[primary & ~masked.reshape(c.shape)] = "primary"
    if derived_from:
        rows_ix, cols_ix = counts.index, counts.columns
        changed = True
        while changed:   # a derived cell can itself feed another
            changed = False
            for target, sources in derived_from.items():
                i, j = _position(rows_ix, cols_ix, target)
                if out[i, j]:
                    continue
                if any(out[_position(rows_ix, cols_ix, s)] for s in sources):
                    out[i, j] = "derived"
                    changed = True
    return pd.DataFrame(out, index=counts.index, columns=counts.columns)


def suppress_table(table: pd.DataFrame, *, policy: DisclosurePolicy, counts: pd.DataFrame,
                   blocks: Sequence[Any] | None = None, row_totals: bool = False,
                   col_totals: bool = False, counted: pd.DataFrame | None = None,
                   derived_from: Mapping[CellKey, Sequence[CellKey]] | None = None
                   ) -> pd.DataFrame:
    """The table as it may be published: small counts ``"<k"``, protecting cells ``"×"``.

    Parameters
    ----------
    table : pandas.DataFrame
        The cells as they will be shown (numbers or text such as ``"53 (46%)"``).
    policy : DisclosurePolicy
    counts : pandas.DataFrame
        Same shape: the persons behind each cell.
    blocks, row_totals, col_totals, counted, derived_from
        See :func:`suppression_reasons`.

    Returns
    -------
    pandas.DataFrame
        A new object-dtype frame: primary cells ``"<k"``, secondary cells the secondary
        marker; a derived cell that also shows a count (``"53 (46%)"``) keeps only the
        count, a pure statistic (a mean, an SMD) shows the secondary marker (with
        ``derived="round"`` derived cells are left as given). ``attrs["disclosure"]``
        holds the policy name, ``k``, the number of cells hidden for each reason and
        ``hidden``, a list of ``(row, column, reason)``.

    Examples
    --------
    The Table-1 case: "other" holds 1 person (primary), so the smallest other sex cell,
    53 men, is hidden to protect it — and says so with "×", not "<5":

    >>> from kow_research.report.policy import DisclosurePolicy
    >>> counts = pd.DataFrame({"KOW": [61, 53, 1]}, index=["female", "male", "other"])
    >>> shown = pd.DataFrame({"KOW": ["61 (53%)", "53 (46%)", "1 (1%)"]}, index=counts.index)
    >>> out = suppress_table(shown, policy=DisclosurePolicy.default(), counts=counts,
    ...                      blocks=["sex"] * 3)
    >>> out["KOW"].tolist()
    ['61 (53%)', '×', '<5']
    >>> out.attrs["disclosure"]["hidden"]
    [('male', 'KOW', 'secondary'), ('other', 'KOW', 'primary')]
    """
    if table.shape != counts.shape:
        raise ValueError(f"table has shape {table.shape} but counts has {counts.shape}; "
                         "give one count per cell")
    why = suppression_reasons(counts, policy=policy, blocks=blocks, row_totals=row_totals,
                              col_totals=col_totals, counted=counted, derived_from=derived_from)
    reason = why.to_numpy()
    is_counted = (np.isfinite(counts.to_numpy(dtype=float)) if counted is None
                  else counted.to_numpy(dtype=bool))
    out = table.astype(object).copy()
    values = out.to_numpy(dtype=object, copy=True)
    for i, j in zip(*np.nonzero(reason != ""), strict=True):
        r = reason[i, j]
        if r == "primary":
            values[i, j] = policy.primary_marker
        elif r == "secondary":
            values[i, j] = policy.secondary_marker
        elif policy.derived == "suppress":
            values[i, j] = (_count_part(values[i, j]) if is_counted[i, j]
                            else policy.secondary_marker)
    out = pd.DataFrame(values, index=table.index, columns=table.columns)
    out.attrs = dict(table.attrs)
    hidden = [(table.index[i], table.columns[j], str(reason[i, j]))
              for i, j in zip(*np.nonzero(reason != ""), strict=True)]
    out.attrs["disclosure"] = {
        "policy": policy.name, "k": int(policy.k),
        **{r: int((reason == r).sum()) for r in REASONS[1:]},
        "hidden": hidden}
    return out


def suppress_long(frame: pd.DataFrame, *, policy: DisclosurePolicy,
                  counts: Sequence[str] | str, partitions: Sequence[Any] | None = None,
                  row_totals: bool = False, means: Mapping[str, str] | None = None,
                  percents: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Disclosure control of a long aggregate table (one count per row and column).

    Parameters
    ----------
    frame : pandas.DataFrame
        E.g. an attrition table (column ``n``) or the ladder by wave (``assessed``,
        ``not_assessed``, ``mean_rung``).
    policy : DisclosurePolicy
    counts : str or sequence of str
        The count columns.
    partitions : sequence, optional
        A label per row; rows sharing a label add up, in each count column, to a total
        the reader knows (exclusion reasons plus "analysed" add up to "entered").
    row_totals : bool, default False
        The count columns of each row add up to a published total (``assessed`` plus
        ``not_assessed`` is the cohort size).
    means : mapping, optional
        ``{mean column: count column}``: rounded to ``mean_decimals``, hidden when its
        count is hidden.
    percents : mapping, optional
        ``{percent column: (numerator column, denominator column)}``: rounded to
        ``percent_decimals``, hidden when either count is hidden.

    Returns
    -------
    pandas.DataFrame
        A copy; count columns as object (numbers or markers), statistics rounded or
        marked; ``attrs["disclosure"]`` as in :func:`suppress_table`.

    Examples
    --------
    Per wave, ``assessed`` plus ``not_assessed`` is the cohort size (20). With 3 not
    assessed at T6, 17 assessed is hidden with it, and so is the mean rung whose
    printed digits (52/17 = 3.0588…) would give 17 away:

    >>> from kow_research.report.policy import DisclosurePolicy
    >>> ladder = pd.DataFrame({"wave": ["T0", "T6"], "assessed": [20, 17],
    ...                        "not_assessed": [0, 3], "mean_rung": [2.85, 52 / 17]})
    >>> out = suppress_long(ladder, policy=DisclosurePolicy.default(),
    ...                     counts=["assessed", "not_assessed"], row_totals=True,
    ...                     means={"mean_rung": "assessed"})
    >>> out[["assessed", "not_assessed", "mean_rung"]].values.tolist()
    [[20, 0, 2.9], ['×', '<5', '×']]
    """
    cols = [counts] if isinstance(counts, str) else list(counts)
    means = dict(means or {})
    percents = dict(percents or {})
    wanted = cols + list(means) + list(means.values()) + list(percents) + [
        c for pair in percents.values() for c in pair]
    missing = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the table; columns are "
                         f"{list(frame.columns)}")
    for stat, source in [*means.items(), *((p, a) for p, (a, _) in percents.items())]:
        if source not in cols:
            raise ValueError(f"{stat!r} is computed from {source!r}, which is not one of "
                             f"the count columns {cols}")
    count_frame = frame[cols].astype(float)
    why = suppression_reasons(count_frame.reset_index(drop=True), policy=policy,
                              blocks=partitions, row_totals=row_totals)
    out = frame.copy()
    hidden: list[tuple[Any, Any, str]] = []
    for c in cols:
        reason = why[c].to_numpy()
        col = frame[c].astype(object).copy()
        col[reason == "primary"] = policy.primary_marker
        col[reason == "secondary"] = policy.secondary_marker
        col = col.map(lambda v: int(v) if isinstance(v, (int, float, np.integer,
                                                           np.floating))
                      and not _missing(v) and float(v).is_integer() else v)
        out[c] = col
        hidden += [(frame.index[i], c, str(reason[i])) for i in np.flatnonzero(reason != "")]
    for stat, source in means.items():
        gone = why[source].to_numpy() != ""
        out[stat] = _stat_column(policy, frame[stat], gone, policy.round_mean)
        hidden += [(frame.index[i], stat, "derived") for i in np.flatnonzero(gone)]
    for stat, (num, den) in percents.items():
        gone = (why[num].to_numpy() != "") | (
            why[den].to_numpy() != "" if den in cols else np.zeros(len(frame), bool))
        out[stat] = _stat_column(policy, frame[stat], gone, policy.round_percent)
        hidden += [(frame.index[i], stat, "derived") for i in np.flatnonzero(gone)]
    out.attrs = dict(frame.attrs)
    out.attrs["disclosure"] = {
        "policy": policy.name, "k": int(policy.k),
        **{r: sum(1 for h in hidden if h[2] == r) for r in REASONS[1:]},
        "hidden": hidden}
    return out


def _stat_column(policy: DisclosurePolicy, values: pd.Series, gone: np.ndarray,
                 rounding: Any) -> pd.Series:
    def one(v: Any) -> Any:
        return v if _missing(v) else rounding(v)

    col = values.map(one).astype(object)
    if policy.derived == "suppress":
        col[gone] = policy.secondary_marker
    return col


def _position(index: pd.Index, columns: pd.Index,
              key: tuple[Hashable, Hashable]) -> tuple[int, int]:
    try:
        row, col = key
        i, j = index.get_loc(row), columns.get_loc(col)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"derived_from refers to cell {key!r}, which is not a (row, column) "
                         "label pair of the table") from None
    if not isinstance(i, (int, np.integer)) or not isinstance(j, (int, np.integer)):
        raise ValueError(f"cell {key!r} is not unique in the table; give unique row and column "
                         "labels")
    return int(i), int(j)


def _count_part(value: Any) -> Any:
    """``"53 (46%)"`` -> ``"53"``: the count of a count-and-percentage cell."""
    return value.split(" (", 1)[0] if isinstance(value, str) else value


def _needs_more(c: np.ndarray, hidden_set: np.ndarray, primary: np.ndarray, k: int) -> bool:
    """Whether the hidden cells of one partition could be solved from its total."""
    n_hidden = len(hidden_set)
    if n_hidden == 0:
        return False
    if n_hidden == 1:
        return True
    r = float(c[hidden_set].sum())
    n_primary = int(primary[hidden_set].sum())
    lowest = n_primary                      # every <k cell 1, every other hidden cell 0
    if r == lowest:
        return True
    if n_primary == n_hidden and r == n_primary * (k - 1):
        return True                         # every <k cell k - 1
    return False


def _secondary(c: np.ndarray, primary: np.ndarray, usable: np.ndarray,
               sets: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat masks of every hidden cell (primary and secondary) under the "smallest" rule,
    and of the primary cells that must not even say they are small.

    When every cell of a partition is hidden and its published total still pins them down
    (two cells ``<5`` and ``<5`` with a total of 8 can only be 4 and 4), the small cells are
    shown with the secondary marker, which claims nothing about their size: the reader then
    knows only that they add up to the total.
    """
    hide = primary.copy()
    masked = np.zeros_like(primary)
    changed = True
    while changed:
        changed = False
        for cells in sets:
            cells = cells[usable[cells]]
            hidden_set = cells[hide[cells]]
            if not _needs_more(c, hidden_set, primary, k):
                continue
            free = cells[~hide[cells]]
            if len(free) == 0:
                if len(hidden_set) > 1:
                    masked[hidden_set[primary[hidden_set]]] = True
                continue
            nonzero = free[c[free] > 0]
            pool = nonzero if len(nonzero) else free
            hide[pool[np.argmin(c[pool])]] = True
            changed = True
    return hide, masked
