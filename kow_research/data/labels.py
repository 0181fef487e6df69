"""The one bilingual (English / Dutch) label catalogue of the package.

Every text a reader sees — axis labels, table headers, captions, outcome and exclusion labels,
definition sentences — comes from here, switched by one ``language`` parameter: UI strings from
:data:`UI_STRINGS` through :func:`text`, variable titles and value labels from the data
dictionary through :func:`variable_title` and :func:`value_labels` (with the derived variables,
such as the baseline rung, that the dictionary does not hold). Later stages (survival plots,
outcome definitions, comparison tables, the report) import it from here.
"""

from __future__ import annotations

from typing import Any

from kow_research.data.schema import TABLES, Language, get_schema

LANGUAGES: tuple[str, ...] = ("en", "nl")

#: key -> (English, Dutch)
UI_STRINGS: dict[str, tuple[str, str]] = {
    # axes of curve plots
    "time": ("Time", "Tijd"),
    "days_since_start": ("Days since start", "Dagen sinds start"),
    "weeks_since_start": ("Weeks since start", "Weken sinds start"),
    "months_since_start": ("Months since start", "Maanden sinds start"),
    "cumulative_incidence": ("Cumulative incidence", "Cumulatieve incidentie"),
    "survival": ("Event-free probability", "Kans zonder gebeurtenis"),
    "cause": ("cause", "oorzaak"),
    "number_at_risk": ("Number at risk", "Aantal in risicoset"),
    # what the event codes of the outcome frames mean in curve plots
    "curve_time_to_paid_work_survival_1": ("Without paid work", "Zonder betaald werk"),
    "curve_time_to_paid_work_cumulative_incidence_1": ("Cumulative incidence of paid work",
                                                        "Cumulatieve incidentie betaald werk"),
    "curve_time_to_paid_work_cumulative_incidence_2": ("Cumulative incidence of dropout",
                                                        "Cumulatieve incidentie uitval"),
    "curve_dropout_survival_1": ("Still in the programme", "Nog in het programma"),
    # time to paid work: outcome codes, exclusion reasons, definition sentences
    "event_0": ("censored", "gecensureerd"),
    "event_1": ("paid work", "betaald werk"),
    "event_2": ("dropout", "uitval"),
    "entered_study": ("entered the study", "ingestroomd"),
    "exclusion_origin_date_missing": ("origin date missing", "startdatum ontbreekt"),
    "exclusion_end_of_followup_missing": ("end of follow-up missing",
                                          "einde follow-up ontbreekt"),
    "exclusion_in_paid_work_at_origin": ("already in paid work at the origin",
                                         "al betaald werk bij de start"),
    "exclusion_paid_work_starts_at_origin": ("paid work starts on the origin day",
                                             "betaald werk begint op de startdag"),
    "exclusion_dropout_before_origin": ("dropped out on or before the origin",
                                        "uitgevallen op of voor de start"),
    "exclusion_zero_followup": ("no follow-up after the origin", "geen follow-up na de start"),
    "dropout_competing": ("dropout is a competing event (code 2; while-on-treatment strategy)",
                          "uitval is een concurrerende gebeurtenis (code 2; "
                          "while-on-treatment-strategie)"),
    "dropout_censor": ("follow-up is censored at dropout (hypothetical strategy)",
                       "follow-up wordt gecensureerd bij uitval (hypothetische strategie)"),
    "dropout_ignore": ("dropout is ignored: followed up to end of follow-up (treatment policy)",
                       "uitval wordt genegeerd: gevolgd tot einde follow-up (treatment policy)"),
    # participant flow
    "entered": ("Entered", "Ingestroomd"),
    "excluded": ("Excluded", "Uitgesloten"),
    "analysed": ("Analysed", "Geanalyseerd"),
    "outcome": ("Status at end of follow-up", "Status aan het eind van de follow-up"),
    "participant_flow": ("Participant flow", "Stroomdiagram deelnemers"),
    # forest plot
    "hazard_ratio": ("Hazard ratio ({level}% CI, log scale)",
                     "Hazardratio ({level}%-BI, log-schaal)"),
    "hr_ci": ("HR ({level}% CI)", "HR ({level}%-BI)"),
    "covariate": ("Covariate", "Covariaat"),
    "model": ("Model", "Model"),
    # ladder
    "percent_assessed": ("% of assessed participants", "% van de gemeten deelnemers"),
    "wave": ("Wave (months since start)", "Meetmoment (maanden na start)"),
    "rung": ("Rung", "Trede"),
    "rung_at": ("Rung at", "Trede op"),
    "not_assessed": ("not assessed", "niet gemeten"),
    "rungs_merged": ("rungs held by fewer than {k}, merged",
                     "treden met minder dan {k} deelnemers, samengevoegd"),
    "transitions_note": ("n = {n}; without a rung at {a} or {b}: {missing}",
                         "n = {n}; zonder trede op {a} of {b}: {missing}"),
    "percent_of_row": ("% of row", "% van de rij"),
    # propensity scores and balance
    "propensity_score": ("propensity score", "propensityscore"),
    "count": ("count", "aantal"),
    "weighted_count": ("weighted count", "gewogen aantal"),
    "count_per_bin": ("{count} per {width}", "{count} per {width}"),
    "ipcw_weight": ("inverse probability of censoring weight",
                    "IPCW-gewicht (inverse van de kans om niet gecensureerd te zijn)"),
    "ipcw_intervals": ("person-intervals", "persoonsintervallen"),
    "overlap_bins_merged": ("bins with fewer than {k} people merged with their neighbours",
                            "klassen met minder dan {k} personen samengevoegd met hun buren"),
    "overlap_title": ("Overlap of propensity scores ({estimand})",
                      "Overlap van propensityscores ({estimand})"),
    "abs_smd": ("absolute standardised mean difference",
                "absoluut gestandaardiseerd verschil in gemiddelden"),
    "before_weighting": ("before", "voor"),
    "after_weighting": ("after", "na"),
    # Table 1
    "characteristic": ("Characteristic", "Kenmerk"),
    "statistic": ("Statistic", "Statistiek"),
    "missing": ("missing", "ontbrekend"),
    "yes": ("yes", "ja"),
    "mean_sd": ("mean (SD)", "gemiddelde (SD)"),
    "median_iqr": ("median [IQR]", "mediaan [IQR]"),
    "n_percent": ("n (%)", "n (%)"),
    "smd": ("SMD", "SMD"),
    "table_one_caption": (
        "Baseline characteristics by {by}. Percentages exclude missing values, which are "
        "counted in their own row. SMD: standardised mean difference ({smd_rule}).",
        "Kenmerken bij de start per {by}. Percentages zonder ontbrekende waarden; die staan "
        "in een eigen rij. SMD: gestandaardiseerd verschil ({smd_rule})."),
    "smd_two_groups": ("two groups", "twee groepen"),
    "smd_max_pairwise": ("largest pairwise difference over the groups",
                         "grootste paarsgewijze verschil tussen de groepen"),
    "suppressed_note": (
        "Cells based on fewer than {k} persons are shown as <{k}; where such a cell could be "
        "recovered from a total, a second cell is suppressed as well.",
        "Cellen met minder dan {k} personen staan als <{k}; waar zo'n cel uit een totaal is "
        "terug te rekenen, is ook een tweede cel onderdrukt."),
    # report index
    "report_title": ("kow_research report", "kow_research rapport"),
    "data_source": ("Data source", "Gegevensbron"),
    "simulated_data": ("simulated cohorts (synthetic data, seed {seed})",
                       "gesimuleerde cohorten (synthetische gegevens, seed {seed})"),
    "package_version": ("Package version", "Pakketversie"),
    "notebook": ("Notebook", "Notebook"),
    "status": ("Status", "Status"),
    "ok": ("ok", "ok"),
    "failed": ("failed", "mislukt"),
}

#: titles of derived variables that the data dictionary does not hold: name -> (en, nl)
DERIVED_TITLES: dict[str, tuple[str, str]] = {
    "baseline_rung": ("Participation ladder rung at start", "Trede participatieladder bij start"),
    "rung": ("Participation ladder rung", "Trede participatieladder"),
    "attended": ("Meetings attended", "Bijgewoonde bijeenkomsten"),
    "time": ("Time (days)", "Tijd (dagen)"),
    "event": ("Event", "Gebeurtenis"),
    "cohort": ("Cohort", "Cohort"),
}


def check_language(language: str) -> Language:
    """Return ``language`` if it is ``"en"`` or ``"nl"``; raise ``ValueError`` otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be 'en' or 'nl', got {language!r}")
    return "nl" if language == "nl" else "en"


def text(key: str, language: str = "en", **fields: Any) -> str:
    """The UI string ``key`` in ``language``, with ``{placeholders}`` filled from ``fields``.

    Parameters
    ----------
    key : str
        A key of :data:`UI_STRINGS`.
    language : {"en", "nl"}, default "en"
    **fields : dict, optional
        Values of the ``{placeholders}`` of the string.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        An unknown key (the message lists the known ones) or language.

    Examples
    --------
    >>> text("number_at_risk", "nl")
    'Aantal in risicoset'
    >>> text("suppressed_note", "en", k=10)[:30]
    'Cells based on fewer than 10 p'
    """
    lang = check_language(language)
    if key not in UI_STRINGS:
        raise ValueError(f"unknown label key {key!r}; known keys: {sorted(UI_STRINGS)}")
    s = UI_STRINGS[key][lang == "nl"]
    return s.format(**fields) if fields else s


def _field(column: str, table: str | None) -> Any:
    for name in (table,) if table else TABLES:
        schema = get_schema(name)
        if column in schema.columns:
            return schema.field(column)
    return None


def variable_title(column: str, language: str = "en", table: str | None = None) -> str:
    """Title of ``column`` in ``language``: the data dictionary's, else a derived variable's,
    else the column name itself.

    Parameters
    ----------
    column : str
    language : {"en", "nl"}, default "en"
    table : str, optional
        Restrict the dictionary lookup to one table; by default the tables are searched in the
        order participants, ladder, spells, sessions.

    Returns
    -------
    str

    Examples
    --------
    >>> variable_title("age", "nl"), variable_title("baseline_rung", "en")
    ('Leeftijd', 'Participation ladder rung at start')
    """
    lang = check_language(language)
    f = _field(column, table)
    if f is not None:
        return str(f.title(lang))
    if column in DERIVED_TITLES:
        return DERIVED_TITLES[column][lang == "nl"]
    return column


def value_labels(column: str, language: str = "en", table: str | None = None) -> dict[Any, str]:
    """``{value: label}`` of a categorical column from the data dictionary (empty if none).

    Parameters
    ----------
    column : str
        A column of the data dictionary; ``baseline_rung`` gets the rungs' labels.
    language : {"en", "nl"}, default "en"
    table : str, optional
        Restrict the lookup to one table.

    Returns
    -------
    dict

    Examples
    --------
    >>> value_labels("sex", "nl")["female"]
    'vrouw'
    >>> value_labels("baseline_rung", "en")[6]
    'paid work'
    """
    lang = check_language(language)
    if column == "baseline_rung":
        column, table = "rung", "ladder"
    f = _field(column, table)
    return dict(f.labels(lang)) if f is not None else {}

