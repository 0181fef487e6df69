"""Argument checks with messages that say what was wrong and what to do."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import numpy as np
import pandas as pd


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    allowed : iterable
        The allowed values (a mapping's keys count).

    Raises
    ------
    ValueError
        ``"ties must be one of 'breslow', 'efron'; got 'exact'"``.

    Examples
    --------
    >>> check_choice("ties", "efron", ("breslow", "efron"))
    >>> check_choice("ties", "exact", ("breslow", "efron"))
    Traceback (most recent call last):
    ...
    ValueError: ties must be one of 'breslow', 'efron'; got 'exact'
    """
    options = list(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")


def check_alpha(alpha: Any) -> float:
    """Return ``alpha`` as a float if ``0 < alpha < 1``; raise ``ValueError`` otherwise.

    Parameters
    ----------
    alpha : float
        1 - confidence level.

    Returns
    -------
    float

    Examples
    --------
    >>> check_alpha(0.05)
    0.05
    >>> check_alpha(5)
    Traceback (most recent call last):
    ...
    ValueError: alpha is 1 - the confidence level and must lie strictly between 0 and 1; got 5 (for a 95% interval use alpha=0.05)
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not (
            0 < float(alpha) < 1):
        raise ValueError("alpha is 1 - the confidence level and must lie strictly between 0 "
                         f"and 1; got {alpha!r} (for a 95% interval use alpha=0.05)")
    return float(alpha)


def check_columns(df: pd.DataFrame, columns: Iterable[str | None], what: str = "column") -> None:
    """Raise ``ValueError`` naming the columns of ``df`` that are missing (``None`` is skipped).

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to check.
    columns : iterable of str or None
        Column names that must be present.
    what : str, default "column"
        How to call them in the message (e.g. ``"covariate"``).

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        Naming the missing columns and the columns there are.

    Examples
    --------
    >>> check_columns(pd.DataFrame({"time": [1]}), ["time", None])
    >>> check_columns(pd.DataFrame({"time": [1]}), ["event"])
    Traceback (most recent call last):
    ...
    ValueError: column 'event' not found; columns are ['time']
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        names = ", ".join(map(repr, missing))
        plural = "s" if len(missing) > 1 else ""
        raise ValueError(f"{what}{plural} {names} not found; columns are {list(df.columns)}")


def row_labels(mask: Any, index: Collection[Any], limit: int = 5) -> str:
    """The first ``limit`` row labels where ``mask`` is true, for error messages.

    Parameters
    ----------
    mask : array_like of bool
        Which rows to name.
    index : sequence
        Row labels (a DataFrame's index).
    limit : int, default 5
        How many labels to name before "and n more".

    Returns
    -------
    str
        ``"3, 7 and 12 more"``.

    Examples
    --------
    >>> row_labels([True, False, True], pd.RangeIndex(3))
    '0, 2'
    >>> row_labels([True] * 8, pd.RangeIndex(8), limit=3)
    '0, 1, 2 and 5 more'
    """
    m = np.asarray(mask, dtype=bool)
    labels = [str(x) for x in np.asarray(list(index), dtype=object)[np.flatnonzero(m)[:limit]]]
    more = int(m.sum()) - len(labels)
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")
