r"""Table 1: baseline characteristics by cohort, with missing counts and standardised mean
differences, in English or Dutch, exported through disclosure control.

SMD conventions (as the R package tableone, after Yang & Dalton 2012):

* continuous: :math:`|\bar x_1 - \bar x_2| / \sqrt{(s_1^2 + s_2^2)/2}` (sample variances,
  denominator :math:`n - 1`);
* binary: :math:`|p_1 - p_2| / \sqrt{(p_1(1-p_1) + p_2(1-p_2))/2}`;
* categorical with :math:`K > 2` levels: :math:`\sqrt{T^\top S^{-1} T}` with
  :math:`T = (p_{12} - p_{22}, \dots, p_{1K} - p_{2K})` (the first level dropped),
  :math:`S = (S_1 + S_2)/2` and :math:`S_g[k, l] = p_{gk}(1 - p_{gk})` on the diagonal,
  :math:`-p_{gk} p_{gl}` off it (a generalised inverse when :math:`S` is singular);
* more than two groups: the **largest pairwise** SMD (tableone reports the mean of the
  pairwise SMDs; the maximum is the conservative summary of imbalance).

Proportions and means leave missing values out; missing values are counted in their own row.
A zero pooled standard deviation gives SMD 0 when the groups agree and NaN otherwise.

References
----------
Yang D, Dalton JE (2012). A unified approach to measuring the effect size between two groups
using SAS. SAS Global Forum 2012, paper 335-2012.
Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
between treatment groups in propensity-score matched samples. Stat Med 28:3083-3107.
Yoshida K, Bartel A (2022). tableone: Create 'Table 1' to describe baseline characteristics.
R package, ``ExtractSmd`` / ``StdDiff``.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.reproducible import normalize_zip
from kow_research.core.results import CallableTable, Result, result_class
from kow_research.report.disclosure import DEFAULT_K
from kow_research.report.export import text_as_strings, write_csv
from kow_research.report.labels import check_language, text, value_labels, variable_title
from kow_research.report.ledger_sidecar import n_percent_records, with_ledger
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import SMD, Mean, Partition, Ref

DEFAULT_VARIABLES = ("age", "sex", "diagnosis_group", "smi", "benefit", "education",
                     "months_out_of_work")
CONTINUOUS = ("mean", "median", "auto")
SUMMARY_COLUMNS = ["variable", "level", "group", "n", "percent", "mean", "sd", "median", "q1",
                   "q3"]


def smd_continuous(a: np.ndarray, b: np.ndarray) -> float:
    r"""SMD of a continuous variable: :math:`|\bar a - \bar b| / \sqrt{(s_a^2 + s_b^2)/2}`."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    diff = abs(a.mean() - b.mean())
    pooled = np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2)
    if pooled > 0:
        return float(diff / pooled)
    return 0.0 if diff == 0 else float("nan")


def smd_categorical(a: pd.Series, b: pd.Series, levels: Sequence[Any]) -> float:
    r"""Yang & Dalton SMD of a categorical variable (two levels: the binary formula).

    ``a`` and ``b`` hold the non-missing values of the two groups; ``levels`` all levels in
    order (the first is the reference that is dropped for :math:`K > 2`).
    """
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    av, bv = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    p1 = np.array([(av == lv).mean() for lv in levels], dtype=float)
    p2 = np.array([(bv == lv).mean() for lv in levels], dtype=float)
    if len(levels) <= 2:
        p, q = p1[-1], p2[-1]
        denom = np.sqrt((p * (1 - p) + q * (1 - q)) / 2)
        if denom > 0:
            return float(abs(p - q) / denom)
        return 0.0 if p == q else float("nan")
    t = (p1 - p2)[1:]
    s = (np.diag(p1) - np.outer(p1, p1) + np.diag(p2) - np.outer(p2, p2))[1:, 1:] / 2
    return float(np.sqrt(max(float(t @ np.linalg.pinv(s) @ t), 0.0)))


@result_class
class TableOne(Result):
    """Baseline table by group.

    Attributes
    ----------
    table : pandas.DataFrame
        Formatted cells (str); index (characteristic, statistic) in ``language``; one
        column per group headed "name (n = N)", then "SMD".
    counts : pandas.DataFrame
        Same shape: the number of persons behind each cell (``inf`` for SMD cells), used by
        disclosure control.
    smd : pandas.Series
        SMD per characteristic (largest pairwise with more than two groups).
    numbers : pandas.DataFrame
        The numbers behind the cells, long: variable, level, group, n, percent, mean, sd,
        median, q1, q3 (unrounded; not disclosure-controlled — do not export it). Also
        available as ``summary``, which called formats the whole result.
    by, language, caption
        Grouping column, label language and the caption (definitions of every statistic).
    blocks : tuple
        Per row, the partition label used for secondary suppression (None: no partition).
    kinds : tuple
        Per row what it shows: ``"level"`` (a level of a categorical characteristic; all its
        levels are rows), ``"yes"`` (the one row of a yes/no characteristic), ``"missing"``,
        ``"mean"`` / ``"mean_int"`` (mean (SD); of whole numbers) or ``"median"``.
    sizes : tuple
        The number of persons per group (in the column headers).
    attrs : dict
        ``definition``: the options that produced the table.
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    smd: pd.Series
    numbers: pd.DataFrame
    by: str
    language: str
    caption: str
    blocks: tuple[Any, ...] = ()
    kinds: tuple[str, ...] = ()
    sizes: tuple[int, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> CallableTable:  # type: ignore[override]
        """The numbers behind the cells; ``summary()`` gives the formatted summary."""
        return CallableTable.of(self.numbers, lambda: Result.summary(self))

    def _describe(self) -> str:
        return (f"Table 1 by {self.by}: {len(self.table)} rows, {len(self.table.columns)} "
                f"columns ({self.language})")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]

    def _notes(self) -> list[str]:
        return [self.caption]

    def published(self, policy: DisclosurePolicy | None = None) -> pd.DataFrame:
        """The table as a report may publish it, under a disclosure policy.

        * counts of 1 to ``k - 1`` persons show ``"<k"``; within each characteristic the
          levels and the missing row add up to the group size in the column header, so where
          a hidden cell could be recovered by subtraction the smallest other cell is hidden
          too and shows the secondary marker (``"×"``: it may hold any number of persons);
        * percentages are of the persons with a known value; where a column's missing count
          is hidden they would reveal it, so its levels show their counts only;
        * the SMD of a characteristic with a hidden cell is derived from hidden counts and is
          not shown (``policy.derived == "suppress"``; with ``"round"`` it is rounded and left
          to the ledger);
        * percentages, means and SMDs are rounded to the policy's decimals (Dutch: decimal
          commas).

        The returned frame declares its counts for the report's disclosure ledger
        (``attrs["ledger"]``, :func:`~kow_research.report.ledger_sidecar.with_ledger`): one
        partition per characteristic and group (levels + missing = the group size), the
        percentages, the means of whole numbers and the SMDs with the counts they are
        computed from, so that :class:`~kow_research.report.ledger.DisclosureLedger` can try
        differencing, percentage × n, mean × n and SMD inversion on it.

        Parameters
        ----------
        policy : DisclosurePolicy, optional
            Default :meth:`DisclosurePolicy.default`.

        Returns
        -------
        pandas.DataFrame
            Same index and columns as ``table``; ``attrs["disclosure"]`` lists the hidden
            cells and their reason, ``attrs["ledger"]`` the registration (row labels
            ``"characteristic: statistic"``).

        Examples
        --------
        61 women, 53 men and 1 other: "other" is hidden (``<5``) and, because 115 − 61
        would give it away, the 53 men too — shown as "×", not as "<5". The SMD of sex is
        computed from the hidden counts and is not shown either.

        >>> df = pd.DataFrame({"cohort": ["KOW"] * 115 + ["TAU"] * 60,
        ...                    "sex": ["female"] * 61 + ["male"] * 53 + ["other"]
        ...                           + ["female"] * 30 + ["male"] * 30})
        >>> shown = table_one(df, variables=["sex"]).published(DisclosurePolicy.default())
        >>> shown.iloc[:, 0].tolist(), shown.iloc[0, 2]
        (['61 (53%)', '×', '<5'], '×')
        """
        policy = policy or DisclosurePolicy.default()
        lang = self.language
        smd_name = text("smd", lang)
        groups = [c for c in self.table.columns if c != smd_name]
        has_smd = smd_name in self.table.columns
        titles = [str(t) for t in self.table.index.get_level_values(0)]
        labels = [f"{t}: {st}" for t, st in self.table.index]
        kinds = list(self.kinds) or ["level"] * len(labels)
        sizes = list(self.sizes) or [0] * len(groups)

        def local(value: str) -> str:
            return value.replace(".", ",") if lang == "nl" else value

        rows_of: dict[str, list[int]] = {}
        for i, t in enumerate(titles):
            rows_of.setdefault(t, []).append(i)
        cells = self.table.astype(object).copy()
        counts = self.counts.astype(float).copy()
        counted = pd.DataFrame(True, index=counts.index, columns=counts.columns)
        blocks: list[Any] = [None] * len(labels)
        derived: dict[tuple[Any, Any], list[tuple[Any, Any]]] = {}
        known: dict[tuple[str, str], Ref] = {}
        index = list(self.table.index)
        for title, members in rows_of.items():
            miss = [i for i in members if kinds[i] == "missing"]
            levels = [i for i in members if kinds[i] in ("level", "yes")]
            categorical = any(kinds[i] == "level" for i in levels)
            for j, g in enumerate(groups):
                m = float(counts.iat[miss[0], j]) if miss else 0.0
                known[(title, g)] = (f"table_one::{title}::known::{g}" if miss
                                     else float(sizes[j]))
                for i in levels:
                    x = float(counts.iat[i, j])
                    cells.iat[i, j] = local(policy.n_percent(x, sizes[j] - m))
                    if miss:
                        derived[(index[i], g)] = [(index[miss[0]], g)]
            for i in members:
                if kinds[i] in ("mean", "mean_int", "median"):
                    counted.iloc[i, :] = False
                    cells.iloc[i, :] = [local(str(v)) for v in cells.iloc[i, :]]
                elif categorical:
                    blocks[i] = title
            if has_smd:
                first = members[0]
                value = self.smd.get(title, np.nan)
                cells.iat[first, len(groups)] = local(policy.smd(value)) if np.isfinite(
                    value) else ""
                if levels:
                    derived[(index[first], smd_name)] = [
                        (index[i], g) for i in levels + miss for g in groups]
        if has_smd:
            counted[smd_name] = False
        # a yes/no characteristic shows "yes" only, but "no" = size - yes - missing is
        # known too: it takes part in the partition (hidden row) so that a small "no" is
        # protected like a printed one
        extra = []
        for title, members in rows_of.items():
            yes = [i for i in members if kinds[i] == "yes"]
            if not yes:
                continue
            miss = [i for i in members if kinds[i] == "missing"]
            key = (title, "\0no")
            no = [sizes[j] - float(counts.iat[yes[0], j])
                  - (float(counts.iat[miss[0], j]) if miss else 0.0)
                  for j in range(len(groups))]
            extra.append((key, no + ([np.inf] if has_smd else [])))
            for i in yes + miss:
                blocks[i] = title
            blocks.append(title)
            if has_smd:
                derived[(index[members[0]], smd_name)] += [(key, g) for g in groups]
        if extra:
            keys = pd.MultiIndex.from_tuples([e[0] for e in extra], names=counts.index.names)
            counts = pd.concat([counts, pd.DataFrame([e[1] for e in extra], index=keys,
                                                     columns=counts.columns)])
            cells = pd.concat([cells, pd.DataFrame("", index=keys, columns=cells.columns,
                                                   dtype=object)])
            counted = pd.concat([counted, pd.DataFrame(True, index=keys,
                                                       columns=counted.columns)])
            if has_smd:
                counted.loc[keys, smd_name] = False
        out = policy.suppress(cells, counts=counts, blocks=blocks, counted=counted,
                              derived_from=derived)
        if extra:
            info = out.attrs["disclosure"]
            info["hidden"] = [h for h in info["hidden"] if h[0][1] != "\0no"]
            info.update({r: sum(1 for h in info["hidden"] if h[2] == r)
                         for r in ("primary", "secondary", "derived")})
            out = out.iloc[:len(labels)]
            out.attrs["disclosure"] = info
        out.attrs["caption"] = self.caption
        return self._declare(out, policy=policy, labels=labels, kinds=kinds, titles=titles,
                             groups=groups, sizes=sizes, known=known, rows_of=rows_of,
                             smd_name=smd_name if has_smd else None)

    def _declare(self, out: pd.DataFrame, *, policy: DisclosurePolicy, labels: list[str],
                 kinds: list[str], titles: list[str], groups: list[Any], sizes: list[int],
                 known: dict[tuple[str, str], Ref], rows_of: dict[str, list[int]],
                 smd_name: str | None) -> pd.DataFrame:
        """``out`` with what the disclosure ledger needs to know (see :meth:`published`)."""
        hidden = {policy.primary_marker, policy.secondary_marker, ""}
        partitions: list[Partition] = []
        means: list[Mean] = []
        smds: list[SMD] = []
        for title, members in rows_of.items():
            miss = [i for i in members if kinds[i] == "missing"]
            levels = [i for i in members if kinds[i] in ("level", "yes")]
            binary = any(kinds[i] == "yes" for i in levels)
            for j, g in enumerate(groups):
                q = known[(title, g)]
                if miss:
                    partitions.append(Partition([(labels[miss[0]], g), q], float(sizes[j])))
                if levels:
                    refs: list[Ref] = [(labels[i], g) for i in levels]
                    if binary:
                        refs.append(f"table_one::{title}::no::{g}")
                    partitions.append(Partition(refs, q))
                for i in members:
                    v = out.iat[i, j]
                    if kinds[i] == "mean_int" and isinstance(v, str) and v not in hidden:
                        means.append(Mean(v.split(" (")[0], n=q, step=1.0))
            if smd_name is not None and levels:
                v = out.iat[members[0], len(groups)]
                if isinstance(v, str) and v not in hidden:
                    smds.append(SMD(v, counts=[[(labels[i], g) for i in levels]
                                               for g in groups],
                                    n=[known[(title, g)] for g in groups] if binary else None))
        stat_rows = [labels[i] for i, k in enumerate(kinds)
                     if k in ("mean", "mean_int", "median")]
        title_of = dict(zip(labels, titles, strict=True))
        percents = n_percent_records(out, rows=labels, columns=[str(g) for g in groups],
                                     denominator=lambda r, c: known[(title_of[r], c)])
        # one name per count, so that another registration of the same counts (the table of
        # one pair of groups behind an SMD printed in a sentence) is known to be the same
        quantities: dict[tuple[Any, str], str] = {
            (labels[i], str(g)): f"table_one::{labels[i]}::{g}"
            for i, k in enumerate(kinds) if k in ("level", "yes", "missing") for g in groups}
        return with_ledger(out, rows=labels, counts=[str(g) for g in groups],
                           partitions=partitions, means=means, percents=percents, smds=smds,
                           not_counts=stat_rows, quantities=quantities)

    def shown_smd(self, policy: DisclosurePolicy | None = None) -> pd.Series:
        """The SMDs that :meth:`published` shows (characteristics with a hidden count, whose
        SMD is not shown, are left out), unrounded.

        Parameters
        ----------
        policy : DisclosurePolicy, optional
            Default :meth:`DisclosurePolicy.default`.

        Returns
        -------
        pandas.Series
            Indexed by characteristic.

        Examples
        --------
        >>> df = pd.DataFrame({"cohort": ["KOW"] * 40 + ["TAU"] * 30,
        ...                    "smi": [True] * 3 + [False] * 37 + [True] * 20 + [False] * 10,
        ...                    "age": list(range(20, 60)) + list(range(25, 55))})
        >>> t = table_one(df, variables=["age", "smi"])
        >>> t.smd.index.tolist(), t.shown_smd().index.tolist()   # SMI: 3 of 40 is hidden
        (['Age', 'Severe mental illness'], ['Age'])
        """
        policy = policy or DisclosurePolicy.default()
        smd_name = text("smd", self.language)
        if smd_name not in self.table.columns:
            return self.smd.iloc[:0]
        out = self.published(policy)
        hidden = {policy.primary_marker, policy.secondary_marker}
        keep = [t for t, v in zip(out.index.get_level_values(0), out[smd_name], strict=True)
                if isinstance(v, str) and v.strip() and v not in hidden]
        return self.smd[[t for t in self.smd.index if t in keep]]

    def disclosed(self, k: int = DEFAULT_K) -> pd.DataFrame:
        """The table with cells based on fewer than ``k`` persons shown as ``"<k"``:
        :meth:`published` under ``DisclosurePolicy(k=k)`` (cells hidden only to protect
        another show ``"×"``, statistics derived from hidden counts are not shown)."""
        out = self.published(DisclosurePolicy(k=int(k)))
        out.attrs = {"caption": self.caption, "disclosure": {"k": int(k)}}
        return out

    def note(self, k: int = DEFAULT_K) -> str:
        """Caption plus the disclosure-control note."""
        return f"{self.caption} {text('suppressed_note', self.language, k=k)}"

    def to_csv(self, path: str | Path, k: int = DEFAULT_K) -> Path:
        """Write the disclosure-controlled table as CSV (UTF-8)."""
        write_csv(self.disclosed(k), path, index=True)
        return Path(path)

    def to_excel(self, path: str | Path, k: int = DEFAULT_K) -> Path:
        """Write the disclosure-controlled table as XLSX (sheet ``table_1``; the caption and
        disclosure note on sheet ``notes``)."""
        with pd.ExcelWriter(path) as writer:
            self.disclosed(k).to_excel(writer, sheet_name="table_1")
            pd.DataFrame({"note": [self.caption, text("suppressed_note", self.language, k=k)]}
                         ).to_excel(writer, sheet_name="notes", index=False)
            for sheet in writer.book.worksheets:
                text_as_strings(sheet)
        normalize_zip(path)
        return Path(path)

    def to_html(self, path: str | Path | None = None, k: int = DEFAULT_K) -> str:
        """Disclosure-controlled HTML with caption (written to ``path`` when given)."""
        body = self.disclosed(k).to_html(na_rep="")
        page = (f"<div><p><strong>Table 1.</strong> {html.escape(self.caption)}</p>{body}"
                f"<p><small>{html.escape(text('suppressed_note', self.language, k=k))}"
                f"</small></p></div>")
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return Result.__repr__(self)


def _is_bool(col: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(col.dtype) or str(col.dtype) == "boolean"


def _levels(col: pd.Series, values: pd.Series) -> list[Any]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
        return [lv for lv in cats if (values == lv).any()]
    return sorted(values.dropna().unique().tolist(), key=str)


def _check(df: pd.DataFrame, by: str, variables: Sequence[str] | None, continuous: str,
           categorical: Sequence[str]) -> list[str]:
    if by not in df.columns:
        raise ValueError(f"grouping column {by!r} not in the data; columns: {list(df.columns)}")
    if df[by].isna().any():
        raise ValueError(f"{int(df[by].isna().sum())} rows have no {by!r}; give every person "
                         "a group (or drop them explicitly) before making Table 1")
    if continuous not in CONTINUOUS:
        raise ValueError(f"continuous must be one of {CONTINUOUS}, got {continuous!r}")
    if variables is None:
        chosen = [v for v in DEFAULT_VARIABLES if v in df.columns]
    else:
        chosen = list(variables)
        unknown = [v for v in chosen if v not in df.columns]
        if unknown:
            raise ValueError(f"variables {unknown} are not columns of the data; columns: "
                             f"{list(df.columns)}")
    if by in chosen:
        raise ValueError(f"{by!r} is the grouping column; leave it out of variables")
    for v in chosen:
        if pd.api.types.is_datetime64_any_dtype(df[v].dtype):
            raise ValueError(f"variable {v!r} is a date; derive a number (e.g. days) first")
    bad = [c for c in categorical if c not in chosen]
    if bad:
        raise ValueError(f"categorical {bad} are not among the variables {chosen}")
    return chosen


@positional_deprecated("by", "variables", "language", "continuous", "smd", "missing",
                       "categorical")
def table_one(df: pd.DataFrame, *, by: str = "cohort", variables: Sequence[str] | None = None,
              language: str = "en", continuous: str = "auto", smd: bool = True,
              missing: bool = True, categorical: Sequence[str] = ()) -> TableOne:
    r"""Baseline characteristics by group.

    Counts with percentages of the non-missing values for categorical and boolean
    characteristics, mean (SD) or median [IQR] for numeric ones, and the standardised mean
    difference between groups 1 and 2

    .. math::

        \mathrm{SMD} = \frac{|\bar x_1 - \bar x_2|}{\sqrt{(s_1^2 + s_2^2)/2}}
        \quad\text{(numeric)}, \qquad
        \mathrm{SMD} = \frac{|p_1 - p_2|}{\sqrt{(p_1(1 - p_1) + p_2(1 - p_2))/2}}
        \quad\text{(binary)},

    with the multivariate form :math:`\sqrt{T^\top S^{-1} T}` for more than two levels and
    the largest pairwise SMD for more than two groups (module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person (e.g. ``study.participants``, possibly with derived columns such
        as ``baseline_rung``).
    by : str, default "cohort"
        Grouping column (no missing values); groups in order of appearance (categories order
        for a categorical column).
    variables : sequence of str, optional
        Characteristics in display order. Default: those of age, sex, diagnosis group, SMI,
        benefit, education and months out of work present in ``df``.
    language : {"en", "nl"}, default "en"
        Titles and value labels from the data dictionary
        (``get_schema(t).field(c).title(lang)``, ``.labels(lang)``).
    continuous : {"auto", "mean", "median"}, default "auto"
        Summary of numeric variables: mean (SD), median [IQR] (quartiles as R's type 7), or
        ``auto``: median [IQR] when the absolute sample skewness (all groups together)
        exceeds 1.
    smd : bool, default True
        Add the SMD column (see the module docstring for the conventions).
    missing : bool, default True
        Add a "missing, n" row to characteristics with missing values.
    categorical : sequence of str, default ()
        Numeric variables to tabulate by level instead (e.g. ``baseline_rung``).

    Returns
    -------
    TableOne
        ``table`` (formatted cells), ``counts`` (persons behind each cell), ``smd``,
        ``numbers`` (unrounded, not disclosure-controlled), the caption and
        :meth:`TableOne.disclosed` / ``to_csv`` / ``to_excel`` / ``to_html`` for export
        through disclosure control.

    Raises
    ------
    ValueError
        When ``by`` is not a column or has missing values, a variable is not a column, is
        ``by`` itself or a date, ``continuous`` is not a known choice, or ``categorical``
        names a column that is not among the variables.

    References
    ----------
    .. [1] Yang D, Dalton JE. A unified approach to measuring the effect size between two
       groups using SAS. SAS Global Forum 2012, paper 335-2012.
    .. [2] Austin PC. Balance diagnostics for comparing the distribution of baseline
       covariates between treatment groups in propensity-score matched samples. Stat Med
       2009;28:3083-3107.

    Examples
    --------
    Ages 30, 40, 50 against 40, 50, 60: means 40 and 50, both SD 10, so SMD =
    :math:`|40 - 50| / \sqrt{(10^2 + 10^2)/2} = 1`. Men 1 of 3 against 2 of 3: SMD =
    :math:`(2/3 - 1/3) / \sqrt{(2/9 + 2/9)/2} = (1/3) / (\sqrt 2 / 3) = 1/\sqrt 2 = 0.707`.

    >>> df = pd.DataFrame({"cohort": ["KOW"] * 3 + ["IPS"] * 3,
    ...                    "age": [30, 40, 50, 40, 50, 60],
    ...                    "sex": ["female", "female", "male", "female", "male", "male"]})
    >>> t1 = table_one(df)
    >>> print(t1.table)  # doctest: +NORMALIZE_WHITESPACE
                                  KOW (n = 3)  IPS (n = 3)    SMD
    Characteristic Statistic
    Age            mean (SD)      40.0 (10.0)  50.0 (10.0)  1.000
    Sex            female, n (%)    2 (66.7%)    1 (33.3%)  0.707
                   male, n (%)      1 (33.3%)    2 (66.7%)
    >>> t1.disclosed(k=5).iloc[:, :2].values.tolist()  # every cell has fewer than 5 people
    [['<5', '<5'], ['<5', '<5'], ['<5', '<5']]

    In Dutch, with a missing age (KOW: 30 and 50, SD :math:`\sqrt{200} = 14.1`; SMD
    :math:`10 / \sqrt{(200 + 100)/2} = 0.816`):

    >>> print(table_one(df.assign(age=[30, None, 50, 40, 50, 60]), variables=["age"],
    ...                 language="nl").table)  # doctest: +NORMALIZE_WHITESPACE
                              KOW (n = 3)  IPS (n = 3)    SMD
    Kenmerk  Statistiek
    Leeftijd gemiddelde (SD)  40.0 (14.1)  50.0 (10.0)  0.816
             ontbrekend, n              1            0
    """
    lang = check_language(language)
    chosen = _check(df, by, variables, continuous, categorical)
    gcol = df[by]
    if isinstance(gcol.dtype, pd.CategoricalDtype):
        groups = [g for g in gcol.cat.categories if (gcol == g).any()]
    else:
        groups = list(pd.unique(gcol))
    masks = {g: (gcol == g).to_numpy() for g in groups}
    header = {g: f"{g} (n = {int(masks[g].sum())})" for g in groups}
    rows: list[tuple[str, str]] = []
    blocks: list[Any] = []
    kinds: list[str] = []
    cells: list[list[str]] = []
    counts: list[list[float]] = []
    summary: list[tuple[Any, ...]] = []
    smds: dict[str, float] = {}
    pairs = list(itertools.combinations(groups, 2))
    for var in chosen:
        col = df[var]
        title = variable_title(var, lang)
        present = col.notna().to_numpy()
        is_bool = _is_bool(col)
        numeric = (pd.api.types.is_numeric_dtype(col.dtype) and not is_bool
                   and var not in categorical)
        if numeric:
            x = col.astype("float64").to_numpy(dtype=float, na_value=np.nan)
            use_median = continuous == "median" or (
                continuous == "auto" and abs(pd.Series(x[present]).skew()) > 1)
            stat = text("median_iqr" if use_median else "mean_sd", lang)
            row_cells, row_counts = [], []
            for g in groups:
                v = x[masks[g] & present]
                q1, q2, q3 = np.percentile(v, [25, 50, 75]) if len(v) else (np.nan,) * 3
                mean = v.mean() if len(v) else np.nan
                sd = v.std(ddof=1) if len(v) > 1 else np.nan
                if len(v) == 0:
                    row_cells.append("")
                elif use_median:
                    row_cells.append(f"{q2:.1f} [{q1:.1f}, {q3:.1f}]")
                else:
                    row_cells.append(f"{mean:.1f} ({sd:.1f})")
                row_counts.append(float(len(v)))
                summary.append((var, None, g, len(v), np.nan, mean, sd, q2, q1, q3))
            rows.append((title, stat))
            blocks.append(None)
            whole = bool(np.all(x[present] == np.round(x[present])))
            kinds.append("median" if use_median else "mean_int" if whole else "mean")
            cells.append(row_cells)
            counts.append(row_counts)
            if smd and pairs:
                smds[title] = max(smd_continuous(x[masks[a] & present], x[masks[b] & present])
                                  for a, b in pairs)
        else:
            values = pd.Series(col.astype(object).to_numpy(), index=df.index).where(present)
            labels = value_labels(var, lang)
            if is_bool:
                levels: list[Any] = [False, True]
                shown = [True]
            else:
                levels = _levels(col, values)
                shown = levels
            vals = values.to_numpy(dtype=object)
            for lv in shown:
                row_cells, row_counts = [], []
                for g in groups:
                    sel = masks[g] & present
                    n_lv = int((vals[sel] == lv).sum())
                    denom = int(sel.sum())
                    pct = 100 * n_lv / denom if denom else np.nan
                    row_cells.append(f"{n_lv} ({pct:.1f}%)" if denom else "")
                    row_counts.append(float(n_lv))
                    summary.append((var, lv, g, n_lv, pct) + (np.nan,) * 5)
                name = text("yes", lang) if is_bool else labels.get(lv, str(lv))
                rows.append((title, f"{name}, {text('n_percent', lang)}"))
                blocks.append(var)
                kinds.append("yes" if is_bool else "level")
                cells.append(row_cells)
                counts.append(row_counts)
            if smd and pairs and len(levels) >= 2:
                smds[title] = max(smd_categorical(vals[masks[a] & present],
                                                  vals[masks[b] & present], levels)
                                  for a, b in pairs)
        if missing and (~present).any():
            rows.append((title, text("missing", lang) + ", n"))
            blocks.append(var)
            kinds.append("missing")
            m = [int((masks[g] & ~present).sum()) for g in groups]
            cells.append([str(v) for v in m])
            counts.append([float(v) for v in m])
    index = pd.MultiIndex.from_tuples(rows, names=[text("characteristic", lang),
                                                   text("statistic", lang)])
    table = pd.DataFrame(cells, index=index, columns=[header[g] for g in groups])
    count_frame = pd.DataFrame(counts, index=index, columns=table.columns)
    smd_name = text("smd", lang)
    smd_series = pd.Series(smds, name=smd_name, dtype=float)
    if smd and pairs:
        first = ~pd.Index(index.get_level_values(0)).duplicated()
        table[smd_name] = [f"{smds[t]:.3f}" if (f and t in smds and np.isfinite(smds[t]))
                           else "" for t, f in zip(index.get_level_values(0), first,
                                                   strict=True)]
        count_frame[smd_name] = np.inf  # an SMD is not a count: never suppressed
    rule = text("smd_two_groups" if len(groups) == 2 else "smd_max_pairwise", lang)
    caption = text("table_one_caption", lang, by=variable_title(by, lang).lower(),
                   smd_rule=rule)
    definition = {"by": by, "variables": chosen, "continuous": continuous,
                  "categorical": list(categorical), "smd": "Yang-Dalton (tableone); "
                  + ("largest pairwise" if len(groups) > 2 else "two groups"),
                  "percentages": "of non-missing values"}
    return TableOne(table=table, counts=count_frame, smd=smd_series,
                    numbers=pd.DataFrame(summary, columns=SUMMARY_COLUMNS), by=by,
                    language=lang, caption=caption, blocks=tuple(blocks),
                    kinds=tuple(kinds), sizes=tuple(int(masks[g].sum()) for g in groups),
                    attrs={"definition": definition})
