"""``kow-research outcomes``."""

from __future__ import annotations

import pandas as pd
import pytest

import kow_research as kr
from kow_research.cli import main


@pytest.fixture
def folder(tmp_path):
    kr.write_study(kr.simulate_study("KOW", n=60, seed=3), tmp_path / "s")
    return tmp_path / "s"


def test_time_to_paid_work_csv_and_flow(folder, tmp_path, capsys):
    out = tmp_path / "ttw.csv"
    assert main(["outcomes", str(folder), "--out", str(out), "--dropout", "censor"]) == 0
    printed = capsys.readouterr().out
    assert "censored at dropout" in printed and "entered the study" in printed
    got = pd.read_csv(out)
    expected = kr.outcomes.time_to_paid_work(kr.load_study(folder), dropout="censor")
    assert got["time"].tolist() == expected["time"].tolist()
    assert got["event"].tolist() == expected["event"].tolist()


@pytest.mark.parametrize(("measure", "function"), [
    ("ladder", kr.outcomes.ladder_by_wave), ("dropout", kr.outcomes.dropout),
    ("retention", kr.outcomes.job_retention), ("dose", kr.outcomes.training_dose)])
def test_other_measures(folder, tmp_path, measure, function):
    """The CLI writes the table of the measure asked for (same rows and columns)."""
    out = tmp_path / f"{measure}.csv"
    assert main(["outcomes", str(folder), "--out", str(out), "--measure", measure]) == 0
    got = pd.read_csv(out)
    expected = function(kr.load_study(folder))
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) > 0
    assert got["participant_id"].tolist() == expected["participant_id"].astype(str).tolist()


def test_invalid_study_exits_1(tmp_path, capsys):
    study = kr.simulate_study("KOW", n=20, seed=1, mess={"entry_errors": 0.2})
    kr.write_study(study, tmp_path / "bad")
    assert main(["outcomes", str(tmp_path / "bad"), "--out", str(tmp_path / "x.csv")]) == 1
    assert "validation errors" in capsys.readouterr().err
