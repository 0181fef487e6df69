"""``kow-research report`` end to end on a throwaway notebook (the real notebooks are
exercised by nbval in tests/project)."""

from __future__ import annotations

import html

import nbformat
import pandas as pd

import kow_research as kr
from kow_research.cli import main


def _notebooks(folder, fail=False):
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Cohort sizes"),
        nbformat.v4.new_code_cell('data_dir = None\noutput_dir = None\nlanguage = "en"',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import kow_research as kr\nstudy = kr.load_study(data_dir)\n"
            "print(study.participants['cohort'].value_counts().sort_index().to_dict())"
            + ("\nraise RuntimeError('stop')" if fail else "")),
    ]
    nbformat.write(nb, str(folder / "01_sizes.ipynb"))
    return folder


def test_report_simulates_runs_notebooks_and_writes_index(tmp_path, capsys):
    nbs = _notebooks(tmp_path / "nbs")
    out = tmp_path / "out"
    assert main(["report", "--out", str(out), "--notebooks", str(nbs),
                 "--language", "nl"]) == 0
    page = html.unescape((out / "01_sizes.html").read_text(encoding="utf-8"))
    assert "'GOW': 60, 'IPS': 70, 'KOW': 115, 'TAU': 81" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="01_sizes.html">Cohort sizes</a>' in index
    assert "GESIMULEERDE GEGEVENS" in index and "gesimuleerd (seed 1)" in index
    assert f"kow_research {kr.__version__}" in index
    flow = pd.read_csv(out / "tables" / "attrition_by_dropout_strategy.csv")
    entered = flow[(flow["stage"] == "entered") & (flow["dropout"] == "competing")]
    assert entered.set_index("cohort")["n"].astype(int).to_dict() == {
        "KOW": 115, "IPS": 70, "TAU": 81, "GOW": 60}
    for path in (out / "tables").glob("*.csv"):  # aggregates only: never ids
        assert "participant_id" not in pd.read_csv(path).columns
    assert "1 analyses ok, 0 not applicable, 0 failed, 0 withheld" in capsys.readouterr().out


def test_failing_notebook_exits_1_naming_notebook_and_cell(tmp_path, capsys):
    nbs = _notebooks(tmp_path / "nbs", fail=True)
    assert main(["report", "--out", str(tmp_path / "out"), "--notebooks", str(nbs)]) == 1
    err = capsys.readouterr().err
    assert "01_sizes.ipynb failed in cell 3" in err and "RuntimeError: stop" in err


def test_report_on_given_data_with_errors_exits_1(tmp_path, capsys):
    kr.write_study(kr.simulate_study("KOW", n=30, seed=2, mess={"entry_errors": 0.2}),
                   tmp_path / "d")
    nbs = _notebooks(tmp_path / "nbs")
    assert main(["report", "--data", str(tmp_path / "d"), "--out", str(tmp_path / "r"),
                 "--notebooks", str(nbs)]) == 1
    assert "validation errors" in capsys.readouterr().err
