"""The result protocol shared by every result object of kow_research.

Every public analysis returns a small immutable result (a frozen dataclass decorated with
:func:`result_class`) that derives from :class:`Result` and therefore has

* a short ``repr()`` (a few lines naming what it is and which tables it holds, never a whole
  DataFrame),
* ``summary()`` — a :class:`Summary` (title, tables, notes) that renders as text, HTML and LaTeX,
  like statsmodels' ``Results.summary()``,
* ``to_frame()`` — a copy of its main table,
* ``attrs`` — the definition and estimand it was computed under (plain Python values),
* ``plot(ax=None, **kwargs)`` — draws on ``ax`` (a new figure when None) and returns the Axes.

Results that held a ``.summary`` DataFrame before this protocol keep it: :class:`CallableTable`
is that DataFrame, and calling it (``result.summary()``) gives the formatted summary.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

T = TypeVar("T")
MAX_REPR_LINES = 12


@dataclass_transform(frozen_default=True, eq_default=False)
def result_class(cls: type[T]) -> type[T]:
    """Declare a result class: a frozen dataclass that keeps :class:`Result`'s short ``repr``.

    No ``__repr__`` is generated (the base class prints a few lines naming the result and its
    tables, never a whole DataFrame) and no ``__eq__`` (which would compare DataFrames).

    Parameters
    ----------
    cls : type
        A subclass of :class:`Result` with annotated fields, among them
        ``attrs: dict[str, Any]``, implementing ``_describe()`` and ``_tables()``.

    Returns
    -------
    type
        ``cls`` as a frozen dataclass.

    Examples
    --------
    >>> from dataclasses import field
    >>> @result_class
    ... class MeanResult(Result):
    ...     table: pd.DataFrame
    ...     attrs: dict = field(default_factory=dict)
    ...
    ...     def _describe(self):
    ...         return "mean of x"
    ...
    ...     def _tables(self):
    ...         return [("table", self.table)]
    >>> res = MeanResult(table=pd.DataFrame({"estimate": [2.0], "se": [0.5]}))
    >>> res
    <MeanResult: mean of x>
      table: 1 rows (estimate, se)
    >>> res.to_frame()["estimate"].tolist()
    [2.0]
    >>> res.table = None
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'table'
    """
    return dataclass(frozen=True, repr=False, eq=False)(cls)


def format_value(value: Any, digits: int = 4) -> str:
    """A number as text for a summary: integers as integers, others to ``digits`` significant
    digits, missing as an empty string."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        v = float(value)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.{digits}g}"
    return str(value)


class Summary:
    """A formatted summary: a title, named tables and notes.

    Parameters
    ----------
    title : str
        One line saying what the result is.
    tables : sequence of (str, DataFrame)
        The tables in reading order, each with a caption (may be empty).
    notes : sequence of str
        Definitions, estimand and caveats printed under the tables.

    Examples
    --------
    >>> s = Summary("Example", [("", pd.DataFrame({"n": [3]}))], ["a note"])
    >>> print(s.as_text())
    Example
    =======
       n
    0  3
    a note
    """

    def __init__(self, title: str, tables: Sequence[tuple[str, pd.DataFrame]],
                 notes: Sequence[str] = ()) -> None:
        self.title = str(title)
        self.tables = [(str(name), frame) for name, frame in tables]
        self.notes = [str(n) for n in notes if n]

    @staticmethod
    def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.apply(lambda col: col.map(format_value)) if len(frame.columns) else frame

    def as_text(self) -> str:
        """Plain text (monospace tables)."""
        parts = [self.title, "=" * len(self.title)]
        for name, frame in self.tables:
            if name:
                parts.append(name)
            parts.append(self._formatted(frame).to_string())
        parts += self.notes
        return "\n".join(parts)

    def as_html(self) -> str:
        """HTML fragment (headed tables and notes)."""
        parts = [f"<h4>{html.escape(self.title)}</h4>"]
        for name, frame in self.tables:
            if name:
                parts.append(f"<p><b>{html.escape(name)}</b></p>")
            parts.append(self._formatted(frame).to_html())
        parts += [f"<p><small>{html.escape(n)}</small></p>" for n in self.notes]
        return "\n".join(parts)

    def as_latex(self) -> str:
        """LaTeX (``tabular`` per table)."""
        parts = [f"\\textbf{{{self.title}}}"]
        for name, frame in self.tables:
            if name:
                parts.append(name)
            parts.append(self._formatted(frame).to_latex())
        parts += self.notes
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


class CallableTable(pd.DataFrame):
    """A result's headline table that, called, returns the result's formatted :class:`Summary`.

    ``fit.summary["hr"]`` reads the table; ``fit.summary()`` formats the whole result. Any
    operation on it returns a plain DataFrame.
    """

    _metadata = ["_summary_fn"]

    @property
    def _constructor(self) -> Callable[..., pd.DataFrame]:  # type: ignore[override]
        return pd.DataFrame

    @classmethod
    def of(cls, frame: pd.DataFrame, summary_fn: Callable[[], Summary]) -> CallableTable:
        """Wrap ``frame`` (not copied) so that calling it returns ``summary_fn()``."""
        out = cls(frame)
        out._summary_fn = summary_fn
        out.attrs = dict(frame.attrs)
        return out

    def __call__(self) -> Summary:
        return self._summary_fn()  # type: ignore[no-any-return]


class Result:
    """Base of every result object (see the module docstring for the protocol).

    Subclasses are :func:`result_class` dataclasses with an ``attrs`` field, and implement
    :meth:`_describe` (one line) and :meth:`_tables`; :meth:`_notes` and :meth:`plot` are
    optional.
    """

    attrs: dict[str, Any]

    # -- to implement -------------------------------------------------------------------------
    def _describe(self) -> str:
        """One line: what this result is (estimator, outcome, groups)."""
        return type(self).__name__

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        """The tables of this result, the main one first."""
        return []

    def _notes(self) -> list[str]:
        """Definition, estimand and caveats for the summary (default: ``attrs`` texts)."""
        notes = []
        text = self.attrs.get("definition_text") if isinstance(self.attrs, dict) else None
        if isinstance(text, dict):
            text = text.get("en")
        if text:
            notes.append(str(text))
        for key in ("estimand_text", "note"):
            if isinstance(self.attrs, dict) and self.attrs.get(key):
                notes.append(str(self.attrs[key]))
        return notes

    # -- the protocol -------------------------------------------------------------------------
    def summary(self) -> Summary:
        """The formatted summary (text, HTML, LaTeX) of this result."""
        return Summary(self._describe(), self._tables(), self._notes())

    def to_frame(self) -> pd.DataFrame:
        """A copy of the main table of this result."""
        tables = self._tables()
        if not tables:
            raise ValueError(f"{type(self).__name__} holds no table")
        return pd.DataFrame(tables[0][1]).copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the result on ``ax`` (a new figure when None); returns the Axes."""
        raise NotImplementedError(f"{type(self).__name__} has no figure of its own")

    def __repr__(self) -> str:
        lines = [f"<{type(self).__name__}: {self._describe()}>"]
        for name, frame in self._tables():
            cols = [str(c) for c in frame.columns]
            shown = ", ".join(cols[:6]) + (", ..." if len(cols) > 6 else "")
            label = name or "table"
            lines.append(f"  {label}: {len(frame)} rows ({shown})")
        if len(lines) > MAX_REPR_LINES:
            lines = [*lines[:MAX_REPR_LINES - 1], f"  ... {len(lines) - MAX_REPR_LINES + 1} more"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (6.25, 4.0)) -> Axes:
    """``ax`` itself, or the Axes of a new figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; returned unchanged when given.
    figsize : (float, float), default (6.25, 4.0)
        Size of a new figure in inches; the default width is 15.9 cm (A4 text width is 16 cm).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, or the Axes of a new figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = new_axes()
    >>> float(ax.figure.get_figwidth())
    6.25
    >>> new_axes(ax) is ax
    True
    >>> plt.close(ax.figure)
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new
