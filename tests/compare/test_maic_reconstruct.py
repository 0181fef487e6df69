"""MAIC (exact moments, ESS, hand case) and Guyot reconstruction of simulated curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kow_research as kr
from kow_research import compare


def test_maic_binary_by_hand() -> None:
    # 2 of 10 have x = 1; target 0.5 needs w1/w0 = 4; rescaled to sum 10: w0 = .625, w1 = 2.5
    ipd = pd.DataFrame({"x": [1, 1] + [0] * 8})
    res = compare.maic(ipd, targets={"x": 0.5})
    np.testing.assert_allclose(res.weights, [2.5, 2.5] + [0.625] * 8, rtol=1e-9)
    assert res.ess == pytest.approx(100 / (2 * 2.5 ** 2 + 8 * 0.625 ** 2))   # = 6.4
    assert res.ess == pytest.approx(6.4)


@pytest.fixture(scope="module")
def kow() -> pd.DataFrame:
    df = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=400, seed=11), dropout="ignore")
    return df


TARGETS = {"age": {"mean": 35.0, "sd": 10.0}, "smi": 0.55, "sex=female": 0.35,
           "diagnosis_group=psychosis": 0.25, "months_out_of_work": 40.0}


def test_maic_reproduces_targets_and_ess(kow: pd.DataFrame) -> None:
    res = compare.maic(kow, targets=TARGETS)
    np.testing.assert_allclose(res.table["after"], res.table["target"], atol=1e-6)
    w = res.weights.to_numpy()
    assert w.sum() == pytest.approx(len(kow))
    assert res.ess == pytest.approx(w.sum() ** 2 / np.sum(w ** 2))
    assert res.ess < len(kow)


def test_maic_refuses_unreachable_target(kow: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="outside"):
        compare.maic(kow, targets={"age": 70.0})                 # nobody is older than 60
    with pytest.raises(ValueError, match="not a column"):
        compare.maic(kow, targets={"sex=unknown": 0.1})


@settings(max_examples=15)
@given(st.floats(0.15, 0.85), st.floats(30, 48), st.floats(6, 12))
def test_maic_matches_any_reachable_target(p: float, mean: float, sd: float) -> None:
    rng = np.random.default_rng(0)
    ipd = pd.DataFrame({"smi": rng.random(300) < 0.4, "age": rng.normal(40, 11, 300)})
    res = compare.maic(ipd, targets={"smi": p, "age": {"mean": mean, "sd": sd}})
    np.testing.assert_allclose(res.table["after"], res.table["target"], atol=1e-6)


def test_maic_risk_bootstrap(kow: pd.DataFrame) -> None:
    out = compare.maic_risk(kow, targets={"smi": 0.5, "age": {"mean": 36, "sd": 10}},
                            horizons_months=(12,), published={12: 0.3}, n_boot=40, seed=2)
    row = out.set_index("measure").loc["difference"]
    maic_risk = out.set_index("measure").loc["risk_maic", "estimate"]
    assert row["estimate"] == pytest.approx(maic_risk - 0.3)
    assert row["lower"] < row["estimate"] < row["upper"]


def _arm(rng: np.random.Generator, n: int, rate: float) -> pd.DataFrame:
    t = rng.exponential(1 / rate, n)
    c = rng.uniform(0, 30, n)
    return pd.DataFrame({"time": np.minimum(t, c).round(2), "event": (t <= c).astype(int)})


def _digitise(df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    km = kr.survival.kaplan_meier(df).table
    before = np.r_[1.0, km["estimate"].to_numpy()[:-1]]
    pts = pd.DataFrame({"time": np.r_[km["time"], km["time"]],      # both corners of each step
                        "survival": np.r_[before, km["estimate"]]})
    rt = np.arange(0, 30, 3.0)
    return pts, rt, [int((df["time"] >= x).sum()) for x in rt]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reconstruction_recovers_km_and_hr(seed: int) -> None:
    rng = np.random.default_rng(seed)
    arms = {"a": _arm(rng, 250, 0.05), "b": _arm(rng, 250, 0.08)}
    rebuilt = {}
    grid = np.linspace(0, 29.9, 300)
    for k, df in arms.items():
        pts, rt, nr = _digitise(df)
        rec = compare.reconstruct_ipd(pts, n_at_risk_times=rt, n_at_risk=nr, total_events=int(df["event"].sum()))
        assert len(rec.table) == len(df)
        assert (rec.summary["n_risk_reconstructed"] == rec.summary["n_risk_published"]).all()
        a = kr.survival.kaplan_meier(df).at(grid)["estimate"].to_numpy()
        b = kr.survival.kaplan_meier(rec.table).at(grid)["estimate"].to_numpy()
        # everywhere on the grid, the sparse tail included (measured: at most 0.008 here)
        assert np.abs(a - b).max() < 0.02
        rebuilt[k] = rec.table.assign(arm=int(k == "b"))
    orig = pd.concat([arms["a"].assign(arm=0), arms["b"].assign(arm=1)], ignore_index=True)
    rec = pd.concat(rebuilt.values(), ignore_index=True)
    hr = kr.survival.cox(orig, covariates=["arm"]).summary.loc["arm", "hr"]
    hr_rec = kr.survival.cox(rec, covariates=["arm"]).summary.loc["arm", "hr"]
    assert abs(hr_rec - hr) < 0.05


def test_reconstruction_input_errors() -> None:
    pts = pd.DataFrame({"time": [1.0, 2.0], "survival": [0.9, 0.8]})
    with pytest.raises(ValueError, match="time 0"):
        compare.reconstruct_ipd(pts, n_at_risk_times=[1, 2], n_at_risk=[10, 9])
    with pytest.raises(ValueError, match="not increase"):
        compare.reconstruct_ipd(pts, n_at_risk_times=[0, 1], n_at_risk=[10, 12])
    with pytest.raises(ValueError, match="percentages"):
        compare.reconstruct_ipd(pts.assign(survival=[90.0, 80.0]), n_at_risk_times=[0, 1], n_at_risk=[10, 9])
