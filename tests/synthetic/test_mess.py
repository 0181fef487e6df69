"""Injected mess: validation reports exactly the injected rule violations."""

from __future__ import annotations

import pytest

import kow_research as kr
from kow_research.synthetic import simulate_study

MESS = {"missing_waves": 0.1, "late_assessments": 0.05, "duplicate_rows": 0.02,
        "entry_errors": 0.05}


@pytest.mark.parametrize("cohort", ["KOW", "GOW", "IPS"])
def test_validation_reports_exactly_the_injected_problems(cohort):
    study = simulate_study(cohort, n=400, seed=11, mess=MESS)
    injected = study.meta["injected"]
    expected = injected[injected["severity"] != "none"]
    report = kr.validate(study)
    got = report.problems
    key = ["table", "row", "rule"]
    assert sorted(map(tuple, got[key].astype({"row": int}).values.tolist())) == sorted(
        map(tuple, expected[key].values.tolist()))
    assert set(injected["rule"]) >= {"missing_wave", "late_assessment", "duplicate_row", "range"}


def test_no_mess_no_log_and_fractions_checked():
    assert "injected" not in simulate_study("KOW", n=20, seed=1).meta
    with pytest.raises(ValueError, match="must be a fraction"):
        simulate_study("KOW", n=20, seed=1, mess={"duplicate_rows": 2.0})


def test_missing_waves_are_removed_and_late_ones_moved():
    clean = simulate_study("KOW", n=400, seed=11)
    messy = simulate_study("KOW", n=400, seed=11, mess={"missing_waves": 0.2})
    n_missing = (messy.meta["injected"]["rule"] == "missing_wave").sum()
    assert len(clean.ladder) - len(messy.ladder) == n_missing > 0
