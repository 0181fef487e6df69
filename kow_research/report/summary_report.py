"""The summary report for funders and co-authors: ``summary.html``, ``summary.docx`` and
``summary.pdf``.

One executive-summary page, then the key outcomes per programme with 95 % confidence intervals
(paid work at the design's horizons, ladder rung ≥ 5 and 6 per wave, dropout, sessions
attended), the comparison of the index programme with each comparator (risk difference and
ratio, subdistribution hazard ratio, estimand, target population, effective numbers), the
published context, a methods paragraph generated from the definitions and parameters, the main
figures and the provenance. Every sentence is generated from the analysis objects in the
report language; counts pass through the disclosure policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research._version import __version__
from kow_research.compare import wilson
from kow_research.compare.separation import MIN_LEVEL_COUNT as SEPARATION_MIN_COUNT
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign
from kow_research.outcomes.dose import training_dose
from kow_research.outcomes.dropout import dropout
from kow_research.outcomes.ladder import ladder_by_wave
from kow_research.outcomes.time_to_work import attrition_table, time_to_paid_work
from kow_research.report import provenance as prov
from kow_research.report.analysis import incidence_table, term_label, time_to_work_definition
from kow_research.report.comparison import (
    FRAGILE_ESS,
    Comparison,
    prepare_comparison,
    published_context,
    ratio_ci,
)
from kow_research.report.document import (
    Document,
    Figure,
    Heading,
    KeyValue,
    Paragraph,
    Table,
    to_docx,
    to_html,
    to_pdf,
)
from kow_research.report.formatting import format_ci, format_percent, in_sentence
from kow_research.report.labels import check_language
from kow_research.report.ledger_sidecar import record_table, with_ledger
from kow_research.report.narrative import say as narrative_say
from kow_research.report.policy import DisclosurePolicy
from kow_research.survival import cumulative_incidence, kaplan_meier

_TEXT: dict[str, tuple[str, str]] = {
    "subtitle": ("Summary report", "Samenvattend rapport"),
    "summary": ("Summary", "Samenvatting"),
    "key": ("Key outcomes", "Belangrijkste uitkomsten"),
    "comparisons": ("Comparisons", "Vergelijkingen"),
    "context": ("Published context", "Gepubliceerde context"),
    "methods": ("Methods", "Methoden"),
    "figures": ("Figures", "Figuren"),
    "provenance": ("Provenance", "Herkomst"),
    "people": ("{n} participants took part: {items}.", "Er namen {n} deelnemers deel: {items}."),
    "work": ("By {month} months, {value} of the {index} participants had started regular paid "
             "work ({strategy}).",
             "Na {month} maanden was {value} van de {index}-deelnemers begonnen met regulier "
             "betaald werk ({strategy})."),
    "work_others": ("For comparison (unadjusted): {items}.",
                    "Ter vergelijking (niet gecorrigeerd): {items}."),
    "dropout": ("{value} of the {index} participants dropped out within {tau} months "
                "(Kaplan–Meier).", "{value} van de {index}-deelnemers viel binnen {tau} maanden "
                "uit (Kaplan–Meier)."),
    "compare": ("Compared with {comparator} ({estimand}, for {population}): a difference of "
                "{rd} percentage points in paid work at {month} months. {direction}",
                "Vergeleken met {comparator} ({estimand}, voor {population}): een verschil van "
                "{rd} procentpunten in betaald werk na {month} maanden. {direction}"),
    "more": ("The interval lies above zero.", "Het interval ligt boven nul."),
    "less": ("The interval lies below zero.", "Het interval ligt onder nul."),
    "unclear": ("The interval includes zero: no difference shown.",
                "Het interval bevat nul: geen verschil aangetoond."),
    "fragile": ("After weighting, {comparator} or {index} counts as fewer than {ess} people "
                "(effective sample size): the cohorts overlap poorly and this difference is not "
                "robust evidence.",
                "Na weging telt {comparator} of {index} als minder dan {ess} personen "
                "(effectieve steekproefgrootte): de cohorten overlappen slecht en dit verschil "
                "is geen robuust bewijs."),
    "observational": ("Comparisons between programmes that were not randomised remove "
                      "differences in measured characteristics only.",
                      "Vergelijkingen tussen niet-gerandomiseerde programma's nemen alleen "
                      "verschillen in gemeten kenmerken weg."),
    "simulated": ("These results come from simulated data and say nothing about the "
                  "programmes themselves.", "Deze resultaten komen uit gesimuleerde gegevens en "
                  "zeggen niets over de programma's zelf."),
    "t_work": ("Share in regular paid work (cumulative incidence, 95% CI)",
               "Aandeel met regulier betaald werk (cumulatieve incidentie, 95%-BI)"),
    "t_ladder": ("Participation ladder: share at rung 5 or higher and at rung 6 (paid work), "
                 "by wave (95% CI)", "Participatieladder: aandeel op trede 5 of hoger en op "
                 "trede 6 (betaald werk), per meting (95%-BI)"),
    "t_dropout": ("Dropout and sessions attended", "Uitval en bijgewoonde bijeenkomsten"),
    "t_compare": ("Comparison of {index} with each comparator",
                  "Vergelijking van {index} met elke vergelijkingsgroep"),
    "t_context": ("Published employment figures and ours at the same horizon",
                  "Gepubliceerde cijfers over werk en de onze op dezelfde termijn"),
    "f_work": ("Cumulative incidence of regular paid work by programme",
               "Cumulatieve incidentie van regulier betaald werk per programma"),
    "f_weighted": ("Weighted cumulative incidence of paid work, {index} and {comparator}",
                   "Gewogen cumulatieve incidentie van betaald werk, {index} en {comparator}"),
    "programme": ("Programme", "Programma"),
    "wave": ("Wave", "Meting"),
    "assessed": ("Assessed", "Gemeten"),
    "rung5": ("Rung ≥ 5", "Trede ≥ 5"),
    "rung6": ("Rung 6", "Trede 6"),
    "n": ("n", "n"),
    "dropped": ("Dropped out within {tau} months", "Uitgevallen binnen {tau} maanden"),
    "sessions": ("Sessions attended, % of planned (mean, 95% CI)",
                 "Bijgewoonde bijeenkomsten, % van gepland (gemiddelde, 95%-BI)"),
    "comparator": ("Comparator", "Vergelijkingsgroep"),
    "estimand": ("Estimand", "Estimand"),
    "population": ("Target population", "Doelpopulatie"),
    "ess": ("Effective n ({index} / comparator)", "Effectieve n ({index} / vergelijking)"),
    "rd": ("Risk difference at {month} months (pp)", "Risicoverschil na {month} maanden (pp)"),
    "rr": ("Risk ratio at {month} months", "Risicoratio na {month} maanden"),
    "shr": ("Subdistribution HR", "Subdistributie-HR"),
    "not_estimable": ("not estimable", "niet te schatten"),
    "no_sessions": ("–", "–"),
    "ladder_note": ("Rung at each wave within ±{window} days of the planned date; people "
                    "without an assessment then are not in the denominator (not imputed).",
                    "Trede per meting binnen ±{window} dagen van de geplande datum; wie toen "
                    "niet gemeten is telt niet mee in de noemer (niet geïmputeerd)."),
    "compare_note": ("pp: percentage points; {index} − comparator.",
                     "pp: procentpunten; {index} − vergelijkingsgroep."),
}

_METHODS = (
    "**Data.** {n} participants of {programmes}. {attrition} **Time to paid work**: {ttw} "
    "The share in paid work is the Aalen–Johansen cumulative incidence with 95% confidence "
    "intervals; differences between programmes are tested with Gray's test and described by "
    "cause-specific Cox and Fine–Gray models adjusted for {covariates} (missing values: "
    "{missing}). **Participation ladder**: the rung at waves {waves} months, within "
    "±{window} days of each planned date. **Dropout**: Kaplan–Meier, censored at the end of "
    "follow-up. **Comparisons**: {comparison} Intervals are bootstrap intervals from {n_boot} "
    "replicates (persons resampled{reweight}), seed {seed}. **Disclosure control**: counts of "
    "fewer than {k} people are not shown, nor any number from which they could be derived.",
    "**Gegevens.** {n} deelnemers van {programmes}. {attrition} **Tijd tot betaald werk**: "
    "{ttw} Het aandeel met betaald werk is de cumulatieve incidentie volgens Aalen–Johansen "
    "met 95%-betrouwbaarheidsintervallen; verschillen tussen programma's worden getoetst met "
    "de toets van Gray en beschreven met oorzaakspecifieke Cox- en Fine–Gray-modellen, "
    "gecorrigeerd voor {covariates} (ontbrekende waarden: {missing}). "
    "**Participatieladder**: de trede bij de metingen na {waves} maanden, binnen ±{window} "
    "dagen van de geplande datum. **Uitval**: Kaplan–Meier, gecensureerd aan het eind van de "
    "follow-up. **Vergelijkingen**: {comparison} Intervallen zijn bootstrap-intervallen uit "
    "{n_boot} replicaties (personen opnieuw getrokken{reweight}), seed {seed}. "
    "**Bescherming tegen herleidbaarheid**: aantallen van minder dan {k} personen worden niet "
    "getoond, en ook geen getal waaruit ze af te leiden zijn.")

_MISSING = {"complete_cases": ("complete cases, the people left out counted",
                               "complete cases, de weggelaten personen geteld"),
            "missing_indicator": ("a missing-value indicator", "een indicator voor ontbreken"),
            "multiple_imputation": ("multiple imputation by chained equations, pooled by "
                                    "Rubin's rules", "meervoudige imputatie (chained "
                                    "equations), gepoold met de regels van Rubin"),
            "multiple_imputation_smcfcs": (
                "multiple imputation compatible with the Cox models (SMC-FCS), pooled by "
                "Rubin's rules", "meervoudige imputatie passend bij de Cox-modellen "
                "(SMC-FCS), gepoold met de regels van Rubin")}


def _missing_text(design: StudyDesign, nl: int) -> str:
    """How the hazard models handle missing covariates, as the methods paragraph says it."""
    key = design["missing_covariates"]
    if key == "multiple_imputation" and design["imputation_model"] == "smcfcs":
        key = "multiple_imputation_smcfcs"
    return _MISSING[key][nl]


def _t(key: str, language: str, **fields: Any) -> str:
    text = _TEXT[key][check_language(language) == "nl"]
    return text.format(**fields) if fields else text


def _listing(items: Sequence[str], language: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" en " if language == "nl" else " and ") + items[-1]


def _pct_ci(est: float, lo: float, hi: float, language: str) -> str:
    return format_ci(est, lower=lo, upper=hi, language=language, decimals=0, percent=True)


def ladder_table(study: Study, *, design: StudyDesign, policy: DisclosurePolicy,
                 language: str = "en") -> pd.DataFrame:
    """Share at rung ≥ 5 and at rung 6 per programme and wave, with Wilson intervals.

    Parameters
    ----------
    study : Study
    design : StudyDesign
    policy : DisclosurePolicy
        A share is not shown when the people at (or not at) the rung are fewer than ``k``.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        Programme, wave, number assessed, rung ≥ 5, rung 6.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> ladder_table(s, design=d, policy=DisclosurePolicy.default())["Wave"].tolist()
    ['T0', 'T6', 'T12', 'T18']
    """
    lang = check_language(language)
    by_wave = ladder_by_wave(study, waves=design["waves"],
                             window_days=design["wave_window_days"],
                             baseline_window=tuple(design["baseline_window_days"]),
                             origin=design["origin"])
    rows = []
    ids = []
    sizes = []
    for programme in design.programmes:
        mine = by_wave[by_wave["cohort"].astype(str) == programme]
        for month, g in mine.groupby("wave_month", sort=True):
            rung = g["rung"].dropna().astype(int)
            n = len(rung)
            # assessed + not assessed = the cohort: hidden as in tables/ladder_by_wave
            pair = pd.DataFrame({"assessed": [n], "not_assessed": [len(g) - n]})
            why = policy.reasons(pair, row_totals=True).iat[0, 0]
            assessed = (policy.primary_marker if why == "primary" else
                        policy.secondary_marker if why else policy.count(n))
            cells = [programme, str(g["wave"].iloc[0]) if "wave" in g else f"T{int(month)}",
                     assessed]
            for threshold in (5, 6):
                x = int((rung >= threshold).sum())
                if n == 0:
                    cells.append("")
                elif why or policy.is_small(x) or policy.is_small(n - x):
                    cells.append(policy.primary_marker if not why and (
                        policy.is_small(x) or policy.is_small(n - x)) else
                        policy.secondary_marker)
                else:
                    lo, hi = wilson(x, n)
                    cells.append(_pct_ci(x / n, lo, hi, lang))
            rows.append(cells)
            ids.append(f"{programme} {cells[1]}")
            sizes.append(programme)
    out = pd.DataFrame(rows, columns=[_t("programme", lang), _t("wave", lang),
                                      _t("assessed", lang), _t("rung5", lang),
                                      _t("rung6", lang)])
    # for the ledger: the number assessed is the count tables/ladder_by_wave publishes
    col = _t("assessed", lang)
    return with_ledger(out, rows=ids, counts=[col],
                       quantities={(r, col): f"ladder::{r}::assessed" for r in ids})


def dropout_sessions_table(study: Study, *, design: StudyDesign, policy: DisclosurePolicy,
                           language: str = "en") -> pd.DataFrame:
    """Per programme: people, dropout within ``tau_months`` (Kaplan–Meier, 95% CI) and the
    mean share of planned sessions attended (t interval).

    Parameters
    ----------
    study : Study
    design : StudyDesign
    policy : DisclosurePolicy
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60, "TAU": 40}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> dropout_sessions_table(s, design=d, policy=DisclosurePolicy.default()).iloc[1, 3]
    '–'
    """
    from scipy import stats

    lang = check_language(language)
    tau = float(design["tau_months"])
    drop = dropout(study)
    dose = training_dose(study, planned=design["planned_sessions"] or None,
                         completer_fraction=design["completer_fraction"])
    rows = []
    for programme in design.programmes:
        g = drop[drop["cohort"].astype(str) == programme]
        n = len(g)
        if policy.is_small(n) or n == 0:
            dropped = policy.count(n)
        else:
            at = kaplan_meier(g, cause=1).at([tau * DAYS_PER_MONTH]).iloc[0]
            dropped = _pct_ci(1 - at["estimate"], 1 - at["upper"], 1 - at["lower"], lang)
        d = dose[dose["cohort"].astype(str) == programme]["dose"].astype(float) \
            if len(dose) else pd.Series(dtype=float)
        if len(d) == 0:
            sessions = _t("no_sessions", lang)
        elif policy.is_small(len(d)) or len(d) < 2:
            sessions = policy.primary_marker
        else:
            half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
            sessions = _pct_ci(d.mean(), max(0.0, d.mean() - half), min(1.0, d.mean() + half),
                               lang)
        rows.append([programme, policy.count(n), dropped, sessions])
    out = pd.DataFrame(rows, columns=[_t("programme", lang), _t("n", lang),
                                      _t("dropped", lang, tau=f"{tau:g}"),
                                      _t("sessions", lang)])
    # for the ledger: n is the size of the programme, published in other tables too
    ids = [str(p) for p in design.programmes]
    return with_ledger(out, rows=ids, counts=[_t("n", lang)],
                       quantities={(p, _t("n", lang)): f"participants::{p}" for p in ids})


def comparison_rows(comparisons: Sequence[tuple[Comparison, Any, Any]], *,
                    language: str = "en") -> pd.DataFrame:
    """One row per comparator: effective numbers, risk difference and ratio at the main
    horizon, subdistribution hazard ratio (estimand and target population go in the notes,
    :func:`comparison_notes`).

    Parameters
    ----------
    comparisons : sequence of (Comparison, effects result, hazard-ratio result)
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
    """
    lang = check_language(language)
    rows = []
    for comp, effects, hr in comparisons:
        month = comp.main_horizon
        t = effects.table
        at = t[np.isclose(t["horizon_months"].astype(float), month)].set_index("measure")
        rd, rr = at.loc["risk_difference"], at.loc["risk_ratio"]
        if comp.propensity is not None:
            g = comp.propensity.by_group
            ess = f"{g.loc[comp.index, 'ess']:.0f} / {g.loc[comp.comparator, 'ess']:.0f}"
        else:
            ess = "–"
        h = (hr.coef if hasattr(hr, "coef") else hr.table).iloc[0]  # pooled when imputed
        rows.append({
            _t("comparator", lang): comp.comparator,
            _t("ess", lang, index=comp.index): ess,
            _t("rd", lang, month=f"{month:g}"): format_ci(
                100 * rd["estimate"], lower=100 * rd["lower"], upper=100 * rd["upper"],
                language=lang, decimals=1),
            _t("rr", lang, month=f"{month:g}"): ratio_ci(
                rr["estimate"], rr["lower"], rr["upper"], language=lang),
            _t("shr", lang): ratio_ci(h["estimate"], h["lower"], h["upper"], language=lang)})
    return pd.DataFrame(rows)


def comparison_notes(comparisons: Sequence[tuple[Comparison, Any, Any]], *,
                     language: str = "en") -> list[str]:
    """The estimand and target population of each comparison, one note each."""
    lang = check_language(language)
    word = ("Estimand" if lang == "en" else "Estimand")
    return [f"{comp.comparator} — {word}: {comp.estimand_name(lang)}; "
            f"{comp.population(lang)}; {comp.target(lang)}." for comp, _, _ in comparisons]


def _direction(rd: pd.Series) -> str:
    return "more" if rd["lower"] > 0 else "less" if rd["upper"] < 0 else "unclear"


def build_summary(study: Study, *, design: StudyDesign, policy: DisclosurePolicy,
                  folder: str | Path, simulated: bool, seed: int,
                  ledger_dir: str | Path | None = None) -> Document:
    """The summary :class:`~kow_research.report.document.Document` of a report.

    Parameters
    ----------
    study : Study
    design : StudyDesign
        Resolved.
    policy : DisclosurePolicy
    folder : str or pathlib.Path
        The report folder being built (its ``results/`` figures are included).
    simulated : bool
        Banner and watermark.
    seed : int
        Seed of the simulated cohorts (for the methods paragraph).
    ledger_dir : str or pathlib.Path, optional
        The report build's ledger registrations: every table of the summary that holds
        counts of persons is recorded there (as ``summary.html``; the Word and PDF files
        print the same tables) for the disclosure ledger.

    Returns
    -------
    Document
    """
    lang = design.language
    nl = lang == "nl"
    results = Path(folder) / "results"
    definition = time_to_work_definition(design)
    ttw = time_to_paid_work(study, definition=definition)
    curve = cumulative_incidence(ttw, cause=1, by="cohort")
    horizons = list(design["horizons_months"])
    main = horizons[min(1, len(horizons) - 1)]
    comparisons = []
    failed: list[str] = []
    for c in design.comparators:
        try:
            comp = prepare_comparison(study, design=design, comparator=c)
            comparisons.append((comp, comp.effects(), comp.hazard_ratio()))
        except (ValueError, RuntimeError) as exc:
            failed.append(f"{c}: {exc}")
    people = study.participants["cohort"].astype(str).value_counts()
    doc = Document(str(design["title"]), subtitle=_t("subtitle", lang), language=lang,
                   simulated=simulated,
                   metadata={"date": str(prov.now().date()),
                             "version": f"kow_research {__version__}"})
    doc.add(Heading(_t("summary", lang)))
    items = [f"{design.index} {policy.count(people.get(design.index, 0))}"] + [
        f"{p} {policy.count(people.get(p, 0))}" for p in design.comparators]
    doc.add(Paragraph(_t("people", lang, n=policy.count(len(study.participants)),
                         items=_listing(items, lang))))
    at = curve.at([float(main) * DAYS_PER_MONTH]).set_index("group")
    strategy = {"competing": ("dropout competing", "uitval als concurrerende gebeurtenis"),
                "censor": ("dropout censored", "uitval gecensureerd"),
                "ignore": ("dropout ignored", "uitval genegeerd")}[definition.dropout][nl]
    if design.index in at.index:
        r = at.loc[design.index]
        doc.add(Paragraph(_t("work", lang, month=main, index=design.index, strategy=strategy,
                             value=_pct_ci(r["estimate"], r["lower"], r["upper"], lang))))
        others = [f"{p} {format_percent(at.loc[p, 'estimate'], language=lang)}"
                  for p in design.comparators if p in at.index]
        if others:
            doc.add(Paragraph(_t("work_others", lang, items=_listing(others, lang))))
    for comp, effects, _hr in comparisons:
        t = effects.table
        rd = t[(t["measure"] == "risk_difference")
               & np.isclose(t["horizon_months"].astype(float), comp.main_horizon)].iloc[0]
        doc.add(Paragraph(_t("compare", lang, comparator=comp.comparator,
                             estimand=comp.estimand, population=comp.population(lang),
                             month=f"{comp.main_horizon:g}",
                             rd=format_ci(100 * rd["estimate"], lower=100 * rd["lower"],
                                          upper=100 * rd["upper"], language=lang, decimals=1),
                             direction=_t(_direction(rd), lang))))
        if comp.fragile:
            doc.add(Paragraph(_t("fragile", lang, comparator=comp.comparator, index=comp.index,
                                 ess=FRAGILE_ESS)))
    if comparisons and not design["randomised"]:
        doc.add(Paragraph(_t("observational", lang)))
    if simulated:
        doc.add(Paragraph("**" + _t("simulated", lang) + "**"))
    doc.add(Heading(_t("key", lang)))

    def registered(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        if ledger_dir is not None:
            record_table(frame, file="summary.html", table=name, directory=ledger_dir,
                         source="summary")
        return frame

    doc.add(Table(registered(incidence_table(curve, months=horizons, design=design,
                                             policy=policy, language=lang), "work"),
                  caption=_t("t_work", lang), key="work", notes=(definition.text(lang),)))
    if len(study.ladder):
        doc.add(Table(registered(ladder_table(study, design=design, policy=policy,
                                              language=lang), "ladder"),
                      caption=_t("t_ladder", lang),
                      notes=(_t("ladder_note", lang, window=design["wave_window_days"]),
                             policy.note(lang))))
    doc.add(Table(registered(dropout_sessions_table(study, design=design, policy=policy,
                                                    language=lang), "dropout_sessions"),
                  caption=_t("t_dropout", lang), notes=(policy.note(lang),)))
    if comparisons:
        doc.add(Heading(_t("comparisons", lang)))
        doc.add(Table(comparison_rows(comparisons, language=lang),
                      caption=_t("t_compare", lang, index=design.index),
                      notes=(*comparison_notes(comparisons, language=lang),
                             _t("compare_note", lang, index=design.index),
                             # how each comparison's intervals were made, rows that were not
                             # studentized at the horizon shown included, from its result
                             *(f"{comp.comparator} — "
                               + comp.effects_note(effects, language=lang,
                                                   horizons=(comp.main_horizon,))
                               for comp, effects, _ in comparisons))))
    for note in failed:
        doc.add(Paragraph(note))
    doc.add(Heading(_t("context", lang)))
    doc.add(Table(published_context(study, design=design, language=lang),
                  caption=_t("t_context", lang)))
    doc.add(Heading(_t("methods", lang)))
    flow = attrition_table(ttw)
    entered = int(flow.loc[flow["stage"] == "entered", "n"].sum())
    analysed = int(flow.loc[flow["stage"] == "analysed", "n"].sum())
    attrition = (f"{policy.count(analysed)} van {policy.count(entered)} deelnemers komen in de "
                 "analyse van de tijd tot betaald werk; de uitsluitingen staan in het "
                 "stroomdiagram." if nl else f"{policy.count(analysed)} of "
                 f"{policy.count(entered)} participants enter the analysis of time to paid "
                 "work; the exclusions are in the flow diagram.")
    if design["randomised"]:
        comparison = ("zoals gerandomiseerd, zonder weging (intention to treat)." if nl else
                      "as randomised, without weights (intention to treat).")
    else:
        comparison = (f"propensityscoregewichten ({design['estimand']}) voor de kenmerken bij "
                      "de start; balans met gestandaardiseerde verschillen; gevoeligheid met de "
                      "E-waarde." if nl else f"propensity-score weights ({design['estimand']}) "
                      "for the characteristics at the start; balance by standardised mean "
                      "differences; sensitivity by the E-value.")
        comparison = " ".join(filter(None, [comparison, narrative_say(
            f"separation_{design['separation']}", lang, min_count=SEPARATION_MIN_COUNT)]))
    doc.add(Paragraph(_METHODS[nl].format(
        n=policy.count(len(study.participants)), programmes=_listing(design.programmes, lang),
        attrition=attrition, ttw=definition.text(lang),
        covariates=_listing([in_sentence(term_label(c, language=lang))
                             for c in design["covariates"]],
                            lang),
        missing=_missing_text(design, nl),
        waves=_listing([str(m) for m in design.waves_of(design.index)], lang),
        window=design["wave_window_days"], comparison=comparison, n_boot=design["n_boot"],
        reweight=", gewichten opnieuw geschat" if nl and not design["randomised"] else
        ", weights re-estimated" if not design["randomised"] else "",
        seed=design["seed"], k=policy.k)))
    figures = [(results / "04_cumulative_incidence", _t("f_work", lang))] + [
        (results / f"06_weighted_incidence_{comp.comparator}",
         _t("f_weighted", lang, index=comp.index, comparator=comp.comparator))
        for comp, _, _ in comparisons]
    present = [(stem, caption) for stem, caption in figures
               if stem.with_suffix(".png").is_file()]
    if present:
        doc.add(Heading(_t("figures", lang)))
        for stem, caption in present:
            svg = stem.with_suffix(".svg")
            doc.add(Figure(stem.with_suffix(".png"), caption=caption, alt_text=caption,
                           svg=svg if svg.is_file() else None))
    record = prov.software()
    doc.add(KeyValue(title=_t("provenance", lang), rows=(
        ("kow_research", str(record["version"])),
        ("Commit", str(record.get("git_commit") or "–")[:12]),
        ("Seed", str(design["seed"] if not simulated else seed)),
        ("Python", str(record["python"])))))
    return doc


def write_summary_report(study: Study, *, design: StudyDesign, policy: DisclosurePolicy,
                         folder: str | Path, simulated: bool, seed: int = 1,
                         ledger_dir: str | Path | None = None) -> list[Path]:
    """Write ``summary.html``, ``summary.docx`` and ``summary.pdf`` into ``folder``.

    Parameters
    ----------
    study, design, policy, simulated, seed, ledger_dir
        See :func:`build_summary`.
    folder : str or pathlib.Path
        The report folder being built.

    Returns
    -------
    list of pathlib.Path
        The three files.
    """
    folder = Path(folder)
    doc = build_summary(study, design=design, policy=policy, folder=folder,
                        simulated=simulated, seed=seed, ledger_dir=ledger_dir)
    to_html(doc, path=folder / "summary.html")
    return [folder / "summary.html", to_docx(doc, path=folder / "summary.docx"),
            to_pdf(doc, path=folder / "summary.pdf")]


__all__ = ["build_summary", "comparison_notes", "comparison_rows", "dropout_sessions_table", "ladder_table",
           "write_summary_report"]
