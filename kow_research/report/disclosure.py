"""Disclosure control for exported tables: small cells are suppressed and marked.

A cell based on fewer than ``k`` people (default 5; zero is shown) is replaced by ``"<k"``.
Secondary suppression: the levels of one variable add up to a known column total (the group
size in the header), so when exactly one cell of a variable's block is suppressed in a column,
the smallest other non-zero cell of that block and column is suppressed too — otherwise the
hidden count could be recovered by subtraction. Cells whose count is ``inf`` (e.g. SMDs) are
never suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def suppress_small(table: pd.DataFrame, counts: pd.DataFrame, k: int = 5,
                   blocks: Sequence[Any] | None = None) -> pd.DataFrame:
    """Replace cells whose person count is below ``k`` by ``"<k"``.

    Parameters
    ----------
    table : pandas.DataFrame
        Formatted cells.
    counts : pandas.DataFrame
        Same shape: the number of people behind each cell.
    k : int, default 5
    blocks : sequence, optional
        A block label per row (rows of one variable share a label and partition the column
        total); enables secondary suppression within each block and column.
    """
    if table.shape != counts.shape:
        raise ValueError("table and counts must have the same shape")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    c = counts.to_numpy(dtype=float)
    small = (c < k) & (c > 0)
    if blocks is not None:
        labels = np.asarray(list(blocks), dtype=object)
        if len(labels) != len(table):
            raise ValueError("blocks must have one label per row")
        for label in pd.unique(labels):
            rows = np.flatnonzero(labels == label)
            for j in range(c.shape[1]):
                col = c[rows, j]
                if not np.isfinite(col).all() or small[rows, j].sum() != 1:
                    continue
                candidates = np.flatnonzero(~small[rows, j] & (col > 0))
                if len(candidates):
                    small[rows[candidates[np.argmin(col[candidates])]], j] = True
    out = table.astype(object).mask(pd.DataFrame(small, index=table.index,
                                                  columns=table.columns), f"<{k}")
    return out
