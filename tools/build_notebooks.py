"""Write the analysis notebooks (code cells only: every sentence comes from the narrative
catalogue in the chosen language). Run from the repository root."""

import sys
from pathlib import Path

import nbformat

PARAMS = '''# Parameters: `kow-research report` (papermill) overrides these.
data_dir = None          # a study folder with study.yaml; None = the simulated cohorts
output_dir = None        # folder for figures (PNG + SVG) and tables (CSV + XLSX); None = show only
language = None          # "en" or "nl"; None = the language of the study design
seed = 1                 # seed of the simulated cohorts
design_overrides = {}    # study.yaml entries to override for this run (dotted keys)'''

SETUP = '''import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import kow_research as kr

warnings.simplefilter("error", FutureWarning)   # outputs must stay free of warnings
ctx = kr.report.open_notebook(data_dir, seed=seed, language=language,
                              design_overrides=design_overrides, output_dir=output_dir)
design, study, lang = ctx.design, ctx.study, ctx.language'''

NB = {}

NB["01_data_quality"] = [PARAMS, SETUP + '''
ctx.intro("nb01_title", "nb01_question")''', '''report = kr.validate(study)
if report.ok:
    ctx.say("nb01_validation_ok", warnings=len(report.warnings))
else:
    ctx.say("nb01_validation_errors", errors=len(report.errors), warnings=len(report.warnings))
problems = report.counts()
if len(problems):
    ctx.table(problems, caption=kr.report.narrative.say("nb01_problems_caption", lang),
              stem="01_validation_problems")''', '''overview = kr.report.data_overview(study, design=design, policy=ctx.policy, language=lang)
ctx.table(overview, caption=kr.report.narrative.say("nb01_overview_caption", lang),
          stem="01_overview", notes=[ctx.policy.note(lang)])''', '''spells = kr.report.spell_counts(study, design=design, policy=ctx.policy, language=lang)
ctx.table(spells, caption=kr.report.narrative.say("nb01_spells_caption", lang),
          stem="01_spells", notes=[ctx.policy.note(lang)])''', '''ttw = kr.outcomes.time_to_paid_work(study, definition=ctx.time_to_work)
flow = kr.outcomes.attrition_table(ttw)
ax = kr.report.flow_diagram(ctx.ordered(flow), language=lang, policy=ctx.policy)
ctx.figure(ax, stem="01_participant_flow",
           caption=kr.report.narrative.say("nb01_flow_caption", lang,
                                           definition=kr.core.meta.outcome_meta(ttw).caption(lang)))''', '''entered = int(flow.loc[flow["stage"] == "entered", "n"].sum())
analysed = int(flow.loc[flow["stage"] == "analysed", "n"].sum())
if analysed == entered:
    ctx.say("nb01_conclusion_all", entered=ctx.count(entered))
else:
    ctx.say("nb01_conclusion", analysed=ctx.count(analysed), entered=ctx.count(entered),
            share=ctx.policy.percent(analysed, entered))''']

NB["02_baseline_characteristics"] = [PARAMS, SETUP + '''
ctx.intro("nb02_title", "nb02_question")''', '''people = kr.report.baseline_frame(study, design=design)
variables = kr.report.baseline_variables(people, design=design)
t1 = kr.report.table_one(ctx.ordered(people), by="cohort", variables=variables, language=lang)
# through the report's disclosure policy; the counts, percentages and SMDs go to its ledger
ctx.table(t1.published(ctx.policy).reset_index(),
          caption=kr.report.narrative.say("nb02_table_caption", lang), stem="02_table1",
          notes=[t1.caption, ctx.policy.note(lang)])''', '''if not design.comparators:
    ctx.say("nb02_single")
else:
    ctx.say("nb02_smd_caption", index=design.index)
    for other in design.comparators:
        pair = ctx.ordered(people[people["cohort"].isin([design.index, other])])
        pair_t1 = kr.report.table_one(pair, by="cohort", variables=variables, language=lang)
        # only SMDs whose counts are all shown (the others would give hidden counts away)
        ctx.register(pair_t1.published(ctx.policy), table=f"SMD {design.index} - {other}")
        smd = pair_t1.shown_smd(ctx.policy)
        big = smd[smd > 0.1].sort_values(ascending=False)
        items = ", ".join(f"{name} ({ctx.num(value, ctx.policy.smd_decimals)})"
                          for name, value in big.head(3).items())
        ctx.say("nb02_smd_line", index=design.index, comparator=other, n_big=len(big),
                n_all=len(smd), largest=kr.report.narrative.say("nb02_largest", lang, items=items)
                if len(big) else "")
    ctx.say("nb02_conclusion")''']

NB["03_participation_ladder"] = [PARAMS, SETUP + '''
by_wave = kr.outcomes.ladder_by_wave(study, waves=design["waves"],
                                     window_days=design["wave_window_days"],
                                     baseline_window=tuple(design["baseline_window_days"]),
                                     origin=design["origin"])
ctx.intro("nb03_title", "nb03_question",
          definition=kr.core.meta.outcome_meta(by_wave).caption(lang))
if by_wave["rung"].notna().sum() == 0:
    ctx.not_applicable("nb03_none")''', '''ax = kr.report.ladder_plot(ctx.ordered(by_wave), language=lang, caption="", min_count=ctx.k)
ctx.figure(ax, stem="03_ladder_by_wave",
           caption=kr.report.narrative.say("nb03_dist_caption", lang, k=ctx.k))''', '''change = kr.outcomes.ladder_change(by_wave)
summary = kr.report.ladder_change_table(change, design=design, policy=ctx.policy, language=lang)
ctx.table(summary, caption=kr.report.narrative.say("nb03_change_caption", lang),
          stem="03_ladder_change", notes=[ctx.policy.note(lang)])''', '''index_waves = design.wave_labels(design.index)
last = index_waves[-1]
transitions = kr.outcomes.ladder_transitions(by_wave, from_wave=index_waves[0], to_wave=last,
                                             cohort=design.index, language=lang)
ax = kr.report.transition_figure(transitions, policy=ctx.policy, language=lang)
ctx.figure(ax, stem="03_transitions",
           caption=kr.report.narrative.say("nb03_transition_caption", lang, a=index_waves[0],
                                           b=last, programme=design.index))''', '''common = design.common_follow_up_waves()
programmes = ctx.programme_order(by_wave["cohort"].unique())
if common and len(programmes) > 1:
    wave = common[0]
    covariates = ["cohort", "rung_baseline"] + [c for c in ("age", "smi")
                                                if c in study.participants.columns]
    model = kr.outcomes.ordinal_ladder_model(
        study, wave=wave, covariates=tuple(covariates), reference={"cohort": design.index},
        waves=design["waves"], window_days=design["wave_window_days"])
    ctx.table(model.coef, caption=kr.report.narrative.say("nb03_model_caption", lang, wave=wave),
              spec={"estimate": "ci"}, index=True, stem="03_ordinal_model")
    ctx.say("nb03_model_text", programme=kr.report.narrative.say("no_comparator", lang)
            if len(programmes) < 2 else ctx.listing(programmes[1:]), reference=design.index,
            wave=wave, n=model.n, missing=model.n_missing)
else:
    ctx.say("nb03_no_model")''', '''row = change[(change["cohort"] == design.index) & (change["wave"] == last)].dropna(
    subset=["change"])
ctx.say("nb03_conclusion", wave=last, programme=design.index,
        climbed=ctx.policy.percent(int(row["climbed"].astype(bool).sum()), len(row)),
        paid=ctx.policy.percent(int(row["reached_6"].astype(bool).sum()), len(row)))''']

NB["04_time_to_paid_work"] = [PARAMS, SETUP + '''
ttw = ctx.ordered(kr.outcomes.time_to_paid_work(study, definition=ctx.time_to_work))
meta = kr.core.meta.outcome_meta(ttw)
strategy = ctx.time_to_work.strategy_name(lang)
ctx.intro("nb04_title", "nb04_question", definition=meta.caption(lang), strategy=strategy)''', '''competing = meta.definition["dropout"] == "competing"
# Aalen–Johansen; without a competing event (dropout censored or ignored) it is 1 - Kaplan–Meier
curve = kr.survival.cumulative_incidence(ttw, cause=1, by="cohort")
ax = kr.report.incidence_plot(curve, language=lang, styles=ctx.line_styles, policy=ctx.policy)
ctx.figure(ax, stem="04_cumulative_incidence",
           caption=kr.report.narrative.say("nb04_curve_caption" if competing
                                           else "nb04_curve_caption_km", lang,
                                           strategy=strategy))''', '''horizons = [h for h in design["horizons_months"]]
at = kr.report.incidence_table(curve, months=horizons, design=design, policy=ctx.policy,
                               language=lang)
ctx.table(at, caption=kr.report.narrative.say("nb04_horizon_caption", lang, k=ctx.k,
                                              horizons=ctx.listing([str(h) for h in horizons])),
          stem="04_incidence_by_horizon")''', '''programmes = ctx.programme_order(ttw["cohort"].unique())
if len(programmes) > 1:
    gray = kr.survival.gray_test(ttw, by="cohort", cause=1) if competing else \\
        kr.survival.logrank(ttw, by="cohort", cause=1)
    ctx.say("nb04_gray", stat=ctx.num(gray.statistic), df=gray.df, p=ctx.p(gray.p_value))''', '''mf = kr.report.model_frame(ttw, study=study, design=design)
terms = (["cohort"] if len(programmes) > 1 else []) + mf.covariates
fits = kr.report.fit_hazard_models(mf, design=design, terms=terms, competing=competing,
                                   reference={"cohort": design.index} if "cohort" in terms
                                   else None)
csh, fg = fits["csh"], fits["fg"]
ctx.table(kr.report.hazard_table(csh, fg=fg, language=lang),
          caption=kr.report.narrative.say("nb04_models_caption", lang),
          stem="04_hazard_models", notes=[mf.note(lang, policy=ctx.policy)])
if competing:
    ctx.say("nb04_models_text", reference=design.index)
else:
    ctx.say("nb04_models_text_single", reference=design.index,
            dropout_handling=kr.report.narrative.say(
                f"dropout_handling_{meta.definition['dropout']}", lang))''', '''ax = kr.report.forest_plot(kr.report.forest_models(csh, fg=fg, language=lang), language=lang,
                           caption="")
ctx.figure(ax, stem="04_forest", caption=kr.report.narrative.say(
    "nb04_forest_caption_competing" if fg is not None else "nb04_forest_caption", lang))
if fits["imputed"] is None:
    worst = csh.zph["p"].idxmin()
    ctx.say("nb04_zph", p=ctx.p(csh.zph.loc[worst, "p"]),
            term=kr.report.term_label(worst, language=lang))''', '''tau_days = design["tau_months"] * kr.core.units.DAYS_PER_MONTH
rm = kr.survival.rmst(ttw, tau=tau_days, by="cohort",
                      estimand="event_free_competing" if competing else "event_free_censored")
table = rm.table.assign(rmst=rm.table["rmst"] / kr.core.units.DAYS_PER_MONTH,
                        lower=rm.table["lower"] / kr.core.units.DAYS_PER_MONTH,
                        upper=rm.table["upper"] / kr.core.units.DAYS_PER_MONTH)[
    ["group", "rmst", "lower", "upper"]]
# the caption names the estimand: dropout competing, censored or ignored
ctx.table(table, caption=kr.report.narrative.say(f"nb04_rmst_caption_{meta.definition['dropout']}",
                                                 lang, tau=f"{design['tau_months']:g}"),
          spec={"rmst": "ci:1"}, labels={"group": ("Programme", "Programma"),
                                         "rmst": ("Months without paid work",
                                                  "Maanden zonder betaald werk")},
          stem="04_restricted_mean")''', '''month = design["horizons_months"][min(1, len(design["horizons_months"]) - 1)]
side = kr.report.strategy_table(study, design=design, month=month, policy=ctx.policy,
                                language=lang)
ctx.table(side, caption=kr.report.narrative.say("nb04_strategies_caption", lang, month=month),
          stem="04_dropout_strategies")
ctx.say("nb04_strategies_text")''', '''context = kr.report.published_context(study, design=design, language=lang)
ctx.table(context, caption=kr.report.narrative.say("nb06_context_caption", lang),
          stem="04_published_context",
          notes=[kr.report.narrative.say("nb06_context_note", lang, index=design.index),
                 kr.report.narrative.say("nb06_context_interval_note", lang)])''', '''year = curve.at([month * kr.core.units.DAYS_PER_MONTH]).set_index("group")["estimate"]
others = [f"{ctx.pct(year[p])} in {p}" if lang == "en" else f"{ctx.pct(year[p])} in {p}"
          for p in programmes[1:]]
ctx.say("nb04_conclusion", month=month, risk=ctx.pct(year[design.index]), index=design.index,
        strategy=strategy, others=kr.report.narrative.say("nb04_others", lang,
                                                          items=ctx.listing(others))
        if others else "")''']

NB["05_dropout_and_dose"] = [PARAMS, SETUP + '''
ctx.intro("nb05_title", "nb05_question")''', '''drop = ctx.ordered(kr.outcomes.dropout(study))
ctx.table(kr.report.dropout_table(drop, design=design, policy=ctx.policy, language=lang),
          caption=kr.report.narrative.say("nb05_dropout_caption", lang), stem="05_dropout",
          notes=[ctx.policy.note(lang)])
ctx.table(kr.report.reason_table(drop, design=design, policy=ctx.policy, language=lang),
          caption=kr.report.narrative.say("nb05_reasons_caption", lang),
          stem="05_dropout_reasons", notes=[ctx.policy.note(lang)])''', '''km = kr.survival.kaplan_meier(drop, cause=1, by="cohort")
ax = kr.report.incidence_plot(km, language=lang, styles=ctx.line_styles, policy=ctx.policy)
ctx.figure(ax, stem="05_time_to_dropout",
           caption=kr.report.narrative.say("nb05_curve_caption", lang))''', '''dose = kr.outcomes.training_dose(study, planned=design["planned_sessions"] or None,
                                 completer_fraction=design["completer_fraction"])
if len(dose) == 0:
    ctx.say("nb05_no_sessions")
else:
    ax = kr.report.dose_plot(dose, design=design, policy=ctx.policy, language=lang,
                             styles=ctx.styles)
    ctx.figure(ax, stem="05_dose", caption=kr.report.narrative.say("nb05_dose_caption", lang))''', '''planned = (design["planned_sessions"] or {}).get(design.index)
has_sessions = bool(planned) and (study.sessions["participant_id"].isin(
    study.participants.loc[study.participants["cohort"] == design.index, "participant_id"])).any()
if has_sessions:
    # the dose models adjust for age and SMI where they vary enough within the programme
    index_ttw = kr.outcomes.time_to_paid_work(study, definition=ctx.time_to_work)
    index_mf = kr.report.model_frame(index_ttw[index_ttw["cohort"] == design.index], study=study,
                                     design=design, covariates=[
                                         c for c in ("age", "smi") if c in design["covariates"]])
    covariates = tuple(index_mf.covariates)
    if index_mf.constant:
        ctx.say("nb05_sentence", sentence=index_mf.note(lang, policy=ctx.policy))
    landmark = kr.outcomes.landmark_dose(study, cohort=design.index, outcome=ctx.time_to_work,
                                         covariates=covariates, planned={design.index: planned},
                                         completer_fraction=design["completer_fraction"])
    ctx.say("nb05_landmark_caption")
    ctx.say("nb05_sentence", sentence=landmark.sentence(lang))
    varying = kr.outcomes.time_varying_dose(study, cohort=design.index, covariates=covariates,
                                            planned={design.index: planned},
                                            completer_fraction=design["completer_fraction"])
    ctx.say("nb05_sentence", sentence=varying.sentence(lang))''', '''index_drop = drop[drop["cohort"] == design.index]
index_dose = dose[dose["cohort"] == design.index] if len(dose) else dose
ctx.say("nb05_conclusion", index=design.index,
        dropout=ctx.policy.percent(int(index_drop["dropped"].sum()), len(index_drop)),
        dose=ctx.pct(float(index_dose["dose"].mean())) if len(index_dose) else "–")''']

NB["06_comparison"] = [PARAMS + """
comparator = None        # the comparator programme (the report runs this notebook once per comparator)""",
SETUP + """
comparator = comparator or (design.comparators[0] if design.comparators else None)
if comparator is None:
    ctx.not_applicable("nb06_no_comparator", index=design.index)
comparison = kr.report.prepare_comparison(study, design=design, comparator=comparator)
if comparison.randomised:
    ctx.intro("nb06_title", "nb06_question_randomised", index=design.index,
              comparator=comparator)
else:
    ctx.intro("nb06_title", "nb06_question_weighted", index=design.index,
              comparator=comparator, population=comparison.population(lang),
              estimand_name=comparison.estimand_name(lang), target=comparison.target(lang),
              covariates=ctx.listing([kr.report.formatting.in_sentence(
                  kr.report.term_label(c, language=lang)) for c in comparison.covariates]))
if comparison.n_dropped:
    ctx.say("nb06_missing", n=ctx.count(comparison.n_dropped))
if comparison.model.imputed:
    ctx.say("nb06_imputed", m=design["imputations"])
if comparison.dropped_horizons:
    ctx.say("nb06_horizons_dropped", index=design.index, comparator=comparator,
            months=ctx.listing([f"{m:g}" for m in comparison.dropped_horizons]))""",
"""if comparison.propensity is not None:
    groups = comparison.propensity.by_group
    ctx.say("nb06_ess", index=design.index, comparator=comparator,
            ess_index=ctx.num(groups.loc[design.index, "ess"], 0),
            ess_comparator=ctx.num(groups.loc[comparator, "ess"], 0),
            n_index=ctx.count(groups.loc[design.index, "n"]),
            n_comparator=ctx.count(groups.loc[comparator, "n"]))
    if comparison.fragile:
        ctx.say("nb06_fragile", ess=kr.report.comparison.FRAGILE_ESS)
    ctx.table(kr.report.target_table(comparison, policy=ctx.policy, language=lang),
              caption=kr.report.narrative.say("nb06_target_caption", lang,
                                              estimand=comparison.estimand),
              stem=f"06_target_population_{comparator}",
              notes=[kr.report.narrative.say("nb06_target_note", lang,
                                             estimand=comparison.estimand),
                     ctx.policy.note(lang)])
    ctx.say("sentence", sentence=kr.report.target_sentence(comparison, policy=ctx.policy,
                                                           language=lang))
    ax = kr.report.balance_figure(comparison, language=lang, styles=ctx.styles,
                                  min_count=ctx.k)
    ctx.figure(ax, stem=f"06_balance_{comparator}",
               caption=kr.report.narrative.say("nb06_balance_caption_panels", lang,
                                               estimand=comparison.estimand))
    if comparison.estimand == "ATO":
        ctx.say("sentence", sentence=comparison.overlap_sentence(language=lang))""",
"""curve = kr.compare.weighted_curves(comparison.frame, treatment="cohort", treated=design.index,
                                   weights=comparison.weights, cause=1)
ax = kr.report.incidence_plot(curve, language=lang, styles=ctx.line_styles, policy=ctx.policy)
ctx.figure(ax, stem=f"06_weighted_incidence_{comparator}",
           caption=". ".join(filter(None, [kr.report.narrative.say(
               "nb06_curve_caption", lang, index=design.index, comparator=comparator),
               comparison.weighting_note(lang)])))""",
"""result = comparison.effects()
ctx.table(kr.report.effect_table(result, comparison=comparison, language=lang),
          caption=kr.report.narrative.say("nb06_effects_caption", lang, index=design.index,
                                          comparator=comparator),
          stem=f"06_effects_{comparator}", data=result.table,
          notes=[comparison.effects_note(result, language=lang),
              *([comparison.weighting_note(lang)] if not comparison.randomised else []),
              kr.report.narrative.say(f"nb06_rmst_note_{comparison.dropout}", lang),
              *([] if comparison.randomised or design["separation"] == "error" else [
                  kr.report.narrative.say(f"separation_{design['separation']}", lang,
                                          min_count=kr.compare.separation.MIN_LEVEL_COUNT)])])""",
"""hr = comparison.hazard_ratio()
ctx.say("sentence", sentence=comparison.hazard_ratio_sentence(hr, language=lang))
month = comparison.main_horizon
ctx.say("sentence", sentence=comparison.evalue_sentence(result, language=lang))""",
"""t = result.table.assign(h=result.table["horizon_months"].astype(float)).set_index(
    ["measure", "h"])
risk_i = t.loc[("risk_treated", month)]
risk_c = t.loc[("risk_control", month)]
rd = t.loc[("risk_difference", month)]
ctx.say("nb06_conclusion" if comparison.randomised else "nb06_conclusion_weighted",
        month=f"{month:g}", index=design.index, comparator=comparator,
        estimand=comparison.estimand,
        risk_index=ctx.pct(risk_i["estimate"]), risk_comparator=ctx.pct(risk_c["estimate"]),
        rd=ctx.ci(100 * rd["estimate"], 100 * rd["lower"], 100 * rd["upper"], decimals=1),
        population=comparison.population(lang) + comparison.ess_inline(lang),
        direction=kr.report.narrative.say(
            "nb06_direction_more" if rd["lower"] > 0 else "nb06_direction_less"
            if rd["upper"] < 0 else "nb06_direction_unclear", lang, index=design.index),
        caveat=kr.report.narrative.say("nb06_caveat_randomised" if comparison.randomised
                                       else "nb06_caveat_fragile" if comparison.fragile
                                       else "nb06_caveat_weighted", lang,
                                       ess=kr.report.comparison.FRAGILE_ESS))"""]

PARAMS_08 = """# Parameters: `kow-research report` (papermill) overrides these.
data_dir = None      # not used: a design is made before there are data
output_dir = None    # folder for figures (PNG + SVG) and tables (CSV + XLSX); None = show only
language = None      # "en" or "nl" (None = "en"): every sentence, table and figure label
seed = 1             # seed of the simulations
design_overrides = {}  # not used (the design assumptions are the parameters below)
index = "KOW"        # the programme evaluated (its simulator gives the participants' case mix)
comparator = "CAU"   # the comparison arm: care as usual
hr = 1.5                   # hazard ratio of paid work to detect (programme vs comparator)
control_hazard = 0.03      # comparator's hazard of paid work per month
dropout_per_month = 0.025  # dropout hazard per month (a competing event)
loss_per_month = 0.006     # loss to follow-up per month
accrual_months = 24        # recruitment period
follow_up_months = 12      # follow-up after the last participant entered
horizon_months = None      # paid work within this many months of the start (None: all)
alpha = 0.05               # two-sided significance level
target_power = 0.8         # power wanted
n_sim = 200                # simulated trials (and as many without an effect)
n_jobs = 2                 # processes for the simulations"""

NB["08_study_design"] = [PARAMS_08, """import io
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Image, Markdown, display

import kow_research as kr
from kow_research.report.formatting import format_percent, format_table

warnings.simplefilter("error", FutureWarning)   # outputs must stay free of warnings
lang = kr.report.labels.check_language(language or "en")
out = None if output_dir is None else Path(output_dir)
if out is not None:
    out.mkdir(parents=True, exist_ok=True)


def say(key, **fields):
    display(Markdown(kr.report.narrative.say(key, lang, **fields)))


def pct(p, decimals=0):
    return format_percent(p, language=lang, decimals=decimals)


def num(x, decimals=2):
    return kr.report.formatting.format_number(x, language=lang, decimals=decimals)


def table(frame, *, caption, stem, spec=None, labels=None):
    display(Markdown(f"**{caption}**"))
    meta = {"kow_research": {"file": f"results/{stem}", "caption": caption}} if out else None
    shown = format_table(frame, spec=spec, language=lang, labels=labels)
    display(HTML(shown.to_html(index=False, escape=True, border=0, classes="kow-table")),
            metadata=meta)
    if out is not None:
        kr.report.export.export_table(frame, path_stem=out / stem, caption=caption,
                                      language=lang, spec=spec, labels=labels)


def figure(fig, *, stem, caption):
    paths = kr.report.save_figure(fig, stem=stem, output_dir=out)
    if paths:
        data = paths[0].read_bytes()
    else:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight",
                    metadata={"Software": None})
        data = buffer.getvalue()
    plt.close(fig)
    meta = {"kow_research": {"file": f"results/{stem}", "caption": caption}} if paths else None
    display(Image(data=data, format="png", alt=caption, width=620), metadata=meta)
    display(Markdown(f"<small>{caption}</small>"))


say("nb08_title")
say("nb08_question", index=index)
say("nb08_assumptions", index=index, comparator=comparator, share=pct(0.5), hr=num(hr, 1),
    accrual=accrual_months, follow_up=follow_up_months)""",
"""say("nb08_analytic_heading")
say("nb08_analytic_text")
analytic = kr.design.sample_size(
    outcome="competing_cause_specific", hr=hr, hazard_control=control_hazard,
    competing_hazard=dropout_per_month, accrual=accrual_months, follow_up=follow_up_months,
    loss_hazard=loss_per_month, alpha=alpha, power=target_power)
display(Markdown(analytic.sentence(lang)))
arms = {"programme": index, "control": comparator,
        "total": kr.report.narrative.say("nb08_total", lang)}
table(analytic.table.assign(arm=analytic.table["arm"].map(arms)),
      caption=kr.report.narrative.say("nb08_analytic_caption", lang), stem="08_analytic",
      spec={"p_event": "percent:1", "events": "number:1"},
      labels={"p_event": ("Probability of observing paid work",
                          "Kans dat betaald werk wordt waargenomen"),
              "events": ("Expected entries into paid work",
                         "Verwachte overgangen naar betaald werk")})""",
"""say("nb08_sim_heading")
say("nb08_sim_text", index=index, n_sim=n_sim)
design = kr.design.trial_design_from(analytic, cohort=index, arms=(index, comparator),
                                     horizon_months=horizon_months)
sim = kr.design.power_by_simulation(design, analysis=["cox", "fine_gray"], n_sim=n_sim,
                                    seed=seed, alpha=alpha, truth_n=10_000, truth_blocks=4,
                                    n_jobs=n_jobs)
short = kr.design.simulation_results.SHORT
side = pd.DataFrame({
    "method": [kr.report.narrative.say("nb08_row_analytic", lang)]
    + [kr.report.narrative.say("nb08_row_simulated", lang, model=short[m]) for m in sim.table.index],
    "power": [analytic.achieved_power, *sim.table["power"]],
    "lower": [np.nan, *sim.table["power_lower"]], "upper": [np.nan, *sim.table["power_upper"]],
    "type1": [alpha, *sim.table["type1"]],
    "events": [analytic.expected_events, *sim.table["mean_events"]]})
table(side, caption=kr.report.narrative.say("nb08_side_caption", lang, n_sim=n_sim),
      stem="08_power_analytic_and_simulated",
      spec={"power": "percent:1", "lower": "percent:1", "upper": "percent:1",
            "type1": "percent:1", "events": "number:1"},
      labels={"method": ("Method", "Methode"), "power": ("Power", "Onderscheidend vermogen"),
              "type1": ("Type I error", "Fout van de eerste soort"),
              "events": ("Entries into paid work", "Overgangen naar betaald werk")})""",
"""bias = sim.table[["true_value", "mean_estimate", "bias", "bias_mcse", "empirical_se",
                   "mean_se", "coverage", "n_failed"]].reset_index()
bias["analysis"] = bias["analysis"].map(short)
table(bias, caption=kr.report.narrative.say("nb08_bias_caption", lang), stem="08_bias_coverage",
      spec={"true_value": "number:3", "mean_estimate": "number:3", "bias": "number:3",
            "bias_mcse": "number:3", "empirical_se": "number:3", "mean_se": "number:3",
            "coverage": "percent:1", "n_failed": "integer"},
      labels={"analysis": ("Analysis", "Analyse"), "true_value": ("True value", "Ware waarde"),
              "mean_estimate": ("Mean estimate", "Gemiddelde schatting"),
              "bias": ("Bias", "Vertekening"), "bias_mcse": ("Monte Carlo SE of the bias",
                                                            "Monte-Carlo-SE van de vertekening"),
              "empirical_se": ("Empirical SE", "Empirische SE"),
              "mean_se": ("Mean model SE", "Gemiddelde model-SE"),
              "coverage": ("Coverage of the 95% CI", "Dekking van het 95%-BI"),
              "n_failed": ("Failed fits", "Mislukte schattingen")})""",
"""fig, axes = plt.subplots(2, 1, figsize=kr.report.style.figure_size(16, 11))
sim.plot(ax=axes[0], language=lang)
sim.plot(ax=axes[1], kind="estimates", language=lang)
fig.tight_layout()
figure(fig, stem="08_power_by_simulation",
       caption=kr.report.narrative.say("nb08_sim_figure_caption", lang))
say("nb08_sim_after", events_analytic=num(analytic.expected_events, 0),
    events_simulated=num(sim.table.loc["cox", "mean_events"], 0))""",
"""say("nb08_curve_heading")
sizes = [analytic.n_total // 2, analytic.n_total, 3 * analytic.n_total // 2]
say("nb08_curve_text", n_sim=80, sizes=kr.report.narrative.say(
    "nb08_three", lang, a=sizes[0], b=sizes[1], c=sizes[2]))
curve = kr.design.power_curve(design, analysis="cox", n_total=sizes, hr=[hr], n_sim=80,
                              seed=seed, alpha=alpha, n_jobs=n_jobs)
ax = curve.plot(language=lang, target=target_power)
figure(ax.figure, stem="08_power_curve",
       caption=kr.report.narrative.say("nb08_curve_caption", lang, hr=num(hr, 1)))
table(curve.table[["n_total", "power", "lower", "upper", "mean_events"]],
      caption=kr.report.narrative.say("nb08_curve_table_caption", lang), stem="08_power_curve_table",
      spec={"n_total": "integer", "power": "percent:1", "lower": "percent:1",
            "upper": "percent:1", "mean_events": "number:1"},
      labels={"n_total": ("Participants (total)", "Deelnemers (totaal)"),
              "power": ("Power", "Onderscheidend vermogen"),
              "mean_events": ("Entries into paid work (mean)",
                              "Overgangen naar betaald werk (gemiddeld)")})""",
"""say("nb08_recruit_heading")
sites = pd.DataFrame({"site": [kr.report.narrative.say("nb08_site", lang, i=i)
                               for i in range(1, 5)],
                      "opens": [0, 1, 2, 3], "referrals_per_month": 15.0, "prior_months": 2,
                      "eligible": 0.6, "eligible_prior_n": 20, "consent": 0.6,
                      "consent_prior_n": 20})
plan = kr.design.recruitment_forecast(sites, target=analytic.n_total, deadline=accrual_months,
                                      n_sim=2000, seed=seed)
# six months of (synthetic) screening logs: few referrals, and few of them eligible or willing
rng = np.random.default_rng(seed)
as_of = 6
months_open = [(s, m) for s, o in zip(sites["site"], sites["opens"]) for m in range(o, as_of)]
referred = rng.poisson(4, len(months_open))
eligible = rng.binomial(referred, 0.35)
observed = pd.DataFrame({"site": [s for s, _ in months_open], "month": [m for _, m in months_open],
                         "referred": referred, "eligible": eligible,
                         "consented": rng.binomial(eligible, 0.4)})
forecast = kr.design.recruitment_forecast(sites, target=analytic.n_total,
                                          deadline=accrual_months, observed=observed,
                                          n_sim=2000, seed=seed)
say("nb08_recruit_text", sites=len(sites), referrals=num(sites["referrals_per_month"].iloc[0], 0),
    eligible=pct(sites["eligible"].iloc[0]), consent=pct(sites["consent"].iloc[0]),
    as_of=f"{forecast.as_of:g}", target=forecast.target, deadline=f"{forecast.deadline:g}")
fig, axes = plt.subplots(2, 1, figsize=kr.report.style.figure_size(16, 15), sharex=True)
plan.plot(ax=axes[0], language=lang)
forecast.plot(ax=axes[1], language=lang)
axes[0].set_xlabel("")
# the lower panel's legend lists only what the upper one lacks (the observed counts)
known = set(axes[0].get_legend_handles_labels()[1])
handles = [(h, t) for h, t in zip(*axes[1].get_legend_handles_labels()) if t not in known]
axes[1].legend(*zip(*handles), loc="upper left", frameon=False, fontsize=8)
fig.tight_layout()
figure(fig, stem="08_recruitment_forecast",
       caption=kr.report.narrative.say("nb08_recruit_figure_caption", lang,
                                       as_of=f"{forecast.as_of:g}"))


def reached(result):
    month = float(result.target_time["month"].iloc[1])
    return num(month, 1) if np.isfinite(month) else kr.report.narrative.say("nb08_not_reached", lang)


table(pd.DataFrame({
    "forecast": [kr.report.narrative.say("nb08_row_plan", lang),
                 kr.report.narrative.say("nb08_row_after", lang, month=f"{forecast.as_of:g}")],
    "probability": [plan.probability, forecast.probability],
    "recruited": [plan.observed_total, forecast.observed_total],
    "median_month": [reached(plan), reached(forecast)]}),
    caption=kr.report.narrative.say("nb08_recruit_table_caption", lang, target=forecast.target,
                                    deadline=f"{forecast.deadline:g}"),
    stem="08_recruitment_probability",
    spec={"probability": "number:2", "recruited": "integer", "median_month": "text"},
    labels={"forecast": ("Forecast", "Prognose"),
            "probability": ("P(target by the end of accrual)",
                            "P(doel uiterlijk aan het einde van de werving)"),
            "recruited": ("Recruited so far", "Tot nu toe geworven"),
            "median_month": ("Median month the target is reached",
                             "Mediane maand waarin het doel wordt gehaald")})""",
"""say("nb08_proposal_heading")
say("nb08_proposal_text")
for paragraph in (analytic.sentence(lang), sim.sentence(lang),
                  curve.sentence(lang, target=target_power)):
    display(Markdown(paragraph))""",
"""cox = sim.table.loc["cox"]
say("nb08_conclusion", n=analytic.n_total, power=pct(analytic.achieved_power), index=index,
    sim_power=pct(cox["power"]), sim_lower=pct(cox["power_lower"]),
    sim_upper=pct(cox["power_upper"]), type1=pct(cox["type1"], 1))
if cox["power_upper"] < target_power:
    say("nb08_below_target", target=pct(target_power))
say("nb08_recruitment_line", target=forecast.target, deadline=f"{forecast.deadline:g}",
    probability=num(forecast.probability), as_of=f"{forecast.as_of:g}",
    recruited=forecast.observed_total, plan_probability=num(plan.probability))"""]


def build(name, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    if name == "06_comparison":
        # the report runs it once per comparator of the design (parameter `comparator`)
        nb.metadata["kow_research"] = {"per_comparator": True}
    out = []
    for i, src in enumerate(cells):
        cell = nbformat.v4.new_code_cell(src)
        cell.id = f"{name[:2]}-{i:02d}"
        if i == 0:
            cell.metadata["tags"] = ["parameters"]
        out.append(cell)
    nb.cells = out
    path = Path("notebooks") / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    print("wrote", path)


if __name__ == "__main__":
    names = sys.argv[1:] or list(NB)
    for n in names:
        build(n, NB[n])
