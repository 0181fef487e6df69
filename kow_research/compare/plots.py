"""Diagnostic figures: propensity-score overlap and the love plot of balance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from kow_research.core.results import new_axes
from kow_research.data.labels import check_language, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def merge_small_bins(counts: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Runs of neighbouring histogram bins that each hold at least ``k`` people.

    Bins are taken from the left; a run starts at its first non-empty bin and ends at the bin
    where its count reaches ``k``; what is left at the right end (fewer than ``k``) joins the
    last run. A histogram of fewer than ``k`` people in all gives no run: none of its bars
    could be drawn without showing a count below ``k``.

    Parameters
    ----------
    counts : ndarray of int
        People per bin.
    k : int
        The smallest number of people a bar may hold (the disclosure threshold).

    Returns
    -------
    list of (first, last)
        Bin indices of each run, inclusive; every bin outside the runs is empty.

    Examples
    --------
    >>> merge_small_bins(np.array([0, 2, 0, 1, 5, 12, 3, 0, 1]), k=3)
    [(1, 3), (4, 4), (5, 5), (6, 8)]
    >>> merge_small_bins(np.array([4, 4, 1]), k=3)      # the 1 joins the run before it
    [(0, 0), (1, 2)]
    >>> merge_small_bins(np.array([1, 1]), k=3)
    []
    """
    runs: list[tuple[int, int]] = []
    start, held = -1, 0
    for i, c in enumerate(counts):
        if c > 0 and start < 0:
            start = i
        held += int(c)
        if start >= 0 and held >= k:
            runs.append((start, i))
            start, held = -1, 0
    if held and runs:
        last_filled = int(np.flatnonzero(counts)[-1])
        runs[-1] = (runs[-1][0], last_filled)
    return runs


def overlap_plot(result: Any, *, ax: Axes | None = None, weighted: bool = False,
                 bins: int = 30, language: str = "en", min_count: int | None = None,
                 **kwargs: Any) -> Axes:
    """Mirrored histograms of the propensity score, treated above and controls below.

    Parameters
    ----------
    result : PropensityResult
        A fit of :func:`kow_research.compare.propensity`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    weighted : bool, default False
        Weight the histograms by the balancing weights (shows the weighted pseudo-population).
    bins : int, default 30
        Number of equal-width bins on [0, 1].
    language : {"en", "nl"}, default "en"
        Language of the title and axis labels.
    min_count : int, optional
        Disclosure threshold k (a report passes its policy's ``k``): every bar holds at least
        k people of its cohort. Neighbouring bins are merged where needed
        (:func:`merge_small_bins`) and a merged bar's height is its people (or weight) per
        bin of width ``1 / bins``, so that areas stay proportional to counts; the axis label
        says so. A cohort of fewer than k people is not drawn. Default: one bar per bin.
    **kwargs : dict, optional
        Passed to ``Axes.bar``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from kow_research.compare import propensity
    >>> d = pd.DataFrame({"arm": ["a", "a", "a", "b", "b", "b"],
    ...                   "age": [30, 41, 52, 35, 47, 60]})
    >>> ps = propensity(d, treatment="arm", treated="b", covariates=["age"])
    >>> ax = overlap_plot(ps, bins=10)
    >>> type(ax).__name__, ax.get_title()
    ('Axes', 'Overlap of propensity scores (ATT)')
    >>> overlap_plot(ps, bins=10, language="nl").get_xlabel()
    'propensityscore'

    With ``min_count=3`` each cohort's three people form one bar. The treated (b) have
    scores 0.35, 0.55 and 0.74, in bins 0.3-0.4 to 0.7-0.8 of 10: one bar from 0.3 to 0.8,
    3 / 5 = 0.6 high; the controls' (0.28, 0.45, 0.63) goes from 0.2 to 0.7, drawn below:

    >>> ps.table["ps"].round(2).tolist()
    [0.28, 0.45, 0.63, 0.35, 0.55, 0.74]
    >>> ax = overlap_plot(ps, bins=10, min_count=3)
    >>> [tuple(round(float(v), 2) for v in (p.get_x(), p.get_width(), p.get_height()))
    ...  for p in ax.patches]
    [(0.3, 0.5, 0.6), (0.2, 0.5, -0.6)]
    >>> ax.get_ylabel()
    'count per 1/10'
    >>> plt.close("all")
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax, figsize=(6, 4))
    tab = result.table
    edges = np.linspace(0, 1, bins + 1)
    for g, sign, label, colour in ((1, 1, str(result.attrs.get("treated_level", "treated")),
                                    "C0"),
                                   (0, -1, str(result.attrs.get("control_level", "control")),
                                    "C1")):
        sub = tab[tab["treated"] == g]
        w = sub["weight"].to_numpy() if weighted else None
        h, _ = np.histogram(sub["ps"].to_numpy(), bins=edges, weights=w)
        if min_count is None:
            left, width = edges[:-1], np.diff(edges)
        else:
            people, _ = np.histogram(sub["ps"].to_numpy(), bins=edges)
            runs = merge_small_bins(people, int(min_count))
            left = np.array([edges[a] for a, _ in runs])
            width = np.array([edges[b + 1] - edges[a] for a, b in runs])
            h = np.array([h[a:b + 1].sum() / (b + 1 - a) for a, b in runs])
        ax.bar(left, sign * h, width=width, align="edge", color=colour, alpha=0.7,
               label=label, **kwargs)
    ax.axhline(0, color="black", linewidth=0.8)
    lang = check_language(language)
    ax.set_xlabel(text("propensity_score", lang))
    ylabel = text("weighted_count" if weighted else "count", lang)
    if min_count is not None:
        ylabel = text("count_per_bin", lang, count=ylabel, width=f"1/{bins}")
        ax.set_xlabel(text("propensity_score", lang) + "\n"
                      + text("overlap_bins_merged", lang, k=int(min_count)))
    ax.set_ylabel(ylabel)
    ax.set_title(text("overlap_title", lang, estimand=result.estimand))
    ax.legend(frameon=False)
    return ax


def love_plot(result: Any, *, ax: Axes | None = None, language: str = "en",
              **kwargs: Any) -> Axes:
    """Absolute standardised mean differences before and after weighting per covariate.

    Parameters
    ----------
    result : BalanceResult
        A result of :func:`kow_research.compare.balance`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when None).
    language : {"en", "nl"}, default "en"
        Language of the axis label and the legend.
    **kwargs : dict, optional
        Passed to ``Axes.scatter``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one row per covariate column, the threshold as a dashed line.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from kow_research.compare import balance
    >>> d = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0], "age": [30, 40, 50, 40, 50, 60],
    ...                   "smi": [True, False, False, True, True, False]})
    >>> ax = love_plot(balance(d, treatment="arm", covariates=["age", "smi"]))
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_yticklabels()]
    ('absolute standardised mean difference', ['age', 'smi'])
    >>> ax = love_plot(balance(d, treatment="arm", covariates=["age", "smi"]), language="nl")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['voor']
    >>> plt.close("all")
    """
    lang = check_language(language)
    tab = result.table
    ax = new_axes(ax, figsize=(6, 0.3 * len(tab) + 1.5))
    y = np.arange(len(tab))[::-1]
    ax.scatter(np.abs(tab["smd_before"]), y, marker="o", facecolors="none", edgecolors="C3",
               label=text("before_weighting", lang), **kwargs)
    if result.weighted:
        ax.scatter(np.abs(tab["smd_after"]), y, marker="o", color="C0",
                   label=text("after_weighting", lang),
                   **kwargs)
    ax.axvline(result.threshold, color="grey", linestyle="--", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(list(tab.index))
    ax.set_xlabel(text("abs_smd", lang))
    ax.legend(frameon=False, loc="lower right")
    return ax
