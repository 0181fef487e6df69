"""The reference-cohort catalogue: figures, definitions, horizons and kept conflicts."""

from __future__ import annotations

import pytest

from kow_research.synthetic import OUTCOME_DEFINITIONS, reference_cohorts, reference_figures


def fig(study: str, **where: object) -> float:
    f = reference_cohorts()[study].figures
    for k, v in where.items():
        f = f[f[k] == v]
    assert len(f) == 1, (study, where)
    return float(f["value"].iloc[0])


def test_published_figures():
    assert fig("michon2014", arm="IPS", measure="proportion") == 0.44
    assert fig("michon2014", arm="TAU", measure="proportion") == 0.25
    assert fig("michon2014", arm="all", measure="n") == 151
    assert fig("bond2008", arm="IPS", measure="proportion") == 0.61
    assert fig("bond2008", arm="TAU", measure="proportion") == 0.23
    assert fig("modini2016", measure="risk_ratio") == 2.40
    assert fig("brinchmann2020", measure="risk_ratio") == 2.07
    assert fig("frederick2019", measure="risk_ratio") == 1.63
    assert fig("reme2019", arm="IPS", horizon_months=12.0) == 0.366
    assert fig("reme2019", arm="IPS", horizon_months=18.0) == 0.374
    assert fig("bmcpsychiatry2022", measure="median_days",
               outcome_definition="days_to_first_job") == 201
    assert fig("kow_evaluation_2015", measure="n") == 115
    ci = reference_cohorts()["modini2016"].figures.iloc[0]
    assert (ci["lower"], ci["upper"]) == (1.99, 2.90)


def test_conflicting_sources_are_both_kept():
    hours = reference_cohorts()["michon2014"].figures.query(
        "arm == 'IPS' and measure == 'mean_hours'")
    assert sorted(hours["value"]) == [422.0, 442.0]
    assert hours["conflict"].all()


def test_every_figure_states_definition_horizon_and_source():
    f = reference_figures()
    assert set(f["outcome_definition"]) <= set(OUTCOME_DEFINITIONS)
    assert f["citation"].str.len().gt(20).all()
    props = f[f["measure"] == "proportion"]
    assert props.loc[props["study"] == "michon2014", "horizon_months"].eq(30).all()


def test_gow_has_no_outcome_figures():
    gow = reference_cohorts()["gow_evaluation"]
    assert gow.figures.empty and "not reached" in gow.note


@pytest.mark.parametrize("study", ["michon2014", "reme2019"])
def test_repr_html(study):
    assert study in reference_cohorts()[study]._repr_html_()


def test_catalogue_reachable_as_kr_cohorts():
    import kow_research as kr

    assert kr.cohorts()["michon2014"].doi == "10.1037/prj0000061"


def test_editing_a_returned_frame_does_not_change_the_catalogue():
    f = reference_cohorts()["michon2014"].figures
    f["value"] = -1.0
    assert fig("michon2014", arm="IPS", measure="proportion") == 0.44
