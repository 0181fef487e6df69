"""Rare covariate levels in the bootstrap of a weighted comparison: Firth-penalised propensity
models, merged levels, and failed replicates reported and refused above ``max_failed``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from kow_research import compare
from kow_research.compare.propensity import fit_firth, fit_logit, fit_propensity_model
from kow_research.compare.separation import collapse_levels, rare_levels
from kow_research.survival.design import design_matrix

REF_DATA = "tests/compare/reference/compare_data.csv"
KW = dict(treatment="treated", horizons_months=(6, 12), tau_months=12, unit="months",
          n_boot=60, seed=3)


def _penalised_loglik(beta: np.ndarray, x: np.ndarray, t: np.ndarray) -> float:
    """l(b) + 0.5 log det I(b), written out independently of the package."""
    eta = x @ beta
    p = 1 / (1 + np.exp(-eta))
    info = x.T @ np.diag(p * (1 - p)) @ x
    return float(np.sum(t * eta - np.log1p(np.exp(eta))) + 0.5 * np.linalg.slogdet(info)[1])


def _direct_firth(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    res = minimize(lambda b: -_penalised_loglik(b, x, t), np.zeros(x.shape[1]), method="BFGS",
                   options={"gtol": 1e-11, "maxiter": 10_000})
    return np.asarray(res.x)


def test_firth_maximises_the_penalised_likelihood() -> None:
    # 12 people, a continuous and a binary covariate (no separation): the Newton iteration
    # with the modified score must land where a general-purpose optimiser of the penalised
    # log-likelihood lands. 1e-6: BFGS stops at a gradient of 1e-11 on a well-conditioned
    # 3-parameter problem, so its optimum is good to far better than that.
    x = np.column_stack([np.ones(12), [-1.2, -0.8, -0.5, -0.3, 0.0, 0.1, 0.4, 0.6, 0.9, 1.1,
                                       1.4, 2.0], [0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0]])
    t = np.array([0.0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    beta, cov = fit_firth(x, t)
    assert_allclose(beta, _direct_firth(x, t), atol=1e-6)
    # the penalty shrinks towards zero: smaller coefficients than maximum likelihood
    ml, _ = fit_logit(x, t)
    assert np.all(np.abs(beta[1:]) < np.abs(ml[1:]))
    # covariance: the inverse Fisher information at the estimate (as logistf)
    p = 1 / (1 + np.exp(-(x @ beta)))
    assert_allclose(cov, np.linalg.inv(x.T @ np.diag(p * (1 - p)) @ x), rtol=1e-10)


def test_firth_is_finite_under_complete_separation() -> None:
    # every x > 3.5 treated, every x < 3.5 not: maximum likelihood has no finite estimate
    x = np.column_stack([np.ones(6), [1.0, 2, 3, 4, 5, 6]])
    t = np.array([0.0, 0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="separation|converge"):
        fit_logit(x, t)
    beta, cov = fit_firth(x, t)
    assert np.all(np.isfinite(beta)) and np.all(np.isfinite(cov))
    assert_allclose(beta, _direct_firth(x, t), atol=1e-6)
    # symmetric data: the fitted score crosses 1/2 at 3.5
    assert beta[0] / beta[1] == pytest.approx(-3.5, rel=1e-8)


def test_firth_converges_slowly_near_separation() -> None:
    """A study of the sHR validation (16,000 studies, 3 raised): two people with sex = "other",
    both in the comparator cohort of 300. Fisher scoring converges linearly there (about 260
    steps); with 50 steps it raised "did not converge". The estimate is the maximum of the
    penalised likelihood found by a general-purpose optimiser."""
    df = compare.confounded_cohorts(n=300, seeds=(2053458560, 1335332176))
    other = df[df["sex"] == "other"].groupby("programme").size().to_dict()
    assert other == {"IPS": 2}
    ps = compare.propensity(df, treatment="programme", treated="KOW", method="firth",
                            covariates=["age", "sex", "diagnosis_group", "smi",
                                        "log_months_out"], estimand="ATT")
    x = np.column_stack([np.ones(len(df)), design_matrix(
        df, ["age", "sex", "diagnosis_group", "smi", "log_months_out"]).x])
    t = (df["programme"] == "KOW").to_numpy(dtype=float)
    beta, _ = fit_firth(x, t)
    direct = _direct_firth(x, t)
    assert _penalised_loglik(beta, x, t) >= _penalised_loglik(direct, x, t) - 1e-8
    assert_allclose(1 / (1 + np.exp(-(x @ beta))), 1 / (1 + np.exp(-(x @ direct))), atol=1e-4)
    assert np.all(np.isfinite(ps.weights))


@pytest.fixture(scope="module")
def rare() -> pd.DataFrame:
    """The reference data with a sex column whose level "other" has 3 treated, 0 controls."""
    d = pd.read_csv(REF_DATA)
    sex = np.where(d["id"] % 2 == 0, "female", "male").astype(object)
    sex[np.flatnonzero(d["treated"] == 1)[:3]] = "other"
    return d.assign(sex=sex)


def test_rare_levels_are_found_and_merged(rare: pd.DataFrame) -> None:
    t = rare["treated"].to_numpy()
    assert rare_levels(rare, ["age", "sex"], t) == [("sex", "other", 3, 0)]
    out, covs, merged = collapse_levels(rare, ["age", "sex"], t)
    # one rare level: it joins the level most common in the smaller cohort
    big = max(("female", "male"), key=lambda lv: min(
        ((rare["sex"] == lv) & (rare["treated"] == g)).sum() for g in (0, 1)))
    assert merged == {"sex": {"other": big}} and covs == ["age", "sex"]
    assert (out["sex"] == "other").sum() == 0 and (rare["sex"] == "other").sum() == 3
    # two rare levels that together are common enough: pooled as "other"
    d = pd.DataFrame({"dx": ["a"] * 20 + ["b"] * 6 + ["c"] * 6})
    tt = np.array([1, 0] * 10 + [1, 1, 1, 1, 1, 0] + [0, 0, 0, 0, 1, 0])
    _, _, m = collapse_levels(d, ["dx"], tt, min_count=3)
    assert m == {"dx": {"b": "other", "c": "other"}}
    # a binary covariate whose rare level is merged is constant: it leaves the model
    b = pd.DataFrame({"smi": [True] * 3 + [False] * 17})
    _, covs_b, m_b = collapse_levels(b, ["smi"], np.array([1] * 3 + [1, 0] * 8 + [0]))
    assert covs_b == [] and m_b == {"smi": {"True": "False"}}


def test_separation_options(rare: pd.DataFrame) -> None:
    covs = ["age", "sex", "dx"]
    with pytest.raises(ValueError, match=r"sex=other \(3 people.*separation='auto'"):
        compare.compare_outcomes(rare, covariates=covs, **KW)
    firth = compare.compare_outcomes(rare, covariates=covs, separation="firth", **KW)
    assert firth.n_failed == 0 and firth.table["lower"].notna().all()
    assert firth.propensity is not None
    assert firth.propensity.attrs["model"].startswith("Firth-penalised")
    assert "Firth" in firth.attrs["separation_text"]
    assert "sex = other (3 treated, 0 control)" in firth.attrs["separation_text"]
    col = compare.compare_outcomes(rare, covariates=covs, separation="collapse", **KW)
    assert col.n_failed == 0 and "sex" in col.attrs["collapsed"]
    assert "merged before fitting" in str(col.summary())
    assert (rare["sex"] == "other").sum() == 3   # the caller's frame is untouched
    # dx = psychosis has 4 controls: merged too
    assert col.attrs["collapsed"]["dx"] == {"psychosis": "anxiety"}
    # without rare levels, collapse changes nothing and says so
    plain = compare.compare_outcomes(rare, covariates=["age"], separation="collapse", **KW)
    ref = compare.compare_outcomes(rare, covariates=["age"], **KW)
    pd.testing.assert_frame_equal(plain.table, ref.table)
    assert plain.attrs["separation_text"].startswith("No level")


def test_failed_replicates_are_refused_above_max_failed(rare: pd.DataFrame) -> None:
    # one control with sex = other: a control resample misses them in (1 - 1/39)^39 = 37 %
    d = rare.copy()
    d.loc[d.index[d["treated"] == 0][0], "sex"] = "other"
    covs = ["age", "sex"]
    with pytest.raises(ValueError, match=r"(\d+) of 60 bootstrap replicates \((\d+\.\d) %\) "
                       r"failed.*sex = other \(3 treated, 1 control\).*separation='auto'"):
        compare.compare_outcomes(d, covariates=covs, **KW)
    res = compare.compare_outcomes(d, covariates=covs, max_failed=0.9, **KW)
    share = res.n_failed / 60
    assert 0.2 < share < 0.55 and res.failed_share == share
    assert res.attrs["n_failed"] == res.n_failed
    text = f"{res.n_failed} failed ({100 * share:.1f} %)"
    assert text in repr(res) and text in str(res.summary())
    # Firth fits every resample
    assert compare.compare_outcomes(d, covariates=covs, separation="firth", **KW).n_failed == 0
    with pytest.raises(ValueError, match="max_failed"):
        compare.compare_outcomes(d, covariates=covs, max_failed=1.5, **KW)


def test_auto_is_maximum_likelihood_where_it_exists_and_firth_where_not() -> None:
    # overlapping groups: "auto" is the maximum-likelihood fit; x = 1 only among the treated
    # (quasi-complete separation): maximum likelihood raises, "auto" is Firth's fit
    x = np.column_stack([np.ones(8), [0, 0, 0, 0, 1, 1, 1, 1], [0.3, -1, 2, 0.5, 1, -0.2, 0, 1]])
    t = np.array([0.0, 1, 0, 1, 1, 0, 1, 1])
    beta, cov, used = fit_propensity_model(x, t, "auto")
    ml, ml_cov = fit_logit(x, t)
    assert used == "logit" and np.array_equal(beta, ml) and np.array_equal(cov, ml_cov)
    t_sep = np.array([0.0, 1, 0, 1, 1, 1, 1, 1])
    with pytest.raises(ValueError):
        fit_logit(x, t_sep)
    beta, _, used = fit_propensity_model(x, t_sep, "auto")
    assert used == "firth" and np.array_equal(beta, fit_firth(x, t_sep)[0])
    with pytest.raises(ValueError):
        fit_propensity_model(x, t_sep, "logit")
    with pytest.raises(ValueError, match="method"):
        fit_propensity_model(x, t, "probit")


def test_auto_separation_per_replicate(rare: pd.DataFrame) -> None:
    # one control with sex = other: the full data have a finite maximum-likelihood estimate,
    # but the resamples of the controls that miss that person separate. With the same seed
    # the replicates are the same resamples, so "auto" must equal maximum likelihood
    # (separation="error") in the replicates that did not fail and Firth in those that did
    d = rare.copy()
    d.loc[d.index[d["treated"] == 0][0], "sex"] = "other"
    covs = ["age", "sex"]
    ml = compare.compare_outcomes(d, covariates=covs, max_failed=0.9, **KW)
    firth = compare.compare_outcomes(d, covariates=covs, separation="firth", **KW)
    auto = compare.compare_outcomes(d, covariates=covs, separation="auto", **KW)
    failed = ml.replicates.isna().all(axis=1).to_numpy()
    assert 0 < failed.sum() == ml.n_failed and auto.n_failed == 0
    assert auto.attrs["firth_replicates"] == ml.n_failed
    assert_allclose(auto.replicates[~failed], ml.replicates[~failed], rtol=1e-12)
    assert_allclose(auto.replicates[failed], firth.replicates[failed], rtol=1e-12)
    assert_allclose(auto.table["estimate"], ml.table["estimate"], rtol=1e-12)
    assert auto.propensity is not None and auto.propensity.attrs["fitted_by"] == "logit"
    assert (f"not the full data, {ml.n_failed} of 60 bootstrap replicates"
            in auto.attrs["separation_text"])
    # sex = other in the treated cohort only: the full data need Firth too
    full = compare.compare_outcomes(rare, covariates=covs, separation="auto", **KW)
    assert full.propensity is not None and full.propensity.attrs["fitted_by"] == "firth"
    assert_allclose(full.table["estimate"], compare.compare_outcomes(
        rare, covariates=covs, separation="firth", **KW).table["estimate"], rtol=1e-12)
    assert "Firth" in full.propensity.attrs["model"]
    assert "the full data, " in full.attrs["separation_text"]


def test_auto_separation_in_the_hazard_ratio_bootstrap(rare: pd.DataFrame) -> None:
    d = rare.copy()
    d.loc[d.index[d["treated"] == 0][0], "sex"] = "other"
    kw = dict(treatment="treated", covariates=["age", "sex"], n_boot=40, seed=5)
    ml = compare.bootstrap_hazard_ratio(d, max_failed=0.9, **kw)
    auto = compare.bootstrap_hazard_ratio(d, separation="auto", **kw)
    firth = compare.bootstrap_hazard_ratio(d, separation="firth", **kw)
    failed = ~np.isfinite(ml.attrs["replicates"])
    assert failed.sum() == ml.attrs["n_failed"] == auto.attrs["firth_replicates"] > 0
    assert_allclose(auto.attrs["replicates"][~failed], ml.attrs["replicates"][~failed],
                    rtol=1e-12)
    assert_allclose(auto.attrs["replicates"][failed], firth.attrs["replicates"][failed],
                    rtol=1e-12)
    assert auto.attrs["propensity_fitted_by"] == "logit"


def test_design_and_compare_name_the_same_separations() -> None:
    from kow_research.compare.separation import SEPARATION
    from kow_research.data import study_design
    assert set(study_design.SEPARATION) == set(SEPARATION)
    assert study_design.DEFAULTS["separation"] == "auto"
