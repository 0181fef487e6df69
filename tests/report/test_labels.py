"""Bilingual labels: UI strings and data-dictionary titles."""

from __future__ import annotations

import pytest

from kow_research.report.labels import UI_STRINGS, text, value_labels, variable_title


def test_ui_strings_switch_language():
    assert text("days_since_start", "en") == "Days since start"
    assert text("days_since_start", "nl") == "Dagen sinds start"
    assert text("cumulative_incidence", "nl") == "Cumulatieve incidentie"
    assert text("number_at_risk", "nl") == "Aantal in risicoset"
    assert text("suppressed_note", "en", k=10).startswith("Cells based on fewer than 10")
    assert all(en and nl for en, nl in UI_STRINGS.values())


def test_dictionary_titles_and_labels():
    assert variable_title("age", "nl") == "Leeftijd"
    assert value_labels("sex", "nl")["female"] == "vrouw"
    assert variable_title("baseline_rung", "en") == "Participation ladder rung at start"
    assert value_labels("baseline_rung", "en")[6] == value_labels("rung", "en", "ladder")[6]
    assert variable_title("not_a_column") == "not_a_column"


def test_bad_language_or_key():
    with pytest.raises(ValueError, match="'en' or 'nl'"):
        text("rung", "de")
    with pytest.raises(ValueError, match="unknown label key"):
        text("nope")
