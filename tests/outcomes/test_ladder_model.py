"""Proportional-odds model of the ladder rung, against R's MASS::polr on the same data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import kow_research as kr
from kow_research.outcomes.ladder_model import fit_proportional_odds, ordinal_ladder_model
from tests.r_support import run_r_script

REF = Path(__file__).parent / "reference"


def fit_reference_data():
    d = pd.read_csv(REF / "ladder_T6.csv")
    d["cohort"] = pd.Categorical(d["cohort"], categories=["IPS", "KOW"])
    return fit_proportional_odds(d, outcome="rung", covariates=["cohort", "rung_baseline", "age", "smi"])


def test_matches_polr():
    """Same model and parametrisation as polr. Coefficients and thresholds to 1e-6 (both
    optimisers converged tightly); SEs to 1e-4 because polr's Hessian is numerical (optim),
    ours analytic-by-statsmodels."""
    summary, thresholds, _ = fit_reference_data()
    ref = pd.read_csv(REF / "polr_fixture.csv").set_index("term")
    coefs = ref.loc[["cohortKOW", "rung_baseline", "age", "smi"]]
    assert_allclose(summary["coef"], coefs["value"], rtol=1e-6)
    assert_allclose(summary["se"], coefs["se"], rtol=1e-4)
    cuts = ref.loc[["1|2", "2|3", "3|4", "4|5", "5|6"]]
    assert_allclose(thresholds["theta"], cuts["value"], rtol=1e-6, atol=1e-7)
    assert list(thresholds["between"]) == ["1|2", "2|3", "3|4", "4|5", "5|6"]


@pytest.mark.r_reference
def test_r_script_reproduces_the_fixture(tmp_path):
    """polr with reltol 1e-15 lands on the same optimum on any machine to ~1e-9."""
    run_r_script(REF / "polr_reference.R", tmp_path, ("MASS",))
    after = pd.read_csv(tmp_path / "polr_fixture.csv")
    stored = pd.read_csv(REF / "polr_fixture.csv")
    assert list(after["term"]) == list(stored["term"])
    assert_allclose(after["value"], stored["value"], rtol=1e-8)


def test_study_wrapper_counts_missing_assessments():
    study = kr.simulate_studies({"KOW": 300, "IPS": 200}, seed=4)
    res = ordinal_ladder_model(study, wave="T6")
    ch = kr.outcomes.ladder_change(study)
    t6 = ch[ch["wave"] == "T6"]
    assert res.n + res.n_missing == len(t6)
    assert res.n_missing == int(t6["rung"].isna().sum() + (t6["rung"].notna()
                                                           & t6["rung_baseline"].isna()).sum())
    assert res.summary.loc["cohort=KOW", "or"] == pytest.approx(
        np.exp(res.summary.loc["cohort=KOW", "coef"]))
    assert "proportional-odds model" in res._repr_html_()
    with pytest.raises(ValueError, match="wave 'T99' not found"):
        ordinal_ladder_model(study, wave="T99")
