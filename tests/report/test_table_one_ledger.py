"""Table 1 as a report publishes it (``TableOne.published``) and what its disclosure ledger sees.

The study is small (32 KOW and 25 TAU people, seed 3), so many cells are small. Every marker is
compared with the data: ``<k`` holds 1 to k - 1 people, every shown count is the true count.
The planted case checks the ledger's SMD inversion on Table 1 itself: with ``derived="round"``
the SMD of "3 of 40 against 20 of 30" is printed and gives the hidden 3 back.
"""

from __future__ import annotations

import pandas as pd
import pytest

import kow_research as kr
from kow_research.report.ledger_sidecar import ledger_from, read_registrations, record_table
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.table_one import table_one


@pytest.fixture(scope="module")
def small_t1():
    study = kr.simulate_studies({"KOW": 32, "TAU": 25}, seed=3)
    people = study.participants.copy()
    people["cohort"] = pd.Categorical(people["cohort"].astype(str), categories=["KOW", "TAU"])
    return table_one(people, by="cohort")


def _ledger(frame, policy, folder):
    record_table(frame, file="results/02_table1.csv", table="02_table1", directory=folder,
                 source="02")
    return ledger_from(read_registrations(folder), policy=policy).check()


@pytest.mark.parametrize("policy", [DisclosurePolicy.default(), DisclosurePolicy.strict()],
                         ids=["k5", "k10"])
def test_markers_tell_the_truth_and_nothing_is_recoverable(small_t1, policy, tmp_path):
    shown = small_t1.published(policy)
    groups = [c for c in shown.columns if c != "SMD"]
    kinds = small_t1.kinds
    titles = list(shown.index.get_level_values(0))
    n_small = 0
    for i, kind in enumerate(kinds):
        if kind not in ("level", "yes", "missing"):
            continue
        for g in groups:
            cell, true = shown.iloc[i][g], int(small_t1.counts.iloc[i][g])
            if cell == policy.primary_marker:
                assert 0 < true < policy.k, (shown.index[i], g, true)
                n_small += 1
            elif cell != policy.secondary_marker:
                assert int(str(cell).split(" (")[0]) == true
                assert true == 0 or true >= policy.k
    assert n_small > 0                       # the case is worth testing
    # the SMD of a categorical characteristic with a hidden count is not shown
    for title in dict.fromkeys(titles):
        members = [j for j, t in enumerate(titles) if t == title]
        if kinds[members[0]] in ("mean", "mean_int", "median"):
            continue
        hidden = any(str(shown.iloc[j][g]) in (policy.primary_marker, policy.secondary_marker)
                     for j in members for g in groups)
        if hidden:
            assert shown.iloc[members[0]]["SMD"] == policy.secondary_marker
    assert _ledger(shown, policy, tmp_path).empty


def test_a_printed_smd_of_a_hidden_count_is_caught_and_by_default_not_printed(tmp_path):
    # 3 of 40 (hidden) against 20 of 30: |3/40 - 2/3| / sqrt((3/40 * 37/40 + 2/3 * 1/3) / 2)
    # = 0.5917 / 0.3823 = 1.548; of the values 1..4 that "<5" allows only 3 gives 1.55
    df = pd.DataFrame({"cohort": ["KOW"] * 40 + ["TAU"] * 30,
                       "smi": [True] * 3 + [False] * 37 + [True] * 20 + [False] * 10})
    rounded = DisclosurePolicy(derived="round")
    shown = table_one(df, variables=["smi"]).published(rounded)
    assert shown.iloc[0].tolist() == ["<5", "20 (67%)", "1.55"]
    problems = _ledger(shown, rounded, tmp_path / "a")
    assert problems[["mechanism", "recovered"]].values.tolist() == [["smd_inversion", 3]]
    safe = table_one(df, variables=["smi"]).published(DisclosurePolicy.default())
    assert safe.iloc[0, 2] == "×"
    assert _ledger(safe, DisclosurePolicy.default(), tmp_path / "b").empty


def test_a_small_no_of_a_yes_no_row_is_protected():
    # TAU: 28 of 30 "yes" would give the 2 "no" away (30 - 28), so 28 is hidden (×)
    df = pd.DataFrame({"cohort": ["KOW"] * 40 + ["TAU"] * 30,
                       "smi": [True] * 20 + [False] * 20 + [True] * 28 + [False] * 2})
    shown = table_one(df, variables=["smi"]).published()
    assert shown.iloc[0].tolist() == ["20 (50%)", "×", "×"]


def test_dutch_table_uses_decimal_commas():
    # KOW ages 30..55: mean 42.5; TAU mean 32.8
    df = pd.DataFrame({"cohort": ["KOW"] * 6 + ["TAU"] * 6,
                       "age": [30, 41, 52, 33, 44, 55, 20, 25, 30, 35, 40, 47]})
    shown = table_one(df, variables=["age"], language="nl").published()
    assert shown.iloc[0, 0].startswith("42,5 (") and "," in shown.iloc[0, 2]
