"""Defects found in the review of the whole package (issue 10, items 4 and 8), each with the
data that showed it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research import survival as sv
from kow_research.survival.design import SeparationError
from tests.r_support import run_r_script

REF = Path(__file__).parent / "reference"


def test_r_surv_coding_is_refused_and_event_codes_give_rs_medians() -> None:
    """lung's status is 1 = censored, 2 = dead: read as our codes (0 censored) it is the curve
    of censoring (medians 840 and 529 days). Refused unless event_codes says what the codes
    mean; then the medians are survfit's (270 and 426 days, log-log interval)."""
    lung = pd.read_csv(REF / "lung.csv")
    want = pd.read_csv(REF / "lung_medians.csv")
    with pytest.raises(ValueError, match="R's Surv coding"):
        sv.kaplan_meier(lung, event="status", by="sex")
    km = sv.kaplan_meier(lung, event="status", by="sex", event_codes={1: 0, 2: 1})
    np.testing.assert_allclose(km.median["median"], want["median"])
    np.testing.assert_allclose(km.median["lower"], want["lower"])
    np.testing.assert_allclose(km.median["upper"], want["upper"])


@pytest.mark.r_reference
def test_lung_fixture_is_survival_lung(tmp_path: Path) -> None:
    run_r_script(REF / "lung_reference.R", tmp_path, ("survival",))
    for name in ("lung.csv", "lung_medians.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name), pd.read_csv(REF / name))


def test_at_keeps_a_group_without_events() -> None:
    """A group without any event of the cause has no rows in .table; .at() used to drop it
    while .median kept it. Its curve stays at 1 (survival) or 0 (incidence)."""
    d = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6], "event": [1, 0, 1, 0, 0, 0],
                      "g": ["a", "a", "a", "b", "b", "b"]})
    km = sv.kaplan_meier(d, by="g")
    at = km.at([2.5, 10])
    assert list(at["group"]) == ["a", "a", "b", "b"]
    assert at.loc[at["group"] == "b", "estimate"].tolist() == [1.0, 1.0]
    assert at.loc[at["group"] == "a", "estimate"].tolist() == pytest.approx([2 / 3, 0.0])
    ci = sv.cumulative_incidence(d, by="g")
    assert ci.at([10]).set_index("group").loc["b", "estimate"] == 0.0
    assert list(km.median["group"]) == ["a", "b"]


def test_logrank_refuses_missing_strata_like_gray() -> None:
    d = pd.DataFrame({"time": [1, 2, 3, 4], "event": [1, 1, 0, 1], "g": ["a", "b", "a", "b"],
                      "s": ["x", None, "x", "y"]})
    with pytest.raises(ValueError, match="missing stratum values in rows 1"):
        sv.logrank(d, by="g", strata="s")
    with pytest.raises(ValueError, match="missing stratum values in rows 1"):
        sv.gray_test(d, by="g", strata="s")


@pytest.fixture(scope="module")
def only_competing() -> pd.DataFrame:
    """A level (x = 1) whose people have only competing events: its subdistribution and
    cause-specific hazards of cause 1 are 0, so the MLE is -infinity (fine_gray used to
    return HR 3.3e16 with p = 0)."""
    rng = np.random.default_rng(11)
    n = 120
    x = (np.arange(n) < 20).astype(int)
    t = np.round(rng.exponential(10, n), 1) + 0.1
    e = np.where(x == 1, 2, rng.choice([0, 1, 2], n, p=[0.3, 0.5, 0.2]))
    return pd.DataFrame({"time": t, "event": e, "x": x, "age": rng.normal(40, 10, n)})


def test_fine_gray_and_cox_name_the_separated_level(only_competing: pd.DataFrame) -> None:
    for fit in (sv.fine_gray, sv.cox):
        with pytest.raises(SeparationError, match=r"x \(20 people: none has events of cause 1"):
            fit(only_competing, covariates=["x", "age"])
    # without the separated level both fit
    ok = only_competing[only_competing["x"] == 0]
    assert np.isfinite(sv.fine_gray(ok, covariates=["age"]).coef["coef"]).all()


def test_propensity_names_a_level_in_one_cohort_only() -> None:
    d = pd.DataFrame({"cohort": ["KOW"] * 6 + ["IPS"] * 6,
                      "sex": ["female", "male", "other", "female", "male", "female",
                              "female", "male", "female", "male", "female", "male"],
                      "age": [30, 35, 40, 45, 50, 55, 31, 36, 41, 46, 51, 56]})
    with pytest.raises(SeparationError, match=r"sex=other \(1 people: all have the treated"):
        kr.compare.propensity(d, treatment="cohort", treated="KOW", covariates=["sex", "age"])


def test_ordinal_model_names_a_level_on_one_rung() -> None:
    from kow_research.outcomes.ladder_model import fit_proportional_odds

    d = pd.DataFrame({"rung": [1, 2, 3, 2, 3, 1, 6, 6, 6], "age": [30, 40, 50, 35, 45, 55,
                                                                    33, 44, 52],
                      "site": ["a", "a", "a", "b", "b", "b", "c", "c", "c"]})
    with pytest.raises(SeparationError, match=r"site=c \(3 people: all in the highest"):
        fit_proportional_odds(d, outcome="rung", covariates=["site", "age"])


def test_convergence_is_scale_free() -> None:
    """The same Cox model with age in days instead of years converges to the same fit: the
    criterion (Newton decrement relative to the log-likelihood) does not depend on units."""
    d = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=300, seed=3))
    years = sv.cox(d, covariates=["age", "smi"])
    days = sv.cox(d.assign(age=d["age"] * 365.25), covariates=["age", "smi"])
    np.testing.assert_allclose(days.coef.loc["age", "coef"] * 365.25,
                               years.coef.loc["age", "coef"], rtol=1e-9)
    np.testing.assert_allclose(days.loglik, years.loglik, rtol=1e-12)
