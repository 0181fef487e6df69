"""The tables and figures of the descriptive analysis notebooks (01 to 05), driven by the study
design and published through the disclosure policy.

Each function takes the study (or an outcome frame derived from it), the resolved
:class:`~kow_research.data.study_design.StudyDesign` and the report's
:class:`~kow_research.report.policy.DisclosurePolicy`, and returns a table whose cells are the
published text (counts of fewer than ``k`` people as ``<k``, cells that would let a reader
recover them by subtraction as the secondary marker, percentages rounded), with headers in the
report language. No function names a programme, a wave or a covariate: they come from the
design.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kow_research.core.meta import outcome_meta
from kow_research.core.units import DAYS_PER_MONTH, months_to
from kow_research.data.labels import value_labels, variable_title
from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign
from kow_research.missing import impute, nelson_aalen, pool
from kow_research.outcomes.definitions import TimeToWorkDefinition
from kow_research.outcomes.ladder import ladder_by_wave
from kow_research.outcomes.time_to_work import time_to_paid_work
from kow_research.report.formatting import format_ci, format_p, format_percent, localized
from kow_research.report.labels import check_language
from kow_research.report.ledger_sidecar import attach_ledger, n_percent_records, with_ledger
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import Mean, Partition
from kow_research.report.style import programme_styles
from kow_research.survival import cox, cumulative_incidence, fine_gray, kaplan_meier
from kow_research.survival.plotting import plot_curve

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: fewer people than this in a level of a categorical covariate: the level is pooled (see
#: :func:`model_frame`)
MIN_LEVEL_COUNT = 10

_WORDS: dict[str, tuple[str, str]] = {
    "measure": ("Measure", "Maat"),
    "programme": ("Programme", "Programma"),
    "participants": ("Participants", "Deelnemers"),
    "with_ladder": ("With a ladder assessment", "Met een meting op de ladder"),
    "with_sessions": ("With a recorded session", "Met een geregistreerde bijeenkomst"),
    "with_spells": ("With a work or placement spell", "Met een werk- of plaatsingsperiode"),
    "dropped": ("Dropped out", "Uitgevallen"),
    "follow_up": ("Median follow-up (months)", "Mediane follow-up (maanden)"),
    "start_period": ("Start dates", "Startdata"),
    "kind": ("Kind of spell", "Soort periode"),
    "wave": ("Wave", "Meting"),
    "n_assessed": ("Assessed at both", "Gemeten op beide"),
    "climbed": ("Climbed ≥ 1 rung", "≥ 1 trede gestegen"),
    "same": ("Same rung", "Zelfde trede"),
    "down": ("Lower rung", "Lagere trede"),
    "mean_change": ("Mean change (rungs)", "Gemiddelde verandering (treden)"),
    "reached_6": ("At rung 6 (paid work)", "Op trede 6 (betaald werk)"),
    "month": ("Month", "Maand"),
    "n_risk": ("At risk", "At risk"),
    "estimate": ("Estimate (95% CI)", "Schatting (95%-BI)"),
    "term": ("Term", "Term"),
    "csh": ("Cause-specific HR (95% CI)", "Oorzaakspecifieke HR (95%-BI)"),
    "sdh": ("Subdistribution HR (95% CI)", "Subdistributie-HR (95%-BI)"),
    "p": ("p", "p"),
    "p_csh": ("p", "p"),
    "p_sdh": ("p (Fine–Gray)", "p (Fine–Gray)"),
    "strategy": ("Strategy for dropout", "Strategie voor uitval"),
    "n": ("n", "n"),
    "reason": ("Reason", "Reden"),
    "before_work": ("Before paid work", "Vóór betaald werk"),
    "after_work": ("After starting paid work", "Na de start van betaald werk"),
    "dropout_by": ("Dropped out by {tau} months (Kaplan–Meier)",
                   "Uitgevallen na {tau} maanden (Kaplan–Meier)"),
    "dose_band": ("Share of planned sessions attended", "Deel van de geplande bijeenkomsten"),
    "share_people": ("Participants", "Deelnemers"),
    "missing_level": ("missing", "ontbrekend"),
    "hidden_curve": ("curve ends where fewer than {k} remain at risk",
                     "curve stopt waar minder dan {k} personen in de risicoset zijn"),
}

_STRATEGY: dict[str, tuple[str, str]] = {
    "competing": ("Dropout competing (while in the programme)",
                  "Uitval als concurrerende gebeurtenis (zolang in het programma)"),
    "censor": ("Dropout censored (hypothetical: as if nobody dropped out)",
               "Uitval gecensureerd (hypothetisch: alsof niemand uitviel)"),
    "ignore": ("Dropout ignored (treatment policy)",
               "Uitval genegeerd (behandelbeleid)"),
}

_DOSE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.25, "< 25%"), (0.25, 0.5, "25–49%"), (0.5, 0.8, "50–79%"), (0.8, np.inf, "≥ 80%"))


def _w(key: str, language: str, **fields: Any) -> str:
    word = _WORDS[key][0 if check_language(language) == "en" else 1]
    return word.format(**fields) if fields else word


def _programmes(frame: pd.DataFrame, design: StudyDesign, column: str = "cohort") -> list[str]:
    present = {str(v) for v in frame[column].dropna().unique()}
    order = [p for p in design.programmes if p in present]
    return order + sorted(present - set(order))


def time_to_work_definition(design: StudyDesign) -> TimeToWorkDefinition:
    """The definition of time to paid work that the design declares.

    Parameters
    ----------
    design : StudyDesign
        Its ``time_to_work`` entries and ``origin``.

    Returns
    -------
    TimeToWorkDefinition

    Examples
    --------
    >>> from kow_research.data.study_design import StudyDesign, DEFAULTS
    >>> d = StudyDesign(values={**DEFAULTS, "time_to_work": {**DEFAULTS["time_to_work"],
    ...                                                       "dropout": "censor"}})
    >>> time_to_work_definition(d).dropout
    'censor'
    """
    return TimeToWorkDefinition(**{**design["time_to_work"], "origin": design["origin"]})


def baseline_frame(study: Study, *, design: StudyDesign) -> pd.DataFrame:
    """The participants with their baseline rung (``baseline_rung``), one row per person.

    Parameters
    ----------
    study : Study
    design : StudyDesign
        Waves, windows and origin of the ladder.

    Returns
    -------
    pandas.DataFrame
        The participants table plus ``baseline_rung`` (missing when nobody assessed the person
        within the baseline window; never imputed).

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 20, "IPS": 20}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> frame = baseline_frame(s, design=d)
    >>> len(frame) == len(s.participants), "baseline_rung" in frame
    (True, True)
    """
    people = study.participants.copy()
    if len(study.ladder) == 0:
        people["baseline_rung"] = pd.array([pd.NA] * len(people), dtype="Int64")
        return people
    by_wave = ladder_by_wave(study, waves=design["waves"], window_days=design["wave_window_days"],
                             baseline_window=tuple(design["baseline_window_days"]),
                             origin=design["origin"])
    base = by_wave.loc[by_wave["wave"] == "T0", ["participant_id", "rung"]]
    base = base.rename(columns={"rung": "baseline_rung"})
    out = people.merge(base, on="participant_id", how="left", validate="one_to_one")
    out["baseline_rung"] = out["baseline_rung"].astype("Int64")
    return out


#: participant columns that are not characteristics at the start
NOT_BASELINE = ("participant_id", "cohort", "region", "dropout_reason")


def baseline_variables(frame: pd.DataFrame, *, design: StudyDesign) -> list[str]:
    """The characteristics at the start for Table 1: the design's covariates first, then every
    other participant column that is neither an identifier, a date nor an outcome.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`baseline_frame` (a study's own extra columns included).
    design : StudyDesign

    Returns
    -------
    list of str

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 20}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> baseline_variables(baseline_frame(s, design=d), design=d)  # doctest: +NORMALIZE_WHITESPACE
    ['age', 'sex', 'smi', 'months_out_of_work', 'baseline_rung', 'diagnosis_group', 'benefit',
     'education']
    """
    first = [c for c in design["covariates"] if c in frame]
    rest = [c for c in frame.columns if c not in first and c not in NOT_BASELINE
            and not pd.api.types.is_datetime64_any_dtype(frame[c])]
    return first + rest


def data_overview(study: Study, *, design: StudyDesign, policy: DisclosurePolicy,
                  language: str = "en") -> pd.DataFrame:
    """What the data hold per programme: people, assessments, sessions, spells, dropout and
    follow-up.

    Parameters
    ----------
    study : Study
    design : StudyDesign
        Programme order (index first).
    policy : DisclosurePolicy
        Counts of fewer than ``k`` people are shown as ``<k``; no total is shown beside them,
        so none can be recovered by subtraction.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        One row per measure, one column per programme, published text.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 20, "IPS": 3}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> t = data_overview(s, design=d, policy=DisclosurePolicy.default())
    >>> t.loc[0].tolist()
    ['Participants', '20', '<5']
    """
    p = study.participants
    columns: dict[str, list[str]] = {_w("measure", language): [
        _w(k, language) for k in ("participants", "with_ladder", "with_sessions", "with_spells",
                                  "dropped", "follow_up", "start_period")]}
    for programme in _programmes(p, design):
        people = p[p["cohort"].astype(str) == programme]
        ids = set(people["participant_id"])
        n = len(people)
        months = ((people["end_of_followup"] - people[design["origin"]]).dt.days
                  / DAYS_PER_MONTH)
        start = people[design["origin"]]
        cells = [policy.count(n),
                 policy.count(int(study.ladder["participant_id"].isin(ids).groupby(
                     study.ladder["participant_id"]).any().sum()) if len(study.ladder) else 0),
                 policy.count(len(set(study.sessions["participant_id"]) & ids)),
                 policy.count(len(set(study.spells["participant_id"]) & ids)),
                 localized(policy.n_percent(int(people["dropout_date"].notna().sum()), n),
                           language=language),
                 localized(policy.mean(float(months.median()), n=n), language=language)
                 if n else "",
                 # years only: a first or last start date could identify a person
                 (f"{start.min().year}–{start.max().year}" if not policy.is_small(n) and n
                  else policy.count(n))]
        columns[programme] = cells
    out = pd.DataFrame(columns)
    # for the report's ledger: rows 1-5 are counts; participants and dropped are the numbers
    # dropout_table publishes again
    labels = out[_w("measure", language)].tolist()
    programmes = list(columns)[1:]
    return with_ledger(
        out, rows=labels, counts=programmes, not_counts=labels[5:],
        quantities={**{(labels[0], p): f"participants::{p}" for p in programmes},
                    **{(labels[4], p): f"dropped::{p}" for p in programmes}},
        percents=n_percent_records(out.iloc[[4]], rows=labels[4:5], columns=programmes,
                                   denominator=lambda r, c: (labels[0], c)))


def spell_counts(study: Study, *, design: StudyDesign, policy: DisclosurePolicy,
                 language: str = "en") -> pd.DataFrame:
    """People with at least one spell of each kind, per programme.

    Parameters
    ----------
    study : Study
    design : StudyDesign
    policy : DisclosurePolicy
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        One row per spell kind, ``n (%)`` of the programme's participants per programme (a
        person can have spells of several kinds, so the rows do not add up and hide nothing
        of each other).

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 40}, seed=2)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> spell_counts(s, design=d, policy=DisclosurePolicy.default()).columns.tolist()
    ['Kind of spell', 'KOW']
    """
    p = study.participants[["participant_id", "cohort"]]
    spells = study.spells.merge(p, on="participant_id", how="inner")
    labels = value_labels("kind", check_language(language))
    kinds = list(labels) + sorted(set(spells["kind"].astype(str)) - set(labels))
    columns: dict[str, list[str]] = {_w("kind", language): [labels.get(k, k) for k in kinds]}
    for programme in _programmes(p, design):
        n = int((p["cohort"].astype(str) == programme).sum())
        mine = spells[spells["cohort"].astype(str) == programme]
        people = mine.groupby(mine["kind"].astype(str))["participant_id"].nunique()
        columns[programme] = [localized(policy.n_percent(int(people.get(k, 0)), n),
                                        language=language) for k in kinds]
    out = pd.DataFrame(columns)
    # for the report's ledger: the percentages are of the participants (data_overview)
    programmes = list(columns)[1:]
    rows = out[_w("kind", language)].tolist()
    return with_ledger(out, rows=rows, counts=programmes,
                       percents=n_percent_records(out, rows=rows, columns=programmes,
                                                  denominator=lambda r, c: f"participants::{c}"))


def ladder_change_table(change: pd.DataFrame, *, design: StudyDesign,
                        policy: DisclosurePolicy, language: str = "en") -> pd.DataFrame:
    """Change on the participation ladder from baseline to each follow-up wave.

    Parameters
    ----------
    change : pandas.DataFrame
        From :func:`kow_research.outcomes.ladder_change` (people with a rung at baseline and
        at the wave).
    design : StudyDesign
        Programme order.
    policy : DisclosurePolicy
        Climbed, same and lower add up to the number assessed: a small one is hidden with a
        second (secondary suppression); percentages of hidden counts are not shown.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        Programme, wave, number assessed at both, ``n (%)`` climbed / same / lower, the mean
        change and ``n (%)`` at rung 6.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 40}, seed=2)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> ch = kr.outcomes.ladder_change(kr.outcomes.ladder_by_wave(s, waves=d["waves"]))
    >>> ladder_change_table(ch, design=d, policy=DisclosurePolicy.default()).iloc[:, :3]
      Programme Wave Assessed at both
    0       KOW   T6               35
    1       KOW  T12               32
    2       KOW  T18               30
    """
    rows = []
    known = change.dropna(subset=["change"])
    for programme in _programmes(change, design):
        mine = known[known["cohort"].astype(str) == programme]
        for wave, g in mine.groupby("wave_month", sort=True):
            d = g["change"].astype(float)
            rows.append({"programme": programme, "wave": f"T{int(wave)}", "n": len(g),
                         "up": int((d > 0).sum()), "same": int((d == 0).sum()),
                         "down": int((d < 0).sum()), "mean": float(d.mean()),
                         "six": int(g["reached_6"].astype(bool).sum())})
    counts = pd.DataFrame(rows, columns=["programme", "wave", "n", "up", "same", "down", "mean",
                                         "six"])
    if counts.empty:
        return pd.DataFrame(columns=[_w(k, language) for k in
                                     ("programme", "wave", "n_assessed", "climbed", "same",
                                      "down", "mean_change", "reached_6")])
    parts = counts[["up", "same", "down"]]
    hidden = policy.reasons(parts, row_totals=True)
    out = pd.DataFrame({_w("programme", language): counts["programme"],
                        _w("wave", language): counts["wave"],
                        _w("n_assessed", language): [policy.count(n) for n in counts["n"]]})
    for col, key in (("up", "climbed"), ("same", "same"), ("down", "down")):
        out[_w(key, language)] = [
            (policy.secondary_marker if hidden.loc[i, col] == "secondary"
             else localized(policy.n_percent(counts.loc[i, col], counts.loc[i, "n"]),
                            language=language))
            for i in counts.index]
    out[_w("mean_change", language)] = [localized(policy.mean(m, n=n), language=language)
                                        for m, n in zip(counts["mean"], counts["n"],
                                                        strict=True)]
    out[_w("reached_6", language)] = [localized(policy.n_percent(x, n), language=language)
                                      for x, n in zip(counts["six"], counts["n"], strict=True)]
    # for the report's ledger: climbed + same + lower = assessed; mean change of whole rungs
    row_ids = [f"{p} {w}" for p, w in zip(counts["programme"], counts["wave"], strict=True)]
    n_col, parts_cols = _w("n_assessed", language), [_w(k, language) for k in
                                                      ("climbed", "same", "down")]
    six, mean_col = _w("reached_6", language), _w("mean_change", language)
    means = [Mean(v, n=(r, n_col), step=1.0) for r, v in zip(row_ids, out[mean_col], strict=True)
             if isinstance(v, str) and v.lstrip("-")[:1].isdigit()]
    return with_ledger(out, rows=row_ids, counts=[n_col, *parts_cols, six],
                       partitions=[Partition([(r, c) for c in parts_cols], (r, n_col))
                                   for r in row_ids],
                       means=means,
                       percents=n_percent_records(out, rows=row_ids, columns=[*parts_cols, six],
                                                  denominator=lambda r, c: (r, n_col)))


def incidence_plot(curve: Any, *, language: str = "en",
                   styles: Mapping[str, Mapping[str, Any]] | None = None,
                   policy: DisclosurePolicy | None = None, percent: bool = True) -> Axes:
    """A curve figure as the report shows it: months with 6-month ticks, per cent, the number
    at risk under the axis, each curve ending where fewer than ``k`` people remain at risk.

    Parameters
    ----------
    curve : CurveResult
        Kaplan–Meier or cumulative incidence (grouped or not).
    language : {"en", "nl"}, default "en"
    styles : mapping, optional
        Line style per programme (:attr:`NotebookContext.line_styles`).
    policy : DisclosurePolicy, optional
        Counts in the risk table and the curve ends (default policy when None).
    percent : bool, default True

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import kow_research as kr
    >>> df = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=40, seed=1))
    >>> ax = incidence_plot(kr.survival.cumulative_incidence(df, cause=1))
    >>> ax.get_xlabel()
    'Months since start'
    >>> plt.close(ax.figure)
    """
    policy = policy or DisclosurePolicy.default()
    printed: list[str] = []

    def count(n: Any) -> str:   # every number at risk the figure prints, for the ledger
        shown = policy.figure_count(n)
        printed.append(shown)
        return shown

    ax = plot_curve(curve, risk_table=True, language=check_language(language), styles=styles,
                    time_unit="months", percent=percent, caption=False, count_format=count,
                    min_at_risk=policy.k)
    if printed:
        attach_ledger(ax, with_ledger(pd.DataFrame({"n": printed}),
                                      rows=[f"at risk #{i + 1}" for i in range(len(printed))],
                                      counts=["n"], figure=True), table="number at risk")
    return ax


def incidence_at(curve: Any, *, months: Sequence[float], policy: DisclosurePolicy,
                 language: str = "en") -> pd.DataFrame:
    """A curve read at fixed months, with its interval and the number still at risk.

    Parameters
    ----------
    curve : CurveResult
    months : sequence of float
        The horizons (months of :data:`~kow_research.core.units.DAYS_PER_MONTH` days when the
        outcome is in days).
    policy : DisclosurePolicy
        A value is not shown when fewer than ``k`` people remain at risk at that month (the
        step there is the event of one or two people); the number at risk is a published count.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        ``month, group, estimate, lower, upper, n_risk`` with numbers (estimate missing where
        hidden) and ``n_risk`` as published text.

    Examples
    --------
    >>> import kow_research as kr
    >>> df = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=40, seed=1))
    >>> t = incidence_at(kr.survival.cumulative_incidence(df, cause=1), months=[6, 12],
    ...                  policy=DisclosurePolicy.default())
    >>> t.columns.tolist()
    ['month', 'group', 'estimate', 'lower', 'upper', 'n_risk']
    """
    unit = outcome_meta(curve.attrs).unit
    times = [float(months_to(m, unit=unit)) for m in months]
    at = curve.at(times)
    month_of = dict(zip(times, months, strict=True))
    rows = []
    risk = curve.at_risk
    for _, r in at.iterrows():
        g = r["group"] if "group" in at else "all"
        mine = risk[risk["group"].astype(str) == str(g)]
        later = mine.loc[mine["time"] >= r["time"], "n_risk"]
        n_risk = int(later.iloc[0]) if len(later) else 0
        hidden = n_risk < policy.k
        rows.append({"month": month_of[float(r["time"])], "group": g,
                     "estimate": np.nan if hidden else r["estimate"],
                     "lower": np.nan if hidden else r["lower"],
                     "upper": np.nan if hidden else r["upper"],
                     "n_risk": policy.count(n_risk)})
    return pd.DataFrame(rows, columns=["month", "group", "estimate", "lower", "upper", "n_risk"])


def _ci_percent(row: Mapping[str, Any], language: str) -> str:
    if pd.isna(row["estimate"]):
        return "–"
    return (f"{format_percent(row['estimate'], language=language)} "
            f"({format_percent(row['lower'], language=language)}–"
            f"{format_percent(row['upper'], language=language)})")


def incidence_table(curve: Any, *, months: Sequence[float], design: StudyDesign,
                    policy: DisclosurePolicy, language: str = "en") -> pd.DataFrame:
    """:func:`incidence_at` as the report shows it: one row per programme, one column per
    month, ``estimate (lower–upper)`` in per cent.

    Parameters
    ----------
    curve : CurveResult
    months : sequence of float
    design : StudyDesign
        Programme order.
    policy : DisclosurePolicy
        ``–`` where fewer than ``k`` remain at risk (or follow-up has ended).
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60, "IPS": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> c = kr.survival.cumulative_incidence(kr.outcomes.time_to_paid_work(s), by="cohort")
    >>> incidence_table(c, months=[6, 12], design=d, policy=DisclosurePolicy.default(),
    ...                 language="nl").columns.tolist()
    ['Programma', '6 maanden', '12 maanden']
    """
    lang = check_language(language)
    at = incidence_at(curve, months=months, policy=policy, language=lang)
    if "group" not in at or at["group"].isna().all():
        at = at.assign(group="all")
    word = "maanden" if lang == "nl" else "months"
    groups = [str(g) for g in pd.unique(at["group"])]
    order = [p for p in design.programmes if p in groups] + [g for g in groups
                                                            if g not in design.programmes]
    out = pd.DataFrame({_w("programme", lang): order})
    for m in months:
        rows = at[at["month"] == m].set_index(at.loc[at["month"] == m, "group"].astype(str))
        out[f"{m:g} {word}"] = [_ci_percent(rows.loc[g], lang) for g in order]
    return out


@dataclass(frozen=True)
class ModelFrame:
    """The analysis frame of a regression: outcome plus the design's covariates.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per person in the model.
    covariates : list of str
        Model terms (categorical covariates stay one column; the models code them).
    n_dropped : int
        People left out for a missing covariate (``missing_covariates: complete_cases``).
    n_missing : dict
        Missing values per covariate before any exclusion.
    imputed : bool
        Missing covariates are left in ``frame`` for :func:`fit_hazard_models` to impute
        (``missing_covariates: multiple_imputation``).
    pooled : dict
        ``{covariate: {level: pooled into}}``: levels with fewer than
        :data:`MIN_LEVEL_COUNT` people pooled so that the model can be estimated.
    constant : list of str
        Covariates with a single value left, not in the model.
    """

    frame: pd.DataFrame
    covariates: list[str]
    n_dropped: int
    n_missing: dict[str, int]
    pooled: dict[str, dict[str, str]]
    constant: list[str]
    imputed: bool = False

    def note(self, language: str = "en", *, policy: DisclosurePolicy | None = None) -> str:
        """What happened to missing values, rare levels and constant covariates."""
        nl = check_language(language) == "nl"
        count = (policy or DisclosurePolicy.default()).count
        parts = []
        if self.n_dropped:
            parts.append(f"{count(self.n_dropped)} deelnemers zonder volledige covariaten "
                         "niet in het model (niet geïmputeerd)" if nl else
                         f"{count(self.n_dropped)} participants without complete covariates "
                         "left out of the model (not imputed)")
        elif any(self.n_missing.values()) and self.imputed:
            parts.append("ontbrekende covariaten meervoudig geïmputeerd (chained equations), "
                         "resultaten gepoold met de regels van Rubin" if nl else
                         "missing covariates multiply imputed (chained equations), results "
                         "pooled by Rubin's rules")
        elif any(self.n_missing.values()):
            parts.append("ontbrekende waarden als eigen categorie (indicator)" if nl else
                         "missing values entered as their own category (indicator)")
        for cov, mapping in self.pooled.items():
            pairs = ", ".join(f"{a} → {b}" for a, b in mapping.items())
            parts.append(f"{cov}: kleine categorieën samengevoegd ({pairs})" if nl else
                         f"{cov}: small levels pooled ({pairs})")
        if self.constant:
            parts.append((f"constant of een categorie bij minder dan {MIN_LEVEL_COUNT} "
                          "deelnemers, daarom niet in het model: " if nl else
                          f"constant or a category of fewer than {MIN_LEVEL_COUNT} "
                          "participants, so not in the model: ") + ", ".join(self.constant))
        if not parts:
            return ("Alle deelnemers met volledige covariaten." if nl
                    else "Every participant has complete covariates.")
        return "; ".join(parts).capitalize() + "."


def model_frame(outcome: pd.DataFrame, *, study: Study, design: StudyDesign,
                covariates: Sequence[str] | None = None) -> ModelFrame:
    """Join the design's covariates to an outcome frame and apply its missing-data policy.

    Parameters
    ----------
    outcome : pandas.DataFrame
        One row per person (``participant_id``), e.g. from
        :func:`~kow_research.outcomes.time_to_paid_work`.
    study : Study
        For covariates not in ``outcome`` (``baseline_rung`` from the ladder).
    design : StudyDesign
        ``covariates`` and ``missing_covariates`` (``complete_cases``: people with a missing
        covariate leave the model and are counted; ``missing_indicator``: a missing value of a
        categorical covariate becomes its own level, of a numeric one a 0/1 indicator plus
        the value 0; ``multiple_imputation``: everyone stays, the missing values are imputed
        by :func:`fit_hazard_models`).
    covariates : sequence of str, optional
        Default the design's.

    Returns
    -------
    ModelFrame

    Raises
    ------
    KeyError
        A covariate that is neither in the outcome frame nor derivable from the study.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60, "IPS": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> m = model_frame(kr.outcomes.time_to_paid_work(s), study=s, design=d)
    >>> m.covariates
    ['age', 'sex', 'smi', 'months_out_of_work', 'baseline_rung']
    """
    wanted = list(covariates if covariates is not None else design["covariates"])
    frame = outcome.copy()
    frame.attrs = dict(outcome.attrs)
    if "baseline_rung" in wanted and "baseline_rung" not in frame:
        base = baseline_frame(study, design=design)[["participant_id", "baseline_rung"]]
        frame = frame.merge(base, on="participant_id", how="left", validate="one_to_one")
        frame.attrs = dict(outcome.attrs)
    extra = [c for c in wanted if c not in frame]
    if extra:
        people = study.participants
        unknown = [c for c in extra if c not in people]
        if unknown:
            raise KeyError(f"study.yaml covariates: {unknown} are neither participant columns "
                           f"nor derived (baseline_rung); participant columns are "
                           f"{list(people.columns)}")
        frame = frame.merge(people[["participant_id", *extra]], on="participant_id",
                            how="left", validate="one_to_one")
        frame.attrs = dict(outcome.attrs)
    n_missing = {c: int(frame[c].isna().sum()) for c in wanted}
    n_dropped = 0
    if design["missing_covariates"] == "complete_cases":
        complete = frame[wanted].notna().all(axis=1)
        n_dropped = int((~complete).sum())
        frame = frame.loc[complete].reset_index(drop=True)
        frame.attrs = dict(outcome.attrs)
    elif design["missing_covariates"] == "missing_indicator":
        for c in wanted:
            if not n_missing[c]:
                continue
            if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
                    frame[c]):
                frame[f"{c}_missing"] = frame[c].isna().astype(int)
                frame[c] = frame[c].astype(float).fillna(0.0)
                wanted.append(f"{c}_missing")
            else:
                frame[c] = frame[c].astype(object).where(frame[c].notna(), "missing")
    terms, pooled, constant = [], {}, []
    for c in wanted:
        col = frame[c]
        if col.isna().any():          # multiple imputation: kept as they are
            terms.append(c)
            continue
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            frame[c] = col.astype(float)
            if col.nunique() <= 1:
                constant.append(c)
            else:
                terms.append(c)
            continue
        if pd.api.types.is_bool_dtype(col):   # one 0/1 term ("smi"), not a level per value
            frame[c] = col.astype(bool)
            if col.value_counts().min() < MIN_LEVEL_COUNT or col.nunique() <= 1:
                constant.append(c)
            else:
                terms.append(c)
            continue
        values = col.astype(str)
        counts = values.value_counts()
        rare = [lv for lv, n in counts.items() if n < MIN_LEVEL_COUNT]
        if rare and len(counts) > len(rare):
            big = counts.drop(rare)
            into = str(big.idxmax())
            if len(rare) >= 2 and counts[rare].sum() >= MIN_LEVEL_COUNT:
                into = "other"
            pooled[c] = {str(lv): into for lv in rare}
            values = values.replace({lv: into for lv in rare})
        frame[c] = values
        if values.nunique() <= 1:
            constant.append(c)
        else:
            terms.append(c)
    return ModelFrame(frame=frame, covariates=terms, n_dropped=n_dropped, n_missing=n_missing,
                      pooled=pooled, constant=constant,
                      imputed=design["missing_covariates"] == "multiple_imputation"
                      and any(n_missing.values()))


def fit_hazard_models(mf: ModelFrame, *, design: StudyDesign, terms: Sequence[str],
                      cause: int = 1, competing: bool = True,
                      reference: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The cause-specific Cox and (with competing events) Fine–Gray models of a model frame,
    fitted once, or on every imputed data set and pooled when covariates are imputed.

    Parameters
    ----------
    mf : ModelFrame
        From :func:`model_frame`.
    design : StudyDesign
        ``imputations``, ``imputation_model`` and ``seed`` of the multiple imputation:
        ``smcfcs`` imputes compatibly with the cause-specific Cox models of every cause on
        ``terms`` (:func:`kow_research.missing.impute` with ``substantive="cox"``);
        ``chained`` by chained equations with each cause's event indicator and
        Nelson–Aalen cumulative hazard as predictors (White & Royston 2009), which biases a
        covariate's hazard ratio towards the null.
    terms : sequence of str
        Model terms (e.g. ``["cohort", *mf.covariates]``).
    cause : int, default 1
    competing : bool, default True
        Fit Fine–Gray too.
    reference : mapping, optional
        Reference level per categorical term.

    Returns
    -------
    dict
        ``csh`` and ``fg`` (RegressionResult, or PooledResult when imputed; ``fg`` None
        without competing events) and ``imputed`` (the ImputedData or None).

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 80, "IPS": 80}, seed=1)
    >>> d = simulation_design(s, missing_covariates="multiple_imputation", imputations=3,
    ...                       covariates=["age", "education"]).resolve(s.participants)
    >>> mf = model_frame(kr.outcomes.time_to_paid_work(s), study=s, design=d)
    >>> fits = fit_hazard_models(mf, design=d, terms=["cohort", *mf.covariates],
    ...                          reference={"cohort": "KOW"})
    >>> type(fits["csh"]).__name__, fits["imputed"].m
    ('PooledResult', 3)
    """
    def fit(frame: pd.DataFrame) -> tuple[Any, Any]:
        c = cox(frame, covariates=list(terms), cause=cause, reference=reference)
        f = fine_gray(frame, covariates=list(terms), cause=cause,
                      reference=reference) if competing else None
        return c, f

    if not mf.imputed:
        c, f = fit(mf.frame)
        return {"csh": c, "fg": f, "imputed": None}
    frame = mf.frame.copy()
    frame.attrs = dict(mf.frame.attrs)
    m, seed = int(design["imputations"]), int(design["seed"])
    if design["imputation_model"] == "smcfcs":
        imp = impute(frame, columns=list(dict.fromkeys(terms)), m=m, seed=seed,
                     substantive="cox", duration="time", event="event")
        fits = imp.analyse(fit)
        return {"csh": pool([a for a, _ in fits]),
                "fg": pool([b for _, b in fits]) if competing else None, "imputed": imp}
    helpers = []
    for k in sorted(int(e) for e in pd.unique(frame["event"]) if int(e) != 0):
        frame[f"_event_{k}"] = (frame["event"] == k).astype(int)
        frame[f"_hazard_{k}"] = nelson_aalen(frame, cause=k)
        helpers += [f"_event_{k}", f"_hazard_{k}"]
    columns = list(dict.fromkeys([*terms, *helpers]))
    imp = impute(frame, columns=columns, m=m, seed=seed)
    fits = imp.analyse(fit)
    c = pool([a for a, _ in fits])
    f = pool([b for _, b in fits]) if competing else None
    return {"csh": c, "fg": f, "imputed": imp}


def _coefficients(model: Any) -> pd.DataFrame:
    """The coefficient table (estimate, lower, upper, p) of a fitted or a pooled model."""
    return model.coef if hasattr(model, "coef") else model.table


def term_label(term: str, *, language: str = "en") -> str:
    """A model term as a reader reads it: ``cohort=IPS`` → ``Programme: IPS``,
    ``smi=True`` → the variable's title, ``months_out_of_work`` → its title.

    Parameters
    ----------
    term : str
        A coefficient name (``variable`` or ``variable=level``).
    language : {"en", "nl"}, default "en"

    Returns
    -------
    str

    Examples
    --------
    >>> term_label("cohort=IPS"), term_label("sex=male", language="nl")
    ('Programme: IPS', 'Geslacht: man')
    """
    lang = check_language(language)
    name, _, level = str(term).partition("=")
    title = _w("programme", lang) if name == "cohort" else variable_title(name, lang)
    if not level or level == "True":
        return title
    return f"{title}: {value_labels(name, lang).get(level, level)}"


def hazard_table(csh: Any, *, fg: Any = None, language: str = "en") -> pd.DataFrame:
    """Hazard ratios of a cause-specific Cox model and (optionally) a Fine–Gray model.

    Parameters
    ----------
    csh : RegressionResult
        From :func:`kow_research.survival.cox`.
    fg : RegressionResult, optional
        From :func:`kow_research.survival.fine_gray`.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        One row per term: ``HR (lower–upper)`` and p per model, as text in the language.

    Examples
    --------
    >>> import kow_research as kr
    >>> df = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=80, seed=1))
    >>> t = hazard_table(kr.survival.cox(df, covariates=["age"], cause=1))
    >>> t.columns.tolist()
    ['Term', 'Cause-specific HR (95% CI)', 'p']
    """
    lang = check_language(language)

    def cells(model: Any) -> tuple[list[str], list[str]]:
        s = _coefficients(model)
        est = [format_ci(r["estimate"], lower=r["lower"], upper=r["upper"], language=lang)
               for _, r in s.iterrows()]
        return est, [format_p(v, language=lang) for v in s["p"]]

    est, p = cells(csh)
    index = list(_coefficients(csh).index)
    out = pd.DataFrame({_w("term", lang): [term_label(t, language=lang) for t in index],
                        _w("csh", lang): est, _w("p_csh", lang): p})
    if fg is not None:
        e2, p2 = cells(fg)
        terms = dict(zip(_coefficients(fg).index, zip(e2, p2, strict=True), strict=True))
        out[_w("sdh", lang)] = [terms.get(t, ("", ""))[0] for t in index]
        out[_w("p_sdh", lang)] = [terms.get(t, ("", ""))[1] for t in index]
    return out


def forest_models(csh: Any, *, fg: Any = None, language: str = "en") -> dict[str, pd.DataFrame]:
    """The models of :func:`hazard_table` as the ``models`` argument of
    :func:`kow_research.report.forest_plot`.

    Parameters
    ----------
    csh, fg : RegressionResult
    language : {"en", "nl"}, default "en"

    Returns
    -------
    dict
        Model label (in the language) → its coefficient table, terms labelled as in
        :func:`term_label`.

    Examples
    --------
    >>> import kow_research as kr
    >>> df = kr.outcomes.time_to_paid_work(kr.simulate_study("KOW", n=80, seed=1))
    >>> list(forest_models(kr.survival.cox(df, covariates=["age"], cause=1), language="nl"))
    ['Oorzaakspecifieke HR']
    """
    lang = check_language(language)

    def labelled(model: Any) -> pd.DataFrame:
        table = _coefficients(model)
        return table.set_axis([term_label(t, language=lang) for t in table.index], axis=0)

    out = {_w("csh", lang).replace(" (95% CI)", "").replace(" (95%-BI)", ""): labelled(csh)}
    if fg is not None:
        out[_w("sdh", lang).replace(" (95% CI)", "").replace(" (95%-BI)", "")] = labelled(fg)
    return out


def strategy_table(study: Study, *, design: StudyDesign, month: float,
                   policy: DisclosurePolicy, language: str = "en") -> pd.DataFrame:
    """The share in paid work by ``month`` under each strategy for dropout, per programme.

    Every strategy reads the Aalen–Johansen cumulative incidence of paid work (with dropout
    censored or ignored there is no competing event and it equals one minus Kaplan–Meier). The three answer
    different questions (ICH E9(R1)); the table shows how much the choice matters.

    Parameters
    ----------
    study : Study
    design : StudyDesign
        The definition of time to paid work (all options but ``dropout``).
    month : float
        The horizon.
    policy : DisclosurePolicy
        Values are hidden where fewer than ``k`` remain at risk.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        One row per strategy, one column per programme, ``estimate (lower–upper)`` in per cent.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> strategy_table(s, design=d, month=12, policy=DisclosurePolicy.default()).shape
    (3, 2)
    """
    lang = check_language(language)
    base = time_to_work_definition(design)
    cells: dict[str, dict[str, str]] = {}
    for strategy in ("competing", "censor", "ignore"):
        d = TimeToWorkDefinition(**{**base.__dict__, "dropout": strategy})
        df = time_to_paid_work(study, definition=d)
        # without competing events Aalen–Johansen is 1 - Kaplan–Meier: one estimator for all
        curve = cumulative_incidence(df, cause=1, by="cohort")
        at = incidence_at(curve, months=[month], policy=policy, language=lang)
        row = {str(r["group"]): _ci_percent(r, lang) for _, r in at.iterrows()}
        cells[_STRATEGY[strategy][0 if lang == "en" else 1]] = row
    table = pd.DataFrame(cells).T
    order = [p for p in design.programmes if p in table.columns]
    table = table[order + [c for c in table.columns if c not in order]]
    return table.rename_axis(_w("strategy", lang)).reset_index()


def _style_color(style: Any) -> Any:
    """The colour of a programme style (a ProgrammeStyle or matplotlib keyword arguments)."""
    if style is None:
        return None
    if isinstance(style, Mapping):
        return style.get("color")
    return getattr(style, "color", None)


def dropout_table(drop: pd.DataFrame, *, design: StudyDesign, policy: DisclosurePolicy,
                  language: str = "en") -> pd.DataFrame:
    """Dropout per programme: how many, before or after starting paid work, and how soon.

    Parameters
    ----------
    drop : pandas.DataFrame
        From :func:`kow_research.outcomes.dropout`.
    design : StudyDesign
    policy : DisclosurePolicy
        Before and after work add up to those who dropped out: a small one is hidden with the
        other.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        One row per programme: people, dropped out ``n (%)`` during follow-up, before or after
        starting paid work, and the Kaplan–Meier share dropped out by ``tau_months`` (which
        accounts for the different lengths of follow-up).

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> dropout_table(kr.outcomes.dropout(s), design=d,
    ...               policy=DisclosurePolicy.default()).columns[:3].tolist()
    ['Programme', 'n', 'Dropped out']
    """
    lang = check_language(language)
    rows = []
    for programme in _programmes(drop, design):
        g = drop[drop["cohort"].astype(str) == programme]
        dropped = g[g["dropped"].astype(bool)]
        rel = dropped["relative_to_work"].astype(str)
        at = kaplan_meier(g, cause=1).at([float(design["tau_months"]) * DAYS_PER_MONTH])
        gone = 1.0 - float(at["estimate"].iloc[0])
        rows.append({"n": len(g), "dropped": len(dropped),
                     "before": int((rel == "before").sum()),
                     "after": int((rel == "after").sum()),
                     "by_tau": gone,
                     "programme": programme})
    counts = pd.DataFrame(rows)
    hidden = policy.reasons(counts[["before", "after"]], row_totals=True)
    out = pd.DataFrame({_w("programme", lang): counts["programme"],
                        _w("n", lang): [policy.count(n) for n in counts["n"]],
                        _w("dropped", lang): [localized(policy.n_percent(x, n), language=lang)
                                              for x, n in zip(counts["dropped"], counts["n"],
                                                              strict=True)]})
    for col, key in (("before", "before_work"), ("after", "after_work")):
        out[_w(key, lang)] = [policy.secondary_marker if hidden.loc[i, col] == "secondary"
                              else policy.count(counts.loc[i, col]) for i in counts.index]
    out[_w("dropout_by", lang, tau=design["tau_months"])] = [
        "–" if policy.is_small(n) or not np.isfinite(v) else format_percent(v, language=lang)
        for v, n in zip(counts["by_tau"], counts["n"], strict=True)]
    # for the report's ledger: before + after = dropped; n and dropped are published again
    # in data_overview (and the reasons of reason_table add up to dropped)
    rows = counts["programme"].astype(str).tolist()
    n_col, d_col = _w("n", lang), _w("dropped", lang)
    parts_cols = [_w("before_work", lang), _w("after_work", lang)]
    return with_ledger(
        out, rows=rows, counts=[n_col, d_col, *parts_cols],
        partitions=[Partition([(r, c) for c in parts_cols], (r, d_col)) for r in rows],
        quantities={**{(r, n_col): f"participants::{r}" for r in rows},
                    **{(r, d_col): f"dropped::{r}" for r in rows}},
        percents=n_percent_records(out, rows=rows, columns=[d_col],
                                   denominator=lambda r, c: (r, n_col)))


def reason_table(drop: pd.DataFrame, *, design: StudyDesign, policy: DisclosurePolicy,
                 language: str = "en") -> pd.DataFrame:
    """Reasons for dropout per programme (``n (%)`` of those who dropped out).

    Parameters
    ----------
    drop : pandas.DataFrame
        From :func:`kow_research.outcomes.dropout`.
    design : StudyDesign
    policy : DisclosurePolicy
        The reasons add up to the number who dropped out (published in
        :func:`dropout_table`): secondary suppression within each programme.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        One row per reason, one column per programme.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> reason_table(kr.outcomes.dropout(s), design=d,
    ...              policy=DisclosurePolicy.default()).columns.tolist()
    ['Reason', 'KOW']
    """
    lang = check_language(language)
    labels = value_labels("dropout_reason", lang)
    dropped = drop[drop["dropped"].astype(bool)]
    reasons = dropped["dropout_reason"].astype(object).where(
        dropped["dropout_reason"].notna(), "__missing__").astype(str)
    order = [r for r in labels if r in set(reasons)] + sorted(
        set(reasons) - set(labels) - {"__missing__"}) + (
        ["__missing__"] if (reasons == "__missing__").any() else [])
    programmes = _programmes(drop, design)
    counts = pd.DataFrame(0, index=order, columns=programmes)
    for programme in programmes:
        mine = reasons[dropped["cohort"].astype(str) == programme].value_counts()
        for r, n in mine.items():
            counts.loc[r, programme] = int(n)
    hidden = policy.reasons(counts, blocks=["reason"] * len(order))
    totals = counts.sum()
    out = pd.DataFrame({_w("reason", lang): [
        _w("missing_level", lang) if r == "__missing__" else labels.get(r, r) for r in order]})
    for programme in programmes:
        out[programme] = [policy.secondary_marker if hidden.loc[r, programme] == "secondary"
                          else localized(policy.n_percent(counts.loc[r, programme],
                                                          totals[programme]), language=lang)
                          for r in order]
    # for the report's ledger: the reasons add up to those who dropped out (dropout_table)
    rows = out[_w("reason", lang)].astype(str).tolist()
    return with_ledger(out, rows=rows, counts=programmes, blocks=["reason"] * len(rows),
                       block_totals={p: f"dropped::{p}" for p in programmes},
                       percents=n_percent_records(out, rows=rows, columns=programmes,
                                                  denominator=lambda r, c: f"dropped::{c}"))


def dose_plot(dose: pd.DataFrame, *, design: StudyDesign, policy: DisclosurePolicy,
              language: str = "en",
              styles: Mapping[str, Any] | None = None,
              ax: Any = None) -> Axes:
    """The share of participants per band of the planned sessions they attended.

    Bars of a band with fewer than ``k`` people are not drawn (hatched outline, labelled
    ``<k``), and neither is a second band that would let the reader recover it from the
    100 %.

    Parameters
    ----------
    dose : pandas.DataFrame
        From :func:`kow_research.outcomes.training_dose`.
    design : StudyDesign
    policy : DisclosurePolicy
    language : {"en", "nl"}, default "en"
    styles : mapping, optional
        Per programme a :class:`~kow_research.report.style.ProgrammeStyle`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 60}, seed=1)
    >>> d = simulation_design(s).resolve(s.participants, s.ladder, s.sessions)
    >>> ax = dose_plot(kr.outcomes.training_dose(s), design=d,
    ...                policy=DisclosurePolicy.default())
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['< 25%', '25–49%', '50–79%', '≥ 80%']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter


    lang = check_language(language)
    programmes = _programmes(dose, design)
    styles = styles or programme_styles(programmes)
    counts = pd.DataFrame(0, index=[b[2] for b in _DOSE_BANDS], columns=programmes)
    for programme in programmes:
        values = dose.loc[dose["cohort"].astype(str) == programme, "dose"].astype(float)
        for lo, hi, label in _DOSE_BANDS:
            counts.loc[label, programme] = int(((values >= lo) & (values < hi)).sum())
    hidden = policy.reasons(counts, blocks=["dose"] * len(counts))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.25, 3.4))
    width = 0.8 / max(len(programmes), 1)
    x = np.arange(len(counts))
    for j, programme in enumerate(programmes):
        n = counts[programme].sum()
        share = counts[programme] / n if n else counts[programme] * 0.0
        color = _style_color(styles.get(programme))
        for i, band in enumerate(counts.index):
            xi = x[i] - 0.4 + width * (j + 0.5)
            if hidden.loc[band, programme]:
                ax.bar(xi, 0.02, width=width * 0.9, fill=False, hatch="///",
                       edgecolor=color or "0.4", linewidth=0.6)
                marker = (policy.secondary_marker if hidden.loc[band, programme] == "secondary"
                          else policy.primary_marker)
                ax.text(xi, 0.03, marker, ha="center", va="bottom", fontsize=8)
            else:
                ax.bar(xi, share[band], width=width * 0.9, color=color)
    ax.set_xticks(x, list(counts.index))
    ax.set_xlabel(_w("dose_band", lang))
    ax.set_ylabel(_w("share_people", lang))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_ylim(0, 1)
    if len(programmes) > 1:
        from matplotlib.patches import Patch

        handles = []
        for programme in programmes:
            handles.append(Patch(color=_style_color(styles.get(programme)), label=programme))
        ax.legend(handles=handles, frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    # for the ledger: the bars show each band's share of the programme's n (its count, given
    # n); the bands add up to n, published in tables/training_dose
    printed = pd.DataFrame({p: [policy.secondary_marker if hidden.loc[b, p] == "secondary"
                                else policy.primary_marker if hidden.loc[b, p]
                                else int(counts.loc[b, p]) for b in counts.index]
                            for p in programmes})
    attach_ledger(ax, with_ledger(printed, rows=[str(b) for b in counts.index],
                                  counts=list(programmes), blocks=["dose"] * len(counts),
                                  block_totals={p: f"dose::n::{p}" if int(
                                      counts[p].sum()) == int((dose["cohort"].astype(str)
                                                               == p).sum())
                                      else f"dose_plot::n::{p}" for p in programmes},
                                  figure=True), table="bands")
    return ax


__all__ = ["MIN_LEVEL_COUNT", "ModelFrame", "NOT_BASELINE", "baseline_frame", "baseline_variables", "data_overview", "dose_plot",
           "dropout_table", "fit_hazard_models", "forest_models", "hazard_table", "incidence_at", "incidence_table", "incidence_plot",
           "ladder_change_table", "model_frame", "reason_table", "spell_counts",
           "strategy_table", "term_label", "time_to_work_definition"]

