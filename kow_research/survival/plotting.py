"""Matplotlib step plots for survival and cumulative incidence curves."""

from __future__ import annotations

from typing import Any

import numpy as np

LABELS = {
    "en": {"survival": "Event-free probability", "cumulative_incidence": "Cumulative incidence",
           "time": "Time", "at_risk": "Number at risk", "cause": "cause"},
    "nl": {"survival": "Kans zonder gebeurtenis", "cumulative_incidence": "Cumulatieve incidentie",
           "time": "Tijd", "at_risk": "Aantal at risk", "cause": "oorzaak"},
}


def plot_curve(result: Any, ax: Any = None, risk_table: bool = False,
               language: str = "en") -> Any:
    """Draw ``result`` (a CurveResult) as steps with a shaded confidence band.

    With ``risk_table=True`` the unweighted number at risk at the x-ticks is written under the
    axes, one line per group. The outcome definition in ``result.attrs`` becomes the caption.
    """
    import matplotlib.pyplot as plt

    if language not in LABELS:
        raise ValueError(f"language must be one of {sorted(LABELS)}, got {language!r}")
    lab = LABELS[language]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    start = 1.0 if result.kind == "survival" else 0.0
    for g, sub in result.table.groupby("group", sort=False, observed=True):
        t = np.concatenate([[0.0], sub["time"].to_numpy()])
        est = np.concatenate([[start], sub["estimate"].to_numpy()])
        lo = np.concatenate([[start], sub["lower"].to_numpy()])
        hi = np.concatenate([[start], sub["upper"].to_numpy()])
        line = ax.step(t, est, where="post", label=str(g) if result.grouped else None)[0]
        ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=line.get_color(), linewidth=0)
    ax.set_xlabel(lab["time"])
    ax.set_ylabel(f"{lab[result.kind]} ({lab['cause']} {result.cause})")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    if result.grouped:
        ax.legend(frameon=False)
    caption = result.attrs.get("definition_text") or result.attrs.get("definition")
    if caption:
        ax.set_title(str(caption), fontsize=9, loc="left")
    if risk_table:
        ticks = [x for x in ax.get_xticks() if x >= 0 and x <= ax.get_xlim()[1]]
        lines = []
        for g, sub in result.at_risk.groupby("group", sort=False, observed=True):
            tt, nr = sub["time"].to_numpy(), sub["n_risk"].to_numpy()
            pos = np.searchsorted(tt, ticks, side="left")
            counts = [int(nr[p]) if p < len(nr) else 0 for p in pos]
            lines.append(f"{g!s:>8}: " + "  ".join(f"{c:>5d}" for c in counts))
        ax.text(0, -0.18, lab["at_risk"] + "\n" + "\n".join(lines), transform=ax.transAxes,
                va="top", family="monospace", fontsize=8)
    return ax
