"""Figures for print: one colour and line style per programme everywhere, A4 sizes, months.

* Colours are Okabe & Ito's (2008) colour-blind-safe palette; each programme keeps its colour
  and line style in every figure of a report (the index programme is always blue and solid),
  and the line styles differ too, so the figures survive grey-scale printing and deuteranopia.
* Widths are at most 16 cm (the text width of an A4 page with 2.5 cm margins) and text is at
  least 8 pt at that size; PNGs are written at 300 dpi and SVGs keep their text editable.
* Time axes are in months (studies report months) with ticks every 6 months.
* Figures made from simulated data carry a diagonal watermark.

References
----------
Okabe M, Ito K (2008). Color Universal Design (CUD): how to make figures and presentations
that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kow_research.core.units import DAYS_PER_MONTH, TIME_UNITS
from kow_research.report.labels import check_language, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe-Ito colours, in the order programmes receive them (index programme first)
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
             "#000000")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1)),
              (0, (8, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: the text width of an A4 page (cm) and in inches
MAX_WIDTH_CM = 16.0
MAX_WIDTH_IN = MAX_WIDTH_CM / 2.54
MIN_FONT_PT = 8.0
PNG_DPI = 300
#: the rcParams every report figure is drawn with
RC: dict[str, Any] = {
    "font.size": 9.0, "axes.titlesize": 9.0, "axes.labelsize": 9.0, "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0, "legend.fontsize": 8.0, "legend.title_fontsize": 8.0,
    "figure.titlesize": 10.0, "axes.spines.top": False, "axes.spines.right": False,
    "svg.fonttype": "none", "svg.hashsalt": "kow_research", "savefig.dpi": PNG_DPI,
    "figure.dpi": 100, "lines.linewidth": 1.6,
}
WATERMARK = {"en": "SIMULATED DATA", "nl": "GESIMULEERDE GEGEVENS"}


@dataclass(frozen=True)
class ProgrammeStyle:
    """How one programme is drawn."""

    color: str
    linestyle: Any
    marker: str

    def line(self) -> dict[str, Any]:
        """Keyword arguments for ``Axes.plot``/``step``."""
        return {"color": self.color, "linestyle": self.linestyle}


def programme_styles(programmes: Sequence[str]) -> dict[str, ProgrammeStyle]:
    """A fixed style per programme: the first (the index programme) blue and solid, the
    others in palette order.

    Parameters
    ----------
    programmes : sequence of str
        The study design's programmes, index first (``design.programmes``).

    Returns
    -------
    dict of str to ProgrammeStyle

    Examples
    --------
    >>> s = programme_styles(["KOW", "CAU"])
    >>> s["KOW"].color, s["CAU"].color, s["CAU"].linestyle
    ('#0072B2', '#D55E00', '--')
    """
    out = {}
    for i, name in enumerate(dict.fromkeys(str(p) for p in programmes)):
        k = i % len(OKABE_ITO)
        out[name] = ProgrammeStyle(OKABE_ITO[k], LINESTYLES[k], MARKERS[k])
    return out


def figure_size(width_cm: float = MAX_WIDTH_CM, height_cm: float = 9.0) -> tuple[float, float]:
    """Figure size in inches for a width in cm (capped at the A4 text width).

    Parameters
    ----------
    width_cm : float, default 16
    height_cm : float, default 9

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> [round(v, 3) for v in figure_size(20, 10)]
    [6.299, 3.937]
    """
    return min(width_cm, MAX_WIDTH_CM) / 2.54, height_cm / 2.54


@contextmanager
def report_style() -> Iterator[None]:
    """Draw inside this context with the report's rcParams (fonts >= 8 pt, no top/right spines,
    editable SVG text, a fixed SVG hash salt so that reruns give identical files).

    Examples
    --------
    >>> import matplotlib
    >>> with report_style():
    ...     matplotlib.rcParams["svg.fonttype"]
    'none'
    """
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        yield


def months_axis(ax: Axes, *, unit: str = "days", step_months: int = 6,
                language: str = "en") -> Axes:
    """Label the x-axis of a plot drawn in ``unit`` in months, with ticks every
    ``step_months``.

    Parameters
    ----------
    ax : matplotlib Axes
        An Axes whose x data are durations in ``unit``.
    unit : {"days", "weeks", "months"}, default "days"
    step_months : int, default 6
    language : {"en", "nl"}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> _ = ax.plot([0, 730], [0, 1])
    >>> [t.get_text() for t in months_axis(ax).get_xticklabels()][:3]
    ['0', '6', '12']
    """
    import numpy as np

    lang = check_language(language)
    per_month = DAYS_PER_MONTH / TIME_UNITS[unit]
    lo, hi = ax.get_xlim()
    last = int(np.ceil(max(hi, 0) / per_month / step_months)) * step_months
    months = np.arange(0, last + 1, step_months)
    ax.set_xticks(months * per_month)
    ax.set_xticklabels([str(int(m)) for m in months])
    ax.set_xlim(0, max(hi, months[-1] * per_month if len(months) else hi))
    ax.set_xlabel(text("months_since_start", lang))
    return ax


def percent_axis(ax: Axes, *, axis: str = "y") -> Axes:
    """Show a 0–1 axis as percentages.

    Parameters
    ----------
    ax : matplotlib Axes
    axis : {"y", "x"}

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 0.5])
    >>> percent_axis(ax).yaxis.get_major_formatter()(0.25, 0)
    '25%'
    """
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    return ax


def watermark(fig: Figure, *, language: str = "en") -> Figure:
    """Put a light diagonal "SIMULATED DATA" across a figure (for simulated studies).

    Parameters
    ----------
    fig : matplotlib Figure
    language : {"en", "nl"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = watermark(plt.figure(), language="nl")
    >>> fig.texts[-1].get_text()
    'GESIMULEERDE GEGEVENS'
    """
    lang = check_language(language)
    fig.text(0.5, 0.5, WATERMARK[lang], fontsize=28, color="0.6", alpha=0.18, rotation=30,
             ha="center", va="center", zorder=100, gid="watermark")
    return fig


def check_print_size(fig: Figure) -> list[str]:
    """Problems that keep a figure from printing at A4 text width: wider than 16 cm, or text
    smaller than 8 pt.

    Parameters
    ----------
    fig : matplotlib Figure

    Returns
    -------
    list of str
        Empty when the figure is fine.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> check_print_size(plt.figure(figsize=(10, 4)))
    ['width 25.4 cm > 16 cm']
    """
    problems = []
    width_cm = fig.get_figwidth() * 2.54
    if width_cm > MAX_WIDTH_CM + 0.05:
        problems.append(f"width {width_cm:.1f} cm > {MAX_WIDTH_CM:g} cm")
    from matplotlib.text import Text

    for item in fig.findobj(Text):
        assert isinstance(item, Text)
        size = float(item.get_fontsize())
        if item.get_text().strip() and size < MIN_FONT_PT - 1e-9:
            problems.append(f"text {item.get_text()[:30]!r} at {size:g} pt")
    return problems
