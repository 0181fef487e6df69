"""Simulators: validity, determinism, process consistency and calibration to published targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research.synthetic import get_params, simulate_studies, simulate_study

MONTH = 30.4375


def first_regular_job_within(study: kr.Study, months: float) -> float:
    """Share of participants whose first regular_paid spell starts within ``months`` of start.

    Written independently of the outcomes module: the plain definition a researcher would use
    for "competitive employment within 30 months" (Michon et al. 2014).
    """
    p = study.participants.set_index("participant_id")
    paid = study.spells[study.spells["kind"] == "regular_paid"]
    first = paid.groupby("participant_id", observed=True)["start_date"].min()
    days = (first - p["start_date"].reindex(first.index)).dt.days
    return float((days <= months * MONTH).sum() / len(p))


@pytest.mark.parametrize("cohort", ["KOW", "IPS", "TAU", "GOW"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_simulated_study_is_valid(cohort, seed):
    study = simulate_study(cohort, n=300, seed=seed)
    report = kr.validate(study)
    assert report.ok and report.warnings.empty, report.summary_text()
    for table, frame in study.tables.items():
        assert list(frame.columns) == kr.get_schema(table).columns
        for col, dtype in kr.get_schema(table).dtypes().items():
            assert frame[col].dtype == dtype, (table, col)


@pytest.mark.parametrize("cohort", ["KOW", "IPS", "TAU", "GOW"])
def test_default_sizes(cohort):
    expected = {"KOW": 115, "IPS": 70, "TAU": 81, "GOW": 60}[cohort]
    assert len(simulate_study(cohort, seed=1).participants) == expected


def test_same_seed_same_frames_and_global_state_untouched():
    np.random.seed(0)  # noqa: NPY002 - the legacy global state must not be touched
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    a = simulate_study("KOW", n=500, seed=7)
    assert (np.random.get_state()[1] == before).all()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002 - a different global state must not matter
    b = simulate_study("KOW", n=500, seed=7)
    for table in kr.data.TABLES:
        pd.testing.assert_frame_equal(a.tables[table], b.tables[table])
    c = simulate_study("KOW", n=500, seed=8)
    assert not a.participants["age"].equals(c.participants["age"])


def test_unknown_override_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown simulation parameter"):
        simulate_study("KOW", n=10, seed=1, job_rate=0.1)
    with pytest.raises(ValueError, match="unknown cohort"):
        simulate_study("XYZ", n=10, seed=1)


def test_overrides_change_the_process():
    base = simulate_study("KOW", n=3000, seed=4)
    more = simulate_study("KOW", n=3000, seed=4, job_rate_per_month=0.08)
    assert first_regular_job_within(more, 12) > first_regular_job_within(base, 12) + 0.1
    assert more.meta["parameters"]["job_rate_per_month"] == 0.08


def test_kow_population_and_schedule():
    study = simulate_study("KOW", n=2000, seed=5)
    p = study.participants
    assert p["age"].between(18, 60).all()
    assert p["smi"].any() and (~p["smi"]).any()  # mixed common and severe disorders
    s = study.sessions
    assert s["session_number"].between(1, 10).all()
    kinds = s.groupby("session_number")["session_type"].first()
    assert kinds[1] == "information"
    assert (kinds == "training").sum() == 5 and (kinds == "coaching").sum() == 4
    # the information meeting is in the month before the start; none in July or August
    first = s[s["session_number"] == 1].merge(p, on="participant_id")
    assert (first["session_date"] < first["start_date"]).all()
    assert not s["session_date"].dt.month.isin([7, 8]).any()
    assert set(study.ladder["wave"].unique()) <= {"T0", "T6", "T12", "T18"}


def test_nobody_attends_after_dropping_out():
    study = simulate_study("KOW", n=2000, seed=6)
    s = study.sessions.merge(study.participants[["participant_id", "dropout_date"]])
    after = s[s["dropout_date"].notna() & (s["session_date"] >= s["dropout_date"])]
    assert len(after) > 0 and not after["attended"].any()


def test_loss_to_follow_up_ends_the_records_not_the_job_process():
    # the same seed with and without loss to follow-up: whoever is still followed at their first
    # job finds it on the same day (the dose of the hazard counts unrecorded sessions too), and
    # the recorded sessions and dropouts are those of the world without loss, cut at its end
    kw = dict(n=3000, seed=11)
    lost = simulate_study("KOW", **kw, ltfu_rate_per_month=0.05)
    full = simulate_study("KOW", **kw, ltfu_rate_per_month=0.0)

    def first_job(study):
        paid = study.spells[study.spells["kind"] == "regular_paid"]
        return paid.groupby("participant_id", observed=True)["start_date"].min()

    p = lost.participants.set_index("participant_id")
    end = p["end_of_followup"]
    cut = end < full.participants.set_index("participant_id")["end_of_followup"]
    assert cut.sum() > 500                        # many are lost, many of them in the programme
    seen = first_job(lost)
    truth = first_job(full)
    assert seen.equals(truth[truth.index.isin(seen.index)])
    assert (truth[~truth.index.isin(seen.index)] > end.reindex(truth.index)[
        ~truth.index.isin(seen.index)]).all()
    s_lost = lost.sessions.set_index(["participant_id", "session_number"])["attended"]
    s_full = full.sessions.set_index(["participant_id", "session_number"])["attended"]
    assert s_lost.equals(s_full.reindex(s_lost.index))
    d_full = full.participants.set_index("participant_id")["dropout_date"]
    recorded = d_full.notna() & (d_full <= end)
    assert p["dropout_date"].notna().equals(recorded)


def test_gow_has_eight_online_sessions_in_ten_weeks():
    study = simulate_study("GOW", n=500, seed=2)
    s = study.sessions.merge(study.participants[["participant_id", "start_date"]])
    assert set(s["session_type"].unique()) == {"online_group"}
    assert s["session_number"].max() == 8
    assert ((s["session_date"] - s["start_date"]).dt.days <= 70).all()


def test_ladder_is_consistent_with_spells():
    """Rung 6 whenever the person is in regular paid work on the assessment date, etc."""
    study = simulate_study("KOW", n=3000, seed=9)
    lad = study.ladder.reset_index().merge(study.spells, on="participant_id")
    covers = (lad["start_date"] <= lad["assessment_date"]) & (
        lad["end_date"].isna() | (lad["end_date"] >= lad["assessment_date"]))
    level = lad["kind"].map({"regular_paid": 6, "supported_paid": 5, "work_experience": 4,
                             "volunteer": 4}).astype(int).where(covers, 0)
    expected = level.groupby(lad["index"]).max()
    got = study.ladder["rung"].astype(int).reindex(expected.index)
    working = expected > 0
    assert working.sum() > 500
    assert (got[working] == expected[working]).all()
    assert (study.ladder["rung"].astype(int).drop(expected.index[working]) <= 4).all()


def test_ips_trial_waves_and_no_sessions():
    study = simulate_study("IPS", n=200, seed=1)
    assert study.sessions.empty
    assert set(study.ladder["wave"].unique()) <= {"T0", "T6", "T18", "T30"}


@pytest.mark.slow
def test_calibration_to_michon_2014():
    """IPS 44 % vs TAU 25 % competitive employment within 30 months, within ±3 points."""
    ips = first_regular_job_within(simulate_study("IPS", n=20_000, seed=101), 30)
    tau = first_regular_job_within(simulate_study("TAU", n=20_000, seed=202), 30)
    assert abs(ips - 0.44) <= 0.03, ips
    assert abs(tau - 0.25) <= 0.03, tau


def test_kow_defaults_are_labelled_assumptions():
    params = get_params("KOW")
    assert any("ASSUMPTION" in note for note in params.notes)
    assert any("ASSUMPTION" in note for note in get_params("GOW").notes)


def test_simulate_studies_combines_cohorts_with_unique_ids():
    study = simulate_studies({"KOW": 40, "IPS": 30}, seed=3)
    assert study.participants["cohort"].value_counts().to_dict() == {"KOW": 40, "IPS": 30}
    assert study.participants["participant_id"].is_unique
    assert kr.validate(study).ok
    with pytest.raises(ValueError, match="occurs in more than one study"):
        kr.synthetic.combine_studies(simulate_study("KOW", n=5, seed=1),
                                     simulate_study("KOW", n=5, seed=2))


def test_true_effect_is_the_coupled_counterfactual():
    """Same people, same draws; only the programme effect changes. With the reference's own
    effect the two arms are identical (risk difference exactly 0)."""
    from kow_research.synthetic import true_effect

    eff = true_effect("KOW", reference="IPS", n=5_000, seed=3, horizon_months=12)
    assert eff.conditional_log_hr == pytest.approx(get_params("KOW").log_hr_programme
                                                   - get_params("IPS").log_hr_programme)
    assert eff.log_hr < 0 and eff.risk_difference < 0      # KOW's assumed effect is smaller
    same = true_effect("KOW", reference="IPS", n=2_000, seed=3,
                       log_hr_programme=get_params("IPS").log_hr_programme)
    assert same.risk_difference == 0.0 and same.hazard_ratio == pytest.approx(1.0, abs=1e-9)
