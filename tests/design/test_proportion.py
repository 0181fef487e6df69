"""Proportion in paid work at a horizon: the pooled (Fleiss), unpooled and arcsine (Cohen's
h, statsmodels NormalIndPower) normal approximations against hand computations, and the
power of the pooled z-test against a simulation.

Example throughout: competitive employment 25 % (control) vs 44 % (programme), the Dutch IPS
trial's figures (Michon et al. 2014); Delta = 0.19, Delta^2 = 0.0361."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from kow_research.design import power, sample_size, sample_size_proportion

Z_A, Z_B = 1.959964, 0.841621


def test_pooled_fleiss_by_hand():
    # pbar = 0.345; sigma0 = sqrt(2 * 0.345 * 0.655) = 0.672272
    # sigma1 = sqrt(0.44 * 0.56 + 0.25 * 0.75) = sqrt(0.4339) = 0.658711
    # n1 = (1.959964 * 0.672272 + 0.841621 * 0.658711)^2 / 0.0361 = 1.872015^2 / 0.0361 = 97.08
    hand = (Z_A * math.sqrt(2 * 0.345 * 0.655) + Z_B * math.sqrt(0.4339)) ** 2 / 0.0361
    assert_allclose(hand, 97.076, rtol=1e-4)
    res = sample_size_proportion(p_control=0.25, p_treated=0.44)
    assert_allclose(res.attrs["n_unrounded"], 2 * hand, rtol=1e-5)
    assert res.n_per_arm == (98, 98)
    assert res.attrs["method"] == "pooled"


def test_unpooled_by_hand():
    # n1 = 7.848880 * 0.4339 / 0.0361 = 94.34 -> 95
    hand = (Z_A + Z_B) ** 2 * 0.4339 / 0.0361
    res = sample_size_proportion(p_control=0.25, p_treated=0.44, method="unpooled")
    assert_allclose(res.attrs["n_unrounded"] / 2, hand, rtol=1e-5)
    assert res.n_per_arm == (95, 95)


def test_arcsine_cohens_h_by_hand():
    # h = 2 asin(sqrt 0.44) - 2 asin(sqrt 0.25); n1 = 7.848880 * 2 / h^2 (one tail); the
    # statsmodels solver also counts the far tail of the two-sided test, which changes n1 by
    # less than 1e-5 here (tolerance)
    h = 2 * math.asin(math.sqrt(0.44)) - 2 * math.asin(math.sqrt(0.25))
    hand = (Z_A + Z_B) ** 2 * 2 / h ** 2
    res = sample_size_proportion(p_control=0.25, p_treated=0.44, method="arcsine")
    assert_allclose(res.attrs["cohens_h"], h, rtol=1e-12)
    assert_allclose(res.attrs["n_unrounded"] / 2, hand, rtol=1e-5)
    assert res.n_per_arm == (math.ceil(hand),) * 2 == (97, 97)


def test_continuity_correction_by_hand():
    # n' = n/4 (1 + sqrt(1 + 2 (k + 1) / (k n |Delta|)))^2 with k = 1, n = 97.076:
    #   2 * 2 / (97.076 * 0.19) = 0.216868; sqrt(1.216868) = 1.103118; 97.076/4 * 2.103118^2
    n = (Z_A * math.sqrt(2 * 0.345 * 0.655) + Z_B * math.sqrt(0.4339)) ** 2 / 0.0361
    hand = n / 4 * (1 + math.sqrt(1 + 4 / (n * 0.19))) ** 2
    assert_allclose(hand, 107.34, rtol=1e-4)
    res = sample_size_proportion(p_control=0.25, p_treated=0.44, continuity_correction=True)
    assert res.n_per_arm == (108, 108)
    # its power at n' is the target: the inverse of the correction is exact
    back = power(outcome="proportion", n_total=2 * 108, p_control=0.25, p_treated=0.44,
                 continuity_correction=True)
    assert 0.8 <= back.power < 0.81


def test_unequal_allocation_by_hand():
    # 2:1 (r = 2/3, k = n0/n1 = 0.5): pbar = (0.44 + 0.5 * 0.25) / 1.5 = 0.376667
    # sigma0 = sqrt(pbar qbar (1 + 1/k)) = sqrt(0.704356); sigma1 = sqrt(0.2464 + 0.1875 / 0.5)
    pbar = (0.44 + 0.5 * 0.25) / 1.5
    n1 = (Z_A * math.sqrt(pbar * (1 - pbar) * 3) + Z_B * math.sqrt(0.2464 + 0.375)) ** 2 / 0.0361
    assert_allclose(n1, 147.60, rtol=1e-4)
    res = sample_size_proportion(p_control=0.25, p_treated=0.44, allocation=2 / 3)
    assert res.n_per_arm == (math.ceil(n1), math.ceil(n1 / 2))


def test_power_pooled_by_hand():
    # 100 per arm: (0.19 * 10 - 1.959964 * 0.672272) / 0.658711 = 0.884104 -> Phi = 0.81166
    # (the far tail Phi(-4.9) ~ 5e-7 is within the tolerance)
    res = power(outcome="proportion", n_total=200, p_control=0.25, p_treated=0.44)
    hand = stats.norm.cdf((1.9 - Z_A * math.sqrt(2 * 0.345 * 0.655)) / math.sqrt(0.4339))
    assert_allclose(res.power, hand, atol=1e-5)
    assert res.n_per_arm == (100, 100)


def test_attrition_divides_the_sample_size():
    # 97.076 / (1 - 0.2) = 121.35 -> 122 per arm
    res = sample_size_proportion(p_control=0.25, p_treated=0.44, attrition=0.2)
    assert res.n_per_arm == (122, 122)
    back = power(outcome="proportion", n_total=244, p_control=0.25, p_treated=0.44,
                 attrition=0.2)
    assert back.power >= 0.8


@pytest.mark.parametrize("method", ["pooled", "unpooled", "arcsine"])
def test_power_is_the_inverse_and_direction_free(method):
    up = sample_size(outcome="proportion", p_control=0.25, p_treated=0.44, method=method)
    down = sample_size(outcome="proportion", p_control=0.44, p_treated=0.25, method=method)
    assert up.n_per_arm == down.n_per_arm            # symmetric in the two groups at 1:1
    at = power(outcome="proportion", n_total=up.n_total, p_control=0.25, p_treated=0.44,
               method=method)
    less = power(outcome="proportion", n_total=up.n_total - 2, p_control=0.25,
                 p_treated=0.44, method=method)
    assert at.power >= 0.8 > less.power
    one = sample_size(outcome="proportion", p_control=0.25, p_treated=0.44, method=method,
                      alternative="one-sided")
    assert one.n_total < up.n_total


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"p_control": 0.3, "p_treated": 0.3}, "no difference to detect"),
    ({"p_control": 0.0, "p_treated": 0.3}, "p_control must be"),
    ({"p_control": 0.3, "p_treated": 1.2}, "p_treated must be"),
    ({"p_control": 0.3, "p_treated": 0.4, "method": "exact"}, "method must be one of"),
    ({"p_control": 0.3, "p_treated": 0.4, "method": "arcsine", "continuity_correction": True},
     "continuity_correction is Fleiss"),
    ({"p_control": 0.3, "p_treated": 0.4, "attrition": 1.0}, "attrition must be"),
    ({"p_control": 0.3, "p_treated": 0.4, "alpha": 0.0}, "alpha is 1 -"),
])
def test_proportion_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_size_proportion(**kwargs)


def test_pooled_power_against_simulated_z_test():
    # 2000 simulated trials at the computed n (98 per arm), pooled two-proportion z-test
    # (the chi-square test without continuity correction); the analytic power must lie in
    # the Monte Carlo 95 % interval (half-width about 1.96 * sqrt(0.8 * 0.2 / 2000) = 0.018)
    res = sample_size_proportion(p_control=0.25, p_treated=0.44)
    rng = np.random.default_rng(20261116)
    reps, n1, n0 = 2000, res.n_treated, res.n_control
    x1, x0 = rng.binomial(n1, 0.44, reps), rng.binomial(n0, 0.25, reps)
    pp = (x1 + x0) / (n1 + n0)
    z = (x1 / n1 - x0 / n0) / np.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n0))
    sim = np.mean(np.abs(z) > stats.norm.ppf(0.975))
    half = 1.96 * math.sqrt(sim * (1 - sim) / reps)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)
