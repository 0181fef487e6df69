"""Property tests (hypothesis, derandomised by the project profile)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kow_research import survival as sv

rows = st.lists(st.tuples(st.integers(0, 8), st.integers(0, 3), st.integers(1, 3)),
                min_size=3, max_size=40)


def frame(r: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(r, columns=["time", "event", "w"]).astype(float).assign(
        event=lambda d: d.event.astype(int))


# the generated codes may lack a censored person: say that 0/1/2 are our codes
CODES = {0: 0, 1: 1, 2: 2, 3: 3}


@given(rows)
def test_cifs_and_all_cause_survival_sum_to_one(r: list[tuple[int, int, int]]) -> None:
    df = frame(r)
    causes = sorted(c for c in df.event.unique() if c > 0)
    if not causes:
        return
    grid = np.arange(0, 9)
    total = sum(sv.cumulative_incidence(df, cause=int(k), weights="w", event_codes=CODES
                                        ).at(grid)["estimate"] for k in causes)
    s = sv.kaplan_meier(df.assign(any=(df.event > 0).astype(int)), event="any", weights="w",
                        event_codes={0: 0, 1: 1})
    np.testing.assert_allclose(total + s.at(grid)["estimate"], 1.0, atol=1e-12)


@given(rows)
def test_integer_weights_equal_replication(r: list[tuple[int, int, int]]) -> None:
    df = frame(r)
    if not (df.event == 1).any():
        return
    rep = df.loc[df.index.repeat(df.w.astype(int))]
    a = sv.cumulative_incidence(df, weights="w", event_codes=CODES).table
    b = sv.cumulative_incidence(rep, event_codes=CODES).table
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-12)
    ci = a.dropna()
    assert (ci["lower"] <= ci["estimate"] + 1e-12).all()
    assert (ci["estimate"] <= ci["upper"] + 1e-12).all()
