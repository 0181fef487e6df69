"""Propensity weights, balance and matching on tiny data with hand-derived numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kow_research import compare
from kow_research.compare.balance import weighted_mean_var


@pytest.fixture()
def tiny() -> pd.DataFrame:
    # x = 0: 4 people, 1 treated (ps 1/4); x = 1: 4 people, 3 treated (ps 3/4).
    # A logit with one binary covariate is saturated, so the fitted ps are these proportions.
    return pd.DataFrame({"cohort": ["KOW", "IPS", "IPS", "IPS", "KOW", "KOW", "KOW", "IPS"],
                         "x": [0, 0, 0, 0, 1, 1, 1, 1]}, index=list("abcdefgh"))


def test_weights_by_hand(tiny: pd.DataFrame) -> None:
    ps = np.array([.25] * 4 + [.75] * 4)
    att = compare.propensity(tiny, treatment="cohort", covariates=["x"], estimand="ATT", treated="KOW")
    np.testing.assert_allclose(att.scores, ps, rtol=1e-9)
    # ATT: treated 1, controls e/(1-e): 1/3 (x=0) and 3 (x=1)
    np.testing.assert_allclose(att.weights, [1, 1 / 3, 1 / 3, 1 / 3, 1, 1, 1, 3], rtol=1e-9)
    ate = compare.propensity(tiny, treatment="cohort", covariates=["x"], estimand="ATE", treated="KOW")
    np.testing.assert_allclose(ate.weights, [4, 4 / 3, 4 / 3, 4 / 3, 4 / 3, 4 / 3, 4 / 3, 4],
                               rtol=1e-9)
    ato = compare.propensity(tiny, treatment="cohort", covariates=["x"], estimand="ATO", treated="KOW")
    np.testing.assert_allclose(ato.weights, [.75, .25, .25, .25, .25, .25, .25, .75],
                               rtol=1e-9)
    # stabilised ATE: times P(T=1) = 1/2 and P(T=0) = 1/2
    st_ = compare.propensity(tiny, treatment="cohort", covariates=["x"], estimand="ATE", treated="KOW",
                             stabilize=True)
    np.testing.assert_allclose(st_.weights, ate.weights / 2, rtol=1e-9)
    assert list(att.weights.index) == list("abcdefgh")
    # the groups are named by their level (the comparator is named, not "control")
    assert list(att.summary.index) == ["KOW", "IPS"]
    assert att.summary.loc["IPS", "ess"] == pytest.approx(16 / (3 / 9 + 9))  # (sum w)^2 / sum w^2


def test_trim_keeps_rows_with_zero_weight(tiny: pd.DataFrame) -> None:
    res = compare.propensity(tiny, treatment="cohort", covariates=["x"], treated="KOW", trim=0.3)
    assert res.table["trimmed"].all()          # every ps is 0.25 or 0.75, outside [.3, .7]
    assert (res.weights == 0).all() and len(res.table) == 8


def test_smd_binary_by_hand(tiny: pd.DataFrame) -> None:
    att = compare.propensity(tiny, treatment="cohort", covariates=["x"], estimand="ATT", treated="KOW")
    bal = compare.balance(tiny, treatment="cohort", covariates=["x"], weights=att.weights, treated="KOW").table
    # p1 = 3/4, p0 = 1/4: 0.5 / sqrt((3/16 + 3/16)/2)
    assert bal.loc["x", "smd_before"] == pytest.approx(0.5 / np.sqrt(3 / 16))
    assert bal.loc["x", "smd_after"] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(bal.loc["x", "vr_before"])


def test_smd_continuous_and_categorical_levels_by_hand() -> None:
    df = pd.DataFrame({"t": [1, 1, 0, 0, 0], "age": [20, 30, 40, 50, 60],
                       "dx": pd.Categorical(["a", "b", "a", "a", "b"])})
    tab = compare.balance(df, treatment="t", covariates=["age", "dx"]).table
    # means 25 vs 50, variances 50 and 100: -25 / sqrt(75)
    assert tab.loc["age", "smd_before"] == pytest.approx(-25 / np.sqrt(75))
    assert tab.loc["age", "vr_before"] == pytest.approx(0.5)
    # every level is a row: dx=a 1/2 vs 2/3
    p1, p0 = 0.5, 2 / 3
    assert tab.loc["dx=a", "smd_before"] == pytest.approx(
        (p1 - p0) / np.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2))
    assert set(tab.index) == {"age", "dx=a", "dx=b"}


def test_weighted_variance_by_hand() -> None:
    m, v = weighted_mean_var(np.array([[0.0], [10.0]]), np.array([1.0, 3.0]))
    # mean 7.5; sum w (x - m)^2 = 56.25 + 18.75 = 75; times 4 / (16 - 10)
    assert m[0] == pytest.approx(7.5) and v[0] == pytest.approx(50.0)


def test_errors_are_clear(tiny: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="treated='KOW'"):
        compare.propensity(tiny, treatment="cohort", covariates=["x"])
    with pytest.raises(ValueError, match="missing values"):
        compare.propensity(tiny.assign(x=[0, 1, None, 0, 1, 1, 0, 1]), treatment="cohort", covariates=["x"],
                           treated="KOW")
    sep = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0], "x": [1, 1, 1, 0, 0, 0]})
    with pytest.raises(ValueError, match="separation|overlap"):
        compare.propensity(sep, treatment="t", covariates=["x"])
    with pytest.raises(ValueError, match="estimand"):
        compare.propensity(tiny, treatment="cohort", covariates=["x"], treated="KOW", estimand="ATC")


@given(st.integers(0, 10_000))
def test_overlap_weights_balance_model_covariates_exactly(seed: int) -> None:
    # Li, Morgan & Zaslavsky (2018): with a logistic PS, overlap weights give exact mean
    # balance of every covariate in the model
    rng = np.random.default_rng(seed)
    n = 120
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 2, n).astype(bool),
                       "c": rng.choice(["u", "v", "w"], n)})
    df["t"] = rng.random(n) < 1 / (1 + np.exp(-(0.5 * df["a"] - 0.5 * df["b"])))
    if df["t"].all() or not df["t"].any():
        return
    res = compare.propensity(df, treatment="t", covariates=["a", "b", "c"], estimand="ATO")
    tab = compare.balance(df, treatment="t", covariates=["a", "b", "c"], weights=res.weights).table
    np.testing.assert_allclose(tab["smd_after"], 0, atol=1e-7)


def test_matching_caliper_and_balance() -> None:
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"age": rng.normal(40, 10, n).round(), "smi": rng.random(n) < 0.4})
    df["t"] = rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.05 * (df["age"] - 40) + df["smi"])))
    with pytest.warns(UserWarning, match="left 12 of 149 treated without a control"):
        res = compare.match(df, treatment="t", covariates=["age", "smi"], k=1)
    assert res.n_unmatched == 12
    assert (res.pairs["distance"] <= res.caliper).all()
    assert res.pairs["control"].is_unique                    # without replacement
    assert set(res.pairs["treated"]) | set(res.unmatched) == set(df.index[df["t"]])
    assert res.balance.summary.loc["after", "max_abs_smd"] < \
        res.balance.summary.loc["before", "max_abs_smd"]
    two = compare.match(df, treatment="t", covariates=["age", "smi"], k=2, caliper=None)
    per = two.pairs.groupby("treated").size()
    assert per.max() <= 2
    w = two.weights[two.pairs["control"]]
    np.testing.assert_allclose(w.to_numpy(), 1 / per[two.pairs["treated"]].to_numpy())


def test_plots_and_html(tiny: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    att = compare.propensity(tiny, treatment="cohort", covariates=["x"], treated="KOW")
    bal = compare.balance(tiny, treatment="cohort", covariates=["x"], weights=att.weights, treated="KOW")
    ax = att.plot()
    assert ax.get_xlabel() == "propensity score"
    ax2 = bal.plot()
    assert [t.get_text() for t in ax2.get_yticklabels()] == ["x"]
    plt.close("all")
    assert "<table" in att._repr_html_() and "<table" in bal._repr_html_()


def test_old_calling_convention_still_works_with_a_warning(tiny: pd.DataFrame) -> None:
    """Positional arguments after the frame and result objects as weights keep working for one
    release (FutureWarning), with the same numbers."""
    new = compare.propensity(tiny, treatment="cohort", covariates=["x"], treated="KOW")
    with pytest.warns(FutureWarning, match="by position is deprecated"):
        old = compare.propensity(tiny, "cohort", ["x"], "ATT", "logit", "KOW")  # positional on purpose
    np.testing.assert_allclose(old.weights, new.weights)
    with pytest.warns(FutureWarning, match="pass weights=result.weights"):
        bal = compare.balance(tiny, treatment="cohort", covariates=["x"], weights=new,
                              treated="KOW")
    np.testing.assert_allclose(bal.table["smd_after"], compare.balance(
        tiny, treatment="cohort", covariates=["x"], weights=new.weights,
        treated="KOW").table["smd_after"])
