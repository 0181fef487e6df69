"""The value rules of a mapping on tiny columns whose results are written out by hand, with the
import-log counts they must produce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kow_research.data import get_schema
from kow_research.data.mapping import Rules
from kow_research.data.transform import Log, SpssMeta, transform_column

P, S, SES = get_schema("participants"), get_schema("spells"), get_schema("sessions")


def run(values, field, rules=None, spss=None, table="participants"):
    rules = rules or Rules()
    log = Log()
    out = transform_column(pd.Series(values), field, rules, table=table, source_column="src",
                           log=log, spss=spss)
    frame = log.frame()
    return ([None if pd.isna(v) else v for v in out.tolist()],
            {(r.rule, r._4, r.to): r.rows for r in frame.rename(columns={"from": "_4"})
             .itertuples()})


def test_dates_in_a_declared_format_and_excel_serial_numbers():
    values, log = run(["3-2-2020", "03-02-2020", " 31-12-2021 ", "31-02-2020", ""],
                      P.field("start_date"), Rules(date_format=("%d-%m-%Y",)))
    # 3 February written twice, 31 December with spaces; 31 February is no date: left as it
    # is for validation to report with its row
    assert values == ["2020-02-03", "2020-02-03", "2021-12-31", "31-02-2020", None]
    assert log[("date_format", "%d-%m-%Y", "YYYY-MM-DD")] == 3
    assert log[("strip", "surrounding spaces", "removed")] == 1
    # Excel counts days from 1899-12-30 (its 1900 leap-year bug included): 43831 is 2020-01-01,
    # 44927 is 2023-01-01; 1.5 has a time of day and is not a date
    values, log = run([43831.0, 44927, 1.5], P.field("intake_date"),
                      Rules(date_format=("excel",)))
    assert values == ["2020-01-01", "2023-01-01", 1.5]
    assert log[("date_format", "excel serial number", "YYYY-MM-DD")] == 2


def test_several_date_formats_are_tried_in_order():
    values, log = run(["2020-02-03", "3-2-2020", "45000"], P.field("start_date"),
                      Rules(date_format=("iso", "%d-%m-%Y", "excel")))
    assert values == ["2020-02-03", "2020-02-03", "2023-03-15"]  # 45000 - 43831 = 1169 days
    assert log == {("date_format", "%d-%m-%Y", "YYYY-MM-DD"): 1,
                   ("date_format", "excel serial number", "YYYY-MM-DD"): 1}


def test_missing_codes_recodes_and_the_dictionary_labels():
    values, log = run(["vrouw", "Vrouw", "man", "anders", "-9", "onbekend"], P.field("sex"),
                      Rules(recode="dictionary", missing=("-9",)))
    assert values == ["female", "female", "male", "other", None, "onbekend"]
    assert log == {("recode_dictionary", "vrouw", "female"): 1,
                   ("recode_dictionary", "Vrouw", "female"): 1,
                   ("recode_dictionary", "man", "male"): 1,
                   ("recode_dictionary", "anders", "other"): 1,
                   ("missing_code", "-9", ""): 1}
    values, log = run([1.0, 2.0, 2.0, 3.0], P.field("cohort"),
                      Rules(recode={"1": "KOW", "2": "CAU"}))
    assert values == ["KOW", "CAU", "CAU", "3"]  # 3 has no recode: reported by validation
    assert log[("recode", "2", "CAU")] == 2


def test_decimal_commas_and_yes_no_words():
    values, log = run(["27,5", "8", ",5", "1.234,5", ""], S.field("hours_per_week"),
                      Rules(decimal=","), table="spells")
    assert values == ["27.5", "8", ".5", "1.234,5", None]  # thousands separators are not guessed
    assert log == {("decimal_comma", ",", "."): 2}
    values, log = run(["WAAR", "ONWAAR", "ja", "Nee", "1", "misschien"], P.field("smi"),
                      Rules(true_words=("WAAR", "ja"), false_words=("ONWAAR", "nee")))
    assert values == ["true", "false", "true", "false", "true", "misschien"]
    assert log[("boolean", "Nee", "false")] == 1 and log[("boolean", "1", "true")] == 1


def test_numbers_as_ids_never_get_a_decimal_part():
    values, log = run([101.0, 102.0, np.nan, 103.5], P.field("participant_id"))
    assert values == ["101", "102", None, 103.5]  # 103.5 is no id: validation says "not text"
    assert log == {("number_to_text", "whole number", "text"): 2}


def test_spss_codes_labels_and_user_missing_values():
    meta = SpssMeta(value_labels={1.0: "vrouw", 2.0: "man", 9.0: "onbekend"},
                    missing_ranges=[(9.0, 9.0)])
    values, log = run([1.0, 2.0, 9.0, 1.0], P.field("sex"), Rules(recode="dictionary"),
                      spss=meta)
    assert values == ["female", "male", None, "female"]
    assert log[("spss_user_missing", "9", "")] == 1
    assert log[("spss_label", "1", "vrouw")] == 2
    # a numeric field reads the stored codes by default, even with value labels
    rung = get_schema("ladder").field("rung")
    labels = SpssMeta(value_labels={2.0: "sociale contacten buitenshuis"})
    assert run([2.0, 3.0], rung, spss=labels, table="ladder")[0] == [2.0, 3.0]
    assert run([2.0], rung, Rules(spss_values="labels"), spss=labels, table="ladder")[0] == [
        "sociale contacten buitenshuis"]


def test_nothing_is_dropped_or_reordered():
    raw = ["b", "a", "", "b", "c"] * 1000
    out = transform_column(pd.Series(raw), P.field("region"), Rules(), table="participants",
                           source_column="regio", log=Log())
    assert len(out) == len(raw)
    assert [None if pd.isna(v) else v for v in out[:5]] == ["b", "a", None, "b", "c"]


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]"])
def test_text_columns_of_any_storage_give_the_same_result(dtype):
    values = pd.Series(["WAAR", "", "ONWAAR"], dtype=dtype)
    out = transform_column(values, SES.field("attended"),
                           Rules(true_words=("WAAR",), false_words=("ONWAAR",)),
                           table="sessions", source_column="x", log=Log())
    assert [None if pd.isna(v) else v for v in out] == ["true", None, "false"]
