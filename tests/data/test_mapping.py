"""The mapping file: every mistake is reported with its place, YAML 1.2 booleans, and which rule
applies to a field (per field over per table over defaults)."""

from __future__ import annotations

import pytest

from kow_research.data.mapping import MappingError, load_mapping

BASE = """
kow_research_mapping: 1
tables:
  participants:
    source: team.csv
    columns: {participant_id: respnr}
"""


def mapping(extra: str = "", table_extra: str = "") -> str:
    return BASE.replace("tables:", extra + "tables:") + table_extra


@pytest.mark.parametrize(("text", "message"), [
    ("tables: {participants: {}}", "start the file with 'kow_research_mapping: 1'"),
    (mapping(table_extra="    colums: {age: leeftijd}\n"),
     "tables.participants: unknown key 'colums'; did you mean 'columns'?"),
    (mapping(table_extra="    recode: {geslacht: {vrouw: female}}\n"),
     "tables.participants.recode: unknown field of participants 'geslacht'"),
    (mapping(table_extra="    date_format: '%d-%m-%Y'\n    spss_values: label\n"),
     "spss_values must be one of 'auto', 'codes', 'labels'; got 'label'"),
    (mapping(table_extra="    date_format: dd-mm-yyyy\n"),
     "date_format 'dd-mm-yyyy' is not 'iso', 'excel' or a strftime pattern"),
    (mapping(table_extra="    decimal: ';'\n"), "decimal must be one of '.', ','"),
    (mapping(table_extra="    booleans: [ja, nee]\n"), "give the words as {true:"),
    (mapping(table_extra="    missing: -9\n"), "give missing codes as a list"),
    (mapping(table_extra="    encoding: windows-9999\n"), "unknown encoding 'windows-9999'"),
    (mapping(table_extra="    recode: {age: dictionary}\n"),
     "'dictionary' needs a field with categories"),
    (BASE.replace("participants:", "deelnemers:"), "unknown table 'deelnemers'"),
    ("kow_research_mapping: 1\ntables: [participants]\n", "map at least the participants table"),
    ("kow_research_mapping: 1\ntables: {participants: {columns: {age: [}}", "not valid YAML"),
])
def test_mistakes_are_reported_with_their_place(text: str, message: str):
    with pytest.raises(MappingError) as info:
        load_mapping(text)
    assert message in str(info.value)


@pytest.mark.parametrize(("wide", "message"), [
    ('{columns: {rung: "PL_{meting}"}}', r"the placeholder \{meting\} must name a field of ladder"),
    ("{columns: {rung: PL_T0}}", "needs exactly one placeholder"),
    ('{columns: {rung: "PL_{wave}", assessment_date: "D_{session_number}"}}',
     "every template must use the same placeholder"),
    ('{columns: {rung: "PL_{wave}"}, waves: [T0]}', "unknown key 'waves'; allowed: columns, values"),
])
def test_wide_templates_need_one_placeholder_naming_a_field(wide: str, message: str):
    text = f"""
kow_research_mapping: 1
tables:
  participants: {{source: a.csv}}
  ladder:
    wide: {wide}
"""
    with pytest.raises(MappingError, match=message):
        load_mapping(text)


def test_yaml_words_stay_words():
    """YAML 1.1 would read ja/nee as text but yes/no/on/off/NO as booleans; the mapping reads
    YAML 1.2 booleans, so a cohort code NO (Norway) or the word 'no' stays text."""
    m = load_mapping(mapping(table_extra="""    booleans: {true: [ja, yes, on, WAAR], false: [nee, no, off, ONWAAR]}
    recode: {cohort: {NO: CAU, 1: KOW}}
"""))
    rules = m.tables["participants"].rules("smi", m.defaults)
    assert rules.true_words == ("ja", "yes", "on", "WAAR")
    assert rules.false_words == ("nee", "no", "off", "ONWAAR")
    assert m.tables["participants"].rules("cohort", m.defaults).recode == {"NO": "CAU", "1": "KOW"}


def test_rules_per_field_override_the_table_and_the_defaults():
    m = load_mapping(mapping(
        extra="defaults: {date_format: iso, decimal: ',', missing: [-9]}\n",
        table_extra="""    date_format: {start_date: '%d-%m-%Y', intake_date: [excel, '%d/%m/%Y']}
    missing: {age: [99]}
"""))
    tm = m.tables["participants"]
    assert tm.rules("start_date", m.defaults).date_format == ("%d-%m-%Y",)
    assert tm.rules("intake_date", m.defaults).date_format == ("excel", "%d/%m/%Y")
    assert tm.rules("end_of_followup", m.defaults).date_format == ("iso",)  # from defaults
    assert tm.rules("age", m.defaults).missing == ("99",)  # per field replaces the default
    assert tm.rules("months_out_of_work", m.defaults).missing == ("-9",)
    assert tm.rules("age", m.defaults).decimal == ","


def test_a_mapping_can_be_given_as_a_dict():
    m = load_mapping({"kow_research_mapping": 1, "tables": {"participants": {
        "source": "a.csv", "columns": {"participant_id": 101}}}})
    assert m.tables["participants"].columns == {"participant_id": "101"}
