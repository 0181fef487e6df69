"""The data dictionary: committed copies and CODEBOOK.md are current; labels are complete."""

from __future__ import annotations

from pathlib import Path

import pytest

import kow_research as kr
from kow_research.data.codebook import render_codebook, stale_files

ROOT = Path(__file__).resolve().parents[2]


def test_data_dictionary_folder_is_current():
    stale = stale_files(ROOT / "data_dictionary")
    assert not stale, f"run `kow-research codebook` (or `make dictionary`): {stale} are stale"


@pytest.mark.parametrize("table", kr.data.TABLES)
def test_every_field_and_category_has_dutch_and_english_labels(table):
    schema = kr.get_schema(table)
    assert schema.title_nl and schema.title_en and schema.description_nl
    for f in schema.fields:
        assert f.title_en and f.title_nl and f.description_en and f.description_nl, f.name
        if f.enum is not None:
            assert [c.value for c in f.categories] == list(f.enum), f.name
        for c in f.categories:
            assert c.label_en and c.label_nl


def test_dutch_descriptions_are_not_cut_at_commas():
    # YAML flow mappings split unquoted text at commas; the full Dutch sentence must survive.
    f = kr.get_schema("participants").field("participant_id")
    assert f.description_nl == ("Gepseudonimiseerde code, uniek binnen het onderzoek. "
                                "Nooit een BSN of naam.")


def test_codebook_lists_allowed_values_with_both_labels():
    text = render_codebook()
    assert "| `wia_wao` | disability benefit (WIA/WAO) | WIA/WAO |" in text
    assert "| `6` | paid work | betaald werk |" in text
    assert "Primary key: `participant_id + assessment_date`" in text


def test_ranges_in_schema_match_the_specification():
    f = kr.get_schema
    assert (f("ladder").field("rung").minimum, f("ladder").field("rung").maximum) == (1, 6)
    assert (f("sessions").field("session_number").minimum,
            f("sessions").field("session_number").maximum) == (1, 10)
    assert (f("participants").field("age").minimum, f("participants").field("age").maximum) == (16, 67)
    assert (f("spells").field("hours_per_week").minimum,
            f("spells").field("hours_per_week").maximum) == (0, 80)
