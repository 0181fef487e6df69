"""Recruitment forecasting (Poisson-gamma, Anisimov & Fedorov 2007): the conjugate updates by
hand, the negative binomial predictive against its closed-form moments, the Monte Carlo
against the closed form within Monte Carlo error, and a worked GOW-like example."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from kow_research.design.recruitment import (
    RecruitmentForecast,
    _count_pmf,
    _simulate,
    recruitment_forecast,
)

TWO = pd.DataFrame({"site": ["A", "B"], "opens": [0, 3], "referrals_per_month": [4.0, 2.0],
                    "prior_months": [6, 6]})


def _moments(pmf):
    k = np.arange(len(pmf))
    mean = np.sum(k * pmf)
    return mean, np.sum(k * k * pmf) - mean ** 2


def test_conjugate_update_of_the_funnel_by_hand():
    # prior: 10 referrals / month over 2 prior site-months -> Gamma(20, 2); eligible 0.6 with
    # 10 screened -> Beta(6, 4); consent 0.5 with 4 -> Beta(2, 2). Site opens at month 1.5,
    # observed up to month 6: exposure 4.5 months; 18 referred, 9 eligible, 3 consented
    # posterior: Gamma(20 + 18, 2 + 4.5) = Gamma(38, 6.5); Beta(6 + 9, 4 + 9) = Beta(15, 13);
    # Beta(2 + 3, 2 + 6) = Beta(5, 8); consented per month 38/6.5 * 15/28 * 5/13 = 1.2046
    sites = pd.DataFrame({"site": ["X"], "opens": [1.5], "referrals_per_month": [10.0],
                          "prior_months": [2.0], "eligible": [0.6], "eligible_prior_n": [10],
                          "consent": [0.5], "consent_prior_n": [4]})
    obs = pd.DataFrame({"site": "X", "month": [1, 2, 3, 4, 5], "referred": [2, 4, 3, 5, 4],
                        "eligible": [1, 2, 2, 2, 2], "consented": [0, 1, 1, 0, 1]})
    fc = recruitment_forecast(sites, target=50, deadline=24, observed=obs, as_of=6)
    row = fc.sites.iloc[0]
    assert (row["exposure"], row["referred"], row["eligible"], row["consented"]) == (
        4.5, 18, 9, 3)
    assert (row["referral_shape"], row["referral_rate"]) == (38, 6.5)
    assert (row["eligible_a"], row["eligible_b"], row["consent_a"], row["consent_b"]) == (
        15, 13, 5, 8)
    assert_allclose(row["consented_per_month"], 38 / 6.5 * 15 / 28 * 5 / 13)
    assert fc.observed_total == 3 and fc.as_of == 6


def test_conjugate_update_with_fixed_fractions_and_consented_counts_only():
    # consented ~ Poisson(rho e c T): Gamma(a + C, b + e c T) = Gamma(24 + 7, 6 + 0.5 * 0.4 * 6)
    sites = pd.DataFrame({"site": ["X"], "opens": [0], "referrals_per_month": [4.0],
                          "prior_months": [6.0], "eligible": [0.5], "consent": [0.4]})
    obs = pd.DataFrame({"site": "X", "month": range(6), "consented": [1, 2, 0, 1, 2, 1]})
    fc = recruitment_forecast(sites, target=40, deadline=24, observed=obs, method="exact")
    row = fc.sites.iloc[0]
    assert (row["referral_shape"], row["referral_rate"]) == (31, 7.2)
    assert_allclose(row["consented_per_month"], 31 / 7.2 * 0.2)


@pytest.mark.parametrize(("a", "b", "t"), [(24.0, 6.0, 12.0), (2.5, 0.5, 3.0), (100, 10, 30)])
def test_poisson_gamma_predictive_moments_closed_form(a, b, t):
    # one site: mean a/b T, variance a/b T + a/b^2 T^2 (the tail beyond 1 - 1e-12 is cut:
    # rtol 1e-8)
    mean, var = _moments(_count_pmf(np.array([a]), np.array([b]), np.array([t])))
    assert_allclose(mean, a / b * t, rtol=1e-8)
    assert_allclose(var, a / b * t + a / b ** 2 * t ** 2, rtol=1e-8)


def test_sum_of_sites_is_their_convolution():
    a, b, t = np.array([24.0, 12.0, 5.0]), np.array([6.0, 6.0, 2.0]), np.array([12.0, 9.0, 0.0])
    pmf = _count_pmf(a, b, t)
    mean, var = _moments(pmf)
    assert_allclose(pmf.sum(), 1.0, atol=1e-10)
    assert_allclose(mean, np.sum(a / b * t), rtol=1e-8)
    assert_allclose(var, np.sum(a / b * t + a / b ** 2 * t ** 2), rtol=1e-8)


def test_monte_carlo_agrees_with_the_closed_form():
    n = 20_000
    exact = recruitment_forecast(TWO, target=60, deadline=12, method="exact")
    mc = recruitment_forecast(TWO, target=60, deadline=12, n_sim=n, seed=3)
    # means: within 4 MC standard errors, sd from the closed-form variance per month
    t = np.arange(25.0)
    expo = np.stack([t, np.clip(t - 3, 0, None)])
    a, b = np.array([[24.0], [12.0]]), np.array([[6.0], [6.0]])
    sd = np.sqrt(np.sum(a / b * expo + a / b ** 2 * expo ** 2, axis=0))
    assert_allclose(exact.table["mean"], np.sum(a / b * expo, axis=0), rtol=1e-8)
    assert (np.abs(mc.table["mean"] - exact.table["mean"]) <= 4 * sd / math.sqrt(n)).all()
    # probability of reaching 60 by month 12, exact = P(NB sum >= 60)
    se = math.sqrt(exact.probability * (1 - exact.probability) / n)
    assert abs(mc.probability - exact.probability) < 4 * se
    assert_allclose(mc.probability_se, math.sqrt(mc.probability * (1 - mc.probability) / n))
    # quantiles of the count at month 12 and of the target time: the exact cdf at the MC
    # quantile lies within 4 binomial SE of the level (plus the jump of a discrete cdf)
    pmf12 = _count_pmf(a[:, 0], b[:, 0], expo[:, 12])
    cdf12 = np.cumsum(pmf12)
    for level, col in ((0.025, "lower"), (0.5, "median"), (0.975, "upper")):
        k = int(mc.table.loc[12, col])
        tol = 4 * math.sqrt(level * (1 - level) / n)
        assert cdf12[k] >= level - tol and cdf12[k - 1] <= level + tol
    for q, t_mc in zip(mc.target_time["quantile"], mc.target_time["month"], strict=True):
        e12 = np.stack([[t_mc], [max(t_mc - 3, 0)]])[:, 0]
        p_reached = 1 - np.cumsum(_count_pmf(a[:, 0], b[:, 0], e12))[59]
        assert abs(p_reached - q) < 4 * math.sqrt(q * (1 - q) / n)
    assert_allclose(mc.target_time["month"], exact.target_time["month"], rtol=0.02)


def test_exact_probability_by_hand_single_site():
    # one site, Gamma(24, 6), 12 months: N ~ NB(24, 6 / 18); P(N >= 40) by scipy's nbinom
    one = TWO.iloc[:1]
    fc = recruitment_forecast(one, target=40, deadline=12, method="exact")
    assert_allclose(fc.probability, stats.nbinom(24, 6 / 18).sf(39), rtol=1e-9)
    # the target-time quantile q solves P(N(t) >= 40) = q
    for q, t in zip(fc.target_time["quantile"], fc.target_time["month"], strict=True):
        assert_allclose(stats.nbinom(24, 6 / (6 + t)).sf(39), q, atol=1e-6)


def test_seeds_reproducible_and_independent_of_blocking():
    a = recruitment_forecast(TWO, target=60, deadline=12, n_sim=2500, seed=5)
    b = recruitment_forecast(TWO, target=60, deadline=12, n_sim=2500,
                             seed=np.random.SeedSequence(5))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.probability == b.probability
    # each block of 1000 trials has its own SeedSequence child: the first 2000 simulated
    # recruitments are the same whether 2000 or 3000 are run
    post = a.sites.rename(columns={"referral_shape": "shape", "referral_rate": "rate"})
    post["closes"] = np.inf
    kw = {"as_of": 0.0, "grid": np.arange(1.0, 25.0), "horizon": 24.0, "deadline": 12.0,
          "remaining": 60, "seed": 9}
    c2, t2 = _simulate(post, n_sim=2000, **kw)
    c3, t3 = _simulate(post, n_sim=3000, **kw)
    np.testing.assert_array_equal(c2, c3[:2000])
    np.testing.assert_array_equal(t2, t3[:2000])


def _gow_sites():
    """Four municipalities planned at 10-12 referrals a month, 70 % eligible, 60 % consenting
    (weak priors: 3 site-months, 10 screened)."""
    return pd.DataFrame({
        "site": ["municipality A", "municipality B", "municipality C", "municipality D"],
        "opens": ["2024-01-01", "2024-01-01", "2024-03-01", "2024-04-01"],
        "referrals_per_month": [12.0, 12.0, 10.0, 10.0], "prior_months": [3, 3, 3, 3],
        "eligible": [0.7] * 4, "eligible_prior_n": [10] * 4,
        "consent": [0.6] * 4, "consent_prior_n": [10] * 4})


def _gow_screening_log():
    """Six months of a screening log: few referrals (digital and language barriers), half
    eligible (digital and writing skills, Dutch language), a third consenting (multiple
    problems). (month, referred, eligible, consented)"""
    log = {"municipality A": [(0, 4, 2, 1), (1, 6, 3, 1), (2, 5, 2, 0), (3, 7, 3, 1),
                              (4, 4, 2, 1), (5, 5, 3, 1)],
           "municipality B": [(0, 3, 1, 0), (1, 5, 2, 1), (2, 4, 2, 0), (3, 6, 3, 1),
                              (4, 3, 1, 0), (5, 5, 2, 1)],
           "municipality C": [(2, 3, 1, 0), (3, 4, 2, 1), (4, 5, 2, 0), (5, 4, 2, 1)],
           "municipality D": [(3, 2, 1, 0), (4, 4, 2, 1), (5, 3, 1, 0)]}
    return pd.DataFrame([(s, m, r, e, c) for s, rows in log.items() for m, r, e, c in rows],
                        columns=["site", "month", "referred", "eligible", "consented"])


def test_gow_like_example_shows_early_that_the_target_is_out_of_reach():
    start, deadline = "2024-01-01", "2025-07-01"           # 200 participants in 18 months
    plan = recruitment_forecast(_gow_sites(), target=200, deadline=deadline, start=start,
                                seed=2024)
    # the plan: 5.04 consented a month per large site, 4.2 per small one
    assert_allclose(plan.sites["consented_per_month"], [5.04, 5.04, 4.2, 4.2])
    assert plan.probability > 0.9
    after = recruitment_forecast(_gow_sites(), target=200, deadline=deadline, start=start,
                                 observed=_gow_screening_log(), seed=2024)
    # 11 consented in 6 months (5 + 3 + 2 + 1); C and D open 4 and 3 of those months
    assert after.observed_total == 11 and after.as_of == 6
    assert after.sites["exposure"].tolist() == pytest.approx([6, 6, 6 - 60 / 30.4375,
                                                              6 - 91 / 30.4375])
    assert after.table.loc[6, "observed"] == 11 and after.table.loc[6, "upper"] == 11
    assert after.probability < 0.05
    assert after.table.loc[18, "upper"] < 200             # even the 97.5 % bound falls short
    assert after.target_time.loc[1, "month"] > after.deadline
    assert after.target_time.loc[1, "date"] > pd.Timestamp(deadline)


def test_target_already_met_and_partial_months():
    sites = pd.DataFrame({"site": ["X"], "opens": [2.5], "referrals_per_month": [3.0],
                          "prior_months": [4.0]})
    obs = pd.DataFrame({"site": "X", "month": [2, 3, 4, 5], "consented": [1, 3, 2, 4]})
    fc = recruitment_forecast(sites, target=8, deadline=12, observed=obs)
    assert fc.sites.loc[0, "exposure"] == 3.5 and fc.probability == 1.0
    assert fc.target_time["month"].tolist() == [6.0, 6.0, 6.0]


@pytest.mark.parametrize(("change", "message"), [
    ({"obs": pd.DataFrame({"site": "A", "month": [0], "referred": [2], "eligible": [3],
                           "consented": [1]})}, "funnel must narrow"),
    ({"obs": pd.DataFrame({"site": "B", "month": [1], "consented": [2]})}, "before it opened"),
    ({"obs": pd.DataFrame({"site": "Z", "month": [1], "consented": [2]})}, "not in the sites"),
    ({"obs": pd.DataFrame({"site": "A", "month": [1], "consented": [-1]})}, "count >= 0"),
    ({"sites": TWO.assign(prior_months=[6, 0])}, "site 'B'\\): prior_months must be > 0"),
    ({"sites": TWO.assign(site=["A", "A"])}, "unique"),
    ({"sites": TWO.assign(opens=[-1, 3])}, "opens must be >= 0"),
    ({"sites": TWO.assign(opens=["2024-01-01", "2024-03-01"])}, "give start="),
    ({"deadline": 0}, "must lie after as_of"),
    ({"target": 0}, "target must be"),
    ({"horizon": 6}, "at least the deadline"),
])
def test_recruitment_errors(change, message):
    kw = {"target": 60, "deadline": 12}
    sites = change.pop("sites", TWO)
    obs = change.pop("obs", None)
    with pytest.raises(ValueError, match=message):
        recruitment_forecast(sites, observed=obs, **{**kw, **change})


def test_uncertain_fractions_need_the_screening_log_and_monte_carlo():
    log = _gow_screening_log()[["site", "month", "consented"]]
    with pytest.raises(ValueError, match="needs the whole funnel"):
        recruitment_forecast(_gow_sites(), target=200, deadline=18, start="2024-01-01",
                             observed=log)
    with pytest.raises(ValueError, match="method='exact' needs fixed"):
        recruitment_forecast(_gow_sites(), target=200, deadline=18, start="2024-01-01",
                             method="exact")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_fan_chart(language):
    fc = recruitment_forecast(_gow_sites(), target=200, deadline=18, start="2024-01-01",
                              observed=_gow_screening_log(), n_sim=2000)
    assert isinstance(fc, RecruitmentForecast) and len(repr(fc).splitlines()) < 15
    ax = fc.plot(language=language, color="C2")
    fig = ax.figure
    assert fig.get_figwidth() * 2.54 <= 16.0
    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(),
             *ax.get_yticklabels(), *ax.get_legend().get_texts()]
    assert min(t.get_fontsize() for t in texts) >= 8
    label = ax.get_xlabel()
    assert label == ("Months since start of recruitment" if language == "en"
                     else "Maanden sinds start werving")
    plt.close(fig)
    fig2, own = plt.subplots()
    assert fc.plot(own) is own
    plt.close(fig2)


def test_dates_in_the_screening_log():
    # the same log with a date in each month instead of the month number
    log = _gow_screening_log()
    dated = log.assign(month=pd.to_datetime("2024-01-01")
                       + pd.to_timedelta(log["month"] * 30.4375 + 10, unit="D"))
    a = recruitment_forecast(_gow_sites(), target=200, deadline=18, start="2024-01-01",
                             observed=log, n_sim=1000)
    b = recruitment_forecast(_gow_sites(), target=200, deadline=18, start="2024-01-01",
                             observed=dated, n_sim=1000)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.sites, b.sites)
