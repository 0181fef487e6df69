"""Dropout, job retention and training dose on the hand-built study."""

from __future__ import annotations

import pandas as pd

from kow_research.outcomes import dropout, job_retention, training_dose

from .handmade import handmade_study


def test_dropout_flags_and_order_relative_to_work():
    d = dropout(handmade_study()).set_index("participant_id")
    assert d["dropped"].sum() == 4
    assert (d.loc["P06", "time"], d.loc["P06", "event"]) == (31, 1)
    assert d.loc["P06", "relative_to_work"] == "before"
    assert d.loc["P07", "relative_to_work"] == "after"
    assert d.loc["P05", "relative_to_work"] == "after"    # same day as the job
    assert d.loc["P14", "relative_to_work"] == "before"   # never worked
    assert (d.loc["P01", "time"], d.loc["P01", "event"]) == (366, 0)
    assert d.loc["P01", "relative_to_work"] is None


def test_job_retention():
    r = job_retention(handmade_study()).set_index("participant_id")
    assert "P02" not in r.index and "P03" not in r.index   # not started after the origin
    p4 = r.loc["P04"]
    assert (p4["duration"], p4["ended"]) == (184, 1)         # Mar 1 - Aug 31
    assert bool(p4["employed_182"]) and not bool(p4["employed_365"])
    p8 = r.loc["P08"]                                        # the first job: 20 days
    assert (p8["duration"], p8["ended"]) == (20, 1)
    assert not bool(p8["employed_182"])
    p9 = r.loc["P09"]                                        # ongoing: censored at 13 days
    assert (p9["duration"], p9["ended"]) == (13, 0)
    assert p9["employed_182"] is pd.NA
    p13 = r.loc["P13"]                                       # Aug 1 - Jan 1, ongoing: 154 days
    assert (p13["duration"], p13["ended"]) == (154, 0)


def test_training_dose():
    d = training_dose(handmade_study()).set_index("participant_id")
    assert len(d) == 15                                      # everyone in KOW, planned 10
    p1 = d.loc["P01"]
    assert (p1["attended"], p1["attended_training"], p1["attended_coaching"]) == (8, 5, 2)
    assert p1["dose"] == 0.8 and bool(p1["completer"])
    p2 = d.loc["P02"]
    assert (p2["attended"], p2["attended_information"]) == (2, 1) and not bool(p2["completer"])
    assert d.loc["P05", "attended"] == 0                     # no session rows: attended none
    strict = training_dose(handmade_study(), completer_fraction=0.9).set_index("participant_id")
    assert not bool(strict.loc["P01", "completer"])
