"""The analytic time-to-event sample sizes against their own simulation: simulated trials of
the computed size, analysed as planned (Cox Wald test of the arm for time to paid work;
Fine-Gray Wald test for the subdistribution hazard ratio; cause-specific Cox with competing
dropout). The analytic power must lie within the Monte Carlo 95 % interval of the simulated
power, p_sim +- 1.96 sqrt(p_sim (1 - p_sim) / reps). Seeds are fixed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kow_research as kr
from kow_research.design import sample_size

from ._simulate import trial


def _simulated_power(res, *, reps, seed, model, fit, competing=0.0, loss=0.0):
    a = res.attrs
    children = np.random.SeedSequence(seed).spawn(reps)       # one stream per trial
    hits, observed = 0, 0.0
    for child in children:
        df = trial(np.random.default_rng(child), n_treated=res.n_treated,
                   n_control=res.n_control, hazard=a["hazard_control"], hr=a["hr"],
                   accrual=a["accrual"], follow_up=a["follow_up"], loss=loss,
                   competing=competing, model=model)
        p = fit(df, duration="time", event="event", covariates=["treated"]).summary.loc[
            "treated", "p"]
        hits += p < 0.05
        observed += np.mean(df["event"] == 1)
    sim = hits / reps
    return sim, 1.96 * math.sqrt(sim * (1 - sim) / reps), observed / reps


def test_time_to_paid_work_power_by_simulation():
    # exponential, no competing events: HR 1.5, control median 12 months, 12 months accrual,
    # 12 more of follow-up, loss 0.01 per month; 400 trials (MC half-width about 0.04)
    res = sample_size(outcome="time", hr=1.5, median_control=12, accrual=12, follow_up=12,
                      loss_hazard=0.01)
    sim, half, p_obs = _simulated_power(res, reps=400, seed=1983, model="cause_specific",
                                        fit=kr.survival.cox, loss=0.01)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)
    # the probability of an observed event, over 400 * 270 participants (SE about 0.0014)
    assert abs(p_obs - res.expected_events / res.n_total) < 0.005


def test_fine_gray_power_by_simulation():
    # Latouche: sHR 1.5 for paid work, dropout competing; 400 trials (half-width about 0.04)
    res = sample_size(outcome="competing_subdistribution", hr=1.5, hazard_control=0.05,
                      competing_hazard=0.02, accrual=12, follow_up=12, loss_hazard=0.005)
    sim, half, p_obs = _simulated_power(res, reps=400, seed=2004, model="subdistribution",
                                        fit=kr.survival.fine_gray, competing=0.02, loss=0.005)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)
    assert abs(p_obs - res.expected_events / res.n_total) < 0.008


def test_cause_specific_power_by_simulation():
    res = sample_size(outcome="competing_cause_specific", hr=0.6, hazard_control=0.05,
                      competing_hazard=0.03, accrual=12, follow_up=12)
    sim, half, _ = _simulated_power(res, reps=200, seed=2002, model="cause_specific",
                                    fit=kr.survival.cox, competing=0.03)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)


@pytest.mark.slow
def test_time_and_fine_gray_power_by_simulation_large():
    # the same checks with 1000 trials each (half-width about 0.025); about 20 s
    res = sample_size(outcome="time", hr=1.5, median_control=12, accrual=12, follow_up=12,
                      loss_hazard=0.01)
    sim, half, _ = _simulated_power(res, reps=1000, seed=11, model="cause_specific",
                                    fit=kr.survival.cox, loss=0.01)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)
    res = sample_size(outcome="competing_subdistribution", hr=1.5, hazard_control=0.05,
                      competing_hazard=0.02, accrual=12, follow_up=12, loss_hazard=0.005)
    sim, half, _ = _simulated_power(res, reps=1000, seed=12, model="subdistribution",
                                    fit=kr.survival.fine_gray, competing=0.02, loss=0.005)
    assert sim - half <= res.achieved_power <= sim + half, (sim, res.achieved_power)
