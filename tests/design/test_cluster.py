"""Design effect for cluster delivery (Kish; Eldridge, Ashby & Kerry 2006) and inflating a
sample size result by it."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from kow_research.design import (
    design_effect,
    inflate_for_clustering,
    power,
    sample_size,
    sample_size_proportion,
)


def test_design_effect_by_hand():
    assert_allclose(design_effect(cluster_size=10, icc=0.05), 1 + 9 * 0.05)
    # unequal sizes, cv 0.5: 1 + ((0.25 + 1) * 10 - 1) * 0.05 = 1.575
    assert_allclose(design_effect(cluster_size=10, icc=0.05, cv=0.5), 1.575)
    assert design_effect(cluster_size=1, icc=0.3) == 1.0     # one person per cluster
    assert design_effect(cluster_size=25, icc=0.0, cv=0.7) == 1.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cluster_size": 0.5, "icc": 0.05}, "cluster_size must be"),
    ({"cluster_size": 10, "icc": 1.0}, "icc must be"),
    ({"cluster_size": 10, "icc": -0.1}, "icc must be"),
    ({"cluster_size": 10, "icc": 0.05, "cv": -1}, "cv must be")])
def test_design_effect_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design_effect(**kwargs)


def test_inflate_proportion_by_hand():
    # 97.076 per arm (test_proportion) * 1.45 = 140.76 -> 141 per arm; ceil(141 / 10) = 15
    base = sample_size_proportion(p_control=0.25, p_treated=0.44)
    res = inflate_for_clustering(base, cluster_size=10, icc=0.05)
    assert res.n_per_arm == (141, 141)
    assert_allclose(res.attrs["design_effect"], 1.45)
    assert res.table.set_index("arm")["clusters"].tolist() == [15, 15, 30]
    same = sample_size(outcome="proportion", p_control=0.25, p_treated=0.44, cluster_size=10,
                       icc=0.05)
    assert same.n_per_arm == res.n_per_arm
    assert base.attrs.get("design_effect") is None        # the original is untouched


def test_inflate_time_inflates_events_and_participants():
    base = sample_size(outcome="time", hr=0.7, median_control=18, accrual=24, follow_up=12)
    res = inflate_for_clustering(base, cluster_size=8, icc=0.02, cv=0.4)
    de = 1 + ((0.16 + 1) * 8 - 1) * 0.02                    # 1.1656
    assert res.events == math.ceil(247 * de)
    assert_allclose(res.attrs["n_unrounded"], base.attrs["n_unrounded"] * de, rtol=1e-12)
    at = power(outcome="time", n_total=res.n_total, hr=0.7, median_control=18, accrual=24,
               follow_up=12, cluster_size=8, icc=0.02, cluster_cv=0.4)
    assert at.power >= 0.8


def test_inflate_refuses_power_results_and_double_inflation():
    base = sample_size_proportion(p_control=0.25, p_treated=0.44)
    once = inflate_for_clustering(base, cluster_size=10, icc=0.05)
    with pytest.raises(ValueError, match="already includes a design effect"):
        inflate_for_clustering(once, cluster_size=10, icc=0.05)
    pw = power(outcome="proportion", n_total=200, p_control=0.25, p_treated=0.44)
    with pytest.raises(ValueError, match="needs a sample size result"):
        inflate_for_clustering(pw, cluster_size=10, icc=0.05)
    with pytest.raises(ValueError, match="give cluster_size"):
        sample_size_proportion(p_control=0.25, p_treated=0.44, icc=0.05)


def test_design_effect_against_simulated_cluster_variance():
    # 40 clusters of unequal size (mean 10, cv 0.5 with the population sd), a binary outcome
    # with ICC 0.05 (beta-binomial: cluster p ~ Beta(a, b), a + b = 1/ICC - 1). The variance
    # of the pooled proportion over 20,000 simulated studies, divided by the variance under
    # individual sampling p(1 - p)/N, is the design effect; the sample variance has relative
    # SE sqrt(2 / 19999) = 1 %, tolerance 4 %
    import numpy as np

    sizes = np.array([5, 15] * 20)                      # mean 10, sd 5: cv 0.5
    assert sizes.mean() == 10 and sizes.std() / sizes.mean() == 0.5
    p, icc, reps = 0.3, 0.05, 20_000
    ab = 1 / icc - 1
    rng = np.random.default_rng(2006)
    pc = rng.beta(p * ab, (1 - p) * ab, (reps, len(sizes)))
    pooled = rng.binomial(sizes, pc).sum(axis=1) / sizes.sum()
    ratio = pooled.var(ddof=1) / (p * (1 - p) / sizes.sum())
    assert_allclose(ratio, design_effect(cluster_size=10, icc=icc, cv=0.5), rtol=0.04)
