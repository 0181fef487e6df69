"""Matplotlib step plots for survival and cumulative incidence curves, with a risk table."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.meta import outcome_meta
from kow_research.core.units import TIME_UNITS
from kow_research.data.labels import UI_STRINGS, check_language, text
from kow_research.survival.kernels import step_at

UNIT_KEYS = {"days": "days_since_start", "weeks": "weeks_since_start",
             "months": "months_since_start"}


def _outcome(attrs: dict[str, Any]) -> str | None:
    meta = outcome_meta(attrs)
    return meta.outcome or (str(meta.definition["outcome"]) if "outcome" in meta.definition
                            else None)


def plot_curve(result: Any, ax: Any = None, *, risk_table: bool = False,
               language: str = "en", styles: Mapping[Any, Mapping[str, Any]] | None = None,
               time_unit: str | None = None, tick_months: int = 6, percent: bool = False,
               caption: bool = True, censor_ticks: bool = True, direct_labels: bool = False,
               count_format: Callable[[int], str] | None = None, min_at_risk: int | None = None,
               **kwargs: Any) -> Any:
    """Draw ``result`` (a CurveResult) as steps with a shaded confidence band.

    Each curve runs to its group's last follow-up (not its last event), with a tick at every
    censoring time; the band is the pointwise interval of the result.

    Parameters
    ----------
    result : CurveResult
    ax : matplotlib Axes, optional
        Axes to draw on (a new figure, 15.9 cm wide, when None).
    risk_table : bool, default False
        Write the unweighted number at risk under the x-axis ticks, one line per group.
    language : {"en", "nl"}
        Labels and caption language.
    styles : mapping, optional
        Per group: ``{"color": ..., "linestyle": ...}`` (e.g. from
        :func:`kow_research.report.style.programme_styles`), so that a programme has one look
        in every figure.
    time_unit : {"days", "weeks", "months"}, optional
        Unit of the x-axis (default: the outcome's unit); with ``"months"`` the ticks are every
        ``tick_months`` months.
    tick_months : int, default 6
    percent : bool, default False
        Show the y-axis in per cent.
    caption : bool, default True
        Put the outcome definition above the plot as its title (False when the caller prints
        the caption below the figure, as a report does).
    censor_ticks : bool, default True
        Mark censoring times.
    direct_labels : bool, default False
        Name each curve at its end instead of in a legend.
    count_format : callable, optional
        How a count in the risk table is written (e.g. a disclosure policy's figure count that
        shows ``<5`` for small counts); default ``str``.
    min_at_risk : int, optional
        End each curve (and its band and censoring ticks) at the first time fewer than this
        many people remain at risk, so that no step shows the event of one or two identifiable
        people (a disclosure policy's ``k``). Default: draw to the last follow-up.
    **kwargs
        Passed to ``Axes.step`` (e.g. ``linewidth``).

    Returns
    -------
    matplotlib.axes.Axes
        Labelled with the outcome and the time unit.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter
    from matplotlib.transforms import blended_transform_factory

    lang = check_language(language)
    meta = outcome_meta(result.attrs)
    outcome = _outcome(result.attrs)
    data_unit = meta.unit
    shown = time_unit or data_unit
    if shown not in TIME_UNITS or data_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {list(TIME_UNITS)}, got {shown!r}")
    scale = TIME_UNITS[data_unit] / TIME_UNITS[shown]
    fmt = count_format or (lambda n: str(int(n)))
    groups = list(result.groups) or list(pd.unique(result.table["group"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.25, 3.6 + (0.3 + 0.22 * len(groups) if risk_table
                                                   else 0)))
    start = 1.0 if result.kind == "survival" else 0.0
    ends = []
    for g in groups:
        sub = result.table[result.table["group"] == g]
        risk = result.at_risk[result.at_risk["group"] == g]
        last = float(risk["time"].max()) if len(risk) else 0.0
        if min_at_risk is not None and len(risk):
            few = risk.loc[risk["n_risk"] < min_at_risk, "time"]
            if len(few):
                last = min(last, float(few.min()))
                sub = sub[sub["time"] < last]
                risk = risk[risk["time"] < last]
        t = np.concatenate([[0.0], sub["time"].to_numpy(dtype=float), [last]]) * scale
        est = np.concatenate([[start], sub["estimate"].to_numpy(dtype=float)])
        est = np.append(est, est[-1])
        lo = np.concatenate([[start], sub["lower"].to_numpy(dtype=float)])
        hi = np.concatenate([[start], sub["upper"].to_numpy(dtype=float)])
        lo, hi = np.append(lo, lo[-1]), np.append(hi, hi[-1])
        style = dict((styles or {}).get(g, {}))
        line = ax.step(t, est, where="post", label=str(g) if result.grouped else None,
                       **{**style, **kwargs})[0]
        ax.fill_between(t, np.where(np.isnan(lo), est, lo), np.where(np.isnan(hi), est, hi),
                        step="post", alpha=0.15, color=line.get_color(), linewidth=0)
        if censor_ticks and "n_censored" in risk:
            ct = risk.loc[risk["n_censored"] > 0, "time"].to_numpy(dtype=float) * scale
            ax.plot(ct, step_at(t, est, ct, start=start), linestyle="none", marker="|",
                    markersize=4, color=line.get_color())
        ends.append((g, t[-1], est[-1], line.get_color()))
    ax.set_xlim(0, max([e[1] for e in ends] + [0.0]) * 1.02 or 1.0)
    if shown == "months" and tick_months > 0:
        right = ax.get_xlim()[1]
        ax.set_xticks(np.arange(0, right + 1e-9, tick_months))
    unit_key = UNIT_KEYS.get(shown, "time")
    ax.set_xlabel(text(unit_key, lang) if outcome else text("time", lang))
    key = f"curve_{outcome}_{result.kind}_{result.cause}"
    ax.set_ylabel(text(key, lang) if key in UI_STRINGS
                  else f"{text(result.kind, lang)} ({text('cause', lang)} {result.cause})")
    ax.set_ylim(0, 1.02)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    if result.grouped and direct_labels:
        placed: list[float] = []
        for g, x, y, color in sorted(ends, key=lambda e: e[2]):
            while any(abs(y - q) < 0.05 for q in placed):
                y += 0.05
            placed.append(y)
            ax.annotate(str(g), (x, y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8, color=color, annotation_clip=False)
    elif result.grouped:
        ax.legend(frameon=False)
    text_caption = meta.caption(lang)
    if caption and text_caption:
        ax.set_title("\n".join(textwrap.wrap(text_caption, 90)), fontsize=8, loc="left")
    if risk_table:
        fig = ax.figure
        ticks = [x for x in ax.get_xticks() if 0 <= x <= ax.get_xlim()[1]]
        trans = blended_transform_factory(ax.transData, ax.transAxes)
        height = fig.get_size_inches()[1]
        fig.subplots_adjust(bottom=(0.7 + 0.2 * (len(groups) + 1)) / height, left=0.16,
                            top=0.9 if caption else 0.97)
        axes_h = ax.get_position().height * height  # inches; rows are 0.2 inch apart
        step = 0.2 / axes_h
        top = -0.5 / axes_h
        ax.text(-0.12, top, text("number_at_risk", lang), transform=ax.transAxes, ha="left",
                va="top", fontsize=8, fontweight="bold")
        for i, g in enumerate(groups):
            sub = result.at_risk[result.at_risk["group"] == g]
            y = top - step * (i + 1)
            tt = sub["time"].to_numpy(dtype=float) * scale
            nr = sub["n_risk"].to_numpy()
            pos = np.searchsorted(tt, ticks, side="left")
            color = (styles or {}).get(g, {}).get("color", "black")
            ax.text(-0.04, y, str(g), transform=ax.transAxes, ha="right", va="top", fontsize=8,
                    color=color)
            last = tt.max() if len(tt) else 0.0
            for x, p in zip(ticks, pos, strict=True):
                if x > last:   # after the group's last follow-up: nobody left to count
                    continue
                ax.text(x, y, fmt(int(nr[p]) if p < len(nr) else 0), transform=trans,
                        ha="center", va="top", fontsize=8)
    return ax

