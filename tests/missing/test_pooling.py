"""Rubin's rules against R's ``mice::pool`` on the same completed data sets, and by hand.

Reference: ``reference/pool_reference.R`` (mice 3.15) on ``reference/imputed.csv`` — five data
sets imputed once by ``make_imputations.py`` and stored, so that Python and R analyse identical
completed data. Two kinds of check:

* arithmetic — :func:`pool` on the per-imputation estimates and SEs R pooled
  (``fits_*.csv``) must give mice's numbers up to floating point (1e-10);
* end to end — our own Cox, logistic and ordinal fits on the same data, pooled with our
  default complete-data df, against ``summary(pool(fit))`` and ``pool(fit)$pooled`` to 1e-6
  (the fits agree with ``coxph``/``glm``/``clm`` to about 1e-9; 1e-6 is the issue's bar).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import kow_research as kr
from kow_research.missing import PooledResult, barnard_rubin, ordinal_model, pool
from tests.r_support import run_r_script

REF = Path(__file__).parent / "reference"
FIX = REF / "fixtures"
COVARIATES = ["cohort", "age", "smi", "education", "months_out_of_work", "rung_T0"]
#: R's term names -> ours
TERMS = {"(Intercept)": "(intercept)", "cohortKOW": "cohort=KOW",
         "educationmiddle": "education=middle", "educationhigh": "education=high"}
#: pooled quantities: R column -> (our table, our column)
COLUMNS = {"estimate": ("table", "coef"), "std.error": ("table", "se"),
           "statistic": ("table", "t"), "df": ("table", "df"), "p.value": ("table", "p"),
           "ubar": ("variance", "ubar"), "b": ("variance", "b"), "t": ("variance", "total"),
           "dfcom": ("variance", "dfcom"), "riv": ("variance", "riv"),
           "lambda": ("variance", "lambda"), "fmi": ("variance", "fmi")}


def _read(name: str) -> pd.DataFrame:
    d = pd.read_csv(FIX / f"{name}.csv", float_precision="round_trip")
    d["term"] = d["term"].map(lambda t: TERMS.get(t, t))
    return d.set_index("term")


@pytest.fixture(scope="module")
def sets() -> list[pd.DataFrame]:
    long = pd.read_csv(REF / "imputed.csv", float_precision="round_trip")
    long["education"] = pd.Categorical(long["education"], categories=["low", "middle", "high"])
    long["high"] = (long["rung_T18"] >= 4).astype(int)
    return [g.drop(columns=[".imp", ".id"]).reset_index(drop=True)
            for _, g in long.groupby(".imp")]


def _compare(res: PooledResult, ref: pd.DataFrame, rtol: float, terms: list[str]) -> None:
    for rcol, (table, col) in COLUMNS.items():
        ours = getattr(res, table).loc[terms, col].to_numpy(float)
        assert_allclose(ours, ref.loc[terms, rcol].to_numpy(float), rtol=rtol, atol=1e-12,
                        err_msg=rcol)
    tab = res.table.loc[terms]
    ratio = ("coef" in tab) & (tab.get("scale", pd.Series("", index=tab.index))
                               != "threshold (logit)")
    for ours, theirs in (("lower", "conf.low"), ("upper", "conf.high")):
        got = np.where(ratio, np.log(tab[ours].where(ratio, 1.0)), tab[ours])
        assert_allclose(got, ref.loc[terms, theirs], rtol=rtol, atol=1e-10, err_msg=ours)


@pytest.mark.parametrize("model", ["cox", "logit", "clm"])
def test_arithmetic_equals_mice_on_the_estimates_r_pooled(model: str) -> None:
    """The same (estimate, SE) pairs in, mice's numbers out: pure arithmetic, so 1e-10."""
    fits = pd.read_csv(FIX / f"fits_{model}.csv", float_precision="round_trip")
    ref = _read(f"pool_{model}")
    tables = [pd.DataFrame({"coef": g["estimate"].to_numpy(), "se": g["std.error"].to_numpy()},
                           index=g["term"].map(lambda t: TERMS.get(t, t)).to_numpy())
              for _, g in fits.groupby("imp")]
    res = pool(tables, dfcom=float(ref["dfcom"].iloc[0]))
    _compare(res, ref, 1e-10, list(ref.index))


def test_cox_end_to_end(sets: list[pd.DataFrame]) -> None:
    fits = [kr.survival.cox(d, covariates=COVARIATES, cause=1) for d in sets]
    res = pool(fits)
    ref = _read("pool_cox")
    # dfcom by mice's rule for coxph: events - parameters = 103 - 7
    assert res.attrs["dfcom"] == 96 == ref["dfcom"].iloc[0]
    _compare(res, ref, 1e-6, list(ref.index))
    assert (res.table["scale"] == "hazard ratio").all()
    assert_allclose(res.table["hr"], np.exp(res.table["coef"]))


def test_logistic_end_to_end(sets: list[pd.DataFrame]) -> None:
    """The package's logistic model (the propensity logit) of rung_T18 >= 4; dfcom = n - p
    (glm's df.residual, 300 - 8)."""
    fits = [kr.compare.propensity(d, treatment="high", treated=1, covariates=COVARIATES)
            for d in sets]
    res = pool(fits)
    ref = _read("pool_logit")
    assert res.attrs["dfcom"] == 292 == ref["dfcom"].iloc[0]
    _compare(res, ref, 1e-6, list(ref.index))


def test_ordinal_end_to_end_with_thresholds(sets: list[pd.DataFrame]) -> None:
    """Coefficients and thresholds against ordinal::clm (analytic Hessian; polr's numerical
    one would limit the SEs to ~1e-4). dfcom = n - coefficients - thresholds = 300 - 12."""
    fits = [ordinal_model(d, outcome="rung_T18", covariates=COVARIATES) for d in sets]
    res = pool(fits, thresholds=True)
    ref = _read("pool_clm")
    assert res.attrs["dfcom"] == 288 == ref["dfcom"].iloc[0]
    _compare(res, ref, 1e-6, list(ref.index))
    th = res.table.loc["1|2"]
    assert th["scale"] == "threshold (logit)" and th["estimate"] == th["coef"]
    assert np.isnan(th["or"])
    without = pool(fits)
    assert "1|2" not in without.table.index and without.attrs["dfcom"] == 288


def test_scalar_equals_pool_scalar(sets: list[pd.DataFrame]) -> None:
    """``mice::pool.scalar(Q, U, n = 300, k = 1)``: dfcom = n - k."""
    tables = [pd.DataFrame({"estimate": [d["months_out_of_work"].mean()],
                            "se": [np.sqrt(d["months_out_of_work"].var() / len(d))]},
                           index=["mean_months_out"]) for d in sets]
    res = pool(tables, dfcom=299)
    ref = _read("pool_scalar").loc["mean_months_out"]
    got = res.variance.loc["mean_months_out"]
    for rcol, col in (("ubar", "ubar"), ("b", "b"), ("t", "total"), ("df", "df"),
                      ("riv", "riv"), ("fmi", "fmi")):
        assert_allclose(got[col], ref[rcol], rtol=1e-10, err_msg=rcol)
    assert_allclose(res.table.loc["mean_months_out", "estimate"], ref["estimate"], rtol=1e-12)
    assert "coef" not in res.table.columns        # not a log-scale table: nothing exponentiated


def test_rubin_by_hand() -> None:
    """m = 4, Q = (1, 2, 3, 4), U = 0.5 each: Qbar 2.5, B = 5/3, T = 0.5 + 1.25 * 5/3 =
    2.5833; riv = 1.25 * (5/3) / 0.5 = 4.1667, lambda = 2.0833 / 2.5833 = 0.80645; with
    dfcom = inf the df is (m - 1) / lambda^2 = 4.6128."""
    fits = [pd.DataFrame({"estimate": [q], "se": [np.sqrt(0.5)]}, index=["x"])
            for q in (1.0, 2.0, 3.0, 4.0)]
    res = pool(fits)
    v = res.variance.loc["x"]
    b = 5 / 3
    t = 0.5 + 1.25 * b
    lam = 1.25 * b / t
    assert_allclose([v["b"], v["total"], v["riv"], v["lambda"]],
                    [b, t, 1.25 * b / 0.5, lam], rtol=1e-12)
    assert_allclose(v["df"], 3 / lam ** 2, rtol=1e-12)
    assert np.isinf(v["dfcom"]) and res.attrs["dfcom_rule"].startswith("large sample")
    assert_allclose(v["fmi"], (1.25 * b / 0.5 + 2 / (3 / lam ** 2 + 3)) /
                    (1.25 * b / 0.5 + 1), rtol=1e-12)


def test_barnard_rubin_limits() -> None:
    """No between variance: lambda is floored at 1e-4 (mice), so the df approach the
    observed-data df (dfcom + 1)/(dfcom + 3) * dfcom * (1 - 1e-4); with infinite dfcom the
    old Rubin df (m - 1)/lambda^2."""
    assert_allclose(barnard_rubin(np.array([0.0]), t=np.array([1.0]), m=5), [4 / 1e-8])
    old, obs = 4 / 1e-8, 51 / 53 * 50 * (1 - 1e-4)
    assert_allclose(barnard_rubin(np.array([0.0]), t=np.array([1.0]), m=5, dfcom=50),
                    [old * obs / (old + obs)])


def test_comparison_tables_pool_by_measure_and_horizon() -> None:
    """Tables with ``measure, horizon_months`` rows (comparison results) are matched on them."""
    base = pd.DataFrame({"measure": ["risk_difference", "risk_difference"],
                         "horizon_months": [6.0, 12.0], "estimate": [0.1, 0.2],
                         "se": [0.05, 0.06]})
    shifted = base.assign(estimate=base["estimate"] + 0.02)
    res = pool([base, shifted])
    assert list(res.table.index) == [("risk_difference", 6.0), ("risk_difference", 12.0)]
    assert_allclose(res.table["estimate"], [0.11, 0.21])


def test_errors_name_the_problem() -> None:
    a = pd.DataFrame({"estimate": [0.1], "se": [0.05]}, index=["x"])
    b = pd.DataFrame({"estimate": [0.1], "se": [0.05]}, index=["y"])
    with pytest.raises(ValueError, match="at least 2"):
        pool([a])
    with pytest.raises(ValueError, match="imputation 2 has terms"):
        pool([a, b])
    with pytest.raises(ValueError, match="non-finite"):
        pool([a, a.assign(se=np.nan)])
    with pytest.raises(ValueError, match="no column"):
        pool([a.drop(columns="se"), a])
    with pytest.raises(TypeError, match="cannot pool"):
        pool([1.0, 2.0])


@pytest.mark.r_reference
def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    run_r_script(REF / "pool_reference.R", tmp_path, ("mice", "survival", "ordinal"))
    for f in sorted(FIX.glob("*.csv")):
        if f.name.startswith("smcfcs_"):  # written by smcfcs_reference.R, tested beside it
            continue
        new = pd.read_csv(tmp_path / f.name, float_precision="round_trip")
        old = pd.read_csv(f, float_precision="round_trip")
        assert list(new.columns) == list(old.columns), f.name
        if f.name == "versions.csv":
            continue
        for col in old.columns:
            if pd.api.types.is_numeric_dtype(old[col]):
                # R's own arithmetic on the stored data: far tighter than the 1e-6 we need
                assert_allclose(new[col], old[col], rtol=1e-9, atol=1e-12, err_msg=f.name)
            else:
                assert (new[col] == old[col]).all(), f.name


def test_fine_gray_and_comparison_results_pool(sets: list[pd.DataFrame]) -> None:
    """Fine-Gray fits pool on the log scale with dfcom = events - parameters (mice's coxph
    rule); a comparison's table pools on its own scale, matched on measure and horizon."""
    fg = pool([kr.survival.fine_gray(d, covariates=["cohort", "age"]) for d in sets[:3]])
    n_events = int((sets[0]["event"] == 1).sum())
    assert fg.attrs["dfcom"] == n_events - 2
    assert (fg.table["scale"] == "subdistribution hazard ratio").all()
    comps = [kr.compare.compare_outcomes(d, treatment="cohort", treated="KOW",
                                         covariates=["age", "smi"], horizons_months=(12,),
                                         n_boot=20, seed=1) for d in sets[:2]]
    res = pool(comps)
    assert ("risk_difference", 12.0) in res.table.index
    rd = [c.table.set_index(["measure", "horizon_months"]).loc[("risk_difference", 12.0)]
          for c in comps]
    assert_allclose(res.table.loc[("risk_difference", 12.0), "estimate"],
                    np.mean([r["estimate"] for r in rd]))
    assert np.isinf(res.attrs["dfcom"])
