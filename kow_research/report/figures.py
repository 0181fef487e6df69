"""Publication figures used by the notebooks: participant flow, forest plot, ladder plots.

All figures are matplotlib, labelled in English or Dutch (``language``), carry the definition
that produced them in a caption, and are saved as PNG and SVG with :func:`save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_TEXT = {
    "entered": ("Entered", "Ingestroomd"),
    "excluded": ("Excluded", "Uitgesloten"),
    "analysed": ("Analysed", "Geanalyseerd"),
    "hazard_ratio": ("Hazard ratio (95% CI, log scale)", "Hazardratio (95%-BI, log-schaal)"),
    "percent": ("% of assessed participants", "% van de gemeten deelnemers"),
    "wave": ("Wave (months since start)", "Meetmoment (maanden na start)"),
    "rung": ("Rung", "Trede"),
}


def _t(key: str, language: str) -> str:
    en, nl = _TEXT[key]
    return nl if language == "nl" else en


def save_figure(fig: Any, stem: str, output_dir: str | Path | None) -> list[Path]:
    """Save ``fig`` as ``<output_dir>/<stem>.png`` (200 dpi) and ``.svg``; nothing when
    ``output_dir`` is None. Returns the paths written."""
    if output_dir is None:
        return []
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    fig.savefig(paths[0], dpi=200, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None})
    return paths


def flow_diagram(flow: pd.DataFrame, language: str = "en", caption: str | None = None) -> Any:
    """Participant flow per cohort from an attrition table.

    Parameters
    ----------
    flow : pandas.DataFrame
        ``kow_research.outcomes.attrition_table(df)``: cohort, stage, reason, label_en,
        label_nl, n.
    language : {"en", "nl"}
    caption : str, optional
        Defaults to the definition text carried by ``flow.attrs``.

    Returns
    -------
    matplotlib.figure.Figure
        One column per cohort: entered → excluded (each reason with n > 0) → analysed →
        outcome counts.
    """
    import matplotlib.pyplot as plt

    label = "label_nl" if language == "nl" else "label_en"
    cohorts = list(pd.unique(flow["cohort"]))
    fig, ax = plt.subplots(figsize=(max(3.2 * len(cohorts), 5), 4.6))
    ax.set_axis_off()
    ax.set_xlim(0, len(cohorts))
    ax.set_ylim(0, 4)
    box = {"boxstyle": "round,pad=0.35", "fc": "white", "ec": "0.3"}
    for i, cohort in enumerate(cohorts):
        f = flow[flow["cohort"] == cohort]
        x = i + 0.5

        def n_of(stage: str, frame: pd.DataFrame = f) -> int:
            return int(frame.loc[frame["stage"] == stage, "n"].sum())

        ex = f[(f["stage"] == "excluded") & (f["n"] > 0)]
        outcome = f[f["stage"] == "outcome"]
        ax.text(x, 3.6, f"{cohort}\n{_t('entered', language)}: {n_of('entered')}", ha="center",
                va="center", bbox=box, fontsize=9)
        ex_text = "\n".join(f"{r[label]}: {r['n']}" for _, r in ex.iterrows()) or "—"
        ax.text(x, 2.55, f"{_t('excluded', language)}: {n_of('excluded')}\n{ex_text}",
                ha="center", va="center", bbox={**box, "fc": "0.95"}, fontsize=8)
        ax.text(x, 1.5, f"{_t('analysed', language)}: {n_of('analysed')}", ha="center",
                va="center", bbox=box, fontsize=9)
        out_text = "\n".join(f"{r[label]}: {r['n']}" for _, r in outcome.iterrows())
        ax.text(x, 0.45, out_text, ha="center", va="center", bbox={**box, "fc": "0.97"},
                fontsize=8)
        for y0, y1 in ((3.3, 2.95), (2.15, 1.75), (1.25, 0.85)):
            ax.annotate("", xy=(x, y1), xytext=(x, y0),
                        arrowprops={"arrowstyle": "->", "color": "0.3"})
    text = caption or flow.attrs.get("definition_text", {}).get(language, "")
    if text:
        fig.text(0.01, 0.01, text, fontsize=7, style="italic", ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def forest_plot(models: Mapping[str, pd.DataFrame] | pd.DataFrame, language: str = "en",
                caption: str | None = None) -> Any:
    """Forest plot of hazard ratios with confidence intervals.

    Parameters
    ----------
    models : DataFrame or mapping of name → DataFrame
        Regression ``summary`` frames (index covariate; columns hr, lower, upper), e.g.
        ``{"cause-specific Cox": cox.summary, "Fine-Gray": fg.summary}``.
    language : {"en", "nl"}
    caption : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if isinstance(models, pd.DataFrame):
        models = {"": models}
    names = list(models)
    covs = list(dict.fromkeys(c for m in models.values() for c in m.index))
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(covs) * max(len(names), 1) + 1.4))
    step = 0.8 / max(len(names), 1)
    markers = ("o", "s", "^", "D")
    for k, name in enumerate(names):
        s = models[name]
        y = np.array([covs.index(c) for c in s.index]) + k * step - 0.4 + step / 2
        ax.errorbar(s["hr"], y, xerr=[s["hr"] - s["lower"], s["upper"] - s["hr"]],
                    fmt=markers[k % len(markers)], capsize=3, label=name or None)
    ax.axvline(1.0, color="0.5", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(range(len(covs)))
    ax.set_yticklabels(covs)
    ax.invert_yaxis()
    ax.set_xlabel(_t("hazard_ratio", language))
    if len(names) > 1:
        ax.legend(loc="best", fontsize=8)
    if caption:
        ax.set_title(caption, fontsize=8, loc="left")
    fig.tight_layout()
    return fig


def ladder_plot(by_wave: pd.DataFrame, language: str = "en") -> Any:
    """Stacked bars of rungs per wave, one panel per cohort.

    Parameters
    ----------
    by_wave : pandas.DataFrame
        :func:`kow_research.outcomes.ladder_by_wave` (people without an assessment in the
        window are left out of the percentages; their number is printed above each bar).
    """
    import matplotlib.pyplot as plt

    from kow_research.outcomes.ladder import rung_labels

    labels = rung_labels(language)
    cohorts = list(pd.unique(by_wave["cohort"]))
    fig, axes = plt.subplots(1, len(cohorts), figsize=(3.1 * len(cohorts) + 2.2, 3.6),
                             sharey=True, squeeze=False)
    colors = plt.get_cmap("viridis")(np.linspace(0.05, 0.95, 6))
    for ax, cohort in zip(axes[0], cohorts, strict=True):
        d = by_wave[by_wave["cohort"] == cohort]
        months = sorted(d["wave_month"].unique())
        assessed = d.dropna(subset=["rung"])
        share = pd.crosstab(assessed["wave_month"], assessed["rung"].astype(int),
                            normalize="index").reindex(index=months, columns=range(1, 7),
                                                       fill_value=0.0) * 100
        bottom = np.zeros(len(months))
        x = np.arange(len(months))
        for r in range(1, 7):
            ax.bar(x, share[r], bottom=bottom, color=colors[r - 1], width=0.7,
                   label=f"{r} {labels[r]}")
            bottom += share[r].to_numpy()
        missing = d.groupby("wave_month")["rung"].apply(lambda s: int(s.isna().sum()))
        for xi, m in zip(x, months, strict=True):
            ax.text(xi, 101, f"n.a. {missing[m]}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(x)
        ax.set_xticklabels([f"T{m}" for m in months])
        ax.set_title(cohort)
        ax.set_xlabel(_t("wave", language))
        ax.set_ylim(0, 108)
    axes[0][0].set_ylabel(_t("percent", language))
    axes[0][-1].legend(title=_t("rung", language), bbox_to_anchor=(1.02, 1), loc="upper left",
                       fontsize=7, title_fontsize=8)
    caption = by_wave.attrs.get("definition_text", {}).get(language, "")
    if caption:
        fig.text(0.01, 0.01, caption, fontsize=7, style="italic")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def transition_heatmap(transitions: Any, proportions: bool = True) -> Any:
    """Heat map of a :class:`kow_research.outcomes.LadderTransitions` table (row percentages by
    default, counts in each cell)."""
    import matplotlib.pyplot as plt

    counts = transitions.counts
    share = transitions.proportions.fillna(0.0) * 100 if proportions else counts
    fig, ax = plt.subplots(figsize=(5.4, 4.6))
    im = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0,
                   vmax=100 if proportions else None)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, str(int(counts.iat[i, j])), ha="center", va="center", fontsize=8,
                    color="white" if float(share.iat[i, j]) > 60 else "black")
    ax.set_xticks(range(counts.shape[1]))
    ax.set_yticks(range(counts.shape[0]))
    ax.set_xticklabels(counts.columns)
    ax.set_yticklabels(counts.index)
    nl = transitions.language == "nl"
    ax.set_xlabel(f"{'Trede op' if nl else 'Rung at'} {transitions.to_wave}")
    ax.set_ylabel(f"{'Trede op' if nl else 'Rung at'} {transitions.from_wave}")
    fig.colorbar(im, ax=ax, label=("% van de rij" if nl else "% of row") if proportions else "n")
    fig.tight_layout()
    return fig
