"""time_to_paid_work on the hand-built study: every rule, expected values counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kow_research.outcomes import attrition, attrition_table, excluded_table, time_to_paid_work

from .handmade import handmade_study


def result(**options) -> dict[str, tuple[float, int]]:
    df = time_to_paid_work(handmade_study(), **options)
    return {r.participant_id: (r.time, r.event) for r in df.itertuples()}


# expected (time, event) with the defaults: dropout competing, regular paid only, any hours,
# any duration, origin start_date, no horizon, job on the origin day excluded
DEFAULT = {
    "P01": (366, 0),   # no paid spell: censored at end of follow-up
    "P04": (60, 1),    # the old job ended before the origin; new job on Mar 1
    "P05": (121, 1),   # work and dropout on the same day: work
    "P06": (31, 2),    # dropout first: competing event
    "P07": (45, 1),    # work first, dropout after it does not matter
    "P08": (60, 1),    # the short job counts when min_days = 0
    "P09": (354, 1),
    "P10": (366, 0),   # the job starts after end of follow-up: not seen
    "P11": (244, 1),   # supported work does not count by default
    "P12": (31, 1),
    "P13": (213, 1),
    "P14": (274, 2),
    "P15": (60, 1),    # intake date is not needed with origin = start_date
}


def test_defaults():
    assert result() == DEFAULT


def test_excluded_people_are_counted_not_analysed():
    table = attrition(handmade_study())
    n = table.set_index("reason")["n"]
    assert n["entered"] == 15 and n["analysed"] == 13
    assert n["in_paid_work_at_origin"] == 1          # P03
    assert n["paid_work_starts_at_origin"] == 1      # P02
    assert n["origin_date_missing"] == 0
    assert (n["event_0"], n["event_1"], n["event_2"]) == (2, 9, 2)


def test_job_on_the_origin_day_as_event():
    r = result(job_at_origin="event")
    assert r["P02"] == (0, 1)
    assert "P03" not in r


def test_dropout_censor():
    r = result(dropout="censor")
    assert r["P06"] == (31, 0) and r["P14"] == (274, 0)
    assert r["P05"] == (121, 1) and r["P07"] == (45, 1)


def test_dropout_ignore():
    r = result(dropout="ignore")
    assert r["P06"] == (152, 1)   # followed on to the job on Jun 1
    assert r["P14"] == (366, 0)
    assert r["P05"] == (121, 1)


def test_min_days():
    """With min_days = 30 a start after day 366 - 29 = 337 cannot be classified by the end of
    follow-up: everybody's observation ends there."""
    r = result(min_days=30)
    assert r["P08"] == (152, 1)   # the 20-day job does not qualify; the ongoing one does
    # ongoing job from day 354, observed 13 days only: whether it will last 30 days is unknown;
    # P09 is censored at day 337 like everybody still without a job (censoring at the job's
    # start would be informative: it used to count as event-free up to day 366)
    assert r["P09"] == (337, 0)
    assert r["P01"] == (337, 0)
    assert r["P04"] == (60, 1)    # Mar 1 - Aug 31 = 184 days


def test_include_supported():
    assert result(include_supported=True)["P11"] == (91, 1)


def test_min_hours():
    r = result(min_hours=12)
    assert r["P12"] == (182, 1)


def test_horizon():
    r = result(horizon_days=180)
    assert r["P13"] == (180, 0)
    assert r["P01"] == (180, 0)
    assert r["P14"] == (180, 0)   # dropout on day 274 is after the horizon
    assert r["P06"] == (31, 2)


def test_origin_intake_date_and_units():
    table = attrition(handmade_study(), origin="intake_date")
    assert table.set_index("reason")["n"]["origin_date_missing"] == 1   # P15
    r = result(origin="intake_date")
    assert r["P04"] == (91, 1)    # intake Dec 1, job Mar 1: 31 + 60
    w = result(unit="weeks")
    assert w["P04"] == (pytest.approx(60 / 7), 1)
    m = result(unit="months")
    assert m["P01"] == (pytest.approx(366 / 30.4375), 0)


def test_output_columns_and_definition():
    df = time_to_paid_work(handmade_study(), dropout="censor", min_hours=12)
    assert list(df.columns[:4]) == ["participant_id", "cohort", "time", "event"]
    assert {"age", "sex", "diagnosis_group", "smi", "benefit"} <= set(df.columns)
    d = df.attrs["definition"]
    assert d["dropout"] == "censor" and d["min_hours"] == 12 and d["kinds"] == ["regular_paid"]
    assert "12 h/week" in df.attrs["definition_text"]["en"]
    assert "uur/week" in df.attrs["definition_text"]["nl"]
    assert attrition_table(df)["n"].sum() > 0


@pytest.mark.parametrize(("option", "value"), [("dropout", "drop"), ("origin", "birth"),
                                               ("unit", "years"), ("min_days", -1),
                                               ("horizon_days", 0), ("job_at_origin", "maybe")])
def test_bad_options_are_clear_errors(option, value):
    with pytest.raises(ValueError, match=option):
        time_to_paid_work(handmade_study(), **{option: value})


def _edited_study():
    """P01 followed up for 0 days, P10 without end of follow-up, P14 dropped out in Dec 2019."""
    from kow_research.data import Study

    s = handmade_study()
    p = s.participants.copy()
    ids = p["participant_id"].astype(str)
    p.loc[ids == "P01", "end_of_followup"] = pd.Timestamp("2020-01-01")
    p.loc[ids == "P10", "end_of_followup"] = pd.NaT
    p.loc[ids == "P14", "dropout_date"] = pd.Timestamp("2019-12-15")
    return Study(participants=p, ladder=s.ladder, spells=s.spells, sessions=s.sessions)


def test_followup_problems_are_excluded_with_a_reason():
    df = time_to_paid_work(_edited_study())
    ex = excluded_table(df).set_index("participant_id")["reason"].to_dict()
    assert ex == {"P01": "zero_followup", "P02": "paid_work_starts_at_origin",
                  "P03": "in_paid_work_at_origin", "P10": "end_of_followup_missing",
                  "P14": "dropout_before_origin"}
    assert len(df) == 10 and not set(ex) & set(df["participant_id"])
    n = attrition_table(df).set_index("reason")["n"]
    assert (n["entered"], n["analysed"], n["zero_followup"]) == (15, 10, 1)


def test_every_dropout_strategy_analyses_the_same_people():
    """Dropout before the origin used to be kept under "ignore" only, and dropout on day 0 was
    an event under "competing" but zero follow-up under "censor": the strategy table compared
    different people. Now the exclusions do not depend on the strategy."""
    study = _edited_study()
    p = study.participants.copy()
    p.loc[p["participant_id"] == "P07", "dropout_date"] = p.loc[
        p["participant_id"] == "P07", "start_date"]                  # dropout on day 0
    study = type(study)(participants=p, ladder=study.ladder, spells=study.spells,
                        sessions=study.sessions)
    people = {s: set(time_to_paid_work(study, dropout=s)["participant_id"])
              for s in ("competing", "censor", "ignore")}
    assert people["competing"] == people["censor"] == people["ignore"]
    for s in ("competing", "censor", "ignore"):
        ex = excluded_table(time_to_paid_work(study, dropout=s)).set_index("participant_id")
        assert ex.loc["P14", "reason"] == ex.loc["P07", "reason"] == "dropout_before_origin"
        n = attrition(study, dropout=s).set_index("reason")["n"]
        assert (n["entered"], n["dropout_before_origin"], n["analysed"]) == (15, 2, 9)


def test_min_days_182_every_person_by_hand():
    """Durable work (min_days = 182): a start after day 366 - 181 = 185 (Jul 4) cannot be
    known to last 182 days by the end of follow-up (day 366), so observation ends at day 185
    for everybody -- jobs and dropouts after it are not seen. Counted on the calendar:"""
    assert result(min_days=182) == {
        "P01": (185, 0),   # no paid spell
        "P04": (60, 1),    # Mar 1 - Aug 31 = 184 days >= 182
        "P05": (121, 1),   # May 1, ongoing: 246 days by the end; dropout the same day
        "P06": (31, 2),    # dropout Feb 1 comes first
        "P07": (45, 1),    # Feb 15 - Dec 31 = 321 days
        "P08": (152, 1),   # 20-day job does not count; Jun 1, ongoing (215 days) does
        "P09": (185, 0),   # job from day 354: after day 185
        "P10": (185, 0),   # job after the end of follow-up
        "P11": (185, 0),   # supported job does not count; regular job Sep 1 (244) > 185
        "P12": (182, 1),   # 8 h job Feb 1 - Jun 30 = 151 days < 182; Jul 1 (day 182), 185 days
        "P13": (185, 0),   # job Aug 1 (213) > 185
        "P14": (185, 0),   # dropout Oct 1 (274) is after day 185: not seen
        "P15": (60, 1),
    }
    assert result(min_days=182, dropout="ignore")["P06"] == (152, 1)   # Jun 1 <= 185


def test_min_days_durable_work_is_not_underestimated():
    """The 12-month incidence of durable work (min_days = 182) from 18 months of follow-up
    equals the one from 36 months: every start up to 12 months is classified in both (the
    ~18-month curve is not estimable from 18 months of follow-up: it stops near 12.7
    months). 8000 simulated KOW participants, same seed: the same people and jobs."""
    import kow_research as kr
    from kow_research.core.units import DAYS_PER_MONTH

    h = 12 * DAYS_PER_MONTH
    f = []
    for months in (18.0, 36.0):
        d = time_to_paid_work(kr.simulate_study("KOW", n=8000, seed=4, followup_months=months),
                              dropout="ignore", min_days=182)
        f.append(kr.survival.cumulative_incidence(d).at([h])["estimate"].iloc[0])
        assert d["time"].max() <= months * DAYS_PER_MONTH + 31 - 181
    # loss to follow-up censors both at the same days: equal up to the people lost late
    assert abs(f[0] - f[1]) < 0.005


def test_result_prints_and_concatenates():
    """attrs hold plain values only: pandas compares attrs when printing and concatenating."""
    import pandas as pd

    df = time_to_paid_work(handmade_study())
    assert "participant_id" in repr(df.head())
    both = pd.concat([df, df], ignore_index=True)
    assert len(both) == 2 * len(df)
    assert list(attrition_table(df).columns) == ["cohort", "stage", "reason", "label_en",
                                                 "label_nl", "n"]


def test_caption_states_how_jobs_at_the_origin_are_handled():
    default = time_to_paid_work(handmade_study()).attrs["definition_text"]
    assert "starting it that day, are excluded" in default["en"]
    assert "die dag begint, telt niet mee" in default["nl"]
    event = time_to_paid_work(handmade_study(), job_at_origin="event").attrs["definition_text"]
    assert "counts at day 0" in event["en"] and "telt op dag 0" in event["nl"]
