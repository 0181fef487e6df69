r"""A disclosure ledger per report: can any hidden count be recovered from what was published?

As a report is built, every published table of counts is registered with the totals it adds up
to and the statistics printed beside it; :meth:`DisclosureLedger.check` then plays the reader
who holds the whole report folder and tries to recover each hidden cell exactly:

* **differencing** — a hidden cell equals a total minus the visible cells of its partition
  (also when the total is printed in another table: two tables that share a margin);
* **linear systems** — integer feasibility over linked tables: the hidden cells are integers
  within the bounds their markers give (``"<k"``: 1 to ``k - 1``; a secondary marker: any
  number :math:`\ge 0`) and satisfy every registered partition. A hidden cell whose minimum
  and maximum over all integer solutions agree (two mixed-integer programs, solved with HiGHS
  through :func:`scipy.optimize.milp`) is recovered;
* **mean × n / percentage × n** — a printed mean :math:`\bar x = s / n` of integer-valued data
  (a rung, a number of sessions) or a percentage :math:`100\,x / n` constrains its hidden
  denominator or numerator: every :math:`n` within its bounds for which some integer
  :math:`s` (or :math:`x`) reproduces the printed digits is a candidate; one candidate means
  recovery (``3.0588235294117645`` is :math:`52/17` — with fewer than 34 people in the wave,
  17 is the only denominator);
* **SMD inversion** — the standardised mean difference of a categorical characteristic
  (binary: :math:`|p_1 - p_2| / \sqrt{(p_1(1-p_1) + p_2(1-p_2))/2}`; more levels: the
  Yang–Dalton form used by :func:`kow_research.report.table_one`) is evaluated for every
  combination of the hidden counts within their bounds; one consistent combination means
  recovery;
* and the simple ones: a hidden cell printed as a number elsewhere (``shown_elsewhere``), a
  visible count below ``k`` (``small_count``), a ``"<k"`` cell that holds ``k`` or more
  persons when the true counts are registered (``false_marker``), registered cells that
  cannot all be true (``inconsistent``).

The candidate sets of the non-linear records are fed back into the integer program, so a
cell pinned only by a mean *and* a margin together is found as well (``combined``).

The checks are exact for what is registered; they know nothing about tables that are not.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. (2012). *Statistical Disclosure Control*.
Wiley, sections 4.3 (secondary suppression and the attacker's linear programs).
Yang D, Dalton JE (2012). A unified approach to measuring the effect size between two groups
using SAS. SAS Global Forum 2012, paper 335-2012.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kow_research.report.notebook_check import DisclosureError
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import (
    SMD,
    Cell,
    Mean,
    Partition,
    Percent,
    Ref,
    System,
    integer_range,
    mean_denominators,
    percent_pairs,
    printed_value,
    smd_candidates,
)

__all__ = ["MECHANISMS", "PROBLEM_COLUMNS", "SMD", "Cell", "DisclosureLedger", "Mean",
           "Partition", "Percent", "Ref"]

PROBLEM_COLUMNS = ["file", "table", "row", "column", "mechanism", "detail", "recovered"]
MECHANISMS = ("shown_elsewhere", "small_count", "false_marker", "marker", "inconsistent",
              "differencing", "linear_system", "mean_times_n", "percent_times_n",
              "smd_inversion", "combined")
_PRIMARY = re.compile(r"^<\s*(\d+)$")
_COUNT = re.compile(r"^(\d+)(?:\s*\(.*\))?$")


@dataclass
class _Occurrence:
    file: str
    table: str
    row: Hashable
    column: Hashable
    value: int | None
    lo: int
    hi: float
    primary: bool
    figure: bool
    truth: int | None = None


@dataclass
class _Registered:
    file: str
    table: str
    quantity: dict[tuple[Hashable, Hashable], str]
    partitions: list[Partition]
    records: list[Mean | Percent | SMD]
    figure: bool


def _parse(v: Any, where: str, policy: DisclosurePolicy | None,
           max_count: int) -> tuple[int | None, int, float, bool] | None:
    """(value, lo, hi, primary) of a registered cell; None when it is not a count."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None, 0, max_count, False
    if isinstance(v, (bool, np.bool_)):
        raise ValueError(f"{where}: {v!r} is not a count")
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if not math.isfinite(f) or f < 0 or f != round(f):
            raise ValueError(f"{where}: {v!r} is not a count (a whole number >= 0)")
        return int(f), int(f), f, False
    text = str(v).strip()
    if text == "":
        return None
    m = _PRIMARY.match(text)
    if m:
        return None, 1, int(m.group(1)) - 1, True
    m = _COUNT.match(text)
    if m:
        n = int(m.group(1))
        return n, n, n, False
    if (policy is not None and text == policy.secondary_marker) or (
            policy is None and not any(ch.isalnum() for ch in text)):
        return None, 0, max_count, False
    raise ValueError(f"{where}: cannot read {text!r} as a count, '<k' or the secondary marker; "
                     "register the counts behind the table (NaN where hidden), not its "
                     "statistics")


class DisclosureLedger:
    """Every published count of one report, and a check that no hidden count can be recovered.

    Parameters
    ----------
    policy : DisclosurePolicy, optional
        The report's policy: its secondary marker is read as a hidden cell, and visible counts
        below ``k`` are reported (``small_count``). Without it, any marker without letters
        or digits reads as hidden and small counts are not checked.
    max_count : int, default 100000
        Upper bound of a hidden cell that no registered total bounds.
    max_combinations : int, default 1000000
        Largest number of combinations of hidden counts a mean, percentage or SMD is
        brute-forced over; larger records are listed in ``attrs["not_checked"]`` of the result.

    Examples
    --------
    An attrition table whose two exclusion reasons add up to ``entered - analysed``: one
    reason is hidden, the other is shown, so the hidden one follows by subtraction.

    >>> ledger = DisclosureLedger(policy=DisclosurePolicy.default())
    >>> flow = pd.DataFrame({"n": [40, "<5", 12, 25]},
    ...                     index=["entered", "reason 1", "reason 2", "analysed"])
    >>> ledger.register(flow, file="tables/attrition.csv", table="attrition",
    ...                 partitions=[Partition([("reason 1", "n"), ("reason 2", "n"),
    ...                                        ("analysed", "n")], ("entered", "n"))])
    >>> problems = ledger.check()
    >>> problems[["file", "row", "mechanism", "recovered"]].values.tolist()
    [['tables/attrition.csv', 'reason 1', 'differencing', 3]]
    """

    def __init__(self, *, policy: DisclosurePolicy | None = None, max_count: int = 100_000,
                 max_combinations: int = 1_000_000) -> None:
        self.policy = policy
        self.max_count = int(max_count)
        self.max_combinations = int(max_combinations)
        self._tables: dict[tuple[str, str], _Registered] = {}
        self._occ: dict[str, list[_Occurrence]] = {}

    # ------------------------------------------------------------------ registering
    def register(self, cells: pd.DataFrame, *, file: str, table: str,
                 partitions: Sequence[Partition | tuple[Sequence[Ref], Ref]] = (),
                 blocks: Sequence[Any] | None = None,
                 block_totals: Mapping[Hashable, Ref] | None = None,
                 row_totals: Mapping[Hashable, Ref] | Hashable | None = None,
                 col_totals: Mapping[Hashable, Ref] | Hashable | None = None,
                 means: Sequence[Mean] = (), percents: Sequence[Percent] = (),
                 smds: Sequence[SMD] = (), quantities: pd.DataFrame | None = None,
                 truth: pd.DataFrame | None = None, figure: bool = False) -> None:
        """Register one published table of counts.

        Parameters
        ----------
        cells : pandas.DataFrame
            The counts as published: numbers, NaN (hidden, any number), ``"<k"`` (1 to
            ``k - 1``), the secondary marker (hidden, any number), ``"53 (46%)"`` (53) or
            ``""`` (not a count). Row and column labels must be unique.
        file : str
            The file it is published in, relative to the report folder
            (``"tables/table_1.csv"``, ``"02_baseline_characteristics.html"``).
        table : str
            A name for the table within the file.
        partitions : sequence of Partition or (members, total)
            Sets of cells adding up to a total. A reference is ``(row, column)`` of this
            table, a :class:`Cell` of another registered table, a quantity name or a number.
        blocks : sequence, optional
            A label per row; in each column, the rows sharing a label add up to
            ``block_totals[column]`` (the levels and the missing row of a characteristic add
            up to the group size).
        block_totals : mapping, optional
            Column label to its total (a reference or a number); required with ``blocks``.
        row_totals : column label or mapping, optional
            A column of this table holding each row's total (the other columns add up to it),
            or ``{row: total}``.
        col_totals : row label or mapping, optional
            A row holding each column's total, or ``{column: total}``.
        means, percents, smds : sequences of Mean, Percent, SMD
            Statistics printed with the table, with references to the counts they depend on.
        quantities : pandas.DataFrame, optional
            Same shape: a name for the true quantity each cell shows. Cells of any table with
            the same name are one number (the attrition table and the flow diagram show the
            same exclusions). Default: every cell is its own quantity.
        truth : pandas.DataFrame, optional
            Same shape: the true counts, when the report builder knows them. A ``"<k"`` cell
            holding ``k`` or more is then reported (``false_marker``).
        figure : bool, default False
            The table is printed in a figure (small counts allowed when the policy says so).

        Examples
        --------
        >>> ledger = DisclosureLedger()
        >>> ledger.register(pd.DataFrame({"n": [3, 4]}), file="a.csv", table="a")
        >>> ledger.tables
        [('a.csv', 'a')]
        """
        key = (str(file), str(table))
        if key in self._tables:
            raise ValueError(f"{file} ({table}) is already registered; give each table a name "
                             "of its own")
        if not (cells.index.is_unique and cells.columns.is_unique):
            raise ValueError(f"{file} ({table}): row and column labels must be unique")
        for name, other in (("quantities", quantities), ("truth", truth)):
            if other is not None and other.shape != cells.shape:
                raise ValueError(f"{file} ({table}): {name} has shape {other.shape}, cells "
                                 f"{cells.shape}")
        qmap: dict[tuple[Hashable, Hashable], str] = {}
        for i, row in enumerate(cells.index):
            for j, col in enumerate(cells.columns):
                where = f"{file} ({table}) row {row!r}, column {col!r}"
                parsed = _parse(cells.iat[i, j], where, self.policy, self.max_count)
                if parsed is None:
                    continue
                q = None if quantities is None else quantities.iat[i, j]
                name = str(q) if isinstance(q, str) and q else f"{file}::{table}::{row}::{col}"
                t = None if truth is None else truth.iat[i, j]
                t_int = None if t is None or pd.isna(t) else int(t)
                value, lo, hi, primary = parsed
                self._occ.setdefault(name, []).append(_Occurrence(
                    key[0], key[1], row, col, value, lo, hi, primary, figure, t_int))
                qmap[(row, col)] = name
        parts = [p if isinstance(p, Partition) else Partition(list(p[0]), p[1])
                 for p in partitions]
        if blocks is not None:
            labels = list(blocks)
            if len(labels) != len(cells):
                raise ValueError(f"{file} ({table}): blocks has {len(labels)} labels for "
                                 f"{len(cells)} rows")
            if block_totals is None:
                raise ValueError(f"{file} ({table}): blocks need block_totals (the total of "
                                 "each column)")
            for label in pd.unique(pd.Series([b for b in labels if pd.notna(b)], dtype=object)):
                rows = [r for r, b in zip(cells.index, labels, strict=True) if b == label]
                for col, total in block_totals.items():
                    parts.append(Partition([(r, col) for r in rows], total))
        parts += self._margins(cells, row_totals, by_row=True)
        parts += self._margins(cells, col_totals, by_row=False)
        self._tables[key] = _Registered(key[0], key[1], qmap, parts,
                                        [*means, *percents, *smds], figure)

    @staticmethod
    def _margins(cells: pd.DataFrame, totals: Any, *, by_row: bool) -> list[Partition]:
        if totals is None:
            return []
        out = []
        if isinstance(totals, Mapping):
            for label, total in totals.items():
                others = cells.columns if by_row else cells.index
                members = [(label, c) if by_row else (c, label) for c in others]
                out.append(Partition(members, total))
            return out
        inner, outer = (cells.columns, cells.index) if by_row else (cells.index, cells.columns)
        if totals not in inner:
            raise ValueError(f"{'row_totals' if by_row else 'col_totals'}={totals!r} is not a "
                             f"{'column' if by_row else 'row'} of the table")
        for label in outer:
            members = [(label, c) if by_row else (c, label) for c in inner if c != totals]
            out.append(Partition(members, (label, totals) if by_row else (totals, label)))
        return out

    @property
    def tables(self) -> list[tuple[str, str]]:
        """The registered ``(file, table)`` pairs, in order of registration."""
        return list(self._tables)

    # ------------------------------------------------------------------ resolving
    def _resolve(self, ref: Ref, reg: _Registered) -> str | float:
        if isinstance(ref, (int, float, np.integer, np.floating)) and not isinstance(ref, bool):
            return float(ref)
        if isinstance(ref, str):
            return ref
        if isinstance(ref, Cell):
            other = self._tables.get((ref.file, ref.table))
            if other is None:
                raise ValueError(f"{reg.file} ({reg.table}) refers to {ref.file} ({ref.table}), "
                                 f"which is not registered; registered: {self.tables}")
            target, cell = other, (ref.row, ref.column)
        elif isinstance(ref, tuple) and len(ref) == 2:
            target, cell = reg, ref
        else:
            raise ValueError(f"{reg.file} ({reg.table}): {ref!r} is not a reference ((row, "
                             "column), Cell, a quantity name or a number)")
        if cell not in target.quantity:
            raise ValueError(f"{target.file} ({target.table}) has no count cell {cell!r}")
        return target.quantity[cell]

    # ------------------------------------------------------------------ checking
    def check(self, *, raise_on_problem: bool = False) -> pd.DataFrame:
        """Try every registered way to recover a hidden count exactly.

        Parameters
        ----------
        raise_on_problem : bool, default False
            Raise :class:`~kow_research.report.notebook_check.DisclosureError` (a
            ``ValueError``) naming the first problem instead of returning them.

        Returns
        -------
        pandas.DataFrame
            One row per recoverable (or otherwise unsafe) hidden cell: ``file``, ``table``,
            ``row``, ``column``, ``mechanism`` (see :data:`MECHANISMS`), ``detail`` and
            ``recovered`` (the value the reader gets; keep it out of logs). Empty when the
            report is safe. ``attrs["not_checked"]`` lists records too large to brute-force.

        Raises
        ------
        ValueError
            When references do not resolve, or visible cells contradict each other.

        Examples
        --------
        >>> ledger = DisclosureLedger()
        >>> ledger.register(pd.DataFrame({"n": ["<5", "<5", 12]}), file="a.csv", table="a",
        ...                 col_totals={"n": 19})
        >>> ledger.check().empty       # 3 + 4, 4 + 3, ... : two hidden cells, several answers
        True
        """
        problems, not_checked = self._solve()
        frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
        frame.attrs["not_checked"] = not_checked
        if raise_on_problem and len(frame):
            first = frame.iloc[0]
            raise DisclosureError(
                f"{len(frame)} hidden cell(s) can be recovered from the report, first in "
                f"{first['file']} ({first['table']}) row {first['row']!r}, column "
                f"{first['column']!r} by {first['mechanism']}: {first['detail']}; hide more "
                "cells or publish fewer digits and rebuild the report", frame)
        return frame


    # ------------------------------------------------------------------ the solver
    def _where(self, name: str) -> str:
        occs = self._occ.get(name, [])
        return occs[0].file if occs else "an unpublished count"

    def _solve(self) -> tuple[list[tuple[Any, ...]], list[str]]:
        problems: list[tuple[Any, ...]] = []
        not_checked: list[str] = []
        reported: set[str] = set()
        policy = self.policy

        def emit(name: str, mechanism: str, detail: str, value: int | None) -> None:
            if name in reported:
                return
            reported.add(name)
            for o in self._occ.get(name, []):
                if o.value is None:
                    problems.append((o.file, o.table, o.row, o.column, mechanism, detail, value))

        known: dict[str, int] = {}
        names: list[str] = []
        lo: list[float] = []
        hi: list[float] = []
        truth: dict[str, int] = {}
        for name, occs in self._occ.items():
            visible = sorted({o.value for o in occs if o.value is not None})
            if len(visible) > 1:
                places = ", ".join(f"{o.file} ({o.table}) {o.row!r}/{o.column!r}" for o in occs)
                raise ValueError(f"the quantity {name!r} is published as {visible} in {places}; "
                                 "cells sharing a quantity name must show one number")
            for o in occs:
                if (o.value is not None and policy is not None and policy.is_small(o.value)
                        and not (o.figure and policy.small_counts_in_figures)):
                    problems.append((o.file, o.table, o.row, o.column, "small_count",
                                     f"a count below {policy.k} is printed", o.value))
                if o.value is None and o.primary and o.truth is not None and o.truth > o.hi:
                    problems.append((o.file, o.table, o.row, o.column, "false_marker",
                                     f"marked <{int(o.hi) + 1} but holds {int(o.hi) + 1} or "
                                     "more persons", None))
            hidden = [o for o in occs if o.value is None]
            if visible:
                known[name] = int(visible[0])
                where = ", ".join(sorted({f"{o.file} ({o.table})" for o in occs
                                          if o.value is not None}))
                for o in hidden:
                    problems.append((o.file, o.table, o.row, o.column, "shown_elsewhere",
                                     f"printed as a number in {where}", known[name]))
                reported.add(name)
                continue
            names.append(name)
            lo.append(max(o.lo for o in hidden))
            hi.append(min(o.hi for o in hidden))
            truths = {o.truth for o in occs if o.truth is not None}
            if truths:
                truth[name] = truths.pop()

        # partitions -> equations over the unknowns (unregistered names are latent unknowns)
        index = {n: i for i, n in enumerate(names)}
        latent: set[str] = set()
        resolved: list[tuple[_Registered, list[str | float], str | float]] = []
        for reg in self._tables.values():
            for part in reg.partitions:
                refs = [self._resolve(m, reg) for m in part.members]
                resolved.append((reg, refs, self._resolve(part.total, reg)))
        for _, refs, total in resolved:
            for r in [*refs, total]:
                if isinstance(r, str) and r not in known and r not in index:
                    index[r] = len(names)
                    names.append(r)
                    lo.append(0)
                    hi.append(self.max_count)
                    latent.add(r)
        system = System(names, np.array(lo, dtype=float), np.array(hi, dtype=float))
        for reg, refs, total in resolved:
            coefs: dict[int, float] = {}
            rhs = 0.0
            for r, sign in [*((m, 1.0) for m in refs), (total, -1.0)]:
                if isinstance(r, float):
                    rhs -= sign * r
                elif r in known:
                    rhs -= sign * known[r]
                else:
                    coefs[index[r]] = coefs.get(index[r], 0.0) + sign
            origin = f"{reg.file} ({reg.table})"
            if isinstance(total, str) and self._where(total) != reg.file:
                origin += f" with its total from {self._where(total)}"
            if not any(coefs.values()):
                if abs(rhs) > 1e-9:
                    raise ValueError(f"{origin}: the published cells of a partition do not add "
                                     f"up to its total (off by {-rhs:g}); register partitions "
                                     "that hold")
                continue
            if all(names[v] in truth for v in coefs) and abs(
                    sum(c * truth[names[v]] for v, c in coefs.items()) - rhs) > 1e-9:
                raise ValueError(f"{origin}: with the true counts a registered partition does "
                                 "not add up to its total; the registration is wrong")
            system.add(coefs, rhs, origin)

        for i, name in enumerate(names):
            if name not in latent and system.lo[i] > system.hi[i]:
                emit(name, "inconsistent", "its markers contradict each other", None)
            elif name not in latent and system.lo[i] == system.hi[i]:
                emit(name, "marker", "the marker leaves one possible value", int(system.lo[i]))

        # (a) differencing and (d) linear systems: integer range of every linked unknown
        comps = system.components()
        determined: set[int] = set()
        origins_of: dict[int, str] = {}
        for comp in comps:
            origins = "; ".join(sorted({system.origin[i] for i, r in enumerate(system.rows)
                                        if set(r) & set(comp)}))
            ranges: dict[int, tuple[int, int]] = {}
            for v in comp:
                rng = integer_range(system, idx=v, members=comp)
                if rng is None:
                    for u in comp:
                        if names[u] not in latent:
                            emit(names[u], "inconsistent", f"no counts satisfy the markers and "
                                 f"totals of {origins}: a marker or a total is wrong", None)
                    ranges = {}
                    break
                ranges[v] = rng
            for v, (a, b) in ranges.items():
                system.lo[v], system.hi[v] = a, b
                origins_of[v] = origins
            for v, (a, b) in ranges.items():
                if a != b:
                    continue
                determined.add(v)
                single = [system.origin[i] for i, r in enumerate(system.rows) if set(r) == {v}]
                if names[v] in latent:
                    continue
                if single:
                    emit(names[v], "differencing",
                         f"a total minus the visible cells of a partition in {single[0]}", a)
                else:
                    emit(names[v], "linear_system", f"solving the partitions of {origins}", a)

        # (b) mean x n, percentage x n and (c) SMD inversion: candidate sets
        domains: dict[int, np.ndarray] = {}

        def restrict(v: int, cands: np.ndarray, mechanism: str, detail: str) -> None:
            cands = np.unique(np.asarray(cands, dtype=np.int64))
            if v in domains:
                cands = np.intersect1d(domains[v], cands)
            if len(cands) == 0:
                not_checked.append(f"{detail}: no count reproduces the printed value (are the "
                                   "data integer-valued? is the registration right?)")
                return
            domains[v] = cands
            if len(cands) == 1 and v not in determined:
                determined.add(v)
                if names[v] not in latent:
                    emit(names[v], mechanism, detail, int(cands[0]))

        def term(ref: Ref, reg: _Registered) -> tuple[int | None, float]:
            r = self._resolve(ref, reg)
            if isinstance(r, float):
                return None, r
            if r in known:
                return None, float(known[r])
            if r not in index:
                raise ValueError(f"{reg.file} ({reg.table}): {r!r} is neither published nor in "
                                 "any partition; a statistic can only refer to counts")
            return index[r], math.nan

        for reg in self._tables.values():
            label = f"{reg.file} ({reg.table})"
            for rec in reg.records:
                if isinstance(rec, Mean):
                    v_n, _ = term(rec.n, reg)
                    if rec.step is None or v_n is None:
                        continue
                    value, tol = printed_value(rec.value)
                    restrict(v_n, mean_denominators(value, tol=tol, step=float(rec.step),
                                                    lo=int(system.lo[v_n]),
                                                    hi=int(system.hi[v_n])),
                             "mean_times_n", f"the mean {rec.value} printed in {label} leaves "
                             "one possible denominator")
                elif isinstance(rec, Percent):
                    (v_x, c_x), (v_n, c_n) = term(rec.numerator, reg), term(rec.denominator, reg)
                    if v_x is None and v_n is None:
                        continue
                    value, tol = printed_value(rec.value)
                    xr = (int(c_x), int(c_x)) if v_x is None else (int(system.lo[v_x]),
                                                                   int(system.hi[v_x]))
                    nr = (int(c_n), int(c_n)) if v_n is None else (int(system.lo[v_n]),
                                                                   int(system.hi[v_n]))
                    pairs = percent_pairs(value, tol=tol, scale=float(rec.scale), x_range=xr,
                                          n_range=nr, cap=self.max_combinations)
                    detail = f"the percentage {rec.value} printed in {label}"
                    if pairs is None:
                        not_checked.append(f"{detail}: too many combinations")
                        continue
                    for v_p, col in ((v_x, 0), (v_n, 1)):
                        if v_p is not None:
                            restrict(v_p, pairs[:, col], "percent_times_n",
                                     detail + " leaves one possible count")
                else:
                    self._smd(rec, reg, label, term, system, domains, restrict, not_checked)

        # the candidate sets fed back into the integer program
        for comp in comps:
            if not any(v in domains for v in comp):
                continue
            for v in comp:
                if v in determined:
                    continue
                rng = integer_range(system, idx=v, members=comp, domains=domains)
                if rng is not None and rng[0] == rng[1]:
                    determined.add(v)
                    if names[v] not in latent:
                        emit(names[v], "combined", "the partitions of "
                             f"{origins_of.get(v, '')} together with the printed statistics",
                             rng[0])
        return problems, not_checked

    def _smd(self, rec: SMD, reg: _Registered, label: str, term: Any, system: System,
             domains: dict[int, np.ndarray], restrict: Any, not_checked: list[str]) -> None:
        groups = [[term(ref, reg) for ref in level_refs] for level_refs in rec.counts]
        if len({len(g) for g in groups}) != 1 or len(groups) < 2:
            raise ValueError(f"{label}: an SMD needs the same levels for two or more groups")
        ns = None if rec.n is None else [term(ref, reg) for ref in rec.n]
        if ns is not None and len(ns) != len(groups):
            raise ValueError(f"{label}: an SMD needs one n per group")
        detail = f"the SMD {rec.value} printed in {label}"
        found = smd_candidates(system, groups=groups, n=ns, value=rec.value,
                               signed=rec.signed, cap=self.max_combinations, domains=domains)
        if found is None:
            not_checked.append(f"{detail}: too many combinations of hidden counts")
            return
        for v, values in found.items():
            restrict(v, values, "smd_inversion", detail + " has one consistent count")
