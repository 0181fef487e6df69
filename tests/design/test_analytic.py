"""Events for a hazard ratio (Schoenfeld, Freedman), the probability of an observed event
(uniform accrual, exponential loss) and the time-to-event sample size, against hand
computations written out here. Quantiles used throughout:
z_0.975 = 1.959964, z_0.95 = 1.644854, z_0.8 = 0.841621, z_0.9 = 1.281552."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from kow_research.design import (
    events_for_hazard_ratio,
    power_for_events,
    probability_of_event,
    sample_size,
    sample_size_time,
)

Z2 = (1.959964 + 0.841621) ** 2          # 7.848880 for two-sided 5 %, 80 % power


def test_acceptance_value_schoenfeld_hr_07():
    # log(0.7) = -0.356675, squared 0.127217; 7.848880 / (0.25 * 0.127217) = 246.79 -> 247
    assert_allclose(Z2 / (0.25 * math.log(0.7) ** 2), 246.787, rtol=1e-5)
    assert events_for_hazard_ratio(0.7) == 247
    assert isinstance(events_for_hazard_ratio(0.7), int)


@pytest.mark.parametrize(("kwargs", "hand"), [
    # Freedman 1:1: 7.848880 * (1 + 0.7)^2 / (1 - 0.7)^2 = 7.848880 * 32.1111 = 252.04
    ({"hr": 0.7, "method": "freedman"}, 252.036),
    # 90 % power: (1.959964 + 1.281552)^2 = 10.507423; / (0.25 * 0.127217) = 330.38
    ({"hr": 0.7, "power": 0.9}, 330.38),
    # one-sided: (1.644854 + 0.841621)^2 = 6.182557; / 0.0318043 = 194.39
    ({"hr": 0.7, "alternative": "one-sided"}, 194.39),
    # 2:1, HR 1.5: r(1-r) = 2/9, log(1.5)^2 = 0.164402; 7.848880 / 0.0365338 = 214.84
    ({"hr": 1.5, "allocation": 2 / 3}, 214.84),
    # Freedman 2:1 (phi = 2): 7.848880 * (1 + 2 * 1.5)^2 / (2 * 0.5^2) = 7.848880 * 32 = 251.16
    ({"hr": 1.5, "allocation": 2 / 3, "method": "freedman"}, 251.16),
    # HR and 1/HR need the same events under Schoenfeld (|log HR| is symmetric)
    ({"hr": 1 / 0.7}, 246.787),
])
def test_events_by_hand(kwargs, hand):
    hr = kwargs.pop("hr")
    assert events_for_hazard_ratio(hr, **kwargs) == math.ceil(hand)


def test_power_for_events_inverts_the_event_count():
    # sqrt(247 * 0.25) * 0.356675 - 1.959964 = 0.842838 -> Phi = 0.80034
    assert_allclose(power_for_events(0.7, events=247), 0.80034, atol=2e-5)
    for method in ("schoenfeld", "freedman"):
        for alloc in (0.3, 0.5, 0.75):
            d = events_for_hazard_ratio(1.4, allocation=alloc, method=method, power=0.85)
            assert power_for_events(1.4, events=d, allocation=alloc, method=method) >= 0.85
            assert power_for_events(1.4, events=d - 1, allocation=alloc, method=method) < 0.85


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"hr": 1.0}, "no effect"),
    ({"hr": 0.0}, "hr must be a number > 0"),
    ({"hr": -0.5}, "hr must be a number > 0"),
    ({"hr": 0.7, "allocation": 1.0}, "allocation must be"),
    ({"hr": 0.7, "allocation": 0.0}, "allocation must be"),
    ({"hr": 0.7, "power": 1.0}, "power must be"),
    ({"hr": 0.7, "power": 0.0}, "power must be"),
    ({"hr": 0.7, "alpha": 1.5}, "alpha is 1 - the confidence level"),
    ({"hr": 0.7, "alpha": 0}, "alpha is 1 - the confidence level"),
    ({"hr": 0.7, "method": "lakatos"}, "method must be one of"),
    ({"hr": 0.7, "alternative": "greater"}, "alternative must be one of"),
])
def test_events_edge_cases_raise_clear_errors(kwargs, message):
    hr = kwargs.pop("hr")
    with pytest.raises(ValueError, match=message):
        events_for_hazard_ratio(hr, **kwargs)


def _observed_by_double_integral(lam, accrual, follow_up, loss=0.0, competing=0.0):
    """From the definitions: entry u ~ U(0, A), event density lam e^{-lam t}, and the event
    observed if it comes before the competing event, the loss and the analysis at A + F."""
    def inner(t, u):
        return lam * math.exp(-(lam + competing + loss) * t) / accrual
    return integrate.dblquad(inner, 0, accrual, 0, lambda u: accrual + follow_up - u,
                             epsabs=1e-12, epsrel=1e-10)[0]


def test_probability_of_event_by_hand():
    # median 12 months: lam = ln 2 / 12; exp(-12 lam) = 0.5, exp(-24 lam) = 0.25;
    # P = 1 - (0.5 - 0.25) / (12 lam) = 1 - 0.25 / 0.693147 = 0.639326
    lam = math.log(2) / 12
    assert_allclose(probability_of_event(lam, accrual=12, follow_up=12), 0.639326, atol=1e-6)
    # no accrual period: everybody followed F = 12 months: 1 - 0.5
    assert_allclose(probability_of_event(lam, accrual=0, follow_up=12), 0.5, atol=1e-12)
    # with loss eta = lam: L = 2 lam, P = 1/2 * [1 - (0.25 - 0.0625) / (24 lam)]
    #   = 0.5 * (1 - 0.1875 / 1.386294) = 0.432374
    assert_allclose(probability_of_event(lam, accrual=12, follow_up=12, loss_hazard=lam),
                    0.432374, atol=1e-6)


@pytest.mark.parametrize(("lam", "a", "f", "loss", "comp"), [
    (0.05, 12, 12, 0.0, 0.0), (0.05, 24, 6, 0.01, 0.0), (0.02, 18, 0, 0.005, 0.03),
    (0.2, 6, 30, 0.02, 0.01), (0.001, 36, 12, 0.0, 0.0)])
def test_probability_of_event_against_numerical_integration(lam, a, f, loss, comp):
    # quadrature tolerance 1e-10: agreement to 1e-8 checks the closed form, not the numerics
    expected = _observed_by_double_integral(lam, a, f, loss, comp)
    got = probability_of_event(lam, accrual=a, follow_up=f, loss_hazard=loss,
                               competing_hazard=comp)
    assert_allclose(got, expected, rtol=1e-8)


def test_probability_of_event_limits():
    # a short accrual period tends to the A = 0 formula; a long follow-up to lam / L
    p0 = probability_of_event(0.05, accrual=0, follow_up=10, loss_hazard=0.01)
    assert_allclose(probability_of_event(0.05, accrual=1e-7, follow_up=10, loss_hazard=0.01),
                    p0, rtol=1e-6)
    assert_allclose(probability_of_event(0.05, accrual=12, follow_up=1e4, loss_hazard=0.01),
                    0.05 / 0.06, rtol=1e-9)
    with pytest.raises(ValueError, match="accrual \\+ follow_up must be > 0"):
        probability_of_event(0.05, accrual=0, follow_up=0)
    with pytest.raises(ValueError, match="hazard must be a number > 0"):
        probability_of_event(0.0, accrual=12, follow_up=12)


def test_sample_size_time_by_hand():
    # events: 7.848880 / (0.25 * log(1.5)^2 = 0.0411005) = 190.97 -> 191
    # control: median 12 -> P0 = 0.639326 (above)
    # programme: lam1 = 1.5 ln2 / 12 = 0.0866434; exp(-12 lam1) = 0.5^1.5 = 0.353553,
    #   exp(-24 lam1) = 0.125; P1 = 1 - (0.353553 - 0.125) / 1.039721 = 0.780178
    # N = 191 / ((0.780178 + 0.639326) / 2 = 0.709752) = 269.11 -> ceil(134.55) = 135 per arm
    res = sample_size_time(hr=1.5, median_control=12, accrual=12, follow_up=12)
    assert res.events == 191
    assert_allclose(res.attrs["p_event_treated"], 0.780178, atol=1e-6)
    assert_allclose(res.attrs["p_event_control"], 0.639326, atol=1e-6)
    assert_allclose(res.attrs["n_unrounded"], 191 / 0.709752, rtol=1e-5)
    assert res.n_per_arm == (135, 135) and res.n_total == 270
    tab = res.table.set_index("arm")
    assert_allclose(tab.loc["total", "events"], 135 * 0.780178 + 135 * 0.639326, rtol=1e-5)
    assert res.achieved_power >= 0.8


def test_control_arm_descriptions_agree():
    # median 12 <=> hazard ln2/12 <=> 50 % in paid work within 12 months
    lam = math.log(2) / 12
    a = sample_size_time(hr=0.7, median_control=12, accrual=24, follow_up=12, loss_hazard=0.01)
    b = sample_size_time(hr=0.7, hazard_control=lam, accrual=24, follow_up=12, loss_hazard=0.01)
    c = sample_size_time(hr=0.7, proportion_control=0.5, horizon=12, accrual=24, follow_up=12,
                         loss_hazard=0.01)
    assert a.n_per_arm == b.n_per_arm == c.n_per_arm
    assert_allclose(c.attrs["hazard_control"], lam, rtol=1e-12)
    with pytest.raises(ValueError, match="exactly one of"):
        sample_size_time(hr=0.7, median_control=12, hazard_control=lam, accrual=1, follow_up=1)
    with pytest.raises(ValueError, match="needs horizon"):
        sample_size_time(hr=0.7, proportion_control=0.5, accrual=1, follow_up=1)


def test_unequal_allocation_splits_the_total():
    # 2:1: events 215 (above); arms are 2/3 and 1/3 of the unrounded total, each rounded up
    res = sample_size_time(hr=1.5, median_control=12, accrual=12, follow_up=12,
                           allocation=2 / 3)
    p1, p0 = res.attrs["p_event_treated"], res.attrs["p_event_control"]
    n = 215 / (2 / 3 * p1 + 1 / 3 * p0)
    assert res.events == 215
    assert res.n_per_arm == (math.ceil(2 / 3 * n), math.ceil(n / 3))


def test_power_time_inverse_of_sample_size():
    kw = {"hr": 0.7, "median_control": 18, "accrual": 24, "follow_up": 12, "loss_hazard": 0.005}
    need = sample_size(outcome="time", **kw)
    from kow_research.design import power
    at_n = power(outcome="time", n_total=need.n_total, **kw)
    assert at_n.solved_for == "power" and at_n.events is None
    assert_allclose(at_n.power, need.achieved_power, rtol=1e-12)
    assert at_n.power >= 0.8
    fewer = power(outcome="time", n_total=need.n_total - 4, **kw)
    assert fewer.power < 0.8
    # expected events drive the power: Phi(sqrt(E / 4) |log 0.7| - 1.959964)
    e = at_n.expected_events
    assert_allclose(at_n.power, power_for_events(0.7, events=e), rtol=1e-12)


def test_sample_size_grows_with_loss_and_shrinks_with_follow_up():
    base = {"hr": 0.7, "median_control": 18, "accrual": 24}
    n = [sample_size_time(follow_up=f, **base).n_total for f in (0, 6, 12, 24)]
    assert n == sorted(n, reverse=True) and len(set(n)) == 4
    m = [sample_size_time(follow_up=12, loss_hazard=e, **base).n_total
         for e in (0.0, 0.005, 0.02)]
    assert m == sorted(m) and len(set(m)) == 3
    # the events do not depend on accrual or loss
    assert {sample_size_time(follow_up=12, loss_hazard=e, **base).events
            for e in (0.0, 0.02)} == {247}


def test_vectorised_helpers_are_not_needed_for_arrays():
    # a plain float API: numpy scalars are accepted as numbers
    assert events_for_hazard_ratio(np.float64(0.7)) == 247
