"""Stage 0: foundations shared by every stage, with no domain knowledge — argument checks,
time units, and the result protocol (short repr, ``summary()``, ``to_frame()``, ``attrs``,
``plot(ax=None, **kwargs)``). Imports nothing else from kow_research."""

from kow_research.core.checks import check_alpha, check_choice, check_columns, row_labels
from kow_research.core.results import CallableTable, Result, Summary, new_axes, result_class
from kow_research.core.units import DAYS_PER_MONTH, DAYS_PER_YEAR, TIME_UNITS, months_to

__all__ = [
    "DAYS_PER_MONTH", "DAYS_PER_YEAR", "TIME_UNITS", "CallableTable", "Result", "Summary", "new_axes",
    "result_class",
    "check_alpha", "check_choice", "check_columns", "months_to", "row_labels",
]
