"""A hand-built study: one participant per rule, dates chosen so every expected value can be
counted on a calendar. Origin (start_date) is 2020-01-01 for everyone, end of follow-up
2021-01-01 = day 366 (2020 is a leap year). Day numbers: Feb 1 = 31, Feb 15 = 45, Mar 1 = 60,
Apr 1 = 91, May 1 = 121, Jun 1 = 152, Jul 1 = 182, Aug 1 = 213, Sep 1 = 244, Oct 1 = 274,
Dec 20 = 354."""

from __future__ import annotations

import pandas as pd

from kow_research.data import Study, check_study

PEOPLE = {
    "P01": "no spells",
    "P02": "regular job starts on the origin day",
    "P03": "job started before the origin and still running",
    "P04": "an old job ended before the origin; new job on Mar 1",
    "P05": "work and dropout on the same day (May 1)",
    "P06": "dropout Feb 1 before a job on Jun 1",
    "P07": "job Feb 15, dropout later (Apr 1)",
    "P08": "20-day job Mar 1-20, then an ongoing job from Jun 1",
    "P09": "ongoing job from Dec 20, only 13 days observed",
    "P10": "job after end of follow-up (2021-02-01)",
    "P11": "supported job Apr 1, regular job Sep 1",
    "P12": "8 h/week job Feb 1, 20 h/week job Jul 1",
    "P13": "job Aug 1 (beyond a 180-day horizon)",
    "P14": "dropout Oct 1, never a job",
    "P15": "no intake date; job Mar 1",
}

SPELLS = [  # participant, start, end ("" = ongoing), kind, hours
    ("P02", "2020-01-01", "", "regular_paid", "24"),
    ("P03", "2019-06-01", "", "regular_paid", "32"),
    ("P04", "2019-01-01", "2019-06-30", "regular_paid", "32"),
    ("P04", "2020-03-01", "2020-08-31", "regular_paid", "20"),
    ("P05", "2020-05-01", "", "regular_paid", "16"),
    ("P06", "2020-06-01", "", "regular_paid", "16"),
    ("P07", "2020-02-15", "2020-12-31", "regular_paid", "36"),
    ("P08", "2020-03-01", "2020-03-20", "regular_paid", "20"),
    ("P08", "2020-06-01", "", "regular_paid", "20"),
    ("P09", "2020-12-20", "", "regular_paid", "20"),
    ("P10", "2021-02-01", "", "regular_paid", "20"),
    ("P11", "2020-04-01", "2020-08-31", "supported_paid", "20"),
    ("P11", "2020-09-01", "", "regular_paid", "20"),
    ("P12", "2020-02-01", "2020-06-30", "regular_paid", "8"),
    ("P12", "2020-07-01", "", "regular_paid", "20"),
    ("P13", "2020-08-01", "", "regular_paid", "20"),
    ("P15", "2020-03-01", "", "regular_paid", "20"),
    ("P01", "2020-02-01", "2020-12-31", "work_experience", "16"),  # not paid work
]
DROPOUTS = {"P05": "2020-05-01", "P06": "2020-02-01", "P07": "2020-04-01", "P14": "2020-10-01"}
LADDER = [  # P01: T0 inside the baseline window; T6 two candidates; T12 outside every window
    ("P01", "2019-12-15", "2", "T0"),
    ("P01", "2020-06-01", "3", "T6"),
    ("P01", "2020-07-20", "4", "T6"),
    ("P01", "2021-03-01", "4", "T12"),
    ("P04", "2019-12-20", "3", "T0"),
    ("P04", "2020-07-02", "6", "T6"),
    ("P07", "2019-12-01", "1", "T0"),   # 31 days before: inside (-90, +14)
    ("P07", "2020-06-22", "6", "T6"),   # 10 days before the target Jul 2 ...
    ("P07", "2020-07-12", "5", "T6"),   # ... and 10 days after: a tie, the earlier one wins
]


def handmade_study() -> Study:
    ids = list(PEOPLE)
    n = len(ids)
    participants = pd.DataFrame({
        "participant_id": ids, "cohort": ["KOW"] * n, "region": [""] * n,
        "intake_date": ["" if i == "P15" else "2019-12-01" for i in ids],
        "start_date": ["2020-01-01"] * n, "end_of_followup": ["2021-01-01"] * n,
        "age": ["40"] * n, "sex": ["female", "male"] * 7 + ["other"],
        "diagnosis_group": ["depression"] * n, "smi": ["false"] * n, "benefit": ["bijstand"] * n,
        "education": ["middle"] * n, "months_out_of_work": ["12"] * n,
        "dropout_date": [DROPOUTS.get(i, "") for i in ids],
        "dropout_reason": ["health" if i in DROPOUTS else "" for i in ids],
    })
    spells = pd.DataFrame(SPELLS, columns=["participant_id", "start_date", "end_date", "kind",
                                           "hours_per_week"])
    ladder = pd.DataFrame(LADDER, columns=["participant_id", "assessment_date", "rung", "wave"])
    sessions = pd.DataFrame({
        "participant_id": ["P01"] * 10 + ["P02"] * 3,
        "session_number": [str(k) for k in range(1, 11)] + ["1", "2", "3"],
        "session_type": ["information"] + ["training"] * 5 + ["coaching"] * 4
        + ["information", "training", "training"],
        "session_date": [f"2020-{m:02d}-10" for m in range(1, 11)] + ["2020-01-10", "2020-02-10",
                                                                       "2020-03-10"],
        "attended": ["true"] * 8 + ["false"] * 2 + ["true", "false", "true"],
    })
    raw = Study.from_frames(participants=participants, ladder=ladder, spells=spells,
                            sessions=sessions)
    report, typed = check_study(raw)
    assert report.ok, report.summary_text()
    return Study(**typed)
