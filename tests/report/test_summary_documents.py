"""summary.docx and summary.pdf of a real summary report hold the key-outcomes table with the
numbers the analysis computes (issue 14: "a test opens the DOCX with python-docx and the PDF with
a PDF reader and finds the key-outcomes table").

The report is written by :func:`kow_research.report.summary_report.write_summary_report` on two
small simulated cohorts (fast: 20 bootstrap replicates). The expected shares in paid work are
computed here independently of the report code: the Aalen–Johansen cumulative incidence of
:func:`kow_research.survival.cumulative_incidence` (checked against R's cmprsk in
tests/survival) at each design horizon, in per cent. The documents print whole percentages, so
each printed number must be within 0.5 of the computed one (rounding, nothing else).
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pypdf
import pytest

import kow_research as kr
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.report.analysis import time_to_work_definition
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.summary_report import write_summary_report
from kow_research.synthetic import simulation_design

CAPTION = {"en": "Share in regular paid work", "nl": "Aandeel met regulier betaald werk"}
MONTHS = {"en": "months", "nl": "maanden"}


@pytest.fixture(scope="module", params=["en", "nl"])
def report(request, tmp_path_factory):
    lang = request.param
    study = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    design = simulation_design(study, seed=1).with_overrides(
        {"n_boot": 20, "language": lang}).resolve(study.participants, study.ladder,
                                                  study.sessions)
    folder = tmp_path_factory.mktemp(f"summary_{lang}")
    (folder / "results").mkdir()
    write_summary_report(study, design=design, policy=DisclosurePolicy.from_design(design),
                         folder=folder, simulated=True, seed=1)
    ttw = kr.outcomes.time_to_paid_work(study, definition=time_to_work_definition(design))
    curve = kr.survival.cumulative_incidence(ttw, cause=1, by="cohort")
    horizons = [float(m) for m in design["horizons_months"]]
    at = curve.at([m * DAYS_PER_MONTH for m in horizons])
    expected = {}
    for programme in ("KOW", "IPS"):
        rows = at[at["group"].astype(str) == programme].sort_values("time")
        expected[programme] = [(100 * r.estimate, 100 * r.lower, 100 * r.upper)
                               for r in rows.itertuples()]
    return lang, folder, horizons, expected


def _numbers(cell: str) -> list[float]:
    """``'18 % (11 %–27 %)'`` or ``'18% (11%–27%)'`` -> [18, 11, 27] (decimal comma too)."""
    return [float(v.replace(",", ".")) for v in re.findall(r"\d+(?:[.,]\d+)?", cell)]


def _check_row(printed: list[str], expected: list[tuple[float, float, float]]) -> None:
    assert len(printed) == len(expected)
    for cell, values in zip(printed, expected, strict=True):
        got = _numbers(cell)
        assert len(got) == 3, cell
        for g, e in zip(got, values, strict=True):
            assert abs(g - e) <= 0.5 + 1e-9, (cell, values)


def test_docx_has_the_key_outcomes_table_with_the_computed_shares(report):
    lang, folder, horizons, expected = report
    word = docx.Document(str(folder / "summary.docx"))
    captions = [p.text for p in word.paragraphs if CAPTION[lang] in p.text]
    assert captions, "no caption of the key-outcomes table"
    tables = [t for t in word.tables
              if [c.text for c in t.rows[0].cells][1:] == [f"{m:g} {MONTHS[lang]}"
                                                          for m in horizons]]
    assert len(tables) == 1
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in tables[0].rows[1:]}
    assert list(rows) == ["KOW", "IPS"]                 # index programme first
    for programme, values in expected.items():
        _check_row(rows[programme], values)
    if lang == "nl":                                    # Dutch: no decimal point, spaced %
        assert all("." not in c for cells in rows.values() for c in cells)


def test_pdf_has_the_key_outcomes_table_with_the_computed_shares(report):
    lang, folder, horizons, expected = report
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(folder / "summary.pdf").pages)
    start = text.find(CAPTION[lang])
    assert start >= 0, "no caption of the key-outcomes table in the PDF"
    lines = text[start:].splitlines()
    header = " ".join(f"{m:g} {MONTHS[lang]}" for m in horizons)
    assert any(header in line for line in lines[:4]), lines[:4]
    for programme, values in expected.items():
        line = next(ln for ln in lines if ln.startswith(f"{programme} "))
        cells = re.findall(r"\d+\s?%\s?\(\d+\s?%–\d+\s?%\)", line)
        _check_row(cells, values)


def test_html_docx_and_pdf_are_written(report):
    _, folder, _, _ = report
    for name in ("summary.html", "summary.docx", "summary.pdf"):
        assert (folder / name).stat().st_size > 0
    assert Path(folder / "summary.pdf").read_bytes().startswith(b"%PDF")
