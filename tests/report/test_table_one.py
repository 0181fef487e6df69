"""Table 1 and disclosure control: SMDs computed by hand, suppression rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kow_research.report import suppress_small, table_one
from kow_research.report.table_one import smd_categorical, smd_continuous


def test_smd_continuous_by_hand():
    a, b = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6])
    # means 2.5 and 4; variances (n-1) 5/3 and 4
    assert smd_continuous(a, b) == pytest.approx(1.5 / math.sqrt((5 / 3 + 4) / 2))


def test_smd_binary_by_hand():
    a = pd.Series([True, True, False, False])        # p = 0.5
    b = pd.Series([True, False, False, False])       # p = 0.25
    expected = 0.25 / math.sqrt((0.25 + 0.1875) / 2)
    assert smd_categorical(a, b, [False, True]) == pytest.approx(expected)


def test_smd_three_levels_yang_dalton_by_hand():
    a = pd.Series(list("xxyz"))   # p = (.5, .25, .25)
    b = pd.Series(list("xyyz"))   # p = (.25, .5, .25)
    # T = (p1 - p2)[1:] = (-.25, 0); S = average of diag(p) - pp' over levels y, z
    s1 = np.array([[0.25 - 0.0625, -0.0625], [-0.0625, 0.25 - 0.0625]])
    s2 = np.array([[0.5 - 0.25, -0.125], [-0.125, 0.25 - 0.0625]])
    s = (s1 + s2) / 2
    t = np.array([-0.25, 0.0])
    assert smd_categorical(a, b, ["x", "y", "z"]) == pytest.approx(
        math.sqrt(t @ np.linalg.inv(s) @ t))


def test_table_one_cells_labels_and_missing():
    df = pd.DataFrame({
        "cohort": ["A"] * 6 + ["B"] * 6,
        "age": [30, 40, 50, 30, 40, 50, 20, 30, 40, 20, 30, 40],
        "sex": pd.Categorical(["female"] * 6 + ["male"] * 5 + [None],
                              categories=["female", "male", "other"]),
    })
    t = table_one(df, variables=["age", "sex"], language="nl")
    assert list(t.table.columns) == ["A (n = 6)", "B (n = 6)", "SMD"]
    assert t.table.loc[("Leeftijd", "gemiddelde (SD)"), "A (n = 6)"] == "40.0 (8.9)"
    assert t.table.loc[("Geslacht", "vrouw, n (%)"), "A (n = 6)"] == "6 (100.0%)"
    assert t.table.loc[("Geslacht", "ontbrekend, n"), "B (n = 6)"] == "1"
    assert float(t.table.loc[("Leeftijd", "gemiddelde (SD)"), "SMD"]) == pytest.approx(
        smd_continuous(np.array([30.0, 40, 50] * 2), np.array([20.0, 30, 40] * 2)), abs=1e-3)


def test_small_cells_are_suppressed_with_secondary_suppression():
    table = pd.DataFrame({"A": ["10", "3", "7"], "B": ["12", "8", "0"]},
                         index=pd.MultiIndex.from_tuples([("x", "a"), ("x", "b"), ("x", "c")]))
    counts = pd.DataFrame({"A": [10.0, 3, 7], "B": [12.0, 8, 0]}, index=table.index)
    out = suppress_small(table, counts=counts, k=5, blocks=["x", "x", "x"])
    assert out["A"].tolist() == ["10", "<5", "<5"]   # 3 hidden; 7 too, or 20-10-... recovers it
    assert out["B"].tolist() == ["12", "8", "0"]     # zero is shown
    assert suppress_small(table, counts=counts, k=2)["A"].tolist() == ["10", "3", "7"]


def test_exports_go_through_disclosure_control(tmp_path):
    df = pd.DataFrame({"cohort": ["A"] * 8 + ["B"] * 8,
                       "smi": [True, False, False, False, False, False, False, False] * 2})
    t = table_one(df, variables=["smi"])
    t.to_csv(tmp_path / "t1.csv")
    text = (tmp_path / "t1.csv").read_text()
    assert "<5" in text and "1 (12.5%)" not in text
    assert "&lt;5" in t.to_html() and "12.5%" not in t.to_html()


def test_three_groups_report_the_largest_pairwise_smd():
    # means 1, 2, 4 with SD 1 in every group: pairwise SMDs 1, 3, 2 -> 3
    df = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
                       "x": [0.0, 1, 2, 1, 2, 3, 3, 4, 5]})
    t = table_one(df, by="g", variables=["x"], continuous="mean")
    assert t.smd["x"] == pytest.approx(3.0)
    assert "largest pairwise" in t.caption
    assert t.table.loc[("x", "mean (SD)"), "c (n = 3)"] == "4.0 (1.0)"


def test_median_iqr_uses_type7_quartiles():
    df = pd.DataFrame({"cohort": ["A"] * 5 + ["B"] * 5,
                       "months_out_of_work": [1, 2, 3, 4, 100, 1, 2, 3, 4, 5]})
    t = table_one(df, variables=["months_out_of_work"], continuous="median", smd=False)
    # A: sorted 1,2,3,4,100 -> Q1 = 2, median 3, Q3 = 4 (linear interpolation, R type 7)
    assert t.table.iloc[0, 0] == "3.0 [2.0, 4.0]"
    assert list(t.table.columns) == ["A (n = 5)", "B (n = 5)"]
    auto = table_one(df, variables=["months_out_of_work"], continuous="auto")
    assert auto.table.index[0][1] == "median [IQR]"   # skewness of the pooled values > 1


def test_hidden_missing_count_removes_percentages_of_that_column():
    df = pd.DataFrame({"cohort": ["A"] * 20,
                       "education": pd.Categorical(["low"] * 9 + ["high"] * 9 + [None] * 2,
                                                   categories=["low", "middle", "high"])})
    shown = table_one(df, variables=["education"], smd=False).disclosed(5)
    # missing 2 -> "<5"; then 9 (smallest other non-zero) is hidden too, with the secondary
    # marker (it holds 9, not fewer than 5); percentages of non-missing would reveal 18
    # non-missing, so the remaining level shows its count only
    assert shown.iloc[:, 0].tolist() == ["×", "9", "<5"]


def test_excel_export_has_table_and_notes(tmp_path):
    df = pd.DataFrame({"cohort": ["A"] * 6 + ["B"] * 6, "age": range(20, 32)})
    t = table_one(df, variables=["age"])
    path = t.to_excel(tmp_path / "t1.xlsx")
    notes = pd.read_excel(path, sheet_name="notes")
    assert notes["note"].iloc[0] == t.caption
    assert "SMD" in pd.read_excel(path, sheet_name="table_1").columns
    assert t.attrs["definition"]["continuous"] == "auto"


def test_bad_input_is_a_clear_error():
    df = pd.DataFrame({"cohort": ["A", None], "age": [1, 2]})
    with pytest.raises(ValueError, match="1 rows have no 'cohort'"):
        table_one(df, variables=["age"])
    ok = df.fillna({"cohort": "B"})
    with pytest.raises(ValueError, match=r"\['weight'\] are not columns"):
        table_one(ok, variables=["age", "weight"])
    with pytest.raises(ValueError, match="continuous"):
        table_one(ok, variables=["age"], continuous="mode")
