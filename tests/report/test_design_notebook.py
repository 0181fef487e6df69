"""Notebook 08 (study design) in the report language (issue 14: a Dutch report is Dutch).

Its text comes from the narrative catalogue (``nb08_*``) and from the design results'
``sentence(language)``; nothing is typed in a markdown cell. Executing the notebook takes a
minute (200 simulated trials), so these tests check the parts: the notebook's source, every
``nb08_*`` phrase in both languages, and the Dutch sentences of small design results against
the list of English words of the Dutch-report test (tests/report/test_designs.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kow_research as kr
from kow_research.report.narrative import NARRATIVE, say
from tests.report.test_designs import ENGLISH

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_study_design.ipynb"
PATTERN = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")


def _english(text: str) -> list[str]:
    return [m.group(1) for m in PATTERN.finditer(text)]


def test_notebook_08_has_no_hand_written_text():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert [c["cell_type"] for c in nb["cells"]] == ["code"] * len(nb["cells"])
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    used = set(re.findall(r'"(nb08_\w+)"', source))
    assert used and used <= set(NARRATIVE), sorted(used - set(NARRATIVE))
    # the language is a parameter the report sets; nothing prints English directly
    assert 'language = None' in source and "print(" not in source


@pytest.mark.parametrize("key", sorted(k for k in NARRATIVE if k.startswith("nb08_")))
def test_every_nb08_phrase_is_dutch_in_dutch(key):
    english, dutch = NARRATIVE[key]
    assert english and dutch
    # same placeholders in both languages
    assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", dutch))
    assert _english(dutch) == [], (key, _english(dutch))


def test_design_sentences_in_dutch_have_no_english_words():
    analytic = kr.design.sample_size(outcome="competing_cause_specific", hr=1.5,
                                     hazard_control=0.03, competing_hazard=0.025, accrual=24,
                                     follow_up=12, loss_hazard=0.006)
    design = kr.design.trial_design_from(analytic, cohort="KOW", arms=("KOW", "CAU"))
    sim = kr.design.power_by_simulation(design, analysis=["cox", "fine_gray"], n_sim=4,
                                        seed=1, truth_n=400, truth_blocks=2, n_jobs=1)
    curve = kr.design.power_curve(design, analysis="cox", n_total=[100, 200], hr=[1.5],
                                  n_sim=3, seed=1, n_jobs=1)
    for text in (analytic.sentence("nl"), sim.sentence("nl"), curve.sentence("nl")):
        assert _english(text) == [], (_english(text), text)
        # decimal commas: no digit.digit in a Dutch sentence
        assert not re.search(r"\d\.\d", text), text
    # the English ones are English (the check above is not vacuous)
    assert "hazard ratio" in analytic.sentence("en")
    assert say("nb08_title", "nl") == "# Een effectonderzoek ontwerpen"
