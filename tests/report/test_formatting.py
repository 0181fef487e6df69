"""Number and table formatting in English and Dutch (kow_research.report.formatting/export).

Every expected string is written out by hand from the conventions in the module docstring:
decimal point / comma, thousands comma / dot, U+2212 minus, en dash in intervals, a
non-breaking space before % in Dutch, ``<0.001`` for small p-values.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kow_research.report.export import export_table
from kow_research.report.formatting import (
    MISSING,
    ColumnFormat,
    column_label,
    format_ci,
    format_number,
    format_p,
    format_percent,
    format_table,
    table_caption,
    table_layout,
)

NBSP, MINUS, DASH = "\u00a0", "\u2212", "\u2013"


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("x,decimals,en,nl", [
    (1234, 0, "1,234", "1.234"),
    (999, 0, "999", "999"),
    (1234567.891, 2, "1,234,567.89", "1.234.567,89"),
    (0.5, 2, "0.50", "0,50"),
    (3.14159, 1, "3.1", "3,1"),
    (-2.5, 1, f"{MINUS}2.5", f"{MINUS}2,5"),
    (-1234.5, 1, f"{MINUS}1,234.5", f"{MINUS}1.234,5"),
    (np.int64(20000), 0, "20,000", "20.000"),
    (np.float32(0.25), 2, "0.25", "0,25"),
])
def test_format_number_separators(x, decimals, en, nl):
    assert format_number(x, language="en", decimals=decimals) == en
    assert format_number(x, language="nl", decimals=decimals) == nl


def test_rounding_is_half_away_from_zero_on_the_decimal_value():
    # by hand: 0.125 -> 0.13 and 2.5 -> 3 (Python's round gives 0.12 and 2), -0.125 -> -0.13
    assert round(0.125, 2) == 0.12 and round(2.5) == 2   # what we do not do
    assert format_number(0.125, decimals=2) == "0.13"
    assert format_number(2.5) == "3"
    assert format_number(-0.125, decimals=2) == f"{MINUS}0.13"
    # 1.005 is stored as 1.00499999999999989...; its shortest repr "1.005" rounds to 1.01
    assert format_number(1.005, decimals=2) == "1.01"


def test_no_negative_zero():
    assert format_number(-0.004, decimals=2) == "0.00"
    assert format_number(-0.4) == "0"


def test_missing_and_special_values():
    for value in (None, float("nan"), np.nan, pd.NA):
        assert format_number(value) == MISSING == DASH
    assert format_number(None, missing="n/a") == "n/a"
    assert format_number(math.inf) == "\u221e"
    assert format_number(-math.inf) == MINUS + "\u221e"
    assert format_number(Decimal("2.675"), decimals=2) == "2.68"


def test_grouping_can_be_switched_off_for_years():
    assert format_number(2026, grouping=False) == "2026"
    assert format_number(2026, language="nl", grouping=False) == "2026"


def test_format_number_rejects_text_bools_and_bad_decimals():
    with pytest.raises(TypeError, match="must be a number"):
        format_number("12")
    with pytest.raises(TypeError, match="must be a number"):
        format_number(True)
    with pytest.raises(ValueError, match="decimals"):
        format_number(1.0, decimals=-1)
    with pytest.raises(ValueError, match="language"):
        format_number(1.0, language="de")


def test_format_percent():
    assert format_percent(0.44) == "44%"
    assert format_percent(0.44, language="nl") == f"44{NBSP}%"
    # 0.4449 -> 44.49 % -> one decimal: 44.5
    assert format_percent(0.4449, decimals=1) == "44.5%"
    assert format_percent(0.4449, language="nl", decimals=1) == f"44,5{NBSP}%"
    assert format_percent(25.0, proportion=False) == "25%"
    assert format_percent(0.0) == "0%"
    assert format_percent(float("nan")) == MISSING
    # 0.145 * 100 in floating point is 14.499999999999998; on the decimal value it is 14.5
    assert 0.145 * 100 < 14.5 and format_percent(0.145) == "15%"


# ---------------------------------------------------------------- p-values

@pytest.mark.parametrize("p,en,nl", [
    (0.0123, "0.012", "0,012"),
    (0.05, "0.050", "0,050"),
    (0.001, "0.001", "0,001"),
    (0.0009999, "<0.001", "<0,001"),
    (0.00004, "<0.001", "<0,001"),
    (0.0, "<0.001", "<0,001"),
    (0.0125, "0.013", "0,013"),        # half away from zero
    (0.9994, "0.999", "0,999"),
    (0.99962, ">0.999", ">0,999"),     # three decimals would show 1.000
    (1.0, ">0.999", ">0,999"),
])
def test_format_p(p, en, nl):
    assert format_p(p) == en
    assert format_p(p, language="nl") == nl


def test_format_p_with_two_decimals_and_errors():
    assert format_p(0.004, decimals=2) == "<0.01"
    assert format_p(0.034, decimals=2) == "0.03"
    assert format_p(None) == MISSING
    with pytest.raises(ValueError, match="from 0 to 1"):
        format_p(1.2)
    with pytest.raises(ValueError, match="from 0 to 1"):
        format_p(-0.1)


# ---------------------------------------------------------------- intervals

def test_format_ci_uses_an_en_dash():
    assert format_ci(0.25, lower=0.18, upper=0.33) == "0.25 (0.18\u20130.33)"
    assert format_ci(0.25, lower=0.18, upper=0.33, language="nl") == "0,25 (0,18\u20130,33)"
    assert format_ci(1.8234, lower=1.3111, upper=2.5249, decimals=1) == "1.8 (1.3\u20132.5)"
    assert format_ci(1234.5, lower=1000, upper=1500, decimals=0, language="nl") == "1.235 (1.000\u20131.500)"


def test_format_ci_with_a_negative_bound_says_to():
    assert format_ci(-0.1, lower=-0.25, upper=0.05) == f"{MINUS}0.10 ({MINUS}0.25 to 0.05)"
    assert format_ci(-0.1, lower=-0.25, upper=0.05, language="nl") == f"{MINUS}0,10 ({MINUS}0,25 tot 0,05)"
    assert format_ci(-0.3, lower=-0.5, upper=-0.1) == f"{MINUS}0.30 ({MINUS}0.50 to {MINUS}0.10)"


def test_format_ci_missing_parts():
    assert format_ci(float("nan"), lower=0.1, upper=0.2) == MISSING
    assert format_ci(0.3, lower=None, upper=0.4) == "0.30"


# ---------------------------------------------------------------- labels

def test_column_labels_in_both_languages():
    assert column_label("risk_treated", fields={"index": "KOW"}) == "Risk, KOW"
    assert column_label("risk_treated", language="nl", fields={"index": "KOW"}) == "Risico, KOW"
    assert column_label("risk_reference", language="nl",
                        fields={"comparator": "TAU"}) == "Risico, TAU"
    assert column_label("hr", language="nl") == "Hazardratio"
    assert column_label("lower", alpha=0.1) == "Lower 90% limit"
    assert column_label("upper", language="nl", alpha=0.025) == "Bovengrens 97,5%-BI"
    # the data dictionary's title, then the humanised name
    assert column_label("age", language="nl") != "age"
    assert column_label("months_in_programme") == "Months in programme"


def test_column_label_names_a_missing_field():
    with pytest.raises(ValueError, match="needs the field 'index'"):
        column_label("risk_treated")


def test_caller_labels_take_precedence():
    labels = {"n": ("Participants", "Deelnemers"), "x": "Plain"}
    assert column_label("n", language="nl", labels=labels) == "Deelnemers"
    assert column_label("x", language="nl", labels=labels) == "Plain"


# ---------------------------------------------------------------- tables

@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"cohort": ["KOW", "TAU"], "n": [1234, 87],
                         "events": [412.0, 20.0],            # whole numbers stored as float
                         "risk_treated": [0.4412, np.nan],
                         "estimate": [0.25, -0.1], "lower": [0.18, -0.25],
                         "upper": [0.33, 0.05], "p": [0.0123, 0.00004]})


def test_table_layout_labels_cells_and_alignment(frame):
    spec = {"estimate": "ci", "risk_treated": "percent:1"}
    t = table_layout(frame, spec=spec, language="nl", fields={"index": "KOW"})
    assert t.labels == ("Cohort", "n", "Gebeurtenissen", "Risico, KOW", "Schatting (95%-BI)",
                        "p")
    assert t.columns == ("cohort", "n", "events", "risk_treated", "estimate", "p")
    assert t.kinds == ("text", "integer", "integer", "percent", "ci", "p")
    assert t.numeric == (False, True, True, True, True, True)
    assert t.rows[0] == ("KOW", "1.234", "412", f"44,1{NBSP}%", "0,25 (0,18\u20130,33)",
                         "0,012")
    assert t.rows[1] == ("TAU", "87", "20", MISSING,
                         f"{MINUS}0,10 ({MINUS}0,25 tot 0,05)", "<0,001")
    assert t.values[0][1] == 1234 and t.values[1][3] is None


def test_format_table_in_english_has_no_index_and_string_cells(frame):
    out = format_table(frame, spec={"estimate": ColumnFormat(kind="ci", decimals=1)},
                       fields={"index": "KOW"})
    assert list(out.index) == [0, 1]
    assert out.columns[4] == "Estimate (95% CI)"
    # risk_treated has no spec: a number with 2 decimals; 0.25 (0.18-0.33) to 1 decimal
    assert out.iloc[0].tolist() == ["KOW", "1,234", "412", "0.44", "0.3 (0.2\u20130.3)", "0.012"]
    assert all(isinstance(v, str) for v in out.to_numpy().ravel())
    assert out.attrs["align"] == ["left", "right", "right", "right", "right", "right"]


def test_the_frame_is_not_changed(frame):
    before = frame.copy()
    format_table(frame, spec={"estimate": "ci"}, fields={"index": "KOW"})
    pd.testing.assert_frame_equal(frame, before)


def test_named_index_becomes_the_first_column():
    cox = pd.DataFrame({"hr": [1.82], "p": [0.0003]},
                       index=pd.Index(["Programme"], name="covariate"))
    t = table_layout(cox)
    assert t.columns == ("covariate", "hr", "p")
    assert t.rows == (("Programme", "1.82", "<0.001"),)
    assert table_layout(cox, index=False).columns == ("hr", "p")


def test_mixed_column_with_suppressed_counts_and_bools():
    df = pd.DataFrame({"n": pd.Series([1500, "<10", None], dtype=object),
                       "smi": [True, False, True]})
    t = table_layout(df, language="nl")
    assert t.rows == (("1.500", "ja"), ("<10", "nee"), (MISSING, "ja"))
    assert t.numeric == (True, False)


def test_spec_errors_name_the_columns(frame):
    with pytest.raises(ValueError, match=r"\['nope'\]"):
        table_layout(frame, spec={"nope": "number"}, fields={"index": "K"})
    with pytest.raises(ValueError, match="bound columns"):
        table_layout(frame, spec={"n": ColumnFormat(kind="ci", lower="lo")},
                     fields={"index": "K"})
    with pytest.raises(ValueError, match="kind"):
        ColumnFormat(kind="money")
    with pytest.raises(ValueError, match="kind:decimals"):
        ColumnFormat.parse("number:x")


def test_table_caption_uses_the_definition_in_the_language():
    df = pd.DataFrame({"n": [1]})
    df.attrs["definition_text"] = {"en": "Regular paid work.", "nl": "Regulier betaald werk."}
    assert table_caption(df, title="Outcome.", language="en") == "Outcome. Regular paid work."
    assert table_caption(df, title="Uitkomst", language="nl") == \
        "Uitkomst. Regulier betaald werk."
    assert table_caption(pd.DataFrame(), title="Plain") == "Plain"


# ---------------------------------------------------------------- export

def test_export_table_csv_holds_raw_numbers(tmp_path, frame):
    csv, xlsx = export_table(frame, path_stem=tmp_path / "table_2", caption="Table 2. Risk",
                             spec={"estimate": "ci"}, fields={"index": "KOW"})
    raw = csv.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark (see module notes)"
    assert raw.decode("utf-8").splitlines()[0] == \
        "cohort,n,events,risk_treated,estimate,lower,upper,p"
    back = pd.read_csv(csv)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_export_table_xlsx_has_numeric_cells_caption_and_notes(tmp_path, frame):
    _, xlsx = export_table(frame, path_stem=tmp_path / "t", caption="Tabel 2. Risico",
                           language="nl", spec={"estimate": "ci", "risk_treated": "percent"},
                           fields={"index": "KOW"}, notes=["BI: betrouwbaarheidsinterval."])
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Tabel"]
    assert ws["A1"].value == "Tabel 2. Risico"
    header = [c.value for c in ws[3]]
    assert header == ["Cohort", "n", "Gebeurtenissen", "Risico, KOW", "Schatting",
                      "Ondergrens 95%-BI", "Bovengrens 95%-BI", "p"]
    row = [c for c in ws[4]]
    assert [c.value for c in row] == ["KOW", 1234, 412, 0.4412, 0.25, 0.18, 0.33, 0.0123]
    assert all(c.data_type == "n" for c in row[1:])
    assert row[1].number_format == "#,##0" and row[3].number_format == "0%"
    assert row[4].number_format == "#,##0.00" and row[7].number_format == "0.000"
    assert ws["D5"].value is None                     # the missing risk stays empty
    assert ws["A7"].value == "BI: betrouwbaarheidsinterval."
    assert [c.value for c in wb["columns"]["A"]][1:] == \
        ["cohort", "n", "events", "risk_treated", "estimate", "lower", "upper", "p"]


def test_export_table_keeps_suppressed_counts_as_text(tmp_path):
    df = pd.DataFrame({"cohort": ["A", "B"], "n": pd.Series([25, "<10"], dtype=object)})
    _, xlsx = export_table(df, path_stem=tmp_path / "s", caption="Counts")
    ws = openpyxl.load_workbook(xlsx)["Table"]
    assert (ws["B4"].value, ws["B4"].data_type) == (25, "n")
    assert (ws["B5"].value, ws["B5"].data_type) == ("<10", "s")


def test_export_table_needs_an_existing_folder(tmp_path, frame):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export_table(frame, path_stem=tmp_path / "no" / "t", caption="x",
                     fields={"index": "K"})


def test_numbers_beyond_28_digits_are_written_out():
    # Decimal's default precision (28 digits) made quantize fail on a risk ratio's upper limit
    # of 9.16e31; every digit is written, with the separators of the language
    assert format_number(9.16e31, decimals=2, language="nl") == (
        "91.600.000.000.000.000.000.000.000.000.000,00")
    assert format_number(-1.5e30, decimals=1) == "−1,500," + ",".join(["000"] * 9) + ".0"


def test_an_unbounded_ratio_limit_is_shown_as_infinity():
    from kow_research.report.comparison import RATIO_UNBOUNDED, ratio_ci

    assert ratio_ci(4.82, 0.09, 9.16e31, language="nl") == "4,82 (0,09–∞)"
    assert ratio_ci(4.82, 0.09, RATIO_UNBOUNDED) == "4.82 (0.09–1,000,000.00)"
