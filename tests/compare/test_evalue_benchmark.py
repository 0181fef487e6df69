"""E-values and benchmarks against published figures: hand-derived numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import kow_research as kr
from kow_research import compare


def test_evalue_risk_ratio_by_hand() -> None:
    res = compare.evalue(2.0, lower=1.5, upper=2.7)
    assert res.point == pytest.approx(2 + math.sqrt(2))          # RR + sqrt(RR (RR - 1))
    assert res.ci == pytest.approx(1.5 + math.sqrt(1.5 * 0.5))   # the limit closer to 1
    protective = compare.evalue(0.5, lower=0.3, upper=0.8)
    assert protective.point == pytest.approx(2 + math.sqrt(2))   # 1/RR = 2
    assert protective.ci == pytest.approx(1.25 + math.sqrt(1.25 * 0.25))
    assert compare.evalue(1.3, lower=0.9, upper=1.8).ci == 1.0               # interval contains 1


def test_evalue_hazard_ratio_conversion() -> None:
    rare = compare.evalue(2.0, measure="HR", rare=True)
    assert rare.point == pytest.approx(2 + math.sqrt(2))
    common = compare.evalue(2.0, measure="HR", rare=False)
    rr = (1 - 0.5 ** math.sqrt(2)) / (1 - 0.5 ** math.sqrt(0.5))  # VanderWeele (2020)
    assert rr == pytest.approx(1.6125, abs=1e-4)
    assert common.point == pytest.approx(rr + math.sqrt(rr * (rr - 1)))
    with pytest.raises(ValueError, match="rare"):
        compare.evalue(2.0, measure="HR")
    with pytest.raises(ValueError, match="> 0"):
        compare.evalue(-1.0)


def test_intervals_by_hand() -> None:
    lo, hi = compare.clopper_pearson(0, 10)
    assert lo == 0 and hi == pytest.approx(1 - 0.025 ** (1 / 10))
    lo, hi = compare.clopper_pearson(10, 10)
    assert hi == 1 and lo == pytest.approx(0.025 ** (1 / 10))
    lo, hi = compare.wilson(5, 10)
    z2 = 1.959963984540054 ** 2
    half = math.sqrt(z2) * math.sqrt(0.025 + z2 / 400) / (1 + z2 / 10)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half))


def _frame(events: int, n: int, horizon_days: float, definition: dict) -> pd.DataFrame:
    df = pd.DataFrame({"time": [horizon_days / 2] * events + [horizon_days + 10] * (n - events),
                       "event": [1] * events + [0] * (n - events)})
    df.attrs["definition"] = definition
    return df


ITT = {"dropout": "ignore", "include_supported": False, "min_hours": None, "min_days": 0,
       "unit": "days"}


def test_benchmark_against_michon_by_hand() -> None:
    df = _frame(30, 60, 30 * 30.4375, ITT)
    res = compare.benchmark(df, reference="michon2014:IPS", horizon_months=30)
    tab = res.table
    assert tab.loc["ours", "estimate"] == pytest.approx(0.5)
    assert (tab.loc["ours", "lower"], tab.loc["ours", "upper"]) == pytest.approx(
        compare.clopper_pearson(30, 60))
    assert tab.loc["reference", "estimate"] == pytest.approx(0.44)
    assert tab.loc["difference", "estimate"] == pytest.approx(0.06)
    assert tab.loc["ratio", "estimate"] == pytest.approx(0.5 / 0.44)
    # Katz: se(log RR) = sqrt(1/30 - 1/60 + 1/30.8 - 1/70)
    se = math.sqrt(1 / 30 - 1 / 60 + 1 / 30.8 - 1 / 70)
    assert tab.loc["ratio", "upper"] == pytest.approx(0.5 / 0.44 * math.exp(1.959964 * se),
                                                      rel=1e-6)
    assert res.mismatches == ()


def test_benchmark_refuses_mismatch_unless_allowed() -> None:
    supported = {**ITT, "include_supported": True}
    df = _frame(30, 60, 30 * 30.4375, supported)
    with pytest.raises(ValueError, match="outcome definition"):
        compare.benchmark(df, reference="michon2014:IPS", horizon_months=30)
    with pytest.raises(ValueError, match="horizon"):
        compare.benchmark(_frame(30, 60, 600, ITT), reference="michon2014:IPS", horizon_months=18)
    with pytest.raises(ValueError, match="pooled"):
        compare.benchmark(df.assign(), reference="bond2008:IPS", horizon_months=30)
    res = compare.benchmark(df, reference="michon2014:IPS", horizon_months=30, allow_mismatch=True)
    assert res.allow_mismatch and res.attrs["allow_mismatch"]
    assert any("any_paid_work" in m for m in res.mismatches)


def test_benchmark_on_simulated_ips() -> None:
    df = kr.outcomes.time_to_paid_work(kr.simulate_study("IPS", n=200, seed=3), dropout="ignore")
    res = compare.benchmark(df, reference="michon2014:IPS", horizon_months=30, ci="wilson")
    assert 0 < res.table.loc["ours", "lower"] < res.table.loc["ours", "estimate"]
    with pytest.raises(ValueError, match="competing"):
        compare.benchmark(kr.outcomes.time_to_paid_work(kr.simulate_study("IPS", n=50, seed=3)),
                          reference="michon2014:IPS", horizon_months=30)
