"""Competing dropout: the subdistribution (Latouche, Porcher & Chevret 2004) and
cause-specific (Pintilie 2002) sample sizes against hand computations and numerical
integration; the simulation checks are in test_simulation.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from kow_research.design import (
    power,
    probability_of_event,
    probability_of_subdistribution_event,
    sample_size,
    sample_size_cause_specific,
    sample_size_subdistribution,
)

from ._simulate import trial

BASE = {"hazard_control": 0.05, "competing_hazard": 0.02, "accrual": 12, "follow_up": 12}


def _psi_by_averaging_the_cif(lam, kappa, theta, a, f):
    """Without loss to follow-up the event of a participant followed s months is observed
    with probability F(s) = 1 - (1 - F_0(s))^theta; average s over U(F, A + F)."""
    def cif(s):
        f0 = lam / (lam + kappa) * (1 - math.exp(-(lam + kappa) * s))
        return 1 - (1 - f0) ** theta
    return integrate.quad(cif, f, a + f, epsabs=1e-13)[0] / a


def test_cause_specific_by_hand():
    # control: L = 0.05 + 0.02 = 0.07, L A = 0.84: exp(-0.84) = 0.431711,
    #   P0 = 0.05/0.07 * (1 - 0.431711 * (1 - 0.431711) / 0.84) = 0.714286 * 0.707933 = 0.505667
    # programme: L = 0.075 + 0.02 = 0.095, L A = 1.14: exp(-1.14) = 0.319819,
    #   P1 = 0.075/0.095 * (1 - 0.319819 * 0.680181 / 1.14) = 0.789474 * 0.809179 = 0.638826
    # events 191 (HR 1.5); N = 191 / ((0.638826 + 0.505667) / 2) = 333.77 -> 167 per arm
    res = sample_size_cause_specific(hr=1.5, **BASE)
    assert_allclose(res.attrs["p_event_control"], 0.505667, atol=2e-6)
    assert_allclose(res.attrs["p_event_treated"], 0.638826, atol=2e-6)
    assert res.events == 191
    assert res.n_per_arm == (167, 167)


def test_cause_specific_dropout_effect():
    # a programme that also halves dropout raises P1 (fewer competing events): smaller N
    base = sample_size_cause_specific(hr=1.5, **BASE)
    less = sample_size_cause_specific(hr=1.5, competing_hr=0.5, **BASE)
    p1 = probability_of_event(0.075, competing_hazard=0.01, accrual=12, follow_up=12)
    assert_allclose(less.attrs["p_event_treated"], p1, rtol=1e-12)
    assert less.n_total < base.n_total and less.events == base.events


@pytest.mark.parametrize(("theta", "kappa"), [(1.0, 0.02), (1.5, 0.02), (0.6, 0.04),
                                              (2.0, 0.0), (1.3, 0.1)])
def test_subdistribution_probability_against_cif_average(theta, kappa):
    # two independent integrals (density x follow-up weight vs the CIF averaged over the
    # follow-up time) agree to the quadrature tolerance
    got = probability_of_subdistribution_event(0.05, competing_hazard=kappa, hr=theta,
                                               accrual=12, follow_up=12)
    assert_allclose(got, _psi_by_averaging_the_cif(0.05, kappa, theta, 12, 12), rtol=1e-9)


def test_subdistribution_probability_special_cases():
    # theta = 1: the control arm, i.e. the cause-specific closed form with the competing hazard
    for loss in (0.0, 0.01):
        assert_allclose(
            probability_of_subdistribution_event(0.05, competing_hazard=0.02, accrual=12,
                                                 follow_up=6, loss_hazard=loss),
            probability_of_event(0.05, competing_hazard=0.02, accrual=12, follow_up=6,
                                 loss_hazard=loss), rtol=1e-9)
    # no competing event: the subdistribution hazard is the hazard, exponential with 0.05 theta
    assert_allclose(
        probability_of_subdistribution_event(0.05, competing_hazard=0.0, hr=1.7, accrual=10,
                                             follow_up=5, loss_hazard=0.01),
        probability_of_event(0.085, accrual=10, follow_up=5, loss_hazard=0.01), rtol=1e-9)
    # no accrual period
    assert_allclose(
        probability_of_subdistribution_event(0.05, competing_hazard=0.02, accrual=0,
                                             follow_up=12),
        probability_of_event(0.05, competing_hazard=0.02, accrual=0, follow_up=12), rtol=1e-9)


def test_subdistribution_probability_against_simulation():
    # 200,000 simulated participants of the Fine-Gray data-generating process used by the
    # simulation tests: observed fraction of cause 1 within 4 binomial SE (about 0.0044)
    rng = np.random.default_rng(2004)
    df = trial(rng, n_treated=200_000, n_control=0, hazard=0.05, hr=1.5, accrual=12,
               follow_up=12, loss=0.01, competing=0.02, model="subdistribution")
    psi = probability_of_subdistribution_event(0.05, competing_hazard=0.02, hr=1.5,
                                               accrual=12, follow_up=12, loss_hazard=0.01)
    se = math.sqrt(psi * (1 - psi) / len(df))
    assert abs(np.mean(df["event"] == 1) - psi) < 4 * se


def test_latouche_formula_by_hand():
    # N = Z2 / (r (1-r) log(theta)^2 psi) with the events rounded up first:
    #   191 / ((psi1 + psi0) / 2), psi0 = 0.505667 (the control arm above)
    res = sample_size_subdistribution(hr=1.5, **BASE)
    psi1 = _psi_by_averaging_the_cif(0.05, 0.02, 1.5, 12, 12)
    assert_allclose(res.attrs["p_event_control"], 0.505667, atol=2e-6)
    assert_allclose(res.attrs["p_event_treated"], psi1, rtol=1e-9)
    n = 191 / ((psi1 + 0.505667) / 2)
    assert res.events == 191
    assert res.n_per_arm == (math.ceil(n / 2),) * 2


def test_power_inverse_for_both_competing_outcomes():
    for outcome in ("competing_subdistribution", "competing_cause_specific"):
        need = sample_size(outcome=outcome, hr=0.7, loss_hazard=0.005, **BASE)
        at = power(outcome=outcome, n_total=need.n_total, hr=0.7, loss_hazard=0.005, **BASE)
        assert_allclose(at.power, need.achieved_power, rtol=1e-12)
        assert at.power >= 0.8 > power(outcome=outcome, n_total=need.n_total - 6, hr=0.7,
                                       loss_hazard=0.005, **BASE).power


def test_competing_errors():
    with pytest.raises(ValueError, match="no effect"):
        sample_size_subdistribution(hr=1.0, **BASE)
    with pytest.raises(ValueError, match="competing_hazard must be"):
        sample_size_cause_specific(hr=1.5, **{**BASE, "competing_hazard": -0.01})
    with pytest.raises(TypeError, match="does not take median_control"):
        sample_size(outcome="competing_subdistribution", hr=1.5, median_control=12, **BASE)
