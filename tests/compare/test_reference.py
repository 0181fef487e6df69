"""kow_research.compare against R (glm, survival::survfit / coxph) on the same data.

The data and fixtures were produced by ``reference/compare_reference.R`` (seeded); the tests
read the stored CSVs so they pass without R. ``test_r_script_reproduces_fixtures`` re-runs the
script when ``Rscript`` exists and checks that it reproduces the stored fixtures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kow_research import compare, survival
from kow_research.compare.weighted import incidence_curve
from kow_research.survival.kernels import integrate_step
from tests.r_support import run_r_script

REF = Path(__file__).parent / "reference"
COVS = ["age", "smi", "dx"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "compare_data.csv")


@pytest.fixture(scope="module")
def weighted(data: pd.DataFrame) -> pd.DataFrame:
    prop = compare.propensity(data, treatment="treated", covariates=COVS, estimand="ATT")
    return data.assign(w=prop.weights)


def _ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, float_precision="round_trip")


@pytest.mark.parametrize("estimand", ["ATE", "ATT", "ATO"])
def test_propensity_weights_equal_glm(data: pd.DataFrame, estimand: str) -> None:
    # glm converges to ~1e-8 relative deviance; our Newton to 1e-10 in beta: 1e-7 is ample
    ref = _ref("ps_weights.csv")
    prop = compare.propensity(data, treatment="treated", covariates=COVS, estimand=estimand)
    np.testing.assert_allclose(prop.scores, ref["ps"], rtol=1e-7)
    np.testing.assert_allclose(prop.weights, ref[f"w_{estimand.lower()}"], rtol=1e-7)


def test_smd_equal_hand_formula_in_r(data: pd.DataFrame, weighted: pd.DataFrame) -> None:
    ref = _ref("smd.csv").set_index("covariate")
    bal = compare.balance(data, treatment="treated", covariates=COVS, weights=weighted["w"]).table
    np.testing.assert_allclose(bal.loc[ref.index, "smd_before"], ref["smd_before"], rtol=1e-10)
    np.testing.assert_allclose(bal.loc[ref.index, "smd_after"], ref["smd_after"], rtol=1e-7)


def test_weighted_km_equals_survfit(weighted: pd.DataFrame) -> None:
    # survfit with case weights: KM with weighted counts. With non-integer weights survfit's
    # SE is the infinitesimal jackknife, not Greenwood: the same SE comes from the weighted
    # Aalen-Johansen curve of the event with other causes recoded as censored (1 - KM).
    ref = _ref("km_weighted.csv")
    res = compare.weighted_curves(weighted, treatment="treated", weights="w", kind="survival").table
    recoded = weighted.assign(event=(weighted["event"] == 1).astype(int))
    ij = compare.weighted_curves(recoded, treatment="treated", weights="w").table
    for g in (0, 1):
        label = "treated" if g else "control"
        ours = res[res["group"] == label]
        r = ref[ref["treated"] == g]
        np.testing.assert_allclose(ours["time"], r["time"])
        np.testing.assert_allclose(ours["n_risk"], r["n_risk"], rtol=1e-7)
        np.testing.assert_allclose(ours["estimate"], r["estimate"], rtol=1e-7)
        ij_g = ij[ij["group"] == label]
        np.testing.assert_allclose(1 - ij_g["estimate"], r["estimate"], rtol=1e-7)
        np.testing.assert_allclose(ij_g["se"], r["se"], rtol=1e-6)


def test_weighted_aj_equals_survfit(weighted: pd.DataFrame) -> None:
    # multi-state survfit with weights: AJ estimate, infinitesimal-jackknife SE
    ref = _ref("aj_weighted.csv")
    res = compare.weighted_curves(weighted, treatment="treated", weights="w").table
    for g in (0, 1):
        ours = res[res["group"] == ("treated" if g else "control")].set_index("time")
        r = ref[ref["treated"] == g].set_index("time")
        np.testing.assert_allclose(ours.loc[r.index, "estimate"], r["estimate"], rtol=1e-7)
        np.testing.assert_allclose(ours.loc[r.index, "se"], r["se"], rtol=1e-5)
        # the fast bootstrap kernel gives the same curve
        sub = weighted[weighted["treated"] == g]
        ut, f = incidence_curve(sub["time"].to_numpy(float), sub["event"].to_numpy(),
                                sub["w"].to_numpy(float), 1)
        np.testing.assert_allclose(np.interp(r.index, ut, f), r["estimate"], rtol=1e-7)


def test_weighted_cox_robust_equals_coxph(weighted: pd.DataFrame) -> None:
    ref = _ref("cox_weighted.csv")
    res = compare.weighted_hazard_ratio(weighted, treatment="treated", weights="w").summary
    np.testing.assert_allclose(res.loc["treated", "coef"], ref["coef"].iloc[0], rtol=1e-6)
    np.testing.assert_allclose(res.loc["treated", "se"], ref["se"].iloc[0], rtol=1e-5)


def test_free_time_equals_survfit_rmean(weighted: pd.DataFrame) -> None:
    # tau minus the expected time in state 1 up to tau (summary(survfit, rmean = 12))
    ref = _ref("rmst_weighted.csv")
    for g in (0, 1):
        sub = weighted[weighted["treated"] == g]
        want = ref.loc[ref["treated"] == g, "free_time"].iloc[0]
        ut, f = incidence_curve(sub["time"].to_numpy(float), sub["event"].to_numpy(),
                                sub["w"].to_numpy(float), 1)
        np.testing.assert_allclose(12.0 - integrate_step(ut, f, 12.0), want, rtol=1e-8)
        # the same estimand by name in the survival engine
        got = survival.rmst(sub, tau=12.0, weights="w", estimand="event_free_competing")
        np.testing.assert_allclose(got.table["rmst"].iloc[0], want, rtol=1e-8)


@pytest.mark.r_reference
def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    run_r_script(REF / "compare_reference.R", tmp_path, ("survival",))
    for f in sorted(REF.glob("*.csv")):
        new = pd.read_csv(tmp_path / f.name, float_precision="round_trip")
        old = pd.read_csv(f, float_precision="round_trip")
        assert list(new.columns) == list(old.columns), f.name
        for col in old.columns:
            if pd.api.types.is_numeric_dtype(old[col]):
                np.testing.assert_allclose(new[col], old[col], rtol=1e-9, atol=1e-12,
                                           err_msg=f.name)
            else:
                assert (new[col] == old[col]).all(), f.name
