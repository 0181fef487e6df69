"""Disclosure control for exported tables: small cells are suppressed and marked.

Rules (what :func:`suppress_small` does)
-----------------------------------------
1. **Primary suppression.** A cell based on at least one and fewer than ``k`` persons (default
   ``k = 5``) is replaced by the marker ``"<k"``. Zero cells are shown: a zero discloses no
   person. Cells whose count is ``inf`` or missing (e.g. an SMD column) are never suppressed.
2. **Secondary (complementary) suppression.** Some groups of cells add up to a total the reader
   knows — the levels of one categorical variable plus its "missing" row add up to the group
   size in the column header; the cells of a row add up to a published row total. In such a
   *partition* a single hidden cell could be recovered by subtraction, so whenever exactly one
   cell of a partition is hidden, the smallest other non-zero cell of the same partition is
   hidden too (the smallest zero cell if no non-zero cell is left). Hiding a cell can leave
   a single hidden cell in a crossing partition, so the rule is applied until nothing changes.

Only cells that show (or let the reader compute) their count take part in the partitions:
a "mean (SD)" cell is primary-suppressed when fewer than ``k`` people are behind it, but it is
never chosen as a complementary cell. This is the usual primary/secondary scheme of statistical
offices (e.g. CBS, ONS); it protects against recovery from one-dimensional totals, not against
every linear combination of a set of tables (use dedicated software such as tau-ARGUS for that).

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. (2012). *Statistical Disclosure Control*.
Wiley, chapter 4 (frequency tables, primary and secondary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated

DEFAULT_K = 5


def marker(k: int) -> str:
    """The text that replaces a suppressed cell: ``"<k"``."""
    return f"<{k}"


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k (the smallest number of persons a cell may show) must be an "
                         f"integer >= 1, got {k!r}")


def _partitions_from_labels(labels: Sequence[Any], n_rows: int, n_cols: int) -> list[np.ndarray]:
    """Flat cell indices of each (block label, column) partition; None/NaN labels: none."""
    arr = np.asarray(list(labels), dtype=object)
    if len(arr) != n_rows:
        raise ValueError(f"blocks must have one label per row: got {len(arr)} labels for "
                         f"{n_rows} rows")
    keep = pd.notna(pd.Series(arr)).to_numpy()
    sets: list[np.ndarray] = []
    for label in pd.unique(arr[keep]):
        rows = np.flatnonzero(keep & (arr == label))
        sets.extend(rows * n_cols + j for j in range(n_cols))
    return sets


@positional_deprecated("k", "blocks", "row_totals", "counted")
def suppression_mask(counts: pd.DataFrame, *, k: int = DEFAULT_K,
                     blocks: Sequence[Any] | None = None, row_totals: bool = False,
                     counted: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which cells to hide under the primary and secondary rules of this module.

    Parameters
    ----------
    counts : pandas.DataFrame
        The number of persons behind each cell (``inf`` or NaN: never suppressed).
    k : int, default 5
        Cells with ``0 < count < k`` are suppressed.
    blocks : sequence, optional
        A label per row; rows sharing a label partition each column's total (e.g. the levels
        and the missing row of one variable). ``None``/NaN labels belong to no partition.
    row_totals : bool, default False
        The cells of each row partition a published row total (a "Total" column).
    counted : pandas.DataFrame of bool, optional
        Cells that show their count and may take part in partitions (default: every finite
        cell).

    Returns
    -------
    pandas.DataFrame of bool
        True where the cell must be hidden (same index and columns as ``counts``).

    Raises
    ------
    ValueError
        When ``k`` is not an integer >= 1, ``blocks`` has not one label per row or
        ``counted`` has another shape than ``counts``.

    References
    ----------
    .. [1] Hundepool A, Domingo-Ferrer J, Franconi L, et al. Statistical Disclosure Control.
       Wiley 2012, chapter 4.

    Examples
    --------
    One variable with three levels that add up to the column total: 3 is below ``k = 5``
    (primary); it would follow from the total minus 10 and 7, so the smallest other cell, 7,
    is hidden too (secondary).

    >>> counts = pd.DataFrame({"A": [10, 3, 7]})
    >>> suppression_mask(counts, k=5, blocks=["x", "x", "x"])["A"].tolist()
    [False, True, True]

    Without a partition only the primary rule applies; zero cells are never hidden:

    >>> suppression_mask(pd.DataFrame({"A": [10, 3, 0]}), k=5)["A"].tolist()
    [False, True, False]

    Rows that add up to a published row total: in the first row 2 is hidden and then the
    smaller other non-zero cell, 6; the second row has no small cell (0 is shown).

    >>> counts = pd.DataFrame({"a": [12, 8], "b": [2, 9], "c": [6, 0]})
    >>> suppression_mask(counts, k=5, row_totals=True).values.tolist()
    [[False, True, True], [False, False, False]]
    """
    _check_k(k)
    c = counts.to_numpy(dtype=float)
    finite = np.isfinite(c)
    hide = finite & (c > 0) & (c < k)
    usable = finite.copy()
    if counted is not None:
        if counted.shape != counts.shape:
            raise ValueError(f"counted has shape {counted.shape}, counts {counts.shape}")
        usable &= counted.to_numpy(dtype=bool)
    n_rows, n_cols = c.shape
    sets: list[np.ndarray] = []
    if blocks is not None:
        sets.extend(_partitions_from_labels(blocks, n_rows, n_cols))
    if row_totals:
        sets.extend(np.arange(n_cols) + i * n_cols for i in range(n_rows))
    flat_c, flat_hide, flat_use = c.ravel(), hide.ravel(), usable.ravel()
    changed = True
    while changed:
        changed = False
        for cells in sets:
            cells = cells[flat_use[cells]]
            hidden = flat_hide[cells]
            if hidden.sum() != 1:
                continue
            free = cells[~hidden]
            if len(free) == 0:
                continue  # nothing left to hide with it; the total itself is the problem
            nonzero = free[flat_c[free] > 0]
            pool = nonzero if len(nonzero) else free
            flat_hide[pool[np.argmin(flat_c[pool])]] = True
            changed = True
    return pd.DataFrame(flat_hide.reshape(c.shape), index=counts.index, columns=counts.columns)


@positional_deprecated("counts", "k", "blocks", "row_totals", "counted")
def suppress_small(table: pd.DataFrame, *, counts: pd.DataFrame, k: int = DEFAULT_K,
                   blocks: Sequence[Any] | None = None, row_totals: bool = False,
                   counted: pd.DataFrame | None = None) -> pd.DataFrame:
    """Replace cells based on fewer than ``k`` persons by ``"<k"`` (with secondary suppression).

    Parameters
    ----------
    table : pandas.DataFrame
        The cells as they will be shown (formatted text or numbers).
    counts : pandas.DataFrame
        Same shape: the number of persons behind each cell (``inf`` or NaN: never
        suppressed).
    k : int, default 5
        Cells with ``0 < count < k`` are suppressed (shown as ``"<k"``).
    blocks : sequence, optional
        A label per row; rows sharing a label partition each column's total (see
        :func:`suppression_mask`).
    row_totals : bool, default False
        The cells of each row partition a published row total.
    counted : pandas.DataFrame of bool, optional
        Cells that show their count and may take part in partitions (default: every finite
        cell); e.g. False for "mean (SD)" cells.

    Returns
    -------
    pandas.DataFrame
        ``table`` as object dtype with hidden cells replaced by ``"<k"``; a new frame (the
        input is not changed). ``attrs["disclosure"]`` records ``k`` and the number of
        suppressed cells.

    Raises
    ------
    ValueError
        When ``table`` and ``counts`` differ in shape (or see :func:`suppression_mask`).

    Examples
    --------
    3 is below ``k = 5``; 7 is hidden with it, or 3 would follow from the column total.

    >>> t = pd.DataFrame({"A": [10, 3, 7]})
    >>> shown = suppress_small(t, counts=t, k=5, blocks=["x", "x", "x"])
    >>> shown["A"].tolist(), shown.attrs["disclosure"]
    ([10, '<5', '<5'], {'k': 5, 'suppressed': 2})

    Formatted cells with the counts behind them:

    >>> cells = pd.DataFrame({"KOW": ["12 (60.0%)", "3 (15.0%)", "5 (25.0%)"]})
    >>> counts = pd.DataFrame({"KOW": [12, 3, 5]})
    >>> suppress_small(cells, counts=counts, blocks=["sex"] * 3)["KOW"].tolist()
    ['12 (60.0%)', '<5', '<5']
    """
    if table.shape != counts.shape:
        raise ValueError(f"table has shape {table.shape} but counts has {counts.shape}; "
                         "give one count per cell")
    hide = suppression_mask(counts, k=k, blocks=blocks, row_totals=row_totals,
                            counted=counted)
    out = table.astype(object).copy()
    out = out.mask(pd.DataFrame(hide.to_numpy(), index=out.index, columns=out.columns),
                   marker(k))
    out.attrs = dict(table.attrs)
    out.attrs["disclosure"] = {"k": int(k), "suppressed": int(hide.to_numpy().sum())}
    return out


@positional_deprecated("columns", "k", "partitions")
def suppress_counts(frame: pd.DataFrame, *, columns: Sequence[str] | str = "n",
                    k: int = DEFAULT_K, partitions: Sequence[Any] | None = None
                    ) -> pd.DataFrame:
    """Disclosure control for a long aggregate table (one count per row and column).

    Parameters
    ----------
    frame : pandas.DataFrame
        An aggregate table, e.g. an attrition table with a column ``n``.
    columns : str or sequence of str, default "n"
        The count columns to protect.
    k : int, default 5
        Counts with ``0 < n < k`` are replaced by ``"<k"``.
    partitions : sequence, optional
        A label per row; rows sharing a label add up to a total the reader knows (e.g. the
        exclusion reasons plus "analysed" add up to "entered"; see
        :func:`kow_research.report.attrition_partitions`); enables secondary suppression
        within each count column. ``None`` labels belong to no partition.

    Returns
    -------
    pandas.DataFrame
        A copy with small counts replaced by ``"<k"`` (the count columns become object
        dtype); ``attrs["disclosure"]`` records ``k`` and the number of suppressed cells.

    Raises
    ------
    ValueError
        When a count column is not in ``frame``.

    Examples
    --------
    An attrition table: the exclusions (3 and 0) and "analysed" (17) add up to "entered"
    (20). 3 is below ``k = 5`` and would follow from 20 - 0 - 17, so the smallest other
    non-zero count of the partition, 17, is hidden too.

    >>> flow = pd.DataFrame({"stage": ["entered", "excluded", "excluded", "analysed"],
    ...                      "n": [20, 3, 0, 17]})
    >>> suppress_counts(flow, partitions=[None, "split", "split", "split"])["n"].tolist()
    [20, '<5', 0, '<5']
    >>> suppress_counts(flow)["n"].tolist()  # without partitions: primary suppression only
    [20, '<5', 0, 17]
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"count column(s) {missing} not in the table; columns are "
                         f"{list(frame.columns)}")
    counts = frame[cols].astype(float)
    protected = suppress_small(frame[cols], counts=counts, k=k, blocks=partitions)
    out = frame.copy()
    for c in cols:
        out[c] = protected[c]
    out.attrs = dict(frame.attrs)
    out.attrs["disclosure"] = protected.attrs["disclosure"]
    return out
