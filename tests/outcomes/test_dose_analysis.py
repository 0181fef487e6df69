"""Dose analyses without immortal time: the landmark set, the counting-process rows, their models
against R on the same data, the sentences, and the bias check with the dose effect switched off.

The hand-built study: origin 2020-01-01 for everyone, end of follow-up 2021-01-01 (day 366;
2020 is a leap year). Four planned sessions (``planned={"KOW": 4}``), completer from 3
(``completer_fraction=0.75``), on days -14 (2019-12-18), 0, 30 (Jan 31) and 60 (Mar 1), so the
default landmark is day 60. Day numbers: Feb 1 = 31, Feb 15 = 45, Jun 1 = 152, Jul 1 = 182,
Sep 1 = 244, Oct 1 = 274.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import kow_research as kr
from kow_research.core import DAYS_PER_MONTH, Result, Summary
from kow_research.data import Study
from kow_research.outcomes.dose_analysis import (
    LandmarkDoseResult,
    TimeVaryingDoseResult,
    landmark_dose,
    time_varying_dose,
)
from kow_research.outcomes.dose_data import dose_counting_process, landmark_data
from tests.outcomes.reference.make_dose_data import read_inputs
from tests.project import test_api as api
from tests.r_support import run_r_script

REF = Path(__file__).parent / "reference"
ORIGIN = pd.Timestamp("2020-01-01")
PLAN = {"KOW": 4}
DAYS = (-14, 0, 30, 60)

# person: (attended per planned session (None = missing), job day, dropout day, end day)
PEOPLE: dict[str, tuple[tuple[bool | None, ...], int | None, int | None, int]] = {
    "A": ((True, True, True, True), 152, None, 366),     # completer, job after the landmark
    "B": ((True, True, False, False), None, None, 366),  # 2 sessions, censored at the end
    "C": ((False, True, True, True), 274, None, 366),    # 3: the day-60 session counts
    "D": ((False, True, True, True), 31, None, 366),     # job before the landmark
    "E": ((True, True, False, False), 244, 45, 366),     # dropout day 45, job after
    "F": ((True, True, True, True), None, None, 60),     # follow-up ends on the landmark
    "G": ((False, True, True, True), 60, None, 366),     # job on the landmark day
    "H": ((True, None, True, None), None, 182, 366),     # 2 attended (missing = no), dropout
}


def tiny_study(extra_sessions: list[tuple[str, int, float | None, bool]] = ()) -> Study:
    ids = list(PEOPLE)
    day = lambda d: ORIGIN + pd.Timedelta(days=d)  # noqa: E731
    people = pd.DataFrame({
        "participant_id": ids, "cohort": "KOW", "start_date": ORIGIN,
        "end_of_followup": [day(PEOPLE[i][3]) for i in ids],
        "dropout_date": pd.to_datetime([day(PEOPLE[i][2]) if PEOPLE[i][2] else None
                                        for i in ids]),
        "age": np.arange(30, 30 + len(ids)), "smi": [k % 2 == 0 for k in range(len(ids))]})
    rows = [(i, k + 1, day(DAYS[k]), a) for i in ids for k, a in enumerate(PEOPLE[i][0])]
    rows += [(i, n, None if d is None else day(d), a) for i, n, d, a in extra_sessions]
    sessions = pd.DataFrame(rows, columns=["participant_id", "session_number", "session_date",
                                           "attended"])
    sessions["session_type"] = "training"
    sessions["attended"] = sessions["attended"].astype("boolean")
    jobs = [(i, day(PEOPLE[i][1])) for i in ids if PEOPLE[i][1] is not None]
    spells = pd.DataFrame({"participant_id": [j[0] for j in jobs],
                           "start_date": [j[1] for j in jobs], "end_date": pd.NaT,
                           "kind": "regular_paid", "hours_per_week": 20.0})
    return Study.from_frames(participants=people, sessions=sessions, spells=spells)


def lm(study: Study | None = None, **kw) -> pd.DataFrame:
    return landmark_data(study or tiny_study(), planned=PLAN, completer_fraction=0.75, **kw)


def flow(df: pd.DataFrame) -> dict[str, int]:
    return {r["reason"]: r["n"] for r in df.attrs["attrition"]}


# ------------------------------------------------------------------ landmark data by hand

def test_landmark_data_by_hand():
    d = lm().set_index("participant_id")
    # at risk at day 60 (time > 60): A (job 152), B (censored 366), C (job 274), H (dropout 182)
    assert list(d.index) == ["A", "B", "C", "H"]
    assert d["time"].tolist() == [152 - 60, 366 - 60, 274 - 60, 182 - 60]
    assert d["event"].tolist() == [1, 0, 1, 2]
    # sessions by day 60: A 4; B 2; C 3 (the day-60 session counts); H 2 (missing = not)
    assert d["sessions"].tolist() == [4, 2, 3, 2]
    assert d["status"].tolist() == ["completer", "non-completer", "completer", "non-completer"]
    assert d["completer"].tolist() == [1, 0, 1, 0]
    assert_allclose(d["fraction"], [4 / 4, 2 / 4, 3 / 4, 2 / 4])
    assert d["age"].tolist() == [30, 31, 32, 37]          # covariates carried over
    lmk = d.attrs["definition"]["landmark"]
    assert (lmk["days"], lmk["rule"], lmk["need"], lmk["planned"]) == (60.0, "last_planned_session",
                                                                       3, 4)
    assert d.attrs["definition"]["dropout"] == "competing"  # the outcome's definition kept
    assert "Landmark day 60" in d.attrs["definition_text"]["en"]
    assert "Landmark dag 60" in d.attrs["definition_text"]["nl"]


def test_landmark_attrition_counts_every_exclusion():
    # D job day 31 and G job day 60 (= landmark): paid work; E dropout day 45: competing;
    # F follow-up ends on day 60: censored
    assert flow(lm()) == {"in_outcome": 8, "paid_work_before_landmark": 2,
                          "competing_before_landmark": 1, "censored_before_landmark": 1,
                          "at_risk_at_landmark": 4, "completer": 2, "non-completer": 2}


def test_dropout_strategy_decides_who_is_at_risk():
    # censor: E is censored at day 45, so excluded as censored
    f = flow(lm(outcome={"dropout": "censor"}))
    assert (f["competing_before_landmark"], f["censored_before_landmark"]) == (0, 2)
    # ignore: E stays, followed to her job on day 244; H's dropout is no event either
    d = lm(outcome={"dropout": "ignore"}).set_index("participant_id")
    assert list(d.index) == ["A", "B", "C", "E", "H"]
    assert d.loc["E", ["time", "event", "sessions"]].tolist() == [244 - 60, 1, 2]
    assert d.loc["H", ["time", "event"]].tolist() == [366 - 60, 0]


def test_a_given_landmark_and_another_time_unit():
    d = lm(landmark_days=40).set_index("participant_id")
    # at day 40 D (job day 31) is excluded, E (dropout day 45) is at risk; C attended 2 by then
    assert "D" not in d.index and d.loc["E", ["time", "event"]].tolist() == [5, 2]
    assert d.loc["C", "sessions"] == 2 and d.loc["C", "status"] == "non-completer"
    assert d.attrs["definition"]["landmark"]["rule"] == "given"
    months = lm(outcome={"unit": "months"}).set_index("participant_id")
    assert_allclose(months.loc["A", "time"], (152 - 60) / DAYS_PER_MONTH, rtol=1e-12)


def test_extra_and_undated_sessions():
    # A session numbered 5 (beyond the plan) on day 200 does not move the landmark; an attended
    # session without a date is left out and counted
    s = tiny_study([("B", 5, 200, True), ("B", 6, None, True)])
    d = lm(s)
    assert d.attrs["definition"]["landmark"]["days"] == 60.0
    assert d.attrs["definition"]["landmark"]["undated_attended_sessions"] == 1
    assert d.set_index("participant_id").loc["B", "sessions"] == 2


def test_the_caller_frames_are_left_alone():
    s = tiny_study()
    ttw = kr.outcomes.time_to_paid_work(s)
    before = (ttw.copy(deep=True), s.sessions.copy(deep=True), dict(ttw.attrs))
    lm(s, outcome=ttw)
    dose_counting_process(s, planned=PLAN, completer_fraction=0.75, outcome=ttw)
    pd.testing.assert_frame_equal(ttw, before[0])
    pd.testing.assert_frame_equal(s.sessions, before[1])
    assert ttw.attrs == before[2]


def test_errors_say_what_to_do():
    s = tiny_study()
    with pytest.raises(ValueError, match="positive number of days"):
        lm(s, landmark_days=0)
    with pytest.raises(ValueError, match="nobody of cohort 'KOW' is still at risk"):
        lm(s, landmark_days=400)
    with pytest.raises(ValueError, match=r"completer_fraction must lie in \(0, 1\]"):
        landmark_data(s, planned=PLAN, completer_fraction=1.5)
    with pytest.raises(ValueError, match="cohort 'IPS' has no planned number"):
        lm(s, cohort="IPS")
    with pytest.raises(ValueError, match="cohort 'GOW' has nobody"):
        landmark_data(s, planned={"KOW": 4, "GOW": 8}, cohort="GOW")
    with pytest.raises(TypeError, match="outcome must be None, a DataFrame"):
        lm(s, outcome=3)
    with pytest.raises(ValueError, match="participant_id 'Z' is not in the study"):
        lm(s, outcome=pd.DataFrame({"participant_id": ["Z"], "time": [5.0], "event": [1]}))
    two = kr.simulate_studies({"KOW": 20, "GOW": 20}, seed=1)
    with pytest.raises(ValueError, match=r"choose the programme with cohort=.*'KOW', 'GOW'"):
        landmark_data(two)
    assert set(landmark_data(two, cohort="GOW")["cohort"]) == {"GOW"}
    with pytest.raises(ValueError, match="give landmark_days"):
        landmark_data(Study.from_frames(participants=s.participants), planned=PLAN,
                      outcome=kr.outcomes.time_to_paid_work(s))


# ------------------------------------------------------------ counting process by hand

def test_counting_process_by_hand():
    cp = dose_counting_process(tiny_study(), planned=PLAN, completer_fraction=0.75)
    by = {i: g[["start", "stop", "event", "sessions", "completer"]].values.tolist()
          for i, g in cp.groupby("participant_id", sort=False)}
    # A: sessions on days -14 and 0 count from the start (2), then 30 (3) and 60 (4)
    assert by["A"] == [[0, 30, 0, 2, 0], [30, 60, 0, 3, 1], [60, 152, 1, 4, 1]]
    # D: job on day 31, the day-60 session falls after her follow-up
    assert by["D"] == [[0, 30, 0, 1, 0], [30, 31, 1, 2, 0]]
    # G: job on day 60, the day of a session: the earlier value (2) applies at the event
    assert by["G"] == [[0, 30, 0, 1, 0], [30, 60, 1, 2, 0]]
    # E: dropout on day 45 (competing, code 2) after two sessions counted from the start
    assert by["E"] == [[0, 45, 2, 2, 0]]
    # H: attended -14 and 30 (the missing ones count as not attended), dropout day 182
    assert by["H"] == [[0, 30, 0, 1, 0], [30, 182, 2, 2, 0]]
    assert_allclose(cp["fraction"], cp["sessions"] / 4)
    assert cp.groupby("participant_id")["event"].apply(lambda e: (e[:-1] == 0).all()).all()
    assert cp.attrs["definition"]["dose"]["need"] == 3


def test_counting_process_same_day_sessions_and_months():
    # two attended rows on one day count twice (from that day), in the outcome's unit
    s = tiny_study([("B", 5, 100, True), ("B", 6, 100, True)])
    cp = dose_counting_process(s, planned=PLAN, completer_fraction=0.75,
                               outcome={"unit": "months"})
    b = cp[cp["participant_id"] == "B"]
    assert b["sessions"].tolist() == [2, 4]
    assert_allclose(b["start"], [0, 100 / DAYS_PER_MONTH], rtol=1e-12)
    assert_allclose(b["stop"].iloc[-1], 366 / DAYS_PER_MONTH, rtol=1e-12)


# --------------------------------------------------------------- against R on the same data

def _fixture(model: str, route: str) -> pd.DataFrame:
    ref = pd.read_csv(REF / "dose_fixture.csv")
    return ref[(ref["model"] == model) & (ref["route"] == route)].set_index("term")


@pytest.fixture(scope="module")
def stored():
    return read_inputs(REF)


def test_exported_data_sets_are_what_the_functions_build(stored):
    """The CSVs R fits are the functions' output on the stored inputs (exact: same arithmetic
    on whole days)."""
    study, outcome = stored
    cols = ["participant_id", "time", "event", "sessions", "fraction", "completer", "age", "smi"]
    pd.testing.assert_frame_equal(landmark_data(study, outcome=outcome)[cols],
                                  pd.read_csv(REF / "dose_landmark.csv"), check_dtype=False)
    cols = ["participant_id", "start", "stop", "event", "sessions", "fraction", "completer",
            "age", "smi"]
    pd.testing.assert_frame_equal(dose_counting_process(study, outcome=outcome)[cols],
                                  pd.read_csv(REF / "dose_cp.csv"), check_dtype=False)


def test_r_rebuilds_the_same_data_sets():
    """dose_reference.R builds both data sets from the inputs on its own (landmark rule by
    hand, ``tmerge``/``cumtdc``); not one row differs, and its landmark is the same day."""
    check = pd.read_csv(REF / "dose_rebuilt_check.csv").set_index("data")
    assert check["rows_differing"].tolist() == [0, 0]
    assert (check["rows_exported"] == check["rows_rebuilt"]).all()
    assert check["landmark_day"].tolist() == [304, 304]


@pytest.mark.parametrize("route", ["exported", "rebuilt"])
@pytest.mark.parametrize("exposure", ["completed", "cumulative_sessions"])
def test_landmark_cox_matches_coxph(stored, exposure, route):
    """``coxph(Surv(time, event == 1) ~ completer + age + smi, ties = "efron")`` on the
    landmark set; 1e-6 relative (both Newton fits converge to ~1e-10)."""
    study, outcome = stored
    res = landmark_dose(study, outcome=outcome, exposure=exposure)
    ref = _fixture(f"landmark_cox_{exposure}", route)
    coef = res.cox.coef.loc[ref.index]
    assert_allclose(coef["coef"], ref["coef"], rtol=1e-6)
    assert_allclose(coef["se"], ref["se"], rtol=1e-6)


@pytest.mark.parametrize("route", ["exported", "rebuilt"])
def test_landmark_fine_gray_and_gray_test_match_cmprsk(stored, route):
    """``cmprsk::crr`` (Breslow ties, the Fine–Gray sandwich with the term for the estimated
    censoring distribution) and ``cmprsk::cuminc``'s Gray test by completer status; 1e-6."""
    study, outcome = stored
    res = landmark_dose(study, outcome=outcome)
    ref = _fixture("landmark_fine_gray_completed", route)
    coef = res.fine_gray.coef.loc[ref.index]
    assert_allclose(coef["coef"], ref["coef"], rtol=1e-6)
    assert_allclose(coef["se"], ref["se"], rtol=1e-6)
    gray = pd.read_csv(REF / "dose_gray_fixture.csv")
    gray = gray[gray["route"] == route].set_index("cause")
    ours = res.gray.table.set_index("cause").loc[gray.index]
    assert_allclose(ours["statistic"], gray["statistic"], rtol=1e-6)
    assert_allclose(ours["p"], gray["p"], rtol=1e-6)


@pytest.mark.parametrize("route", ["exported", "rebuilt"])
@pytest.mark.parametrize("exposure", ["cumulative_sessions", "completed", "fraction"])
def test_time_varying_matches_coxph(stored, exposure, route):
    """``coxph(Surv(start, stop, event == 1) ~ sessions + age + smi, ties = "efron")`` on the
    counting-process rows (dropout censored: cause-specific); 1e-6 relative."""
    study, outcome = stored
    res = time_varying_dose(study, outcome=outcome, exposure=exposure)
    ref = _fixture(f"time_varying_{exposure}", route)
    coef = res.coefficients.loc[ref.index]
    assert_allclose(coef["coef"], ref["coef"], rtol=1e-6)
    assert_allclose(coef["se"], ref["se"], rtol=1e-6)


@pytest.mark.r_reference
def test_dose_r_script_reproduces_the_fixtures(tmp_path):
    """coxph/crr with tight tolerances land on the same optimum on any machine to ~1e-9."""
    run_r_script(REF / "dose_reference.R", tmp_path, ("survival", "cmprsk"))
    for name, cols in (("dose_fixture.csv", ["coef", "se"]),
                       ("dose_gray_fixture.csv", ["statistic", "p"])):
        after, stored_ = pd.read_csv(tmp_path / name), pd.read_csv(REF / name)
        assert after.drop(columns=cols).equals(stored_.drop(columns=cols))
        assert_allclose(after[cols], stored_[cols], rtol=1e-8)
    after = pd.read_csv(tmp_path / "dose_rebuilt_check.csv")
    assert after.equals(pd.read_csv(REF / "dose_rebuilt_check.csv"))


# ------------------------------------------------------------------ results and sentences

@pytest.fixture(scope="module")
def results():
    study = kr.simulate_studies({"KOW": 300}, seed=5, beta_dose=0.0)
    return landmark_dose(study), time_varying_dose(study)


def test_result_protocol(results):
    for res in results:
        assert isinstance(res, Result)
        lines = repr(res).splitlines()
        assert 1 <= len(lines) < 15 and lines[0].startswith(f"<{type(res).__name__}:")
        s = res.summary()
        assert isinstance(s, Summary)
        assert "<h4>" in s.as_html() and "\\begin{tabular}" in s.as_latex()
        assert res.sentence("en") in s.as_text()
        assert isinstance(res.to_frame(), pd.DataFrame)
        json.dumps(res.attrs, default=str)
        with pytest.raises(Exception, match="cannot assign"):
            res.alpha = 0.1
    lmk = results[0]
    ax = lmk.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    import matplotlib.pyplot as plt

    _, given = plt.subplots()
    assert lmk.plot(ax=given) is given
    plt.close("all")
    at = lmk.at([0, 365])
    assert set(at["group"]) == {"completer", "non-completer"}
    assert (at.loc[at["time"] == 0, "estimate"] == 0).all()


def test_sentences_are_built_from_the_result(results):
    lmk, tv = results
    row = lmk.effect.set_index("model").loc["cox"]
    flow_ = lmk.attrition.set_index("reason")["n"]
    en = lmk.sentence("en")
    assert en.startswith(f"From the end of the training period (day {lmk.landmark:g}), ")
    assert f"a hazard {row['estimate']:.2f} times (95% CI {row['lower']:.2f}–" \
           f"{row['upper']:.2f})" in en
    assert f"among the {flow_['at_risk_at_landmark']} people" in en
    assert "adjusted for age and severe mental illness" in en
    assert "cause-specific hazard: dropout ends follow-up as a competing event" in en
    nl = lmk.sentence("nl")
    assert f"hazard {row['estimate']:.2f} keer".replace(".", ",") in nl
    assert f"onder de {lmk.n} mensen" in nl and "95%-BI" in nl
    r = tv.coefficients.loc["sessions"]
    assert f"{r['estimate']:.2f} times (95% CI {r['lower']:.2f}–{r['upper']:.2f})" in \
        tv.sentence("en")
    assert f"among the {tv.fit.n} people followed from the start" in tv.sentence("en")
    with pytest.raises(ValueError, match="language must be 'en' or 'nl'"):
        lmk.sentence("de")


def test_sentence_follows_the_options():
    study = kr.simulate_studies({"KOW": 300}, seed=5, beta_dose=0.0)
    res = landmark_dose(study, landmark_days=365, exposure="cumulative_sessions",
                        outcome={"dropout": "censor"}, covariates=["age"], alpha=0.1)
    en = res.sentence("en")
    assert en.startswith("From day 365, each additional session attended went with")
    assert "90% CI" in en and "adjusted for age," in en
    assert "still without a job and in follow-up then; cause-specific hazard." in en
    assert res.fine_gray is None and list(res.effect["model"]) == ["cox"]
    tv = time_varying_dose(study, exposure="completed", covariates=())
    assert "people who had completed the training (at least 8 of 10 sessions)" in \
        tv.sentence("en") and "adjusted" not in tv.sentence("en")
    with pytest.raises(ValueError, match="exposure must be one of"):
        time_varying_dose(study, exposure="dose")
    with pytest.raises(ValueError, match="covariates include 'sessions'"):
        time_varying_dose(study, covariates=["sessions"])


def test_landmark_needs_both_statuses():
    with pytest.raises(ValueError, match="are completers: there is nothing to compare"):
        landmark_dose(tiny_study(), planned=PLAN, completer_fraction=0.25, covariates=())


@pytest.mark.parametrize("func", [landmark_data, dose_counting_process, landmark_dose,
                                  time_varying_dose], ids=lambda f: f.__name__)
def test_public_api_conventions(func):
    """The project's signature and numpydoc checks (``tests/project/test_api.py``), applied
    here because these functions are not (yet) in ``kow_research.outcomes.__all__``."""
    name = f"kow_research.outcomes.{func.__name__}"
    api.test_data_first_then_keyword_only(name, func)
    api.test_one_name_for_one_idea(name, func)
    api.test_concrete_return_type(name, func)
    api.test_numpydoc_sections(name, func)
    assert LandmarkDoseResult.sentence.__doc__ and TimeVaryingDoseResult.sentence.__doc__


# -------------------------------------------------------- the bias is gone (dose effect off)

def naive_difference(study: Study, days: float = 365.0) -> float:
    """Notebook 05's comparison: cumulative incidence of paid work at ``days`` from the start
    date, completers minus non-completers (status from all sessions ever attended)."""
    ttw = kr.outcomes.time_to_paid_work(study)
    dose = kr.outcomes.training_dose(study)
    d = ttw.merge(dose[["participant_id", "completer"]], on="participant_id")
    d["completer"] = d["completer"].map({True: "completer", False: "non-completer"})
    at = kr.survival.cumulative_incidence(d, cause=1, by="completer").at([days])
    at = at.set_index("group")["estimate"]
    return float(at["completer"] - at["non-completer"])


def test_no_immortal_time_bias_without_a_dose_effect():
    """With ``beta_dose=0`` attendance has no effect on the job hazard. Over 6 seeded KOW
    cohorts of 400 the naive comparison from the start date favours completers (mean +0.08 at
    12 months, every cohort above 0.03), while the landmark hazard ratio and the time-varying
    coefficient sit at the null: their means lie within 2.5 Monte Carlo SEs of 0 and each CI
    covers the null. The full study (50 cohorts, coverage rates) is
    ``validation/dose_immortal_time.py``."""
    naive, lm_coef, tv_coef, lm_cover, tv_cover = [], [], [], [], []
    for seed in range(101, 107):
        study = kr.simulate_studies({"KOW": 400}, seed=seed, beta_dose=0.0)
        naive.append(naive_difference(study))
        lmk = landmark_dose(study).effect.set_index("model").loc["cox"]
        lm_coef.append(lmk["coef"])
        lm_cover.append(lmk["lower"] <= 1 <= lmk["upper"])
        tv = time_varying_dose(study).coefficients.loc["sessions"]
        tv_coef.append(tv["coef"])
        tv_cover.append(tv["lower"] <= 1 <= tv["upper"])
    naive, lm_coef, tv_coef = map(np.asarray, (naive, lm_coef, tv_coef))
    assert naive.mean() > 0.05 and (naive > 0.03).all(), naive
    for coef in (lm_coef, tv_coef):
        mc_se = coef.std(ddof=1) / np.sqrt(len(coef))
        assert abs(coef.mean()) < 2.5 * mc_se, coef
    assert all(lm_cover) and all(tv_cover)
