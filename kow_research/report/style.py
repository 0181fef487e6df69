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


@dataclass(frozen=True)
class FigureFileSize:
    """What a saved figure measures, read back from the file (not from the Figure object).

    Attributes
    ----------
    path : str
    width_cm, height_cm : float
        Printed size: an SVG's ``width``/``height`` in points, a PNG's pixels over its dpi.
    dpi : float or None
        A PNG's resolution (its ``pHYs`` chunk); None for an SVG.
    min_font_pt : float or None
        The smallest font size of an SVG's text at the printed size; None for a PNG or an
        SVG without text elements.
    texts : int
        An SVG's text elements (0 when matplotlib wrote the letters as paths: not editable).
    """

    path: str
    width_cm: float
    height_cm: float
    dpi: float | None
    min_font_pt: float | None
    texts: int

    def problems(self) -> list[str]:
        """What keeps the file from printing at A4 text width (empty when it is fine)."""
        out = []
        if self.width_cm > MAX_WIDTH_CM + 0.05:
            out.append(f"{self.path}: {self.width_cm:.1f} cm wide (at most {MAX_WIDTH_CM:g})")
        if self.dpi is not None and round(self.dpi) != PNG_DPI:
            out.append(f"{self.path}: {self.dpi:.0f} dpi (not {PNG_DPI})")
        if self.dpi is None and self.texts == 0:
            out.append(f"{self.path}: no editable text (save with svg.fonttype 'none')")
        if self.min_font_pt is not None and self.min_font_pt < MIN_FONT_PT - 0.05:
            out.append(f"{self.path}: text at {self.min_font_pt:.1f} pt (at least "
                       f"{MIN_FONT_PT:g})")
        return out


_CM_PER = {"pt": 2.54 / 72, "px": 2.54 / 96, "in": 2.54, "cm": 1.0, "mm": 0.1, "": 2.54 / 96}


def _length_cm(value: str) -> float:
    import re

    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-z]*)\s*", value or "")
    if m is None or m.group(2) not in _CM_PER:
        raise ValueError(f"SVG length {value!r} is not a number with a unit (pt, px, in, cm)")
    return float(m.group(1)) * _CM_PER[m.group(2)]


def measure_figure_file(path: Any) -> FigureFileSize:
    """Measure a saved PNG or SVG figure: printed width and height, dpi, smallest text.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.png`` or ``.svg`` file.

    Returns
    -------
    FigureFileSize

    Raises
    ------
    ValueError
        The file is neither PNG nor SVG, or a PNG without a resolution.

    Examples
    --------
    >>> import matplotlib, tempfile
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from pathlib import Path
    >>> fig, ax = plt.subplots(figsize=(4, 2))
    >>> _ = ax.set_title("Paid work", fontsize=7)
    >>> with tempfile.TemporaryDirectory() as tmp, matplotlib.rc_context({"svg.fonttype": "none"}):
    ...     fig.savefig(Path(tmp) / "f.svg")
    ...     fig.savefig(Path(tmp) / "f.png", dpi=300)
    ...     svg, png = measure_figure_file(Path(tmp) / "f.svg"), measure_figure_file(Path(tmp) / "f.png")
    >>> round(svg.width_cm, 2), svg.min_font_pt, round(png.width_cm, 2), round(png.dpi)
    (10.16, 7.0, 10.16, 300)
    >>> svg.problems()[0].endswith("text at 7.0 pt (at least 8)")
    True
    >>> plt.close(fig)
    """
    import re
    import xml.etree.ElementTree as ET
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() == ".png":
        from PIL import Image

        with Image.open(p) as im:
            dpi = im.info.get("dpi")
            if not dpi:
                raise ValueError(f"{p.name}: the PNG records no resolution (pHYs)")
            w, h = im.size
        return FigureFileSize(p.name, w / float(dpi[0]) * 2.54, h / float(dpi[1]) * 2.54,
                              float(dpi[0]), None, 0)
    if p.suffix.lower() != ".svg":
        raise ValueError(f"{p.name}: measure a .png or .svg file")
    root = ET.parse(p).getroot()
    width, height = _length_cm(root.get("width", "")), _length_cm(root.get("height", ""))
    box = [float(v) for v in (root.get("viewBox") or "").replace(",", " ").split()]
    # user units per cm: fonts are in user units (matplotlib: 1 unit = 1 pt)
    unit_cm = width / box[2] if len(box) == 4 and box[2] else _CM_PER["px"]
    sizes, texts = [], 0
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag not in ("text", "tspan"):
            continue
        texts += tag == "text"
        style = el.get("style", "") + ";font-size:" + el.get("font-size", "")
        # "font-size: 8px" or the shorthand "font: 700 8px 'DejaVu Sans'" (px = user units)
        for m in re.finditer(r"font-size\s*:\s*([0-9.]+)(?:px)?|font\s*:[^;]*?([0-9.]+)px",
                             style):
            sizes.append(float(m.group(1) or m.group(2)) * unit_cm / (2.54 / 72))
    return FigureFileSize(p.name, width, height, None, min(sizes) if sizes else None, texts)
