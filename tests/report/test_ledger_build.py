"""The disclosure ledger inside ``kow-research report``: every published table is recorded in
the build's private folder and checked at the end; a recoverable hidden count stops the report.

Two real builds (one kernel each, a few seconds) plus one of the real notebooks on a small
simulated study. Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

import kow_research as kr
from kow_research.cli import main
from kow_research.data.study_design import write_design
from kow_research.report.build import build_report
from kow_research.report.ledger_sidecar import (
    LEDGER_DIR,
    ledger_from,
    read_registrations,
    record_table,
    with_ledger,
)
from kow_research.report.notebook import open_notebook
from kow_research.report.notebook_check import DisclosureError
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import Partition
from kow_research.synthetic import simulation_design

NOTEBOOKS = kr.__file__.rsplit("/kow_research/", 1)[0] + "/notebooks"

# a flow of 20 people: 3 excluded, 17 analysed. "<5" hides the 3, but 20 - 17 = 3.
PLANTED = '''
import pandas as pd
import kow_research as kr
from kow_research.report.ledger_sidecar import with_ledger
from kow_research.report.recovery import Partition
ctx = kr.report.open_notebook(data_dir, output_dir=output_dir)
flow = pd.DataFrame({"stage": ["entered", "excluded", "analysed"], "n": [20, "<5", SHOWN]})
flow = with_ledger(flow, rows=flow["stage"], counts=["n"],
                   partitions=[Partition([("excluded", "n"), ("analysed", "n")],
                                         ("entered", "n"))])
ctx.table(flow, caption="Planted flow", stem="99_planted")
'''


def _study(folder, sizes, seed=1):
    study = kr.simulate_studies(sizes, seed=seed)
    kr.write_study(study, folder, format="csv")
    write_design(simulation_design(study, seed=seed), folder)
    return folder


def _planted(folder, analysed):
    folder.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Planted"),
                nbformat.v4.new_code_cell(
                    'data_dir = None\noutput_dir = None\nlanguage = "en"\nseed = 1\n'
                    "design_overrides = {}", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(PLANTED.replace("SHOWN", repr(analysed)))]
    nbformat.write(nb, str(folder / "99_planted.ipynb"))
    return folder


def _no_registrations_in(out):
    return not any(p.suffix == ".jsonl" or p.name == "ledger" for p in out.rglob("*"))


# ----------------------------------------------------------------------------- units
def test_a_notebook_run_by_hand_writes_nothing_extra(tmp_path, monkeypatch):
    monkeypatch.delenv(LEDGER_DIR, raising=False)
    monkeypatch.chdir(tmp_path)
    ctx = open_notebook(None, seed=1)   # no output_dir: display only
    table = with_ledger(pd.DataFrame({"n": [12, "<5"]}), rows=["a", "b"], counts=["n"])
    ctx.table(table, caption="t", stem="t")
    assert list(tmp_path.iterdir()) == []
    assert record_table(table, file="results/t.csv", table="t") is None


def test_registrations_round_trip_and_the_planted_margin_is_found(tmp_path):
    table = with_ledger(pd.DataFrame({"n": [20, "<5", 17]}),
                        rows=["entered", "excluded", "analysed"], counts=["n"],
                        partitions=[Partition([("excluded", "n"), ("analysed", "n")],
                                              ("entered", "n"))])
    record_table(table, file="results/f.csv", table="f", directory=tmp_path, source="01_x")
    lines = read_registrations(tmp_path)
    assert [line["cells"] for line in lines] == [[[20], ["<5"], [17]]]
    problems = ledger_from(lines, policy=DisclosurePolicy.default()).check()
    assert problems[["file", "row", "column", "mechanism", "recovered"]].values.tolist() == [
        ["results/f.csv", "excluded", "n", "differencing", 3]]   # 20 - 17


# ----------------------------------------------------------------------------- builds
@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """01, 03 and 05 on 60 KOW + 50 IPS people (seed 1)."""
    root = tmp_path_factory.mktemp("ledger_report")
    data = _study(root / "data", {"KOW": 60, "IPS": 50})
    lines: list[str] = []
    result = build_report(root / "out", data=data, notebook_dir=NOTEBOOKS,
                          only=["01_data_quality", "03_participation_ladder",
                                "05_dropout_and_dose"], echo=lines.append)
    return result, lines


def test_a_real_report_passes_the_ledger_and_records_it(real_report):
    result, lines = real_report
    out = result.out
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    ledger = record["disclosure_ledger"]
    assert ledger["recoverable"] == 0
    # tables with counts: 01_overview, 01_spells, 03_ladder_change, 05_dropout,
    # 05_dropout_reasons, tables/ attrition, ladder_by_wave, training_dose; the counts printed
    # in the figures 01 flow diagram, 03 heat map, 05 number at risk and 05 dose bands; the
    # summary report's ladder and dropout tables
    assert ledger["tables_with_counts"] == 14
    assert ledger["figures"] == 4
    # the hidden cells recorded are the markers printed in the published CSVs, counted here
    # from the files themselves
    policy = DisclosurePolicy.default()
    markers = 0
    for name, columns in [("results/05_dropout.csv", None), ("results/01_overview.csv", None),
                          ("tables/ladder_by_wave.csv", ["assessed", "not_assessed"]),
                          ("tables/attrition_by_dropout_strategy.csv", ["n"]),
                          ("tables/training_dose.csv", ["n", "completers"]),
                          ("results/05_dropout_reasons.csv", None),
                          ("results/01_spells.csv", None),
                          ("results/03_ladder_change.csv", None)]:
        frame = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        cells = frame[columns] if columns else frame
        markers += int(cells.isin([policy.primary_marker, policy.secondary_marker]).sum().sum())
    # ... plus those the figures print (glyph paths, read through the ledger only) and the
    # summary report's tables, counted from its HTML cells
    page = (out / "summary.html").read_text(encoding="utf-8")
    in_summary = sum(page.count(f">{m}<") for m in (policy.primary_marker.replace("<", "&lt;"),
                                                     policy.secondary_marker))
    assert markers + in_summary <= ledger["hidden_cells"]
    assert any("disclosure ledger" in line and "nothing recoverable" in line for line in lines)
    assert _no_registrations_in(out)
    assert "tables/validation_counts.csv" in ledger["without_counts"]


def test_a_planted_recoverable_cell_fails_the_build_and_keeps_the_previous_report(
        tmp_path, capsys):
    data = _study(tmp_path / "data", {"KOW": 20}, seed=2)
    out = tmp_path / "out"
    # first a safe report: excluded "<5" (1..4) and analysed "×" (any number) of 20 entered:
    # 1 + 19, 2 + 18, 3 + 17, 4 + 16 all fit, so neither can be recovered
    safe = _planted(tmp_path / "safe", "×")
    assert main(["report", "--data", str(data), "--out", str(out), "--notebooks",
                 str(safe)]) == 0
    before = (out / "provenance.json").read_bytes()
    capsys.readouterr()
    # then analysed is shown: excluded = 20 - 17 = 3
    bad = _planted(tmp_path / "bad", 17)
    assert main(["report", "--data", str(data), "--out", str(out), "--notebooks",
                 str(bad)]) == 1
    err = capsys.readouterr().err
    assert "results/99_planted.csv (99_planted) row 'excluded', column 'n': differencing" in err
    assert "3" not in err.split("differencing", 1)[1].split(")", 1)[0]   # never the value
    assert (out / "provenance.json").read_bytes() == before
    assert _no_registrations_in(out)
    assert not any(p.name.startswith(".out.building") for p in tmp_path.iterdir())


def test_check_ledger_raises_naming_file_and_cell(tmp_path):
    from kow_research.report.build import check_ledger

    table = with_ledger(pd.DataFrame({"KOW": [40, "<5", 37]}),
                        rows=["all", "excluded", "analysed"], counts=["KOW"],
                        partitions=[Partition([("excluded", "KOW"), ("analysed", "KOW")],
                                              ("all", "KOW"))])
    record_table(table, file="results/x.csv", table="x", directory=tmp_path, source="02_x")
    with pytest.raises(DisclosureError, match=r"results/x.csv \(x\) row 'excluded'"):
        check_ledger(tmp_path, policy=DisclosurePolicy.default())
    # a withheld notebook's tables are not published, so not checked
    assert check_ledger(tmp_path, policy=DisclosurePolicy.default(),
                        withheld=["02_x.ipynb"])["recoverable"] == 0
