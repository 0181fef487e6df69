"""``kow-research report``: simulates, validates and writes aggregate tables only."""

from __future__ import annotations

import pandas as pd

import kow_research as kr
from kow_research.cli import main


def test_report_on_simulated_cohorts(tmp_path):
    assert main(["report", "--out", str(tmp_path)]) == 0
    tables = tmp_path / "tables"
    flow = pd.read_csv(tables / "attrition_by_dropout_strategy.csv")
    entered = flow[(flow["stage"] == "entered") & (flow["dropout"] == "competing")]
    assert entered.set_index("cohort")["n"].to_dict() == {"KOW": 115, "IPS": 70, "TAU": 81,
                                                            "GOW": 60}
    assert (tables / "summary.html").read_text().count("<table") == 4
    for path in tables.glob("*.csv"):  # aggregates only: never a column of participant ids
        assert "participant_id" not in pd.read_csv(path).columns


def test_report_on_given_data_with_errors_exits_1(tmp_path, capsys):
    kr.write_study(kr.simulate_study("KOW", 30, seed=2, mess={"entry_errors": 0.2}),
                   tmp_path / "d")
    assert main(["report", "--data", str(tmp_path / "d"), "--out", str(tmp_path / "r")]) == 1
    assert "validation errors" in capsys.readouterr().err
