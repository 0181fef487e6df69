"""Diagnostic figures: propensity-score overlap and the love plot of balance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from kow_research.core.results import new_axes
from kow_research.data.labels import check_language, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def overlap_plot(result: Any, *, ax: Axes | None = None, weighted: bool = False,
                 bins: int = 30, language: str = "en", **kwargs: Any) -> Axes:
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
        ax.bar(edges[:-1], sign * h, width=np.diff(edges), align="edge", color=colour,
               alpha=0.7, label=label, **kwargs)
    ax.axhline(0, color="black", linewidth=0.8)
    lang = check_language(language)
    ax.set_xlabel(text("propensity_score", lang))
    ax.set_ylabel(text("weighted_count" if weighted else "count", lang))
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
