"""Smoke version of ``validation/coverage.py``: its true values by hand, and a tiny run.

The full study (500+ replicates of 300 per arm, minutes) is ``make validation``; here the same
functions run 20 replicates of 60 per arm, and the closed-form truths are checked against
numbers worked out on paper.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import kow_research as kr

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def coverage() -> ModuleType:
    """``validation/coverage.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("validation_coverage",
                                                  ROOT / "validation" / "coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module       # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_closed_form_truths_by_hand(coverage: ModuleType) -> None:
    """Control arm of the trial: paid work 0.03 / month, dropout 0.015 / month (total 0.045).

    * KM of paid work (dropout censored) at 12 months: :math:`e^{-0.36} = 0.697676`;
    * Aalen-Johansen at 12 months: :math:`(0.03/0.045)(1 - e^{-0.54}) = (2/3)(1 - 0.582748)
      = 0.278168`;
    * months free of paid work to 18, dropout competing: the time lost is
      :math:`(2/3)\\{18 - (1 - e^{-0.81})/0.045\\} = (2/3)(18 - 12.336487) = 3.775675`, so
      :math:`18 - 3.775675 = 14.224325`.

    atol 5e-7: the numbers above are rounded to six decimals.
    """
    truth = coverage.truths()
    assert_allclose(truth[("km", "S1(12 m), control")], 0.697676, rtol=0, atol=5e-7)
    assert_allclose(truth[("aj", "F1(12 m), control")], 0.278168, rtol=0, atol=5e-7)
    assert_allclose(truth[("rmst", "event-free months (competing) to 18, control")],
                    14.224325, rtol=0, atol=5e-7)
    assert truth[("cox", "log HR, treated")] == pytest.approx(np.log(1.5))


def test_score_limit_is_the_true_coefficient_under_proportional_hazards(
        coverage: ModuleType) -> None:
    """The population score root that gives the weighted models' true marginal HR returns the
    true coefficient wherever (sub)hazards are proportional: the trial's cause-specific HR and
    the Fine-Gray DGM's subdistribution HR (both log 1.5). rtol 1e-10 for the first (exact
    densities, quadrature with 800 Gauss-Legendre nodes), 1e-8 for the second (a central
    difference of the CIF, step 1e-6)."""
    t, w = coverage._nodes()
    g = coverage.censoring_survival(t)
    dens, risk = [], []
    for a in (0, 1):
        l1, l2 = coverage.TRIAL[a]
        s = np.exp(-(l1 + l2) * t)
        dens.append(g * l1 * s)
        risk.append(g * s)
    assert_allclose(coverage.limit_log_hr(t, w, dens, risk), np.log(1.5), rtol=1e-10)
    h = 1e-6
    dens = [g * (coverage.fg_cif(t + h, a) - coverage.fg_cif(t - h, a)) / (2 * h)
            for a in (0, 1)]
    risk = [g * (1 - coverage.fg_cif(t, a)) for a in (0, 1)]
    assert_allclose(coverage.limit_log_hr(t, w, dens, risk), np.log(1.5), rtol=1e-8)
    s = coverage.strata()
    assert_allclose([s["px"].sum(), s["p_treated"].sum(), s["p_control"].sum()], 1.0)


def test_small_run_gives_the_whole_table(coverage: ModuleType) -> None:
    runs = coverage.simulate(n_sim=20, n=60, seed=3, n_jobs=1)
    table = coverage.summarise(runs)
    assert list(table.columns) == ["estimator", "estimand", "truth", "mean_estimate", "bias",
                                   "bias_mc_se", "mean_se", "emp_sd", "se_ratio", "coverage",
                                   "coverage_mc_se", "n_sim", "n_failed"]
    assert set(table["estimator"]) == set(coverage.NAMES)
    assert len(table) == len(coverage.truths()) == 37
    assert (table["n_sim"] == 20).all() and (table["n_failed"] == 0).all()
    assert table["coverage"].between(0, 1).all() and (table["mean_se"] > 0).all()
    page = coverage.markdown(table, coverage.Run(20, 60, 3, 1.0, 1))
    assert page.count("\n| ") == len(table) + 1


def test_only_reproduces_the_rows_of_a_full_replicate(coverage: ModuleType) -> None:
    """Each DGM draws from its own seed stream, so ``--only cox`` gives the full run's row."""
    full = [r for r in coverage.replicate(4, n=60, seed=3) if r["estimator"] == "cox"]
    alone = coverage.replicate(4, n=60, seed=3, only=("cox",))
    assert alone == full


def _script(name: str, file: str) -> ModuleType:
    """A script of ``validation/`` imported as a module named ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "validation" / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hazard_bootstrap() -> ModuleType:
    """``validation/hazard_bootstrap_coverage.py`` as a module."""
    return _script("validation_hazard_bootstrap", "hazard_bootstrap_coverage.py")


def test_hazard_bootstrap_study_one_replicate(hazard_bootstrap: ModuleType) -> None:
    """One study of the weighted-sHR coverage script: follow-up ends at the horizon, the
    percentile limits bracket the estimate, the basic limits mirror them, the robust limits are
    estimate -/+ 1.96 SE, and the summary counts limit pairs that hold the truth."""
    seed = np.random.SeedSequence(11)
    df = hazard_bootstrap.one_study(seed)
    end = hazard_bootstrap.HORIZON_MONTHS * hazard_bootstrap.DAYS_PER_MONTH
    assert df["time"].max() <= end and set(df["event"]) <= {0, 1, 2}
    row = hazard_bootstrap.run(seed, 0, 20)
    assert row["pct_lower"] < row["estimate"] < row["pct_upper"]
    # the basic interval mirrors the percentile limits around the estimate
    assert_allclose([row["basic_lower"], row["basic_upper"]],
                    [2 * row["estimate"] - row["pct_upper"],
                     2 * row["estimate"] - row["pct_lower"]], rtol=1e-9)
    assert_allclose(row["robust_upper"] - row["estimate"], 1.959963984540054 * row["robust_se"])
    table = hazard_bootstrap.summarise(pd.DataFrame([row]), row["estimate"])
    assert list(table["coverage"]) == [1.0, 1.0, 1.0]


def test_true_att_weights_balance_the_simulated_covariates(hazard_bootstrap: ModuleType) -> None:
    """The known weights of the bias part reweight the comparator cohort to KOW's baseline
    distribution: weighted means of age (with its clipped ends), log months out of work, sex
    and diagnosis match KOW's within sampling error, where the unweighted ones do not."""
    df = hazard_bootstrap.one_study(np.random.SeedSequence(5), n=20_000)
    w = hazard_bootstrap.true_att_weights(df)
    kow = (df["programme"] == "KOW").to_numpy()
    assert (w[kow] == 1).all() and (w > 0).all()
    features = {"age": (df["age"], 0.4), "age_at_18": (df["age"] <= 18, 0.012),
                "log1p_months": (np.log1p(df["months_out_of_work"]), 0.05),
                "female": (df["sex"].astype(str) == "female", 0.02),
                "psychosis": (df["diagnosis_group"].astype(str) == "psychosis", 0.015)}
    for name, (values, tol) in features.items():
        x = np.asarray(values, dtype=float)
        target = x[kow].mean()
        assert abs(np.average(x[~kow], weights=w[~kow]) - target) < tol, name
        assert abs(x[~kow].mean() - target) > 2 * tol, name      # the check has power
    # equal cohorts: the weights' mean over the comparator is 1 up to sampling error
    assert abs(w[~kow].mean() - 1) < 0.05


def test_hazard_bias_part_one_study(hazard_bootstrap: ModuleType) -> None:
    """One study of the bias part: the estimated-weights estimate is the coverage part's point
    estimate (same seed, same people), and the summary's bias is mean minus truth."""
    seed = np.random.SeedSequence(11)
    row = hazard_bootstrap.bias_run(seed, 0)
    assert_allclose(row["estimated"], hazard_bootstrap.run(seed, 0, 2)["estimate"], rtol=1e-12)
    assert_allclose(row["firth"], hazard_bootstrap.run(seed, 0, 2, "firth")["estimate"],
                    rtol=1e-12)
    assert row["firth"] != row["estimated"]   # the penalty moves the weights
    assert hazard_bootstrap.bias_run(seed, 0, "firth")["estimated"] == row["firth"]
    table = pd.DataFrame([row, hazard_bootstrap.bias_run(np.random.SeedSequence(12), 1)])
    summary = hazard_bootstrap.summarise_bias(table, -0.4)
    names = ("estimated", "firth", "known", "randomised")
    assert_allclose(summary["bias"], [table[k].mean() + 0.4 for k in names])
    assert_allclose(summary["bias_mc_se"], [table[k].std(ddof=1) / np.sqrt(2) for k in names])
    assert (table["error"] == "").all()
    # a study whose propensity model raised counts in its other rows only
    third = {"sim": 2, "estimated": np.nan, "firth": np.nan, "known": -0.1,
             "randomised": -0.2, "error": "propensity model (Firth) did not converge"}
    summary = hazard_bootstrap.summarise_bias(pd.concat([table, pd.DataFrame([third])]), -0.4)
    assert summary["n_sim"].tolist() == [2, 2, 3, 3]
    assert_allclose(summary["bias"].iloc[0], table["estimated"].mean() + 0.4)


@pytest.fixture(scope="module")
def rd_bootstrap() -> ModuleType:
    """``validation/bootstrap_coverage.py`` as a module."""
    return _script("validation_rd_bootstrap", "bootstrap_coverage.py")


def test_rd_bootstrap_study_one_replicate(rd_bootstrap: ModuleType) -> None:
    """One study of the compare_outcomes coverage script: every contrast gets three intervals
    around its estimate from the same replicates, and the summary scores them against a truth
    set to the estimate (covered) and far above it (every interval below the truth)."""
    rows = rd_bootstrap.run(np.random.SeedSequence(5), 0, 30)
    ok = pd.DataFrame([r for r in rows if r["method"] != "error"])
    assert len(ok) == len(rd_bootstrap.METHODS) * len(rd_bootstrap.CONTRASTS)
    for ci in rd_bootstrap.INTERVALS:
        assert (ok[f"{ci}_lower"] <= ok["estimate"]).all()
        assert (ok["estimate"] <= ok[f"{ci}_upper"]).all()
    at = {rd_bootstrap.label(m, h): float(g["estimate"].iloc[0])
          for (m, h), g in ok[ok["method"] == "firth"].groupby(["measure", "horizon_months"],
                                                                dropna=False)}
    firth = ok[ok["method"] == "firth"]
    bias, cover = rd_bootstrap.summarise(firth, at)
    assert (cover["coverage"] == 1.0).all() and np.allclose(bias["bias"], 0.0)
    # the bias-corrected estimate 2 theta-hat - mean(theta*), from compare_outcomes' own
    # replicates (the same seed), against a truth at theta-hat: theta-hat - mean(theta*)
    res = kr.compare.compare_outcomes(
        rd_bootstrap.one_study(np.random.SeedSequence(5)), treatment="programme",
        treated="KOW", covariates=rd_bootstrap.COVARIATES, separation="firth",
        horizons_months=rd_bootstrap.HORIZONS, tau_months=rd_bootstrap.TAU_MONTHS,
        n_boot=30, seed=0)
    means = res.replicates.mean()
    expected = [float(g["estimate"].iloc[0]) - means[rd_bootstrap.label(m, h)]
                for (m, h), g in firth.groupby(["measure", "horizon_months"], dropna=False,
                                               sort=False)]
    assert_allclose(bias["bc_bias"], expected, rtol=0, atol=1e-12)
    rr = bias["contrast"].str.startswith("risk_ratio")
    assert bias.loc[rr, "bc_log_bias"].notna().all() and bias.loc[~rr, "bc_log_bias"].isna().all()
    far = {k: v + 1000.0 for k, v in at.items()}
    _, cover = rd_bootstrap.summarise(firth, far)
    assert (cover["coverage"] == 0.0).all() and (cover["miss_high"] == 1.0).all()


def test_rd_bootstrap_bias_part(rd_bootstrap: ModuleType) -> None:
    """The bias part's point estimates are the coverage part's estimates of the same study,
    and its summary is the mean minus the truth with the Monte Carlo SE of the studies and
    the truth combined, by hand on three studies."""
    seeds = np.random.SeedSequence(5).spawn(3)
    points = pd.DataFrame([r for i, sq in enumerate(seeds) for r in rd_bootstrap.bias_run(sq, i)])
    assert list(points["method"][:4]) == list(rd_bootstrap.BIAS_METHODS)
    full = pd.DataFrame(rd_bootstrap.run(seeds[0], 0, 20))
    for method in rd_bootstrap.METHODS:
        point = points[(points["sim"] == 0) & (points["method"] == method)].iloc[0]
        for _, r in full[full["method"] == method].iterrows():
            key = rd_bootstrap.label(r["measure"], r["horizon_months"])
            assert point[key] == pytest.approx(r["estimate"], rel=1e-12)
    key = "risk_control@12"
    truth = {rd_bootstrap.label(m, h): 0.25 for m, h in rd_bootstrap.CONTRASTS}
    truth_se = dict.fromkeys(truth, 0.001)
    summary = rd_bootstrap.summarise_point_bias(points, truth, truth_se).set_index(
        ["contrast", "method"])
    est = points.loc[points["method"] == "firth", key].to_numpy()
    row = summary.loc[(key, rd_bootstrap.BIAS_LABELS["firth"])]
    assert row["bias"] == pytest.approx(est.mean() - 0.25, abs=1e-15)
    sd = np.sqrt(((est - est.mean()) ** 2).sum() / 2)
    assert row["bias_mc_se"] == pytest.approx(np.sqrt(sd ** 2 / 3 + 0.001 ** 2), rel=1e-12)
    assert row["bias_in_sd"] == pytest.approx((est.mean() - 0.25) / sd, rel=1e-12)
    rr = summary.loc[("risk_ratio@6", rd_bootstrap.BIAS_LABELS["firth"])]
    ratios = points.loc[points["method"] == "firth", "risk_ratio@6"].to_numpy()
    assert rr["log_bias"] == pytest.approx(np.log(ratios).mean() - np.log(0.25), abs=1e-14)


def test_rd_bootstrap_extend_checks_the_earlier_run(rd_bootstrap: ModuleType,
                                                    tmp_path: Path) -> None:
    """``--extend`` keeps an earlier run only if its last study, run again, comes out the same:
    a study of a run written to CSV reproduces itself; with one estimate changed in the sixth
    decimal, or a gap in the studies, the script stops and names the file."""
    rows = pd.DataFrame(rd_bootstrap.run(np.random.SeedSequence(5), 0, 20))
    path = tmp_path / "earlier.csv"
    rows.to_csv(path, index=False, float_format="%.6f")
    earlier = rd_bootstrap._earlier_studies(str(path), 3)
    rd_bootstrap._check_reproduced(earlier, rows, str(path))
    with pytest.raises(SystemExit, match="earlier.csv has no column boot_mean"):
        rd_bootstrap._check_reproduced(earlier.drop(columns="boot_mean"), rows, str(path))
    changed = earlier.copy()
    changed.loc[changed.index[1], "estimate"] += 1e-5
    with pytest.raises(SystemExit, match="earlier.csv: study 0 run again does not reproduce"):
        rd_bootstrap._check_reproduced(changed, rows, str(path))
    with pytest.raises(SystemExit, match="below --n-sim 1; it holds 1 studies"):
        rd_bootstrap._earlier_studies(str(path), 1)       # nothing left to add
    rows.assign(sim=1).to_csv(path, index=False)          # study 0 missing
    with pytest.raises(SystemExit, match=r"needs studies 0 \.\. k - 1"):
        rd_bootstrap._earlier_studies(str(path), 3)


def test_rd_bootstrap_merge_keeps_the_other_models(rd_bootstrap: ModuleType,
                                                   tmp_path: Path) -> None:
    """``--methods auto --merge CSV``: a run of one propensity model with the other models'
    rows from an earlier table equals the full run; an earlier table of other studies is
    refused, naming the file."""
    seeds = np.random.SeedSequence(5).spawn(2)
    full = pd.DataFrame([r for i, sq in enumerate(seeds) for r in rd_bootstrap.run(sq, i, 20)])
    path = tmp_path / "earlier.csv"
    full.to_csv(path, index=False, float_format="%.6f")
    auto = pd.DataFrame([r for i, sq in enumerate(seeds)
                         for r in rd_bootstrap.run(sq, i, 20, methods=("auto",))])
    assert set(auto["method"]) == {"auto", "error"}
    merged = rd_bootstrap._merge_earlier(str(path), auto, ("auto",), 2)
    expected = rd_bootstrap._read_table(str(path))
    assert list(merged["method"]) == list(expected["method"])
    assert_allclose(merged["estimate"].to_numpy(dtype=float),
                    expected["estimate"].to_numpy(dtype=float), rtol=0, atol=1e-6,
                    equal_nan=True)
    with pytest.raises(SystemExit, match=r"earlier.csv: --merge needs the studies 0 \.\. 2"):
        rd_bootstrap._merge_earlier(str(path), auto, ("auto",), 3)
    other = full.assign(n_failed=full["n_failed"] + 1)
    other.to_csv(path, index=False)
    with pytest.raises(SystemExit, match="earlier.csv: its maximum-likelihood rows differ"):
        rd_bootstrap._merge_earlier(str(path), auto, ("auto",), 2)


def test_rd_bootstrap_bias_part_counts_ml_separation(rd_bootstrap: ModuleType,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A study whose maximum-likelihood propensity model raises for separation leaves that
    row NaN with its reason and the other models' rows intact; a Firth (or auto, collapse)
    failure is not counted but stops the run."""
    real = kr.compare.compare_outcomes

    def ml_separates(df: pd.DataFrame, **kw: object) -> object:
        if kw["separation"] == "error":
            raise ValueError("propensity model: separation — sex=other (2 people, all in "
                             "the control cohort)")
        return real(df, **kw)

    monkeypatch.setattr(kr.compare, "compare_outcomes", ml_separates)
    rows = pd.DataFrame(rd_bootstrap.bias_run(np.random.SeedSequence(5), 0))
    ml = rows[rows["method"] == "error"].iloc[0]
    assert ml["error"] == "full-data separation"
    assert all(np.isnan(ml[rd_bootstrap.label(m, h)]) for m, h in rd_bootstrap.CONTRASTS)
    assert (rows.loc[rows["method"] != "error", "error"] == "").all()
    assert rows.loc[rows["method"] != "error", "risk_control@12"].notna().all()
    summary = rd_bootstrap.summarise_point_bias(
        rows, dict.fromkeys(rows.columns[3:], 0.2), dict.fromkeys(rows.columns[3:], 0.0))
    assert (summary.loc[summary["method"] == "maximum likelihood", "n_sim"] == 0).all()

    def firth_fails(df: pd.DataFrame, **kw: object) -> object:
        raise ValueError("propensity model (Firth) did not converge")

    monkeypatch.setattr(kr.compare, "compare_outcomes", firth_fails)
    with pytest.raises(ValueError, match="did not converge"):
        rd_bootstrap.bias_run(np.random.SeedSequence(5), 0)


@pytest.fixture(scope="module")
def by_size() -> ModuleType:
    """``validation/bias_by_sample_size.py`` as a module."""
    return _script("validation_bias_by_size", "bias_by_sample_size.py")


def test_bias_by_size_runs_the_pages_estimators(by_size: ModuleType, rd_bootstrap: ModuleType,
                                                hazard_bootstrap: ModuleType) -> None:
    """At 300 per cohort a study of the sample-size script is the same study, with the same
    estimates, as the two pages' bias parts: ``compare_outcomes``' ``auto`` row and the
    weighted sHR with estimated and true weights; at another size it is another study."""
    seed = np.random.SeedSequence(5).spawn(1)[0]
    risk = by_size.risk_study(seed, 0, 300)
    page = next(r for r in rd_bootstrap.bias_run(seed, 0) if r["method"] == "auto")
    for key in by_size.RISKS:
        assert risk[key] == pytest.approx(page[key], rel=1e-12), key
    shr = by_size.shr_study(np.random.SeedSequence(11), 0, 300)
    page = hazard_bootstrap.bias_run(np.random.SeedSequence(11), 0)
    assert shr["estimated"] == pytest.approx(page["estimated"], rel=1e-12)
    assert shr["known"] == pytest.approx(page["known"], rel=1e-12)
    assert by_size.risk_study(seed, 0, 120)["risk_control@12"] != risk["risk_control@12"]


def _by_size_table(by_size: ModuleType, truth: dict[str, float]) -> pd.DataFrame:
    """Two studies per size whose estimates lie a known distance from ``truth``: every
    estimate +0.03 and +0.05 at 300 per cohort (bias 0.04), +0.00 and +0.02 at 1,200 (bias
    0.01) — the ratios by those factors — and the 6-month control risks 0.10 and 0.14."""
    rows = []
    for n, offsets in ((300, (0.03, 0.05)), (1200, (0.0, 0.02))):
        for sim, d in enumerate(offsets):
            row = {"n": n, "sim": sim}
            for col, _, log in by_size.SUMMARISED:
                row[col] = truth[col] * np.exp(d) if log else truth[col] + d
            for col in by_size.RISKS:
                if col.startswith(("risk_treated", "risk_control")):
                    row[col] = truth[col]
            row["risk_control@6"] = (0.10, 0.14)[sim]
            rows.append(row)
    return pd.DataFrame(rows)


def test_bias_by_size_summary_and_extrapolation_by_hand(by_size: ModuleType) -> None:
    """By hand: bias 0.04 at 300 and 0.01 at 1,200 per cohort is c/n with c/300 = 0.04
    (0.03 / (300 (1/300 - 1/1200)) = 0.03 / 0.75) and no bias in the limit
    ((4 x 0.01 - 0.04) / 3 = 0); each size's two studies 0.02 apart give a studies' SE of
    0.01, so the limit's SE is sqrt(4² + 1) x 0.01 / 3 = 0.013744 with the truth's 0.002
    added, and c/300's sqrt(2) x 0.01 / 0.75 = 0.018856 (the truth cancels). The
    6-month control risk's variance, 0.0008, over 2 x 0.12² gives the log risk ratio's
    second-order term, 0.027778 (the treated risk does not vary)."""
    keys = [*by_size.RISKS, "estimated", "known", "paired"]
    truth = dict.fromkeys(keys, 0.12)
    truth_se = dict.fromkeys(keys, 0.0)
    truth_se["estimated"] = 0.002
    summary = by_size.summarise(_by_size_table(by_size, truth), truth, truth_se)
    s = summary.set_index(["estimate", "n_per_cohort"])
    assert_allclose(s.loc[("log sHR, estimated weights", 300), "bias"], 0.04, atol=1e-12)
    assert_allclose(s.loc[("log risk ratio, 6 months", 1200), "bias"], 0.01, atol=1e-12)
    assert_allclose(s.loc[("log sHR, true weights", 1200), "bias_times_n_over_300"], 0.04)
    assert_allclose(s.loc[("log sHR, estimated weights", 300), "bias_mc_se"],
                    np.hypot(0.01, 0.002))
    assert_allclose(s.loc[("log risk ratio, 6 months", 300), "second_order_term"],
                    0.0008 / (2 * 0.12 ** 2))
    assert_allclose(s.loc[("log risk ratio, 12 months", 300), "second_order_term"], 0.0,
                    atol=1e-15)
    assert s["second_order_term"].isna().sum() == 10   # differences and hazard ratios
    limit = by_size.extrapolate(summary, truth_se).set_index("estimate")
    assert_allclose(limit["bias_in_the_limit"], 0.0, atol=1e-12)
    assert_allclose(limit["c_over_300"], 0.04)
    assert_allclose(limit.loc["log sHR, true weights", "limit_mc_se"], np.sqrt(17) * 0.01 / 3)
    assert_allclose(limit.loc["log sHR, estimated weights", "limit_mc_se"],
                    np.hypot(np.sqrt(17) * 0.01 / 3, 0.002))
    assert_allclose(limit["c_over_300_mc_se"], np.sqrt(2) * 0.01 / 0.75)


def test_bias_by_size_checks_the_committed_studies(by_size: ModuleType,
                                                   tmp_path: Path) -> None:
    """The run's studies of 300 per cohort must equal a committed per-study table of the
    same seed to its six decimals; one estimate off by 1e-5 stops the run, naming the file."""
    seed = np.random.SeedSequence(by_size.SEED_RISK).spawn(1)[0]
    mine = pd.DataFrame([by_size.risk_study(seed, 0, 300)])
    page = mine.drop(columns="n").assign(method="auto", error="")
    page.to_csv(tmp_path / "bootstrap_coverage_bias.csv", index=False, float_format="%.6f")
    lines = by_size.check_reproduced(mine, tmp_path)
    assert len(lines) == 1
    assert lines[0].startswith("its 1 studies of 300 per cohort reproduce "
                               "`bootstrap_coverage_bias.csv` (largest difference ")
    page.loc[0, "risk_ratio@6"] += 1e-5
    page.to_csv(tmp_path / "bootstrap_coverage_bias.csv", index=False, float_format="%.6f")
    with pytest.raises(SystemExit, match="bootstrap_coverage_bias.csv: this run's studies"):
        by_size.check_reproduced(mine, tmp_path)
