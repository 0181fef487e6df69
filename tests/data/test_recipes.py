"""The import recipes end to end: each team's files, imported with its documented mapping (and
no code), equal the canonical truth row for row and value for value.

Fixtures: ``fixtures/recipes/`` — the truth study and the SPSS, Castor (Excel and CSV) and Dutch
Excel CSV files made from it by ``make_recipes.py`` (seeded), with the hand-written mapping of
each recipe. ``data_dictionary/MAPPING.md`` and ``docs/guides/own-data.md`` quote the mappings;
a test keeps them identical.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

import kow_research as kr
from kow_research.data import import_study
from kow_research.data.mapping import load_mapping
from kow_research.data.sniff import draft_mapping

ROOT = Path(__file__).resolve().parents[2]
RECIPES = Path(__file__).parent / "fixtures" / "recipes"
TODAY = dt.date(2026, 12, 1)
CASES = {
    "spss": ([RECIPES / "spss" / "team.sav", RECIPES / "spss" / "werk.sav"],
             RECIPES / "spss" / "mapping.yaml"),
    "castor_xlsx": ([RECIPES / "castor" / "castor_export.xlsx"],
                    RECIPES / "castor" / "mapping_xlsx.yaml"),
    "castor_csv": ([RECIPES / "castor" / "csv"], RECIPES / "castor" / "mapping_csv.yaml"),
    "dutch_excel": ([RECIPES / "dutch_excel"], RECIPES / "dutch_excel" / "mapping.yaml"),
}


@pytest.fixture(scope="module")
def truth() -> kr.Study:
    return kr.load_study(RECIPES / "truth", today=TODAY)


@pytest.mark.parametrize("recipe", list(CASES))
def test_recipe_imports_to_the_truth(recipe: str, truth: kr.Study):
    sources, mapping = CASES[recipe]
    study = import_study(sources, mapping, today=TODAY)
    for table in kr.data.TABLES:
        assert len(study.tables[table]) == len(truth.tables[table]), table  # nothing dropped
        pd.testing.assert_frame_equal(study.tables[table], truth.tables[table])
    assert study.meta["validation"].errors.empty
    log = study.meta["import_log"]
    assert (log["rows"] > 0).all()
    assert set(log.columns) == {"table", "column", "rule", "from", "to", "rows"}


def test_each_recipe_needs_what_it_claims(truth: kr.Study):
    """The recipes exercise what they are for (so a simplified fixture cannot pass silently)."""
    logs = {name: import_study(s, m, today=TODAY).meta["import_log"] for name, (s, m) in
            CASES.items()}
    rules = {name: set(log["rule"]) for name, log in logs.items()}
    assert {"spss_label", "spss_user_missing", "wide_to_long", "number_to_text",
            "per_value"} <= rules["spss"]
    assert {"date_format", "missing_code", "recode", "ignored"} <= rules["castor_xlsx"]
    assert {"encoding", "decimal_comma", "boolean", "empty_row", "recode_dictionary",
            "date_format"} <= rules["dutch_excel"]
    spss = logs["spss"]
    assert spss.query("rule == 'spss_user_missing'")["from"].tolist() == ["999", "-9"]
    assert truth.participants["months_out_of_work"].isna().sum() == 2


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_recipes", RECIPES / "make_recipes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_reproduces_the_committed_fixtures(tmp_path: Path):
    _load_generator().main(tmp_path)
    for path in sorted(RECIPES.rglob("*")):
        rel = path.relative_to(RECIPES)
        if path.is_dir() or path.suffix in (".py", ".yaml") or "__pycache__" in rel.parts:
            continue
        new = tmp_path / rel
        if path.suffix == ".csv":
            assert new.read_bytes() == path.read_bytes(), rel
        elif path.suffix == ".xlsx":  # the zip holds timestamps: compare the cells
            old_wb, new_wb = openpyxl.load_workbook(path), openpyxl.load_workbook(new)
            assert old_wb.sheetnames == new_wb.sheetnames
            for name in old_wb.sheetnames:
                assert list(old_wb[name].values) == list(new_wb[name].values), (rel, name)
        elif path.suffix == ".sav":  # the header holds a creation time: compare data and labels
            (a, ma), (b, mb) = pyreadstat.read_sav(str(path)), pyreadstat.read_sav(str(new))
            pd.testing.assert_frame_equal(a, b)
            assert ma.variable_value_labels == mb.variable_value_labels
            assert ma.missing_ranges == mb.missing_ranges
        else:
            raise AssertionError(f"unexpected fixture {rel}")


@pytest.mark.parametrize("doc", ["data_dictionary/MAPPING.md", "docs/guides/own-data.md"])
def test_the_docs_quote_every_recipe_mapping_as_tested(doc: str):
    text = (ROOT / doc).read_text(encoding="utf-8")
    for recipe, (_, mapping) in CASES.items():
        body = mapping.read_text(encoding="utf-8")
        assert f"```yaml\n{body}```" in text, f"{doc} does not quote {mapping.name} ({recipe})"


def test_mapping_md_documents_every_key():
    from kow_research.data.mapping import _OPTION_KEYS, _TABLE_KEYS

    text = (ROOT / "data_dictionary" / "MAPPING.md").read_text(encoding="utf-8")
    for key in {*_TABLE_KEYS, *_OPTION_KEYS, "per_value", "values", "kow_research_mapping"}:
        assert f"`{key}`" in text, key


# ------------------------------------------------------------------------- init-mapping
def _draft(recipe: str) -> str:
    sources = []
    for s in CASES[recipe][0]:
        sources += sorted(s.iterdir()) if s.is_dir() else [s]
    return draft_mapping([p for p in sources if p.suffix != ".yaml"])


def test_init_mapping_finds_the_dutch_names_and_the_wide_ladder():
    text = _draft("spss")
    m = load_mapping(text)
    cols = m.tables["participants"].columns
    assert {k: cols[k] for k in ("participant_id", "cohort", "sex", "age")} == {
        "participant_id": "respnr", "cohort": "conditie", "sex": "geslacht", "age": "leeftijd"}
    assert m.tables["ladder"].wide.columns == {"rung": "PL_{wave}",
                                               "assessment_date": "PL_{wave}_dat"}
    assert m.tables["sessions"].wide.key == "session_number"
    assert m.tables["participants"].recode["sex"] == "dictionary"  # vrouw/man/anders labels
    assert m.tables["participants"].recode["cohort"] == {"Kansen op Werk": "KOW",
                                                         "Care as usual": "CAU"}
    assert "SPSS user-missing 999, -9 are read as missing" in text
    assert "CHECK: the type of each session number" in text


def test_init_mapping_names_sheets_and_proposes_recodes_for_castor():
    m = load_mapping(_draft("castor_xlsx"))
    assert {t: m.tables[t].sheet for t in m.tables} == {
        "participants": "Study results", "ladder": "Participatieladder", "spells": "Werk",
        "sessions": "Bijeenkomsten"}  # never the explanation sheet
    assert m.tables["ladder"].recode["wave"]["Meting T6"] == "T6"
    assert m.tables["participants"].rules("months_out_of_work", m.defaults).missing == ("-99",)
    assert m.defaults["date_format"] == "%d-%m-%Y"


def test_init_mapping_draft_for_dutch_excel_imports_to_the_truth(truth: kr.Study):
    study = import_study(CASES["dutch_excel"][0], _draft("dutch_excel"), today=TODAY)
    for table in kr.data.TABLES:
        pd.testing.assert_frame_equal(study.tables[table], truth.tables[table])
