"""Import with a mapping: wide to long, provenance in every message, the import log, mapping
mistakes, the study folder and the ``import`` command's exit codes (0 written, 1 validation
errors, 2 unreadable input)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import kow_research as kr
from kow_research.cli import main
from kow_research.data import MappingError, ReadError, import_study, write_study_folder

RECIPES = Path(__file__).parent / "fixtures" / "recipes"
TODAY = dt.date(2026, 12, 1)
SPSS = [RECIPES / "spss" / "team.sav", RECIPES / "spss" / "werk.sav"]
SPSS_MAPPING = RECIPES / "spss" / "mapping.yaml"
DUTCH = RECIPES / "dutch_excel"


def spss_copy(tmp_path: Path, change=None) -> list[Path]:
    """The SPSS recipe files in ``tmp_path``, optionally with ``change(frame)`` applied to
    team.sav (labels, formats and user-missing values kept)."""
    folder = tmp_path / "spss"
    folder.mkdir()
    for p in SPSS:
        shutil.copy(p, folder / p.name)
    if change is not None:
        df, meta = pyreadstat.read_sav(str(folder / "team.sav"), user_missing=True)
        change(df)
        pyreadstat.write_sav(df, str(folder / "team.sav"),
                             column_labels=meta.column_names_to_labels,
                             variable_value_labels=meta.variable_value_labels,
                             variable_format=meta.original_variable_types,
                             missing_ranges=meta.missing_ranges)
    return [folder / p.name for p in SPSS]


def test_wide_ladder_keeps_person_order_and_names_the_wide_column(tmp_path: Path):
    def damage(df: pd.DataFrame) -> None:
        df.loc[4, "PL_T6"] = 9.0  # respnr 105, case 5 of team.sav

    study = import_study(spss_copy(tmp_path, damage), SPSS_MAPPING, strict=False, today=TODAY)
    errors = study.meta["validation"].errors
    assert errors[["source", "row", "column", "rule"]].values.tolist() == [
        ["team.sav", 5, "rung", "range"]]
    assert errors["message"].iloc[0] == "team.sav row 5, column PL_T6: rung 9 is outside 1-6"
    ladder = study.ladder
    first = ladder[ladder["participant_id"] == "101"]
    assert first["wave"].tolist() == ["T0", "T6", "T12", "T18"]  # waves in order per person
    assert study.source("ladder").row_numbers(first.index.to_numpy()).tolist() == [1, 1, 1, 1]


def test_strict_import_raises_with_the_report_and_the_log(tmp_path: Path):
    def damage(df: pd.DataFrame) -> None:
        df.loc[0, "leeftijd"] = 12.0

    with pytest.raises(kr.ValidationError) as info:
        import_study(spss_copy(tmp_path, damage), SPSS_MAPPING, today=TODAY)
    assert "team.sav row 1, column leeftijd: age 12 years is outside 16-67 years" in str(
        info.value)
    assert info.value.import_log is not None and "wide_to_long" in set(
        info.value.import_log["rule"])


def test_a_bad_value_names_the_original_file_row_and_column(tmp_path: Path):
    folder = tmp_path / "csv"
    shutil.copytree(DUTCH, folder)
    lines = (folder / "deelnemers.csv").read_bytes().decode("cp1252").split("\r\n")
    fields = lines[7].split(";")
    fields[4] = "31-2-2021"  # no such day; row 8 of the file (header = row 1)
    lines[7] = ";".join(fields)
    (folder / "deelnemers.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    study = import_study(folder, DUTCH / "mapping.yaml", strict=False, today=TODAY)
    err = study.meta["validation"].errors
    assert err[["source", "row", "column", "rule"]].values.tolist() == [
        ["deelnemers.csv", 8, "start_date", "type"]]
    assert err["message"].iloc[0] == (
        "deelnemers.csv row 8, column Start: start_date '31-2-2021' is not a date as %d-%m-%Y or "
        "YYYY-MM-DD (date_format in the mapping)")


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "kow.csv"
    b = tmp_path / "cau.csv"
    a.write_text("nr;start;einde;lft;sekse;epa;uitk;diag;extra\n"
                 "1;2021-02-01;2022-02-01;30;vrouw;nee;ww;depressie;x\n", encoding="utf-8")
    b.write_text("nr;start;einde;lft;sekse;epa;uitk;diag;extra\n\n"
                 "2;2021-03-01;2022-03-01;70;man;ja;ww;depressie;y\n", encoding="utf-8")
    return a, b


TWO = """
kow_research_mapping: 1
defaults: {booleans: {true: [ja], false: [nee]}}
tables:
  participants:
    source: [kow.csv, cau.csv]
    columns: {participant_id: nr, start_date: start, end_of_followup: einde, age: lft,
              sex: sekse, smi: epa, benefit: uitk, diagnosis_group: diag}
    constants: {cohort: STUDY}
    recode: {sex: dictionary, diagnosis_group: dictionary}
"""


def test_one_table_from_two_files_keeps_each_file_and_row(tmp_path: Path):
    study = import_study(list(_two_files(tmp_path)), TWO, strict=False, today=TODAY)
    err = study.meta["validation"].errors
    assert err["message"].tolist() == ["cau.csv row 3, column lft: age 70 years is outside "
                                       "16-67 years"]
    log = study.meta["import_log"]
    assert log.query("rule == 'constant'")[["column", "to", "rows"]].values.tolist() == [
        ["cohort", "STUDY", 2]]
    assert set(log.query("rule == 'not_in_source'")["column"]) == {
        "region", "intake_date", "education", "months_out_of_work", "dropout_date",
        "dropout_reason"}
    assert log.query("rule == 'not_imported'")[["column", "from"]].values.tolist() == [
        ["extra", "kow.csv"], ["extra", "cau.csv"]]
    assert study.participants["region"].isna().all()  # optional and absent: empty, not invented


@pytest.mark.parametrize(("change", "error", "message"), [
    (("lft", "leeftyd"), MappingError, "no column 'leeftyd' in the source; close: 'lft'"),
    (("    constants: {cohort: STUDY}\n", ""), MappingError,
     "no source for the required field(s) cohort"),
    (("[kow.csv, cau.csv]", "[kow.csv, ips.csv]"), MappingError,
     "source 'ips.csv' is not among the files given (kow.csv, cau.csv)"),
])
def test_mapping_mistakes_name_the_place(tmp_path: Path, change, error, message):
    text = TWO.replace("age: lft", "age: leeftyd") if change[0] == "lft" else TWO.replace(*change)
    with pytest.raises(error) as info:
        import_study(list(_two_files(tmp_path)), text, today=TODAY)
    assert message in str(info.value)


def test_a_workbook_sheet_is_never_silently_the_first(tmp_path: Path):
    book = RECIPES / "castor" / "castor_export.xlsx"
    text = (RECIPES / "castor" / "mapping_xlsx.yaml").read_text(encoding="utf-8")
    with pytest.raises(ReadError, match=r"has 5 sheets \('Toelichting', 'Study results'"):
        import_study(book, text.replace("    sheet: study results\n", ""), today=TODAY)


def test_the_study_folder_keeps_the_original_file_and_row(tmp_path: Path):
    study = import_study(SPSS, SPSS_MAPPING, today=TODAY)
    written = write_study_folder(study, tmp_path / "study")
    assert sorted(p.name for p in written) == sorted([
        "participants.csv", "ladder.csv", "spells.csv", "sessions.csv", "mapping.yaml",
        "import_log.csv", "study.yaml"])
    assert (tmp_path / "study" / "mapping.yaml").read_text() == SPSS_MAPPING.read_text()
    # the draft design names the programmes the data hold; a second write keeps the user's
    design = kr.load_design(tmp_path / "study")
    assert design.index == "KOW" and design.comparators == ["CAU"]
    (tmp_path / "study" / "study.yaml").write_text("index: CAU\n", encoding="utf-8")
    write_study_folder(study, tmp_path / "study")
    assert (tmp_path / "study" / "study.yaml").read_text() == "index: CAU\n"
    log = pd.read_csv(tmp_path / "study" / "import_log.csv")
    assert list(log.columns) == ["table", "column", "rule", "from", "to", "rows"]
    back = kr.load_study(tmp_path / "study", today=TODAY)
    for table in kr.data.TABLES:
        pd.testing.assert_frame_equal(back.tables[table], study.tables[table])
    # a value spoilt later in the canonical folder is still reported at its origin
    ladder = (tmp_path / "study" / "ladder.csv").read_text().splitlines()
    fields = ladder[6].split(",")  # participant_id, assessment_date, rung, wave, file, row
    fields[2] = "0"
    ladder[6] = ",".join(fields)
    (tmp_path / "study" / "ladder.csv").write_text("\n".join(ladder) + "\n")
    err = kr.load_study(tmp_path / "study", strict=False, today=TODAY).meta["validation"].errors
    assert err["message"].tolist() == [f"team.sav row {fields[-1]}: rung 0 is outside 1-6 (the "
                                       "0-6 ladder variant? recode to 1-6)"]


# ---------------------------------------------------------------------------------- CLI
def test_import_command_writes_the_study_and_exits_0(tmp_path: Path, capsys):
    out = tmp_path / "study"
    code = main(["import", *map(str, SPSS), "--mapping", str(SPSS_MAPPING), "--out", str(out)])
    assert code == 0
    assert (out / "import_log.csv").is_file() and (out / "participants.csv").is_file()
    assert "spss_user_missing 2 rows" in capsys.readouterr().out
    # a second import replaces an earlier import's folder
    assert main(["import", *map(str, SPSS), "--mapping", str(SPSS_MAPPING),
                 "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0


def test_import_command_exits_1_on_validation_errors_and_writes_nothing(tmp_path: Path, capsys):
    def damage(df: pd.DataFrame) -> None:
        df.loc[2, "start_dat"] = df.loc[2, "einde_fu"] + dt.timedelta(days=10)

    files = spss_copy(tmp_path, damage)
    out = tmp_path / "study"
    assert main(["import", *map(str, files), "--mapping", str(SPSS_MAPPING),
                 "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "team.sav row 3, column einde_fu: end_of_followup" in text
    assert "was not written" in text and not out.exists()


@pytest.mark.parametrize("case", ["missing source", "bad mapping", "not a study folder",
                                  "short row"])
def test_import_command_exits_2_on_unreadable_input(tmp_path: Path, capsys, case: str):
    mapping, out, sources = SPSS_MAPPING, tmp_path / "study", [str(p) for p in SPSS]
    if case == "missing source":
        sources = [str(tmp_path / "nothing.sav")]
    elif case == "bad mapping":
        mapping = tmp_path / "m.yaml"
        mapping.write_text("kow_research_mapping: 1\ntables: {participants: {colums: {}}}\n")
    elif case == "not a study folder":
        out.mkdir()
        (out / "thesis.docx").write_text("do not overwrite")
    else:
        folder = tmp_path / "csv"
        shutil.copytree(DUTCH, folder)
        data = (folder / "werk.csv").read_bytes().split(b"\r\n")
        data[5] = data[5].rsplit(b";", 1)[0]  # row 6 lost its last field
        (folder / "werk.csv").write_bytes(b"\r\n".join(data))
        sources, mapping = [str(folder)], DUTCH / "mapping.yaml"
    code = main(["import", *sources, "--mapping", str(mapping), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("kow-research import: ") and "Traceback" not in err
    if case == "not a study folder":
        assert (out / "thesis.docx").read_text() == "do not overwrite"
    if case == "short row":
        assert "werk.csv: row 6 has 4 field(s) where the header has 5" in err


def test_init_mapping_command(tmp_path: Path, capsys):
    assert main(["init-mapping", str(DUTCH)]) == 0
    assert "participant_id: Deelnemer" in capsys.readouterr().out
    out = tmp_path / "mapping.yaml"
    assert main(["init-mapping", *map(str, SPSS), "--out", str(out)]) == 0
    assert main(["init-mapping", *map(str, SPSS), "--out", str(out)]) == 2  # no overwrite
    assert main(["init-mapping", str(tmp_path / "missing.csv")]) == 2
