"""Table 1: baseline characteristics by cohort, with missing counts and standardised mean
differences, in English or Dutch, exported through disclosure control.

SMD conventions (as the R package tableone, Yang & Dalton 2012):

* continuous: :math:`(\\bar x_1 - \\bar x_2) / \\sqrt{(s_1^2 + s_2^2)/2}`;
* binary: :math:`(p_1 - p_2) / \\sqrt{(p_1(1-p_1) + p_2(1-p_2))/2}`;
* categorical with k > 2 levels: :math:`\\sqrt{(p_1 - p_2)^\\top S^{-1} (p_1 - p_2)}` over
  levels 2..k, with :math:`S = (S_1 + S_2)/2` and :math:`S_g = \\mathrm{diag}(p_g) -
  p_g p_g^\\top`;
* more than two groups: the largest pairwise SMD.

SMDs are reported as absolute values; missing values are left out of means and percentages and
counted in their own row.

References
----------
Yang D, Dalton JE (2012). A unified approach to measuring the effect size between two groups
using SAS. SAS Global Forum, paper 335-2012. Austin PC (2009). Stat Med 28:3083-3107.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.data.schema import Language, get_schema
from kow_research.report.disclosure import suppress_small

DEFAULT_VARIABLES = ("age", "sex", "diagnosis_group", "smi", "benefit", "education",
                     "months_out_of_work")
_WORDS = {"missing": ("missing", "ontbrekend"), "yes": ("yes", "ja"),
          "variable": ("Characteristic", "Kenmerk"), "smd": ("SMD", "SMD"),
          "mean": ("mean (SD)", "gemiddelde (SD)"), "median": ("median [IQR]", "mediaan [IQR]")}


def _w(key: str, language: str) -> str:
    return _WORDS[key][language == "nl"]


def smd_continuous(a: np.ndarray, b: np.ndarray) -> float:
    """|difference in means| over the root mean of the two variances (n-1 denominators)."""
    pooled = np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2)
    return float(abs(a.mean() - b.mean()) / pooled) if pooled > 0 else 0.0


def smd_categorical(a: pd.Series, b: pd.Series, levels: Sequence[Any]) -> float:
    """Yang & Dalton SMD for a categorical variable (binary: the usual proportion formula)."""
    p1 = np.array([(a == lv).mean() for lv in levels])
    p2 = np.array([(b == lv).mean() for lv in levels])
    if len(levels) <= 2:
        p, q = p1[-1], p2[-1]
        denom = np.sqrt((p * (1 - p) + q * (1 - q)) / 2)
        return float(abs(p - q) / denom) if denom > 0 else 0.0
    d = (p1 - p2)[1:]
    s = (np.diag(p1) - np.outer(p1, p1) + np.diag(p2) - np.outer(p2, p2))[1:, 1:] / 2
    return float(np.sqrt(max(d @ np.linalg.pinv(s) @ d, 0.0)))


@dataclass(frozen=True)
class TableOne:
    """Baseline table. ``table`` holds formatted cells (str), ``counts`` the person counts
    behind each cell (for disclosure control), ``smd`` the SMD per variable."""

    table: pd.DataFrame
    counts: pd.DataFrame
    smd: pd.Series
    by: str
    language: str
    caption: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    def disclosed(self, k: int = 5) -> pd.DataFrame:
        """The table with every cell based on fewer than ``k`` people replaced by ``<k``."""
        return suppress_small(self.table, self.counts, k=k,
                              blocks=self.table.index.get_level_values(0))

    def to_csv(self, path: str | Path, k: int = 5) -> Path:
        """Write the disclosure-controlled table as CSV."""
        self.disclosed(k).to_csv(path)
        return Path(path)

    def to_excel(self, path: str | Path, k: int = 5) -> Path:
        """Write the disclosure-controlled table as XLSX."""
        self.disclosed(k).to_excel(path)
        return Path(path)

    def to_html(self, path: str | Path | None = None, k: int = 5) -> str:
        """Disclosure-controlled HTML (written to ``path`` when given)."""
        html = f"<p>{self.caption}</p>" + self.disclosed(k).to_html()
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html

    def _repr_html_(self) -> str:
        return self.to_html()


def _label(column: str, language: str) -> tuple[str, dict[Any, str]]:
    schema = get_schema("participants")
    if column in schema.columns:
        f = schema.field(column)
        lang: Language = "nl" if language == "nl" else "en"
        return f.title(lang), dict(f.labels(lang))
    return column, {}


def table_one(df: pd.DataFrame, by: str = "cohort", variables: Sequence[str] | None = None,
              language: str = "en", continuous: str = "auto", smd: bool = True,
              missing: bool = True) -> TableOne:
    """Baseline characteristics by group.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person (e.g. ``study.participants``).
    by : str, default "cohort"
    variables : sequence of str, optional
        Default: age, sex, diagnosis group, SMI, benefit, education, months out of work.
    language : {"en", "nl"}
        Labels from the data dictionary.
    continuous : {"auto", "mean", "median"}
        Summary of numeric variables; ``auto`` uses median [IQR] when |skewness| > 1.
    smd, missing : bool
        Add the SMD column / the missing-value rows.

    Returns
    -------
    TableOne
    """
    if by not in df.columns:
        raise ValueError(f"column {by!r} not found")
    variables = [v for v in (variables or DEFAULT_VARIABLES) if v in df.columns]
    groups = [g for g in pd.unique(df[by].astype(str))]
    gcol = df[by].astype(str)
    header = {g: f"{g} (n = {int((gcol == g).sum())})" for g in groups}
    rows: list[tuple[str, str]] = []
    cells: list[list[str]] = []
    counts: list[list[float]] = []
    smds: dict[str, float] = {}
    for var in variables:
        col = df[var]
        title, value_labels = _label(var, language)
        present = col.notna()
        is_bool = pd.api.types.is_bool_dtype(col.dtype) or str(col.dtype) == "boolean"
        numeric = pd.api.types.is_numeric_dtype(col.dtype) and not is_bool
        if numeric:
            x = col.astype(float)
            use_median = continuous == "median" or (
                continuous == "auto" and abs(x.dropna().skew()) > 1)
            stat = _w("median" if use_median else "mean", language)
            row_cells, row_counts = [], []
            for g in groups:
                v = x[(gcol == g) & present].to_numpy()
                if len(v) == 0:
                    row_cells.append("")
                elif use_median:
                    q1, q2, q3 = np.percentile(v, [25, 50, 75])
                    row_cells.append(f"{q2:.1f} [{q1:.1f}, {q3:.1f}]")
                else:
                    row_cells.append(f"{v.mean():.1f} ({v.std(ddof=1):.1f})")
                row_counts.append(float(len(v)))
            rows.append((title, stat))
            cells.append(row_cells)
            counts.append(row_counts)
            if smd and len(groups) >= 2:
                smds[title] = max(smd_continuous(x[(gcol == a) & present].to_numpy(),
                                                 x[(gcol == b) & present].to_numpy())
                                  for a, b in itertools.combinations(groups, 2))
        else:
            values = col.astype(object).where(present)
            if is_bool:
                levels: list[Any] = [False, True]
                shown = [True]
            else:
                levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                          else sorted(values.dropna().unique().tolist(), key=str))
                levels = [lv for lv in levels if (values == lv).any()]
                shown = levels
            for lv in shown:
                row_cells, row_counts = [], []
                for g in groups:
                    sel = (gcol == g) & present
                    n_lv = int((values[sel] == lv).sum())
                    denom = int(sel.sum())
                    row_cells.append(f"{n_lv} ({100 * n_lv / denom:.1f}%)" if denom else "")
                    row_counts.append(float(n_lv))
                name = _w("yes", language) if is_bool else value_labels.get(lv, str(lv))
                rows.append((title, f"{name}, n (%)"))
                cells.append(row_cells)
                counts.append(row_counts)
            if smd and len(groups) >= 2 and len(levels) >= 2:
                smds[title] = max(
                    smd_categorical(values[(gcol == a) & present], values[(gcol == b) & present],
                                    levels)
                    for a, b in itertools.combinations(groups, 2))
        if missing and (~present).any():
            rows.append((title, _w("missing", language) + ", n"))
            m = [int(((gcol == g) & ~present).sum()) for g in groups]
            cells.append([str(v) for v in m])
            counts.append([float(v) for v in m])
    index = pd.MultiIndex.from_tuples(rows, names=[_w("variable", language), ""])
    table = pd.DataFrame(cells, index=index, columns=[header[g] for g in groups])
    count_frame = pd.DataFrame(counts, index=index, columns=table.columns)
    smd_series = pd.Series(smds, name=_w("smd", language), dtype=float)
    if smd and len(groups) >= 2:
        first = ~pd.Index(index.get_level_values(0)).duplicated()
        col = [f"{smds[t]:.3f}" if (f and t in smds) else ""
               for t, f in zip(index.get_level_values(0), first, strict=True)]
        table[_w("smd", language)] = col
        count_frame[_w("smd", language)] = np.inf  # never suppressed
    caption = ("Baseline characteristics by " + by + "; SMD: standardised mean difference "
               "(largest pairwise with more than two groups)." if language != "nl" else
               "Kenmerken bij de start per " + by + "; SMD: gestandaardiseerd verschil "
               "(grootste paarsgewijze bij meer dan twee groepen).")
    return TableOne(table=table, counts=count_frame, smd=smd_series, by=by, language=language,
                    caption=caption)
