"""DisclosurePolicy: every rule checked by hand on tiny tables.

The expected cells are written out from the rules (primary: 0 < n < k -> "<k"; secondary: the
smallest other non-zero cell of a partition whose hidden cells could be solved -> "×";
derived statistics of a hidden count hidden), not pasted from an output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kow_research.data.study_design import load_design
from kow_research.report.ledger import DisclosureLedger
from kow_research.report.policy import DisclosurePolicy

DEFAULT = DisclosurePolicy.default()
STRICT = DisclosurePolicy.strict()


# ----------------------------------------------------------------------------- construction
def test_presets_and_markers():
    assert (DEFAULT.k, DEFAULT.primary_marker, DEFAULT.secondary_marker) == (5, "<5", "×")
    assert (STRICT.k, STRICT.primary_marker, STRICT.name) == (10, "<10", "strict")
    assert DEFAULT.percent_decimals == 0 and DEFAULT.mean_decimals == 1
    assert DEFAULT.small_counts_in_figures is False
    assert DEFAULT.to_dict()["secondary"] == "smallest"


def test_from_design_reads_the_disclosure_entry(tmp_path):
    assert DisclosurePolicy.from_design({"disclosure": {"k": 7}}).k == 7
    assert DisclosurePolicy.from_design({"k": 7, "percent_decimals": 1}).percent_decimals == 1
    assert DisclosurePolicy.from_design({"title": "x"}) == DEFAULT   # no disclosure entry
    # a named preset is a floor: study.yaml's defaults always carry k: 5
    assert DisclosurePolicy.from_design({"preset": "strict", "k": 5}).k == 10
    assert DisclosurePolicy.from_design({"preset": "strict", "k": 12}).k == 12
    (tmp_path / "study.yaml").write_text("index: KOW\ndisclosure: {preset: strict}\n",
                                         encoding="utf-8")
    assert DisclosurePolicy.from_design(load_design(tmp_path)).k == 10


@pytest.mark.parametrize("entry,message", [
    ({"k": 0}, "whole number >= 1"),
    ({"k": 2.5}, "whole number >= 1"),
    ({"preset": "lenient"}, "preset must be one of 'default', 'strict'"),
    ({"treshold": 5}, r"unknown disclosure entry \['treshold'\]"),
    ({"secondary_marker": "<5"}, "differs from the primary marker"),
    ({"secondary_marker": "x1"}, "without digits"),
    ({"percent_decimals": 9}, "0 to 6"),
    ({"secondary": "optimal"}, "secondary must be one of 'smallest'"),
])
def test_from_design_errors_name_the_entry(entry, message):
    with pytest.raises(ValueError, match=message):
        DisclosurePolicy.from_design({"disclosure": entry})


# ----------------------------------------------------------------------------- single values
def test_count_and_figure_count():
    assert [DEFAULT.count(n) for n in (0, 1, 4, 5, 53.0, None, np.nan)] == [
        "0", "<5", "<5", "5", "53", "", ""]
    assert [STRICT.count(n) for n in (9, 10)] == ["<10", "10"]
    with pytest.raises(ValueError, match="whole number >= 0"):
        DEFAULT.count(-1)
    with pytest.raises(ValueError, match="whole number >= 0"):
        DEFAULT.count(2.5)
    assert DEFAULT.figure_count(3) == "<5"
    assert DisclosurePolicy(small_counts_in_figures=True).figure_count(3) == "3"


def test_percent_is_rounded_and_absent_for_small_counts():
    # 53 / 115 = 46.087%: whole numbers "46%", one decimal "46.1%"
    assert DEFAULT.percent(53, 115) == "46%"
    assert DisclosurePolicy(percent_decimals=1).percent(53, 115) == "46.1%"
    assert DEFAULT.percent(53, 115, symbol=False) == "46"
    assert DEFAULT.percent(3, 115) == "<5"          # numerator hidden: no percentage
    assert DEFAULT.percent(2, 4) == "<5"            # denominator hidden too
    assert DEFAULT.percent(0, 0) == ""
    assert DEFAULT.n_percent(53, 115) == "53 (46%)"
    assert DEFAULT.n_percent(3, 115) == "<5"
    assert DEFAULT.round_percent(46.5001) == 47.0


def test_mean_is_rounded_and_hidden_below_k():
    # 52 / 17 = 3.0588...: one decimal, so 17 cannot be read back from the digits
    assert DEFAULT.mean(52 / 17, n=17) == "3.1"
    assert DEFAULT.mean(37.24, n=115, sd=9.93) == "37.2 (9.9)"
    assert DEFAULT.mean(2.5, n=4) == "<5"
    assert STRICT.mean(2.5, n=9) == "<10"
    assert DEFAULT.mean(2.5, n=0) == ""
    assert DEFAULT.round_mean(52 / 17) == 3.1
    assert DEFAULT.smd(0.6253) == "0.63"


def test_curve_ends_where_fewer_than_k_remain():
    assert DEFAULT.curve_visible([30, 12, 5, 4, 9]).tolist() == [True, True, True, False,
                                                                 False]
    assert STRICT.curve_visible([30, 12, 9]).tolist() == [True, True, False]


def test_note_explains_both_markers_in_both_languages():
    en, nl = DEFAULT.note("en"), DEFAULT.note("nl")
    assert en.startswith("<5: fewer than 5 persons (1 to 4). ×: not shown so that")
    assert "whole numbers" in en and "1 decimal" in en and "Figures show counts below 5" in en
    assert nl.startswith("<5: minder dan 5 personen (1 tot en met 4). ×: niet getoond")
    assert "hele getallen" in nl
    assert STRICT.note("en").startswith("<10: fewer than 10 persons (1 to 9).")
    assert "Figures" not in DisclosurePolicy(small_counts_in_figures=True).note("en")
    with pytest.raises(ValueError):
        DEFAULT.note("de")


# ----------------------------------------------------------------------------- tables
def test_table_one_secondary_cell_of_53_shows_the_secondary_marker():
    # KOW: female 61, male 53, other 1 (n = 115). "other" is primary; the only cell that
    # can protect it in the sex partition is the smaller of 61 and 53: 53 men -> "×".
    counts = pd.DataFrame({"KOW (n = 115)": [61, 53, 1], "IPS (n = 70)": [40, 30, 0]},
                          index=["female", "male", "other"])
    shown = pd.DataFrame({"KOW (n = 115)": ["61 (53%)", "53 (46%)", "1 (1%)"],
                          "IPS (n = 70)": ["40 (57%)", "30 (43%)", "0 (0%)"]},
                         index=counts.index)
    out = DEFAULT.suppress(shown, counts=counts, blocks=["sex"] * 3)
    assert out["KOW (n = 115)"].tolist() == ["61 (53%)", "×", "<5"]
    assert out["IPS (n = 70)"].tolist() == shown["IPS (n = 70)"].tolist()
    assert out.attrs["disclosure"]["hidden"] == [("male", "KOW (n = 115)", "secondary"),
                                                 ("other", "KOW (n = 115)", "primary")]
    assert (out.attrs["disclosure"]["primary"], out.attrs["disclosure"]["secondary"]) == (1, 1)
    assert shown.iloc[1, 0] == "53 (46%)"          # the input is not changed


def test_strict_policy_hides_up_to_nine():
    counts = pd.DataFrame({"A": [30, 9, 12]})
    # 9 is below 10 (primary); the smaller of the others, 12, protects it
    assert STRICT.suppress(counts, counts=counts, blocks=["x"] * 3)["A"].tolist() == [
        30, "<10", "×"]


def test_two_primaries_at_their_least_need_a_third_cell():
    # 1 and 1 hidden: their sum (2) is the least two "<5" cells can hold, so both are
    # known from the total -> the smallest visible non-zero (9) is hidden as well.
    counts = pd.DataFrame({"A": [20, 1, 1, 9]})
    assert DEFAULT.reasons(counts, blocks=["x"] * 4)["A"].tolist() == [
        "", "primary", "primary", "secondary"]
    # 3 and 2 (sum 5) leave several answers: no third cell
    counts = pd.DataFrame({"A": [20, 3, 2, 9]})
    assert DEFAULT.reasons(counts, blocks=["x"] * 4)["A"].tolist() == [
        "", "primary", "primary", ""]
    # 4 and 4 (sum 8) is the most two "<5" cells can hold
    counts = pd.DataFrame({"A": [20, 4, 4, 9]})
    assert DEFAULT.reasons(counts, blocks=["x"] * 4)["A"].tolist() == [
        "", "primary", "primary", "secondary"]


def test_zero_complement_only_when_no_nonzero_cell_is_left():
    # 3 alone among zeros: a zero is hidden with it (3 + 0 = 3 leaves 1, 2 or 3 for the <5)
    counts = pd.DataFrame({"A": [3, 0, 0]})
    assert DEFAULT.reasons(counts, blocks=["x"] * 3)["A"].tolist() == ["primary", "secondary",
                                                                      ""]


def test_row_and_column_margins_iterate_until_stable():
    # [[2, 10], [20, 30]] with row and column totals: 2 primary; its row hides 10, its
    # column 20; then row 2 and column 2 have one hidden cell each -> 30 too.
    counts = pd.DataFrame({"A": [2, 20], "B": [10, 30]})
    why = DEFAULT.reasons(counts, row_totals=True, col_totals=True)
    assert why.to_numpy().tolist() == [["primary", "secondary"], ["secondary", "secondary"]]


def test_mean_cells_are_primary_but_never_complements():
    counts = pd.DataFrame({"A": [100, 3, 40], "B": [60, 50, 1]},
                          index=["mean age", "level 1", "level 2"])
    counted = pd.DataFrame({"A": [False, True, True], "B": [False, True, True]},
                           index=counts.index)
    why = DEFAULT.reasons(counts, blocks=[None, "lv", "lv"], counted=counted)
    # column A: level 1 (3) primary -> level 2 (40) secondary; the mean cell is left alone
    assert why["A"].tolist() == ["", "primary", "secondary"]
    counts.loc["mean age", "B"] = 4                 # a mean of 4 people is primary
    assert DEFAULT.reasons(counts, blocks=[None, "lv", "lv"],
                           counted=counted)["B"].tolist() == ["primary", "secondary", "primary"]


def test_derived_statistics_of_hidden_counts_are_hidden():
    # The SMD of "sex" is computed from the level counts; once a count is hidden the SMD is
    # hidden too. The percentages of a column whose missing count is hidden reveal the
    # non-missing denominator, so those cells keep only their count.
    idx = ["female", "male", "missing", "SMD"]
    counts = pd.DataFrame({"KOW": [60, 50, 2, np.inf], "IPS": [40, 30, 0, np.inf]}, index=idx)
    shown = pd.DataFrame({"KOW": ["60 (55%)", "50 (45%)", "2", "0.12"],
                          "IPS": ["40 (57%)", "30 (43%)", "0", ""]}, index=idx)
    derived = {("SMD", "KOW"): [(r, c) for r in idx[:3] for c in ("KOW", "IPS")],
               ("female", "KOW"): [("missing", "KOW")], ("male", "KOW"): [("missing", "KOW")]}
    out = DEFAULT.suppress(shown, counts=counts, blocks=["sex", "sex", "sex", None],
                           derived_from=derived)
    # missing (2) primary; male (50) its complement; female keeps "60" without "(55%)"
    assert out["KOW"].tolist() == ["60", "×", "<5", "×"]
    assert out["IPS"].tolist() == shown["IPS"].tolist()
    assert out.attrs["disclosure"]["derived"] == 2
    rounded = DisclosurePolicy(derived="round").suppress(
        shown, counts=counts, blocks=["sex", "sex", "sex", None], derived_from=derived)
    assert rounded["KOW"].tolist() == ["60 (55%)", "×", "<5", "0.12"]
    with pytest.raises(ValueError, match="not a \\(row, column\\) label pair"):
        DEFAULT.suppress(shown, counts=counts, derived_from={("nope", "KOW"): []})


def test_long_table_counts_means_and_percentages():
    # per wave assessed + not assessed = cohort size 20. T6: 3 not assessed (primary) and
    # so 17 assessed (secondary); the mean rung (52/17) and the percentage assessed go with
    # them; T0 is shown, rounded.
    ladder = pd.DataFrame({"wave": ["T0", "T6"], "assessed": [20, 17], "not_assessed": [0, 3],
                           "mean_rung": [2.85, 52 / 17], "pct": [100.0, 85.0],
                           "n": [20, 20]})
    out = DEFAULT.suppress_columns(ladder, counts=["assessed", "not_assessed"], row_totals=True,
                                   means={"mean_rung": "assessed"},
                                   percents={"pct": ("assessed", "n")})
    assert out["assessed"].tolist() == [20, "×"]
    assert out["not_assessed"].tolist() == [0, "<5"]
    assert out["mean_rung"].tolist() == [2.9, "×"] and out["pct"].tolist() == [100.0, "×"]
    assert ladder["assessed"].tolist() == [20, 17]          # not changed
    with pytest.raises(ValueError, match="not in the table"):
        DEFAULT.suppress_columns(ladder, counts="nope")
    with pytest.raises(ValueError, match="not one of the count columns"):
        DEFAULT.suppress_columns(ladder, counts="assessed", means={"mean_rung": "n"})


def test_attrition_table_partitions():
    # entered 40 = excluded 3 + excluded 12 + analysed 25: 3 primary, the smallest other
    # (12) secondary; the outcome rows (21 + 4 = 25 analysed): 4 primary, 21 secondary.
    flow = pd.DataFrame({"stage": ["entered", "excluded", "excluded", "analysed", "outcome",
                                   "outcome"], "n": [40, 3, 12, 25, 21, 4]})
    parts = [None, "split", "split", "split", "outcome", "outcome"]
    out = DEFAULT.suppress_columns(flow, counts="n", partitions=parts)
    assert out["n"].tolist() == [40, "<5", "×", 25, "×", "<5"]


@given(st.lists(st.integers(0, 60), min_size=3, max_size=6))
def test_one_partition_cannot_be_solved_after_suppression(cells):
    """Whatever the counts, after suppression the ledger (integer programs over the
    partition, "<5" = 1..4, "×" = any) recovers a hidden cell only when every cell of the
    partition is hidden — then the published total itself is the problem."""
    counts = pd.DataFrame({"A": cells})
    shown = DEFAULT.suppress(counts, counts=counts, blocks=["x"] * len(cells))
    ledger = DisclosureLedger(policy=DEFAULT)
    ledger.register(shown, file="t.csv", table="t", blocks=["x"] * len(cells),
                    block_totals={"A": sum(cells)})
    problems = ledger.check()
    all_hidden = all(isinstance(v, str) for v in shown["A"])
    assert problems.empty or all_hidden
    # and no "<5" cell holds 5 or more, no secondary cell is labelled "<5"
    for v, c in zip(shown["A"], cells, strict=True):
        if v == "<5":
            assert 0 < c < 5
