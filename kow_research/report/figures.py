"""Publication figures used by the notebooks: saving, curves with risk tables, forest plots.

All figures are matplotlib, labelled in English or Dutch (``language``), carry the definition
that produced them in a caption, and are saved as PNG and SVG with :func:`save_figure`. The
participant flow lives in :mod:`kow_research.report.flow`, the ladder figures in
:mod:`kow_research.outcomes.ladder_plots` (both re-exported here).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.core.checks import check_alpha
from kow_research.core.compat import positional_deprecated
from kow_research.outcomes.ladder_plots import ladder_plot, transition_heatmap
from kow_research.report.flow import caption_of, flow_diagram
from kow_research.report.formatting import localized
from kow_research.report.labels import check_language, text
from kow_research.report.ledger_sidecar import attach_ledger, with_ledger
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import Partition
from kow_research.report.style import PNG_DPI
from kow_research.survival.results import CurveResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["curve_plot", "flow_diagram", "forest_plot", "ladder_plot", "save_figure",
           "transition_figure",
           "transition_heatmap"]

_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@positional_deprecated("stem", "output_dir", "dpi")
def save_figure(fig: Any, *, stem: str, output_dir: str | Path | None,
                dpi: int = PNG_DPI) -> list[Path]:
    """Save ``fig`` as ``<output_dir>/<stem>.png`` and ``<output_dir>/<stem>.svg``.

    Parameters
    ----------
    fig : matplotlib Figure or Axes
        The figure (an Axes stands for its figure, as every plotting function returns one).
    stem : str
        File name without suffix (letters, digits, ``_ . -``).
    output_dir : str, pathlib.Path or None
        Created when missing; ``None`` writes nothing (display-only notebooks).
    dpi : int, default 300
        Resolution of the PNG (print quality).

    Returns
    -------
    list of pathlib.Path
        The files written (PNG, SVG); empty when ``output_dir`` is None. The SVG keeps its
        text as text (``svg.fonttype`` ``"none"``: editable in Inkscape or Illustrator) and
        carries no date, so reruns give identical files.

    Raises
    ------
    ValueError
        When ``stem`` is not a plain file name.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = save_figure(ax, stem="figure_1", output_dir=Path(tmp) / "figures")
    ...     [(p.name, p.stat().st_size > 0) for p in paths]
    [('figure_1.png', True), ('figure_1.svg', True)]
    >>> save_figure(fig, stem="figure_1", output_dir=None)  # display only: nothing written
    []
    >>> plt.close(fig)
    """
    if output_dir is None:
        return []
    fig = getattr(fig, "figure", fig) if not hasattr(fig, "savefig") else fig
    if not _STEM.match(stem):
        raise ValueError(f"figure stem {stem!r} must be a plain file name (letters, digits, "
                         "'_', '.', '-'), without folder or suffix")
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    fig.savefig(paths[0], dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    import matplotlib

    # text stays text (editable); element ids are hashes salted with svg.hashsalt (random
    # when unset): fix the salt
    with matplotlib.rc_context({"svg.hashsalt": f"kow_research:{stem}",
                                "svg.fonttype": "none"}):
        fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return paths


@positional_deprecated("ax", "risk_table", "language", "title")
def curve_plot(result: CurveResult, *, ax: Axes | None = None, risk_table: bool = True,
               language: str = "en", title: str | None = None, **kwargs: Any) -> Axes:
    """Kaplan–Meier or cumulative incidence curves with a number-at-risk table.

    A thin wrapper over ``result.plot`` of :func:`kow_research.survival.kaplan_meier` /
    :func:`kow_research.survival.cumulative_incidence` results, which labels the axes with the
    outcome and time unit, shades the pointwise confidence band and writes the definition of
    the outcome (dropout strategy, paid-work definition) as caption.

    Parameters
    ----------
    result : CurveResult
        A :func:`kow_research.survival.kaplan_meier` or
        :func:`kow_research.survival.cumulative_incidence` result.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure, taller when the risk table is drawn).
    risk_table : bool, default True
        Write the number at risk under the x-axis ticks, one line per group.
    language : {"en", "nl"}, default "en"
        Axis labels, risk-table heading and caption language.
    title : str, optional
        Figure title (``figure.suptitle``, left-aligned).
    **kwargs : dict, optional
        Passed to the curve's ``plot`` and from there to ``Axes.step`` (e.g. ``linewidth``).

    Returns
    -------
    matplotlib.axes.Axes
        The curves; their figure holds the title and the risk table.

    Raises
    ------
    ValueError
        When ``result`` is not a curve result.

    Examples
    --------
    The Kaplan–Meier curve of four times (event at 1, 3 and 4, censored at 2): 1 - 1/4 =
    0.75, then 0.75 × (1 - 1/2) = 0.375, then 0.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from kow_research.survival import kaplan_meier
    >>> km = kaplan_meier(pd.DataFrame({"time": [1, 2, 3, 4], "event": [1, 0, 1, 1]}))
    >>> ax = curve_plot(km, title="Time to paid work")
    >>> type(ax).__name__, ax.get_lines()[0].get_ydata().tolist()  # runs to the last follow-up
    ('Axes', [1.0, 0.75, 0.375, 0.0, 0.0])
    >>> ax.get_ylabel(), ax.texts[0].get_text()
    ('Event-free probability (cause 1)', 'Number at risk')
    >>> plt.close(ax.figure)
    """
    check_language(language)
    if not isinstance(result, CurveResult):
        raise ValueError("curve_plot needs a kaplan_meier or cumulative_incidence result "
                         f"(got {type(result).__name__})")
    axes = result.plot(ax=ax, risk_table=risk_table, language=language, **kwargs)
    if title:
        axes.figure.suptitle(title, fontsize=10, x=0.02, ha="left")
    return axes


def _forest_frame(summary: pd.DataFrame, z: float) -> pd.DataFrame:
    if {"hr", "lower", "upper"} <= set(summary.columns):
        return summary
    if {"coef", "se"} <= set(summary.columns):
        coef, se = summary["coef"].astype(float), summary["se"].astype(float)
        return summary.assign(hr=np.exp(coef), lower=np.exp(coef - z * se),
                              upper=np.exp(coef + z * se))
    raise ValueError("a forest plot needs a regression summary with columns hr, lower, upper "
                     f"(or coef, se); got columns {list(summary.columns)}")


@positional_deprecated("language", "caption", "alpha", "labels", "annotate")
def forest_plot(models: Mapping[str, pd.DataFrame] | pd.DataFrame, *, ax: Axes | None = None,
                language: str = "en", caption: str | None = None, alpha: float = 0.05,
                labels: Mapping[str, str] | None = None, annotate: bool = True) -> Axes:
    """Forest plot of hazard ratios with confidence intervals, one row per covariate.

    Parameters
    ----------
    models : DataFrame or mapping of name to DataFrame
        A regression result's ``coef`` (or ``summary``) table, or one per model keyed by the
        model's name (which then labels the axis and the legend, e.g. "Subdistribution HR"):
        index covariate; columns ``hr, lower, upper`` and optionally ``p``; or
        ``coef, se``, then :math:`\\exp(\\hat\\beta \\pm z_{1-\\alpha/2} \\mathrm{SE})`; e.g.
        ``{"cause-specific Cox": cox.coef, "Fine-Gray": fg.coef}``.
    ax : matplotlib Axes, optional
        Draw here (default: a new figure sized to the number of rows).
    language : {"en", "nl"}, default "en"
        Axis label and column heading language.
    caption : str, optional
        Title above the plot. Default: the definition carried by the first frame's
        ``attrs``; ``""`` writes none.
    alpha : float, default 0.05
        1 - confidence level of the intervals (for the axis label; and for the interval when
        only ``coef, se`` are given).
    labels : mapping, optional
        Readable names of the covariates.
    annotate : bool, default True
        Write "HR (lower–upper)" and p beside each row.

    Returns
    -------
    matplotlib.axes.Axes
        Hazard ratios on a log axis with a dashed line at 1, one row per covariate (one
        marker per model).

    Raises
    ------
    ValueError
        When ``models`` is empty or a frame has neither ``hr, lower, upper`` nor
        ``coef, se``.

    Examples
    --------
    From ``coef, se``: :math:`\\exp(\\log 2 \\pm 1.96 \\times 0.25) = 2 / 1.632 = 1.23` and
    :math:`2 \\times 1.632 = 3.26`.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> coef = pd.DataFrame({"coef": [np.log(2.0)], "se": [0.25]}, index=["smi"])
    >>> ax = forest_plot(coef, labels={"smi": "SMI"}, caption="")
    >>> type(ax).__name__, [t.get_text() for t in ax.get_yticklabels()]
    ('Axes', ['SMI'])
    >>> [t.get_text() for t in ax.texts]
    ['2.00 (1.23–3.26)', 'HR (95% CI)']
    >>> plt.close(ax.figure)

    Two models side by side, with p-values:

    >>> cox = pd.DataFrame({"hr": [1.5, 0.8], "lower": [1.1, 0.5], "upper": [2.0, 1.3],
    ...                     "p": [0.01, 0.35]}, index=["smi", "age"])
    >>> fg = pd.DataFrame({"hr": [1.4], "lower": [1.0], "upper": [1.9]}, index=["smi"])
    >>> ax = forest_plot({"Cox": cox, "Fine-Gray": fg}, caption="")
    >>> [t.get_text() for t in ax.texts]  # doctest: +NORMALIZE_WHITESPACE
    ['1.50 (1.10–2.00)  p=0.010', '0.80 (0.50–1.30)  p=0.350', '1.40 (1.00–1.90)',
     'HR (95% CI)']
    >>> ax.get_xlabel()   # the axis names the models' hazard ratios
    'Cox / Fine-Gray (95% CI, log scale)'
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator
    from matplotlib.transforms import blended_transform_factory

    lang = check_language(language)
    alpha = check_alpha(alpha)
    if isinstance(models, pd.DataFrame):
        models = {"": models}
    if not models:
        raise ValueError("forest_plot needs at least one regression summary")
    z = float(stats.norm.ppf(1 - alpha / 2))
    frames = {name: _forest_frame(m, z) for name, m in models.items()}
    names = list(frames)
    covs = list(dict.fromkeys(c for m in frames.values() for c in m.index))
    rows = len(covs) * len(names)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6 if annotate else 5.9, 0.38 * rows + 1.6))
    fig = cast("Figure", ax.figure)
    step = 0.8 / len(names)
    markers = ("o", "s", "^", "D", "v")
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for k, name in enumerate(names):
        s = frames[name]
        y = np.array([covs.index(c) for c in s.index]) + k * step - 0.4 + step / 2
        hr, lo, hi = (s[c].to_numpy(dtype=float) for c in ("hr", "lower", "upper"))
        ax.errorbar(hr, y, xerr=[hr - lo, hi - hr], fmt=markers[k % len(markers)], capsize=3,
                    markersize=5, label=name or None, color=f"C{k}")
        if annotate:
            p = s["p"].to_numpy(dtype=float) if "p" in s.columns else np.full(len(s), np.nan)
            for yi, h, lw, up, pv in zip(y, hr, lo, hi, p, strict=True):
                ptxt = "" if np.isnan(pv) else ("  p<0.001" if pv < 0.001 else f"  p={pv:.3f}")
                ax.text(1.03, yi, localized(f"{h:.2f} ({lw:.2f}–{up:.2f}){ptxt}",
                                            language=lang), transform=trans,
                        va="center", fontsize=8, color=f"C{k}")
    level = f"{100 * (1 - alpha):g}"
    if annotate:
        ax.text(1.03, -0.75, text("hr_ci", lang, level=level), transform=trans, fontsize=8,
                fontweight="bold", va="center")
    ax.axvline(1.0, color="0.5", linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: localized(f"{v:g}", language=lang)))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_yticks(range(len(covs)))
    ax.set_yticklabels([(labels or {}).get(c, str(c)) for c in covs])
    ax.set_ylim(len(covs) - 0.5, -1.0)
    axis = text("hazard_ratio", lang, level=level)
    if all(names) and names:
        # name the hazard ratios shown (cause-specific, subdistribution), not a generic one
        axis = " / ".join(names) + " " + axis[axis.index("("):] if "(" in axis else axis
    ax.set_xlabel(axis)
    if len(names) > 1:
        ax.legend(loc="lower left", fontsize=8, frameon=False)
    note = caption if caption is not None else caption_of(next(iter(models.values())),
                                                            language=lang)
    if note:
        ax.set_title(textwrap.fill(note, 90), fontsize=8, loc="left")
    fig.tight_layout()
    return ax


def transition_figure(transitions: Any, *, policy: DisclosurePolicy, language: str | None = None,
                      ax: Axes | None = None) -> Axes:
    """The transition heat map as a report shows it, through the disclosure policy.

    The 36 cells and the people without a rung at one of the two waves add up to the
    cohort; the number with a rung at both waves (the subtitle) is the sum of the cells. A
    count of 1 to ``k - 1`` shows ``<k``; where a hidden cell could then be recovered from
    those totals, the smallest other cell is hidden too and shows the secondary marker
    (``×``); the number with a rung at both waves is shown only when the number without is,
    and the number without is hidden when the number with is small.
    When a cell is hidden the colours show counts instead of row shares (a row share would
    give the row total, and so the hidden cell, back). The printed counts are attached to
    the figure for the report's disclosure ledger.

    Parameters
    ----------
    transitions : kow_research.outcomes.LadderTransitions
    policy : DisclosurePolicy
    language : {"en", "nl"}, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from kow_research.data import Study
    >>> from kow_research.outcomes import ladder_by_wave, ladder_transitions
    >>> people = pd.DataFrame({"participant_id": list("ABCDEFGH"), "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> ladder = pd.DataFrame({"participant_id": list("ABCDEFGH") * 2,
    ...     "assessment_date": pd.to_datetime(["2020-01-01"] * 8 + ["2020-07-01"] * 8),
    ...     "rung": [2] * 8 + [2] * 6 + [3] * 2})
    >>> t = ladder_transitions(ladder_by_wave(Study.from_frames(participants=people,
    ...                        ladder=ladder), waves=[0, 6]), from_wave="T0", to_wave="T6")
    >>> ax = transition_figure(t, policy=DisclosurePolicy.default())
    >>> sorted({c.get_text() for c in ax.texts})   # 6 and 2: the 2 is hidden, and so the 6
    ['0', '<5', '×']
    >>> plt.close("all")
    """
    counts = transitions.counts
    flat = counts.to_numpy(dtype=float).ravel()
    n_missing = int(getattr(transitions, "n_missing", 0))
    cells = pd.DataFrame({"n": [*flat, float(n_missing)]})
    why = policy.reasons(cells, blocks=["cohort"] * len(cells))["n"].tolist()

    def shown(value: float, reason: str) -> str:
        if reason == "primary":
            return policy.primary_marker
        if reason:
            return policy.secondary_marker
        return policy.figure_count(value)

    total = int(flat.sum())
    if policy.is_small(total) and not why[-1]:
        why[-1] = "secondary"   # else the cohort minus those without a rung gives it back
    texts = [shown(v, r) for v, r in zip(cells["n"], why, strict=True)]
    total_text = (policy.figure_count(total) if not why[-1]
                  else policy.primary_marker if policy.is_small(total)
                  else policy.secondary_marker)
    grid = pd.DataFrame(np.array(texts[:-1], dtype=object).reshape(counts.shape),
                        index=counts.index, columns=counts.columns)
    any_hidden = any(why[:-1])
    ax = transition_heatmap(transitions, ax=ax, language=language, proportions=not any_hidden,
                            cell_text=grid, total_text=total_text, missing_text=texts[-1])
    labels = [f"{r} -> {c}" for r in counts.index for c in counts.columns]
    frame = pd.DataFrame({"n": [*texts[:-1], texts[-1], total_text]})
    rows = [*labels, "without a rung at one wave", "with a rung at both waves"]
    size = float(total + n_missing)
    frame = with_ledger(frame, rows=rows, counts=["n"], figure=True, partitions=[
        Partition([(r, "n") for r in labels], (rows[-1], "n")),
        Partition([(rows[-1], "n"), (rows[-2], "n")], size)])
    attach_ledger(ax, frame, table="transitions")
    return ax
