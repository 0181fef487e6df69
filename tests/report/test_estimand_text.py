"""Sentences about the estimand, the target population and the direction of a hazard ratio
follow the analysis object, in English and Dutch (issue 13, item 5).

Two kinds of check: fast ones on :class:`~kow_research.report.Comparison` objects (switching the
design's estimand or dropout strategy switches the words; the numbers in the words are
recomputed here by hand from the weights), and the rendered pages of two report builds that
differ in design: the simulated cohorts with their default design (overlap weights, dropout
competing, English) and KOW against care as usual from tests/report/test_designs.py (ATT, the
study.yaml default; dropout censored; Dutch). The builds run notebooks 04 and 06 only, with 30
bootstrap replicates, to stay fast.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

import kow_research as kr
from kow_research.report.build import build_report
from kow_research.report.comparison import prepare_comparison
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.target_population import target_sentence
from kow_research.synthetic import simulation_design
from tests.report.test_designs import _study_folder, _visible

ROOT = Path(__file__).resolve().parents[2]
POLICY = DisclosurePolicy.default()


def _comparison(**entries):
    study = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    design = simulation_design(study, covariates=["age", "smi"], n_boot=20,
                               **entries).resolve(study.participants)
    return prepare_comparison(study, design=design, comparator="IPS")


# ------------------------------------------------------------------ objects → words
@pytest.mark.parametrize("estimand", ["ATO", "ATT", "ATE"])
def test_the_estimand_parameter_drives_the_words(estimand):
    c = _comparison(estimand=estimand)
    assert c.estimand == estimand == c.propensity.estimand
    for lang in ("en", "nl"):
        assert f"({estimand})" in c.estimand_name(lang)
        note = c.weighting_note(lang)
        assert c.population(lang) in note and f"({estimand})" in note
        sentence = target_sentence(c, policy=POLICY, language=lang)
        assert ("ATT-gewichten" in sentence or "ATT weights" in sentence) == (estimand == "ATT")
        assert bool(c.overlap_sentence(language=lang)) == (estimand == "ATO")
    populations = {"ATO": "realistic options", "ATT": "people like the KOW participants",
                   "ATE": "everyone in KOW or IPS together"}
    assert populations[estimand] in c.population("en")



def test_effects_note_names_the_rows_that_were_not_studentized():
    """The note under the effects table names, by the table's own labels, each programme's
    risk that has Korn-Graubard limits (fewer than 10 effective events), in both languages."""
    from kow_research.report.comparison import effect_table

    c = _comparison(estimand="ATT")
    res = c.effects()
    sparse = res.attrs["korn_graubard_rows"]
    assert sparse                               # 70-80 per cohort: the 6-month risks
    for lang in ("en", "nl"):
        labels = effect_table(res, comparison=c, language=lang).iloc[:, 0].tolist()
        note = c.effects_note(res, language=lang)
        order = [f"{m}@{h:g}" if np.isfinite(h) else m
                 for m, h in zip(res.table["measure"], res.table["horizon_months"],
                                 strict=True)]
        for name in sparse:
            assert f"“{labels[order.index(name)]}”" in note
        assert ("Korn–Graubard" in note) and (("Fewer than 10" in note) == (lang == "en"))
        studentized = [lab for n, lab in zip(order, labels, strict=True)
                       if n.startswith("risk_") and "_difference" not in n
                       and "_ratio" not in n and n not in sparse]
        assert not any(f"“{lab}”" in note for lab in studentized)
    # the summary shows the main horizon only: rows at other horizons are not named there
    for lang in ("en", "nl"):
        labels = effect_table(res, comparison=c, language=lang).iloc[:, 0].tolist()
        for months in (6.0, 12.0):
            note = c.effects_note(res, language=lang, horizons=(months,))
            for name in sparse:
                at = float(name.split("@")[1])
                assert (f"“{labels[order.index(name)]}”" in note) == (at == months), name
            assert ("Korn–Graubard" in note) == any(float(n.split("@")[1]) == months
                                                    for n in sparse)
    # a risk ratio whose upper limit is shown as ∞ is explained under the table
    assert "∞" not in c.effects_note(res)
    res.table.loc[res.table["measure"] == "risk_ratio", "upper"] = 1e9
    assert "∞: an upper limit above 1,000,000" in c.effects_note(res)
    assert "∞: een bovengrens boven 1.000.000" in c.effects_note(res, language="nl")
    cells = effect_table(res, comparison=c).iloc[:, 1]
    assert cells[res.table["measure"].eq("risk_ratio").to_numpy()].str.endswith("–∞)").all()


def test_min_effective_events_comes_from_the_design():
    """study.yaml's ``min_effective_events`` reaches compare_outcomes: 0 switches the
    Korn-Graubard rule off (no rows named, no sentence), a threshold above every cohort's
    effective events gives every risk these limits; a negative value is a design error that
    names the entry."""
    from kow_research.data.study_design import DesignError, validate_values

    off = _comparison(estimand="ATT", min_effective_events=0)
    res = off.effects()
    assert res.attrs["min_effective_events"] == 0 and res.attrs["korn_graubard_rows"] == []
    assert "Korn–Graubard" not in off.effects_note(res)
    res = _comparison(estimand="ATT", min_effective_events=1000).effects()
    risks = res.table[res.table["measure"].isin(["risk_treated", "risk_control"])]
    assert sorted(res.attrs["korn_graubard_rows"]) == sorted(
        f"{m}@{h:g}" for m, h in zip(risks["measure"], risks["horizon_months"], strict=True))
    with pytest.raises(DesignError, match="min_effective_events must be a number >= 0, got -1"):
        validate_values({"min_effective_events": -1}, "study.yaml")


def test_effective_sample_sizes_and_target_population_by_hand():
    c = _comparison(estimand="ATO")
    w = c.weights
    kow = (c.frame["cohort"].astype(str) == "KOW").to_numpy()
    ess = {g: w[m].sum() ** 2 / (w[m] ** 2).sum() for g, m in (("KOW", kow), ("IPS", ~kow))}
    assert c.ess_fields("en") == {"ess_index": f"{ess['KOW']:.0f}",
                                  "ess_comparator": f"{ess['IPS']:.0f}"}
    profile = c.target_profile()
    smi = c.frame["smi"].astype(float).to_numpy()
    assert profile.loc["smi", "target"] == pytest.approx(np.average(smi, weights=w), rel=1e-12)
    assert profile.loc["smi", "index"] == pytest.approx(smi[kow].mean(), rel=1e-12)
    table = kr.report.target_table(c, policy=POLICY, language="nl")
    row = table[table["Kenmerk"] == "Ernstige psychische aandoening (EPA)"].iloc[0]
    assert row["Gewogen populatie (ATO)"] == f"{100 * np.average(smi, weights=w):.0f}\u00a0%"
    assert row["KOW"] == f"{100 * smi[kow].mean():.0f}\u00a0%"
    # a programme's share is hidden when its count or the complement is 1 to k - 1
    for name, mask in (("KOW", kow), ("IPS", ~kow)):
        yes, n = int(smi[mask].sum()), int(mask.sum())
        small = 0 < yes < POLICY.k or 0 < n - yes < POLICY.k
        assert (row[name] == POLICY.primary_marker) == small


def test_ato_balance_sentence_is_true_of_the_weights():
    # maximum likelihood: overlap weights balance the means exactly, and the sentence says so
    ml = _comparison(estimand="ATO", separation="error")
    assert ml.propensity.attrs["method"] == "logit"
    assert ml.balance().table["smd_after"].abs().max() < 1e-8
    assert "balance the means of every covariate of the propensity model exactly" in \
        ml.overlap_sentence(language="en")
    # "auto" (the default) is maximum likelihood here: exact, and said so
    auto = _comparison(estimand="ATO", separation="auto")
    assert auto.propensity.attrs["fitted_by"] == "logit"
    assert auto.overlap_sentence(language="en") == ml.overlap_sentence(language="en")
    # Firth: close to exact, and the sentence names the largest remaining difference
    firth = _comparison(estimand="ATO", separation="firth")
    worst = firth.balance().table["smd_after"].abs().max()
    assert worst > 1e-6
    assert f"largest remaining absolute standardised difference {worst:.2f}" in \
        firth.overlap_sentence(language="en")
    assert f"{worst:.2f}".replace(".", ",") in firth.overlap_sentence(language="nl")


@pytest.mark.parametrize("dropout", ["competing", "censor"])
def test_hazard_ratio_sentence_names_the_hazard(dropout):
    c = _comparison(estimand="ATO", separation="firth", time_to_work={"dropout": dropout})
    hr = c.hazard_ratio(n_boot=20, seed=1)
    row = hr.coef.loc["treated"]
    en, nl = (c.hazard_ratio_sentence(hr, language=lang) for lang in ("en", "nl"))
    assert f"{row['hr']:.2f} ({row['lower']:.2f}–{row['upper']:.2f})" in en
    assert "basic bootstrap interval (corrected for the bias the replicates show) from 20 " \
           "replicates that re-estimate" in en
    assert "(basismethode, gecorrigeerd voor de vertekening die de replicaties laten zien) " \
           "uit 20 replicaties" in nl
    assert hr.attrs["ci"] == "basic"
    # the sentence names the interval the fit carries, not a fixed kind
    hr.attrs["ci"] = "percentile"
    assert "bootstrap percentile interval from 20 replicates" in \
        c.hazard_ratio_sentence(hr, language="en")
    hr.attrs["ci"] = "basic"
    direction = ("above 1" if row["lower"] > 1 else "below 1" if row["upper"] < 1
                 else "includes 1")
    assert f"The interval {'lies ' if 'includes' not in direction else ''}{direction}." in en
    for text in (en, nl):
        assert "faster" not in text and "sneller" not in text
    if dropout == "competing":
        assert "subdistribution hazard ratio of paid work (Fine–Gray" in en
        assert "cumulative incidence" in en and "subdistributie-hazardratio" in nl
    else:
        assert "subdistribution" not in en and "subdistributie" not in nl
        assert "dropout is censored (hypothetical strategy)" in en
        assert "uitval wordt gecensureerd" in nl


def test_evalue_from_the_risk_ratio_of_cumulative_incidence():
    c = _comparison(estimand="ATO", separation="firth")
    result = c.effects(n_boot=20, seed=1)
    t = result.table
    rr = t[(t["measure"] == "risk_ratio")
           & np.isclose(t["horizon_months"].astype(float), c.main_horizon)].iloc[0]
    # VanderWeele & Ding (2017): E = RR + sqrt(RR (RR - 1)), RR taken above 1
    r = rr["estimate"] if rr["estimate"] >= 1 else 1 / rr["estimate"]
    e = r + np.sqrt(r * (r - 1))
    sentence = c.evalue_sentence(result, language="en")
    assert f"risk ratio of paid work at {c.main_horizon:g} months, {rr['estimate']:.2f}" \
        in sentence
    assert f"risk ratio of {e:.2f} with both programme and paid work" in sentence
    assert "not from a hazard ratio" in sentence


def test_published_proportions_carry_the_arm_n():
    study = kr.simulate_studies({"KOW": 60}, seed=1)
    design = simulation_design(study).resolve(study.participants)
    table = kr.report.published_context(study, design=design)
    michon = table[(table["Study"] == "Michon et al. 2014") & (table["Arm"] == "IPS")].iloc[0]
    x, n = 0.44 * 70, 70       # 44 % of the 70 in the IPS arm (Clopper-Pearson, by hand)
    lo, hi = stats.beta.ppf(0.025, x, n - x + 1), stats.beta.ppf(0.975, x + 1, n - x)
    assert michon["Published"] == f"44% ({100 * lo:.0f}%–{100 * hi:.0f}%); n = 70"
    reme = table[table["Study"] == "Reme et al. 2019"].iloc[0]
    assert reme["Published"] == "37%"     # no arm size published: no interval invented


def test_forest_axis_names_the_hazard_ratios():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=120, seed=1))
    csh = kr.survival.cox(df, covariates=["age"], cause=1)
    fg = kr.survival.fine_gray(df, covariates=["age"], cause=1)
    ax = kr.report.forest_plot(kr.report.forest_models(csh, fg=fg, language="nl"),
                               language="nl", caption="")
    assert ax.get_xlabel().startswith("Oorzaakspecifieke HR / Subdistributie-HR")
    plt.close(ax.figure)


# ------------------------------------------------------------------ rendered pages
BUILDS = {
    # name -> (study folder maker or None for the simulated cohorts, overrides)
    "simulated_ato": (None, {"n_boot": 30}),
    "kow_vs_cau_att": ("kow_vs_cau", {"n_boot": 30, "time_to_work.dropout": "censor"}),
}


@pytest.fixture(scope="module", params=list(BUILDS))
def build(request, tmp_path_factory):
    name = request.param
    maker, overrides = BUILDS[name]
    root = tmp_path_factory.mktemp(name)
    data = None if maker is None else _study_folder(root, maker)
    out = root / "report"
    result = build_report(out, data=data, overrides=overrides,
                          notebook_dir=ROOT / "notebooks",
                          only=["04_time_to_paid_work", "06_comparison"], workers=1,
                          echo=lambda line: None)
    assert result.exit_code == 0, result.messages
    if data is None:
        ctx = kr.report.open_notebook(None, seed=1, design_overrides=overrides)
        study, design = ctx.study, ctx.design
    else:
        study = kr.load_study(data)
        raw = yaml.safe_load((data / "study.yaml").read_text(encoding="utf-8"))
        assert "estimand" not in raw      # the study.yaml default, ATT
        ctx = kr.report.open_notebook(data, design_overrides=overrides)
        study, design = ctx.study, ctx.design
    return name, out, study, design


def _page(out: Path, stem: str) -> str:
    return _norm(_visible((out / f"{stem}.html").read_text(encoding="utf-8")))


def _norm(text: str) -> str:
    """Whitespace (also the non-breaking space before a Dutch %) as one space."""
    return re.sub(r"\s+", " ", text)


def test_pages_follow_the_analysis_object(build):
    name, out, study, design = build
    lang = design.language
    for comparator in design.comparators:
        c = prepare_comparison(study, design=design, comparator=comparator)
        page = _page(out, f"06_comparison_{comparator}")
        # estimand and target population as the object words them
        assert _norm(c.estimand_name(lang)) in page and _norm(c.population(lang)) in page
        assert _norm(c.weighting_note(lang)) in page
        assert _norm(target_sentence(c, policy=ctx_policy(design), language=lang)) in page
        # effective sample sizes, computed here from the weights, beside the estimates
        w, kow = c.weights, (c.frame["cohort"].astype(str) == c.index).to_numpy()
        ess_index = w[kow].sum() ** 2 / (w[kow] ** 2).sum()
        assert f"{c.index} {ess_index:.0f}, {comparator}" in page
        # the overlap sentence only under overlap weights
        overlap = "overlapgewichten" if lang == "nl" else "Overlap weights"
        assert (overlap in page) == (c.estimand == "ATO")
        # the hazard ratio is named for what it is, its interval for how it was made
        if c.dropout == "competing":
            assert ("subdistributie-hazardratio van betaald werk" if lang == "nl" else
                    "subdistribution hazard ratio of paid work") in page
        else:
            assert "subdistributie-hazardratio van betaald werk" not in page
            assert "subdistribution hazard ratio of paid work" not in page
        # ... and the whole sentence is the object's (the same seed gives the same bootstrap)
        hr = c.hazard_ratio()
        assert _norm(c.hazard_ratio_sentence(hr, language=lang)) in page
        # weighted: the interval says whether its bootstrap re-estimated the weights
        assert ("opnieuw schat" if lang == "nl" else "re-estimate") in page
        assert ("niet uit een hazardratio" if lang == "nl" else "not from a hazard ratio") \
            in page
    models = _page(out, "04_time_to_paid_work")
    dropout = design["time_to_work"]["dropout"]
    rmst = kr.report.narrative.say(f"nb04_rmst_caption_{dropout}", lang,
                                   tau=f"{design['tau_months']:g}")
    assert _norm(rmst) in models
    if dropout == "competing":
        assert _norm(kr.report.narrative.say("nb04_forest_caption_competing", lang)) in models
    else:
        say = kr.report.narrative.say
        assert _norm(say("nb04_models_text_single", lang, reference=design.index,
                         dropout_handling=say(f"dropout_handling_{dropout}", lang))) in models
        assert "want uitval concurreert" not in models
        assert "because dropout competes" not in models
    assert "faster paid work" not in models and "sneller betaald werk" not in models
    expected = {"simulated_ato": ("ATO", "en", "competing"),
                "kow_vs_cau_att": ("ATT", "nl", "censor")}[name]
    assert (design["estimand"], lang, dropout) == expected


def ctx_policy(design) -> DisclosurePolicy:
    return DisclosurePolicy.from_design(design["disclosure"])

