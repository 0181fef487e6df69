"""Ladder by wave, change and transitions on the hand-built study."""

from __future__ import annotations

import pandas as pd
import pytest

from kow_research.outcomes import ladder_by_wave, ladder_change, ladder_transitions

from .handmade import handmade_study


def rungs(**options) -> dict[tuple[str, str], object]:
    bw = ladder_by_wave(handmade_study(), **options)
    return {(r.participant_id, r.wave): r.rung for r in bw.itertuples()}


def test_nearest_assessment_in_window_and_never_carried_forward():
    r = rungs()
    assert r[("P01", "T0")] == 2            # Dec 15, 17 days before the origin
    assert r[("P01", "T6")] == 4            # target Jul 2: Jul 20 (18 days) beats Jun 1 (31)
    assert r[("P01", "T12")] is pd.NA       # Mar 1 2021 is 60 days from Dec 31: outside
    assert r[("P01", "T18")] is pd.NA       # nothing there, and nothing carried forward
    assert r[("P07", "T6")] == 6            # tie of ±10 days: the earlier assessment
    assert r[("P02", "T0")] is pd.NA        # never assessed


def test_grid_has_every_person_and_wave():
    bw = ladder_by_wave(handmade_study())
    assert len(bw) == 15 * 4
    assert set(bw["wave"]) == {"T0", "T6", "T12", "T18"}
    t6 = bw[(bw["participant_id"] == "P01") & (bw["wave"] == "T6")].iloc[0]
    assert t6["target_date"] == pd.Timestamp("2020-07-02")     # day round(6 × 30.4375) = 183
    assert t6["days_from_target"] == 18


def test_window_width_is_a_parameter():
    r = rungs(window_days=60)
    assert r[("P01", "T12")] == 4   # 60 days away: now inside
    r = rungs(baseline_window=(-20, 0))
    assert r[("P07", "T0")] is pd.NA and r[("P01", "T0")] == 2


def test_custom_waves():
    r = rungs(waves=[0, 7])
    assert ("P01", "T7") in r and ("P01", "T6") not in r


def test_change_from_baseline():
    ch = ladder_change(handmade_study()).set_index(["participant_id", "wave"])
    p1 = ch.loc[("P01", "T6")]
    assert (p1["rung_baseline"], p1["rung"], p1["change"]) == (2, 4, 2)
    assert bool(p1["climbed"]) and not bool(p1["reached_5"])
    p4 = ch.loc[("P04", "T6")]
    assert p4["change"] == 3 and bool(p4["reached_5"]) and bool(p4["reached_6"])
    assert ch.loc[("P01", "T12"), "climbed"] is pd.NA


def test_transitions():
    tr = ladder_transitions(handmade_study(), from_wave="T0", to_wave="T6")
    assert tr.counts.loc[2, 4] == 1 and tr.counts.loc[3, 6] == 1 and tr.counts.loc[1, 6] == 1
    assert int(tr.counts.to_numpy().sum()) == 3
    assert tr.n_missing == 12
    assert tr.proportions.loc[2].sum() == pytest.approx(1.0)
    assert tr.proportions.loc[5].isna().all()
    assert "2 sociale contacten buitenshuis" in ladder_transitions(
        handmade_study(), from_wave="T0", to_wave="T6", language="nl").labelled().index
    with pytest.raises(ValueError, match="wave 'T99' not found"):
        ladder_transitions(handmade_study(), from_wave="T0", to_wave="T99")
