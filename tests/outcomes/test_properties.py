"""Property tests: invariants of time_to_paid_work on random small studies."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kow_research.data import Study
from kow_research.outcomes import attrition_table, excluded_table, time_to_paid_work

KINDS = ["regular_paid", "supported_paid", "work_experience", "volunteer"]
ORIGIN = pd.Timestamp("2020-01-01")


@st.composite
def studies(draw) -> Study:
    n = draw(st.integers(1, 8))
    ids = [f"P{i}" for i in range(n)]
    followup = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    drop = [draw(st.one_of(st.none(), st.integers(0, f))) for f in followup]
    rows = []
    for pid in ids:
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(-100, 450))
            length = draw(st.one_of(st.none(), st.integers(0, 300)))
            rows.append((pid, ORIGIN + pd.Timedelta(days=start),
                         pd.NaT if length is None else ORIGIN + pd.Timedelta(days=start + length),
                         draw(st.sampled_from(KINDS)), float(draw(st.integers(0, 40)))))
    participants = Study.empty_table("participants").reindex(range(n))
    participants = participants.assign(
        participant_id=pd.array(ids, dtype="string"), cohort=pd.array(["KOW"] * n, "string"),
        start_date=ORIGIN, end_of_followup=[ORIGIN + pd.Timedelta(days=f) for f in followup],
        dropout_date=[pd.NaT if d is None else ORIGIN + pd.Timedelta(days=d) for d in drop])
    spells = pd.DataFrame(rows, columns=["participant_id", "start_date", "end_date", "kind",
                                         "hours_per_week"])
    spells["start_date"] = pd.to_datetime(spells["start_date"])
    spells["end_date"] = pd.to_datetime(spells["end_date"])
    return Study.from_frames(participants=participants, spells=spells)


options = st.fixed_dictionaries({
    "dropout": st.sampled_from(["competing", "censor", "ignore"]),
    "include_supported": st.booleans(),
    "min_hours": st.one_of(st.none(), st.sampled_from([0, 12, 24])),
    "min_days": st.sampled_from([0, 30, 182]),
    "horizon_days": st.one_of(st.none(), st.integers(1, 365)),
    "job_at_origin": st.sampled_from(["exclude", "event"]),
})


def key(df: pd.DataFrame) -> pd.DataFrame:
    return df[["participant_id", "time", "event"]].sort_values("participant_id").reset_index(
        drop=True)


@given(study=studies(), opts=options, seed=st.integers(0, 2**16))
def test_row_order_does_not_matter(study: Study, opts: dict, seed: int):
    rng = np.random.default_rng(seed)
    shuffled = Study(participants=study.participants.sample(frac=1, random_state=rng),
                     ladder=study.ladder,
                     spells=study.spells.sample(frac=1, random_state=rng), sessions=study.sessions)
    pd.testing.assert_frame_equal(key(time_to_paid_work(study, **opts)),
                                  key(time_to_paid_work(shuffled, **opts)))


@given(study=studies(), opts=options)
def test_everyone_is_analysed_or_excluded_once(study: Study, opts: dict):
    df = time_to_paid_work(study, **opts)
    flow = attrition_table(df).set_index("stage")["n"]
    assert df["participant_id"].is_unique
    assert flow["entered"] == len(study.participants)
    assert flow["analysed"] == len(df)
    assert flow["excluded"].sum() + len(df) == len(study.participants)
    excluded = set(excluded_table(df)["participant_id"])
    analysed = set(df["participant_id"])
    assert not excluded & analysed
    assert excluded | analysed == set(study.participants["participant_id"])


@given(study=studies(), opts=options)
def test_time_nonnegative_and_events_backed_by_a_qualifying_spell(study: Study, opts: dict):
    df = time_to_paid_work(study, **opts)
    assert (df["time"] >= 0).all()
    allowed = {0, 1, 2} if opts["dropout"] == "competing" else {0, 1}
    assert set(df["event"]) <= allowed
    kinds = ["regular_paid", "supported_paid"] if opts["include_supported"] else ["regular_paid"]
    s = study.spells
    for row in df[df["event"] == 1].itertuples():
        start = ORIGIN + pd.Timedelta(days=row.time)
        hit = s[(s["participant_id"] == row.participant_id) & s["kind"].isin(kinds)
                & (s["start_date"] == start)]
        if opts["min_hours"] is not None:
            hit = hit[hit["hours_per_week"] >= opts["min_hours"]]
        assert len(hit) >= 1
        if opts["horizon_days"] is not None:
            assert row.time <= opts["horizon_days"]
