"""Imputation compatible with the Cox model (SMC-FCS): the pieces by hand, the sampler against
the density it targets, and the whole against R's ``smcfcs`` on the same data.

Reference: ``reference/smcfcs_reference.R`` (smcfcs 1.7, survival, mice) on
``reference/smcfcs_incomplete.csv`` (written by ``make_smcfcs_data.py``), committed output
``reference/fixtures/smcfcs_pool.csv``. SMC-FCS is a stochastic algorithm, so the comparison
is of the pooled estimates within their Monte Carlo error (the between-imputation variance
over the number of imputations, of both runs), and of the within- and between-imputation
variances, which do not depend on the seed beyond that error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from kow_research.data.study_design import DesignError, validate_values
from kow_research.missing import impute, pool, tipping_point
from kow_research.missing._substantive import (
    CauseDraw,
    draw_categorical,
    draw_normal,
    efron_baseline_at,
    outcome_loglik,
)
from kow_research.survival import cox
from tests.r_support import run_r_script

REF = Path(__file__).parent / "reference"
TERMS = ["arm", "x", "b"]


def test_efron_baseline_by_hand() -> None:
    # times 1, 2, 2, 3; events at 1 and the two at 2; exp(eta) = 1, 2, 1, 1.
    # t=1: S0 = 5, one event: 1/5. t=2: S0 = 3 (2 + 1 of the tied events... and the one at 3:
    # 2 + 1 + 1 = 4), D0 = 3, two tied events: 1/4 + 1/(4 - 3/2).
    time = np.array([1.0, 2.0, 2.0, 3.0])
    dead = np.array([True, True, True, False])
    eta = np.log([1.0, 2.0, 1.0, 1.0])
    h1 = 1 / 5
    h2 = h1 + 1 / 4 + 1 / 2.5
    np.testing.assert_allclose(efron_baseline_at(time, dead, eta), [h1, h2, h2, h2],
                               rtol=1e-14)


def test_efron_baseline_without_ties_is_breslow() -> None:
    rng = np.random.default_rng(1)
    time = rng.exponential(size=30)
    dead = rng.random(30) < 0.7
    eta = rng.normal(size=30)
    order = np.argsort(time)
    r = np.exp(eta)
    expected = np.array([sum(1 / r[time >= time[j]].sum() for j in np.flatnonzero(dead)
                             if time[j] <= time[i]) for i in range(30)])
    np.testing.assert_allclose(efron_baseline_at(time, dead, eta), expected, rtol=1e-12)
    assert np.all(np.diff(efron_baseline_at(time, dead, eta)[order]) >= 0)


def _density_moments(mean: float, sd: float, h: list[float], b: list[float], e0: list[float],
                     cause: int) -> tuple[float, float]:
    """Mean and SD of N(mean, sd) times prod_k exp(-h_k e^eta_k) e^{eta_cause}, by
    quadrature."""
    def dens(x: float) -> float:
        eta = [a + s * x for a, s in zip(e0, b, strict=True)]
        log = stats.norm.logpdf(x, mean, sd) - sum(hk * np.exp(ek) for hk, ek in
                                                    zip(h, eta, strict=True))
        if cause:
            log += eta[cause - 1]
        return float(np.exp(log))

    lo, hi = mean - 12 * sd, mean + 12 * sd
    z = integrate.quad(dens, lo, hi, limit=200)[0]
    m1 = integrate.quad(lambda x: x * dens(x), lo, hi, limit=200)[0] / z
    m2 = integrate.quad(lambda x: x * x * dens(x), lo, hi, limit=200)[0] / z
    return m1, float(np.sqrt(m2 - m1 ** 2))


@pytest.mark.parametrize("cause", [0, 1, 2])
def test_rejection_sampler_draws_from_the_compatible_density(cause: int) -> None:
    n = 40_000
    h, b, e0 = [0.6, 0.3], [0.9, -0.5], [0.2, 0.1]
    draws = [CauseDraw(k + 1, pd.Series(dtype=float), np.full(n, h[k])) for k in range(2)]
    rows = np.ones(n, dtype=bool)
    x, limited = draw_normal(np.full(n, 0.3), 1.2, [np.full(n, a) for a in e0], b, draws,
                             np.full(n, cause), rows, np.zeros(n), np.random.default_rng(4))
    mean, sd = _density_moments(0.3, 1.2, h, b, e0, cause)
    assert limited == 0
    se = sd / np.sqrt(n)
    assert abs(x.mean() - mean) < 4 * se
    assert abs(x.std() - sd) < 4 * sd / np.sqrt(2 * n)
    # the density differs from the covariate model's: the test can tell them apart
    assert abs(0.3 - mean) > 20 * se or abs(1.2 - sd) > 20 * sd / np.sqrt(2 * n)


def test_rejection_limit_keeps_the_previous_value() -> None:
    # an event with a huge cumulative hazard and a steep slope: acceptance ~ 0
    draws = [CauseDraw(1, pd.Series(dtype=float), np.full(3, 1e6))]
    x, limited = draw_normal(np.zeros(3), 0.01, [np.zeros(3)], [50.0], draws,
                             np.zeros(3, dtype=int), np.ones(3, dtype=bool),
                             np.array([7.0, 8.0, 9.0]), np.random.default_rng(0))
    assert limited == 3
    assert x.tolist() == [7.0, 8.0, 9.0]


def test_categorical_draw_by_hand() -> None:
    # two levels, prior 0.7 / 0.3; eta = 0 at level 0 and log 2 at level 1, H0 = 0.5, an
    # event: weights 0.7 e^{-0.5} and 0.3 * 2 e^{-1}
    n = 200_000
    draws = [CauseDraw(1, pd.Series(dtype=float), np.full(n, 0.5))]
    code = np.ones(n, dtype=int)
    rows = np.ones(n, dtype=bool)
    etas = {0: np.zeros(n), 1: np.full(n, np.log(2.0))}
    level = draw_categorical(np.tile([0.7, 0.3], (n, 1)),
                             lambda j: outcome_loglik(draws, [etas[j]], code, rows),
                             np.random.default_rng(2))
    w0, w1 = 0.7 * np.exp(-0.5), 0.3 * 2 * np.exp(-1.0)
    p1 = w1 / (w0 + w1)
    assert abs(level.mean() - p1) < 4 * np.sqrt(p1 * (1 - p1) / n)


@pytest.fixture(scope="module")
def incomplete() -> pd.DataFrame:
    return pd.read_csv(REF / "smcfcs_incomplete.csv")


@pytest.fixture(scope="module")
def ours(incomplete: pd.DataFrame) -> pd.DataFrame:
    imp = impute(incomplete, columns=TERMS, m=30, seed=11, substantive="cox",
                 methods={"b": "logreg"})
    assert imp.attrs["rejection_limit"] == 0
    assert imp.methods["method"].to_dict() == {"x": "norm", "b": "logreg"}
    res = pool(imp.analyse(lambda f: cox(f, covariates=TERMS, cause=1)))
    return pd.concat([res.table["coef"], res.variance[["ubar", "b"]]], axis=1).assign(m=30)


def test_pooled_estimates_agree_with_r_smcfcs(ours: pd.DataFrame) -> None:
    ref = pd.read_csv(REF / "fixtures" / "smcfcs_pool.csv").set_index("term")
    mc_se = np.sqrt(ours["b"] / ours["m"] + ref["b"] / ref["m"])
    gap = (ours["coef"] - ref["estimate"]).abs() / mc_se
    assert (gap < 4).all(), gap.to_dict()
    # the variance components: within to 5 %, between within its sampling error (chi-square
    # with m - 1 df on each side: a ratio within 0.5-2 at m = 30 and 100)
    np.testing.assert_allclose(ours["ubar"], ref["ubar"], rtol=0.05)
    ratio = ours["b"] / ref["b"]
    assert ((ratio > 0.5) & (ratio < 2)).all(), ratio.to_dict()


def test_chained_equations_without_the_outcome_model_differ(incomplete: pd.DataFrame,
                                                           ours: pd.DataFrame) -> None:
    """The comparison has power: ignoring the outcome altogether pulls x's log HR far from
    smcfcs' value."""
    ref = pd.read_csv(REF / "fixtures" / "smcfcs_pool.csv").set_index("term")
    imp = impute(incomplete, columns=TERMS, m=10, seed=1, methods={"b": "logreg"})
    naive = pool(imp.analyse(lambda f: cox(f, covariates=TERMS, cause=1))).table["coef"]
    mc_se = np.sqrt(ours["b"] / 10 + ref["b"] / ref["m"])
    assert abs(naive["x"] - ref.loc["x", "estimate"]) > 6 * mc_se["x"]


@pytest.mark.r_reference
def test_r_script_reproduces_the_fixture(tmp_path: Path) -> None:
    run_r_script(REF / "smcfcs_reference.R", tmp_path, ["survival", "smcfcs", "mice"],
                 timeout=900)
    got = pd.read_csv(tmp_path / "smcfcs_pool.csv")
    want = pd.read_csv(REF / "fixtures" / "smcfcs_pool.csv")
    pd.testing.assert_frame_equal(got, want, rtol=1e-9)


def test_imputations_are_reproducible_and_complete(incomplete: pd.DataFrame) -> None:
    a = impute(incomplete, columns=TERMS, m=2, iterations=2, seed=3, substantive="cox",
               methods={"b": "logreg"})
    b = impute(incomplete, columns=TERMS, m=2, iterations=2, seed=3, substantive="cox",
               methods={"b": "logreg"}, n_jobs=2)
    pd.testing.assert_frame_equal(a.data, b.data)
    done = a.complete(1)
    assert not done[TERMS].isna().any().any()
    observed = incomplete["x"].notna()
    assert (done.loc[observed, "x"] == incomplete.loc[observed, "x"]).all()
    assert set(done["b"].unique()) <= {0.0, 1.0}
    assert "SMC-FCS" in a.attrs["note"] and "compatible" in repr(a)
    assert a.attrs["settings"]["substantive"] == "cox"


def test_auxiliary_column_and_single_cause(incomplete: pd.DataFrame) -> None:
    d = incomplete.assign(event=(incomplete["event"] == 1).astype(int),
                          aux=np.arange(len(incomplete)) % 7)
    imp = impute(d, columns=[*TERMS, "aux"], terms=TERMS, m=2, iterations=2, seed=1,
                 substantive="cox", methods={"b": "logreg"})
    assert imp.methods.loc["x", "predictors"] == "arm, b, aux"
    assert "Cox model of arm, x, b" in imp.attrs["note"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"columns": ["arm", "x", "b", "time"]}, "outcome"),
    ({"terms": ["arm", "x"]}, "not terms of the Cox model"),
    ({"methods": {"x": "pmm", "b": "logreg"}}, "predictive mean matching is not compatible"),
    ({"delta": {"x": 0.5}}, "delta"),
    ({"substantive": "weibull"}, "substantive"),
    ({"terms": ["arm", "z"]}, "must be columns"),
])
def test_settings_that_are_refused(incomplete: pd.DataFrame, kwargs: dict,
                                   message: str) -> None:
    base = {"columns": TERMS, "m": 2, "iterations": 1, "seed": 1, "substantive": "cox",
            "methods": {"b": "logreg"}}
    with pytest.raises(ValueError, match=message):
        impute(incomplete, **{**base, **kwargs})


def test_tipping_point_refuses_compatible_imputations(incomplete: pd.DataFrame) -> None:
    imp = impute(incomplete, columns=TERMS, m=2, iterations=1, seed=1, substantive="cox",
                 methods={"b": "logreg"})
    with pytest.raises(ValueError, match="SMC-FCS"):
        tipping_point(imp, analysis=lambda f: cox(f, covariates=TERMS), column="x",
                      term="x", deltas=[0.5])


def test_design_entry_is_checked() -> None:
    assert validate_values({}, "study.yaml")["imputation_model"] == "smcfcs"
    assert validate_values({"imputation_model": "chained"}, "s")["imputation_model"] == \
        "chained"
    with pytest.raises(DesignError, match="imputation_model"):
        validate_values({"imputation_model": "mice"}, "study.yaml")
