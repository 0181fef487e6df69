"""Fan chart of a recruitment forecast."""

from __future__ import annotations

from typing import Any

import numpy as np

from kow_research.core import check_choice, new_axes

LABELS = {
    "en": {"x": "Months since start of recruitment", "y": "Participants recruited (cumulative)",
           "observed": "Observed", "median": "Median forecast", "target": "Target",
           "deadline": "Deadline", "band": "{:.0f}% prediction interval",
           "title": "P(target of {n} by month {d:g}) = {p}"},
    "nl": {"x": "Maanden sinds start werving", "y": "Geworven deelnemers (cumulatief)",
           "observed": "Waargenomen", "median": "Mediane voorspelling", "target": "Doel",
           "deadline": "Einde werving", "band": "{:.0f} % voorspellingsinterval",
           "title": "P(doel van {n} uiterlijk maand {d:g}) = {p}"},
}
FONT = 9        # points; every text on the figure is at least 8 pt


def fan_chart(forecast: Any, ax: Any = None, *, language: str = "en", **kwargs: Any) -> Any:
    """Draw ``forecast`` (a RecruitmentForecast) as a fan chart; returns the Axes."""
    check_choice("language", language, LABELS)
    lab = LABELS[language]
    own = ax is None
    ax = new_axes(ax, figsize=(6.25, 3.9))       # 15.9 cm wide
    if own:
        ax.figure.set_layout_engine("constrained")
    q = forecast.quantiles
    month = q.index.to_numpy(dtype=float)
    levels = np.asarray(q.columns, dtype=float)
    start = forecast.as_of
    fut = month >= start
    color = kwargs.pop("color", "C0")
    pairs = [(lo, 1 - lo) for lo in sorted(levels[levels < 0.5])]      # widest first
    for k, (lo, hi) in enumerate(pairs):
        shade = 0.15 + 0.5 * k / max(len(pairs), 1)
        ax.fill_between(month[fut], q[lo].to_numpy()[fut],
                        q[levels[np.isclose(levels, hi)][0]].to_numpy()[fut], color=color,
                        alpha=shade, linewidth=0,
                        label=lab["band"].format(100 * (hi - lo)))
    ax.plot(month[fut], q[0.5].to_numpy()[fut], color=color, label=lab["median"], **kwargs)
    obs = forecast.table["observed"].to_numpy(dtype=float)
    if np.isfinite(obs).sum() > 1:
        ax.plot(month[np.isfinite(obs)], obs[np.isfinite(obs)], color="black", marker="o",
                markersize=3, linewidth=1.2, label=lab["observed"])
    ax.axhline(forecast.target, color="0.3", linestyle="--", linewidth=1, label=lab["target"])
    ax.axvline(forecast.deadline, color="0.3", linestyle=":", linewidth=1,
               label=lab["deadline"])
    prob = f"{forecast.probability:.2f}"
    if language == "nl":
        prob = prob.replace(".", ",")
    ax.set_title(lab["title"].format(n=forecast.target, d=forecast.deadline, p=prob),
                 fontsize=FONT + 1)
    ax.set_xlabel(lab["x"], fontsize=FONT)
    ax.set_ylabel(lab["y"], fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.set_xlim(month[0], month[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    return ax
