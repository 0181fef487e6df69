"""Disclosure control: primary and secondary suppression on tables checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kow_research.report import attrition_partitions, suppress_counts, suppress_small
from kow_research.report.disclosure import suppression_mask


def test_primary_only_without_partitions():
    counts = pd.DataFrame({"A": [10.0, 3, 0], "B": [1.0, 5, 4]})
    out = suppress_small(counts.astype(int), counts=counts, k=5)
    # 3, 1 and 4 are 1..4 persons; zero and 5 stay
    assert out["A"].tolist() == [10, "<5", 0] and out["B"].tolist() == ["<5", 5, "<5"]
    assert out.attrs["disclosure"] == {"k": 5, "suppressed": 3}
    assert suppress_small(counts, counts=counts, k=1).equals(counts.astype(object))


def test_secondary_hides_smallest_nonzero_in_the_partition():
    counts = pd.DataFrame({"A": [10.0, 3, 7, 0], "B": [12.0, 8, 6, 2]})
    blocks = ["x", "x", "x", "x"]   # four levels adding up to the column's n
    hide = suppression_mask(counts, k=5, blocks=blocks)
    # A: 3 hidden alone -> the smallest other non-zero (7) too, never the zero
    assert hide["A"].tolist() == [False, True, True, False]
    # B: 2 hidden alone -> 6 (smallest non-zero other) too
    assert hide["B"].tolist() == [False, False, True, True]


def test_two_hidden_cells_need_no_secondary():
    counts = pd.DataFrame({"A": [10.0, 3, 2]})
    assert suppression_mask(counts, k=5, blocks=["x"] * 3)["A"].tolist() == [False, True, True]


def test_row_and_column_partitions_iterate_until_stable():
    # 2x2 with published row and column totals:
    #   [[2, 10], [20, 30]] -> 2 primary; column partition hides 20, row partition hides 10,
    #   then column B has one hidden cell (10) -> 30 too.
    counts = pd.DataFrame({"A": [2.0, 20], "B": [10.0, 30]})
    hide = suppression_mask(counts, k=5, blocks=["c", "c"], row_totals=True)
    assert hide.to_numpy().all()


def test_uncounted_cells_are_not_used_as_complements_and_inf_never_hidden():
    counts = pd.DataFrame({"A": [100.0, 3], "SMD": [float("inf")] * 2})
    counted = pd.DataFrame({"A": [False, True], "SMD": [True, True]})
    hide = suppression_mask(counts, k=5, blocks=["x", "x"], counted=counted)
    assert hide["A"].tolist() == [False, True] and not hide["SMD"].any()


def test_long_table_partitions_of_an_attrition_table():
    flow = pd.DataFrame({
        "cohort": ["A"] * 6, "stage": ["entered", "excluded", "excluded", "analysed",
                                       "outcome", "outcome"],
        "reason": ["", "r1", "r2", "", "event", "censored"],
        "label_en": [""] * 6, "label_nl": [""] * 6, "n": [40, 3, 12, 25, 21, 4]})
    parts = attrition_partitions(flow)
    assert parts[0] is None and parts[1] == parts[2] == parts[3] and parts[4] == parts[5]
    out = suppress_counts(flow, columns="n", k=5, partitions=parts)
    # 3 excluded -> also 12 (smallest other of excluded+analysed); 4 censored -> 21 too
    assert out["n"].tolist() == [40, "<5", "<5", 25, "<5", "<5"]
    assert flow["n"].tolist() == [40, 3, 12, 25, 21, 4]   # input untouched


def test_bad_arguments_are_clear_errors():
    c = pd.DataFrame({"A": [1.0]})
    with pytest.raises(ValueError, match="k"):
        suppress_small(c, counts=c, k=0)
    with pytest.raises(ValueError, match="shape"):
        suppress_small(c, counts=pd.DataFrame({"A": [1.0, 2]}))
    with pytest.raises(ValueError, match="one label per row"):
        suppress_small(c, counts=c, blocks=["x", "y"])
    with pytest.raises(ValueError, match="not in the table"):
        suppress_counts(pd.DataFrame({"m": [1]}), columns="n")


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=6),
       st.integers(1, 10))
def test_no_partition_is_left_with_exactly_one_hidden_cell(cells, k):
    counts = pd.DataFrame(cells, dtype=float)
    hide = suppression_mask(counts, k=k, blocks=["b"] * len(counts), row_totals=True)
    c = counts.to_numpy()
    # every primary cell is hidden; nothing else than what partitions require
    assert (hide.to_numpy() | ~((c > 0) & (c < k))).all()
    # every partition (a column, a row) has at least two cells, so none may keep a lone one
    assert (hide.sum(axis=0) != 1).all() and (hide.sum(axis=1) != 1).all()
