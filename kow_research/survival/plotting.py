"""Matplotlib step plots for survival and cumulative incidence curves, with a risk table."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

LABELS = {
    "en": {"survival": "Event-free probability", "cumulative_incidence": "Cumulative incidence",
           "time": "Time", "at_risk": "Number at risk", "cause": "cause",
           "days": "Days since start", "weeks": "Weeks since start",
           "months": "Months since start"},
    "nl": {"survival": "Kans zonder gebeurtenis", "cumulative_incidence": "Cumulatieve incidentie",
           "time": "Tijd", "at_risk": "Aantal at risk", "cause": "oorzaak",
           "days": "Dagen sinds start", "weeks": "Weken sinds start",
           "months": "Maanden sinds start"},
}
# what the event codes mean for the outcome frames of kow_research.outcomes
OUTCOME_LABELS = {
    ("time_to_paid_work", "survival", 1): ("Without paid work", "Zonder betaald werk"),
    ("time_to_paid_work", "cumulative_incidence", 1): ("Cumulative incidence of paid work",
                                                       "Cumulatieve incidentie betaald werk"),
    ("time_to_paid_work", "cumulative_incidence", 2): ("Cumulative incidence of dropout",
                                                       "Cumulatieve incidentie uitval"),
    ("dropout", "survival", 1): ("Still in the programme", "Nog in het programma"),
}


def _outcome(attrs: dict[str, Any]) -> str | None:
    definition = attrs.get("definition")
    if isinstance(definition, dict) and "outcome" in definition:
        return str(definition["outcome"])
    return attrs.get("outcome")


def _caption(attrs: dict[str, Any], language: str) -> str:
    text = attrs.get("definition_text") or ""
    if isinstance(text, dict):
        text = text.get(language) or text.get("en", "")
    return str(text)


def plot_curve(result: Any, ax: Any = None, risk_table: bool = False,
               language: str = "en") -> Any:
    """Draw ``result`` (a CurveResult) as steps with a shaded confidence band.

    With ``risk_table=True`` the unweighted number at risk is written under the x-axis ticks,
    one line per group. The outcome definition carried by the input frame becomes the caption
    (in ``language``), and the axes are labelled with the outcome and the time unit.
    """
    import matplotlib.pyplot as plt
    from matplotlib.transforms import blended_transform_factory

    if language not in LABELS:
        raise ValueError(f"language must be one of {sorted(LABELS)}, got {language!r}")
    lab = LABELS[language]
    if ax is None:
        n_groups = result.table["group"].nunique()
        _, ax = plt.subplots(figsize=(7.5, 4.5 + (0.9 + 0.28 * n_groups if risk_table else 0)))
    start = 1.0 if result.kind == "survival" else 0.0
    for g, sub in result.table.groupby("group", sort=False, observed=True):
        t = np.concatenate([[0.0], sub["time"].to_numpy()])
        est = np.concatenate([[start], sub["estimate"].to_numpy()])
        lo = np.concatenate([[start], sub["lower"].to_numpy()])
        hi = np.concatenate([[start], sub["upper"].to_numpy()])
        line = ax.step(t, est, where="post", label=str(g) if result.grouped else None)[0]
        ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=line.get_color(), linewidth=0)
    definition = result.attrs.get("definition")
    unit = definition.get("unit", "days") if isinstance(definition, dict) else "days"
    ax.set_xlabel(lab.get(unit, lab["time"]) if _outcome(result.attrs) else lab["time"])
    named = OUTCOME_LABELS.get((_outcome(result.attrs) or "", result.kind, result.cause))
    ax.set_ylabel(named[language == "nl"] if named
                  else f"{lab[result.kind]} ({lab['cause']} {result.cause})")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    if result.grouped:
        ax.legend(frameon=False)
    caption = _caption(result.attrs, language)
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
        ax.text(-0.08, top, lab["at_risk"], transform=ax.transAxes, ha="left", va="top",
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
