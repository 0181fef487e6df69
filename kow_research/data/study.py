"""The :class:`Study` container: the four canonical tables of one data set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kow_research.data.schema import TABLES, get_schema


@dataclass(frozen=True)
class TableSource:
    """Where a table came from, so problems can be reported by file and row.

    ``row = position + first_row``: nothing is ever dropped or reordered, so the position of a
    row in the frame maps one-to-one onto its row in the file. For CSV and Excel the header is
    row 1 and the first record is row 2; for Parquet, SPSS and in-memory frames the first record
    is row 1.
    """

    name: str
    first_row: int = 1


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
        unknown = set(frames) - set(TABLES) - {"sources", "meta"}
        if unknown:
            raise ValueError(f"unknown table(s) {sorted(unknown)}; tables are {', '.join(TABLES)}")
        kwargs: dict[str, Any] = {t: frames.get(t, cls.empty_table(t)) for t in TABLES}
        return cls(**kwargs, sources=frames.get("sources", {}), meta=frames.get("meta", {}))

    def subset(self, participant_ids: pd.Index | list[str] | Any) -> Study:
        """Return a Study restricted to ``participant_ids`` (all four tables)."""
        ids = pd.Index(participant_ids)
        frames = {t: df[df["participant_id"].isin(ids)].reset_index(drop=True)
                  for t, df in self.tables.items()}
        return Study(**frames, sources={}, meta=dict(self.meta))

    def __repr__(self) -> str:
        counts = ", ".join(f"{t}={len(df):,}" for t, df in self.tables.items())
        return f"Study({counts})"
