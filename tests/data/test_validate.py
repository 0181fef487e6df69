"""Every validation rule with a failing and a passing case, on a hand-written study.

The valid study (``helpers.text_tables``) is checked to be clean; each case then changes one
cell and asserts that exactly one problem is reported, with the expected table, source row,
column, rule and severity. Rows are "as in the file": in-memory frames count the first record
as row 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research.data import Study, TableSource, check_study

from .helpers import text_tables


def study_with(**changes: object) -> Study:
    return Study.from_frames(**{**text_tables(), **changes})


def set_cell(table: str, row: int, column: str, value: str) -> Study:
    frames = text_tables()
    frames[table] = frames[table].copy()
    frames[table].loc[row, column] = value
    return Study.from_frames(**frames)


def test_valid_study_has_no_problems():
    report = kr.validate(study_with())
    assert report.ok
    assert report.errors.empty and report.warnings.empty


CASES = [
    # table, position, column, bad value, rule, severity
    ("participants", 0, "start_date", "2020-13-01", "type", "error"),
    ("participants", 0, "start_date", "03-02-2020", "type", "error"),
    ("participants", 0, "end_of_followup", "NA", "type", "error"),
    ("participants", 1, "age", "abc", "type", "error"),
    ("participants", 1, "age", "34.5", "type", "error"),
    ("participants", 0, "smi", "ja", "type", "error"),
    ("spells", 1, "hours_per_week", "24,5", "type", "error"),
    ("participants", 0, "sex", "", "required", "error"),
    ("participants", 2, "start_date", "", "required", "error"),
    ("ladder", 0, "rung", "", "required", "error"),
    ("participants", 0, "sex", "Female", "enum", "error"),
    ("participants", 0, "benefit", "uwv", "enum", "error"),
    ("spells", 0, "kind", "paid", "enum", "error"),
    ("sessions", 0, "session_type", "workshop", "enum", "error"),
    ("participants", 0, "age", "15", "range", "error"),
    ("participants", 0, "age", "68", "range", "error"),
    ("ladder", 0, "rung", "0", "range", "error"),
    ("ladder", 0, "rung", "7", "range", "error"),
    ("sessions", 0, "session_number", "11", "range", "error"),
    ("spells", 0, "hours_per_week", "80.5", "range", "error"),
    ("spells", 0, "hours_per_week", "-1", "range", "error"),
    ("participants", 0, "months_out_of_work", "-2", "range", "error"),
    ("ladder", 0, "wave", "baseline", "pattern", "error"),
    ("participants", 0, "cohort", "K O W", "pattern", "error"),
    ("ladder", 1, "assessment_date", "2020-02-03", "unique_key", "error"),
    ("sessions", 1, "session_number", "1", "unique_key", "error"),
    ("spells", 3, "participant_id", "P9", "foreign_key", "error"),
    ("ladder", 3, "participant_id", "P9", "foreign_key", "error"),
    ("sessions", 2, "participant_id", "P9", "foreign_key", "error"),
    ("participants", 0, "intake_date", "2020-02-04", "date_order", "error"),
    ("participants", 0, "end_of_followup", "2020-02-02", "date_order", "error"),
    ("participants", 1, "dropout_date", "2020-02-02", "date_order", "error"),
    ("participants", 1, "dropout_date", "2021-08-03", "date_order", "error"),
    ("spells", 3, "end_date", "2020-04-30", "date_order", "error"),
    ("participants", 0, "dropout_reason", "moved", "requires", "error"),
    ("participants", 1, "dropout_reason", "", "requires", "warning"),
    ("ladder", 1, "assessment_date", "2021-08-03", "after_followup", "warning"),
    ("spells", 2, "start_date", "2021-08-03", "after_followup", "warning"),
    ("sessions", 1, "session_date", "2021-08-03", "after_followup", "warning"),
    ("spells", 2, "start_date", "2020-12-31", "overlapping_paid_spells", "warning"),
]


@pytest.mark.parametrize(("table", "pos", "column", "value", "rule", "severity"), CASES)
def test_rule_fails(table, pos, column, value, rule, severity):
    report = kr.validate(set_cell(table, pos, column, value))
    problems = report.problems
    # a date moved past end_of_followup may also make later records fall after it: those are
    # reported too (after_followup), but nothing else
    consequences = problems[(problems["rule"] == "after_followup") & (problems["rule"] != rule)]
    problems = problems.drop(consequences.index)
    assert len(problems) == 1, report.summary_text()
    p = problems.iloc[0]
    assert (p["table"], p["rule"], p["severity"]) == (table, rule, severity)
    assert p["row"] == pos + 1
    # cross-field rules are reported on the column the dictionary's check is about
    assert column in p["column"] or rule in ("overlapping_paid_spells", "date_order", "requires")
    assert f"row {pos + 1}:" in p["message"]
    assert report.ok is (severity == "warning")


def test_duplicate_participant_id():
    frames = text_tables()
    extra = frames["participants"].iloc[[0]].assign(cohort="IPS")
    frames["participants"] = pd.concat([frames["participants"], extra], ignore_index=True)
    report = kr.validate(Study.from_frames(**frames))
    assert report.errors[["rule", "row", "column"]].values.tolist() == [
        ["unique_key", 4, "participant_id"]]
    assert report.errors["message"].iloc[0].endswith("participant_id P1 also on row 1")


def test_error_messages_name_file_row_column_and_value():
    frames = text_tables()
    frames["spells"].loc[3, "end_date"] = "2020-04-30"
    study = Study.from_frames(**frames, sources={"spells": TableSource("spells.csv", 2)})
    msg = kr.validate(study).errors["message"].iloc[0]
    assert msg == "spells.csv row 5: end_date 2020-04-30 is before start_date 2020-05-01"


def test_decimal_comma_gets_a_hint():
    msg = kr.validate(set_cell("spells", 1, "hours_per_week", "24,5")).errors["message"].iloc[0]
    assert "decimal comma" in msg and "'24,5'" in msg


def test_rung_zero_mentions_the_0_6_variant():
    msg = kr.validate(set_cell("ladder", 0, "rung", "0")).errors["message"].iloc[0]
    assert "0-6" in msg


def test_paid_spells_touching_but_not_overlapping_pass():
    # P1: regular_paid ends 2020-12-31, next starts 2021-01-04 (valid study): no warning;
    # starting on 2021-01-01, the day after the end, is still no overlap.
    report = kr.validate(set_cell("spells", 2, "start_date", "2021-01-01"))
    assert report.problems.empty


def test_ongoing_paid_spell_overlaps_every_later_one():
    frames = text_tables()
    frames["spells"].loc[1, "end_date"] = ""  # ongoing
    frames["spells"].loc[2, "start_date"] = "2021-06-01"
    report = kr.validate(Study.from_frames(**frames))
    assert list(report.warnings["rule"]) == ["overlapping_paid_spells"]
    assert list(report.warnings["row"]) == [3]


def test_duplicate_row_reported_once_not_as_key_violation():
    frames = text_tables()
    frames["spells"] = pd.concat([frames["spells"], frames["spells"].iloc[[1]]], ignore_index=True)
    frames["sessions"] = pd.concat([frames["sessions"], frames["sessions"].iloc[[0]]],
                                   ignore_index=True)
    report = kr.validate(Study.from_frames(**frames))
    dup = report.errors
    assert list(dup["rule"]) == ["duplicate_row", "duplicate_row"]
    assert list(dup["table"]) == ["spells", "sessions"]
    assert list(dup["row"]) == [5, 4]
    assert "identical to row 2" in dup["message"].iloc[0]
    # the duplicated paid spell overlaps itself: reported as a warning as well
    assert list(report.warnings["rule"]) == ["overlapping_paid_spells"]


def test_missing_and_unknown_columns():
    frames = text_tables()
    frames["participants"] = frames["participants"].drop(columns=["age"]).assign(bsn="x")
    report = kr.validate(Study.from_frames(**frames))
    assert list(report.errors["rule"]) == ["missing_column"]
    assert report.errors["column"].iloc[0] == "age"
    assert list(report.warnings["rule"]) == ["unknown_column"]
    assert report.warnings["column"].iloc[0] == "bsn"


def test_nothing_dropped_coerced_or_reordered():
    frames = text_tables()
    frames["participants"].loc[0, "age"] = "abc"
    frames["spells"] = frames["spells"].iloc[::-1].reset_index(drop=True)
    before = {t: df.copy() for t, df in frames.items()}
    study = Study.from_frames(**frames)
    report, typed = check_study(study)
    for t in frames:
        pd.testing.assert_frame_equal(getattr(study, t), before[t])  # input untouched
        assert len(typed[t]) == len(before[t])
        assert list(typed[t].columns) == list(before[t].columns)
    assert list(typed["spells"]["participant_id"]) == list(before["spells"]["participant_id"])
    assert pd.isna(typed["participants"]["age"].iloc[0])  # unparseable → missing, and reported
    assert report.errors["rule"].tolist() == ["type"]


def test_typed_frames_have_canonical_dtypes():
    _, typed = check_study(study_with())
    for table, frame in typed.items():
        for col, dtype in kr.get_schema(table).dtypes().items():
            assert frame[col].dtype == dtype, (table, col)
    p = typed["participants"]
    assert p["start_date"].iloc[0] == pd.Timestamp("2020-02-03")
    assert p["smi"].tolist() == [False, True, False]
    assert p["age"].tolist() == [34, 16, 67]
    assert p["education"].iloc[1] is np.nan or pd.isna(p["education"].iloc[1])


def test_native_values_are_checked_too():
    """A typed in-memory study (e.g. from a simulator) is validated the same way."""
    _, typed = check_study(study_with())
    bad = typed["participants"].copy()
    bad.loc[1, "age"] = 12
    report = kr.validate(Study.from_frames(**{**typed, "participants": bad}))
    assert report.errors[["rule", "row"]].values.tolist() == [["range", 2]]


def test_report_counts_json_and_text():
    import json

    report = kr.validate(set_cell("participants", 0, "age", "abc"))
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert data["errors"][0]["row"] == 1 and data["errors"][0]["rule"] == "type"
    assert report.counts()["n"].tolist() == [1]
    assert "type × 1" in report.summary_text()
    assert "Not valid" in report._repr_html_()
