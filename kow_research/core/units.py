"""Time units. A month is a twelfth of a Julian year (30.4375 days) everywhere in the package."""

from __future__ import annotations

from typing import Any

import numpy as np

from kow_research.core.checks import check_choice

#: days in a Julian year
DAYS_PER_YEAR = 365.25
#: days in a month (``DAYS_PER_YEAR / 12``)
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
#: unit name -> days per unit
TIME_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": DAYS_PER_MONTH}


def months_to(months: Any, *, unit: str) -> np.ndarray:
    """Convert ``months`` to ``unit`` (``"days"``, ``"weeks"`` or ``"months"``).

    Parameters
    ----------
    months : array_like
        Durations in months.
    unit : {"days", "weeks", "months"}
        Target unit.

    Returns
    -------
    numpy.ndarray
        The durations in ``unit``.

    Examples
    --------
    >>> float(months_to(12, unit="days"))            # 12 * 365.25 / 12
    365.25
    >>> months_to([1, 2], unit="weeks").round(4).tolist()   # 30.4375 / 7 = 4.3482
    [4.3482, 8.6964]
    """
    check_choice("unit", unit, TIME_UNITS)
    return np.asarray(months, dtype=float) * DAYS_PER_MONTH / TIME_UNITS[unit]
