"""The design result object: dispatch, the result protocol, plain-value attrs and the
proposal sentence built from the result's own fields."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from kow_research.core import Result
from kow_research.design import SampleSizeResult, power, sample_size

CASES = {
    "proportion": {"p_control": 0.25, "p_treated": 0.44, "horizon": 30},
    "time": {"hr": 0.7, "median_control": 18, "accrual": 24, "follow_up": 12,
             "loss_hazard": 0.005},
    "competing_subdistribution": {"hr": 1.5, "hazard_control": 0.05, "competing_hazard": 0.02,
                                  "accrual": 12, "follow_up": 12},
    "competing_cause_specific": {"hr": 1.5, "hazard_control": 0.05, "competing_hazard": 0.02,
                                 "accrual": 12, "follow_up": 12},
    "ladder": {"odds_ratio": 1.8, "rung_probabilities": [0.1, 0.25, 0.3, 0.2, 0.08, 0.07]},
}


@pytest.mark.parametrize("outcome", list(CASES))
def test_result_protocol(outcome):
    res = sample_size(outcome=outcome, **CASES[outcome])
    assert isinstance(res, SampleSizeResult) and isinstance(res, Result)
    assert res.outcome == outcome and res.solved_for == "n"
    assert res.n_total == res.n_treated + res.n_control
    assert res.power == 0.8 and res.alpha == 0.05 and res.achieved_power >= 0.8
    assert len(repr(res).splitlines()) < 15
    assert res.to_frame()["arm"].tolist() == ["programme", "control", "total"]
    text = res.summary().as_text()
    assert str(res.n_total) in text and "assumptions" in text
    json.dumps(res.attrs)                          # plain Python values only
    if outcome == "ladder":                        # also with labelled rungs
        import pandas as pd
        labelled = sample_size(outcome=outcome, odds_ratio=1.8, rung_probabilities=pd.Series(
            CASES["ladder"]["rung_probabilities"], index=range(1, 7)))
        json.dumps(labelled.attrs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n_treated = 1                          # type: ignore[misc]
    if outcome in ("proportion", "ladder"):
        assert res.events is None
    else:
        assert isinstance(res.events, int) and res.expected_events >= res.events


@pytest.mark.parametrize("outcome", list(CASES))
def test_sentence_is_built_from_the_fields(outcome):
    res = sample_size(outcome=outcome, **CASES[outcome])
    en, nl = res.sentence(), res.sentence("nl")
    assert "80%" in en and "α = 0.05" in en
    assert nl.startswith("Om met een onderscheidend vermogen van 80 %") and "α = 0,05" in nl
    for text in (en, nl):
        assert f"2 × {res.n_treated}" in text and str(res.n_total) in text
        if res.events is not None:
            assert str(res.events) in text
    # no decimal point between digits in Dutch (decimal commas), none of its commas in English
    assert not re.search(r"\d\.\d", nl)
    # a result with other numbers gives another sentence: nothing is typed beside them
    other = sample_size(outcome=outcome, **CASES[outcome], power=0.9)
    assert "90%" in other.sentence() and str(other.n_total) in other.sentence()
    assert res.sentence() in res.summary().as_text()


def test_sentence_numbers_of_the_time_design():
    res = sample_size(outcome="time", **CASES["time"])
    en = res.sentence()
    assert "hazard ratio of paid work of 0.7" in en and "Schoenfeld 1983" in en
    assert "median time to paid work of 18 months" in en
    assert "5.8% per year" in en                     # 1 - exp(-12 * 0.005) = 0.0582
    assert f"{res.attrs['p_event']:.2f}" in en
    nl = res.sentence("nl")
    assert "5,8 % per jaar" in nl and "24 maanden" in nl and "0,7" in nl


def test_sentences_for_power_unequal_arms_and_clusters():
    res = power(outcome="time", n_total=300, allocation=2 / 3, **CASES["time"])
    en = res.sentence()
    assert en.startswith("With 200 participants in the programme group and 100 in the control")
    assert f"{round(res.expected_events)} entries into paid work are expected" in en
    assert f"{100 * res.power:.1f}% power" in en
    nl = res.sentence("nl")
    assert nl.startswith("Met 200 deelnemers in de programmagroep en 100 in de controlegroep")
    cl = sample_size(outcome="proportion", **CASES["proportion"], cluster_size=10, icc=0.05,
                     cluster_cv=0.4, attrition=0.2)
    k = cl.table.set_index("arm")["clusters"]
    assert f"design effect of {cl.attrs['design_effect']:.3g}" in cl.sentence()
    assert f"{k['programme']} + {k['control']} clusters" in cl.sentence()
    assert "20% of participants without an outcome measurement" in cl.sentence()
    assert "designeffect van 1,53" in cl.sentence("nl")
    with pytest.raises(ValueError, match="language must be one of"):
        cl.sentence("de")


def test_dispatch_errors():
    with pytest.raises(ValueError, match="outcome must be one of"):
        sample_size(outcome="rmst", hr=0.7)
    with pytest.raises(TypeError, match="does not take p_control"):
        sample_size(outcome="time", hr=0.7, p_control=0.3, median_control=12, accrual=1,
                    follow_up=1)
    with pytest.raises(TypeError, match="does not take power"):
        power(outcome="proportion", n_total=100, p_control=0.2, p_treated=0.4, power=0.8)
    with pytest.raises(ValueError, match="leaves an arm empty"):
        power(outcome="proportion", n_total=1, p_control=0.2, p_treated=0.4)
    with pytest.raises(ValueError, match="whole number"):
        power(outcome="proportion", n_total=100.5, p_control=0.2, p_treated=0.4)


def test_assumptions_table_lists_what_was_assumed():
    res = sample_size(outcome="time", **CASES["time"])
    table = dict(res._tables()[-1][1].itertuples(index=False))
    assert table["hr"] == 0.7 and table["accrual"] == 24 and table["loss_hazard"] == 0.005
    assert "icc" not in table and "n_total" not in table      # not part of this design
    pw = power(outcome="time", n_total=300, **CASES["time"])
    assert "power" not in dict(pw._tables()[-1][1].itertuples(index=False))
