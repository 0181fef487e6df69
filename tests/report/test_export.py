"""CSV and XLSX exports of the report are inert in spreadsheet programs (OWASP "CSV injection"),
and an XLSX round trip gives the text back.

The injection strings are the ones the issue found passing unescaped: a HYPERLINK formula, a
DDE command and an @-function, in a cell and in a column name (``validation_counts.csv``).
"""

from __future__ import annotations

import openpyxl
import pandas as pd

import kow_research as kr
from kow_research.report.export import export_table, neutralise, write_csv
from kow_research.report.summary import write_summary

EVIL = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3+cmd|' /C calc'!A0",
        "\tTAB", "\rCR"]


def _inert(text: str) -> bool:
    return not text.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_cells_and_names_are_neutralised_and_numbers_left_alone(tmp_path):
    frame = pd.DataFrame({"region": EVIL[:5], "n": range(5)})
    frame["=bad name"] = "x"
    path = write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert all(_inert(c) for c in back.columns)
    assert all(_inert(v) for v in back["region"])
    # prefixed with one quote, the rest unchanged (a CR inside a field is kept by the CSV
    # writer but split by pandas' reader, so that one is compared before writing)
    assert back["region"].tolist()[:5] == ["'" + v for v in EVIL[:5]]
    assert neutralise("\rCR") == "'\rCR"
    assert [neutralise(v) for v in ("-0.12", "-1.2 (-3.0–0.5)", "+5%", "KOW")] == \
        ["-0.12", "-1.2 (-3.0–0.5)", "+5%", "KOW"]


def test_export_table_is_inert_and_the_xlsx_round_trip_is_identical(tmp_path):
    frame = pd.DataFrame({"region": EVIL, "n": range(len(EVIL))})
    csv, xlsx = export_table(frame, path_stem=tmp_path / "t", caption="Injection")
    assert all(_inert(v) for v in pd.read_csv(csv, dtype=str)["region"])
    ws = openpyxl.load_workbook(xlsx).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)          # no live formula anywhere
    back = pd.read_excel(xlsx, header=2)
    assert back["Region"].tolist()[:len(EVIL)] == EVIL       # text back as written
    assert back["n"].tolist()[:len(EVIL)] == list(range(len(EVIL)))


def test_validation_counts_with_a_formula_as_column_name(tmp_path):
    study = kr.simulate_study("KOW", n=20, seed=1)
    people = study.participants.copy()
    people["=HYPERLINK(1)"] = "x"            # an unknown column: a validation problem
    people.loc[:2, "region"] = EVIL[:3]
    study = kr.Study(participants=people, ladder=study.ladder, spells=study.spells,
                     sessions=study.sessions)
    report = kr.validate(study)
    files = write_summary(study, report=report, out=tmp_path)
    for f in files:
        if f.suffix == ".csv":
            t = pd.read_csv(f, dtype=str, keep_default_na=False)
            assert all(_inert(c) for c in t.columns), f.name
            assert all(_inert(v) for col in t.columns for v in t[col]), f.name
