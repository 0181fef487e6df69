"""Participant flow diagram (entered → excluded by reason → analysed → status) per cohort.

Drawn from the attrition table of :func:`kow_research.outcomes.attrition_table` with
matplotlib boxes and arrows, in the CONSORT layout: the main column runs down from "entered"
to "analysed" and the status at the end of follow-up; exclusions branch off to the right.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import pandas as pd

from kow_research.report.disclosure import suppress_counts
from kow_research.report.labels import check_language, text

FLOW_COLUMNS = ("cohort", "stage", "reason", "label_en", "label_nl", "n")


def caption_of(frame: Any, language: str = "en") -> str:
    """The definition text a frame or result carries in ``attrs`` (``definition_text`` in
    ``language``, else a rendering of ``definition``); empty when there is none."""
    attrs = getattr(frame, "attrs", None) or {}
    value = attrs.get("definition_text")
    if isinstance(value, dict):
        value = value.get(language) or value.get("en")
    if value:
        return str(value)
    definition = attrs.get("definition")
    if isinstance(definition, dict):
        return "; ".join(f"{k}: {v}" for k, v in definition.items() if not isinstance(v, dict))
    return str(definition) if definition else ""


def attrition_partitions(flow: pd.DataFrame, by: Sequence[str] = ("cohort",)) -> list[Any]:
    """Partition labels for secondary suppression of an attrition table.

    Within each ``by`` group the exclusion reasons and "analysed" add up to "entered", and
    the outcome rows add up to "analysed"; "entered" itself belongs to no partition.
    """
    keys = flow[list(by)].astype(str).agg("|".join, axis=1)
    stage = flow["stage"].astype(str)
    part = pd.Series(None, index=flow.index, dtype=object)
    split = stage.isin(["excluded", "analysed"])
    part[split] = keys[split] + "|split"
    part[stage == "outcome"] = keys[stage == "outcome"] + "|outcome"
    return [None if pd.isna(v) else v for v in part.tolist()]


def _check_flow(flow: pd.DataFrame) -> None:
    missing = [c for c in FLOW_COLUMNS if c not in flow.columns]
    if missing:
        raise ValueError(f"the flow table lacks columns {missing}; pass "
                         "kow_research.outcomes.attrition_table(df) of a time_to_paid_work frame")


def flow_diagram(flow: pd.DataFrame, language: str = "en", caption: str | None = None,
                 k: int | None = None) -> Any:
    """Participant flow per cohort from an attrition table.

    Parameters
    ----------
    flow : pandas.DataFrame
        ``kow_research.outcomes.attrition_table(df)``: cohort, stage (entered, excluded,
        analysed, outcome), reason, label_en, label_nl, n.
    language : {"en", "nl"}
    caption : str, optional
        Defaults to the definition text carried by ``flow.attrs``.
    k : int, optional
        Apply disclosure control: counts of 1 to ``k - 1`` persons are shown as ``<k``
        (with secondary suppression, see :mod:`kow_research.report.disclosure`). Default:
        exact counts.

    Returns
    -------
    matplotlib.figure.Figure
        One column per cohort: entered → analysed → status at the end of follow-up, with a
        side box listing each exclusion reason with ``n > 0``.
    """
    import matplotlib.pyplot as plt

    lang = check_language(language)
    _check_flow(flow)
    if len(flow) == 0:
        raise ValueError("the flow table is empty: no cohort to draw")
    shown = flow.copy()
    if k is not None:
        shown = suppress_counts(flow, "n", k=k, partitions=attrition_partitions(flow))
    label = "label_nl" if lang == "nl" else "label_en"
    cohorts = list(pd.unique(flow["cohort"]))
    fig, ax = plt.subplots(figsize=(max(3.6 * len(cohorts), 5.0), 5.0))
    ax.set_axis_off()
    ax.set_xlim(0, len(cohorts))
    ax.set_ylim(0, 4)
    box = {"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.25", "lw": 0.8}
    side = {**box, "fc": "0.94"}
    arrow = {"arrowstyle": "-|>", "color": "0.25", "lw": 0.8, "shrinkA": 0, "shrinkB": 2}

    def total(frame: pd.DataFrame, stage: str) -> str:
        values = frame.loc[frame["stage"] == stage, "n"].tolist()
        if any(isinstance(v, str) for v in values):
            return values[0] if len(values) == 1 else "—"
        return str(int(sum(values)))

    for i, cohort in enumerate(cohorts):
        f = flow[flow["cohort"] == cohort]
        s = shown[flow["cohort"] == cohort]
        x, xs = i + 0.3, i + 0.72
        ax.text(x, 3.55, f"{cohort}\n{text('entered', lang)} (n = {total(s, 'entered')})",
                ha="center", va="center", bbox=box, fontsize=9, fontweight="bold")
        ex_rows = [(r[label], s.loc[idx, "n"]) for idx, r in f.iterrows()
                   if r["stage"] == "excluded" and r["n"] > 0]
        n_ex = int(f.loc[f["stage"] == "excluded", "n"].sum())
        ex_total = "<" + str(k) if (k is not None and 0 < n_ex < k) else str(n_ex)
        ex_text = "\n".join(textwrap.fill(f"{name}: {n}", 26) for name, n in ex_rows)
        ax.text(xs, 2.55, f"{text('excluded', lang)} (n = {ex_total})"
                + (f"\n{ex_text}" if ex_text else ""),
                ha="center", va="center", bbox=side, fontsize=7.5)
        ax.annotate("", xy=(xs - 0.2, 2.55), xytext=(x, 2.55), arrowprops=arrow)
        ax.text(x, 1.55, f"{text('analysed', lang)}\n(n = {total(s, 'analysed')})",
                ha="center", va="center", bbox=box, fontsize=9)
        out_rows = [f"{r[label]}: {s.loc[idx, 'n']}" for idx, r in f.iterrows()
                    if r["stage"] == "outcome"]
        if out_rows:
            ax.text(x, 0.45, textwrap.fill(text("outcome", lang), 24) + "\n"
                    + "\n".join(out_rows), ha="center", va="center", bbox=side, fontsize=7.5)
            ax.annotate("", xy=(x, 0.85), xytext=(x, 1.25), arrowprops=arrow)
        ax.annotate("", xy=(x, 1.85), xytext=(x, 3.25), arrowprops=arrow)
    note = caption if caption is not None else caption_of(flow, lang)
    if k is not None:
        note = (note + " " if note else "") + text("suppressed_note", lang, k=k)
    if note:
        width = int(fig.get_figwidth() * 15)
        fig.text(0.01, 0.01, textwrap.fill(note, width), fontsize=7, style="italic",
                 ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
