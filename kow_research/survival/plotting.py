"""Matplotlib step plots for survival and cumulative incidence curves, with a risk table."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from kow_research.core.meta import outcome_meta
from kow_research.data.labels import UI_STRINGS, check_language, text

UNIT_KEYS = {"days": "days_since_start", "weeks": "weeks_since_start",
             "months": "months_since_start"}


def _outcome(attrs: dict[str, Any]) -> str | None:
    meta = outcome_meta(attrs)
    return meta.outcome or (str(meta.definition["outcome"]) if "outcome" in meta.definition
                            else None)


def plot_curve(result: Any, ax: Any = None, *, risk_table: bool = False,
               language: str = "en", **kwargs: Any) -> Any:
    """Draw ``result`` (a CurveResult) as steps with a shaded confidence band.

    Parameters
    ----------
    result : CurveResult
    ax : matplotlib Axes, optional
        Axes to draw on (a new figure when None).
    risk_table : bool, default False
        Write the unweighted number at risk under the x-axis ticks, one line per group.
    language : {"en", "nl"}
        Labels and caption language.
    **kwargs
        Passed to ``Axes.step`` (e.g. ``linewidth``).

    Returns
    -------
    matplotlib.axes.Axes
        Labelled with the outcome and the time unit; the outcome definition carried by the
        input frame is the caption.
    """
    import matplotlib.pyplot as plt
    from matplotlib.transforms import blended_transform_factory

    lang = check_language(language)
    if ax is None:
        n_groups = result.table["group"].nunique()
        _, ax = plt.subplots(figsize=(7.5, 4.5 + (0.9 + 0.28 * n_groups if risk_table else 0)))
    start = 1.0 if result.kind == "survival" else 0.0
    for g, sub in result.table.groupby("group", sort=False, observed=True):
        t = np.concatenate([[0.0], sub["time"].to_numpy()])
        est = np.concatenate([[start], sub["estimate"].to_numpy()])
        lo = np.concatenate([[start], sub["lower"].to_numpy()])
        hi = np.concatenate([[start], sub["upper"].to_numpy()])
        line = ax.step(t, est, where="post", label=str(g) if result.grouped else None,
                       **kwargs)[0]
        ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=line.get_color(), linewidth=0)
    meta = outcome_meta(result.attrs)
    outcome = _outcome(result.attrs)
    ax.set_xlabel(text(UNIT_KEYS.get(meta.unit, "time"), lang) if outcome
                  else text("time", lang))
    key = f"curve_{outcome}_{result.kind}_{result.cause}"
    ax.set_ylabel(text(key, lang) if key in UI_STRINGS
                  else f"{text(result.kind, lang)} ({text('cause', lang)} {result.cause})")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    if result.grouped:
        ax.legend(frameon=False)
    caption = meta.caption(lang)
    if caption:
        ax.set_title("\n".join(textwrap.wrap(caption, 90)), fontsize=8, loc="left")
    if risk_table:
        fig = ax.figure
        ticks = [x for x in ax.get_xticks() if 0 <= x <= ax.get_xlim()[1]]
        groups = list(result.at_risk.groupby("group", sort=False, observed=True))
        trans = blended_transform_factory(ax.transData, ax.transAxes)
        height = fig.get_size_inches()[1]
        fig.subplots_adjust(bottom=(0.75 + 0.2 * (len(groups) + 1)) / height, left=0.16,
                            top=0.9)
        axes_h = ax.get_position().height * height  # inches; rows are 0.2 inch apart
        step = 0.2 / axes_h
        top = -0.5 / axes_h
        ax.text(-0.08, top, text("number_at_risk", lang), transform=ax.transAxes, ha="left", va="top",
                fontsize=8, fontweight="bold")
        for i, (g, sub) in enumerate(groups):
            y = top - step * (i + 1)
            tt, nr = sub["time"].to_numpy(), sub["n_risk"].to_numpy()
            pos = np.searchsorted(tt, ticks, side="left")
            ax.text(-0.04, y, str(g), transform=ax.transAxes, ha="right", va="top", fontsize=8)
            for x, p in zip(ticks, pos, strict=True):
                ax.text(x, y, str(int(nr[p]) if p < len(nr) else 0), transform=trans,
                        ha="center", va="top", fontsize=8)
    return ax
