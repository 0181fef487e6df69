"""compare_outcomes for continuous and binary outcomes, and its errors.

By hand: with one binary covariate the logistic propensity model is saturated, so the ATT
weight of a control is (treated / controls) in its stratum and the weighted control mean is
the treated-standardised mean -- numbers one writes down. Against R: ``weighted.mean`` with
glm's ATT and ATE weights on the lalonde data (``reference/lalonde/matchit_reference.R``,
``weighted_outcomes.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kow_research import compare

REF = Path(__file__).parent / "reference" / "lalonde"
COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]


@pytest.fixture
def strata() -> pd.DataFrame:
    """Stratum x = 0: treated hours 10, 20 and controls 4, 8, 12, 16 (2 treated, 4 controls);
    x = 1: treated 30, 30, 36 and controls 20, 26 (3 and 2). Employed = hours >= 16."""
    return pd.DataFrame({
        "arm": [1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0],
        "x": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
        "hours": [10.0, 20, 4, 8, 12, 16, 30, 30, 36, 20, 26]}).assign(
        employed=lambda d: d["hours"] >= 16)


def test_weighted_mean_difference_by_hand(strata: pd.DataFrame) -> None:
    res = compare.compare_outcomes(strata, treatment="arm", covariates=["x"], outcome="hours",
                                   n_boot=0)
    est = res.table.set_index("measure")["estimate"]
    # treated mean (10 + 20 + 30 + 30 + 36) / 5 = 25.2; the ATT weights 2/4 (x = 0) and 3/2
    # (x = 1) standardise the controls to the treated mix (2/5, 3/5): 0.4 * 10 + 0.6 * 23 = 17.8
    np.testing.assert_allclose(est["mean_treated"], 25.2, rtol=1e-12)
    np.testing.assert_allclose(est["mean_control"], 17.8, rtol=1e-8)   # Newton to 1e-10
    np.testing.assert_allclose(est["mean_difference"], 7.4, rtol=1e-8)
    assert res.table["horizon_months"].isna().all()
    assert res.attrs["outcome"] == "hours" and res.attrs["outcome_type"] == "continuous"
    crude = compare.compare_outcomes(strata, treatment="arm", covariates=None, outcome="hours",
                                     n_boot=0).table.set_index("measure")["estimate"]
    np.testing.assert_allclose(crude["mean_control"], 86 / 6, rtol=1e-12)   # unweighted


def test_risk_difference_and_ratio_by_hand(strata: pd.DataFrame) -> None:
    res = compare.compare_outcomes(strata, treatment="arm", covariates=["x"],
                                   outcome="employed", n_boot=0)
    est = res.table.set_index("measure")["estimate"]
    # treated 4 of 5 employed; controls: x = 0 1 of 4, x = 1 2 of 2 -> 0.4 * 0.25 + 0.6 * 1 = 0.7
    np.testing.assert_allclose(est["risk_treated"], 0.8, rtol=1e-12)
    np.testing.assert_allclose(est["risk_control"], 0.7, rtol=1e-8)
    np.testing.assert_allclose(est["risk_difference"], 0.1, rtol=1e-7)
    np.testing.assert_allclose(est["risk_ratio"], 0.8 / 0.7, rtol=1e-8)
    assert res.attrs["outcome_type"] == "binary"
    # 0/1 integers are binary too; outcome_type="continuous" overrides
    as01 = strata.assign(employed=strata["employed"].astype(int))
    got = compare.compare_outcomes(as01, treatment="arm", covariates=["x"], outcome="employed",
                                   n_boot=0, outcome_type="continuous")
    assert got.table["measure"].tolist() == ["mean_treated", "mean_control", "mean_difference"]


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_lalonde_weighted_differences_equal_r_weighted_mean(estimand: str) -> None:
    d = pd.read_csv(REF / "lalonde.csv").set_index("id")
    d["employed"] = d["re78"] > 0
    ref = pd.read_csv(REF / "weighted_outcomes.csv", float_precision="round_trip")
    ref = ref[ref["estimand"] == estimand].set_index("measure")["estimate"]
    for outcome in ("re78", "employed"):
        res = compare.compare_outcomes(d, treatment="treat", covariates=COVS, outcome=outcome,
                                       estimand=estimand, n_boot=0)
        got = res.table.set_index("measure")["estimate"]
        # glm's weights agree with ours to ~1e-8 (its convergence criterion)
        np.testing.assert_allclose(got, ref[got.index], rtol=2e-6)


def test_bootstrap_se_of_crude_difference_is_the_textbook_se() -> None:
    """Without weighting, the bootstrap SD of a difference in means (resampling within each
    cohort) estimates sqrt(s1^2/n1 + s0^2/n0) * sqrt((n - 1)/n) per group; with 2000 replicates
    its Monte Carlo error is about 1.6 % (1/sqrt(2 * 2000)), so 6 % is a 4-SE band."""
    rng = np.random.default_rng(11)
    n1, n0 = 80, 120
    d = pd.DataFrame({"arm": np.r_[np.ones(n1), np.zeros(n0)].astype(int),
                      "y": np.r_[rng.normal(20, 6, n1), rng.normal(15, 4, n0)]})
    res = compare.compare_outcomes(d, treatment="arm", covariates=None, outcome="y",
                                   n_boot=2000, seed=3)
    row = res.table.set_index("measure").loc["mean_difference"]
    y1, y0 = d.loc[d["arm"] == 1, "y"], d.loc[d["arm"] == 0, "y"]
    se = np.sqrt(y1.var(ddof=0) / n1 + y0.var(ddof=0) / n0)
    np.testing.assert_allclose(row["se"], se, rtol=0.06)
    assert row["lower"] < row["estimate"] < row["upper"]
    again = compare.compare_outcomes(d, treatment="arm", covariates=None, outcome="y",
                                     n_boot=2000, seed=3, n_jobs=2)
    pd.testing.assert_frame_equal(res.table, again.table)    # seeded, any n_jobs


def test_bootstrap_refits_the_weights_for_binary_outcomes(strata: pd.DataFrame) -> None:
    big = pd.concat([strata] * 8, ignore_index=True)
    res = compare.compare_outcomes(big, treatment="arm", covariates=["x"], outcome="employed",
                                   n_boot=200, seed=1, ci="bca")
    tab = res.table.set_index("measure")
    assert res.n_failed == 0 and res.replicates.shape == (200, 4)
    assert (tab["se"] > 0).all() and (tab["lower"] <= tab["upper"]).all()
    # replicate risks of the controls vary with the refitted weights, not only the resample of
    # outcomes: standardised risks stay in [0.25, 1]
    rc = res.replicates["risk_control"]
    assert rc.between(0.25, 1).all() and rc.std() > 0


def test_outcome_column_errors(strata: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"outcome column 'earnings' not found"):
        compare.compare_outcomes(strata, treatment="arm", covariates=["x"], outcome="earnings",
                                 n_boot=0)
    text = strata.assign(job=np.where(strata["employed"], "yes", "no"))
    with pytest.raises(ValueError, match=r"'job' must be numeric .* value 'no'"):
        compare.compare_outcomes(text, treatment="arm", covariates=["x"], outcome="job",
                                 n_boot=0)
    gap = strata.assign(hours=strata["hours"].where(strata.index != 3))
    with pytest.raises(ValueError, match=r"'hours' has 1 missing value\(s\), first in row 3"):
        compare.compare_outcomes(gap, treatment="arm", covariates=["x"], outcome="hours",
                                 n_boot=0)
    with pytest.raises(ValueError, match=r"declared binary but has value 10"):
        compare.compare_outcomes(strata, treatment="arm", covariates=["x"], outcome="hours",
                                 outcome_type="binary", n_boot=0)


def test_continuous_outcome_without_outcome_argument_points_to_it(strata: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"columns 'time', 'event' not found.*pass outcome='column'"):
        compare.compare_outcomes(strata, treatment="arm", covariates=["x"], n_boot=0)


def test_horizon_beyond_follow_up_is_an_error() -> None:
    d = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0], "time": [3.0, 9, 14, 2, 6, 20],
                      "event": [1, 0, 1, 1, 1, 0]})
    with pytest.raises(ValueError, match=r"horizon 18 months lies beyond the follow-up of "
                       r"treated \(last follow-up time 14 months = 14.0 months\)"):
        compare.compare_outcomes(d, treatment="arm", covariates=None, horizons_months=(6, 18),
                                 tau_months=6, unit="months", n_boot=0)
    with pytest.raises(ValueError, match=r"tau_months = 15 lies beyond the follow-up of treated"):
        compare.compare_outcomes(d, treatment="arm", covariates=None, horizons_months=(6,),
                                 tau_months=15, unit="months", n_boot=0)
    ok = compare.compare_outcomes(d, treatment="arm", covariates=None, horizons_months=(14,),
                                  tau_months=14, unit="months", n_boot=0)   # at the last time
    assert ok.table["estimate"].notna().all()


def test_horizon_at_the_last_time_survives_the_round_trip_through_months() -> None:
    """The report sets tau to the last common follow-up in months (123 days = 4.0411 months);
    back in days that is 123.00000000000001: still at, not beyond, the last time."""
    d = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0], "time": [30.0, 80, 123, 20, 60, 200],
                      "event": [1, 0, 0, 1, 1, 0]})
    tau = 123 / 30.4375
    res = compare.compare_outcomes(d, treatment="arm", covariates=None, horizons_months=(tau,),
                                   tau_months=tau, unit="days", n_boot=0)
    assert res.table["estimate"].notna().all()
