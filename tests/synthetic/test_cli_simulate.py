"""``kow-research simulate``."""

from __future__ import annotations

import pandas as pd

import kow_research as kr
from kow_research.cli import main


def test_simulate_writes_a_valid_study(tmp_path, capsys):
    out = tmp_path / "sim"
    assert main(["simulate", "--cohort", "KOW", "--n", "25", "--seed", "1", "--out", str(out),
                 "--format", "parquet"]) == 0
    study = kr.load_study(out)
    assert len(study.participants) == 25
    direct = kr.simulate_study("KOW", n=25, seed=1)
    pd.testing.assert_frame_equal(study.participants, direct.participants)


def test_simulate_several_cohorts_csv(tmp_path):
    out = tmp_path / "sim"
    assert main(["simulate", "--cohort", "IPS", "--cohort", "TAU", "--out", str(out)]) == 0
    counts = kr.load_study(out).participants["cohort"].value_counts().to_dict()
    assert counts == {"IPS": 70, "TAU": 81}
