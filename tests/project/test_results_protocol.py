"""Every result object follows one protocol (kow_research.core.results): a short repr, a
formatted summary() (text, HTML, LaTeX), to_frame(), plain-value attrs, and plot(ax=None,
**kwargs) returning the Axes where the result has a figure."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research.core.results import Result, Summary

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    study = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=2)
    df = kr.outcomes.time_to_paid_work(study)
    df["female"] = df["sex"].astype(str).eq("female")
    return {"study": study, "df": df, "pair": df}


def _builders() -> dict[str, Callable[[dict[str, Any]], Result]]:
    cov = ["age", "female", "smi"]

    def ps(d: dict[str, Any]) -> Any:
        return kr.compare.propensity(d["pair"], treatment="cohort", treated="KOW",
                                     covariates=cov, estimand="ATO")

    tv = pd.DataFrame({"participant_id": ["a", "a", "b", "c", "c", "d", "e", "f"],
                       "start": [0, 5, 0, 0, 3, 0, 0, 0], "stop": [5, 9, 7, 3, 8, 4, 6, 10],
                       "event": [0, 1, 1, 0, 1, 1, 0, 1], "x": [0, 1, 0, 0, 1, 1, 0, 1]})
    return {
        "CurveResult": lambda d: kr.survival.cumulative_incidence(d["df"], by="cohort"),
        "RegressionResult": lambda d: kr.survival.fine_gray(d["df"], covariates=cov),
        "TestResult": lambda d: kr.survival.gray_test(d["df"], by="cohort"),
        "RmstResult": lambda d: kr.survival.rmst(d["df"], tau=365, by="cohort"),
        "TimeVaryingCoxResult": lambda d: kr.survival.cox_time_varying(
            tv, covariates=["x"]),
        "ParametricSurvivalResult": lambda d: kr.survival.parametric_survival(
            d["df"], distribution="weibull"),
        "PropensityResult": ps,
        "BalanceResult": lambda d: kr.compare.balance(
            d["pair"], treatment="cohort", treated="KOW", covariates=cov,
            weights=ps(d).weights),
        "MatchResult": lambda d: kr.compare.match(d["pair"], treatment="cohort",
                                                  treated="KOW", covariates=cov, caliper=None),
        "ComparisonResult": lambda d: kr.compare.compare_outcomes(
            d["pair"], treatment="cohort", treated="KOW", covariates=cov,
            horizons_months=(6,), n_boot=20, seed=1, separation="firth"),  # smi: 3 controls
        "EValueResult": lambda d: kr.compare.evalue(2.0, lower=1.2, upper=3.1),
        "MaicResult": lambda d: kr.compare.maic(d["df"][d["df"]["cohort"] == "KOW"],
                                                targets={"age": 38.0}),
        "ReconstructedIPD": lambda d: kr.compare.reconstruct_ipd(
            pd.DataFrame({"time": [0, 2, 2, 5, 5, 9], "survival": [1, 1, .8, .8, .5, .5]}),
            n_at_risk_times=[0, 5], n_at_risk=[20, 10]),
        "BenchmarkResult": lambda d: kr.compare.benchmark(
            {"events": 30, "n": 70, "horizon_months": 30,
             "outcome_definition": "competitive_employment"},
            reference="michon2014:IPS"),
        "LadderTransitions": lambda d: kr.outcomes.ladder_transitions(
            d["study"], from_wave="T0", to_wave="T6", cohort="KOW"),
        "OrdinalResult": lambda d: kr.outcomes.ordinal_ladder_model(
            d["study"], wave="T6", covariates=("cohort", "rung_baseline", "age")),
        "LandmarkDoseResult": lambda d: kr.outcomes.landmark_dose(d["study"], cohort="KOW",
                                                                 covariates=("age",)),
        "TimeVaryingDoseResult": lambda d: kr.outcomes.time_varying_dose(
            d["study"], cohort="KOW", covariates=("age",)),
        "TableOne": lambda d: kr.report.table_one(d["study"].participants, by="cohort"),
        "SampleSizeResult": lambda d: kr.design.sample_size(outcome="time", hr=0.7,
                                                             hazard_control=0.05, accrual=12,
                                                             follow_up=12),
        "SimulationPowerResult": lambda d: kr.design.power_by_simulation(
            kr.design.TrialDesign(arms={"KOW": 40, "CAU": 40}, hr=0.6),
            analysis=["gray", "cox"], n_sim=4, seed=1, truth_n=400, truth_blocks=2),
        "PowerCurveResult": lambda d: kr.design.power_curve(
            kr.design.TrialDesign(arms={"KOW": 40, "CAU": 40}, hr=0.6), analysis="cox",
            n_total=[60, 80], n_sim=3, seed=1),
        "RecruitmentForecast": lambda d: kr.design.recruitment_forecast(
            pd.DataFrame({"site": ["A", "B"], "opens": [0, 3],
                          "referrals_per_month": [4.0, 2.0], "prior_months": [6, 6]}),
            target=60, deadline=12, method="exact"),
    }


@functools.cache
def _missing_data() -> dict[str, Any]:
    rng = np.random.default_rng(1)
    n = 120
    d = pd.DataFrame({"arm": np.repeat([0, 1], n // 2), "base": rng.integers(1, 4, n),
                      "z": rng.standard_normal(n)})
    d["rung"] = np.clip(d["base"] + rng.integers(0, 3, n) + d["arm"], 1, 6).astype(float)
    d["time"] = rng.exponential(10, n).round(1) + 0.1
    d["event"] = rng.choice([0, 1, 2], n, p=[0.4, 0.4, 0.2])
    d.loc[rng.random(n) < 0.25, "rung"] = np.nan
    imp = kr.missing.impute(d, columns=["arm", "base", "z", "rung"], m=3, iterations=2, seed=1,
                            methods={"rung": "polr"})
    return {"df": d, "imp": imp}


def _ordinal(f: pd.DataFrame) -> Any:
    return kr.missing.ordinal_model(f, outcome="rung", covariates=["arm", "base"])


BUILDERS = {
    **_builders(),
    "ImputedData": lambda d: _missing_data()["imp"],
    "PooledResult": lambda d: kr.missing.pool(_missing_data()["imp"].analyse(_ordinal)),
    "TippingPointResult": lambda d: kr.missing.tipping_point(
        _missing_data()["imp"], analysis=_ordinal, term="arm", deltas=[-1, 0]),
    "IPCWResult": lambda d: kr.missing.ipcw_weights(_missing_data()["df"], covariates=["z"]),
    "IPCWCurves": lambda d: kr.missing.ipcw_curves(_missing_data()["df"], covariates=["z"],
                                                   times=[5], n_boot=5, seed=1),
}


def _result_classes() -> set[str]:
    names = set()
    for sub in ("survival", "compare", "outcomes", "missing", "report", "design"):
        module = getattr(kr, sub)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isclass(obj) and issubclass(obj, Result) and obj is not Result:
                names.add(obj.__name__)
    return names


def test_every_public_result_class_is_checked_here() -> None:
    assert _result_classes() <= set(BUILDERS), sorted(_result_classes() - set(BUILDERS))


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_result_protocol(name: str, data: dict[str, Any]) -> None:
    try:
        result = BUILDERS[name](data)
    except TypeError as exc:  # a builder out of date with the API is a test bug, say so
        pytest.fail(f"building {name}: {exc}")
    assert type(result).__name__ == name and isinstance(result, Result)
    lines = repr(result).splitlines()
    assert 1 <= len(lines) < 15, f"{name} repr has {len(lines)} lines"
    assert lines[0].startswith(f"<{name}:")
    s = result.summary()
    assert isinstance(s, Summary)
    assert s.as_text().strip() and "<h4>" in s.as_html() and "\\begin{tabular}" in s.as_latex()
    assert isinstance(result.to_frame(), pd.DataFrame)
    assert isinstance(result.attrs, dict)
    json.dumps(result.attrs, default=str)   # plain values, no frames
    plot = type(result).plot
    if plot is not Result.plot:
        params = list(inspect.signature(plot).parameters.values())
        assert params[1].name == "ax" and params[1].default is None, f"{name}.plot(ax=None...)"
        assert params[-1].kind is params[-1].VAR_KEYWORD, f"{name}.plot(..., **kwargs)"
        ax = result.plot()
        assert isinstance(ax, matplotlib.axes.Axes), f"{name}.plot returned {type(ax)}"
        _, given = plt.subplots()
        assert result.plot(ax=given) is given
        plt.close("all")
    else:
        with pytest.raises(NotImplementedError):
            result.plot()
    assert np.isfinite(len(lines))
