"""Aggregate outcome tables of a study, written as CSV and HTML (no rows of people).

This is what ``kow-research report`` writes beside the executed notebooks: the validation
counts, the participant flow (attrition) under each dropout strategy, the outcome counts, the
participation ladder by wave and the training dose — all aggregated by cohort.
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign
from kow_research.data.validate import ValidationReport
from kow_research.outcomes import attrition_table, ladder_by_wave, time_to_paid_work, training_dose
from kow_research.outcomes.definitions import DROPOUT_STRATEGIES, TimeToWorkDefinition
from kow_research.report.analysis import time_to_work_definition
from kow_research.report.export import write_csv
from kow_research.report.flow import suppress_attrition
from kow_research.report.formatting import format_number
from kow_research.report.labels import check_language
from kow_research.report.policy import DisclosurePolicy

#: headings and page text of ``tables/summary.html`` (en, nl)
_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Aggregate tables", "Geaggregeerde tabellen"),
    "study": ("{participants} participants, {ladder} ladder assessments, {spells} work spells, "
              "{sessions} sessions; validation: {errors} errors, {warnings} warnings.",
              "{participants} deelnemers, {ladder} metingen op de participatieladder, "
              "{spells} werkperiodes, {sessions} bijeenkomsten; validatie: {errors} fouten, "
              "{warnings} waarschuwingen."),
    "columns": ("Column names are those of the CSV files (machine-readable, the same in every "
                "language).",
                "Kolomnamen zijn die van de CSV-bestanden (machineleesbaar, in elke taal "
                "gelijk)."),
    "validation_counts": ("Validation problems (counts of problems, not of persons)",
                          "Validatieproblemen (aantallen problemen, geen personen)"),
    "attrition_by_dropout_strategy": ("Participant flow under each dropout strategy",
                                      "Deelnemersstroom per uitvalstrategie"),
    "ladder_by_wave": ("Participation ladder by wave", "Participatieladder per meting"),
    "training_dose": ("Training dose", "Trainingsdosis"),
}


def _say(key: str, language: str, **fields: Any) -> str:
    return _TEXT[key][check_language(language) == "nl"].format(**fields)


def _decimal_commas(table: pd.DataFrame, *, language: str,
                    policy: DisclosurePolicy) -> pd.DataFrame:
    """For the Dutch page: the (policy-rounded) means with a decimal comma; the CSV files
    keep points."""
    if language != "nl":
        return table

    def cell(v: Any) -> Any:
        if isinstance(v, float) and not float(v).is_integer():
            return format_number(v, language="nl", decimals=policy.mean_decimals)
        return v

    return table.map(cell)


def outcome_tables(study: Study, *, design: StudyDesign | None = None,
                   language: str = "en") -> dict[str, pd.DataFrame]:
    """Aggregated outcome tables keyed by a file stem (before disclosure control).

    Parameters
    ----------
    study : Study
    design : StudyDesign, optional
        Resolved; its time-to-work definition (origin, paid-work rules), waves, windows and
        planned sessions are used (default: the package defaults).
    language : {"en", "nl"}, default "en"
        Language of the ``definition`` column.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``attrition_by_dropout_strategy`` (the flow under each strategy), ``ladder_by_wave``
        (assessed, not assessed and mean rung per programme and wave) and, when there are
        sessions, ``training_dose``.

    Examples
    --------
    >>> import kow_research as kr
    >>> s = kr.simulate_studies({"KOW": 30}, seed=1)
    >>> sorted(outcome_tables(s))
    ['attrition_by_dropout_strategy', 'ladder_by_wave', 'training_dose']
    """
    lang = check_language(language)
    tables: dict[str, pd.DataFrame] = {}
    flows = []
    base = time_to_work_definition(design) if design is not None else TimeToWorkDefinition()
    for strategy in DROPOUT_STRATEGIES:
        df = time_to_paid_work(study, definition=replace(base, dropout=strategy))
        flow = attrition_table(df).assign(dropout=strategy,
                                          definition=df.attrs["definition_text"][lang])
        flows.append(flow)
    tables["attrition_by_dropout_strategy"] = pd.concat(flows, ignore_index=True)
    if design is not None:
        bw = ladder_by_wave(study, waves=design["waves"], window_days=design["wave_window_days"],
                            baseline_window=tuple(design["baseline_window_days"]),
                            origin=design["origin"])
    else:
        bw = ladder_by_wave(study)
    keys = ["cohort", "wave_month", "wave"]
    dist = (bw.assign(rung=bw["rung"].astype("Float64"))
            .groupby(keys, sort=True, observed=True)["rung"]
            .agg(assessed="count", mean_rung="mean")
            .reset_index())
    dist["not_assessed"] = bw.groupby(keys, sort=True, observed=True)["rung"].apply(
        lambda v: int(v.isna().sum())).to_numpy()
    dist["mean_rung"] = dist["mean_rung"].astype(float)
    dist["definition"] = bw.attrs["definition_text"][lang]
    tables["ladder_by_wave"] = dist
    dose = (training_dose(study, planned=design["planned_sessions"] or None,
                          completer_fraction=design["completer_fraction"])
            if design is not None else training_dose(study))
    if len(dose):
        tables["training_dose"] = (dose.groupby("cohort", observed=True)
                                   .agg(n=("attended", "size"), planned=("planned", "first"),
                                        mean_attended=("attended", "mean"),
                                        completers=("completer", "sum"))
                                   .reset_index())
    return tables


@positional_deprecated("k")
def disclosed_tables(study: Study, *, policy: DisclosurePolicy | None = None,
                     design: StudyDesign | None = None, language: str = "en",
                     k: int | None = None) -> dict[str, pd.DataFrame]:
    """:func:`outcome_tables` through the disclosure policy.

    Partitions for secondary suppression: per dropout strategy and cohort, the exclusion
    reasons plus "analysed" add up to "entered", and the outcome rows add up to "analysed";
    per cohort and wave, ``assessed`` and ``not_assessed`` add up to the cohort size. A count
    below ``k`` shows ``<k``, a count hidden only to protect it shows the secondary marker
    (``×``), and a mean is rounded to the policy's decimals and hidden with its count (its
    full digits would give the count away: 52/17 = 3.0588…).

    Parameters
    ----------
    study : Study
    policy : DisclosurePolicy, optional
        Default :meth:`DisclosurePolicy.default`, or one with threshold ``k``.
    design : StudyDesign, optional
        See :func:`outcome_tables`.
    language : {"en", "nl"}, default "en"
    k : int, optional
        Threshold of a policy built here (deprecated: pass ``policy``).

    Returns
    -------
    dict of str to pandas.DataFrame

    Examples
    --------
    >>> import kow_research as kr
    >>> s = kr.simulate_studies({"KOW": 30}, seed=1)
    >>> ladder = disclosed_tables(s, policy=DisclosurePolicy.strict())["ladder_by_wave"]
    >>> all(str(v) in ("<10", "×") or int(v) == 0 or int(v) >= 10
    ...     for v in ladder["not_assessed"])
    True
    """
    if policy is None:
        policy = DisclosurePolicy(k=k) if k is not None else DisclosurePolicy.default()
    tables = outcome_tables(study, design=design, language=language)
    flow = tables["attrition_by_dropout_strategy"]
    tables["attrition_by_dropout_strategy"] = suppress_attrition(
        flow, policy=policy, by=["dropout", "cohort"])
    tables["ladder_by_wave"] = policy.suppress_columns(
        tables["ladder_by_wave"], counts=["assessed", "not_assessed"], row_totals=True,
        means={"mean_rung": "assessed"})
    if "training_dose" in tables:
        tables["training_dose"] = policy.suppress_columns(
            tables["training_dose"], counts=["n", "completers"],
            means={"mean_attended": "n"})
    return tables


@positional_deprecated("report", "out", "k")
def write_summary(study: Study, *, report: ValidationReport, out: str | Path,
                  policy: DisclosurePolicy | None = None, design: StudyDesign | None = None,
                  language: str = "en", k: int | None = None) -> list[Path]:
    """Write the validation counts and :func:`disclosed_tables` as CSV plus ``summary.html``.

    Validation counts are numbers of problems (not of persons) and are written as they are.

    Parameters
    ----------
    study : Study
    report : ValidationReport
        Of ``study``.
    out : str or pathlib.Path
        Folder (created if needed).
    policy : DisclosurePolicy, optional
        See :func:`disclosed_tables`.
    design : StudyDesign, optional
        See :func:`outcome_tables`.
    language : {"en", "nl"}, default "en"
        Language of the page and of the ``definition`` columns (CSV column names stay the
        same in every language).
    k : int, optional
        Deprecated: pass ``policy``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> import kow_research as kr
    >>> s = kr.simulate_studies({"KOW": 30}, seed=1)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_summary(s, report=kr.data.validate(s), out=d, language="nl")
    ...     page = files[-1].read_text(encoding="utf-8")
    >>> [f.name for f in files][:2], "Geaggregeerde tabellen" in page
    (['validation_counts.csv', 'attrition_by_dropout_strategy.csv'], True)
    """
    lang = check_language(language)
    if policy is None:
        policy = DisclosurePolicy(k=k) if k is not None else DisclosurePolicy.default()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"validation_counts": report.counts(),
              **disclosed_tables(study, policy=policy, design=design, language=lang)}
    sizes = {name: len(getattr(study, name)) for name in ("participants", "ladder", "spells",
                                                          "sessions")}
    written = []
    parts = [f"<h1>{html.escape(_say('title', lang))}</h1>",
             "<p>" + html.escape(_say("study", lang, **sizes, errors=len(report.errors),
                                      warnings=len(report.warnings))) + "</p>",
             f"<p>{html.escape(policy.note(lang))}</p>",
             f"<p>{html.escape(_say('columns', lang))}</p>"]
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        write_csv(table, path)
        written.append(path)
        parts.append(f"<h2>{html.escape(_say(name, lang))}</h2>")
        parts.append(_decimal_commas(table, language=lang, policy=policy).to_html(
            index=False, na_rep=""))
    page = folder / "summary.html"
    page.write_text(f"<!doctype html><html lang='{lang}'><meta charset='utf-8'>"
                    f"<title>{html.escape(_say('title', lang))}</title>"
                    + "\n".join(parts) + "</html>", encoding="utf-8")
    written.append(page)
    return written
