"""parametric_survival: R's survreg on the engine's trial data, the lifelines fitters it wraps,
a closed-form case and the extrapolation plot.

Fixtures: tests/survival/reference/parametric_reference.R on tests/reference/trial.csv (240
people, cause 1 with cause 2 censored, text group A/B, covariates x1, x2), survreg with
rel.tolerance 1e-12. Parametrisation (survreg): log T = X b + sigma W; lifelines' Weibull
lambda_ is exp(X b) (its params_ hold X b) and rho_ = 1/sigma, log-logistic alpha_ / beta_ the
same, log-normal mu_ = X b and sigma_ = sigma.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import lifelines
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kow_research.survival.parametric import DISTRIBUTIONS, parametric_survival
from tests.r_support import run_r_script

HERE = Path(__file__).parent / "reference"
TRIAL = pd.read_csv(Path(__file__).parents[1] / "reference" / "trial.csv")
# survreg stops at rel.tolerance 1e-12 and we at Newton steps < 1e-10 (measured agreement
# 1e-13 on coefficients, 1e-14 on SEs); 1e-7 is far inside the 1e-5 asked for and robust to
# another BLAS.
RTOL_R = 1e-7
# R's survival SEs come from a central finite difference (step 1e-6) of the curve: measured
# agreement 3e-10
RTOL_SE_FD = 1e-7
MODELS = {"x1+x2": {"covariates": ["x1", "x2"]}, "none": {},
          "group+x1": {"covariates": ["group", "x1"]},
          "by:x1": {"covariates": ["x1"], "by": "group"}, "by:none": {"by": "group"},
          "cause2:x1+x2": {"covariates": ["x1", "x2"], "cause": 2}}
R_TERM = {"group=B": "groupB"}


def fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / "fixtures" / f"{name}.csv", float_precision="round_trip")


@functools.cache
def fitted(model: str, dist: str):  # type: ignore[no-untyped-def]
    return parametric_survival(TRIAL, distribution=dist, **MODELS[model])


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
@pytest.mark.parametrize("model", list(MODELS))
def test_matches_survreg(model: str, dist: str) -> None:
    """Coefficients (time ratios on the log scale), intercept and log(scale) with their SEs,
    log-likelihood, AIC and counts, per group with ``by``."""
    fit = fitted(model, dist)
    co, fi = fixture("parametric_coef"), fixture("parametric_fit")
    co = co[(co["model"] == model) & (co["dist"] == dist)]
    fi = fi[(fi["model"] == model) & (fi["dist"] == dist)]
    for mod, (label, ref) in zip(fit.models, co.groupby("group", sort=True), strict=True):
        assert str(mod.group) == label or (label == "all" and mod.group == "all")
        coefs = fit.coefficients if "by" not in model else \
            fit.coefficients[fit.coefficients["group"] == mod.group]
        pars = fit.parameters if "by" not in model else \
            fit.parameters[fit.parameters["group"] == mod.group]
        ref = ref.set_index("term")
        terms = [R_TERM.get(t, t) for t in coefs.index]
        np.testing.assert_allclose(coefs["coef"], ref.loc[terms, "coef"], rtol=RTOL_R)
        np.testing.assert_allclose(coefs["se"], ref.loc[terms, "se"], rtol=RTOL_R)
        want = ref.loc[["(Intercept)", "Log(scale)"]]
        np.testing.assert_allclose(pars["coef"].iloc[:2], want["coef"], rtol=RTOL_R)
        np.testing.assert_allclose(pars["se"].iloc[:2], want["se"], rtol=RTOL_R)
    np.testing.assert_allclose(fit.fits["loglik"], fi["loglik"], rtol=1e-10)
    np.testing.assert_allclose(fit.fits["aic"], fi["aic"], rtol=1e-10)
    np.testing.assert_allclose(fit.loglik, fi["loglik"].sum(), rtol=1e-10)
    np.testing.assert_allclose(fit.aic, fi["aic"].sum(), rtol=1e-10)
    assert fit.fits["n"].tolist() == fi["n"].tolist()
    assert fit.fits["n_events"].tolist() == fi["n_events"].tolist()


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_survival_and_delta_method_se_match_r(dist: str) -> None:
    """Standardised curve (mean over people of S(t | x_i)) and two covariate profiles, to 120
    weeks (well past the last observed time, 60.9): estimate and delta-method SE."""
    pr = fixture("parametric_pred")
    pr = pr[pr["dist"] == dist]
    times = np.array([1, 5, 10, 20, 40, 80, 120.0])
    profiles = pd.DataFrame({"x1": [0.0, 1.0], "x2": [0, 1]}, index=["x1=0,x2=0", "x1=1,x2=1"])
    fit = fitted("x1+x2", dist)
    checks = [(fit.at(times), pr[(pr["model"] == "x1+x2") & (pr["profile"] == "standardised")]),
              (fitted("none", dist).at(times), pr[pr["model"] == "none"]),
              (fitted("by:x1", dist).at(times), pr[pr["model"] == "by:x1"])]
    got = fit.predict(times, values=profiles)
    for prof in profiles.index:
        checks.append((got[got["profile"] == prof],
                       pr[(pr["model"] == "x1+x2") & (pr["profile"] == prof)]))
    last = TRIAL.groupby("group")["time"].max().to_dict() | {"all": TRIAL["time"].max()}
    for ours, ref in checks:
        np.testing.assert_allclose(ours["estimate"], ref["estimate"], rtol=1e-9)
        np.testing.assert_allclose(ours["se"], ref["se"], rtol=RTOL_SE_FD)
        group = ours["group"] if "group" in ours else pd.Series("all", index=ours.index)
        assert (ours["extrapolated"] == (ours["time"] > group.map(last))).all()


def lifelines_fit(dist: str, covariates: list[str],  # type: ignore[no-untyped-def]
                  timeline: np.ndarray | None = None):
    """lifelines run directly, with optimiser tolerances tightened (its defaults stop
    up to 3e-4 relative from the optimum for the log-logistic) so that what is compared is the
    parametrisation mapping, not the optimiser."""
    d = TRIAL.assign(e=(TRIAL["event"] == 1).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not covariates:
            cls = {"weibull": lifelines.WeibullFitter, "loglogistic": lifelines.LogLogisticFitter,
                   "lognormal": lifelines.LogNormalFitter}[dist]
            return cls().fit(d["time"], d["e"], timeline=timeline,
                             fit_options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 1000})
        cls = {"weibull": lifelines.WeibullAFTFitter,
               "loglogistic": lifelines.LogLogisticAFTFitter,
               "lognormal": lifelines.LogNormalAFTFitter}[dist]
        opts = {"gtol": 1e-8} if dist == "lognormal" else {"ftol": 1e-14}
        return cls().fit(d[["time", "e", *covariates]], "time", "e", fit_options=opts)


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_parametrisation_mapping_to_lifelines_aft(dist: str) -> None:
    """lifelines' location block (lambda_/alpha_/mu_) is survreg's b; its shape block's
    intercept is -log sigma (Weibull rho_, log-logistic beta_) or log sigma (log-normal
    sigma_); log-likelihoods are the same (both on the time scale). Predicted survival of
    each person equals lifelines' predict_survival_function."""
    fit = fitted("x1+x2", dist)
    lf = lifelines_fit(dist, ["x1", "x2"])
    loc, shape = {"weibull": ("lambda_", "rho_"), "loglogistic": ("alpha_", "beta_"),
                  "lognormal": ("mu_", "sigma_")}[dist]
    sign = 1 if dist == "lognormal" else -1
    np.testing.assert_allclose(lf.params_[loc][["x1", "x2"]], fit.coefficients["coef"],
                               rtol=1e-5)
    np.testing.assert_allclose(lf.params_[loc]["Intercept"], fit.parameters["coef"].iloc[0],
                               rtol=1e-5)
    np.testing.assert_allclose(sign * lf.params_[shape]["Intercept"],
                               fit.parameters["coef"].iloc[1], rtol=1e-5)
    np.testing.assert_allclose(lf.log_likelihood_, fit.loglik, rtol=1e-10)
    np.testing.assert_allclose(lf.standard_errors_[loc][["x1", "x2"]],
                               fit.coefficients["se"], rtol=1e-5)
    profiles = TRIAL[["x1", "x2"]].iloc[:5]
    times = np.array([2.0, 10, 30])
    want = lf.predict_survival_function(profiles, times=times).to_numpy().T.ravel()
    got = fit.predict(times, values=profiles)["estimate"]
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_univariate_fit_and_se_agree_with_lifelines(dist: str) -> None:
    """Without covariates the univariate fitters are used: their natural parameters map to
    ours (Weibull lambda_ = exp(intercept), rho_ = 1/sigma; ...), and lifelines' own delta
    method for S(t) (autograd gradient in its parameters; it reports S ± z se) gives our SE
    to the optimiser's tolerance."""
    fit = fitted("none", dist)
    times = np.array([1, 5, 10, 20, 40, 80.0])
    lf = lifelines_fit(dist, [], timeline=times)
    names = {"weibull": ("lambda_", "rho_"), "loglogistic": ("alpha_", "beta_"),
             "lognormal": ("mu_", "sigma_")}[dist]
    a, b = (getattr(lf, n) for n in names)
    mu, log_sigma = fit.parameters["coef"].iloc[:2]
    if dist == "lognormal":
        np.testing.assert_allclose([a, b], [mu, np.exp(log_sigma)], rtol=1e-6)
    else:
        np.testing.assert_allclose([a, b], [np.exp(mu), np.exp(-log_sigma)], rtol=1e-6)
    np.testing.assert_allclose(lf.log_likelihood_, fit.loglik, rtol=1e-10)
    ci = lf.confidence_interval_survival_function_
    se = (ci.iloc[:, 1] - ci.iloc[:, 0]).to_numpy() / (2 * stats.norm.ppf(0.975))
    ours = fit.at(times)
    np.testing.assert_allclose(ours["estimate"], lf.survival_function_at_times(times),
                               rtol=1e-6)
    np.testing.assert_allclose(ours["se"], se, rtol=1e-5)


def test_lognormal_without_censoring_is_closed_form() -> None:
    """All events: the MLE of (mu, sigma) is the mean and the divisor-n SD of log t, the
    information gives var(mu) = sigma^2/n and var(log sigma) = 1/(2n), and the log-likelihood
    is sum of log phi(z) - log sigma - log t."""
    t = np.array([1.5, 2.0, 3.0, 4.5, 7.0, 8.0, 12.0, 20.0])
    fit = parametric_survival(pd.DataFrame({"time": t, "event": 1}), distribution="lognormal")
    y = np.log(t)
    mu, sigma, n = y.mean(), y.std(), len(t)
    pars = fit.parameters
    np.testing.assert_allclose(pars["coef"].iloc[:2], [mu, np.log(sigma)], rtol=1e-10)
    np.testing.assert_allclose(pars["se"].iloc[:2], [sigma / np.sqrt(n), np.sqrt(1 / (2 * n))],
                               rtol=1e-8)
    z = (y - mu) / sigma
    np.testing.assert_allclose(fit.loglik, np.sum(stats.norm.logpdf(z) - np.log(sigma) - y),
                               rtol=1e-12)
    np.testing.assert_allclose(fit.at([np.exp(mu)])["estimate"], [0.5], rtol=1e-10)


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_time_unit_only_shifts_the_intercept(dist: str) -> None:
    """An AFT model in weeks instead of days: times divided by 7 shift the intercept by
    -log 7 and leave time ratios, scale and log-likelihood (up to the Jacobian, + n_events *
    log 7) unchanged."""
    days = fitted("x1+x2", dist)
    weeks = parametric_survival(TRIAL.assign(time=TRIAL["time"] / 7), distribution=dist,
                                covariates=["x1", "x2"])
    np.testing.assert_allclose(weeks.coefficients["coef"], days.coefficients["coef"],
                               rtol=1e-8)
    np.testing.assert_allclose(weeks.parameters["coef"].iloc[0],
                               days.parameters["coef"].iloc[0] - np.log(7), rtol=1e-8)
    np.testing.assert_allclose(weeks.parameters["coef"].iloc[1],
                               days.parameters["coef"].iloc[1], rtol=1e-7)
    np.testing.assert_allclose(weeks.loglik, days.loglik + days.n_events * np.log(7),
                               rtol=1e-10)


def test_result_tables_and_protocol() -> None:
    fit = fitted("group+x1", "weibull")
    tab = fit.coefficients
    assert tab.index.name == "term" and list(tab.index) == ["group=B", "x1"]
    assert list(tab.columns) == ["coef", "se", "z", "p", "estimate", "lower", "upper", "scale"]
    assert (tab["scale"] == "time ratio").all()
    q = stats.norm.ppf(0.975)
    np.testing.assert_allclose(tab["estimate"], np.exp(tab["coef"]))
    np.testing.assert_allclose(tab["lower"], np.exp(tab["coef"] - q * tab["se"]))
    pars = fit.parameters
    assert pars.index.name == "parameter"
    assert list(pars.index) == ["(Intercept)", "log(scale)", "shape"]
    # the Weibull shape (lifelines rho_) is 1/scale
    np.testing.assert_allclose(pars["estimate"].iloc[2], 1 / pars["estimate"].iloc[1])
    assert fit.summary["estimate"].equals(tab["estimate"])
    text = fit.summary().as_text()
    assert "Weibull AFT model, cause 1: 240 people, 115 events" in text
    assert "time ratio" in text and "cause-specific: other causes censored" in text
    assert len(repr(fit).splitlines()) < 15
    assert fit.to_frame().equals(pd.DataFrame(tab))
    none = fitted("none", "weibull")
    assert none.coefficients.empty and none.to_frame().index.name == "parameter"


def test_predict_profiles_extrapolation_and_time_zero() -> None:
    fit = fitted("group+x1", "lognormal")
    values = pd.DataFrame({"group": ["A", "B"], "x1": [0.0, 0.0]}, index=["A0", "B0"])
    out = fit.predict([0.0, 30.0, 61.0], values=values)
    assert out.columns.tolist() == ["profile", "time", "estimate", "se", "lower", "upper",
                                    "extrapolated"]
    assert out["extrapolated"].tolist() == [False, False, True] * 2
    start = out[out["time"] == 0]
    assert (start["estimate"] == 1).all() and (start["se"] == 0).all()
    later = out[out["time"] > 0]
    assert ((later["lower"] < later["estimate"]) & (later["estimate"] < later["upper"])).all()
    # group B's time ratio moves its median: S_B(t) = S_A(t / TR)
    tr = fit.coefficients.loc["group=B", "estimate"]
    b = fit.predict([30.0 * tr], values=values.loc[["B0"]])["estimate"].iloc[0]
    a = out[(out["profile"] == "A0") & (out["time"] == 30)]["estimate"].iloc[0]
    np.testing.assert_allclose(b, a, rtol=1e-12)
    with pytest.raises(ValueError, match=r"group: values \['C'\] were not in the data"):
        fit.predict([1.0], values=values.assign(group=["A", "C"]))
    with pytest.raises(ValueError, match="times must be finite and ≥ 0"):
        fit.predict([-1.0])


def test_plot_overlays_the_kaplan_meier_and_dashes_the_extrapolation() -> None:
    fit = fitted("by:x1", "weibull")
    ax = fit.plot(horizon=100)
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--" and len(ln.get_xdata()) > 2]
    assert len(dashed) == 2          # one extrapolated tail per group
    last = {60.9, 27.48}             # the last observed times of groups A and B
    starts = {round(float(ln.get_xdata()[0]), 0) for ln in dashed}
    assert starts == {round(x, 0) for x in last}
    assert ax.get_xlim() == (0.0, 100.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["A", "B", "Weibull (fitted)", "extrapolated"]
    plt.close(ax.figure)
    ax = fitted("none", "lognormal").plot(language="nl")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Kaplan-Meier", "lognormaal (gefit)", "geëxtrapoleerd"]
    plt.close(ax.figure)


def test_no_side_effects() -> None:
    d = TRIAL.copy()
    state, err = np.random.get_state(), np.geterr()  # noqa: NPY002 (global state)
    parametric_survival(d, distribution="loglogistic", covariates=["group"])
    parametric_survival(d, distribution="weibull")
    pd.testing.assert_frame_equal(d, TRIAL)
    assert np.geterr() == err
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(after[1], state[1]) and after[2] == state[2]


@pytest.mark.parametrize(("frame", "kw", "message"), [
    (TRIAL, {"distribution": "gamma"},
     r"distribution must be one of 'weibull', 'loglogistic', 'lognormal'; got 'gamma'"),
    (TRIAL.assign(time=TRIAL["time"].where(TRIAL.index != 7, 0.0)), {},
     r"needs durations > 0; rows 7 have 0"),
    (TRIAL, {"cause": 3}, r"no events with code 3; codes present are \[1, 2\]"),
    (TRIAL.assign(event=np.where(TRIAL["group"] == "A", 0, TRIAL["event"])), {"by": "group"},
     r"no events with code 1 in group 'A'"),
    (TRIAL.assign(x2=np.where(TRIAL["group"] == "A", 1, TRIAL["x2"])),
     {"by": "group", "covariates": ["x2"]}, r"covariate x2 is constant in group 'A'"),
    (TRIAL.assign(x1=TRIAL["x1"].where(TRIAL.index != 3)), {"covariates": ["x1"]},
     r"covariate x1: 1 missing values in rows 3"),
    (TRIAL, {"covariates": ["age"]}, r"covariate 'age' not found"),
    (TRIAL, {"alpha": 0}, r"alpha is 1 - the confidence level"),
])
def test_clear_errors(frame: pd.DataFrame, kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parametric_survival(frame, **kw)


@pytest.mark.r_reference
def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    run_r_script(HERE / "parametric_reference.R", tmp_path, ("survival",))
    for name in ("parametric_coef", "parametric_fit", "parametric_pred"):
        new = pd.read_csv(tmp_path / f"{name}.csv", float_precision="round_trip")
        old = fixture(name)
        assert list(new.columns) == list(old.columns)
        for col in old.columns:
            if pd.api.types.is_numeric_dtype(old[col]):
                np.testing.assert_allclose(new[col], old[col], rtol=1e-9, err_msg=col)
            else:
                assert (new[col] == old[col]).all(), col
