"""Weighted outcome analyses and their bootstrap; recovery of the simulator's true effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research import compare
from kow_research.synthetic import true_effect

REF_DATA = "tests/compare/reference/compare_data.csv"
COVS = ["age", "smi", "dx"]


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return pd.read_csv(REF_DATA)


def test_point_estimates_equal_survival_engine(small: pd.DataFrame) -> None:
    res = compare.horizon_effects(small, treatment="treated", weights=None, horizons_months=(6, 12),
                                  tau_months=12, unit="months")
    cif = kr.survival.cumulative_incidence(small, by="treated").at([6, 12])
    est = res.set_index(["measure", "horizon_months"])["estimate"]
    for g, name in ((1, "risk_treated"), (0, "risk_control")):
        ref = cif[cif["group"] == g]["estimate"].to_numpy()
        np.testing.assert_allclose([est[(name, 6.0)], est[(name, 12.0)]], ref, rtol=1e-12)
    assert est[("risk_difference", 12.0)] == pytest.approx(
        est[("risk_treated", 12.0)] - est[("risk_control", 12.0)])
    # horizons beyond follow-up are not extrapolated
    far = compare.horizon_effects(small, treatment="treated", weights=None, horizons_months=(100,), unit="months")
    assert far["estimate"].iloc[0] != far["estimate"].iloc[0]   # NaN


def test_bootstrap_is_seeded_and_independent_of_jobs(small: pd.DataFrame) -> None:
    kw = dict(treatment="treated", covariates=COVS, horizons_months=(6, 12), tau_months=12,
              n_boot=60, unit="months")
    a = compare.compare_outcomes(small, seed=7, n_jobs=1, **kw)
    b = compare.compare_outcomes(small, seed=7, n_jobs=2, **kw)
    c = compare.compare_outcomes(small, seed=8, n_jobs=1, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table["se"].equals(c.table["se"])
    assert a.replicates.shape == (60, 4 * 2 + 3)
    ok = a.table.dropna()
    assert (ok["lower"] <= ok["upper"]).all()
    assert a.balance is not None and a.propensity is not None
    # the point estimate uses the full-data propensity weights
    pt = compare.horizon_effects(small, treatment="treated", weights=a.propensity.weights, horizons_months=(6, 12),
                                 tau_months=12, unit="months")
    np.testing.assert_allclose(a.table["estimate"], pt["estimate"])


def test_weighted_hazard_ratio_models(small: pd.DataFrame) -> None:
    w = compare.propensity(small, treatment="treated", covariates=COVS).weights
    fg = compare.weighted_hazard_ratio(small, treatment="treated", weights=w, model="fine_gray")
    assert "treated" in fg.summary.index and fg.summary.loc["treated", "se"] > 0
    with pytest.raises(ValueError, match="model"):
        compare.weighted_hazard_ratio(small, treatment="treated", weights=w, model="aft")


def test_weighting_recovers_the_simulated_true_effect() -> None:
    # KOW beside a comparator with the same job-finding process except the programme effect
    # (IPS's) and another case mix: the truth is what synthetic.true_effect computes
    df = compare.confounded_cohorts(n=2500)
    truth = true_effect("KOW", reference="IPS", n=100_000, seed=1, horizon_months=12)
    covs = ["age", "sex", "diagnosis_group", "smi", "log_months_out"]
    kw = dict(treatment="programme", treated="KOW", horizons_months=(12,), tau_months=12,
              n_boot=150, seed=3)
    adj = compare.compare_outcomes(df, covariates=covs, **kw).table.set_index("measure")
    crude = compare.compare_outcomes(df, covariates=None, **kw).table.set_index("measure")
    rd = adj.loc["risk_difference"]
    assert rd["lower"] <= truth.risk_difference <= rd["upper"]
    assert abs(rd["estimate"] - truth.risk_difference) < 0.025
    rr = adj.loc["risk_ratio"]
    assert rr["lower"] <= truth.risk_ratio <= rr["upper"]
    # the crude comparison is confounded by case mix and misses the truth
    c = crude.loc["risk_difference"]
    assert not c["lower"] <= truth.risk_difference <= c["upper"]
    assert abs(c["estimate"] - truth.risk_difference) > 0.03
