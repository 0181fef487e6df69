"""``kow-research report --k 10`` on a small study (32 KOW and 25 TAU people, seed 3): no file
of the report folder prints a count of 1 to 9 persons, and every ``<10`` in Table 1 holds fewer
than 10 people of the data.

One real build of notebooks 01-03 (the flow diagram, Table 1, the ladder and its heat map) plus
``tables/`` and the summary report, about a minute. The figures print their counts as glyph
paths, so what they print is checked through the disclosure ledger (``provenance.json`` says
how many figure tables it read), not by reading the SVG.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kow_research as kr
from kow_research.report.build import build_report
from kow_research.report.table_one import table_one

ROOT = Path(__file__).resolve().parents[2]
SMALL = r"[1-9]"
#: columns of the CSV files that hold no counts of persons
NOT_COUNTS = {"wave_month", "month", "horizon_months", "planned", "session_number"}


@pytest.fixture(scope="module")
def report_k10(tmp_path_factory):
    root = tmp_path_factory.mktemp("k10")
    study = kr.simulate_studies({"KOW": 32, "TAU": 25}, seed=3)
    data = root / "study"
    kr.write_study(study, data)
    (data / "study.yaml").write_text(yaml.safe_dump(
        {"title": "Small KOW study", "index": "KOW", "comparators": ["TAU"],
         "randomised": False, "language": "en", "simulated": True, "n_boot": 50}),
        encoding="utf-8")
    out = root / "report"
    result = build_report(out, data=data, overrides={"disclosure.k": 10},
                          notebook_dir=ROOT / "notebooks",
                          only=["01_data_quality", "02_baseline_characteristics",
                                "03_participation_ladder"], echo=lambda line: None)
    assert result.exit_code == 0, result.messages
    return study, out


def _texts(out: Path) -> dict[str, str]:
    found = {p.relative_to(out).as_posix(): re.sub(r"<[^>]+>", " ", p.read_text("utf-8"))
             for p in [*out.glob("*.html"), *out.glob("tables/*.html")]}
    with zipfile.ZipFile(out / "summary.docx") as z:
        found["summary.docx"] = re.sub(r"<[^>]+>", " ", z.read("word/document.xml").decode())
    if shutil.which("pdftotext"):  # poppler-utils; without it the PDF's text is not read
        pdf = subprocess.run(["pdftotext", str(out / "summary.pdf"), "-"],
                             capture_output=True, text=True, check=False)
        if pdf.returncode == 0:
            found["summary.pdf"] = pdf.stdout
    return found


def test_no_count_below_10_anywhere(report_k10):
    _, out = report_k10
    hits = []
    for csv in sorted(out.glob("*/*.csv")):
        t = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for col in set(t.columns) - NOT_COUNTS:
            hits += [(csv.name, col, v) for v in t[col]
                     if re.fullmatch(rf"{SMALL}( \(.*\))?", v.strip())]
    for name, text in _texts(out).items():
        # "n = 3", "paid work: 3", "3 of 25" — not "T6", "3.5", "30%" or "1 to 9" of the note
        hits += [(name, m.group(0)) for m in re.finditer(
            rf"(?:n = |: |\b(?:of|van) ){SMALL}\b(?![.,\d%])", text)
            # not CSS, nor the number of characteristics in notebook 02's SMD sentences
            if "z-index" not in text[max(0, m.start() - 10):m.end()]
            and not re.match(r"(?: of \d+)? (?:characteristics|kenmerken)",
                             text[m.end():m.end() + 30])]
    assert hits == []
    ledger = json.loads((out / "provenance.json").read_text())["disclosure_ledger"]
    assert ledger["recoverable"] == 0 and ledger["figures"] >= 2   # flow and heat map


def test_every_marked_cell_of_table_1_holds_fewer_than_10(report_k10):
    _, out = report_k10
    published = pd.read_csv(out / "results" / "02_table1.csv", dtype=str,
                            keep_default_na=False)
    # the true counts, computed as notebook 02 does but without disclosure control
    ctx = kr.report.open_notebook(out.parent / "study")
    people = kr.report.baseline_frame(ctx.study, design=ctx.design)
    truth = table_one(ctx.ordered(people), by="cohort",
                      variables=kr.report.baseline_variables(people, design=ctx.design))
    counts = truth.counts.reset_index(drop=True)
    groups = [c for c in counts.columns if c != "SMD"]
    assert len(published) == len(counts)
    marked = 0
    for i, kind in enumerate(truth.kinds):
        if kind not in ("level", "yes", "missing"):
            continue
        for g in groups:
            cell, true = published.loc[i, g], int(counts.loc[i, g])
            if cell == "<10":
                assert 0 < true < 10, (i, g, true)
                marked += 1
            elif cell != "×":
                assert int(cell.split(" (")[0]) == true and (true == 0 or true >= 10)
    assert marked > 5
