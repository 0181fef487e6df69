"""Power by simulation: the summary arithmetic by hand, agreement with the analytic formulas
(exponential without competing events; competing dropout with Fine-Gray and cause-specific
Cox), the marginal true value, reproducible seeds, failures counted, and the result's text
and figures."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research.design import (
    TrialDesign,
    power_by_simulation,
    power_curve,
    sample_size,
    trial_design_from,
)
from kow_research.design.planned import PlannedAnalysis, truth_block
from kow_research.design.simulation import _summary

matplotlib.use("Agg")


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_summary_by_hand():
    # four trials under the effect (the fourth failed) and two under the null; estimates
    # -0.5, -0.3, -0.7 with SE 0.2 and intervals estimate +- 0.4; true value -0.4 (SE 0.01)
    rows = []
    for i, (est, rej, err) in enumerate([(-0.5, True, ""), (-0.3, False, ""),
                                         (-0.7, True, ""), (np.nan, False, "X: failed")]):
        rows.append({"n_total": 100, "hr": 0.7, "scenario": "alternative", "trial": i,
                     "analysis": "cox", "n": 100, "events": 40 + i, "estimate": est,
                     "se": 0.2 if err == "" else np.nan, "lower": est - 0.4,
                     "upper": est + 0.4, "p": 0.01, "rejected": rej, "error": err,
                     "warnings": 1 if i == 1 else 0, "warning": ""})
    for i, rej in enumerate([True, False]):
        rows.append({**rows[0], "scenario": "null", "trial": i, "rejected": rej})
    trials = pd.DataFrame(rows)
    t = _summary(trials, PlannedAnalysis(names=("cox",)), n_sim=4, mc_alpha=0.05,
                 truth={"cox": (-0.4, 0.01)}, conditional={"cox": math.log(0.7)}).loc["cox"]
    assert t["n_failed"] == 1 and t["power"] == pytest.approx(2 / 3)
    assert t["power_all"] == pytest.approx(2 / 4)          # the failure counts as "no"
    np.testing.assert_allclose([t["power_lower"], t["power_upper"]], _wilson(2, 3), rtol=1e-12)
    assert t["type1"] == pytest.approx(1 / 2)
    assert t["mean_estimate"] == pytest.approx(-0.5)
    assert t["bias"] == pytest.approx(-0.1)                # -0.5 - (-0.4)
    assert t["empirical_se"] == pytest.approx(0.2)         # SD of -0.5, -0.3, -0.7
    assert t["bias_mcse"] == pytest.approx(math.sqrt(0.04 / 3 + 0.01 ** 2))
    # intervals [-0.9, -0.1], [-0.7, 0.1], [-1.1, -0.3]: all contain -0.4
    assert t["coverage"] == 1.0 and t["mean_events"] == pytest.approx(41)
    assert t["conditional_value"] == pytest.approx(math.log(0.7)) and t["n_warned"] == 1


def test_exponential_power_agrees_with_the_analytic_formula():
    # no covariate effects, no dropout: exponential times to paid work as in Lachin-Foulkes;
    # the analytic power at the computed size must lie in the Wilson 95 % interval of the
    # simulated power (200 trials: half-width about 0.055)
    res = sample_size(outcome="time", hr=0.6, hazard_control=0.05, accrual=12, follow_up=12,
                      loss_hazard=0.01)
    design = trial_design_from(res, homogeneous=True)
    sim = power_by_simulation(design, analysis="cox", n_sim=200, seed=1983, null=False,
                              truth="conditional")
    row = sim.table.loc["cox"]
    assert row["n_failed"] == 0
    assert row["power_lower"] <= res.achieved_power <= row["power_upper"], (
        row["power"], res.achieved_power)
    # the events observed agree with the formula's probability of an observed event
    # (SD of the mean over 200 trials is about 0.6 events)
    assert abs(row["mean_events"] - res.expected_events) < 3
    # homogeneous population: marginal = conditional; unbiased with nominal coverage
    assert abs(row["bias"]) < 3 * row["bias_mcse"]
    assert row["coverage_lower"] <= 0.95 <= row["coverage_upper"]


def test_competing_risks_power_agrees_with_the_analytic_formulas():
    # dropout 0.02 per month competing, exponential cause-specific hazards (Pintilie); the
    # Fine-Gray power is compared with Latouche's formula at the subdistribution hazard ratio
    # that Fine-Gray estimates under this design (its marginal true value): with constant
    # cause-specific hazards the subdistribution hazards are not exactly proportional
    res = sample_size(outcome="competing_cause_specific", hr=0.6, hazard_control=0.05,
                      competing_hazard=0.02, accrual=12, follow_up=12, loss_hazard=0.005)
    design = trial_design_from(res, homogeneous=True)
    sim = power_by_simulation(design, analysis=["cox", "fine_gray"], n_sim=200, seed=2004,
                              null=False, truth_n=8000, truth_blocks=4)
    cox, fg = sim.table.loc["cox"], sim.table.loc["fine_gray"]
    assert cox["power_lower"] <= res.achieved_power <= cox["power_upper"], cox["power"]
    latouche = kr.design.power(outcome="competing_subdistribution", n_total=design.n_total,
                               hr=math.exp(fg["true_value"]), hazard_control=0.05,
                               competing_hazard=0.02, accrual=12, follow_up=12,
                               loss_hazard=0.005)
    assert fg["power_lower"] <= latouche.power <= fg["power_upper"], (fg["power"],
                                                                      latouche.power)
    # the cause-specific hazard ratio is what the simulator builds in
    assert abs(cox["true_value"] - math.log(0.6)) < 4 * cox["true_value_se"] + 0.01


def test_marginal_true_value_is_attenuated_by_heterogeneity():
    # a strongly heterogeneous population (SMI lowers the job hazard by exp(-1.5)) with many
    # events: the unadjusted (marginal) hazard ratio lies between the conditional one built
    # into the simulator and 1 (non-collapsibility; Austin 2013). About -0.53 here; with
    # the default case mix and fewer events the two nearly coincide.
    d = TrialDesign(arms={"KOW": 150, "CAU": 150}, hr=0.5, follow_up_months=24,
                    overrides={"job_rate_per_month": 0.15, "beta_smi": -1.5})
    plan = PlannedAnalysis(names=("cox",))
    blocks = [truth_block(d, plan=plan, seed=1, n_total=10_000, block=b)["cox"]
              for b in range(2)]
    assert math.log(0.5) + 0.08 < min(blocks) <= max(blocks) < 0


def test_seeds_reproducible_and_chunking_irrelevant():
    d = TrialDesign(arms={"KOW": 50, "CAU": 50}, hr=0.6)
    kw = {"analysis": ["gray", "cox"], "n_sim": 8, "seed": 5, "truth": "conditional"}
    a = power_by_simulation(d, chunk_size=25, **kw)
    b = power_by_simulation(d, chunk_size=3, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(a.trials, b.trials, check_exact=True)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    c = power_by_simulation(d, **{**kw, "seed": 6})
    assert not np.array_equal(c.trials["p"].to_numpy(), a.trials["p"].to_numpy())
    # the first trials do not depend on how many are simulated
    short = power_by_simulation(d, **{**kw, "n_sim": 3})
    first = a.trials[a.trials["trial"] < 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.trials, first, check_exact=True)


def test_failures_are_counted_never_dropped():
    # 3 + 3 participants: some trials have no job in an arm, so Fine-Gray has no finite
    # estimate (separation); every failure is in trials, failures and n_failed
    d = TrialDesign(arms={"KOW": 3, "CAU": 3}, hr=0.3)
    res = power_by_simulation(d, analysis="fine_gray", n_sim=20, seed=3, truth="conditional")
    row, trials = res.table.loc["fine_gray"], res.trials
    alt = trials[trials["scenario"] == "alternative"]
    failed = alt[alt["error"] != ""]
    assert len(alt) == 20 and row["n_failed"] == len(failed) > 0
    # no job in one arm (separation) or in neither arm (nothing to model)
    assert failed["error"].str.contains("SeparationError|no events with code 1").all()
    assert not failed["rejected"].any() and failed["estimate"].isna().all()
    ok = alt[alt["error"] == ""]
    assert row["power"] == pytest.approx(ok["rejected"].mean())
    assert row["power_all"] == pytest.approx(ok["rejected"].sum() / 20)
    listed = res.failures[(res.failures["kind"] == "error")
                          & (res.failures["scenario"] == "alternative")]
    assert listed["n_trials"].sum() == len(failed)
    assert "could not be analysed" in res.sentence("en")


def test_ladder_and_weighted_analyses_run():
    d = TrialDesign(arms={"KOW": 60, "CAU": 60}, hr=0.5, follow_up_months=12)
    res = power_by_simulation(d, analysis="ladder", n_sim=3, seed=1, null=False,
                              truth="conditional")
    assert res.attrs["wave_month"] == 12 and res.table.loc["ladder", "n_failed"] == 0
    assert np.isnan(res.table.loc["ladder", "conditional_value"])     # no counterpart
    obs = TrialDesign(arms={"KOW": 80, "CAU": 80}, hr=0.7, randomised=False,
                      confounding={"age_mean": 44.0, "months_out_median": 36.0})
    res = power_by_simulation(obs, analysis=["weighted", "cox"], n_sim=3, seed=1,
                              null=False, truth_n=2000, truth_blocks=2)
    assert (res.table["n_failed"] == 0).all()
    # the coupled population needs no weights: one true value for both
    assert res.table.loc["weighted", "true_value"] == res.table.loc["cox", "true_value"]


def test_arguments_are_checked():
    d = TrialDesign(arms={"KOW": 20, "CAU": 20}, hr=0.7)
    with pytest.raises(ValueError, match="non-randomised"):
        power_by_simulation(d, analysis="weighted", n_sim=2)
    with pytest.raises(ValueError, match="analysis must be one of"):
        power_by_simulation(d, analysis="logrank", n_sim=2)
    with pytest.raises(ValueError, match="dropout='competing'"):
        power_by_simulation(d, analysis="gray", dropout="censor", n_sim=2)
    with pytest.raises(ValueError, match="n_sim must be a whole number"):
        power_by_simulation(d, analysis="cox", n_sim=1)
    with pytest.raises(ValueError, match="backend must be one of"):
        power_by_simulation(d, analysis="cox", n_sim=2, backend="spark")
    with pytest.raises(ValueError, match="no follow-up wave"):
        power_by_simulation(TrialDesign(arms={"KOW": 20, "CAU": 20}, follow_up_months=3),
                            analysis="ladder", n_sim=2)


def test_power_curve_table_text_and_figure():
    d = TrialDesign(arms={"KOW": 50, "CAU": 50}, hr=0.5)
    pc = power_curve(d, analysis="cox", n_total=[60, 200], hr=[0.5, 0.35], n_sim=10,
                     seed=4, null=True)
    t = pc.table
    assert t[["n_total", "hr"]].values.tolist() == [[60, 0.5], [60, 0.35], [200, 0.5],
                                                     [200, 0.35]]
    assert (t["n_index"] + t["n_comparator"] == t["n_total"]).all()
    assert t["type1"].notna().all()
    # the smaller hazard ratio gives at least the power of the larger one at n = 200 with
    # the same trials (common random numbers)
    assert t.loc[3, "power"] >= t.loc[2, "power"]
    text = pc.sentence("nl")
    assert "deelnemers" in text and "vermogen" in text
    ax = pc.plot(language="nl")
    assert ax.get_xlabel() == "Deelnemers (totaal)" and len(ax.get_lines()) == 3
    matplotlib.pyplot.close("all")


def test_sentence_and_figures_are_built_from_the_result():
    d = TrialDesign(arms={"KOW": 40, "CAU": 40}, hr=0.5)
    res = power_by_simulation(d, analysis=["gray", "fine_gray"], n_sim=10, seed=2,
                              truth_n=1000, truth_blocks=2)
    row = res.table.loc["fine_gray"]
    en, nl = res.sentence("en"), res.sentence("nl")
    assert kr.design.text.percent(row["power"], "en") in en
    assert kr.design.text.percent(row["power"], "nl") in nl and "0,5" in nl
    assert f"{math.exp(row['true_value']):.3g}" in en
    for kind in ("power", "estimates"):
        ax = res.plot(kind=kind)
        assert ax.get_yticklabels()[0].get_text() in ("Gray", "Fine-Gray")
    matplotlib.pyplot.close("all")
    assert len(repr(res).splitlines()) < 15
