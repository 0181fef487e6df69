"""Bilingual labels: the catalogue lives in :mod:`kow_research.data.labels` (one for the whole
package); this module re-exports it for the report stage and for existing imports."""

from kow_research.data.labels import (
    DERIVED_TITLES,
    LANGUAGES,
    UI_STRINGS,
    check_language,
    text,
    value_labels,
    variable_title,
)

__all__ = ["DERIVED_TITLES", "LANGUAGES", "UI_STRINGS", "check_language", "text",
           "value_labels", "variable_title"]
