"""bootstrap_hazard_ratio: every replicate is the weighted Fine–Gray fit on a within-cohort
resample with the propensity model re-fitted, and the interval is the basic (or percentile) interval of
those replicates.

The reference is built here from the public pieces (``propensity`` and
``weighted_hazard_ratio``) on the same resamples, drawn with the same generator: the function
must not differ from doing it by hand (1e-10: the same arithmetic up to summation order)."""

from __future__ import annotations

import numpy as np
import pytest

import kow_research as kr
from kow_research.compare import bootstrap_hazard_ratio, propensity, weighted_hazard_ratio


@pytest.fixture(scope="module")
def frame():
    study = kr.simulate_studies({"KOW": 60, "IPS": 50}, seed=2)
    return kr.outcomes.time_to_paid_work(study)


def _by_hand(df, n_boot, seed, estimand, method):
    t = (df["cohort"].astype(str) == "KOW").to_numpy()
    rng = np.random.default_rng(seed)
    i1, i0 = np.flatnonzero(t), np.flatnonzero(~t)
    out = []
    for _ in range(n_boot):
        idx = np.concatenate([rng.choice(i1, len(i1)), rng.choice(i0, len(i0))])
        sub = df.iloc[idx].reset_index(drop=True)
        ps = propensity(sub, treatment="cohort", treated="KOW", covariates=["age", "smi"],
                        estimand=estimand, method=method)
        fit = weighted_hazard_ratio(sub, treatment="cohort", treated="KOW", weights=ps.weights,
                                    model="fine_gray")
        out.append(float(fit.coef.loc["treated", "coef"]))
    return np.array(out)


@pytest.mark.parametrize(("estimand", "separation"), [("ATO", "firth"), ("ATT", "firth")])
def test_replicates_refit_the_weights(frame, estimand, separation):
    fit = bootstrap_hazard_ratio(frame, treatment="cohort", treated="KOW",
                                 covariates=["age", "smi"], estimand=estimand, n_boot=30,
                                 seed=7, separation=separation)
    expected = _by_hand(frame.reset_index(drop=True), 30, 7, estimand, "firth")
    np.testing.assert_allclose(fit.attrs["replicates"], expected, rtol=1e-10)
    row = fit.coef.loc["treated"]
    lo, hi = np.quantile(expected, [0.025, 0.975])
    beta = float(np.log(row["hr"]))
    # basic (reverse-percentile) interval by default: 2 beta - the upper and lower quantiles
    np.testing.assert_allclose([row["lower"], row["upper"]],
                               np.exp([2 * beta - hi, 2 * beta - lo]), rtol=1e-10)
    pct = bootstrap_hazard_ratio(frame, treatment="cohort", treated="KOW",
                                 covariates=["age", "smi"], estimand=estimand, n_boot=30,
                                 seed=7, separation=separation, ci="percentile")
    np.testing.assert_allclose(pct.coef.loc["treated", ["lower", "upper"]].astype(float),
                               np.exp([lo, hi]), rtol=1e-10)
    assert pct.attrs["interval"] == "bootstrap percentile, weights re-estimated"
    np.testing.assert_allclose(row["se"], np.std(expected, ddof=1), rtol=1e-10)
    # bootstrap bias and the bias-corrected estimate 2 beta - mean of the replicates
    np.testing.assert_allclose(fit.attrs["bootstrap_bias"], expected.mean() - beta, rtol=1e-9)
    np.testing.assert_allclose(fit.attrs["bias_corrected_coef"], 2 * beta - expected.mean(),
                               rtol=1e-9)
    # the point estimate is the full-data weighted fit, with the full-data weights
    ps = propensity(frame, treatment="cohort", treated="KOW", covariates=["age", "smi"],
                    estimand=estimand, method="firth")
    point = weighted_hazard_ratio(frame, treatment="cohort", treated="KOW", weights=ps.weights,
                                  model="fine_gray")
    np.testing.assert_allclose(row["hr"], point.coef.loc["treated", "hr"], rtol=1e-12)
    assert fit.attrs["robust_se"] == pytest.approx(point.coef.loc["treated", "se"], rel=1e-12)
    assert fit.attrs["interval"] == "bootstrap basic, weights re-estimated"
    assert fit.vcov.loc["treated", "treated"] == pytest.approx(row["se"] ** 2)


def test_failed_replicates_are_counted_and_refused(frame):
    # maximum likelihood: some resamples separate on SMI; they are counted, and refused
    # above max_failed
    fit = bootstrap_hazard_ratio(frame, treatment="cohort", treated="KOW",
                                 covariates=["age", "smi"], estimand="ATO", n_boot=40, seed=1,
                                 max_failed=0.9)
    failed = int(np.isnan(fit.attrs["replicates"]).sum())
    assert fit.attrs["n_failed"] == failed > 0   # 17 of 40 with this seed
    with pytest.raises(ValueError, match=f"{failed} of 40 replicates"):
        bootstrap_hazard_ratio(frame, treatment="cohort", treated="KOW",
                               covariates=["age", "smi"], estimand="ATO", n_boot=40, seed=1,
                               max_failed=0.0)
    with pytest.raises(ValueError, match="n_boot must be at least 2"):
        bootstrap_hazard_ratio(frame, treatment="cohort", treated="KOW", covariates=["age"],
                               n_boot=1)
