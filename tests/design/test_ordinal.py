"""Participation ladder: proportional-odds sample size (Whitehead 1993) against hand
computations and a simulated Mann-Whitney test (the score test of the proportional-odds
model that Whitehead's formula describes)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from kow_research.design import power, proportional_odds_probabilities, sample_size_ladder

Z2 = (1.959964 + 0.841621) ** 2


def test_treated_probabilities_by_hand():
    # control (0.2, 0.5, 0.3): Q0 = (0.2, 0.7); OR 2 of a higher rung:
    #   Q1 = 0.2 / (0.2 + 2 * 0.8) = 0.111111, 0.7 / (0.7 + 2 * 0.3) = 0.538462
    p1 = proportional_odds_probabilities([0.2, 0.5, 0.3], odds_ratio=2)
    assert_allclose(p1, [0.111111, 0.538462 - 0.111111, 1 - 0.538462], atol=1e-6)


@given(st.lists(st.floats(0.02, 1.0), min_size=2, max_size=7), st.floats(0.2, 5.0))
def test_every_cumulative_odds_ratio_is_the_odds_ratio(weights, orr):
    p0 = np.array(weights) / np.sum(weights)
    p1 = proportional_odds_probabilities(p0, odds_ratio=orr)
    assert_allclose(p1.sum(), 1.0, atol=1e-12)
    assert (p1 >= -1e-15).all()
    q0, q1 = np.cumsum(p0)[:-1], np.cumsum(p1)[:-1]
    ok = (q0 > 1e-9) & (q0 < 1 - 1e-9)
    # odds of a higher rung: (1 - Q) / Q
    ratio = ((1 - q1) / q1)[ok] / ((1 - q0) / q0)[ok]
    assert_allclose(ratio, orr, rtol=1e-8)


def test_whitehead_three_rungs_by_hand():
    # pbar = (0.2 + 0.111111) / 2, (0.5 + 0.427350) / 2, (0.3 + 0.461538) / 2
    #      = (0.155556, 0.463675, 0.380769); sum of cubes = 0.003764 + 0.099688 + 0.055206
    #      = 0.158658; N = 12 * 7.848880 / (log(2)^2 = 0.480453 * 0.841342) = 233.0
    # (inputs rounded to 6 decimals: tolerance 2e-6 on the sum)
    pbar = np.array([0.155556, 0.463675, 0.380769])
    hand = 12 * Z2 / (math.log(2) ** 2 * (1 - np.sum(pbar ** 3)))
    res = sample_size_ladder(odds_ratio=2, rung_probabilities=[0.2, 0.5, 0.3])
    assert_allclose(res.attrs["sum_pbar_cubed"], 0.158658, atol=2e-6)
    assert_allclose(hand, 233.0, atol=0.05)
    assert_allclose(res.attrs["n_unrounded"], hand, rtol=1e-5)
    assert res.n_per_arm == (math.ceil(hand / 2),) * 2


def test_whitehead_two_categories_is_the_log_odds_ratio_formula():
    # OR 3, (0.5, 0.5) -> programme (0.25, 0.75), pbar (0.375, 0.625):
    #   1 - (0.052734 + 0.244141) = 0.703125; N = 12 * 7.848880 / (1.206949 * 0.703125) = 110.98
    res = sample_size_ladder(odds_ratio=3, rung_probabilities=[0.5, 0.5])
    assert_allclose(res.attrs["n_unrounded"], 110.98, rtol=1e-4)
    assert res.n_total == 112


def test_allocation_ratio_form():
    # N = 3 (A + 1)^2 Z2 / (A log(OR)^2 (1 - sum pbar^3)), A = 2 for 2:1, pbar weighted 2/3, 1/3
    p0 = np.array([0.1, 0.25, 0.3, 0.2, 0.08, 0.07])
    p1 = proportional_odds_probabilities(p0, odds_ratio=1.8)
    pbar = 2 / 3 * p1 + 1 / 3 * p0
    hand = 3 * 9 * Z2 / (2 * math.log(1.8) ** 2 * (1 - np.sum(pbar ** 3)))
    res = sample_size_ladder(odds_ratio=1.8, rung_probabilities=p0, allocation=2 / 3)
    assert_allclose(res.attrs["n_unrounded"], hand, rtol=1e-5)
    assert res.n_per_arm == (math.ceil(2 / 3 * hand), math.ceil(hand / 3))


def test_power_inverse_and_labels_kept():
    dist = pd.Series([0.1, 0.25, 0.3, 0.2, 0.08, 0.07], index=[1, 2, 3, 4, 5, 6])
    need = sample_size_ladder(odds_ratio=1.8, rung_probabilities=dist, attrition=0.15)
    at = power(outcome="ladder", n_total=need.n_total, odds_ratio=1.8,
               rung_probabilities=dist, attrition=0.15)
    assert at.power >= 0.8
    assert power(outcome="ladder", n_total=need.n_total - 4, odds_ratio=1.8,
                 rung_probabilities=dist, attrition=0.15).power < 0.8
    assert need.distribution["rung"].tolist() == [1, 2, 3, 4, 5, 6]
    assert_allclose(need.distribution["pooled"],
                    (need.distribution["control"] + need.distribution["programme"]) / 2)


@pytest.mark.parametrize(("probs", "message"), [
    ([0.5, 0.4], "sum to 0.9"), ([1.0], "at least two"), ([1.0, 0.0], "one rung"),
    ([0.5, -0.1, 0.6], ">= 0"), ([10, 20, 70], "sum to 100")])
def test_rung_probabilities_checked(probs, message):
    with pytest.raises(ValueError, match=message):
        sample_size_ladder(odds_ratio=2, rung_probabilities=probs)


def test_odds_ratio_one_raises():
    with pytest.raises(ValueError, match="odds_ratio = 1 means no effect"):
        sample_size_ladder(odds_ratio=1, rung_probabilities=[0.5, 0.5])


def test_whitehead_power_against_simulated_mann_whitney():
    # 1000 simulated trials at the computed n, Wilcoxon-Mann-Whitney test with ties (normal
    # approximation), the test Whitehead's formula is the power of. Analytic power must lie
    # in the Monte Carlo 95 % interval (half-width about 0.025).
    p0 = np.array([0.15, 0.25, 0.3, 0.15, 0.08, 0.07])
    res = sample_size_ladder(odds_ratio=1.8, rung_probabilities=p0)
    p1 = res.distribution["programme"].to_numpy()
    rng = np.random.default_rng(1993)
    reps = 1000
    y1 = rng.choice(6, size=(reps, res.n_treated), p=p1)
    y0 = rng.choice(6, size=(reps, res.n_control), p=p0)
    p = stats.mannwhitneyu(y1, y0, axis=1, method="asymptotic", use_continuity=False).pvalue
    sim = np.mean(p < 0.05)
    half = 1.96 * math.sqrt(sim * (1 - sim) / reps)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)
