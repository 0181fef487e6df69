"""Reader hardening: input that used to change values without a message is refused, naming the
file, row and column; blank lines keep their place in the row numbers; values that do not fit
their type, implausible dates and an empty study are validation errors, never a traceback.

Each case writes the hand-made valid study (``helpers.text_tables``) as CSV, damages one thing,
and checks the message. Row numbers are physical lines: the header is row 1.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import kow_research as kr
from kow_research.data import ReadError, TableSource
from kow_research.data.delimited import read_delimited
from kow_research.data.readers import read_sheet

from .helpers import text_tables
from .test_io import write_csv_tables

TODAY = dt.date(2026, 12, 1)  # plausible ranges end at TODAY + 1 year = 2027-12-01


def csv_folder(tmp_path: Path) -> Path:
    return write_csv_tables(tmp_path / "study", text_tables())


def replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = text + "\n"
    path.write_text("".join(lines), encoding="utf-8")


# ------------------------------------------------------------------------------ NUL bytes
def test_nul_byte_is_refused_naming_file_row_and_column(tmp_path: Path):
    folder = csv_folder(tmp_path)
    # spells row 3 (P1's second spell): hours "24.5" damaged to "1\x004.5", which pandas
    # would read as 1.0
    replace_line(folder / "spells.csv", 3, "P1,2020-06-01,2020-12-31,regular_paid,1\x004.5")
    with pytest.raises(ReadError) as info:
        kr.load_study(folder)
    assert (info.value.file, info.value.row, info.value.column) == (
        "spells.csv", 3, "hours_per_week")
    assert "NUL byte" in str(info.value) and "row 3, column hours_per_week" in str(info.value)


# ------------------------------------------------------------------------ field counts
def test_short_row_is_refused_so_a_dropout_cannot_disappear(tmp_path: Path):
    folder = csv_folder(tmp_path)
    # P2's row lost its last two fields (dropout_date, dropout_reason would be padded empty)
    line = (folder / "participants.csv").read_text().splitlines()[2]
    replace_line(folder / "participants.csv", 3, ",".join(line.split(",")[:-2]))
    with pytest.raises(ReadError) as info:
        kr.load_study(folder)
    assert (info.value.row, info.value.column) == (3, "dropout_date")
    msg = str(info.value)
    assert "participants.csv: row 3 has 13 field(s) where the header has 15" in msg
    assert "dropout_date, dropout_reason are missing" in msg


def test_long_row_and_trailing_delimiter_are_refused(tmp_path: Path):
    folder = csv_folder(tmp_path)
    replace_line(folder / "sessions.csv", 4, "P2,1,information,2020-01-20,1,")
    with pytest.raises(ReadError, match=r"sessions\.csv: row 4 has 6 fields where the header "
                                         r"has 5: an extra field after column attended"):
        kr.load_study(folder)


def test_all_rows_with_the_wrong_count_are_listed(tmp_path: Path):
    folder = csv_folder(tmp_path)
    replace_line(folder / "ladder.csv", 2, "P1,2020-02-03,3")
    replace_line(folder / "ladder.csv", 4, "P2,2020-02-03")
    with pytest.raises(ReadError, match=r"rows with the wrong number of fields: 2, 4"):
        kr.load_study(folder)


def test_quoted_delimiters_and_line_breaks_are_values_not_fields(tmp_path: Path):
    folder = csv_folder(tmp_path)
    text = (folder / "participants.csv").read_text().splitlines()
    text[1] = text[1].replace("Utrecht", '"Utrecht, ""centrum""\nwijk Oost"')
    text[3] = text[3].replace("34", "340") if "34" in text[3] else text[3]
    (folder / "participants.csv").write_text("\n".join(text) + "\n")
    frames = text_tables()
    frames["participants"].loc[2, "age"] = "340"  # P3 is on physical rows 5 (row 2 spans two)
    report = kr.validate(kr.read_tables(folder), today=TODAY)
    p = kr.read_tables(folder).participants
    assert p["region"].iloc[0] == 'Utrecht, "centrum"\nwijk Oost'
    assert len(p) == 3
    study = kr.read_tables(folder)
    assert study.source("participants").row_numbers(np.arange(3)).tolist() == [2, 4, 5]
    assert report.ok


# -------------------------------------------------------------------------- blank lines
def test_blank_lines_keep_the_row_numbers_of_later_messages(tmp_path: Path):
    folder = csv_folder(tmp_path)
    lines = (folder / "spells.csv").read_text().splitlines()
    lines[4] = lines[4].replace("2020-05-01,2020-05-01", "2020-05-01,2020-04-30")  # end < start
    lines.insert(2, "")  # a blank line after the first record: the bad row is now row 6
    (folder / "spells.csv").write_text("\n".join(lines) + "\n")
    study = kr.load_study(folder, strict=False, today=TODAY)
    errors = study.meta["validation"].errors
    assert errors[["source", "row", "rule"]].values.tolist() == [["spells.csv", 6, "date_order"]]
    assert errors["message"].iloc[0].startswith("spells.csv row 6: end_date 2020-04-30")
    warning = study.meta["validation"].warnings
    assert warning["rule"].tolist() == ["empty_rows"]
    assert "rows 3" in warning["message"].iloc[0]


def test_padding_rows_of_only_delimiters_are_skipped_and_reported(tmp_path: Path):
    folder = write_csv_tables(tmp_path / "s", text_tables(), sep=";")
    with (folder / "ladder.csv").open("a") as fh:
        fh.write(";;;\n;;;\n;;;;;;;;\n")  # the last one wider than the header
    study = kr.load_study(folder, today=TODAY)
    assert len(study.ladder) == 4
    w = study.meta["validation"].warnings
    assert w["message"].tolist() == ["ladder.csv: 3 empty row(s) skipped (blank, or every field "
                                     "empty, such as ';;;;' padding): rows 6, 7, 8"]


# --------------------------------------------------------------------- encodings, headers
def test_utf16_and_duplicate_headers_are_clear_errors(tmp_path: Path):
    folder = csv_folder(tmp_path)
    text = (folder / "ladder.csv").read_text()
    (folder / "ladder.csv").write_bytes(text.encode("utf-16"))
    with pytest.raises(ReadError, match="UTF-16"):
        kr.load_study(folder)
    (folder / "ladder.csv").write_text(text.replace("rung,wave", "rung,RUNG"))
    with pytest.raises(ReadError, match="names column 'RUNG' twice"):
        kr.load_study(folder)


def test_declared_windows_1252_is_read(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_bytes("a;b\r\n1;Súdwest-Fryslân\r\n".encode("cp1252"))
    with pytest.raises(ReadError, match="encoding: cp1252"):
        read_delimited(path)
    raw = read_delimited(path, encoding="cp1252")
    assert raw.frame["b"].tolist() == ["Súdwest-Fryslân"]


# ----------------------------------------------------------------------------- Excel
def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path: Path):
    path = _workbook(tmp_path / "w.xlsx", {"participants": [["participant_id", "age"],
                                                            ["P1", 34], ["P2", "=B2+1"]]})
    with pytest.raises(ReadError) as info:
        read_sheet(path)
    assert (info.value.row, info.value.column) == (3, "age")
    assert "cell B3 (row 3, column age) holds the formula '=B2+1' without a saved value" in str(
        info.value)


def test_formula_with_a_saved_value_is_read(tmp_path: Path):
    path = _workbook(tmp_path / "w.xlsx", {"participants": [["participant_id", "age"],
                                                            ["P1", 34], ["P2", "=B2+1"]]})
    patched = tmp_path / "saved.xlsx"  # what Excel writes after a recalculation: the cached value
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<f>B2\+1</f><v ?/>|<f>B2\+1</f><v></v>", b"<f>B2+1</f><v>35</v>",
                              data)
            dst.writestr(item, data)
    assert read_sheet(patched).frame["age"].tolist() == [34, 35]


def test_sheets_are_matched_ignoring_case_and_never_silently_the_first(tmp_path: Path):
    path = _workbook(tmp_path / "export.xlsx", {
        "Toelichting": [["Dit is een toelichting"]],
        "Deelnemers": [["participant_id"], ["P1"]], "Metingen": [["participant_id"], ["P1"]]})
    assert read_sheet(path, "DEELNEMERS").source.name == "export.xlsx[Deelnemers]"
    with pytest.raises(ReadError, match=r"has 3 sheets \('Toelichting', 'Deelnemers', "
                                        r"'Metingen'\) and none is named"):
        read_sheet(path)
    with pytest.raises(ReadError, match="no sheet named 'Werk'; the sheets are"):
        read_sheet(path, "Werk")


def test_study_workbook_sheets_match_regardless_of_case(tmp_path: Path):
    typed = kr.load_study(write_csv_tables(tmp_path / "src", text_tables()))
    book = {t.capitalize(): df.astype(object).where(df.notna(), None)
            for t, df in typed.tables.items()}
    with pd.ExcelWriter(tmp_path / "study.xlsx") as writer:
        pd.DataFrame({"uitleg": ["lees mij"]}).to_excel(writer, sheet_name="Toelichting",
                                                         index=False)
        for name, df in book.items():
            df.to_excel(writer, sheet_name=name, index=False)
    back = kr.load_study(tmp_path / "study.xlsx")
    pd.testing.assert_frame_equal(back.participants, typed.participants)


def test_blank_excel_rows_keep_the_sheet_row_numbers(tmp_path: Path):
    path = _workbook(tmp_path / "w.xlsx", {"s": [["participant_id", "age"], ["P1", 34], [],
                                                 ["P2", "veertig"]]})
    raw = read_sheet(path)
    assert raw.source.row_numbers(np.arange(2)).tolist() == [2, 4]
    assert raw.skipped.tolist() == [3]


# ------------------------------------------------------------------------------ SPSS
def test_spss_rungs_are_read_as_codes_not_their_labels(tmp_path: Path):
    import pyreadstat

    typed = kr.load_study(write_csv_tables(tmp_path / "src", text_tables()))
    kr.write_study(typed, tmp_path / "sav", format="sav")
    path = str(tmp_path / "sav" / "ladder.sav")
    df, meta = pyreadstat.read_sav(path)  # add the rungs' Dutch names as value labels
    labels = {float(c.value): c.label_nl for c in kr.get_schema("ladder").field("rung").categories}
    pyreadstat.write_sav(df, path, variable_value_labels={"rung": labels},
                         variable_format=meta.original_variable_types)
    back = kr.load_study(tmp_path / "sav")
    assert back.ladder["rung"].tolist() == [3, 6, 1, 2]  # not 'sociale contacten buitenshuis'
    assert back.participants["sex"].tolist() == ["female", "male", "other"]  # labels for text


# --------------------------------------------------------- values that do not fit the type
def test_a_23_digit_age_is_a_type_error_not_an_overflow(tmp_path: Path):
    frames = text_tables()
    frames["participants"].loc[0, "age"] = "12345678901234567890123"
    study = kr.load_study(write_csv_tables(tmp_path, frames), strict=False, today=TODAY)
    err = study.meta["validation"].errors
    assert err[["rule", "row", "column"]].values.tolist() == [["type", 2, "age"]]
    assert "too large" in err["message"].iloc[0]


def test_parquet_timestamp_in_the_year_3000_is_a_validation_error(tmp_path: Path):
    typed = kr.load_study(write_csv_tables(tmp_path / "src", text_tables()))
    kr.write_study(typed, tmp_path / "pq", format="parquet")
    table = pq.read_table(tmp_path / "pq" / "spells.parquet")
    ends = table.column("end_date").cast(pa.timestamp("us")).to_pylist()
    ends[0] = dt.datetime(3000, 1, 1)
    table = table.set_column(table.schema.get_field_index("end_date"), "end_date",
                             pa.array(ends, pa.timestamp("us")))
    pq.write_table(table, tmp_path / "pq" / "spells.parquet")
    study = kr.load_study(tmp_path / "pq", strict=False, today=TODAY)
    err = study.meta["validation"].errors
    assert err[["table", "row", "column", "rule"]].values.tolist() == [
        ["spells", 1, "end_date", "type"]]
    assert "3000-01-01" in err["message"].iloc[0]
    assert "outside the dates that can be stored" in err["message"].iloc[0]


@pytest.mark.parametrize(("value", "bound"), [("1850-03-01", "1990-01-01"),
                                              ("1900-01-01", "1990-01-01"),
                                              ("2099-01-05", "2027-12-01")])
def test_implausible_dates_are_errors_with_the_value(tmp_path: Path, value: str, bound: str):
    frames = text_tables()
    frames["participants"].loc[2, "end_of_followup"] = value
    study = kr.Study.from_frames(**frames)
    report = kr.validate(study, today=TODAY)
    rules = report.errors[report.errors["column"] == "end_of_followup"]
    plausible = rules[rules["rule"] == "plausible_date"]
    assert plausible["value"].tolist() == [value]
    assert bound in plausible["message"].iloc[0]
    assert "1990-01-01 to 2027-12-01 (1990-01-01 to today + 1 year)" in plausible["message"].iloc[0]


def test_spell_dates_may_lie_before_the_programme_but_not_before_1960():
    field = kr.get_schema("spells").field("start_date")
    assert field.plausible_range(TODAY) == (pd.Timestamp("1960-01-01"), pd.Timestamp("2027-12-01"))


def test_an_empty_study_is_a_clear_error(tmp_path: Path):
    frames = {t: df.iloc[0:0] for t, df in text_tables().items()}
    study = kr.load_study(write_csv_tables(tmp_path, frames), strict=False)
    errors = study.meta["validation"].errors
    assert errors["rule"].tolist() == ["empty_study"]
    assert "participants.csv: the participants table has no rows" in errors["message"].iloc[0]


# ------------------------------------------------------------------- provenance columns
def test_provenance_columns_name_the_original_file_and_row(tmp_path: Path):
    frames = text_tables()
    frames["ladder"].loc[2, "rung"] = "9"
    study = kr.Study.from_frames(**frames, sources={"ladder": TableSource(
        "team.sav", rows=np.array([14, 14, 15, 16]), files=np.array(["team.sav"] * 4, object),
        columns={"rung": np.array(["PL_T0", "PL_T6", "PL_T0", "PL_T0"], object)})})
    kr.write_study(study, tmp_path / "out", provenance=True)
    assert "_source_file,_source_row" in (tmp_path / "out" / "ladder.csv").read_text()
    back = kr.load_study(tmp_path / "out", strict=False, today=TODAY)
    err = back.meta["validation"].errors
    assert err[["source", "row"]].values.tolist() == [["team.sav", 15]]
    assert err["message"].iloc[0] == "team.sav row 15: rung 9 is outside 1-6"
    assert list(back.ladder.columns) == kr.get_schema("ladder").columns
    in_memory = kr.validate(study, today=TODAY).errors["message"].iloc[0]
    assert in_memory == "team.sav row 15, column PL_T0: rung 9 is outside 1-6"


# ---------------------------------------------------------------------------- exit codes
@pytest.mark.parametrize(("damage", "code", "text"), [
    (None, 0, "OK: no errors"),
    (("participants.csv", 2, "P1,KOW,Utrecht,2020-01-06,1850-02-03,2021-08-02,34,female,"
      "anxiety,false,bijstand,middle,14,,"), 1, "plausible_date"),
    (("participants.csv", 3, "P2,KOW,,2020-01-13,2020-02-03"), 2, "row 3 has 5 field(s)"),
    (("spells.csv", 2, "P1,2020-02-03,2021-01-31,work_\x00experience,16"), 2, "NUL byte"),
])
def test_validate_command_exit_codes(tmp_path: Path, capsys, damage, code: int, text: str):
    from kow_research.cli import main

    folder = csv_folder(tmp_path)
    if damage is not None:
        replace_line(folder / damage[0], damage[1], damage[2])
    assert main(["validate", str(folder)]) == code
    captured = capsys.readouterr()
    assert text in captured.out + captured.err
    assert "Traceback" not in captured.err
