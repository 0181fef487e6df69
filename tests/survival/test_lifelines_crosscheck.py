"""lifelines as an independent second implementation of what our engine computes.

Our engine is checked against R in test_reference.py; here the same stored data sets
(tests/reference/{trial,ties,three}.csv: continuous times with weights; whole months with heavy
ties; a third cause with events at time 0) go through lifelines (0.30, a declared dependency)
and must agree with us. Tolerances, by what limits each comparison:

* Kaplan-Meier, its log(-log) interval and RMST are closed-form products and sums in both
  libraries: they agree to rounding, so rtol 1e-10.
* Cox: lifelines' Newton-Raphson stops at its own tolerance with damped steps (step size
  0.95), leaving coefficients up to ~2e-6 relative from the optimum (measured 1.7e-6 on trial,
  where our fit agrees with R's to 2e-13); rtol 1e-5 on coefficients. SEs (information
  matrix) move less: rtol 1e-6. The log partial likelihood is flat at the optimum, so an error
  of 1e-6 in beta changes it by ~1e-12: rtol 1e-10.
* Aalen-Johansen: point estimates only, rtol 1e-10 (lifelines' variance is Collett's
  delta-method Greenwood analogue; ours is the infinitesimal jackknife, as R's survfit).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, CoxPHFitter, KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time
from scipy import stats

from kow_research import survival as sv

REF = Path(__file__).parents[1] / "reference"
DATASETS = ["trial", "ties", "three"]
EXACT = 1e-10


def data(ds: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{ds}.csv")


def lifelines_km(sub: pd.DataFrame, cause: int = 1, weights: str | None = None
                 ) -> KaplanMeierFitter:
    with warnings.catch_warnings():
        # lifelines warns that non-integer weights are unusual; they are case weights here
        warnings.simplefilter("ignore")
        return KaplanMeierFitter().fit(sub["time"], sub["event"] == cause,
                                       weights=None if weights is None else sub[weights])


@pytest.mark.parametrize("ds", DATASETS)
@pytest.mark.parametrize("cause", [1, 2])
def test_kaplan_meier_and_greenwood_agree_with_lifelines(ds: str, cause: int) -> None:
    """Other causes censored in both. lifelines reports no SE, only the log(-log)
    ("exponential Greenwood") interval S^exp(±z se/log S); inverting it gives the Greenwood
    SE of log S, which must equal ours."""
    d = data(ds)
    ours = sv.kaplan_meier(d, duration="time", event="event", cause=cause, by="group")
    z = stats.norm.ppf(0.975)
    for g, sub in d.groupby("group"):
        km = lifelines_km(sub, cause)
        tab = ours.table[ours.table["group"] == g]
        t = tab["time"].to_numpy()
        np.testing.assert_allclose(km.survival_function_at_times(t).to_numpy(),
                                   tab["estimate"], rtol=EXACT)
        ci = km.confidence_interval_survival_function_.loc[t]
        inner = (tab["estimate"] > 0).to_numpy() & (tab["estimate"] < 1).to_numpy()
        np.testing.assert_allclose(ci.iloc[:, 0].to_numpy()[inner], tab["lower"][inner],
                                   rtol=EXACT)
        np.testing.assert_allclose(ci.iloc[:, 1].to_numpy()[inner], tab["upper"][inner],
                                   rtol=EXACT)
        s = tab["estimate"].to_numpy()[inner]
        se_log = np.log(np.log(ci.iloc[:, 0].to_numpy()[inner]) / np.log(s)) \
            * np.abs(np.log(s)) / z
        np.testing.assert_allclose(s * se_log, tab["se"].to_numpy()[inner], rtol=1e-8)
    # the table at given times uses the same columns whatever the engine underneath
    assert list(ours.at([1.0, 5.0]).columns) == ["group", "time", "estimate", "se", "lower",
                                                 "upper"]


@pytest.mark.parametrize("ds", DATASETS)
def test_weighted_kaplan_meier_estimate_agrees_with_lifelines(ds: str) -> None:
    """Case weights enter both as weighted counts. Two places where lifelines 0.30 is not the
    reference, both excluded here and both covered against R in test_reference.py:

    * where the last people at risk all have the event, lifelines computes
      ``log(n - d) - log(n)`` with ``n`` obtained by subtracting weighted counts, so ``n - d``
      is a rounding residue (negative or tiny) instead of 0 and the curve does not drop to 0
      (trial group A at 60.9: lifelines 0.215, R and we 0);
    * its Greenwood term casts the weighted risk set to an unsigned integer, so its weighted
      interval is not R's weighted Greenwood (only the estimate is compared).
    """
    d = data(ds)
    ours = sv.kaplan_meier(d, duration="time", event="event", cause=1, by="group", weights="w")
    for g, sub in d.groupby("group"):
        tab = ours.table[ours.table["group"] == g]
        empties = np.isclose(tab["n_event"], tab["n_risk"], rtol=1e-12)
        got = lifelines_km(sub, weights="w").survival_function_at_times(tab["time"])
        np.testing.assert_allclose(got.to_numpy()[~empties], tab["estimate"][~empties],
                                   rtol=EXACT)
        assert (tab["estimate"][empties] == 0).all()


@pytest.mark.parametrize("ds", DATASETS)
@pytest.mark.parametrize("cause", [1, 2])
def test_cox_efron_agrees_with_coxphfitter(ds: str, cause: int) -> None:
    """CoxPHFitter handles ties by Efron's method (its only one) with the model-based
    variance; lifelines run with its default convergence options, as a user would."""
    d = data(ds)
    ours = sv.cox(d, duration="time", event="event", covariates=["x1", "x2"], cause=cause,
                  ties="efron")
    frame = d.assign(e=(d["event"] == cause).astype(int))[["time", "e", "x1", "x2"]]
    cph = CoxPHFitter().fit(frame, duration_col="time", event_col="e")
    np.testing.assert_allclose(cph.params_[["x1", "x2"]], ours.summary["coef"], rtol=1e-5)
    np.testing.assert_allclose(cph.standard_errors_[["x1", "x2"]], ours.summary["se"],
                               rtol=1e-6)
    np.testing.assert_allclose(cph.log_likelihood_, ours.loglik, rtol=EXACT)


def test_cox_text_covariate_coded_like_lifelines_formula() -> None:
    """A text column becomes indicators against its first (sorted) level in our engine and in
    lifelines' formula interface (treatment coding): ties.csv, groups GOW (reference), IPS,
    KOW."""
    d = data("ties")
    ours = sv.cox(d, duration="time", event="event", covariates=["x1", "x2", "group"], cause=1)
    frame = d.assign(e=(d["event"] == 1).astype(int))[["time", "e", "x1", "x2", "group"]]
    cph = CoxPHFitter().fit(frame, duration_col="time", event_col="e",
                            formula="x1 + x2 + group")
    assert list(ours.summary.index) == ["x1", "x2", "group=IPS", "group=KOW"]
    lif = cph.params_[["x1", "x2", "group[T.IPS]", "group[T.KOW]"]]
    np.testing.assert_allclose(lif, ours.summary["coef"], rtol=1e-5)
    se = cph.standard_errors_[["x1", "x2", "group[T.IPS]", "group[T.KOW]"]]
    np.testing.assert_allclose(se, ours.summary["se"], rtol=1e-6)


@pytest.mark.parametrize("ds", DATASETS)
def test_rmst_agrees_with_lifelines(ds: str) -> None:
    """Area under the Kaplan-Meier step function of cause 1 up to tau (the taus of the R
    fixtures). Only the point estimate: lifelines' ``return_variance`` is the variance of
    min(T, tau) under the fitted curve, not the variance of the estimator we report."""
    d = data(ds)
    tau = 12.0 if ds == "ties" else 10.0
    ours = sv.rmst(d, duration="time", event="event", tau=tau, by="group",
                   estimand="event_free_censored").table.set_index("group")
    for g, sub in d.groupby("group"):
        got = restricted_mean_survival_time(lifelines_km(sub), t=tau)
        np.testing.assert_allclose(got, ours.loc[g, "rmst"], rtol=EXACT)


def untie(d: pd.DataFrame) -> pd.DataFrame:
    """trial.csv with ties broken deterministically: the k-th repeat of a time gets k * 1e-4
    added (times have two decimals, so no new ties and no change of order with other
    times). Both engines get this same frame."""
    k = d.groupby("time").cumcount().to_numpy()
    return d.assign(time=d["time"] + 1e-4 * k)


@pytest.mark.parametrize("cause", [1, 2])
def test_aalen_johansen_agrees_with_lifelines_on_tie_free_data(cause: int) -> None:
    """lifelines' AalenJohansenFitter "cannot handle" event times shared by two causes and
    then jitters the times with ``np.random.seed`` — moving the data and resetting the global
    random state (STYLE.md forbids both). On data without such ties it does neither, and its
    estimate is the Aalen-Johansen estimate; all three reference data sets have such ties, so
    trial.csv is untied first (see :func:`untie`). The test also checks that lifelines
    warned about nothing and left the global random state alone."""
    d = untie(data("trial"))
    assert not d["time"].duplicated().any()
    state = np.random.get_state()  # noqa: NPY002 (the global state lifelines may reseed)
    ours = sv.cumulative_incidence(d, duration="time", event="event", cause=cause, by="group")
    for g, sub in d.groupby("group"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")    # a jitter warning would fail the test
            aj = AalenJohansenFitter(calculate_variance=False).fit(
                sub["time"], sub["event"], event_of_interest=cause)
        tab = ours.table[ours.table["group"] == g]
        got = aj.cumulative_density_.iloc[:, 0]
        np.testing.assert_allclose(got.loc[tab["time"]].to_numpy(), tab["estimate"],
                                   rtol=EXACT, atol=1e-15)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]
