"""The :class:`Study` container: the four canonical tables of one data set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core import check_choice
from kow_research.data.schema import TABLES, get_schema

PROVENANCE_COLUMNS: tuple[str, str] = ("_source_file", "_source_row")
"""Reserved columns that carry each record's original file and row through a canonical study
folder (written by ``kow-research import``; read back into :class:`TableSource`)."""


@dataclass(frozen=True)
class TableSource:
    """Where the records of a table came from, so problems can be reported by file and row.

    Parameters
    ----------
    name : str
        The file (or ``file[sheet]``) the table was read from.
    first_row : int, default 1
        Row number of the first record when ``rows`` is not given: ``row = position +
        first_row``. For CSV and Excel the header is row 1 and the first record row 2; for
        Parquet, SPSS and in-memory frames the first record is row 1.
    rows : numpy.ndarray of int, optional
        The physical row (line) of every record in its file. Given when blank lines were
        skipped, records span several lines, or records were imported from a wide file (every
        long row keeps the line of the wide row it came from).
    files : numpy.ndarray of str, optional
        The file of every record when a table was put together from several files.
    columns : dict, optional
        Canonical column name → the source column it came from (a string, or one name per record
        for columns made from several wide columns); messages then name the source column.
    formats : dict, optional
        Canonical column name → how its text was read (e.g. ``"a date as %d-%m-%Y (date_format
        in the mapping)"``), used in type-error messages.
    """

    name: str
    first_row: int = 1
    rows: np.ndarray | None = field(default=None, compare=False, repr=False)
    files: np.ndarray | None = field(default=None, compare=False, repr=False)
    columns: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    formats: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def row_numbers(self, positions: np.ndarray) -> np.ndarray:
        """Row number in the source file of the records at ``positions`` (0-based)."""
        pos = np.asarray(positions, dtype=np.int64)
        if self.rows is None:
            return pos + self.first_row
        return np.asarray(self.rows, dtype=np.int64)[pos]

    def file_names(self, positions: np.ndarray) -> np.ndarray:
        """Source file of the records at ``positions`` (an object array of str)."""
        pos = np.asarray(positions, dtype=np.int64)
        if self.files is None:
            return np.full(len(pos), self.name, dtype=object)
        return np.asarray(self.files, dtype=object)[pos]

    def source_column(self, column: str, positions: np.ndarray) -> np.ndarray | None:
        """Name of the source column behind ``column`` for the records at ``positions``, or
        None when the column kept its canonical name."""
        src = self.columns.get(column)
        if src is None:
            return None
        if isinstance(src, str):
            return None if src == column else np.full(len(positions), src, dtype=object)
        return np.asarray(src, dtype=object)[np.asarray(positions, dtype=np.int64)]

    def take(self, positions: np.ndarray) -> TableSource:
        """The source of the records at ``positions`` (for a subset of rows, in that order)."""
        pos = np.asarray(positions, dtype=np.int64)
        columns = {c: (v if isinstance(v, str) else np.asarray(v, dtype=object)[pos])
                   for c, v in self.columns.items()}
        return TableSource(name=self.name, first_row=self.first_row, rows=self.row_numbers(pos),
                           files=None if self.files is None else self.file_names(pos),
                           columns=columns, formats=dict(self.formats))


@dataclass(frozen=True)
class Study:
    """The four tables of a study (see ``data_dictionary/``).

    Parameters
    ----------
    participants, ladder, spells, sessions : pandas.DataFrame
        The canonical tables. Missing tables may be passed as empty frames; use
        :meth:`Study.empty_table` to make one with the right columns and dtypes.
    sources : dict of str to TableSource, optional
        Origin of each table (file name and first data row) for error messages.
    meta : dict, optional
        Free-form provenance, e.g. the simulator's parameters.

    Notes
    -----
    A Study never changes its frames; functions that derive something return new objects.
    Build one from files with :func:`kow_research.load_study` (which validates) or in memory
    and then call :func:`kow_research.validate`.
    """

    participants: pd.DataFrame
    ladder: pd.DataFrame
    spells: pd.DataFrame
    sessions: pd.DataFrame
    sources: dict[str, TableSource] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in TABLES:
            value = getattr(self, name)
            if not isinstance(value, pd.DataFrame):
                raise TypeError(f"Study.{name} must be a pandas DataFrame, got {type(value).__name__}")

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables keyed by name, in canonical order."""
        return {name: getattr(self, name) for name in TABLES}

    def source(self, table: str) -> TableSource:
        """Return the :class:`TableSource` of ``table`` (in-memory default if unknown)."""
        return self.sources.get(table, TableSource(name=table, first_row=1))

    @property
    def cohorts(self) -> list[str]:
        """Cohort codes present, in order of first appearance."""
        return list(pd.unique(self.participants["cohort"].astype(str)))

    @staticmethod
    def empty_table(table: str) -> pd.DataFrame:
        """An empty frame with the canonical columns and dtypes of ``table``."""
        schema = get_schema(table)
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.dtypes().items()})

    @classmethod
    def from_frames(cls, **frames: pd.DataFrame) -> Study:
        """Build a Study from keyword frames; absent tables become empty canonical frames."""
        for name in frames:
            check_choice("table", name, (*TABLES, "sources", "meta"))
        kwargs: dict[str, Any] = {t: frames.get(t, cls.empty_table(t)) for t in TABLES}
        return cls(**kwargs, sources=frames.get("sources", {}), meta=frames.get("meta", {}))

    def subset(self, participant_ids: pd.Index | list[str] | Any) -> Study:
        """Return a Study restricted to ``participant_ids`` (all four tables)."""
        ids = pd.Index(participant_ids)
        frames: dict[str, Any] = {}
        sources: dict[str, TableSource] = {}
        for t, df in self.tables.items():
            keep = np.flatnonzero(df["participant_id"].isin(ids).to_numpy(dtype=bool))
            frames[t] = df.iloc[keep].reset_index(drop=True)
            if t in self.sources:
                sources[t] = self.sources[t].take(keep)
        return Study(**frames, sources=sources, meta=dict(self.meta))

    def __repr__(self) -> str:
        counts = ", ".join(f"{t}={len(df):,}" for t, df in self.tables.items())
        return f"Study({counts})"
