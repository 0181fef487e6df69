"""The sentences of the analysis notebooks and the summary report, in English and Dutch.

Every sentence a reader sees about the data, an estimand, a target population or the direction
of an effect is one of these templates filled with values taken from result objects (never
typed beside the numbers). Markdown is allowed (``**bold**``, lists, headings).
"""

from __future__ import annotations

from typing import Any

from kow_research.report.labels import check_language

#: key -> (English, Dutch)
NARRATIVE: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- shared
    "simulated_banner": (
        "> **Simulated data.** These numbers come from the package's simulated cohorts, not "
        "from real participants; they show what the analysis does, not what the programmes "
        "achieve.",
        "> **Gesimuleerde gegevens.** Deze cijfers komen uit de gesimuleerde cohorten van het "
        "pakket, niet van echte deelnemers; ze laten zien wat de analyse doet, niet wat de "
        "programma's bereiken."),
    "design_line": (
        "Index programme: **{index}**; compared with: {comparators}. Allocation was "
        "{allocation}.",
        "Geëvalueerd programma: **{index}**; vergeleken met: {comparators}. De toewijzing was "
        "{allocation}."),
    "randomised": ("randomised", "gerandomiseerd"),
    "not_randomised": ("not randomised (an observational comparison)",
                       "niet gerandomiseerd (een observationele vergelijking)"),
    "no_comparator": ("none", "geen"),
    "disclosure_note": (
        "Counts of fewer than {k} people are shown as <{k}; a cell hidden only to protect "
        "another is shown as ×.",
        "Aantallen van minder dan {k} personen staan als <{k}; een cel die alleen verborgen is "
        "om een andere te beschermen staat als ×."),
    # ---------------------------------------------------------------- 01 data quality
    "nb01_title": ("# Data quality and participant flow", "# Datakwaliteit en deelnemersstroom"),
    "nb01_question": (
        "Are the data complete and consistent, and who enters the analysis of time to paid "
        "work?",
        "Zijn de gegevens volledig en consistent, en wie komt in de analyse van de tijd tot "
        "betaald werk?"),
    "nb01_validation_ok": (
        "Validation against the data dictionary found **no errors** and {warnings} "
        "warning(s).",
        "Controle tegen het datawoordenboek vond **geen fouten** en {warnings} "
        "waarschuwing(en)."),
    "nb01_validation_errors": (
        "Validation against the data dictionary found **{errors} error(s)** and {warnings} "
        "warning(s); the table lists them by rule. Fix the errors in the source data before "
        "interpreting any result.",
        "Controle tegen het datawoordenboek vond **{errors} fout(en)** en {warnings} "
        "waarschuwing(en); de tabel telt ze per regel. Herstel de fouten in de brongegevens "
        "voordat u resultaten interpreteert."),
    "nb01_overview_caption": ("What the data hold, by programme", "Wat de gegevens bevatten, per programma"),
    "nb01_problems_caption": ("Validation problems by table and rule",
                              "Problemen bij de controle per tabel en regel"),
    "nb01_spells_caption": ("Employment and placement spells by kind",
                            "Werk- en plaatsingsperioden per soort"),
    "nb01_flow_caption": ("Participant flow for time to paid work: {definition}",
                          "Deelnemersstroom voor de tijd tot betaald werk: {definition}"),
    "nb01_conclusion": (
        "**Conclusion.** {analysed} of {entered} participants ({share}) enter the analysis of "
        "time to paid work; the others are counted in the flow diagram with their reason.",
        "**Conclusie.** {analysed} van de {entered} deelnemers ({share}) komen in de analyse "
        "van de tijd tot betaald werk; de anderen staan met hun reden in het stroomdiagram."),
    "nb01_conclusion_all": (
        "**Conclusion.** All {entered} participants enter the analysis of time to paid work; "
        "nobody met an exclusion criterion.",
        "**Conclusie.** Alle {entered} deelnemers komen in de analyse van de tijd tot betaald "
        "werk; niemand voldeed aan een uitsluitingscriterium."),
    # ---------------------------------------------------------------- 02 baseline
    "nb02_title": ("# Baseline characteristics", "# Kenmerken bij de start"),
    "nb02_question": (
        "Who takes part in each programme? Differences at the start (case mix) make an "
        "unadjusted comparison of outcomes unfair.",
        "Wie neemt deel aan elk programma? Verschillen bij de start (case mix) maken een "
        "ongecorrigeerde vergelijking van uitkomsten oneerlijk."),
    "nb02_table_caption": ("Table 1. Baseline characteristics by programme",
                           "Tabel 1. Kenmerken bij de start per programma"),
    "nb02_smd_caption": ("Standardised mean differences of {index} against each comparator",
                         "Gestandaardiseerde verschillen van {index} met elke vergelijkingsgroep"),
    "nb02_smd_line": (
        "- {index} vs {comparator}: {n_big} of {n_all} characteristics differ by more than "
        "0.1 SMD{largest}.",
        "- {index} vs {comparator}: {n_big} van de {n_all} kenmerken verschillen meer dan "
        "0,1 SMD{largest}."),
    "nb02_largest": ("; largest: {items}", "; grootste: {items}"),
    "nb02_single": ("Only one programme is in the data: no comparison of case mix applies.",
                    "Er is maar één programma in de gegevens: een vergelijking van de case mix "
                    "is niet van toepassing."),
    "nb02_conclusion": (
        "**Conclusion.** Where characteristics differ, unadjusted comparisons mix programme "
        "effects with case mix; the comparison notebooks weight for the measured ones.",
        "**Conclusie.** Waar kenmerken verschillen, mengen ongecorrigeerde vergelijkingen het "
        "effect van het programma met de case mix; de vergelijkingsnotebooks wegen voor de "
        "gemeten kenmerken."),
    # ---------------------------------------------------------------- 03 ladder
    "nb03_title": ("# Participation ladder", "# Participatieladder"),
    "nb03_question": (
        "How do participants move on the participation ladder (rung 1 isolated … rung 6 paid "
        "work) between the waves? {definition}",
        "Hoe bewegen deelnemers op de participatieladder (trede 1 geïsoleerd … trede 6 betaald "
        "werk) tussen de meetmomenten? {definition}"),
    "nb03_none": ("The data hold no ladder assessments, so this analysis does not apply.",
                  "De gegevens bevatten geen metingen op de participatieladder; deze analyse is "
                  "niet van toepassing."),
    "nb03_dist_caption": ("Rungs by wave and programme (share of those assessed; rungs "
                          "held by fewer than {k} people at a wave are merged, grey). The "
                          "numbers assessed per wave are in the report's table "
                          "tables/ladder_by_wave.",
                          "Treden per meetmoment en programma (aandeel van de gemeten "
                          "deelnemers; treden met minder dan {k} deelnemers op een "
                          "meetmoment zijn samengevoegd, grijs). Het aantal gemeten "
                          "deelnemers per meetmoment staat in de tabel "
                          "tables/ladder_by_wave van het rapport."),
    "nb03_change_caption": ("Change from baseline by wave",
                            "Verandering ten opzichte van de nulmeting per meetmoment"),
    "nb03_transition_caption": ("Transitions between {a} and {b}, {programme}",
                                "Overgangen tussen {a} en {b}, {programme}"),
    "nb03_model_caption": ("Proportional-odds model of the rung at {wave}",
                           "Proportional-oddsmodel van de trede op {wave}"),
    "nb03_model_text": (
        "The odds ratio of {programme} against {reference} is the factor by which the odds of "
        "being on a higher rung at {wave} differ, for people with the same baseline rung and "
        "covariates (n = {n}; {missing} without an assessment or a covariate left out).",
        "De oddsratio van {programme} ten opzichte van {reference} is de factor waarmee de "
        "odds op een hogere trede op {wave} verschillen, bij gelijke trede bij de start en "
        "gelijke covariaten (n = {n}; {missing} zonder meting of covariaat niet meegenomen)."),
    "nb03_no_model": ("No follow-up wave is shared by the programmes, so no model compares them "
                      "at one wave.",
                      "Geen vervolgmeting is gemeenschappelijk voor de programma's; er is dus "
                      "geen model dat ze op één meetmoment vergelijkt."),
    "nb03_conclusion": (
        "**Conclusion.** By {wave}, {climbed} of {programme} participants assessed at both "
        "waves climbed at least one rung and {paid} were in regular paid work (rung 6). "
        "Missing assessments are not imputed: if they are not missing at random these shares "
        "are biased.",
        "**Conclusie.** Op {wave} was {climbed} van de {programme}-deelnemers met beide "
        "metingen minstens één trede gestegen en werkte {paid} in regulier betaald werk "
        "(trede 6). Ontbrekende metingen zijn niet geïmputeerd: als ze niet willekeurig "
        "ontbreken, zijn deze aandelen vertekend."),
    # ---------------------------------------------------------------- 04 time to paid work
    "nb04_title": ("# Time to paid work", "# Tijd tot betaald werk"),
    "nb04_question": (
        "How soon do participants start regular paid work? **Estimand:** {definition} "
        "The intercurrent event dropout is handled by the **{strategy}** strategy (ICH "
        "E9(R1)).",
        "Hoe snel beginnen deelnemers met regulier betaald werk? **Estimand:** {definition} "
        "De intercurrente gebeurtenis uitval wordt behandeld met de **{strategy}**-strategie "
        "(ICH E9(R1))."),
    "nb04_curve_caption": ("Cumulative incidence of paid work by programme ({strategy})",
                           "Cumulatieve incidentie van betaald werk per programma ({strategy})"),
    "nb04_curve_caption_km": ("Share in paid work by programme, 1 − Kaplan–Meier ({strategy})",
                              "Aandeel met betaald werk per programma, 1 − Kaplan–Meier "
                              "({strategy})"),
    "nb04_horizon_caption": (
        "Share in paid work (cumulative incidence, 95% CI) at {horizons} months; – where fewer "
        "than {k} people remain at risk or follow-up has ended",
        "Aandeel met betaald werk (cumulatieve incidentie, 95%-BI) na {horizons} maanden; – "
        "waar minder dan {k} personen in de risicoset zijn of de follow-up voorbij is"),
    "nb04_gray": ("Gray's test of equal cumulative incidence across the programmes: "
                  "χ² = {stat} on {df} df, p = {p}.",
                  "Gray's toets op gelijke cumulatieve incidentie tussen de programma's: "
                  "χ² = {stat} bij {df} vrijheidsgraden, p = {p}."),
    "nb04_models_caption": ("Hazard models of paid work: cause-specific and subdistribution "
                            "hazard ratios",
                            "Hazardmodellen van betaald werk: oorzaakspecifieke en "
                            "subdistributie-hazardratio's"),
    "nb04_models_text": (
        "A **cause-specific** hazard ratio above 1 means a higher rate of starting paid work "
        "among people still without a job *and still in the programme*; it does not by itself "
        "mean more people in work, because dropout competes. A **subdistribution** hazard "
        "ratio (Fine–Gray) above 1 does mean a higher cumulative incidence of paid work. "
        "Reference programme: {reference}.",
        "Een **oorzaakspecifieke** hazardratio boven 1 betekent een hogere kans per tijdseenheid "
        "om betaald werk te vinden bij wie nog geen baan heeft *en nog in het programma zit*; "
        "dat betekent op zich niet dat meer mensen werken, want uitval concurreert. Een "
        "**subdistributie**-hazardratio (Fine–Gray) boven 1 betekent wel een hogere "
        "cumulatieve incidentie van betaald werk. Referentieprogramma: {reference}."),
    "nb04_forest_caption": ("Hazard ratios with 95% confidence intervals",
                            "Hazardratio's met 95%-betrouwbaarheidsintervallen"),
    "nb04_zph": ("Proportional-hazards check (Grambsch–Therneau, as R cox.zph): the smallest "
                 "p-value is {p} ({term}).",
                 "Controle van proportionele hazards (Grambsch–Therneau, als R cox.zph): de "
                 "kleinste p-waarde is {p} ({term})."),
    "nb04_rmst_caption": ("Restricted mean time without paid work in the first {tau} months",
                          "Beperkte gemiddelde tijd zonder betaald werk in de eerste {tau} "
                          "maanden"),
    "nb04_strategies_caption": ("Share in paid work by {month} months under each dropout "
                                "strategy",
                                "Aandeel met betaald werk na {month} maanden per "
                                "uitvalstrategie"),
    "nb04_strategies_text": (
        "The three strategies analyse the same people and answer different questions: "
        "*while on treatment* (dropout competes), *hypothetical* (as if nobody dropped out: "
        "dropout censored) and *treatment policy* (jobs found after dropout count too).",
        "De drie strategieën analyseren dezelfde mensen en beantwoorden verschillende vragen: "
        "*while on treatment* (uitval concurreert), *hypothetisch* (alsof niemand uitvalt: "
        "uitval gecensureerd) en *treatment policy* (ook banen na uitval tellen mee)."),
    "nb04_conclusion": (
        "**Conclusion.** By {month} months, {risk} of {index} participants had started regular "
        "paid work ({strategy}){others}. These are unadjusted descriptions: differences "
        "between programmes mix their effects with case mix (see the comparison notebooks).",
        "**Conclusie.** Na {month} maanden was {risk} van de {index}-deelnemers begonnen met "
        "regulier betaald werk ({strategy}){others}. Dit zijn ongecorrigeerde beschrijvingen: "
        "verschillen tussen programma's mengen hun effect met de case mix (zie de "
        "vergelijkingsnotebooks)."),
    "nb04_others": ("; against {items}", "; tegenover {items}"),
    # ---------------------------------------------------------------- 05 dropout and dose
    "nb05_title": ("# Dropout and training dose", "# Uitval en trainingsdosis"),
    "nb05_question": ("Who leaves the programme early, and how many of the planned sessions do "
                      "participants attend?",
                      "Wie stopt vroegtijdig met het programma, en hoeveel van de geplande "
                      "bijeenkomsten bezoeken deelnemers?"),
    "nb05_dropout_caption": ("Dropout by programme", "Uitval per programma"),
    "nb05_reasons_caption": ("Reasons for dropout", "Redenen van uitval"),
    "nb05_curve_caption": ("Share still in the programme (Kaplan–Meier; censored at the end of "
                           "follow-up)",
                           "Aandeel nog in het programma (Kaplan–Meier; gecensureerd aan het "
                           "eind van de follow-up)"),
    "nb05_dose_caption": ("Sessions attended, as % of the planned sessions",
                          "Bijgewoonde bijeenkomsten, als % van de geplande"),
    "nb05_no_sessions": ("The data hold no sessions, so the training dose does not apply.",
                         "De gegevens bevatten geen bijeenkomsten; de trainingsdosis is niet "
                         "van toepassing."),
    "nb05_landmark_caption": (
        "## Does attending more sessions help?\n\nComparing people who attended many sessions "
        "with those who attended few from the start gives the attenders an unfair head start: "
        "to complete the training one must stay in it, without a job, long enough "
        "(*immortal time*). Two analyses avoid this: a **landmark analysis** compares completers "
        "and non-completers from the end of the training period onwards, and a **time-varying** "
        "analysis lets the number of sessions attended so far change over follow-up.",
        "## Helpt het om meer bijeenkomsten bij te wonen?\n\nWie mensen met veel "
        "bijeenkomsten vanaf de start vergelijkt met mensen met weinig, geeft de trouwe "
        "deelnemers een oneerlijke voorsprong: om de training af te maken moet iemand lang "
        "genoeg in het programma blijven zonder baan (*immortal time*). Twee analyses vermijden "
        "dat: een **landmarkanalyse** vergelijkt afmakers en niet-afmakers vanaf het eind van "
        "de trainingsperiode, en een **tijdsafhankelijke** analyse laat het aantal tot dan toe "
        "bijgewoonde bijeenkomsten meeveranderen."),
    "nb05_sentence": ("- {sentence}", "- {sentence}"),
    "nb05_conclusion": (
        "**Conclusion.** {dropout} of {index} participants dropped out during follow-up; on "
        "average they attended {dose} of the planned sessions.",
        "**Conclusie.** {dropout} van de {index}-deelnemers viel uit tijdens de follow-up; "
        "gemiddeld bezochten zij {dose} van de geplande bijeenkomsten."),
    # ---------------------------------------------------------------- 06 comparison
    "nb06_title": ("# {index} compared with {comparator}",
                   "# {index} vergeleken met {comparator}"),
    "nb06_question_weighted": (
        "Would **{population}** have found paid work sooner in {index} than in {comparator}? "
        "**Estimand:** the {estimand_name}: {target}. Allocation was not randomised, so the "
        "comparison is weighted by propensity scores for the measured characteristics at the "
        "start ({covariates}).",
        "Zouden **{population}** sneller betaald werk hebben gevonden in {index} dan in "
        "{comparator}? **Estimand:** het {estimand_name}: {target}. De toewijzing was niet "
        "gerandomiseerd; de vergelijking wordt daarom gewogen met propensityscores voor de "
        "gemeten kenmerken bij de start ({covariates})."),
    "nb06_question_randomised": (
        "Did {index} lead to paid work sooner than {comparator}? Allocation was randomised, "
        "so the groups are compared as randomised (intention to treat), without weights.",
        "Leidde {index} sneller tot betaald werk dan {comparator}? De toewijzing was "
        "gerandomiseerd; de groepen worden vergeleken zoals gerandomiseerd (intention to "
        "treat), zonder weging."),
    "nb06_no_comparator": ("This study has no comparator for {index}, so no comparison applies.",
                           "Deze studie heeft geen vergelijkingsgroep voor {index}; een "
                           "vergelijking is niet van toepassing."),
    "nb06_missing": ("{n} people without complete baseline covariates are left out (complete "
                     "cases; counted, not imputed).",
                     "{n} personen zonder volledige kenmerken bij de start zijn niet "
                     "meegenomen (complete cases; geteld, niet geïmputeerd)."),
    "nb06_ess": (
        "After weighting, {index} counts as {ess_index} people and {comparator} as "
        "{ess_comparator} (effective sample sizes; {n_index} and {n_comparator} people took "
        "part).",
        "Na weging telt {index} als {ess_index} en {comparator} als {ess_comparator} personen "
        "(effectieve steekproefgrootte; {n_index} en {n_comparator} personen namen deel)."),
    "nb06_fragile": ("**Caution:** one cohort counts as fewer than {ess} people after weighting: "
                     "the cohorts overlap poorly and the estimates are fragile.",
                     "**Let op:** één cohort telt na weging als minder dan {ess} personen: de "
                     "cohorten overlappen slecht en de schattingen zijn kwetsbaar."),
    "nb06_balance_caption": ("Covariate balance before and after weighting ({estimand})",
                             "Balans van de kenmerken voor en na weging ({estimand})"),
    "nb06_overlap_caption": ("Overlap of the propensity scores", "Overlap van de propensityscores"),
    "nb06_curve_caption": ("Weighted cumulative incidence of paid work, {index} and {comparator}",
                           "Gewogen cumulatieve incidentie van betaald werk, {index} en "
                           "{comparator}"),
    "nb06_effects_caption": ("Effects of {index} against {comparator}: risks of paid work, risk "
                             "differences and ratios, restricted mean time without paid work",
                             "Effecten van {index} ten opzichte van {comparator}: kansen op "
                             "betaald werk, risicoverschillen en -ratio's, beperkte gemiddelde "
                             "tijd zonder betaald werk"),
    "nb06_effects_note": ("{interval} from {n_boot} replicates that re-estimate the "
                          "weights{failed}.",
                          "{interval} uit {n_boot} replicaties die de gewichten opnieuw "
                          "schatten{failed}."),
    # the interval of the effects table, by compare_outcomes' ci (attrs["interval"])
    "effects_interval_studentized": (
        "Studentized bootstrap intervals (bootstrap-t per programme, risks and times on the "
        "arcsine-square-root scale; differences and ratios combined from them by MOVER)",
        "Gestudentiseerde bootstrapintervallen (bootstrap-t per programma, kansen en tijden "
        "op de arcsinus-wortelschaal; verschillen en ratio's daaruit samengesteld met MOVER)"),
    # per-programme risks with few events (attrs["korn_graubard_rows"])
    "effects_korn_graubard_rows": (
        "Fewer than {k} effective events, so Korn–Graubard limits instead (exact binomial "
        "limits at the effective sample size of the bootstrap standard error) for {rows}, and "
        "for the differences and ratios built from them.",
        "Minder dan {k} effectieve gebeurtenissen, dus in plaats daarvan Korn–Graubard-grenzen "
        "(exacte binomiale grenzen bij de effectieve steekproefomvang van de "
        "bootstrapstandaardfout) voor {rows}, en voor de verschillen en ratio's die daarop "
        "steunen."),
    # a risk ratio's upper limit shown as ∞ (report.comparison.RATIO_UNBOUNDED)
    "effects_unbounded": (
        "∞: an upper limit above {limit}, because the comparator's risk can be close to 0.",
        "∞: een bovengrens boven {limit}, omdat de kans in de vergelijkingsgroep dicht bij 0 "
        "kan liggen."),
    # the per-programme rows compare_outcomes could not studentize (attrs["percentile_rows"])
    "effects_percentile_rows": (
        "Too few events to studentize, so percentile limits instead for {rows}, and for the "
        "differences built from them.",
        "Te weinig gebeurtenissen om te studentiseren, dus in plaats daarvan percentielgrenzen "
        "voor {rows}, en voor de verschillen die daarop steunen."),
    "effects_interval_percentile": ("Bootstrap percentile intervals",
                                    "Bootstrap-percentielintervallen"),
    "effects_interval_BCa": ("Bootstrap BCa intervals (bias-corrected and accelerated)",
                             "Bootstrap-BCa-intervallen (voor vertekening gecorrigeerd en "
                             "versneld)"),
    "effects_interval_pooled": (
        "Intervals pooled over {m} imputations by Rubin's rules, with bootstrap standard "
        "errors",
        "Intervallen gepoold over {m} imputaties met de regels van Rubin, met "
        "bootstrapstandaardfouten"),
    # how the propensity models treat a category found (almost) only in one programme
    # (study.yaml's `separation`); said under the effects and in the summary's methods
    "separation_firth": (
        "The propensity models are penalised by Firth's method, so that a category found in "
        "one programme only gives finite weights.",
        "De propensitymodellen zijn gepenaliseerd volgens Firth, zodat een categorie die maar "
        "in één programma voorkomt eindige gewichten geeft."),
    "separation_auto": (
        "The propensity models are fitted by maximum likelihood; where that has no finite "
        "estimate because a category occurs (almost) only in one programme, in the full data or "
        "in a bootstrap replicate, Firth's penalised method is used instead.",
        "De propensitymodellen zijn geschat met de methode van de grootste aannemelijkheid; "
        "waar die geen eindige schatting geeft omdat een categorie (bijna) alleen in één "
        "programma voorkomt, in de volledige gegevens of in een bootstrapreplicatie, is de "
        "gepenaliseerde methode van Firth gebruikt."),
    "separation_collapse": (
        "Categories with fewer than {min_count} people in a programme are merged with another "
        "category before the propensity models are fitted.",
        "Categorieën met minder dan {min_count} personen in een programma zijn vóór het "
        "schatten van de propensitymodellen samengevoegd met een andere categorie."),
    "separation_error": ("", ""),
    "nb06_failed": ("; {n} replicates failed and are reported", "; {n} replicaties mislukten "
                    "en worden gemeld"),
    "nb06_failed_one": ("; 1 replicate failed and is reported", "; 1 replicatie mislukte en "
                        "wordt gemeld"),
    "nb06_hr": (
        "The weighted subdistribution hazard ratio of paid work is {hr}: above 1 means a "
        "higher cumulative incidence of paid work in {index}.",
        "De gewogen subdistributie-hazardratio van betaald werk is {hr}: boven 1 betekent een "
        "hogere cumulatieve incidentie van betaald werk in {index}."),
    "nb06_evalue": (
        "E-value: an unmeasured confounder would need a risk ratio of {point} with both "
        "programme and paid work (beyond the measured covariates) to explain away the risk "
        "ratio at {month} months; {ci} to move its confidence limit to 1.",
        "E-waarde: een ongemeten confounder zou een risicoratio van {point} met zowel het "
        "programma als betaald werk moeten hebben (bovenop de gemeten kenmerken) om de "
        "risicoratio na {month} maanden te verklaren; {ci} om de betrouwbaarheidsgrens naar 1 "
        "te brengen."),
    "nb06_conclusion": (
        "**Conclusion.** By {month} months, {risk_index} of {index} participants had started "
        "paid work against {risk_comparator} in {comparator}, for {population}: a difference "
        "of {rd} percentage points ({index} − {comparator}). {direction} {caveat}",
        "**Conclusie.** Na {month} maanden was {risk_index} van de {index}-deelnemers begonnen "
        "met betaald werk tegenover {risk_comparator} in {comparator}, voor {population}: een "
        "verschil van {rd} procentpunten ({index} − {comparator}). {direction} {caveat}"),
    "nb06_direction_more": (
        "The interval lies above zero: more people in paid work with {index}.",
        "Het interval ligt boven nul: meer mensen aan het werk met {index}."),
    "nb06_direction_less": (
        "The interval lies below zero: fewer people in paid work with {index}.",
        "Het interval ligt onder nul: minder mensen aan het werk met {index}."),
    "nb06_direction_unclear": (
        "The interval includes zero: the data do not show which programme leads to more paid "
        "work.",
        "Het interval bevat nul: de gegevens laten niet zien welk programma tot meer betaald "
        "werk leidt."),
    "nb06_caveat_weighted": ("This is an observational comparison: the weights remove "
                             "differences in the measured covariates only.",
                             "Dit is een observationele vergelijking: de gewichten nemen alleen "
                             "verschillen in de gemeten kenmerken weg."),
    "nb06_caveat_fragile": ("This is an observational comparison with poor overlap: after "
                            "weighting one programme counts as fewer than {ess} people, so the "
                            "difference rests on a few heavily weighted participants and is "
                            "not robust evidence either way.",
                            "Dit is een observationele vergelijking met weinig overlap: na "
                            "weging telt één programma als minder dan {ess} personen, zodat het "
                            "verschil op enkele zwaar gewogen deelnemers rust en geen "
                            "robuust bewijs is, in welke richting ook."),
    "nb06_caveat_randomised": ("Allocation was randomised.", "De toewijzing was gerandomiseerd."),
    "nb06_horizons_dropped": (
        "Not estimated at {months} months: {comparator} or {index} is not followed that long "
        "(no extrapolation).",
        "Niet geschat na {months} maanden: {comparator} of {index} wordt niet zo lang gevolgd "
        "(geen extrapolatie)."),
    "nb06_imputed": (
        "Missing covariates are imputed {m} times (chained equations); the effects are pooled "
        "by Rubin's rules.",
        "Ontbrekende kenmerken zijn {m} keer geïmputeerd (chained equations); de effecten zijn "
        "gepoold met de regels van Rubin."),
    "nb06_context_note": (
        "Ours: the share of {index} participants in paid work by the same month, counting jobs "
        "found after dropout too (treatment policy, as trials count). Published figures come "
        "from other populations and periods: context, not a comparison.",
        "Onze cijfers: het aandeel {index}-deelnemers met betaald werk na dezelfde maand, ook "
        "banen na uitval meegeteld (behandelbeleid, zoals trials tellen). Gepubliceerde "
        "cijfers komen uit andere populaties en perioden: context, geen vergelijking."),
    "nb06_context_caption": ("Published figures for context", "Gepubliceerde cijfers ter "
                             "vergelijking"),
    # ---------------------------------------------------------------- 08 study design
    "nb08_title": ("# Designing an effect study", "# Een effectonderzoek ontwerpen"),
    "nb08_question": (
        "**Question.** How many participants does a controlled effect study of {index} need "
        "to show that it shortens the time to paid work, and can that many be recruited in "
        "time?",
        "**Vraag.** Hoeveel deelnemers heeft een gecontroleerd effectonderzoek van {index} "
        "nodig om aan te tonen dat het de tijd tot betaald werk verkort, en zijn er zoveel op "
        "tijd te werven?"),
    "nb08_assumptions": (
        "**Assumptions.** Two arms, {index} and {comparator}, randomised with {share} of the "
        "participants in {index}. The effect is a hazard ratio of paid work of {hr} (above 1: "
        "the participants of {index} find paid work sooner); dropout during the programme "
        "competes with paid work (estimand: dropout as a competing event), and some "
        "participants are lost to follow-up. Participants enter uniformly over {accrual} "
        "months and are followed until the analysis, {follow_up} months after the last one "
        "entered. Every assumption is a parameter of this notebook; no effect study of "
        "{index} exists yet, so they are plausible values, not findings.",
        "**Aannames.** Twee armen, {index} en {comparator}, gerandomiseerd met {share} van de "
        "deelnemers in {index}. Het effect is een hazardratio van betaald werk van {hr} "
        "(boven 1: deelnemers aan {index} vinden eerder betaald werk); uitval tijdens het "
        "programma concurreert met betaald werk (estimand: uitval als concurrerende "
        "gebeurtenis), en een deel van de deelnemers raakt uit beeld. Deelnemers stromen "
        "gelijkmatig in over {accrual} maanden en worden gevolgd tot de analyse, {follow_up} "
        "maanden na de laatste instroom. Elke aanname is een parameter van dit notebook; er "
        "bestaat nog geen effectonderzoek van {index}, dus het zijn aannemelijke waarden, "
        "geen bevindingen."),
    "nb08_analytic_heading": ("## The analytic answer", "## Het analytische antwoord"),
    "nb08_analytic_text": (
        "Schoenfeld's formula gives the number of entries into paid work needed to detect the "
        "hazard ratio with the cause-specific Cox model; the probability that a participant's "
        "entry into paid work is observed — given uniform accrual, the follow-up, dropout "
        "competing and loss to follow-up, all with constant hazards — turns events into "
        "participants (Pintilie 2002).",
        "De formule van Schoenfeld geeft het aantal overgangen naar betaald werk dat nodig is "
        "om de hazardratio met het oorzaakspecifieke Cox-model aan te tonen; de kans dat de "
        "overgang van een deelnemer naar betaald werk wordt waargenomen — bij gelijkmatige "
        "instroom, de follow-up, concurrerende uitval en uitval uit de follow-up, alle met "
        "constante hazards — zet gebeurtenissen om in deelnemers (Pintilie 2002)."),
    "nb08_analytic_caption": ("Participants and expected entries into paid work per arm "
                              "(analytic design)",
                              "Deelnemers en verwachte overgangen naar betaald werk per arm "
                              "(analytisch ontwerp)"),
    "nb08_total": ("total", "totaal"),
    "nb08_sim_heading": ("## The simulation answer", "## Het antwoord uit simulatie"),
    "nb08_sim_text": (
        "The same design simulated: each trial's participants come from the cohort simulator "
        "of {index} (its case mix: age, severe mental illness, months out of work, baseline "
        "rung), the effect is built in as the hazard ratio above, and each of the {n_sim} "
        "trials is analysed as the notebooks analyse a study — time to paid work with "
        "dropout competing, then the cause-specific Cox model and the Fine–Gray model of the "
        "arm. The same trials without an effect give the type I error. The estimates are "
        "compared with their true (marginal) value, which a large coupled simulation "
        "provides: an unadjusted hazard ratio in a heterogeneous population is not the "
        "hazard ratio built into the simulator.",
        "Hetzelfde ontwerp gesimuleerd: de deelnemers van elk onderzoek komen uit de "
        "cohortsimulator van {index} (de case mix: leeftijd, ernstige psychische aandoening, "
        "maanden zonder werk, trede bij de start), het effect is ingebouwd als de hazardratio "
        "hierboven, en elk van de {n_sim} onderzoeken wordt geanalyseerd zoals de notebooks "
        "een onderzoek analyseren — tijd tot betaald werk met uitval als concurrerende "
        "gebeurtenis, dan het oorzaakspecifieke Cox-model en het Fine–Gray-model van de arm. "
        "Dezelfde onderzoeken zonder effect geven de fout van de eerste soort. De schattingen "
        "worden vergeleken met hun ware (marginale) waarde, die een grote gekoppelde "
        "simulatie levert: een ongecorrigeerde hazardratio in een heterogene populatie is "
        "niet de hazardratio die in de simulator is ingebouwd."),
    "nb08_row_analytic": ("analytic (Pintilie)", "analytisch (Pintilie)"),
    "nb08_row_simulated": ("simulated: {model}", "gesimuleerd: {model}"),
    "nb08_side_caption": ("Power, type I error and entries into paid work: the formula and "
                          "the simulated trials ({n_sim} per scenario, 95% Monte Carlo "
                          "intervals)",
                          "Onderscheidend vermogen, fout van de eerste soort en overgangen "
                          "naar betaald werk: de formule en de gesimuleerde onderzoeken "
                          "({n_sim} per scenario, 95%-Monte-Carlo-intervallen)"),
    "nb08_bias_caption": ("Estimates (log hazard ratio) of the simulated trials against their "
                          "true marginal value",
                          "Schattingen (log-hazardratio) van de gesimuleerde onderzoeken "
                          "tegenover hun ware marginale waarde"),
    "nb08_sim_figure_caption": (
        "Simulated power and type I error per analysis with 95% Monte Carlo intervals (top) "
        "and the estimated hazard ratios of the trials against their true value (bottom)",
        "Gesimuleerd onderscheidend vermogen en fout van de eerste soort per analyse met "
        "95%-Monte-Carlo-intervallen (boven) en de geschatte hazardratio's van de "
        "onderzoeken tegenover hun ware waarde (onder)"),
    "nb08_sim_after": (
        "The formula's hazard of paid work is everybody's hazard; in the simulated population "
        "it varies with the case mix, and the people with the lowest chances (severe mental "
        "illness, long out of work) contribute few entries into paid work: the formula "
        "expects {events_analytic} entries, the simulated trials had {events_simulated} on "
        "average, and power rests on entries. The simulation also reports what no formula "
        "does: the type I error of the planned analysis, the bias of its estimate and the "
        "coverage of its confidence interval.",
        "De hazard van betaald werk in de formule geldt voor iedereen; in de gesimuleerde "
        "populatie varieert hij met de case mix, en wie de kleinste kansen heeft (ernstige "
        "psychische aandoening, lang zonder werk) draagt weinig overgangen naar betaald werk "
        "bij: de formule verwacht {events_analytic} overgangen, de gesimuleerde onderzoeken "
        "hadden er gemiddeld {events_simulated}, en het onderscheidend vermogen rust op die "
        "overgangen. De simulatie laat ook zien wat geen formule geeft: de fout van de "
        "eerste soort van de geplande analyse, de vertekening van de schatting en de "
        "dekking van het betrouwbaarheidsinterval."),
    "nb08_curve_heading": ("## Power curve", "## Vermogenscurve"),
    "nb08_curve_text": (
        "Power of the cause-specific Cox model at {sizes} participants (half, once and one "
        "and a half times the analytic sample size), with its Monte Carlo interval from "
        "{n_sim} trials per size; the same simulated trials at every size (common random "
        "numbers), so the curve is smoother than its intervals suggest.",
        "Onderscheidend vermogen van het oorzaakspecifieke Cox-model bij {sizes} deelnemers "
        "(de helft, één en anderhalf keer de analytische steekproefgrootte), met het "
        "Monte-Carlo-interval uit {n_sim} onderzoeken per grootte; bij elke grootte dezelfde "
        "gesimuleerde onderzoeken (common random numbers), zodat de curve gladder is dan de "
        "intervallen doen vermoeden."),
    "nb08_curve_caption": ("Simulated power of the cause-specific Cox model by total sample "
                           "size, hazard ratio {hr}, with 95% Monte Carlo band",
                           "Gesimuleerd onderscheidend vermogen van het oorzaakspecifieke "
                           "Cox-model naar totale steekproefgrootte, hazardratio {hr}, met "
                           "95%-Monte-Carlo-band"),
    "nb08_curve_table_caption": ("Simulated power by total sample size",
                                 "Gesimuleerd onderscheidend vermogen naar totale "
                                 "steekproefgrootte"),
    "nb08_recruit_heading": ("## Can we recruit them?", "## Kunnen we ze werven?"),
    "nb08_recruit_text": (
        "The evaluation of Grip Op Werk in four municipalities did not reach its recruitment "
        "target, so its planned analyses could not be run. A recruitment forecast makes that "
        "visible early. The plan below assumes {sites} municipalities opening one month "
        "after another, each referring about {referrals} people a month of whom {eligible} "
        "are eligible and {consent} of those consent (uncertain: the prior counts say how "
        "sure the plan is). After {as_of} months far fewer were referred, eligible and "
        "consenting than planned (illustrative screening logs); the forecast, updated with "
        "those counts (Anisimov & Fedorov 2007), shows whether the target of {target} "
        "participants can still be met by month {deadline}.",
        "De evaluatie van Grip Op Werk in vier gemeenten haalde haar wervingsdoel niet, "
        "zodat de geplande analyses niet konden worden uitgevoerd. Een wervingsprognose "
        "maakt dat vroeg zichtbaar. Het plan hieronder gaat uit van {sites} gemeenten die "
        "een maand na elkaar beginnen, elk met ongeveer {referrals} aanmeldingen per maand, "
        "van wie {eligible} in aanmerking komt en {consent} daarvan toestemming geeft "
        "(onzeker: de a-prioriaantallen zeggen hoe zeker het plan is). Na {as_of} maanden "
        "waren er veel minder aanmeldingen, geschikte kandidaten en toestemmingen dan "
        "gepland (illustratieve screeningslogboeken); de prognose, bijgewerkt met die "
        "aantallen (Anisimov & Fedorov 2007), laat zien of het doel van {target} deelnemers "
        "uiterlijk in maand {deadline} nog haalbaar is."),
    "nb08_site": ("municipality {i}", "gemeente {i}"),
    "nb08_three": ("{a}, {b} and {c}", "{a}, {b} en {c}"),
    "nb08_recruit_figure_caption": (
        "Recruitment forecast: the plan (top) and the forecast after {as_of} months of "
        "screening logs (bottom), median and prediction intervals",
        "Wervingsprognose: het plan (boven) en de prognose na {as_of} maanden "
        "screeningslogboeken (onder), mediaan en voorspellingsintervallen"),
    "nb08_recruit_table_caption": ("Probability of reaching the target of {target} by month "
                                   "{deadline}: the plan and the updated forecast",
                                   "Kans om het doel van {target} uiterlijk in maand "
                                   "{deadline} te halen: het plan en de bijgewerkte prognose"),
    "nb08_row_plan": ("plan", "plan"),
    "nb08_row_after": ("after month {month}", "na maand {month}"),
    "nb08_not_reached": ("not reached", "niet gehaald"),
    "nb08_proposal_heading": ("## For the proposal", "## Voor de aanvraag"),
    "nb08_proposal_text": (
        "The paragraphs below are built from the result objects (every number is read from "
        "them), in the language of the report.",
        "De alinea's hieronder zijn opgebouwd uit de resultaatobjecten (elk getal komt "
        "daaruit), in de taal van het rapport."),
    "nb08_conclusion": (
        "**Conclusion.** Analytic: {n} participants for {power} power; simulated with the "
        "{index}-like case mix: {sim_power} power ({sim_lower}–{sim_upper}), type I error "
        "{type1}.",
        "**Conclusie.** Analytisch: {n} deelnemers voor {power} onderscheidend vermogen; "
        "gesimuleerd met de case mix van {index}: {sim_power} ({sim_lower}–{sim_upper}), "
        "fout van de eerste soort {type1}."),
    "nb08_below_target": (
        "The simulated power stays below the target of {target}: plan for more participants "
        "than the formula says, or a longer follow-up (see the power curve).",
        "Het gesimuleerde onderscheidend vermogen blijft onder het doel van {target}: plan "
        "meer deelnemers dan de formule aangeeft, of een langere follow-up (zie de "
        "vermogenscurve)."),
    "nb08_recruitment_line": (
        "Recruitment: the probability of {target} participants by month {deadline} is "
        "{probability} after {as_of} months ({recruited} recruited); in the plan it was "
        "{plan_probability}.",
        "Werving: de kans op {target} deelnemers uiterlijk in maand {deadline} is "
        "{probability} na {as_of} maanden ({recruited} geworven); in het plan was die "
        "{plan_probability}."),

    # ---------------------------------------------------------------- estimands (issue 13.5)
    # 04: hazard ratios and restricted means named by what they estimate
    "nb04_models_text_single": (
        "Dropout {dropout_handling}, so paid work is the only event in these models: a hazard "
        "ratio above 1 means a higher rate of starting paid work among people still without a "
        "job, and (if hazards are proportional) a higher share in paid work at every time. "
        "Reference programme: {reference}.",
        "Uitval {dropout_handling}; betaald werk is dus de enige gebeurtenis in deze modellen: "
        "een hazardratio boven 1 betekent een hogere kans per tijdseenheid om betaald werk te "
        "vinden bij wie nog geen baan heeft, en (bij proportionele hazards) op elk moment een "
        "groter aandeel met betaald werk. Referentieprogramma: {reference}."),
    "dropout_handling_censor": ("is censored (hypothetical strategy)",
                                "wordt gecensureerd (hypothetische strategie)"),
    "dropout_handling_ignore": ("is ignored (jobs after dropout count)",
                                "wordt genegeerd (banen na uitval tellen mee)"),
    "nb04_forest_caption_competing": (
        "Cause-specific hazard ratios (rate among people still at risk) and subdistribution "
        "hazard ratios (Fine–Gray: cumulative incidence) with 95% confidence intervals",
        "Oorzaakspecifieke hazardratio's (kans per tijdseenheid bij wie nog risico loopt) en "
        "subdistributie-hazardratio's (Fine–Gray: cumulatieve incidentie) met "
        "95%-betrouwbaarheidsintervallen"),
    "nb04_rmst_caption_competing": (
        "Restricted mean time without paid work in the first {tau} months, dropout competing: "
        "{tau} months minus the area under the cumulative incidence of paid work (time after "
        "dropout counts as time without paid work)",
        "Beperkte gemiddelde tijd zonder betaald werk in de eerste {tau} maanden, uitval als "
        "concurrerende gebeurtenis: {tau} maanden min de oppervlakte onder de cumulatieve "
        "incidentie van betaald werk (tijd na uitval telt als tijd zonder betaald werk)"),
    "nb04_rmst_caption_censor": (
        "Restricted mean time without paid work in the first {tau} months, dropout censored: "
        "the area under the Kaplan–Meier curve, as if nobody dropped out (hypothetical)",
        "Beperkte gemiddelde tijd zonder betaald werk in de eerste {tau} maanden, uitval "
        "gecensureerd: de oppervlakte onder de Kaplan–Meiercurve, alsof niemand uitvalt "
        "(hypothetisch)"),
    "nb04_rmst_caption_ignore": (
        "Restricted mean time without paid work in the first {tau} months, dropout ignored: "
        "the area under the Kaplan–Meier curve, jobs after dropout counted (treatment policy)",
        "Beperkte gemiddelde tijd zonder betaald werk in de eerste {tau} maanden, uitval "
        "genegeerd: de oppervlakte onder de Kaplan–Meiercurve, banen na uitval meegeteld "
        "(behandelbeleid)"),
    # a sentence built by a result object in the notebook's language (shown as it is)
    "sentence": ("{sentence}", "{sentence}"),
    # 06: target population, effective sample sizes, overlap, hazard-ratio intervals
    "nb06_target_caption": (
        "Who the {estimand} describes: characteristics of the weighted population against "
        "the programmes as they are",
        "Wie het {estimand} beschrijft: kenmerken van de gewogen populatie naast de programma's "
        "zoals ze zijn"),
    "nb06_target_note": (
        "Weighted population: both programmes together with the {estimand} weights; shares "
        "and means are weighted, the programmes' own columns are not.",
        "Gewogen populatie: beide programma's samen met de {estimand}-gewichten; aandelen en "
        "gemiddelden zijn gewogen, de kolommen van de programma's zelf niet."),
    "nb06_target_text": (
        "The estimates below are for this weighted population ({estimand}), not for the "
        "{index} participants as they are: it differs most from them in {term} ({target} "
        "against {value_index} in {index}).",
        "De schattingen hieronder gelden voor deze gewogen populatie ({estimand}), niet voor "
        "de {index}-deelnemers zoals ze zijn: ze verschilt het meest van hen in {term} "
        "({target} tegenover {value_index} in {index})."),
    "nb06_target_text_att": (
        "The ATT weights make {comparator} resemble the {index} participants, so the estimates "
        "below are for people like them; the largest remaining difference is in {term} "
        "({target} in the weighted population against {value_index} in {index}).",
        "De ATT-gewichten maken {comparator} gelijk aan de {index}-deelnemers; de schattingen "
        "hieronder gelden dus voor mensen zoals zij; het grootste overgebleven verschil is "
        "{term} ({target} in de gewogen populatie tegenover {value_index} in {index})."),
    "target_column": ("Weighted population ({estimand})", "Gewogen populatie ({estimand})"),
    "characteristic_column": ("Characteristic", "Kenmerk"),
    "nb06_ato_balance": (
        "Overlap weights balance the means of every covariate of the propensity model exactly, "
        "by construction: the balance panel (below) is flat whatever the overlap and says "
        "nothing about it. Overlap shows in the distributions of the propensity scores (above) "
        "and in the effective sample sizes.",
        "Overlapgewichten maken de gemiddelden van elk kenmerk in het propensitymodel per "
        "constructie exact gelijk: het balanspaneel (onder) is vlak, hoe groot de overlap ook "
        "is, en zegt er niets over. De overlap blijkt uit de verdelingen van de "
        "propensityscores (boven) en uit de effectieve steekproefgroottes."),
    "nb06_ato_balance_firth": (
        "Overlap weights from a maximum-likelihood propensity model balance the means of "
        "every covariate exactly, by construction, whatever the overlap; with Firth's "
        "penalised model (used here) the balance is close to exact (largest remaining "
        "absolute standardised difference {smd}, {term}). Either way the balance panel "
        "(below) says nothing about overlap: that shows in the distributions of the "
        "propensity scores (above) and in the effective sample sizes.",
        "Overlapgewichten uit een propensitymodel met grootste aannemelijkheid maken de "
        "gemiddelden van elk kenmerk per constructie exact gelijk, hoe groot de overlap ook "
        "is; met het gepenaliseerde model volgens Firth (hier gebruikt) is de balans bijna "
        "exact (grootste overgebleven absolute gestandaardiseerde verschil {smd}, {term}). Het "
        "balanspaneel (onder) zegt dus niets over overlap: die blijkt uit de verdelingen "
        "van de propensityscores (boven) en uit de effectieve steekproefgroottes."),
    "nb06_conclusion_weighted": (
        "**Conclusion.** For {population}, {risk_index} would have started paid work by "
        "{month} months with {index} against {risk_comparator} with {comparator} (weighted "
        "cumulative incidence, {estimand}): a difference of {rd} percentage points ({index} − "
        "{comparator}). {direction} {caveat}",
        "**Conclusie.** Voor {population} zou {risk_index} na {month} maanden met betaald "
        "werk zijn begonnen met {index} tegenover {risk_comparator} met {comparator} "
        "(gewogen cumulatieve incidentie, {estimand}): een verschil van {rd} procentpunten "
        "({index} − {comparator}). {direction} {caveat}"),
    "nb06_balance_caption_panels": (
        "Above: propensity scores by programme (overlap); below: covariate balance before and "
        "after weighting ({estimand})",
        "Boven: propensityscores per programma (overlap); onder: balans van de kenmerken voor "
        "en na weging ({estimand})"),
    "nb06_weighted_for": (
        "Weighted to {population} ({estimand}); effective sample sizes {index} {ess_index}, "
        "{comparator} {ess_comparator}.",
        "Gewogen naar {population} ({estimand}); effectieve steekproefgroottes {index} "
        "{ess_index}, {comparator} {ess_comparator}."),
    "nb06_weighted_for_imputed": (
        "Weighted to {population} ({estimand}), on each imputed data set.",
        "Gewogen naar {population} ({estimand}), op elke geïmputeerde dataset."),
    "nb06_rmst_note_competing": (
        "Months without paid work: restricted mean with dropout competing (time after dropout "
        "counts as time without paid work).",
        "Maanden zonder betaald werk: beperkt gemiddelde met uitval als concurrerende "
        "gebeurtenis (tijd na uitval telt als tijd zonder betaald werk)."),
    "nb06_rmst_note_censor": (
        "Months without paid work: restricted mean with dropout censored (as if nobody dropped "
        "out).",
        "Maanden zonder betaald werk: beperkt gemiddelde met uitval gecensureerd (alsof "
        "niemand uitvalt)."),
    "nb06_rmst_note_ignore": (
        "Months without paid work: restricted mean with jobs after dropout counted (treatment "
        "policy).",
        "Maanden zonder betaald werk: beperkt gemiddelde met banen na uitval meegeteld "
        "(behandelbeleid)."),
    "nb06_hr_sdh": (
        "For {population}{ess}, the {weighted}subdistribution hazard ratio of paid work "
        "(Fine–Gray, {index} against {comparator}) is {hr}; {interval}. A subdistribution "
        "hazard ratio above 1 means a higher cumulative incidence of paid work in {index} "
        "(if the ratio is constant over time). {direction}",
        "Voor {population}{ess} is de {weighted}subdistributie-hazardratio van betaald werk "
        "(Fine–Gray, {index} ten opzichte van {comparator}) {hr}; {interval}. Een "
        "subdistributie-hazardratio boven 1 betekent een hogere cumulatieve incidentie van "
        "betaald werk in {index} (als de ratio constant is in de tijd). {direction}"),
    "nb06_hr_single": (
        "For {population}{ess}, the {weighted}hazard ratio of paid work ({index} against "
        "{comparator}; dropout {dropout_handling}, so paid work is the only event) is {hr}; "
        "{interval}. Above 1 means a higher share in paid work in {index} at every time (if "
        "hazards are proportional). {direction}",
        "Voor {population}{ess} is de {weighted}hazardratio van betaald werk ({index} ten "
        "opzichte van {comparator}; uitval {dropout_handling}, dus betaald werk is de enige "
        "gebeurtenis) {hr}; {interval}. Boven 1 betekent op elk moment een groter aandeel "
        "met betaald werk in {index} (bij proportionele hazards). {direction}"),
    "weighted_word": ("weighted ", "gewogen "),
    "nb06_ess_inline": (" (effective sample sizes {index} {ess_index}, {comparator} "
                        "{ess_comparator})",
                        " (effectieve steekproefgroottes {index} {ess_index}, {comparator} "
                        "{ess_comparator})"),
    # the interval's kind follows bootstrap_hazard_ratio's attrs["ci"]
    "hr_interval_bootstrap_basic": (
        "95% basic bootstrap interval (corrected for the bias the replicates show) from "
        "{n_boot} replicates that re-estimate the propensity weights (so it includes their "
        "uncertainty){failed}",
        "95%-bootstrapinterval (basismethode, gecorrigeerd voor de vertekening die de "
        "replicaties laten zien) uit {n_boot} replicaties die de propensitygewichten "
        "opnieuw schatten (de onzekerheid daarvan zit er dus in){failed}"),
    "hr_interval_bootstrap_percentile": (
        "95% bootstrap percentile interval from {n_boot} replicates that re-estimate the "
        "propensity weights (so it includes their uncertainty){failed}",
        "95%-bootstrap-percentielinterval uit {n_boot} replicaties die de propensitygewichten "
        "opnieuw schatten (de onzekerheid daarvan zit er dus in){failed}"),
    "balance_rows_hidden": (
        "{n} binary column(s) held by, or missing in, fewer than {k} people of a programme "
        "are not shown (disclosure control).",
        "{n} binaire kolom(men) met, of zonder, minder dan {k} deelnemers in een programma "
        "niet getoond (onthullingsbeheersing)."),
    "hr_interval_refused": (
        "95% robust (sandwich) interval, which treats the propensity weights as known and may "
        "be too narrow: the bootstrap that re-estimates them was refused because {failed} of "
        "{n_boot} replicates gave an infinite weight or could not be fitted (poor overlap)",
        "95%-robuust (sandwich-)interval, dat de propensitygewichten als bekend behandelt en "
        "te smal kan zijn: de bootstrap die ze opnieuw schat is geweigerd omdat {failed} van "
        "de {n_boot} replicaties een oneindig gewicht gaven of niet te schatten waren (weinig "
        "overlap)"),
    "hr_interval_pooled": (
        "95% interval pooled over {m} imputations by Rubin's rules, with bootstrap standard "
        "errors ({n_boot} replicates that re-estimate the propensity weights) within each",
        "95%-interval gepoold over {m} imputaties met de regels van Rubin, met "
        "bootstrap-standaardfouten ({n_boot} replicaties die de propensitygewichten opnieuw "
        "schatten) binnen elke imputatie"),
    "hr_interval_model": ("95% confidence interval from the model's robust standard error "
                          "(randomised: no weights to estimate)",
                          "95%-betrouwbaarheidsinterval uit de robuuste standaardfout van het "
                          "model (gerandomiseerd: geen gewichten te schatten)"),
    "hr_direction_above": ("The interval lies above 1.", "Het interval ligt boven 1."),
    "hr_direction_below": ("The interval lies below 1.", "Het interval ligt onder 1."),
    "hr_direction_unclear": ("The interval includes 1.", "Het interval bevat 1."),
    "nb06_evalue_rr": (
        "E-value of the {weighted}risk ratio of paid work at {month} months, {rr} ({index} / "
        "{comparator}, cumulative incidence): an unmeasured confounder would need a risk "
        "ratio of {point} with both programme and paid work (beyond the measured covariates) "
        "to explain it away; {ci} to move its confidence limit to 1. (E-values are computed "
        "from this risk ratio, not from a hazard ratio.)",
        "E-waarde van de {weighted}risicoratio van betaald werk na {month} maanden, {rr} "
        "({index} / {comparator}, cumulatieve incidentie): een ongemeten confounder zou een "
        "risicoratio van {point} met zowel het programma als betaald werk moeten hebben "
        "(bovenop de gemeten kenmerken) om die te verklaren; {ci} om de betrouwbaarheidsgrens "
        "naar 1 te brengen. (E-waarden zijn berekend uit deze risicoratio, niet uit een "
        "hazardratio.)"),
    "nb06_context_interval_note": (
        "Published intervals: Clopper–Pearson 95% intervals from the published arm size n; "
        "– where the article gives no arm size.",
        "Gepubliceerde intervallen: Clopper–Pearson-95%-intervallen uit de gepubliceerde "
        "armgrootte n; – waar het artikel geen armgrootte geeft."),
}


def say(key: str, language: str = "en", **fields: Any) -> str:
    """The sentence ``key`` in ``language`` with its ``{placeholders}`` filled.

    Parameters
    ----------
    key : str
        A key of :data:`NARRATIVE`.
    language : {"en", "nl"}, default "en"
    **fields : dict, optional
        Values of the placeholders (already formatted for the language).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        An unknown key or a missing field (naming it).

    Examples
    --------
    >>> say("nb06_title", "nl", index="KOW", comparator="CAU")
    '# KOW vergeleken met CAU'
    """
    lang = check_language(language)
    if key not in NARRATIVE:
        raise KeyError(f"no narrative sentence {key!r}")
    template = NARRATIVE[key][lang == "nl"]
    try:
        return template.format(**fields)
    except KeyError as exc:
        raise KeyError(f"narrative {key!r} needs the field {exc.args[0]!r}") from None
