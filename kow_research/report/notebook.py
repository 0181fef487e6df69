"""What every analysis notebook starts with: the study, its design, the language and the
disclosure policy in one object, and the few ways a notebook shows things to a reader.

A notebook's second cell is::

    ctx = kr.report.open_notebook(data_dir=data_dir, seed=seed, language=language,
                                  design_overrides=design_overrides, output_dir=output_dir)

after which nothing in it names a programme or a wave: ``ctx.design`` knows them. Text a reader
sees comes from :mod:`kow_research.report.narrative` in ``ctx.language``, filled with numbers
from result objects (:meth:`NotebookContext.say`); tables are formatted in the language and
exported as CSV and XLSX (:meth:`NotebookContext.table`); figures are drawn in the report style,
watermarked when the data are simulated, saved as PNG (300 dpi) and SVG, and shown with their
caption and alt text (:meth:`NotebookContext.figure`). A notebook whose analysis does not apply
to the design ends with :meth:`NotebookContext.not_applicable`, which the report lists as "not
applicable" (not failed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.data.io import load_study
from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign, load_design
from kow_research.outcomes.definitions import TimeToWorkDefinition
from kow_research.report.analysis import time_to_work_definition
from kow_research.report.export import export_table
from kow_research.report.figures import save_figure
from kow_research.report.formatting import (
    ColumnFormat,
    format_ci,
    format_number,
    format_p,
    format_percent,
    format_table,
)
from kow_research.report.labels import check_language
from kow_research.report.ledger_sidecar import LEDGER_SOURCE, attached_ledger, record_table
from kow_research.report.narrative import say as narrative_say
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.style import ProgrammeStyle, programme_styles, watermark
from kow_research.synthetic.combine import simulate_studies
from kow_research.synthetic.designs import simulation_design


class NotApplicable(Exception):
    """The notebook's analysis does not apply to this study's design (not a failure).

    The message is the sentence shown to the reader; the report lists the notebook as
    "not applicable".
    """


@dataclass
class NotebookContext:
    """The study, its resolved design and the presentation settings of one notebook run.

    Attributes
    ----------
    study : Study
    design : StudyDesign
        Resolved against the data (index programme, comparators, waves, ...).
    language : {"en", "nl"}
    output_dir : pathlib.Path or None
        Where figures and tables are written (None: display only).
    simulated : bool
        The data come from the simulators (figures get a watermark, pages a banner).
    k : int
        The disclosure threshold (cells of fewer people are suppressed).
    """

    study: Study
    design: StudyDesign
    language: str = "en"
    output_dir: Path | None = None
    simulated: bool = False
    k: int = 5
    shown: list[str] = field(default_factory=list)
    _tables: int = field(default=0, repr=False)

    @property
    def styles(self) -> dict[str, ProgrammeStyle]:
        """One colour and line style per programme (index first), the same in every figure."""
        present = [str(c) for c in pd.unique(self.study.participants["cohort"].astype(str))]
        order = self.design.programmes + [c for c in present if c not in self.design.programmes]
        return programme_styles(order)

    @property
    def line_styles(self) -> dict[str, dict[str, Any]]:
        """``styles`` as keyword arguments for matplotlib lines."""
        return {k: v.line() for k, v in self.styles.items()}

    def programme_order(self, values: Sequence[Any]) -> list[str]:
        """The programmes in ``values`` in design order (index first)."""
        present = {str(v) for v in values}
        order = [p for p in self.design.programmes if p in present]
        return order + sorted(present - set(order))

    def ordered(self, frame: pd.DataFrame, column: str = "cohort") -> pd.DataFrame:
        """A copy of ``frame`` whose ``column`` is categorical in design order (index first),
        so that tables, curves and models list the index programme first and use it as the
        reference."""
        out = frame.copy()
        out.attrs = dict(frame.attrs)
        out[column] = pd.Categorical(out[column].astype(str),
                                     categories=self.programme_order(out[column]))
        return out

    @property
    def time_to_work(self) -> TimeToWorkDefinition:
        """The definition of time to paid work that the design declares."""
        return time_to_work_definition(self.design)

    @property
    def policy(self) -> DisclosurePolicy:
        """The disclosure policy of the report (from ``study.yaml``'s ``disclosure``)."""
        return DisclosurePolicy.from_design(self.design["disclosure"])

    # -- numbers as a reader sees them (language-aware) -------------------------------------
    def pct(self, proportion: float, decimals: int = 0) -> str:
        """A proportion as a percentage: ``0.44`` -> ``"44%"`` (``"44 %"`` in Dutch)."""
        return format_percent(proportion, language=self.language, decimals=decimals)

    def num(self, value: float, decimals: int = 2) -> str:
        """A number with the language's decimal separator."""
        return format_number(value, language=self.language, decimals=decimals)

    def ci(self, estimate: float, lower: float, upper: float, *, percent: bool = False,
           decimals: int = 2) -> str:
        """``estimate (lower–upper)``; with ``percent`` the values are proportions shown as
        percentages."""
        return format_ci(estimate, lower=lower, upper=upper, language=self.language,
                         decimals=decimals, percent=percent)

    def p(self, value: float) -> str:
        """A p-value (``<0.001``, ``0.012``; decimal comma in Dutch)."""
        return format_p(value, language=self.language)

    def count(self, n: float) -> str:
        """A count of persons through the disclosure policy (``<k`` when small)."""
        return self.policy.count(n)

    def listing(self, items: Sequence[str]) -> str:
        """``a, b and c`` / ``a, b en c``."""
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        word = " en " if self.language == "nl" else " and "
        return ", ".join(items[:-1]) + word + items[-1]

    def intro(self, title: str, question: str, **fields: Any) -> None:
        """The notebook's heading, the simulated-data banner, the design and the question."""
        self.say(title, **fields)
        if self.simulated:
            self.say("simulated_banner")
        comparators = self.design.comparators
        allocation = narrative_say("randomised" if self.design["randomised"]
                                   else "not_randomised", self.language)
        self.say("design_line", index=self.design.index,
                 comparators=self.listing(comparators) if comparators
                 else narrative_say("no_comparator", self.language), allocation=allocation)
        self.say(question, **fields)

    def say(self, key: str, **fields: Any) -> None:
        """Show the narrative sentence ``key`` (in the notebook's language) as Markdown."""
        from IPython.display import Markdown, display

        display(Markdown(narrative_say(key, self.language, **fields)))

    def table(self, frame: pd.DataFrame, *, caption: str, stem: str | None = None,
              spec: Mapping[str, ColumnFormat | str] | None = None,
              labels: Mapping[str, str | tuple[str, str]] | None = None,
              fields: Mapping[str, Any] | None = None, index: bool | None = None,
              notes: Sequence[str] = (), data: pd.DataFrame | None = None) -> None:
        """Show ``frame`` formatted in the language and export it as CSV + XLSX under
        ``stem`` (``data`` instead, when given: the numbers behind a text table).

        Inside ``kow-research report`` the table's published cells are also recorded for the
        report's disclosure ledger (:func:`kow_research.report.ledger_sidecar.record_table`:
        the counts its builder declared in ``frame.attrs["ledger"]``, into the build's
        private folder); a notebook run by hand writes nothing extra.
        """
        from IPython.display import HTML, Markdown, display

        shown = format_table(frame, spec=spec, language=self.language, labels=labels,
                             fields=fields, index=index)
        display(Markdown(f"**{caption}**"))
        # the report lists each exported file with its caption (read from this metadata)
        meta = {"kow_research": {"file": f"results/{stem}", "caption": caption}} \
            if stem and self.output_dir is not None else None
        display(HTML(shown.to_html(index=False, escape=True, border=0, classes="kow-table")),
                metadata=meta)
        for note in notes:
            display(Markdown(f"<small>{note}</small>"))
        self._tables += 1
        exported = bool(stem) and self.output_dir is not None
        source = os.environ.get(LEDGER_SOURCE, "notebook")
        record_table(frame, file=f"results/{stem}.csv" if exported else f"{source}.html",
                     table=str(stem) if exported else f"table {self._tables}: {caption}")
        if stem and self.output_dir is not None:
            if data is not None:
                export_table(data, path_stem=self.output_dir / stem, caption=caption,
                             language=self.language, notes=notes)
            else:
                export_table(frame, path_stem=self.output_dir / stem, caption=caption,
                             language=self.language, spec=spec, labels=labels, fields=fields,
                             index=index, notes=notes)

    def register(self, frame: pd.DataFrame, *, table: str) -> None:
        """Record, for the report's disclosure ledger, counts or statistics this notebook's
        page prints outside a table (an SMD in a sentence, computed from a table of counts
        declared with :func:`~kow_research.report.ledger_sidecar.with_ledger`). Nothing is
        shown; a notebook run by hand writes nothing.

        Parameters
        ----------
        frame : pandas.DataFrame
            With ``attrs["ledger"]``; its cells should be the same quantities (names) as
            the published table they come from.
        table : str
            A name for it on the page.
        """
        source = os.environ.get(LEDGER_SOURCE, "notebook")
        record_table(frame, file=f"{source}.html", table=table)

    def figure(self, ax: Any, *, stem: str, caption: str, alt: str | None = None) -> None:
        """Finish a figure: watermark (simulated data), save PNG + SVG under ``stem``, show it
        with its alt text and the caption below, and close it.

        Inside ``kow-research report`` the counts the figure prints as text — attached by
        the figure function with :func:`~kow_research.report.ledger_sidecar.attach_ledger`
        (flow diagram, number at risk, heat map, bar labels) — are recorded for the
        report's disclosure ledger."""
        import matplotlib.pyplot as plt
        from IPython.display import Image, Markdown, display

        fig = getattr(ax, "figure", ax)
        if self.simulated:
            watermark(fig, language=self.language)
        paths = save_figure(fig, stem=stem, output_dir=self.output_dir, dpi=300)
        # the counts the figure prints (attached by the figure function) go to the ledger
        source = os.environ.get(LEDGER_SOURCE, "notebook")
        for name, counts in attached_ledger(fig):
            record_table(counts, file=f"results/{stem}.svg" if paths else f"{source}.html",
                         table=f"{stem}: {name}")
        if paths:
            data = paths[0].read_bytes()
        else:
            import io

            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight",
                        metadata={"Software": None})
            data = buffer.getvalue()
        plt.close(fig)
        meta = {"kow_research": {"file": f"results/{stem}", "caption": caption}} \
            if paths else None
        display(Image(data=data, format="png", alt=alt or caption, width=620), metadata=meta)
        display(Markdown(f"<small>{caption}</small>"))
        self.shown.append(stem)

    def not_applicable(self, key: str, **fields: Any) -> None:
        """Say why the analysis does not apply, and stop the notebook (the report lists it as
        "not applicable")."""
        sentence = narrative_say(key, self.language, **fields)
        self.say(key, **fields)
        raise NotApplicable(sentence)


@positional_deprecated("seed", "language", "design_overrides", "output_dir")
def open_notebook(data_dir: str | Path | None, *, seed: int = 1, language: str | None = None,
                  design_overrides: Mapping[str, Any] | None = None,
                  output_dir: str | Path | None = None) -> NotebookContext:
    """Load (or simulate) the study, read and resolve its design, and set the language.

    Parameters
    ----------
    data_dir : str, pathlib.Path or None
        A study folder (with ``study.yaml``); None simulates the default cohorts with ``seed``
        and uses their design (:func:`kow_research.synthetic.simulation_design`).
    seed : int, default 1
        Seed of the simulated cohorts.
    language : {"en", "nl"}, optional
        Default the design's language.
    design_overrides : mapping, optional
        ``--param`` overrides of the design (dotted keys).
    output_dir : str or pathlib.Path, optional
        Folder for figures and tables (None: display only).

    Returns
    -------
    NotebookContext

    Examples
    --------
    >>> ctx = open_notebook(None, seed=1)
    >>> ctx.design.index, ctx.design.comparators, ctx.simulated
    ('KOW', ['IPS', 'TAU', 'GOW'], True)
    """
    if data_dir is None:
        study = simulate_studies(seed=seed)
        design = simulation_design(study, seed=seed)
        simulated = True
    else:
        study = load_study(data_dir)
        design = load_design(data_dir)
        simulated = bool(design.get("simulated", False))
    if design_overrides:
        design = design.with_overrides(design_overrides)
    design = design.resolve(study.participants, study.ladder, study.sessions)
    lang = check_language(language or design.language)
    k = int(design["disclosure"].get("k", 5))
    out = None if output_dir is None else Path(output_dir)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    return NotebookContext(study=study, design=design, language=lang, output_dir=out,
                           simulated=simulated, k=k)
