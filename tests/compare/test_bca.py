"""BCa bootstrap limits: a hand computation for the mean, scipy.stats.bootstrap on the same
replicates, and the jackknife of compare_outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import ndtr, ndtri

from kow_research import compare
from kow_research.compare.bca import bca_limits, jackknife_groups

REF_DATA = "tests/compare/reference/compare_data.csv"
SAMPLE = np.array([0.3, 0.5, 0.9, 1.2, 1.3, 2.1, 2.8, 4.0, 6.5, 11.0])  # right-skewed


def _leave_one_out_means(x: np.ndarray) -> np.ndarray:
    return ((x.sum() - x) / (len(x) - 1))[:, None]


def test_bca_of_the_mean_by_hand() -> None:
    # For the mean the jackknife values are (n x-bar - x_i) / (n - 1), so the acceleration
    # has the closed form sum (x - x-bar)^3 / (6 (sum (x - x-bar)^2)^1.5) (Efron & Tibshirani
    # 1993, eq. 14.15 with the jackknife influence values), and z0 is the normal quantile of
    # the share of replicates below the estimate, ties counted half (resamples whose mean is
    # the sample's: 0.0035 of them here).
    rng = np.random.default_rng(11)
    reps = SAMPLE[rng.integers(0, len(SAMPLE), (2000, len(SAMPLE)))].mean(axis=1)
    est = SAMPLE.mean()
    dev = SAMPLE - est
    a = np.sum(dev ** 3) / (6 * np.sum(dev ** 2) ** 1.5)
    z0 = ndtri(np.mean(reps < est) + 0.5 * np.mean(reps == est))
    lo_level = ndtr(z0 + (z0 - 1.959963984540054) / (1 - a * (z0 - 1.959963984540054)))
    hi_level = ndtr(z0 + (z0 + 1.959963984540054) / (1 - a * (z0 + 1.959963984540054)))
    lo, hi, z0_hat, a_hat = bca_limits(reps[:, None], np.array([est]),
                                       [_leave_one_out_means(SAMPLE)])
    assert a == pytest.approx(481.43 / (6 * 102.144 ** 1.5), rel=1e-4)   # = 0.0777 by hand
    assert_allclose([z0_hat[0], a_hat[0]], [z0, a], rtol=1e-12)
    assert_allclose([lo[0], hi[0]], np.quantile(reps, [lo_level, hi_level]), rtol=1e-12)
    # a right-skewed mean: BCa moves both limits up against the percentile interval
    pct = np.quantile(reps, [0.025, 0.975])
    assert lo[0] > pct[0] and hi[0] > pct[1]


def test_bca_equals_scipy_on_the_same_replicates() -> None:
    # scipy.stats.bootstrap(method="BCa") returns its replicates (bootstrap_distribution):
    # the limits from the same replicates must be scipy's to rounding. One sample (the mean)
    # and two independently resampled samples (difference of means, as the two cohorts).
    one = stats.bootstrap((SAMPLE,), np.mean, method="BCa", n_resamples=999,
                          random_state=np.random.default_rng(5))
    lo, hi, _, _ = bca_limits(one.bootstrap_distribution[:, None], np.array([SAMPLE.mean()]),
                              [_leave_one_out_means(SAMPLE)])
    assert_allclose([lo[0], hi[0]], [one.confidence_interval.low, one.confidence_interval.high],
                    rtol=1e-12)
    other = np.array([0.1, 0.2, 0.2, 0.4, 0.7, 0.9, 1.5])

    def diff(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    two = stats.bootstrap((SAMPLE, other), diff, method="BCa", n_resamples=999,
                          confidence_level=0.9, random_state=np.random.default_rng(6))
    jack = [_leave_one_out_means(SAMPLE) - other.mean(), SAMPLE.mean() - _leave_one_out_means(other)]
    lo, hi, _, _ = bca_limits(two.bootstrap_distribution[:, None],
                              np.array([SAMPLE.mean() - other.mean()]), jack, alpha=0.1)
    assert_allclose([lo[0], hi[0]], [two.confidence_interval.low, two.confidence_interval.high],
                    rtol=1e-12)


def test_bca_edge_cases() -> None:
    reps = np.array([[1.0, np.nan, 5.0], [2.0, np.nan, 6.0], [3.0, 1.0, 7.0]])
    lo, hi, z0, _ = bca_limits(reps, np.array([2.0, 1.0, 0.0]), [np.zeros((3, 3))])
    assert np.isfinite(lo[0]) and np.isnan(lo[1])        # one finite replicate only
    assert np.isinf(z0[2]) and np.isnan(lo[2]) and np.isnan(hi[2])   # estimate below all


def test_jackknife_groups_partition_each_cohort() -> None:
    t = np.array([1] * 7 + [0] * 5)
    per_person = jackknife_groups(t, seed=1)
    assert [g.tolist() for g in per_person] == [[i] for i in range(12)]
    grouped = jackknife_groups(t, seed=1, max_groups=3)
    assert [len(g) for g in grouped] == [3, 2, 2, 2, 2, 1]   # 7 = 3 + 2 + 2, 5 = 2 + 2 + 1
    assert all(len(set(t[g])) == 1 for g in grouped)
    assert sorted(np.concatenate(grouped).tolist()) == list(range(12))
    again = jackknife_groups(t, seed=1, max_groups=3)
    assert all((a == b).all() for a, b in zip(grouped, again, strict=True))


def test_compare_outcomes_bca_uses_the_per_person_jackknife() -> None:
    small = pd.read_csv(REF_DATA)
    kw = dict(treatment="treated", horizons_months=(6, 12), tau_months=12, unit="months",
              n_boot=200, seed=4)
    res = compare.compare_outcomes(small, covariates=["age", "smi"], ci="bca", **kw)
    pct = compare.compare_outcomes(small, covariates=["age", "smi"], **kw)
    # same replicates; only the limits differ
    pd.testing.assert_frame_equal(res.replicates, pct.replicates)
    assert_allclose(res.table["se"], pct.table["se"])
    assert res.ci == "bca" and res.jackknife is not None and len(res.jackknife) == len(small)
    assert "per-person jackknife" in res.attrs["acceleration"]
    assert "BCa" in repr(res) and res.attrs["interval"] == "BCa"
    # leaving out person 5 is the analysis of the other 79 (propensity model re-fitted)
    rest = small.drop(index=5)
    w = compare.propensity(rest, treatment="treated", covariates=["age", "smi"]).weights
    loo = compare.horizon_effects(rest, treatment="treated", weights=w, horizons_months=(6, 12),
                                  tau_months=12, unit="months")["estimate"].to_numpy()
    jk = res.jackknife.drop(columns="cohort")
    assert_allclose(jk.loc[5].to_numpy(), loo, rtol=1e-9)
    # the limits are bca_limits of the replicates with the jackknife split by cohort
    cohort = res.jackknife["cohort"].to_numpy()
    lo, hi, _, _ = bca_limits(res.replicates.to_numpy(), res.table["estimate"].to_numpy(),
                              [jk.to_numpy()[cohort == 1], jk.to_numpy()[cohort == 0]])
    ok = res.table["lower"].notna()
    assert_allclose(res.table["lower"][ok], lo[ok], rtol=1e-12)
    assert_allclose(res.table["upper"][ok], hi[ok], rtol=1e-12)
    assert ((res.table["lower"] <= res.table["estimate"])
            & (res.table["estimate"] <= res.table["upper"]))[ok].all()
