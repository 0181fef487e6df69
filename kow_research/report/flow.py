"""Participant flow diagram (entered → excluded by reason → analysed → status) per cohort.

Drawn from the attrition table of :func:`kow_research.outcomes.attrition_table` with
matplotlib boxes and arrows, in the CONSORT layout: the main column runs down from "entered"
to "analysed" and the status at the end of follow-up; exclusions branch off to the right.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.report.disclosure import suppress_counts
from kow_research.report.labels import check_language, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FLOW_COLUMNS = ("cohort", "stage", "reason", "label_en", "label_nl", "n")


@positional_deprecated("language")
def caption_of(frame: Any, *, language: str = "en") -> str:
    """The definition text a frame or result carries in ``attrs``.

    Parameters
    ----------
    frame : DataFrame or result
        Anything with ``attrs`` following :mod:`kow_research.core.meta`.
    language : {"en", "nl"}, default "en"
        Language of the caption (English when no translation is stored).

    Returns
    -------
    str
        ``definition_text`` in ``language``, else a rendering of the plain entries of
        ``definition`` (``"key: value; ..."``); empty when there is none.

    Examples
    --------
    >>> df = pd.DataFrame({"time": [31.0]})
    >>> df.attrs = {"definition": {"outcome": "dropout", "unit": "days"}}
    >>> caption_of(df)
    'outcome: dropout; unit: days'
    >>> df.attrs["definition_text"] = {"en": "Time from start date to dropout.",
    ...                                "nl": "Tijd van startdatum tot uitval."}
    >>> caption_of(df, language="nl")
    'Tijd van startdatum tot uitval.'
    >>> caption_of(pd.DataFrame())
    ''
    """
    meta = outcome_meta(getattr(frame, "attrs", None) or {})
    if meta.caption(language):
        return meta.caption(language)
    return "; ".join(f"{k}: {v}" for k, v in meta.definition.items()
                     if not isinstance(v, dict))


@positional_deprecated("by")
def attrition_partitions(flow: pd.DataFrame, *, by: Sequence[str] = ("cohort",)) -> list[Any]:
    """Partition labels for secondary suppression of an attrition table.

    Within each ``by`` group the exclusion reasons and "analysed" add up to "entered", and
    the outcome rows add up to "analysed"; "entered" itself belongs to no partition.

    Parameters
    ----------
    flow : pandas.DataFrame
        An attrition table.
    by : sequence of str, default ("cohort",)
        Columns that identify one flow.

    Returns
    -------
    list
        A partition label per row (None for rows in no partition), for the ``partitions``
        argument of :func:`kow_research.report.suppress_counts`.

    Examples
    --------
    A flow of 20 people: 3 + 0 excluded and 17 analysed (one partition), of whom 9 are
    censored and 8 in paid work (another).

    >>> flow = pd.DataFrame({
    ...     "cohort": "KOW",
    ...     "stage": ["entered", "excluded", "excluded", "analysed", "outcome", "outcome"],
    ...     "reason": ["entered", "in_paid_work_at_origin", "zero_followup", "analysed",
    ...                "event_0", "event_1"],
    ...     "label_en": ["entered", "in paid work at the origin", "no follow-up", "analysed",
    ...                  "censored", "paid work"],
    ...     "label_nl": ["ingestroomd", "al betaald werk bij de start", "geen follow-up",
    ...                  "geanalyseerd", "gecensureerd", "betaald werk"],
    ...     "n": [20, 3, 0, 17, 9, 8]})
    >>> attrition_partitions(flow)  # doctest: +NORMALIZE_WHITESPACE
    [None, 'KOW|split', 'KOW|split', 'KOW|split', 'KOW|outcome', 'KOW|outcome']
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


@positional_deprecated("language", "caption", "k")
def flow_diagram(flow: pd.DataFrame, *, ax: Axes | None = None, language: str = "en",
                 caption: str | None = None, k: int | None = None) -> Axes:
    """Participant flow per cohort from an attrition table.

    Parameters
    ----------
    flow : pandas.DataFrame
        ``kow_research.outcomes.attrition_table(df)``: cohort, stage (entered, excluded,
        analysed, outcome), reason, label_en, label_nl, n.
    ax : matplotlib Axes, optional
        Draw here (default: a new figure, 3.6 inches wide per cohort).
    language : {"en", "nl"}, default "en"
        Box labels (``label_en`` or ``label_nl`` and the package's own texts).
    caption : str, optional
        Text under the diagram. Defaults to the definition text carried by ``flow.attrs``;
        ``""`` writes none (the disclosure note is still added when ``k`` is given).
    k : int, optional
        Apply disclosure control: counts of 1 to ``k - 1`` persons are shown as ``<k``
        (with secondary suppression through :func:`attrition_partitions`, see
        :mod:`kow_research.report.disclosure`). Default: exact counts.

    Returns
    -------
    matplotlib.axes.Axes
        One column per cohort: entered → analysed → status at the end of follow-up, with a
        side box listing each exclusion reason with ``n > 0``.

    Raises
    ------
    ValueError
        When ``flow`` lacks a column of an attrition table or is empty.

    Examples
    --------
    The flow of :func:`attrition_partitions`; the exclusion box lists only reasons with
    people.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> flow = pd.DataFrame({
    ...     "cohort": "KOW",
    ...     "stage": ["entered", "excluded", "excluded", "analysed", "outcome", "outcome"],
    ...     "reason": ["entered", "in_paid_work_at_origin", "zero_followup", "analysed",
    ...                "event_0", "event_1"],
    ...     "label_en": ["entered", "in paid work at the origin", "no follow-up", "analysed",
    ...                  "censored", "paid work"],
    ...     "label_nl": ["ingestroomd", "al betaald werk bij de start", "geen follow-up",
    ...                  "geanalyseerd", "gecensureerd", "betaald werk"],
    ...     "n": [20, 3, 0, 17, 9, 8]})
    >>> ax = flow_diagram(flow)
    >>> type(ax).__name__
    'Axes'
    >>> print(ax.texts[0].get_text())
    KOW
    Entered (n = 20)
    >>> print(ax.texts[1].get_text())
    Excluded (n = 3)
    in paid work at the
    origin: 3
    >>> print(ax.texts[3].get_text())
    Analysed
    (n = 17)
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    lang = check_language(language)
    _check_flow(flow)
    if len(flow) == 0:
        raise ValueError("the flow table is empty: no cohort to draw")
    shown = flow.copy()
    if k is not None:
        shown = suppress_counts(flow, columns="n", k=k, partitions=attrition_partitions(flow))
    label = "label_nl" if lang == "nl" else "label_en"
    cohorts = list(pd.unique(flow["cohort"]))
    # two cohorts a row: 16 cm wide (A4 text width) with text of 8 pt and more
    ncols = min(len(cohorts), 2)
    nrows = -(-len(cohorts) // ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.25, 3.3 * nrows + 0.5))
    fig = cast("Figure", ax.figure)
    ax.set_axis_off()
    ax.set_xlim(0, ncols)
    ax.set_ylim(0, 4 * nrows)
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
        col, dy = i % ncols, 4 * (nrows - 1 - i // ncols)
        x, xs = col + 0.3, col + 0.72
        ax.text(x, dy + 3.55, f"{cohort}\n{text('entered', lang)} (n = {total(s, 'entered')})",
                ha="center", va="center", bbox=box, fontsize=9, fontweight="bold")
        ex_rows = [(r[label], s.loc[idx, "n"]) for idx, r in f.iterrows()
                   if r["stage"] == "excluded" and r["n"] > 0]
        n_ex = int(f.loc[f["stage"] == "excluded", "n"].sum())
        ex_total = "<" + str(k) if (k is not None and 0 < n_ex < k) else str(n_ex)
        ex_text = "\n".join(textwrap.fill(f"{name}: {n}", 26) for name, n in ex_rows)
        ax.text(xs, dy + 2.55, f"{text('excluded', lang)} (n = {ex_total})"
                + (f"\n{ex_text}" if ex_text else ""),
                ha="center", va="center", bbox=side, fontsize=8)
        ax.annotate("", xy=(xs - 0.2, dy + 2.55), xytext=(x, dy + 2.55), arrowprops=arrow)
        ax.text(x, dy + 1.55, f"{text('analysed', lang)}\n(n = {total(s, 'analysed')})",
                ha="center", va="center", bbox=box, fontsize=9)
        out_rows = [f"{r[label]}: {s.loc[idx, 'n']}" for idx, r in f.iterrows()
                    if r["stage"] == "outcome"]
        if out_rows:
            ax.text(x, dy + 0.45, textwrap.fill(text("outcome", lang), 24) + "\n"
                    + "\n".join(out_rows), ha="center", va="center", bbox=side, fontsize=8)
            ax.annotate("", xy=(x, dy + 0.85), xytext=(x, dy + 1.25), arrowprops=arrow)
        ax.annotate("", xy=(x, dy + 1.85), xytext=(x, dy + 3.25), arrowprops=arrow)
    note = caption if caption is not None else caption_of(flow, language=lang)
    if k is not None:
        note = (note + " " if note else "") + text("suppressed_note", lang, k=k)
    if note:
        wrapped = textwrap.fill(note, int(fig.get_figwidth() * 13))
        fig.text(0.01, 0.01, wrapped, fontsize=8, style="italic", ha="left", va="bottom")
    # room for the note: 8 pt lines at 1.2 line spacing, plus a margin
    lines = wrapped.count("\n") + 1 if note else 0
    fig.tight_layout(rect=(0, (lines * 8 * 1.25 / 72 + 0.1) / fig.get_figheight(), 1, 1))
    return ax
