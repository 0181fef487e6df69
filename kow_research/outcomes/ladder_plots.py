"""Participation-ladder figures: stacked bars of rungs per wave and a transition heat map."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.data.labels import check_language, text, value_labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LADDER_COLUMNS = ("cohort", "wave_month", "rung")


@positional_deprecated("language", "caption")
def ladder_plot(by_wave: pd.DataFrame, *, ax: Any = None, language: str = "en",
                caption: str | None = None, min_count: int | None = None,
                **kwargs: Any) -> Axes:
    """Stacked bars of the share of assessed people on each rung, per wave and cohort.

    Parameters
    ----------
    by_wave : pandas.DataFrame
        :func:`kow_research.outcomes.ladder_by_wave` (one row per person and wave: cohort,
        wave_month, rung). People without an assessment in the window are left out of the
        percentages; their number is printed above each bar ("n.a."), so nobody is dropped
        silently.
    ax : matplotlib Axes or sequence of Axes, optional
        Where to draw when the caller lays out the figure: one panel per cohort, so a single
        Axes for one cohort and a sequence (or array) of Axes, one per cohort in order of
        appearance, for several. Default: a new figure with one panel per cohort.
    language : {"en", "nl"}, default "en"
        Labels of the axes, the rungs and the legend.
    caption : str, optional
        Text written under the panels. Default: the definition (waves, window) carried by
        ``by_wave.attrs``; ``""`` writes none.
    min_count : int, optional
        Disclosure threshold k (a report passes its policy's ``k``). Rungs held by 1 to k - 1
        people at a wave are not drawn separately: they are merged into one grey segment at
        the top of the bar (with the next smallest rung when only one is small, so that the
        merged share never is one rung's share), and the numbers not assessed are not
        printed (the report's tables give them through the disclosure policy). Default: no
        threshold, every rung drawn and the number not assessed printed under each wave.
    **kwargs : dict, optional
        Passed to ``Axes.bar`` (every rung's bars).

    Returns
    -------
    matplotlib.axes.Axes
        The first cohort's panel (``ax.figure`` holds all panels).

    Raises
    ------
    ValueError
        When ``by_wave`` lacks the columns of :func:`kow_research.outcomes.ladder_by_wave`
        or is empty, or ``ax`` does not hold one Axes per cohort.

    Examples
    --------
    The study of :func:`kow_research.outcomes.ladder_by_wave`: at T0, A is on rung 2 and B on
    rung 1 (C not assessed); at T6, A is on rung 4 and C on rung 5 (B not assessed).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> from kow_research.outcomes import ladder_by_wave, ladder_transitions
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> ladder = pd.DataFrame({
    ...     "participant_id": ["A", "A", "B", "B", "C"],
    ...     "assessment_date": pd.to_datetime(["2019-12-15", "2020-07-01", "2019-12-01",
    ...                                        "2020-05-01", "2020-07-10"]),
    ...     "rung": [2, 4, 1, 3, 5]})
    >>> by_wave = ladder_by_wave(Study.from_frames(participants=people, ladder=ladder),
    ...                          waves=[0, 6])
    >>> ax = ladder_plot(by_wave)
    >>> type(ax).__name__, [t.get_text() for t in ax.get_xticklabels()]  # C at T0, B at T6
    ('Axes', ['T0\\n(1)', 'T6\\n(1)'])
    >>> [float(bar.get_height()) for bar in ax.containers[0]]  # rung 1: 1 of 2 at T0, 0 at T6
    [50.0, 0.0]
    >>> plt.close(ax.figure)

    With a threshold of 5 every rung here is held by fewer than 5 people: each bar is one
    merged segment, and no number is printed:

    >>> ax = ladder_plot(by_wave, min_count=5)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['T0', 'T6']
    >>> [float(bar.get_height()) for bar in ax.containers[-1]]
    [100.0, 100.0]
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    lang = check_language(language)
    missing = [c for c in LADDER_COLUMNS if c not in by_wave.columns]
    if missing:
        raise ValueError(f"ladder_plot needs kow_research.outcomes.ladder_by_wave output; "
                         f"columns {missing} are missing")
    if len(by_wave) == 0:
        raise ValueError("ladder_plot: the ladder table is empty")
    labels = value_labels("rung", lang, table="ladder")
    cohorts = list(pd.unique(by_wave["cohort"]))
    if ax is None:
        # at most two panels a row: 16 cm wide (A4 text width) with 8 pt text
        ncols = min(len(cohorts), 2)
        nrows = -(-len(cohorts) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(5.6, 2.6 * nrows + 1.5),
                                 sharey=True, squeeze=False)
        panels = list(grid.ravel())
        for extra in panels[len(cohorts):]:
            extra.set_visible(False)
        panels = panels[:len(cohorts)]
    else:
        panels = list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
        if len(panels) != len(cohorts):
            raise ValueError(f"ladder_plot draws one panel per cohort ({len(cohorts)}); got "
                             f"{len(panels)} Axes")
        fig = panels[0].figure
    colors = plt.get_cmap("viridis")(np.linspace(0.05, 0.95, 6))
    for panel, cohort in zip(panels, cohorts, strict=True):
        d = by_wave[by_wave["cohort"] == cohort]
        months = sorted(d["wave_month"].unique())
        assessed = d[d["rung"].notna()]
        counts = pd.crosstab(assessed["wave_month"], assessed["rung"].astype(int)).reindex(
            index=months, columns=range(1, 7), fill_value=0)
        merged = (_small_rungs(counts, min_count) if min_count is not None
                  else pd.DataFrame(False, index=counts.index, columns=counts.columns))
        total = counts.sum(axis=1).replace(0, np.nan)
        share = counts.where(~merged, 0).div(total, axis=0).fillna(0.0) * 100
        bottom = np.zeros(len(months))
        x = np.arange(len(months))
        for r in range(1, 7):
            panel.bar(x, share[r], bottom=bottom, color=colors[r - 1], width=0.7,
                      label=f"{r} {labels.get(r, '')}".strip(), edgecolor="white",
                      linewidth=0.4, **kwargs)
            bottom += share[r].to_numpy()
        if min_count is not None:
            rest = (counts.where(merged, 0).sum(axis=1) / total).fillna(0.0) * 100
            panel.bar(x, rest, bottom=bottom, color="0.75", width=0.7, hatch="///",
                      label=text("rungs_merged", lang).format(k=min_count),
                      edgecolor="white", linewidth=0.4, **kwargs)
        panel.set_xticks(x)
        spec = panel.get_subplotspec()
        last_row = spec is None or spec.is_last_row() or len(panels) - panels.index(panel) <= 2
        if min_count is None:
            # the number not assessed under each wave (so that no label crowds the bars)
            n_na = d["rung"].isna().groupby(d["wave_month"]).sum()
            panel.set_xticklabels([f"T{m}\n({int(n_na.get(m, 0))})" for m in months],
                                  fontsize=8)
            if last_row:
                panel.set_xlabel(f"{text('wave', lang)}\n({text('not_assessed', lang)})",
                                 fontsize=8)
        else:
            panel.set_xticklabels([f"T{m}" for m in months], fontsize=8)
            if last_row:
                panel.set_xlabel(text("wave", lang), fontsize=8)
        panel.set_title(str(cohort), fontsize=10)
        panel.set_ylim(0, 100)
        panel.tick_params(axis="y", labelsize=8)
        panel.spines[["top", "right"]].set_visible(False)
    for panel in panels:
        if panel.get_subplotspec() is None or panel.get_subplotspec().is_first_col():
            panel.set_ylabel(text("percent_assessed", lang), fontsize=8)
    handles, names = panels[0].get_legend_handles_labels()
    fig.legend(handles, names, title=text("rung", lang), loc="lower center", ncol=2,
               fontsize=8, title_fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0))
    note = caption if caption is not None else outcome_meta(by_wave).caption(lang)
    legend_h = 1.0 / fig.get_figheight()
    if note:
        fig.text(0.01, 0.005, textwrap.fill(note, int(fig.get_figwidth() * 13)), fontsize=8,
                 style="italic", va="bottom")
        legend_h += 0.35 / fig.get_figheight()
        fig.legends[-1].set_bbox_to_anchor((0.5, 0.35 / fig.get_figheight()))
    fig.tight_layout(rect=(0, legend_h, 1, 1))
    return panels[0]


def _small_rungs(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """Which rungs a wave's bar merges: those held by 1 to k - 1 people, plus the next
    smallest held rung when only one is small (a lone merged segment would be that rung)."""
    small = (counts > 0) & (counts < k)
    for m in counts.index:
        row = counts.loc[m]
        if int(small.loc[m].sum()) == 1:
            others = row[(row > 0) & ~small.loc[m]]
            if len(others):
                small.loc[m, others.idxmin()] = True
    return small


@positional_deprecated("proportions", "language")
def transition_heatmap(transitions: Any, *, ax: Axes | None = None, proportions: bool = True,
                       language: str | None = None,
                       count_format: Callable[[int], str] | None = None, min_count: int = 1,
                       cell_text: Any = None, total_text: str | None = None,
                       missing_text: str | None = None, **kwargs: Any) -> Axes:
    """Heat map of rung transitions between two waves.

    Parameters
    ----------
    transitions : kow_research.outcomes.LadderTransitions
        ``counts`` (6 × 6, rows = rung at ``from_wave``) and row ``proportions``.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure); a colour bar is added beside it.
    proportions : bool, default True
        Colour by row percentage (else by count); each cell prints its count.
    language : {"en", "nl"}, optional
        Labels of the axes and the colour bar. Default: the language of ``transitions``.
    count_format : callable, optional
        How a count is printed (in the cells and the title), e.g. a disclosure policy's
        ``figure_count`` that prints ``"<5"`` for 1–4. Default: the number itself.
    min_count : int, default 1
        Cells with 1 to ``min_count - 1`` people are not coloured (their row share would give
        the count back) and print ``count_format(n)``.
    cell_text : pandas.DataFrame, optional
        Same shape as ``transitions.counts``: the text of each cell, as decided by a
        disclosure policy (``"<5"``, ``"×"``, ``"12"``). A cell whose text is not a whole
        number is not coloured. Overrides ``count_format`` for the cells.
    total_text, missing_text : str, optional
        The printed number of people with a rung at both waves and without one (default
        ``count_format`` of the numbers).
    **kwargs : dict, optional
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
        The heat map. The title names the cohort (when the transitions are of one cohort) and
        the waves; the subtitle (left) gives the number of people with a rung at both waves
        and the number without a rung at one of the two. Rows and columns carry the rung
        labels of the data dictionary.

    Examples
    --------
    The study of :func:`kow_research.outcomes.ladder_by_wave`: only A has a rung at T0 and
    at T6; B and C each miss one.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> from kow_research.outcomes import ladder_by_wave, ladder_transitions
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> ladder = pd.DataFrame({
    ...     "participant_id": ["A", "A", "B", "B", "C"],
    ...     "assessment_date": pd.to_datetime(["2019-12-15", "2020-07-01", "2019-12-01",
    ...                                        "2020-05-01", "2020-07-10"]),
    ...     "rung": [2, 4, 1, 3, 5]})
    >>> by_wave = ladder_by_wave(Study.from_frames(participants=people, ladder=ladder),
    ...                          waves=[0, 6])
    >>> t = ladder_transitions(by_wave, from_wave="T0", to_wave="T6", cohort="KOW")
    >>> ax = transition_heatmap(t)
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_yticklabels()[0].get_text()
    ('Rung at T6', 'Rung at T0', '1 isolated')
    >>> ax.get_title(), ax.get_title(loc="left")
    ('KOW: T0 → T6', 'n = 1; without a rung at T0 or T6: 2')

    With a disclosure rule the counts below 5 are printed as ``<5`` and their cells are left
    white:

    >>> small = lambda n: f"<5" if 0 < n < 5 else str(n)
    >>> ax = transition_heatmap(t, count_format=small, min_count=5)
    >>> sorted({c.get_text() for c in ax.texts})
    ['0', '<5']
    >>> ax.get_title(loc="left")
    'n = <5; without a rung at T0 or T6: <5'
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    lang = check_language(str(language or getattr(transitions, "language", "en")))
    fmt = count_format if count_format is not None else (lambda n: str(int(n)))
    counts = transitions.counts
    n = counts.to_numpy(dtype=float)
    share = (transitions.proportions.fillna(0.0) * 100 if proportions else counts
             ).to_numpy(dtype=float)
    hidden = (n > 0) & (n < min_count)
    if cell_text is not None:
        texts = np.asarray(cell_text, dtype=object)
        if texts.shape != n.shape:
            raise ValueError(f"cell_text has shape {texts.shape}, the counts {n.shape}")
        hidden = np.array([not str(v).isdigit() for v in texts.ravel()],
                          dtype=bool).reshape(n.shape)
    values = np.where(hidden, np.nan, share)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.8, 4.6))
    fig = cast("Figure", ax.figure)
    vmax = 100.0 if proportions else max(float(np.nanmax(values)) if np.isfinite(values).any()
                                         else 1.0, 1.0)
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=vmax, **kwargs)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            dark = bool(np.isfinite(values[i, j]) and values[i, j] > 0.6 * vmax)
            label = str(texts[i, j]) if cell_text is not None else fmt(int(n[i, j]))
            ax.text(j, i, label, ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    labels = {int(k): v for k, v in value_labels("rung", lang, table="ladder").items()}
    ax.set_xticks(range(counts.shape[1]))
    ax.set_yticks(range(counts.shape[0]))
    ax.set_xticklabels([str(c) for c in counts.columns], fontsize=8)
    ax.set_yticklabels([f"{r} {labels.get(int(r), '')}".strip() for r in counts.index],
                       fontsize=8)
    ax.set_xlabel(f"{text('rung_at', lang)} {transitions.to_wave}", fontsize=9)
    ax.set_ylabel(f"{text('rung_at', lang)} {transitions.from_wave}", fontsize=9)
    bar = fig.colorbar(im, ax=ax, label=text("percent_of_row", lang) if proportions else "n")
    bar.ax.tick_params(labelsize=8)
    n_missing = int(getattr(transitions, "n_missing", 0))
    note = text("transitions_note", lang,
                n=total_text if total_text is not None else fmt(int(n.sum())),
                a=transitions.from_wave, b=transitions.to_wave,
                missing=missing_text if missing_text is not None
                else fmt(n_missing) if n_missing else "0")
    cohort = (getattr(transitions, "attrs", None) or {}).get("cohort")
    waves = f"{transitions.from_wave} → {transitions.to_wave}"
    # the title sits one line above the subtitle (both titles share the axes' pad, so the
    # title is raised by its y position instead)
    ax.set_title(f"{cohort}: {waves}" if cohort else waves, fontsize=10, loc="center",
                 y=1.07)
    ax.set_title(note, fontsize=8, loc="left")
    fig.tight_layout()
    return ax
