"""The simulated trial of a TrialDesign: validation, the simulator parameters it sets, the
data cut at the analysis date (checked by hand on a two-person study), and common random
numbers between effects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kow_research.core import DAYS_PER_MONTH
from kow_research.data.study import Study
from kow_research.design import TrialDesign, sample_size, simulate_trial, trial_design_from
from kow_research.design.trial import data_cut, seed_integer


def test_design_checks_its_arguments():
    with pytest.raises(ValueError, match="exactly two arms"):
        TrialDesign(arms={"A": 10, "B": 10, "C": 10})
    with pytest.raises(ValueError, match="whole number >= 2"):
        TrialDesign(arms={"A": 10, "B": 1})
    with pytest.raises(ValueError, match="hr must be a number > 0"):
        TrialDesign(arms={"A": 10, "B": 10}, hr=0)
    with pytest.raises(ValueError, match="randomised=False"):
        TrialDesign(arms={"A": 10, "B": 10}, confounding={"age_mean": 45.0})
    with pytest.raises(ValueError, match="use \\['hr'\\] instead"):
        TrialDesign(arms={"A": 10, "B": 10}, overrides={"log_hr_programme": 0.2})
    with pytest.raises(ValueError, match="unknown simulation parameter"):
        TrialDesign(arms={"A": 10, "B": 10}, overrides={"no_such_thing": 1})
    with pytest.raises(ValueError, match="waves_months must start at 0"):
        TrialDesign(arms={"A": 10, "B": 10}, waves_months=(6, 12))


def test_simulator_parameters_of_each_arm():
    d = TrialDesign(arms={"KOW": 100, "CAU": 50}, hr=0.7, accrual_months=18,
                    follow_up_months=6, dropout_per_month=0.01, loss_per_month=0.0,
                    randomised=False, confounding={"age_mean": 45.0})
    prog, comp = d.simulator_overrides("KOW"), d.simulator_overrides("CAU")
    assert prog["log_hr_programme"] == pytest.approx(math.log(0.7)) and \
        comp["log_hr_programme"] == 0.0
    assert prog["groups_per_year"] == 0 and prog["recruitment_years"] == 1.5
    assert prog["followup_months"] == 24.0                # until the analysis
    assert prog["dropout_rate_per_month"] == 0.01 and prog["ltfu_rate_per_month"] == 0.0
    assert "age_mean" not in prog and comp["age_mean"] == 45.0
    assert d.allocation == pytest.approx(2 / 3) and d.with_n(300).arms == {"KOW": 200,
                                                                           "CAU": 100}
    # the analysis date: 24 months after the first start, in whole days
    first = pd.Timestamp("2021-02-01")
    assert d.cut_date() == first + pd.Timedelta(days=round(24 * DAYS_PER_MONTH))


def _two_people() -> Study:
    ts = pd.Timestamp
    participants = Study.empty_table("participants").reindex(range(2))
    participants["participant_id"] = pd.array(["A-1", "A-2"], dtype="string")
    participants["cohort"] = pd.array(["A", "A"], dtype="string")
    participants["start_date"] = [ts("2021-01-01"), ts("2021-06-01")]
    participants["end_of_followup"] = [ts("2021-12-31"), ts("2022-06-01")]
    participants["dropout_date"] = [pd.NaT, ts("2022-02-01")]
    participants["dropout_reason"] = pd.Categorical([None, "health"],
                                                    categories=participants[
                                                        "dropout_reason"].cat.categories)
    spells = pd.DataFrame({"participant_id": ["A-1", "A-2", "A-2"],
                           "start_date": [ts("2021-03-01"), ts("2021-09-01"),
                                          ts("2022-03-01")],
                           "end_date": [ts("2021-05-01"), pd.NaT, pd.NaT],
                           "kind": ["regular_paid", "volunteer", "regular_paid"],
                           "hours_per_week": [20.0, 8.0, 30.0]})
    ladder = pd.DataFrame({"participant_id": ["A-1", "A-2", "A-2"],
                           "assessment_date": [ts("2021-01-01"), ts("2021-06-01"),
                                               ts("2022-01-15")],
                           "rung": [2, 3, 4], "wave": ["T0", "T0", "T6"]})
    sessions = pd.DataFrame({"participant_id": ["A-2", "A-2"],
                             "session_number": [1, 2], "session_type": ["training"] * 2,
                             "session_date": [ts("2021-06-01"), ts("2022-01-10")],
                             "attended": [True, False]})
    return Study(participants=participants, spells=spells, ladder=ladder, sessions=sessions)


def test_data_cut_by_hand():
    # cut on 2022-01-01: A-1 (follow-up ends 2021-12-31) is untouched; A-2's follow-up ends
    # on the cut, the dropout of 2022-02-01 and the job of 2022-03-01 are not yet known,
    # the volunteer spell from 2021-09-01 is ongoing, the T6 assessment (2022-01-15) and the
    # session of 2022-01-10 are in the future
    cut = data_cut(_two_people(), pd.Timestamp("2022-01-01"))
    p = cut.participants.set_index("participant_id")
    assert p.loc["A-1", "end_of_followup"] == pd.Timestamp("2021-12-31")
    assert p.loc["A-2", "end_of_followup"] == pd.Timestamp("2022-01-01")
    assert pd.isna(p.loc["A-2", "dropout_date"]) and pd.isna(p.loc["A-2", "dropout_reason"])
    assert cut.spells["start_date"].tolist() == [pd.Timestamp("2021-03-01"),
                                                 pd.Timestamp("2021-09-01")]
    assert cut.spells["end_date"].isna().tolist() == [False, True]
    assert cut.ladder["wave"].tolist() == ["T0", "T0"]
    assert cut.sessions["session_number"].tolist() == [1]


def test_simulated_trial_follows_the_design():
    d = TrialDesign(arms={"KOW": 60, "CAU": 40}, hr=0.7, accrual_months=6,
                    follow_up_months=6)
    s = simulate_trial(d, seed=4)
    p = s.participants
    assert p["cohort"].value_counts().to_dict() == {"KOW": 60, "CAU": 40}
    first = pd.Timestamp("2021-02-01")
    offset = (p["start_date"] - first).dt.days
    assert offset.min() >= 0 and offset.max() < round(6 * DAYS_PER_MONTH)   # uniform accrual
    assert (p["end_of_followup"] <= d.cut_date()).all()
    assert (s.spells["start_date"] <= d.cut_date()).all()
    assert p["participant_id"].is_unique
    again = simulate_trial(d, seed=4)
    pd.testing.assert_frame_equal(again.participants, p)
    pd.testing.assert_frame_equal(again.spells, s.spells)


def test_common_random_numbers_between_effects():
    # the comparator arm does not depend on hr, and the programme arm under hr = 1 is the
    # same people (same baseline, dropout and loss), only their jobs differ
    d = TrialDesign(arms={"KOW": 80, "CAU": 80}, hr=0.5)
    a, b = simulate_trial(d, seed=9), simulate_trial(d, seed=9, hr=1.0)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    comp_a = a.spells[a.spells["participant_id"].str.startswith("CAU")]
    comp_b = b.spells[b.spells["participant_id"].str.startswith("CAU")]
    pd.testing.assert_frame_equal(comp_a.reset_index(drop=True), comp_b.reset_index(drop=True))
    jobs = [s.spells[(s.spells["kind"] == "regular_paid")
                     & s.spells["participant_id"].str.startswith("KOW")] for s in (a, b)]
    assert len(jobs[0]) < len(jobs[1])           # hr 0.5: fewer jobs than without effect


def test_seed_streams_do_not_depend_on_spawning():
    root = np.random.SeedSequence(3)
    children = root.spawn(2)
    assert seed_integer(children[1], 0) == seed_integer(np.random.SeedSequence(3).spawn(2)[1], 0)
    assert seed_integer(children[1], 0) != seed_integer(children[1], 1)
    assert seed_integer(children[0], 0) != seed_integer(children[1], 0)


def test_trial_design_from_an_analytic_result():
    res = sample_size(outcome="time", hr=0.7, hazard_control=0.04, accrual=12, follow_up=6,
                      loss_hazard=0.01)
    d = trial_design_from(res, homogeneous=True, arms=("P", "C"))
    assert d.arms == {"P": res.n_treated, "C": res.n_control}
    assert (d.hr, d.accrual_months, d.follow_up_months) == (0.7, 12.0, 6.0)
    assert d.dropout_per_month == 0.0 and d.loss_per_month == 0.01
    assert d.overrides["job_rate_per_month"] == 0.04 and d.overrides["beta_smi"] == 0.0
    sub = sample_size(outcome="competing_subdistribution", hr=0.7, hazard_control=0.04,
                      competing_hazard=0.02, accrual=12, follow_up=6)
    with pytest.raises(ValueError, match="cause-specific hazard ratio"):
        trial_design_from(sub)
