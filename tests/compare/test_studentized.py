"""Studentized (bootstrap-t) limits, MOVER contrasts and the per-cohort SE kernels behind the
default ``ci="studentized"`` of ``compare_outcomes``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import kow_research as kr
from kow_research import compare
from kow_research.compare.studentized import mover_limits, studentized_limits
from kow_research.compare.weighted import effect_se_kernel, mean_se_kernel

REF_DATA = "tests/compare/reference/compare_data.csv"
Z = 1.959963984540054


def wilson(x: int, n: int) -> tuple[float, float, float]:
    """Proportion and its Wilson score limits (Newcombe 1998, method 3)."""
    p = x / n
    centre = (p + Z ** 2 / (2 * n)) / (1 + Z ** 2 / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z ** 2 / (4 * n ** 2)) / (1 + Z ** 2 / n)
    return p, centre - half, centre + half


@pytest.mark.parametrize(("a", "b", "published"), [
    ((56, 70), (48, 80), (0.0524, 0.3339)),   # Newcombe (1998), Table II, example (a)
    ((9, 10), (3, 10), (0.1705, 0.8090)),     # example (h)
])
def test_mover_with_wilson_limits_is_newcombes_method_10(a, b, published) -> None:
    lo, hi = mover_limits(*wilson(*a), *wilson(*b))
    assert_allclose([lo, hi], published, atol=5e-5)


def test_mover_correlation_and_infinite_limits() -> None:
    # symmetric limits +-1.96 sd: MOVER is the Wald interval with the covariance term
    s1, s0, rho = 0.03, 0.04, 0.5
    lo, hi = mover_limits(0.3, 0.3 - Z * s1, 0.3 + Z * s1, 0.2, 0.2 - Z * s0, 0.2 + Z * s0,
                          rho=rho)
    half = Z * np.sqrt(s1 ** 2 + s0 ** 2 - 2 * rho * s1 * s0)
    assert_allclose([lo, hi], [0.1 - half, 0.1 + half], rtol=1e-12)
    # a control limit of 0 on the log scale (ratio): the upper limit is unbounded, not NaN
    lo, hi = mover_limits(np.log(0.3), np.log(0.2), np.log(0.4), np.log(0.1), -np.inf,
                          np.log(0.2), rho=0.3)
    assert np.isfinite(lo) and hi == np.inf


def test_studentized_limits_by_hand_fallback_and_scales() -> None:
    est, se = np.array([0.2, 0.05, 0.25]), np.array([0.1, 0.02, 0.1])
    reps = np.array([[0.1, 0.00, 0.30], [0.2, 0.04, 0.16], [0.3, 0.06, 0.25],
                     [0.35, 0.10, 0.36]])
    ses = np.array([[0.1, 0.00, 0.09], [0.1, 0.02, 0.08], [0.1, 0.02, 0.10],
                    [0.05, 0.03, 0.12]])
    lo, hi, pct = studentized_limits(reps, ses, est, se, alpha=0.5,
                                     upper_bound=np.array([np.inf, 1.0, 1.0]))
    # column 0, unbounded: T = -1, 0, 1, 3; quartiles -0.25 and 1.5
    assert_allclose([lo[0], hi[0]], [0.2 - 1.5 * 0.1, 0.2 + 0.25 * 0.1])
    # column 1: a replicate with SE 0 and another value (no events) -> percentile limits
    assert pct.tolist() == [False, True, False]
    assert_allclose([lo[1], hi[1]], np.quantile(reps[:, 1], [0.25, 0.75]))
    # column 2, a risk: on the arcsine-square-root scale, back-transformed
    phi = np.arcsin(np.sqrt(reps[:, 2]))
    phi_se = ses[:, 2] / (2 * np.sqrt(reps[:, 2] * (1 - reps[:, 2])))
    phi0, phi0_se = np.arcsin(0.5), 0.1 / (2 * np.sqrt(0.25 * 0.75))
    t = np.sort((phi - phi0) / phi_se)
    q25 = t[0] + 0.75 * (t[1] - t[0])
    q75 = t[2] + 0.25 * (t[3] - t[2])
    expect = np.sin([phi0 - q75 * phi0_se, phi0 - q25 * phi0_se]) ** 2
    assert_allclose([lo[2], hi[2]], expect, rtol=1e-12)
    # limits stay inside [0, 1] however far T reaches
    lo, hi, _ = studentized_limits(np.array([[0.01], [0.5], [0.02]]),
                                   np.array([[0.001], [0.3], [0.01]]), np.array([0.05]),
                                   np.array([0.2]), upper_bound=1.0)
    assert 0 <= lo[0] <= 0.05 <= hi[0] <= 1


def test_se_kernels_equal_the_survival_engine_and_the_sandwich() -> None:
    df = pd.read_csv(REF_DATA)
    rng = np.random.default_rng(4)
    w = rng.uniform(0.2, 3.0, len(df))
    t = df["treated"].to_numpy()
    time, event = df["time"].to_numpy(float), df["event"].to_numpy()
    h = np.array([6.0, 12.0])
    se = effect_se_kernel(time, event, t, w, 1, h, 12.0)
    for g, cols in ((1, [0, 1]), (0, [2, 3])):
        sel = t == g
        ci = kr.survival.cumulative_incidence(df[sel].assign(w=w[sel]), weights="w").at(h)
        assert_allclose(se[cols], ci["se"].to_numpy(), rtol=1e-10)
        rm = kr.survival.rmst(df[sel].assign(w=w[sel]), tau=12,
                              estimand="event_free_competing", weights="w")
        assert_allclose(se[8 + (1 - g)], rm.table["se"].iloc[0], rtol=1e-10)
    assert np.isnan(se[[4, 5, 6, 7, 10]]).all()   # contrasts have no own SE
    # weighted mean: the sandwich SE sqrt(sum w^2 (y - ybar)^2) / sum w, by hand
    y = np.array([1.0, 0, 1, 1, 0, 0, 1])
    tt = np.array([1, 1, 1, 1, 0, 0, 0])
    ww = np.array([1.0, 2, 1, 0.5, 3, 1, 1])
    m1 = (1 + 1 + 0.5) / 4.5
    v1 = (1 * (1 - m1) ** 2 + 4 * m1 ** 2 + 1 * (1 - m1) ** 2 + 0.25 * (1 - m1) ** 2)
    m0 = 1 / 5
    v0 = 9 * m0 ** 2 + 1 * m0 ** 2 + 1 * (1 - m0) ** 2
    out = mean_se_kernel(y, tt, ww, binary=True)
    assert_allclose(out[:2], [np.sqrt(v1) / 4.5, np.sqrt(v0) / 5], rtol=1e-12)
    assert np.isnan(out[2:]).all()


def test_compare_outcomes_studentized_limits_from_its_replicates() -> None:
    df = pd.read_csv(REF_DATA)
    res = compare.compare_outcomes(df, treatment="treated", covariates=["age", "smi", "dx"],
                                   horizons_months=(6, 12), tau_months=12, n_boot=200, seed=3,
                                   unit="months")
    assert res.ci == "studentized" and res.attrs["interval"] == "studentized"
    assert "studentized" in repr(res) and res.replicate_se is not None
    tab = res.table.assign(key=res.replicates.columns).set_index("key")
    w = res.propensity.weights.to_numpy()
    t = df["treated"].to_numpy()
    full_se = effect_se_kernel(df["time"].to_numpy(float), df["event"].to_numpy(), t, w, 1,
                               np.array([6.0, 12.0]), 12.0)
    limits = {}
    for j, key in enumerate(["risk_treated@12", "risk_control@12"]):
        col = list(tab.index).index(key)
        p, sp = res.replicates[key], res.replicate_se[key]
        tstat = ((np.arcsin(np.sqrt(p)) - np.arcsin(np.sqrt(tab.loc[key, "estimate"])))
                 / (sp / (2 * np.sqrt(p * (1 - p)))))
        q = np.quantile(tstat.dropna(), [0.025, 0.975])
        e = tab.loc[key, "estimate"]
        se_phi = full_se[col] / (2 * np.sqrt(e * (1 - e)))
        lo, hi = np.sin(np.arcsin(np.sqrt(e)) - q[::-1] * se_phi) ** 2
        assert_allclose(tab.loc[key, ["lower", "upper"]].to_numpy(float), [lo, hi],
                        rtol=1e-12)
        limits[j] = (e, lo, hi)
    pair = res.replicates[["risk_treated@12", "risk_control@12"]].dropna().to_numpy()
    rho = np.corrcoef(pair.T)[0, 1]
    lo, hi = mover_limits(*limits[0], *limits[1], rho=rho)
    assert_allclose(tab.loc["risk_difference@12", ["lower", "upper"]].to_numpy(float),
                    [lo, hi], rtol=1e-12)
    # the percentile interval is still available from the same replicates
    pct = compare.compare_outcomes(df, treatment="treated", covariates=["age", "smi", "dx"],
                                   horizons_months=(6, 12), tau_months=12, n_boot=200, seed=3,
                                   unit="months", ci="percentile")
    pd.testing.assert_frame_equal(pct.replicates, res.replicates)
    assert_allclose(pct.table["lower"].iloc[2],
                    np.nanquantile(res.replicates["risk_control@6"], 0.025))


def test_compare_outcomes_studentized_on_a_continuous_outcome() -> None:
    df = pd.read_csv(REF_DATA).assign(hours=lambda d: (d["age"] - 18) / 2 + d["time"])
    res = compare.compare_outcomes(df, treatment="treated", covariates=["age", "smi"],
                                   outcome="hours", n_boot=100, seed=1)
    assert res.attrs["percentile_rows"] == []
    # a mean is unbounded: bootstrap-t on the natural scale with the sandwich SE, by hand
    w = res.propensity.weights.to_numpy()
    t = df["treated"].to_numpy()
    y = df["hours"].to_numpy(float)
    for row, g in ((0, 1), (1, 0)):
        sel = t == g
        m = np.average(y[sel], weights=w[sel])
        se = np.sqrt(np.sum(w[sel] ** 2 * (y[sel] - m) ** 2)) / w[sel].sum()
        key = res.replicates.columns[row]
        tstat = (res.replicates[key] - m) / res.replicate_se[key]
        q = np.quantile(tstat, [0.025, 0.975])
        assert_allclose(res.table.loc[row, ["lower", "upper"]].to_numpy(float),
                        [m - q[1] * se, m - q[0] * se], rtol=1e-10)


def test_korn_graubard_limits_by_hand() -> None:
    """Clopper-Pearson at n* = p(1-p)/se^2 (capped at the Kish size), from the beta quantiles
    written out; a zero risk gets [0, 1 - (alpha/2)^(1/n)] at the Kish size."""
    from scipy.stats import beta

    from kow_research.compare.studentized import effective_events, korn_graubard_limits

    est, se, ess = np.array([0.05, 0.3, 0.0]), np.array([0.02, 0.01, 0.0]), np.array(
        [400.0, 900.0, 37.5])
    lo, hi = korn_graubard_limits(est, se, ess)
    n1 = 0.05 * 0.95 / 0.02 ** 2                         # 118.75, below its cap
    x1 = n1 * 0.05
    assert_allclose([lo[0], hi[0]], [beta.ppf(0.025, x1, n1 - x1 + 1),
                                     beta.ppf(0.975, x1 + 1, n1 - x1)], rtol=1e-10)
    n2 = 900.0                                           # 0.21/0.0001 = 2100, capped
    x2 = n2 * 0.3
    assert_allclose([lo[1], hi[1]], [beta.ppf(0.025, x2, n2 - x2 + 1),
                                     beta.ppf(0.975, x2 + 1, n2 - x2)], rtol=1e-10)
    assert lo[2] == 0.0
    assert_allclose(hi[2], 1 - 0.025 ** (1 / 37.5), rtol=1e-10)
    assert effective_events(np.array([2.0, 1.0, 1.0])) == 16 / 6
    assert effective_events(np.array([])) == 0.0


def test_compare_outcomes_sparse_risk_gets_korn_graubard_limits() -> None:
    """A cohort with fewer than 10 effective events by a horizon: Korn-Graubard limits from
    its bootstrap SE and the Kish size of its weights, both recomputed here; rows with enough
    events keep their bootstrap-t limits; the contrasts are MOVER from the per-cohort limits."""
    from kow_research.compare.studentized import korn_graubard_limits

    df = pd.read_csv(REF_DATA)
    res = compare.compare_outcomes(df, treatment="treated", covariates=["age", "smi", "dx"],
                                   horizons_months=(2, 12), tau_months=12, n_boot=200, seed=3,
                                   unit="months")
    tab = res.table.assign(key=res.replicates.columns).set_index("key")
    w = res.propensity.weights.to_numpy()
    t = df["treated"].to_numpy()
    expected = []
    for g, arm in ((1, "treated"), (0, "control")):
        for h in (2, 12):
            hit = (t == g) & (df["event"].to_numpy() == 1) & (df["time"].to_numpy() <= h)
            eev = w[hit].sum() ** 2 / (w[hit] ** 2).sum()
            if eev < 10:
                expected.append(f"risk_{arm}@{h}")
    assert set(res.attrs["korn_graubard_rows"]) == set(expected)
    assert {"risk_treated@2", "risk_control@2"} <= set(expected)   # 6 and 4 events
    assert "risk_treated@12" not in expected
    for key in expected:
        g = 1 if "treated" in key else 0
        ess = w[t == g].sum() ** 2 / (w[t == g] ** 2).sum()
        se = np.nanstd(res.replicates[key], ddof=1)
        lo, hi = korn_graubard_limits(np.array([tab.loc[key, "estimate"]]), np.array([se]),
                                      np.array([ess]))
        assert_allclose(tab.loc[key, ["lower", "upper"]].to_numpy(float), [lo[0], hi[0]],
                        rtol=1e-10)
    pair = res.replicates[["risk_treated@2", "risk_control@2"]].dropna().to_numpy()
    rho = np.corrcoef(pair.T)[0, 1]
    lo, hi = mover_limits(*(tab.loc[k, c] for k in ("risk_treated@2", "risk_control@2")
                            for c in ("estimate", "lower", "upper")), rho=rho)
    assert_allclose(tab.loc["risk_difference@2", ["lower", "upper"]].to_numpy(float),
                    [lo, hi], rtol=1e-12)
    assert "Korn-Graubard" in str(res.summary())


def test_min_effective_events_switches_the_rule() -> None:
    """0 keeps the bootstrap-t wherever it can be computed; a higher threshold takes in more
    rows; a negative one is an error naming the argument."""
    df = pd.read_csv(REF_DATA)
    kw = dict(treatment="treated", covariates=["age", "smi", "dx"], horizons_months=(2, 12),
              tau_months=12, n_boot=100, seed=3, unit="months")
    off = compare.compare_outcomes(df, min_effective_events=0, **kw)
    default = compare.compare_outcomes(df, **kw)
    wide = compare.compare_outcomes(df, min_effective_events=1000, **kw)
    # with the rule off, only rows that cannot be studentized (a resample without events)
    # get Korn-Graubard limits
    assert set(off.attrs["korn_graubard_rows"]) < set(default.attrs["korn_graubard_rows"])
    assert set(wide.attrs["korn_graubard_rows"]) == {
        "risk_treated@2", "risk_treated@12", "risk_control@2", "risk_control@12"}
    assert wide.attrs["min_effective_events"] == 1000
    with pytest.raises(ValueError, match="min_effective_events"):
        compare.compare_outcomes(df, min_effective_events=-1, **kw)
