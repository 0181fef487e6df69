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
from kow_research.report.labels import check_language, text
from kow_research.report.ledger_sidecar import attach_ledger, with_ledger
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import Partition

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


def suppress_attrition(flow: pd.DataFrame, *, policy: DisclosurePolicy,
                       by: Sequence[str] = ("cohort",)) -> pd.DataFrame:
    """An attrition table through the disclosure policy, with its nested partitions.

    Per flow (``by``) the exclusion reasons plus "analysed" add up to "entered" and the
    outcome rows add up to "analysed" (:func:`attrition_partitions`). When "analysed" is
    hidden to protect a reason, the outcomes would still add up to it, so the smallest
    non-zero outcome is hidden as well (secondary marker).

    Parameters
    ----------
    flow : pandas.DataFrame
        An attrition table (``stage``, ``n`` and the ``by`` columns).
    policy : DisclosurePolicy
    by : sequence of str, default ("cohort",)

    Returns
    -------
    pandas.DataFrame
        As :meth:`DisclosurePolicy.suppress_columns`.

    Examples
    --------
    3 of 20 excluded: "<5", and 17 analysed is hidden with it; 9 + 8 would give the 17
    back, so 8 is hidden too.

    >>> flow = pd.DataFrame({"cohort": "KOW", "stage": ["entered", "excluded", "analysed",
    ...                      "outcome", "outcome"], "n": [20, 3, 17, 9, 8]})
    >>> suppress_attrition(flow, policy=DisclosurePolicy.default())["n"].tolist()
    [20, '<5', '×', 9, '×']
    """
    out = policy.suppress_columns(flow, counts="n", partitions=attrition_partitions(flow, by=by))
    keys = flow[list(by)].astype(str).agg("|".join, axis=1)
    stage = flow["stage"].astype(str)
    hidden = out["n"].map(lambda v: isinstance(v, str))
    extra = []
    for key in pd.unique(keys):
        mine = keys == key
        outcomes = mine & (stage == "outcome")
        if (not (hidden & mine & (stage == "analysed")).any() or not outcomes.any()
                or (hidden & outcomes).any()):
            continue
        pool = flow.index[outcomes & ~hidden & (flow["n"].astype(float) > 0)]
        if len(pool) == 0:
            pool = flow.index[outcomes & ~hidden]
        if len(pool):
            extra.append(flow.loc[pool, "n"].astype(float).idxmin())
    for i in extra:
        out.loc[i, "n"] = policy.secondary_marker
        out.attrs["disclosure"]["hidden"].append((i, "n", "secondary"))
        out.attrs["disclosure"]["secondary"] += 1
    return out


def _check_flow(flow: pd.DataFrame) -> None:
    missing = [c for c in FLOW_COLUMNS if c not in flow.columns]
    if missing:
        raise ValueError(f"the flow table lacks columns {missing}; pass "
                         "kow_research.outcomes.attrition_table(df) of a time_to_paid_work frame")


def _attach_flow(fig: Any, flow: pd.DataFrame, shown: pd.DataFrame,
                 printed: list[tuple[str, Any]]) -> None:
    """The counts a flow diagram prints, with their partitions, for the ledger: per cohort
    the exclusion reasons plus "analysed" add up to "entered", the outcomes to "analysed",
    and the reasons to the printed number excluded."""
    rows = [f"{c} {st} {r}".strip() for c, st, r in zip(
        flow["cohort"].astype(str), flow["stage"].astype(str), flow["reason"].astype(str),
        strict=True)]
    rows = [r if rows.count(r) == 1 else f"{r} #{i}" for i, r in enumerate(rows)]
    cells = pd.DataFrame({"n": list(shown["n"]) + [v for _, v in printed]},
                         index=rows + [r for r, _ in printed])
    parts = []
    for cohort in pd.unique(flow["cohort"].astype(str)):
        mine = [(r, st) for r, st, c in zip(rows, flow["stage"].astype(str),
                                            flow["cohort"].astype(str), strict=True)
                if c == cohort]
        entered = [r for r, st in mine if st == "entered"]
        analysed = [r for r, st in mine if st == "analysed"]
        excluded = [(r, "n") for r, st in mine if st == "excluded"]
        if entered and analysed:
            parts.append(Partition([*excluded, (analysed[0], "n")], (entered[0], "n")))
            outcomes = [(r, "n") for r, st in mine if st == "outcome"]
            if outcomes:
                parts.append(Partition(outcomes, (analysed[0], "n")))
        parts.append(Partition(excluded, (f"{cohort} excluded", "n")))
    frame = with_ledger(cells.reset_index(drop=True), rows=list(cells.index), counts=["n"],
                        partitions=parts, figure=True)
    attach_ledger(fig, frame, table="flow")


@positional_deprecated("language", "caption", "k")
def flow_diagram(flow: pd.DataFrame, *, ax: Axes | None = None, language: str = "en",
                 caption: str | None = None, k: int | None = None,
                 policy: DisclosurePolicy | None = None) -> Axes:
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
        Apply disclosure control with ``DisclosurePolicy(k=k)`` (see ``policy``).
    policy : DisclosurePolicy, optional
        Apply disclosure control: counts of 1 to ``k - 1`` persons are shown as ``<k``
        (exact only when ``policy.small_counts_in_figures``), with secondary suppression
        through :func:`attrition_partitions` (a count hidden to protect another shows the
        secondary marker); the number excluded is shown only where it does not give a
        hidden count away. The printed counts are attached to the figure for the report's
        disclosure ledger (:func:`~kow_research.report.ledger_sidecar.attach_ledger`).
        Default: exact counts.

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
    if policy is None and k is not None:
        policy = DisclosurePolicy(k=int(k))
    shown = flow.copy()
    if policy is not None:
        shown = suppress_attrition(flow, policy=policy)
        if policy.small_counts_in_figures:   # exact small counts; protecting cells stay hidden
            small = flow["n"].map(policy.is_small).to_numpy()
            shown.loc[small, "n"] = flow.loc[small, "n"].astype(int).to_numpy()
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

    printed: list[tuple[str, Any]] = []
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
        ex_total = str(n_ex)
        if policy is not None:
            # excluded = entered - analysed: shown only when "analysed" is shown
            analysed_shown = not any(isinstance(v, str) for v in
                                     s.loc[s["stage"] == "analysed", "n"])
            ex_total = (policy.figure_count(n_ex) if analysed_shown
                        or policy.is_small(n_ex) else policy.secondary_marker)
        printed.append((f"{cohort} excluded", ex_total))
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
    if policy is not None:
        note = (note + " " if note else "") + policy.note(lang)
        _attach_flow(fig, flow, shown, printed)
    if note:
        wrapped = textwrap.fill(note, int(fig.get_figwidth() * 13))
        fig.text(0.01, 0.01, wrapped, fontsize=8, style="italic", ha="left", va="bottom")
    # room for the note: 8 pt lines at 1.2 line spacing, plus a margin
    lines = wrapped.count("\n") + 1 if note else 0
    fig.tight_layout(rect=(0, (lines * 8 * 1.25 / 72 + 0.1) / fig.get_figheight(), 1, 1))
    return ax
