"""Readers and writers: round trips, strict parsing, and malformed files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kow_research as kr
from kow_research.data import TABLES, Study

from .helpers import text_tables


def write_csv_tables(folder: Path, frames: dict[str, pd.DataFrame], sep: str = ",",
                     encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(folder / f"{name}.csv", index=False, sep=sep, encoding=encoding)
    return folder


@pytest.fixture
def typed_study(tmp_path: Path) -> Study:
    return kr.load_study(write_csv_tables(tmp_path / "src", text_tables()))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "sav"])
def test_round_trip_gives_identical_frames(typed_study: Study, tmp_path: Path, fmt: str):
    kr.write_study(typed_study, tmp_path / fmt, format=fmt)
    back = kr.load_study(tmp_path / fmt)
    for table in TABLES:
        pd.testing.assert_frame_equal(back.tables[table], typed_study.tables[table])
    assert back.meta["validation"].problems.empty


def test_csv_values_read_strictly(typed_study: Study):
    p = typed_study.participants
    assert p["start_date"].tolist()[:2] == [pd.Timestamp("2020-02-03")] * 2
    assert p["age"].dtype == "Int64" and p["age"].tolist() == [34, 16, 67]
    assert typed_study.spells["hours_per_week"].tolist()[:3] == [16.0, 24.5, 32.0]
    assert pd.isna(typed_study.spells["end_date"].iloc[2])  # empty = ongoing, not an error
    assert list(p["sex"].cat.categories) == ["female", "male", "other"]


def test_sources_name_files_and_rows(tmp_path: Path):
    frames = text_tables()
    frames["spells"].loc[3, "end_date"] = "2020-04-30"
    with pytest.raises(kr.ValidationError) as info:
        kr.load_study(write_csv_tables(tmp_path, frames))
    err = info.value.report.errors.iloc[0]
    assert err["source"] == "spells.csv" and err["row"] == 5  # header is row 1
    assert "spells.csv row 5: end_date 2020-04-30 is before start_date 2020-05-01" in str(info.value)


def test_load_not_strict_returns_the_report(tmp_path: Path):
    frames = text_tables()
    frames["participants"].loc[0, "age"] = "veertig"
    study = kr.load_study(write_csv_tables(tmp_path, frames), strict=False)
    assert study.meta["validation"].errors["rule"].tolist() == ["type"]
    assert pd.isna(study.participants["age"].iloc[0])


def test_semicolon_csv_from_dutch_excel_with_bom(tmp_path: Path):
    folder = write_csv_tables(tmp_path, text_tables(), sep=";", encoding="utf-8-sig")
    assert (folder / "participants.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    study = kr.load_study(folder)
    assert study.participants["participant_id"].tolist() == ["P1", "P2", "P3"]
    notes = pd.DataFrame(study.meta["read_notes"])
    delimiter = notes[(notes["table"] == "participants") & (notes["rule"] == "delimiter")]
    assert delimiter["to"].tolist() == [";"]  # recorded, not guessed silently


def test_semicolon_csv_with_decimal_commas_is_reported(tmp_path: Path):
    frames = text_tables()
    frames["spells"].loc[1, "hours_per_week"] = "24,5"
    with pytest.raises(kr.ValidationError) as info:
        kr.load_study(write_csv_tables(tmp_path, frames, sep=";"))
    assert "decimal comma" in info.value.report.errors["message"].iloc[0]


def test_empty_file_is_a_clear_value_error(tmp_path: Path):
    folder = write_csv_tables(tmp_path, text_tables())
    (folder / "ladder.csv").write_text("")
    with pytest.raises(ValueError, match=r"ladder\.csv: the file is empty"):
        kr.load_study(folder)


def test_header_only_file_is_an_empty_table(tmp_path: Path):
    frames = text_tables()
    frames["sessions"] = frames["sessions"].iloc[0:0]
    assert kr.load_study(write_csv_tables(tmp_path, frames)).sessions.empty


def test_not_utf8_is_a_clear_value_error(tmp_path: Path):
    frames = text_tables()
    frames["participants"].loc[0, "region"] = "Zuid-Holland é"
    folder = write_csv_tables(tmp_path, frames, encoding="cp1252")
    with pytest.raises(ValueError, match=r"participants\.csv: not UTF-8"):
        kr.load_study(folder)


def test_missing_optional_table_is_a_warning(tmp_path: Path):
    frames = text_tables()
    frames.pop("sessions")
    frames["participants"].loc[:, "dropout_date"] = ""
    frames["participants"].loc[:, "dropout_reason"] = ""
    study = kr.load_study(write_csv_tables(tmp_path, frames))
    assert study.sessions.empty
    assert study.meta["validation"].warnings["rule"].tolist() == ["missing_table"]


def test_missing_participants_and_ambiguous_formats(tmp_path: Path):
    folder = write_csv_tables(tmp_path / "a", {"spells": text_tables()["spells"]})
    with pytest.raises(ValueError, match="no participants table"):
        kr.load_study(folder)
    folder = write_csv_tables(tmp_path / "b", text_tables())
    text_tables()["spells"].to_parquet(folder / "spells.parquet")
    with pytest.raises(ValueError, match="more than one format"):
        kr.load_study(folder)
    with pytest.raises(ValueError, match="not a folder"):
        kr.load_study(tmp_path / "nothing-here")


def test_excel_native_dates_and_four_separate_files(typed_study: Study, tmp_path: Path):
    folder = tmp_path / "xl"
    folder.mkdir()
    for table, df in typed_study.tables.items():
        out = df.astype(object).where(df.notna(), None)
        if table == "participants":  # a date typed as text in one cell: still ISO, still fine
            out.loc[0, "start_date"] = "2020-02-03"
        out.to_excel(folder / f"{table}.xlsx", index=False)
    back = kr.load_study(folder)
    pd.testing.assert_frame_equal(back.participants, typed_study.participants)


def test_excel_date_with_time_of_day_is_an_error(typed_study: Study, tmp_path: Path):
    kr.write_study(typed_study, tmp_path, format="xlsx")
    book = pd.read_excel(tmp_path / "study.xlsx", sheet_name=None)
    book["participants"].loc[0, "start_date"] = dt.datetime(2020, 2, 3, 14, 30)
    with pd.ExcelWriter(tmp_path / "study.xlsx") as writer:
        for name, df in book.items():
            df.to_excel(writer, sheet_name=name, index=False)
    with pytest.raises(kr.ValidationError) as info:
        kr.load_study(tmp_path)
    assert "without a time of day" in info.value.report.errors["message"].iloc[0]
    assert "2020-02-03 14:30:00" in info.value.report.errors["message"].iloc[0]


def test_spss_value_labels_become_categories(typed_study: Study, tmp_path: Path):
    import pyreadstat

    kr.write_study(typed_study, tmp_path, format="sav")
    raw, meta = pyreadstat.read_sav(str(tmp_path / "participants.sav"))
    assert raw["sex"].tolist() == [1.0, 2.0, 3.0]  # stored as codes
    assert meta.variable_value_labels["sex"] == {1.0: "female", 2.0: "male", 3.0: "other"}
    assert meta.column_names_to_labels["age"] == "Age"
    back = kr.load_study(tmp_path)
    assert back.participants["sex"].tolist() == ["female", "male", "other"]


def test_write_study_rejects_unknown_format(typed_study: Study, tmp_path: Path):
    with pytest.raises(ValueError, match="format must be one of"):
        kr.write_study(typed_study, tmp_path, format="dta")  # type: ignore[arg-type]


# ------------------------------------------------------------------ malformed input (hypothesis)
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _only_clear_errors(folder: Path) -> None:
    try:
        kr.load_study(folder)
    except kr.ValidationError:
        pass
    except ValueError as exc:
        assert str(folder) in str(exc)


@given(value=texts, column=st.sampled_from(["start_date", "end_of_followup", "age",
                                              "months_out_of_work", "smi", "sex"]))
def test_random_text_in_typed_columns(tmp_path_factory, value: str, column: str):
    frames = text_tables()
    frames["participants"].loc[1, column] = value
    _only_clear_errors(write_csv_tables(tmp_path_factory.mktemp("h"), frames))


@given(drop=st.lists(st.sampled_from(list(text_tables()["spells"].columns)), unique=True))
def test_missing_columns(tmp_path_factory, drop: list[str]):
    frames = text_tables()
    frames["spells"] = frames["spells"].drop(columns=drop)
    folder = write_csv_tables(tmp_path_factory.mktemp("h"), frames)
    if len(drop) == frames["spells"].shape[1] + len(drop):  # no columns left: an empty file
        with pytest.raises(ValueError, match="spells.csv: the file is empty"):
            kr.load_study(folder)
    elif drop:
        with pytest.raises(kr.ValidationError) as info:
            kr.load_study(folder)
        assert set(info.value.report.errors.query("rule == 'missing_column'")["column"]) == set(drop)
    else:
        kr.load_study(folder)


@given(content=st.binary(max_size=200), sep=st.sampled_from([",", ";"]),
       bom=st.booleans())
def test_garbage_files(tmp_path_factory, content: bytes, sep: str, bom: bool):
    folder = write_csv_tables(tmp_path_factory.mktemp("h"), text_tables(), sep=sep)
    (folder / "spells.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + content)
    _only_clear_errors(folder)


@given(value=st.from_regex(r"[0-9]{1,3},[0-9]{1,2}", fullmatch=True))
def test_decimal_commas_never_parse(tmp_path_factory, value: str):
    frames = text_tables()
    frames["spells"].loc[0, "hours_per_week"] = value
    folder = write_csv_tables(tmp_path_factory.mktemp("h"), frames, sep=";")
    with pytest.raises(kr.ValidationError):
        kr.load_study(folder)


def test_writes_are_byte_reproducible_and_xlsx_keeps_formula_like_text(tmp_path):
    """The same study written twice gives the same bytes in every format (no timestamps in
    XLSX zip members or properties, nor in the SAV header); text such as =HYPERLINK(...) is
    stored as text in XLSX and read back unchanged (it used to become a live formula and be
    lost)."""
    import hashlib

    study = kr.simulate_study("KOW", n=15, seed=3)
    evil = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)"]
    parts = study.participants.copy()
    parts.loc[:2, "region"] = evil
    study = kr.Study(participants=parts, ladder=study.ladder, spells=study.spells,
                     sessions=study.sessions)
    for fmt in ("csv", "xlsx", "parquet", "sav"):
        digests = []
        for run in ("a", "b"):
            files = kr.write_study(study, tmp_path / fmt / run, format=fmt)
            digests.append([hashlib.sha256(f.read_bytes()).hexdigest() for f in files])
        assert digests[0] == digests[1], fmt
    back = kr.read_tables(tmp_path / "xlsx" / "a")
    assert back.participants["region"].astype(str).tolist()[:3] == evil
