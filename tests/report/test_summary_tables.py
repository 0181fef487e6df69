"""``tables/`` of a report: the aggregate tables through the disclosure policy, in the language.

Each published cell is compared with the unsuppressed table computed from the same data:
a cell marked ``<k`` holds 1 to k - 1 people (a cell hidden to protect another must not claim
to be small: it shows the secondary marker, which claims nothing about its size), shown counts
are the true counts, and no mean is printed with the digits that would give its count away.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kow_research as kr
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.summary import disclosed_tables, outcome_tables, write_summary


@pytest.fixture(scope="module")
def study() -> kr.data.Study:
    # small cohorts: many waves with a handful of people not assessed
    return kr.simulate_studies({"KOW": 41, "GOW": 23}, seed=7)


@pytest.mark.parametrize("policy", [DisclosurePolicy.default(), DisclosurePolicy.strict()],
                         ids=["k5", "k10"])
def test_markers_tell_the_truth(study: kr.data.Study, policy: DisclosurePolicy) -> None:
    raw = outcome_tables(study)
    shown = disclosed_tables(study, policy=policy)
    checked = {"<k": 0, "secondary": 0, "shown": 0}
    for name, columns in {"attrition_by_dropout_strategy": ["n"],
                          "ladder_by_wave": ["assessed", "not_assessed"],
                          "training_dose": ["n", "completers"]}.items():
        for col in columns:
            for true, published in zip(raw[name][col], shown[name][col], strict=True):
                if published == policy.primary_marker:
                    assert 0 < int(true) < policy.k
                    checked["<k"] += 1
                elif published == policy.secondary_marker:
                    checked["secondary"] += 1
                else:
                    assert int(published) == int(true)
                    assert int(true) == 0 or int(true) >= policy.k
                    checked["shown"] += 1
    assert checked["<k"] > 0 and checked["secondary"] > 0 and checked["shown"] > 0


def test_a_wave_with_few_people_not_assessed_hides_the_mean_too(study: kr.data.Study) -> None:
    """assessed + not_assessed is the cohort size, so hiding ``not_assessed`` alone is not
    enough; and 52/17 = 3.0588… printed in full would give the 17 away."""
    raw = outcome_tables(study)["ladder_by_wave"]
    shown = disclosed_tables(study)["ladder_by_wave"]
    small = (raw["not_assessed"] > 0) & (raw["not_assessed"] < 5) & (raw["assessed"] >= 5)
    assert small.any()
    for i in raw.index[small]:
        assert shown.loc[i, "not_assessed"] == "<5"
        assert shown.loc[i, "assessed"] == "×"
        assert shown.loc[i, "mean_rung"] == "×"
    for value in shown["mean_rung"]:
        if isinstance(value, float) and pd.notna(value):
            assert round(value, 1) == value      # the policy's one decimal


def test_the_page_is_in_the_language_and_folder_local(study: kr.data.Study,
                                                        tmp_path: Path) -> None:
    files = write_summary(study, report=kr.data.validate(study), out=tmp_path / "tables",
                          language="nl", policy=DisclosurePolicy.strict())
    page = (tmp_path / "tables" / "summary.html").read_text(encoding="utf-8")
    for dutch in ("Geaggregeerde tabellen", "Participatieladder per meting",
                  "Deelnemersstroom per uitvalstrategie", "&lt;10", "64 deelnemers",
                  "<td>6,7</td>"):
        assert dutch in page
    for english in ("Study(", "no errors", "Cells based on", "participants"):
        assert english not in page
    ladder = pd.read_csv(tmp_path / "tables" / "ladder_by_wave.csv")
    assert ladder["definition"].str.contains("meting").all()
    assert all(f.parent == tmp_path / "tables" for f in files)
