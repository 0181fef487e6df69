"""Time to paid work, with dropout handled by an explicit estimand strategy.

Rules (each tested in ``tests/outcomes/test_time_to_work.py``):

* A *qualifying spell* has a kind in :attr:`TimeToWorkDefinition.kinds`, at least ``min_hours``
  hours per week when given, and lasts at least ``min_days`` days (start and end day included;
  an ongoing spell counts once ``end_of_followup - start + 1 >= min_days``). Whether a spell
  starting in the last ``min_days - 1`` days of follow-up qualifies is unknown, so with
  ``min_days`` follow-up ends ``min_days - 1`` days before ``end_of_followup``: every spell
  that started by then is classified. Treating an unqualified ongoing job as no event made
  durable work (``min_days = 182``) 26 % too rare by 18 months; censoring at the start of
  such a job is informative too (no qualifying start can be seen in a person's last
  ``min_days - 1`` days, while other starts there are seen): 0.159 against 0.221 with longer
  follow-up (40,000 simulated KOW participants, dropout ignored).
* A qualifying spell running at the origin (started before it, not ended before it) excludes the
  person (``in_paid_work_at_origin``). One starting on the origin day is excluded too
  (``paid_work_starts_at_origin``) unless ``job_at_origin="event"``, which makes it an event at
  time 0.
* The event is the start of the first qualifying spell in (origin, end], where end is
  ``end_of_followup`` or ``origin + horizon_days``, whichever comes first. Spells starting later
  are not seen.
* Dropout (the intercurrent event, ICH E9(R1)): ``"competing"`` — a while-on-treatment
  strategy — ends follow-up at ``dropout_date`` with event 2 unless paid work came first (work
  and dropout on the same day count as work); ``"censor"`` — hypothetical — censors there;
  ``"ignore"`` — treatment policy — follows up to the end regardless.
* Excluded and counted, in this order (the first reason that applies is recorded):
  ``origin_date_missing``, ``end_of_followup_missing``, ``in_paid_work_at_origin``,
  ``paid_work_starts_at_origin``, ``dropout_before_origin`` (dropout on or before the origin,
  under every strategy, so that the three strategies analyse the same people),
  ``zero_followup`` (end of observation -- end of follow-up, less ``min_days - 1`` days --
  on or before the origin, or censored at time 0: the person contributes no time at risk).
* The excluded people are listed by :func:`excluded_table` (``participant_id, cohort,
  reason``), so every participant is either in the result or there, never both.
* ``DataFrame.attrs`` holds only plain Python values (dicts and lists): pandas compares attrs
  when concatenating or printing, which fails for frames. :func:`attrition_table` and
  :func:`excluded_table` turn them back into DataFrames.

References
----------
.. [1] ICH E9(R1) addendum on estimands and sensitivity analysis in clinical trials (2019),
   strategies for intercurrent events (composite, hypothetical, treatment policy).
.. [2] Putter H, Fiocco M, Geskus RB. Tutorial in biostatistics: competing risks and
   multi-state models. Stat Med 2007;26:2389-2430.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import OutcomeMeta, outcome_meta, with_meta
from kow_research.core.units import TIME_UNITS
from kow_research.data.labels import text
from kow_research.data.study import Study
from kow_research.outcomes._common import (
    BASELINE_COLUMNS,
    day_numbers,
    owner_index,
    require_columns,
)
from kow_research.outcomes.definitions import TimeToWorkDefinition

_REASONS = ("origin_date_missing", "end_of_followup_missing", "in_paid_work_at_origin",
            "paid_work_starts_at_origin", "dropout_before_origin", "zero_followup")
#: exclusion reason -> (English, Dutch) label, from the label catalogue
EXCLUSION_REASONS: dict[str, tuple[str, str]] = {
    r: (text(f"exclusion_{r}", "en"), text(f"exclusion_{r}", "nl")) for r in _REASONS}
#: event code -> (English, Dutch) label, from the label catalogue
OUTCOME_LABELS: dict[int, tuple[str, str]] = {
    k: (text(f"event_{k}", "en"), text(f"event_{k}", "nl")) for k in (0, 1, 2)}


def _derive(study: Study, d: TimeToWorkDefinition) -> tuple[pd.DataFrame, pd.DataFrame]:
    require_columns(study, "participants", ("participant_id", "cohort", d.origin,
                                            "end_of_followup", "dropout_date"))
    require_columns(study, "spells", ("participant_id", "start_date", "end_date", "kind",
                                      "hours_per_week"))
    p = study.participants
    n = len(p)
    origin = day_numbers(p[d.origin])
    eof = day_numbers(p["end_of_followup"])
    # with min_days, a spell starting later than this is not yet known to qualify
    classified = eof - max(d.min_days - 1, 0)
    end = classified if d.horizon_days is None else np.fmin(classified,
                                                           origin + d.horizon_days)
    drop = day_numbers(p["dropout_date"])

    s = study.spells
    who = owner_index(study, s)
    s_start, s_end = day_numbers(s["start_date"]), day_numbers(s["end_date"])
    qual = s["kind"].astype(str).isin(d.kinds).to_numpy() & (who >= 0) & ~np.isnan(s_start)
    if d.min_hours is not None:
        hours = pd.to_numeric(s["hours_per_week"], errors="coerce").to_numpy(dtype=float)
        qual &= np.nan_to_num(hours, nan=-1.0) >= d.min_hours
    safe_who = np.where(who >= 0, who, 0)
    observed_end = np.where(np.isnan(s_end), eof[safe_who], s_end)
    qual &= (observed_end - s_start + 1) >= d.min_days

    o = origin[safe_who]
    running = qual & (s_start < o) & (np.isnan(s_end) | (s_end >= o))
    at_origin = qual & (s_start == o)
    in_window = qual & (s_start > o) & (s_start <= end[safe_who])
    if d.job_at_origin == "event":
        in_window |= at_origin
    excl_running = np.zeros(n, bool)
    excl_running[who[running]] = True
    excl_origin = np.zeros(n, bool)
    if d.job_at_origin == "exclude":
        excl_origin[who[at_origin]] = True
    first_job = np.full(n, np.inf)
    np.minimum.at(first_job, who[in_window], s_start[in_window])

    # the first of: a qualifying job (event 1), dropout (event 2 or censored, by strategy);
    # a job and a dropout on the same day count as the job
    work = np.isfinite(first_job)
    t_end = end - origin
    time = np.where(work, first_job - origin, t_end)
    event = work.astype(int)
    has_drop = ~np.isnan(drop) & (drop <= end)
    if d.dropout in ("competing", "censor"):
        drop_first = has_drop & (drop < first_job)
        time = np.where(drop_first, drop - origin, time)
        event = np.where(drop_first, 2 if d.dropout == "competing" else 0, event)

    reason = np.full(n, "", dtype=object)
    rules = (("origin_date_missing", np.isnan(origin)),
             ("end_of_followup_missing", np.isnan(eof)),
             ("in_paid_work_at_origin", excl_running),
             ("paid_work_starts_at_origin", excl_origin),
             # the same people under every dropout strategy: dropout on or before the origin
             # excludes whatever the strategy
             ("dropout_before_origin", drop <= origin),
             ("zero_followup", (t_end < 0) | ((time <= 0) & (event == 0))))
    for name, hit in rules:
        reason[(reason == "") & hit] = name
    keep = reason == ""

    cols: dict[str, Any] = {"participant_id": p["participant_id"].to_numpy(),
                            "cohort": p["cohort"].to_numpy()}
    out = pd.DataFrame(cols)
    out["time"] = time / TIME_UNITS[d.unit]
    out["event"] = event.astype(np.int64)
    for c in BASELINE_COLUMNS:
        if c in p.columns:
            out[c] = p[c].to_numpy()
            if isinstance(p[c].dtype, pd.CategoricalDtype) or str(p[c].dtype) in (
                    "Int64", "boolean", "string"):
                out[c] = out[c].astype(p[c].dtype)
    out = out[keep].reset_index(drop=True)
    cohort = p["cohort"].astype(str).to_numpy()
    attrition = _attrition(cohort, reason, event[keep], cohort[keep], d)
    excluded = pd.DataFrame({"participant_id": p["participant_id"].to_numpy()[~keep],
                             "cohort": cohort[~keep], "reason": reason[~keep].astype(str)})
    attrition.attrs["excluded"] = excluded
    return out, attrition


def _attrition(cohort: np.ndarray, reason: np.ndarray, event: np.ndarray,
               kept_cohort: np.ndarray, d: TimeToWorkDefinition) -> pd.DataFrame:
    rows = []
    for c in pd.unique(cohort):
        in_c = cohort == c
        rows.append((c, "entered", "entered", text("entered_study", "en"),
                     text("entered_study", "nl"), int(in_c.sum())))
        for r, (en, nl) in EXCLUSION_REASONS.items():
            rows.append((c, "excluded", r, en, nl, int((in_c & (reason == r)).sum())))
        analysed = kept_cohort == c
        rows.append((c, "analysed", "analysed", "analysed", "geanalyseerd", int(analysed.sum())))
        codes = (0, 1, 2) if d.dropout == "competing" else (0, 1)
        for k in codes:
            en, nl = OUTCOME_LABELS[k]
            rows.append((c, "outcome", f"event_{k}", en, nl, int((event[analysed] == k).sum())))
    return pd.DataFrame(rows, columns=["cohort", "stage", "reason", "label_en", "label_nl", "n"])


def _definition(definition: TimeToWorkDefinition | None, **options: Any
                ) -> TimeToWorkDefinition:
    if definition is None:
        return TimeToWorkDefinition(**options)
    if not isinstance(definition, TimeToWorkDefinition):
        raise TypeError(f"definition must be a TimeToWorkDefinition, got "
                        f"{type(definition).__name__}")
    given = {k: v for k, v in options.items() if v != getattr(TimeToWorkDefinition(), k)}
    if given:
        raise ValueError(f"give the options in definition= or as keywords, not both "
                         f"({sorted(given)})")
    return definition


@positional_deprecated("dropout", "include_supported", "min_hours", "min_days", "origin",
                       "horizon_days", "unit", "job_at_origin")
def time_to_paid_work(study: Study, *, dropout: str = "competing",
                      include_supported: bool = False, min_hours: float | None = None,
                      min_days: int = 0, origin: str = "start_date",
                      horizon_days: int | None = None, unit: str = "days",
                      job_at_origin: str = "exclude",
                      definition: TimeToWorkDefinition | None = None) -> pd.DataFrame:
    r"""Derive time to paid work, one row per analysable person.

    For person :math:`i` with origin :math:`O_i`, end of follow-up :math:`F_i`, end of
    observation :math:`E_i = \min(F_i - (m - 1)^+, O_i + h)` (:math:`m` = ``min_days``, the
    last start whose qualification is known; :math:`h` = ``horizon_days``, or
    :math:`\infty`), start :math:`J_i` of the first qualifying spell in :math:`(O_i, E_i]`
    (:math:`\infty` if none) and dropout date :math:`D_i` (:math:`\infty` if none or after
    :math:`E_i`), with ``dropout="competing"``

    .. math::

        T_i = \min(J_i, D_i, E_i) - O_i, \qquad
        \delta_i = \begin{cases}
            1 & J_i \le \min(D_i, E_i) \quad\text{(paid work; same-day dropout counts as work)}\\
            2 & D_i < J_i \text{ and } D_i \le E_i \quad\text{(dropout)}\\
            0 & \text{otherwise (censored at } E_i)
        \end{cases}

    ``dropout="censor"`` codes the dropout case 0 instead of 2 (censored at :math:`D_i`);
    ``dropout="ignore"`` sets :math:`D_i = \infty`. The rules for qualifying spells and the
    exclusions are in the module docstring; :math:`T_i` is divided by the days of ``unit``.

    Parameters
    ----------
    study : Study
        A validated study.
    dropout : {"competing", "censor", "ignore"}, default "competing"
        Strategy for the intercurrent event dropout (see module docstring).
    include_supported : bool, default False
        Count supported paid work as paid work.
    min_hours : float, optional
        Minimum hours per week of a qualifying spell.
    min_days : int, default 0
        Minimum duration of a qualifying spell in days. Follow-up then ends ``min_days - 1``
        days before ``end_of_followup`` (a later start cannot be classified yet).
    origin : {"start_date", "intake_date"}, default "start_date"
        Time origin.
    horizon_days : int, optional
        Censor at this many days after the origin.
    unit : {"days", "weeks", "months"}, default "days"
        Unit of ``time``.
    job_at_origin : {"exclude", "event"}, default "exclude"
        What a qualifying spell starting on the origin day means.
    definition : TimeToWorkDefinition, optional
        All of the above in one object (as the CLI and the notebooks build it from the study
        design); then the keyword options must be left at their defaults.

    Returns
    -------
    pandas.DataFrame
        ``participant_id``, ``cohort``, ``time``, ``event`` (0 censored, 1 paid work, 2 dropout
        with ``dropout="competing"``) and the baseline covariates. ``attrs["definition"]`` holds
        the definition, ``attrs["definition_text"]`` its English and Dutch caption, and
        ``attrs["attrition"]`` the flow table (entered, excluded by reason, analysed,
        outcomes; as records — use :func:`attrition_table`) and ``attrs["excluded"]`` the
        excluded people with their reason (use :func:`excluded_table`).

    References
    ----------
    .. [1] ICH E9(R1) addendum on estimands and sensitivity analysis in clinical trials
       (2019), strategies for intercurrent events.
    .. [2] Putter H, Fiocco M, Geskus RB. Tutorial in biostatistics: competing risks and
       multi-state models. Stat Med 2007;26:2389-2430.

    Examples
    --------
    Four people starting on 2020-01-01, followed to 2021-01-01: A finds a job on Feb 1, B
    drops out on Mar 1 and finds a job on Jun 1, C has neither, D has had a job since 2019.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({
    ...     "participant_id": ["A", "B", "C", "D"], "cohort": "KOW",
    ...     "start_date": pd.Timestamp("2020-01-01"), "end_of_followup": pd.Timestamp("2021-01-01"),
    ...     "dropout_date": pd.to_datetime([None, "2020-03-01", None, None])})
    >>> jobs = pd.DataFrame({
    ...     "participant_id": ["A", "B", "D"],
    ...     "start_date": pd.to_datetime(["2020-02-01", "2020-06-01", "2019-06-01"]),
    ...     "end_date": pd.NaT, "kind": "regular_paid", "hours_per_week": 20.0})
    >>> study = Study.from_frames(participants=people, spells=jobs)
    >>> df = time_to_paid_work(study)
    >>> # days from 2020-01-01 (a leap year): Feb 1 = 31, Mar 1 = 31 + 29 = 60, 2021-01-01 = 366
    >>> df[["participant_id", "time", "event"]].values.tolist()
    [['A', 31.0, 1], ['B', 60.0, 2], ['C', 366.0, 0]]
    >>> excluded_table(df)["reason"].tolist()  # D was in paid work at the origin
    ['in_paid_work_at_origin']
    >>> time_to_paid_work(study, dropout="censor")["event"].tolist()  # B censored at day 60
    [1, 0, 0]
    >>> ignored = time_to_paid_work(study, dropout="ignore")  # B followed to the job on Jun 1
    >>> ignored["time"].tolist(), ignored["event"].tolist()  # Jun 1 = 60 + 31 + 30 + 31 = 152
    ([31.0, 152.0, 366.0], [1, 1, 0])
    >>> time_to_paid_work(study, unit="months")["time"].round(2).tolist()  # days / 30.4375
    [1.02, 1.97, 12.02]
    """
    d = _definition(definition, dropout=dropout, include_supported=include_supported,
                    min_hours=min_hours, min_days=min_days, origin=origin,
                    horizon_days=horizon_days, unit=unit, job_at_origin=job_at_origin)
    out, attrition = _derive(study, d)
    excluded = attrition.attrs.pop("excluded")
    return with_meta(out, OutcomeMeta(
        outcome="time_to_paid_work", definition=d.as_dict(),
        definition_text={"en": d.text("en"), "nl": d.text("nl")}, estimand=d.estimand(),
        attrition=attrition.to_dict(orient="records"),
        excluded={c: excluded[c].tolist() for c in excluded.columns}))


def attrition_table(df: pd.DataFrame) -> pd.DataFrame:
    """The participant-flow table carried by a :func:`time_to_paid_work` result.

    Parameters
    ----------
    df : pandas.DataFrame
        A result of :func:`time_to_paid_work` (its ``attrs["attrition"]`` records).

    Returns
    -------
    pandas.DataFrame
        ``cohort, stage, reason, label_en, label_nl, n``: per cohort the people who entered,
        those excluded by each reason of :data:`EXCLUSION_REASONS` (zero rows included), the
        number analysed and the number with each outcome code; ``attrs`` holds
        ``definition`` and ``definition_text``. Counts of people: pass it through
        :func:`kow_research.report.suppress_counts` before sharing.

    Raises
    ------
    ValueError
        When ``df`` carries no attrition records (it is not a :func:`time_to_paid_work`
        result).

    Examples
    --------
    The study of :func:`time_to_paid_work`: of 4 people, D is excluded (in paid work at the
    origin) and A, B and C end censored, in paid work and dropped out.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({
    ...     "participant_id": ["A", "B", "C", "D"], "cohort": "KOW",
    ...     "start_date": pd.Timestamp("2020-01-01"), "end_of_followup": pd.Timestamp("2021-01-01"),
    ...     "dropout_date": pd.to_datetime([None, "2020-03-01", None, None])})
    >>> jobs = pd.DataFrame({
    ...     "participant_id": ["A", "B", "D"],
    ...     "start_date": pd.to_datetime(["2020-02-01", "2020-06-01", "2019-06-01"]),
    ...     "end_date": pd.NaT, "kind": "regular_paid", "hours_per_week": 20.0})
    >>> study = Study.from_frames(participants=people, spells=jobs)
    >>> flow = attrition_table(time_to_paid_work(study))
    >>> flow.loc[flow["n"] > 0, ["stage", "reason", "n"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['entered', 'entered', 4], ['excluded', 'in_paid_work_at_origin', 1],
     ['analysed', 'analysed', 3], ['outcome', 'event_0', 1], ['outcome', 'event_1', 1],
     ['outcome', 'event_2', 1]]
    """
    meta = outcome_meta(df)
    if not meta.attrition:
        raise ValueError("this frame carries no attrition table (not from time_to_paid_work?)")
    table = pd.DataFrame.from_records(meta.attrition, columns=["cohort", "stage", "reason",
                                                               "label_en", "label_nl", "n"])
    table.attrs = {"definition": meta.definition, "definition_text": meta.definition_text}
    return table


def excluded_table(df: pd.DataFrame) -> pd.DataFrame:
    """The people a :func:`time_to_paid_work` result left out, with their reason.

    Parameters
    ----------
    df : pandas.DataFrame
        A result of :func:`time_to_paid_work` (its ``attrs["excluded"]``).

    Returns
    -------
    pandas.DataFrame
        ``participant_id, cohort, reason`` (the first reason of the module docstring's list
        that applies), one row per excluded person; empty when nobody was excluded. Rows of
        people: keep it with the source data; never show it in a shared report.

    Raises
    ------
    ValueError
        When ``df`` carries no exclusions record (it is not a :func:`time_to_paid_work`
        result).

    Examples
    --------
    The study of :func:`time_to_paid_work`: D has had a job since 2019-06-01, which is still
    running at the origin 2020-01-01.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({
    ...     "participant_id": ["A", "B", "C", "D"], "cohort": "KOW",
    ...     "start_date": pd.Timestamp("2020-01-01"), "end_of_followup": pd.Timestamp("2021-01-01"),
    ...     "dropout_date": pd.to_datetime([None, "2020-03-01", None, None])})
    >>> jobs = pd.DataFrame({
    ...     "participant_id": ["A", "B", "D"],
    ...     "start_date": pd.to_datetime(["2020-02-01", "2020-06-01", "2019-06-01"]),
    ...     "end_date": pd.NaT, "kind": "regular_paid", "hours_per_week": 20.0})
    >>> study = Study.from_frames(participants=people, spells=jobs)
    >>> excluded_table(time_to_paid_work(study)).values.tolist()
    [['D', 'KOW', 'in_paid_work_at_origin']]
    """
    meta = outcome_meta(df)
    if not meta.excluded and "excluded" not in df.attrs:
        raise ValueError("this frame carries no exclusions (not from time_to_paid_work?)")
    return pd.DataFrame(meta.excluded, columns=["participant_id", "cohort", "reason"])


def attrition(study: Study, *, definition: TimeToWorkDefinition | None = None,
              **options: Any) -> pd.DataFrame:
    """The participant-flow table of :func:`time_to_paid_work` with the same ``options``.

    The same table as ``attrition_table(time_to_paid_work(study, ...))``, without keeping the
    outcome frame.

    Parameters
    ----------
    study : Study
        A validated study.
    definition : TimeToWorkDefinition, optional
        The definition in one object; then ``options`` must be left out.
    **options : dict, optional
        The keyword options of :func:`time_to_paid_work` (``dropout``, ``include_supported``,
        ``min_hours``, ``min_days``, ``origin``, ``horizon_days``, ``unit``,
        ``job_at_origin``).

    Returns
    -------
    pandas.DataFrame
        ``cohort, stage (entered/excluded/analysed/outcome), reason, label_en, label_nl, n``;
        ``attrs["definition"]`` and ``attrs["definition_text"]`` as in
        :func:`time_to_paid_work`.

    Examples
    --------
    The study of :func:`time_to_paid_work`; with ``dropout="censor"`` there is no outcome
    code 2 and B, who dropped out, is counted as censored.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({
    ...     "participant_id": ["A", "B", "C", "D"], "cohort": "KOW",
    ...     "start_date": pd.Timestamp("2020-01-01"), "end_of_followup": pd.Timestamp("2021-01-01"),
    ...     "dropout_date": pd.to_datetime([None, "2020-03-01", None, None])})
    >>> jobs = pd.DataFrame({
    ...     "participant_id": ["A", "B", "D"],
    ...     "start_date": pd.to_datetime(["2020-02-01", "2020-06-01", "2019-06-01"]),
    ...     "end_date": pd.NaT, "kind": "regular_paid", "hours_per_week": 20.0})
    >>> study = Study.from_frames(participants=people, spells=jobs)
    >>> flow = attrition(study, dropout="censor")
    >>> dict(zip(flow["reason"], flow["n"]))  # doctest: +NORMALIZE_WHITESPACE
    {'entered': 4, 'origin_date_missing': 0, 'end_of_followup_missing': 0,
     'in_paid_work_at_origin': 1, 'paid_work_starts_at_origin': 0,
     'dropout_before_origin': 0, 'zero_followup': 0, 'analysed': 3,
     'event_0': 2, 'event_1': 1}
    """
    d = _definition(definition, **options)
    table = _derive(study, d)[1]
    table.attrs.pop("excluded", None)      # rows of people: never in an aggregate table
    table.attrs["definition"] = d.as_dict()
    table.attrs["definition_text"] = {"en": d.text("en"), "nl": d.text("nl")}
    return table
