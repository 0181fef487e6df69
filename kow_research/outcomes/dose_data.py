"""Data sets for dose analyses without immortal time: the landmark set and counting-process rows.

Comparing training completers with non-completers *from the start date* is biased by design:
to complete the training one has to stay in the programme (and out of paid work, often) long
enough to attend the sessions, so the completers' early follow-up is "immortal" time that the
non-completers do not have. Two designs remove the bias:

* **Landmark** (:func:`landmark_data`): completion status is fixed at a landmark :math:`s`, the
  end of the training period, and only people still at risk at :math:`s` are followed, with time
  reset to :math:`s`. Sessions attended after :math:`s` do not count.
* **Time-varying exposure** (:func:`dose_counting_process`): attendance enters the model as it
  accrues, as counting-process rows ``(start, stop]`` split at every attended session date.

Conventions (each tested in ``tests/outcomes/test_dose_analysis.py``):

* Session days are counted from the outcome's origin (``start_date`` unless the outcome frame's
  definition names another) and expressed in the outcome's time unit. A session attended on or
  before the origin (the KOW information meeting comes two weeks before the start) counts from
  time 0. Sessions without a date cannot be placed in time: they are left out and counted
  (``attrs["dose"]["undated_attended_sessions"]``). ``attended`` missing counts as not
  attended, as in :func:`~kow_research.outcomes.training_dose`.
* Landmark: a person is at risk at :math:`s` when her outcome time is after :math:`s`
  (:math:`T > s`); an event or a censoring on or before :math:`s` excludes her, and the
  exclusions are counted by reason. Sessions on day :math:`s` count towards the status.
* Counting process: a session attended on day :math:`c` counts from :math:`c` on, so at an
  event on the day of a session the earlier value applies (as R's ``tmerge``); sessions after
  a person's event or censoring fall outside her follow-up.

References
----------
.. [1] Anderson JR, Cain KC, Gelber RD. Analysis of survival by tumor response. J Clin Oncol
   1983;1:710-719 (the landmark method).
.. [2] Suissa S. Immortal time bias in pharmaco-epidemiology. Am J Epidemiol 2008;167:492-499.
.. [3] van Houwelingen HC, Putter H. Dynamic Prediction in Clinical Survival Analysis. CRC
   Press 2012, chapter 7 (landmarking).
.. [4] Therneau TM, Crowson C, Atkinson E. Using time dependent covariates and time dependent
   coefficients in the Cox model. Vignette of the R package survival (``tmerge``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from kow_research.core import TIME_UNITS, check_columns
from kow_research.core.meta import OutcomeMeta, outcome_meta, with_meta
from kow_research.data.study import Study
from kow_research.outcomes._common import day_numbers, owner_index, require_columns
from kow_research.outcomes.definitions import TimeToWorkDefinition
from kow_research.outcomes.dose import PLANNED_SESSIONS
from kow_research.outcomes.time_to_work import time_to_paid_work
from kow_research.survival import expand_time_varying

#: what the ``outcome=`` argument of the dose analyses accepts
OutcomeSpec: TypeAlias = pd.DataFrame | TimeToWorkDefinition | Mapping[str, Any] | None
#: landmark exclusion reason -> (English, Dutch) label
LANDMARK_REASONS: dict[str, tuple[str, str]] = {
    "paid_work_before_landmark": ("started paid work on or before the landmark",
                                  "begon op of voor het landmark met betaald werk"),
    "competing_before_landmark": ("dropped out (competing event) on or before the landmark",
                                  "viel op of voor het landmark uit (concurrerende gebeurtenis)"),
    "censored_before_landmark": ("follow-up ended on or before the landmark",
                                 "follow-up eindigde op of voor het landmark"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "completer": ("completer", "afmaker"),
    "non-completer": ("non-completer", "niet-afmaker"),
}


@dataclass(frozen=True)
class DosePlan:
    """The cohort, its planned sessions and the outcome frame a dose analysis works on.

    Attributes
    ----------
    frame : DataFrame
        The outcome rows of ``cohort`` (a copy, index reset).
    cohort : str
    planned : int
        Sessions planned for the cohort.
    need : int
        Sessions a completer attends, ``ceil(completer_fraction * planned)``.
    completer_fraction : float
    unit : str
        Unit of the outcome's ``time`` column.
    origin : str
        Participants column the outcome's time is counted from.
    sessions : DataFrame
        ``participant_id, day, attended, planned_session``: every dated session row of the
        cohort's people, ``day`` counted from the origin; ``planned_session`` false for rows
        numbered above ``planned``.
    undated : int
        Attended sessions without a date (left out).
    meta : OutcomeMeta
        The outcome frame's metadata.
    """

    frame: pd.DataFrame
    cohort: str
    planned: int
    need: int
    completer_fraction: float
    unit: str
    origin: str
    sessions: pd.DataFrame
    undated: int
    meta: OutcomeMeta

    def attended_days(self) -> pd.DataFrame:
        """``participant_id, day`` of every dated attended session."""
        s = self.sessions
        return s.loc[s["attended"], ["participant_id", "day"]].reset_index(drop=True)

    def definition(self) -> dict[str, Any]:
        """The dose part of a definition (plain values)."""
        return {"cohort": self.cohort, "planned": self.planned, "need": self.need,
                "completer_fraction": self.completer_fraction,
                "undated_attended_sessions": self.undated}


def outcome_frame(study: Study, outcome: OutcomeSpec) -> pd.DataFrame:
    """The time-to-work frame of ``study`` that ``outcome`` asks for (see
    :func:`landmark_data`)."""
    if outcome is None:
        return time_to_paid_work(study)
    if isinstance(outcome, pd.DataFrame):
        check_columns(outcome, ["participant_id", "time", "event"], "column of outcome")
        return outcome
    if isinstance(outcome, TimeToWorkDefinition):
        return time_to_paid_work(study, definition=outcome)
    if isinstance(outcome, Mapping):
        return time_to_paid_work(study, **dict(outcome))
    raise TypeError("outcome must be None, a DataFrame from time_to_paid_work, a "
                    "TimeToWorkDefinition or a mapping of time_to_paid_work options; got "
                    f"{type(outcome).__name__}")


def prepare_dose(study: Study, *, outcome: OutcomeSpec, cohort: str | None,
                 planned: Mapping[str, int] | None, completer_fraction: float) -> DosePlan:
    """Select the cohort and place every session on the outcome's time axis."""
    if not 0 < completer_fraction <= 1:
        raise ValueError(f"completer_fraction must lie in (0, 1]; got {completer_fraction!r}")
    require_columns(study, "sessions", ("participant_id", "session_date", "attended"))
    plan = dict(PLANNED_SESSIONS if planned is None else planned)
    frame = outcome_frame(study, outcome)
    meta = outcome_meta(frame)
    origin = meta.origin or "start_date"
    require_columns(study, "participants", ("participant_id", "cohort", origin))
    p = study.participants
    ids = frame["participant_id"].astype(str).to_numpy()
    person = pd.Index(p["participant_id"].astype(str).to_numpy()).get_indexer(ids)
    if (person < 0).any():
        raise ValueError(f"outcome: participant_id {ids[person < 0][0]!r} is not in the "
                         "study's participants; derive the outcome from the same study")
    cohorts = p["cohort"].astype(str).to_numpy()[person]
    with_plan = [c for c in pd.unique(cohorts) if c in plan]
    if cohort is None:
        if len(with_plan) != 1:
            raise ValueError(
                "choose the programme with cohort=: the outcome frame holds "
                + (f"the cohorts {with_plan} with planned sessions" if with_plan else
                   f"no cohort with planned sessions (cohorts {sorted(set(cohorts))}, "
                   f"planned sessions known for {sorted(plan)}; pass planned=)"))
        cohort = str(with_plan[0])
    elif cohort not in plan:
        raise ValueError(f"cohort {cohort!r} has no planned number of sessions (known: "
                         f"{sorted(plan)}); pass planned={{{cohort!r}: ...}}")
    elif cohort not in with_plan:
        raise ValueError(f"cohort {cohort!r} has nobody in the outcome frame (cohorts there: "
                         f"{sorted(set(cohorts))})")
    keep = cohorts == cohort
    sub = frame.loc[keep].reset_index(drop=True).copy()
    sub.attrs = dict(frame.attrs)
    sub["cohort"] = cohort
    m = int(plan[cohort])
    need = math.ceil(completer_fraction * m - 1e-9)

    s = study.sessions
    who = owner_index(study, s)
    mine = (who >= 0) & (p["cohort"].astype(str).to_numpy()[np.where(who >= 0, who, 0)]
                         == cohort)
    s, who = s.loc[mine], who[mine]
    attended = s["attended"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    day = day_numbers(s["session_date"]) - day_numbers(p[origin])[who]
    numbered = (pd.to_numeric(s["session_number"], errors="coerce").to_numpy(dtype=float)
                if "session_number" in s.columns else np.ones(len(s)))
    dated = ~np.isnan(day)
    sessions = pd.DataFrame({
        "participant_id": s["participant_id"].astype(str).to_numpy()[dated],
        "day": day[dated], "attended": attended[dated],
        "planned_session": ~(numbered[dated] > m)})
    return DosePlan(frame=sub, cohort=cohort, planned=m, need=need,
                    completer_fraction=float(completer_fraction), unit=meta.unit,
                    origin=origin, sessions=sessions, undated=int((attended & ~dated).sum()),
                    meta=meta)


def default_landmark(plan: DosePlan) -> float:
    """Days from the origin to the cohort's last planned session (the end of the training)."""
    s = plan.sessions[plan.sessions["planned_session"]]
    if s.empty:
        raise ValueError(f"cohort {plan.cohort!r} has no dated sessions to find the end of the "
                         "training period; give landmark_days (e.g. landmark_days=365)")
    return float(s["day"].max())


def _landmark_text(plan: DosePlan, landmark: float, rule: str, language: str) -> str:
    day = f"{landmark:g}"
    if language == "nl":
        where = ("de laatste geplande bijeenkomst" if rule == "last_planned_session"
                 else "gekozen")
        return (f"Landmark dag {day} na {plan.origin} ({where}); status: afmaker bij minstens "
                f"{plan.need} van {plan.planned} bijeenkomsten tot dan; alleen wie dan nog "
                "zonder gebeurtenis in follow-up was, tijd vanaf het landmark.")
    where = "the last planned session" if rule == "last_planned_session" else "given"
    return (f"Landmark day {day} after {plan.origin} ({where}); status: completer with at "
            f"least {plan.need} of {plan.planned} sessions by then; only people still in "
            "follow-up without an event then, time from the landmark.")


def landmark_data(study: Study, *, landmark_days: float | None = None,
                  completer_fraction: float = 0.8, planned: Mapping[str, int] | None = None,
                  outcome: OutcomeSpec = None, cohort: str | None = None) -> pd.DataFrame:
    r"""The landmark data set: status at the end of the training, outcome from then on.

    With landmark :math:`s` (days from the origin), person :math:`i`'s outcome time
    :math:`T_i` and event :math:`\delta_i`, and :math:`a_i(s)` the sessions she attended on or
    before day :math:`s`, the people with :math:`T_i > s` are kept with

    .. math::

        T^*_i = T_i - s, \qquad \delta^*_i = \delta_i, \qquad
        \text{completer}_i = [\, a_i(s) \ge \lceil f\, m \rceil \,],

    :math:`m` the planned sessions and :math:`f` the ``completer_fraction``. Everyone else is
    excluded and counted by reason: paid work (event 1), dropout or another competing event
    (codes above 1), or censoring on or before :math:`s`.

    Parameters
    ----------
    study : Study
        A validated study with ``participants`` and ``sessions``.
    landmark_days : float, optional
        The landmark in days from the origin. Default: the end of the training period, the
        latest day (from the origin) of a planned session of the cohort (a session row
        numbered at most the planned number, attended or not), so that every planned session
        has taken place by the landmark for everyone and no status can change after it. The
        latest rather than a typical day, so that nobody's status is fixed before her last
        session; give a number (e.g. 365) for a fixed landmark.
    completer_fraction : float, default 0.8
        A completer attended at least ``ceil(completer_fraction * planned)`` sessions by the
        landmark (as :func:`~kow_research.outcomes.training_dose`).
    planned : mapping cohort → int, optional
        Planned sessions per cohort (default
        :data:`~kow_research.outcomes.PLANNED_SESSIONS`: KOW 10, GOW 8).
    outcome : DataFrame, TimeToWorkDefinition or mapping, optional
        The outcome from the origin: a :func:`~kow_research.outcomes.time_to_paid_work`
        frame, its definition, or a mapping of its options (e.g. ``{"dropout": "censor"}``).
        Default: ``time_to_paid_work(study)`` (dropout competing). The dropout strategy
        decides who is at risk at the landmark: with ``"competing"`` and ``"censor"``
        people who dropped out before it are excluded, with ``"ignore"`` they stay.
    cohort : str, optional
        The programme to analyse; needed when the outcome holds more than one cohort with
        planned sessions.

    Returns
    -------
    pandas.DataFrame
        One row per person at risk at the landmark: ``participant_id, cohort, time`` (from the
        landmark, in the outcome's unit), ``event``, ``sessions`` (attended by the landmark),
        ``fraction`` (``sessions / planned``), ``completer`` (0/1), ``status``
        (``"completer"``/``"non-completer"``) and the outcome frame's other columns (baseline
        covariates). ``attrs`` holds the outcome definition with a ``"landmark"`` entry, the
        caption extended by the landmark rule and ``attrition``: the flow from the origin to
        the landmark (records ``stage, reason, label_en, label_nl, n``).

    Raises
    ------
    ValueError
        No cohort with planned sessions, several of them and no ``cohort``, a non-positive
        landmark, no dated sessions for the default landmark, or nobody at risk at it.

    References
    ----------
    Anderson JR, Cain KC, Gelber RD (1983). Analysis of survival by tumor response. J Clin
    Oncol 1:710-719. Dafni U (2011). Landmark analysis at the 25-year landmark point. Circ
    Cardiovasc Qual Outcomes 4:363-371.

    Examples
    --------
    Three KOW participants starting on 2020-01-01 (10 sessions planned, 8 to complete). The
    last session is on day 300 (2020-10-27). A attends all 10 and finds a job on day 400; B
    attends 3 and is followed to day 500; C finds a job on day 100.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> start = pd.Timestamp("2020-01-01")
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": start})
    >>> days = [0, 30, 60, 90, 120, 150, 180, 210, 240, 300]
    >>> sessions = pd.DataFrame({
    ...     "participant_id": ["A"] * 10 + ["B"] * 10, "session_number": list(range(1, 11)) * 2,
    ...     "session_type": "training", "session_date": [start + pd.Timedelta(days=d)
    ...                                                  for d in days * 2],
    ...     "attended": [True] * 10 + [True] * 3 + [False] * 7})
    >>> study = Study.from_frames(participants=people, sessions=sessions)
    >>> ttw = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                     "time": [400.0, 500.0, 100.0], "event": [1, 0, 1]})
    >>> lm = landmark_data(study, outcome=ttw)
    >>> lm[["participant_id", "time", "event", "sessions", "status"]].values.tolist()
    [['A', 100.0, 1, 10, 'completer'], ['B', 200.0, 0, 3, 'non-completer']]
    >>> lm.attrs["definition"]["landmark"]["days"]    # the last planned session
    300.0
    >>> flow = pd.DataFrame(lm.attrs["attrition"])
    >>> dict(zip(flow["reason"], flow["n"]))  # doctest: +NORMALIZE_WHITESPACE
    {'in_outcome': 3, 'paid_work_before_landmark': 1, 'competing_before_landmark': 0,
     'censored_before_landmark': 0, 'at_risk_at_landmark': 2, 'completer': 1,
     'non-completer': 1}
    """
    plan = prepare_dose(study, outcome=outcome, cohort=cohort, planned=planned,
                        completer_fraction=completer_fraction)
    rule = "last_planned_session" if landmark_days is None else "given"
    s_days = default_landmark(plan) if landmark_days is None else float(landmark_days)
    if not np.isfinite(s_days) or s_days <= 0:
        raise ValueError(f"the landmark must be a positive number of days after {plan.origin}; "
                         f"got {s_days!r}")
    s = s_days / TIME_UNITS[plan.unit]
    f = plan.frame
    time = pd.to_numeric(f["time"], errors="coerce").to_numpy(dtype=float)
    event = pd.to_numeric(f["event"], errors="coerce").to_numpy(dtype=float)
    before = time <= s
    at_risk = ~before
    if not at_risk.any():
        raise ValueError(f"nobody of cohort {plan.cohort!r} is still at risk at the landmark "
                         f"(day {s_days:g}): choose an earlier landmark_days")
    att = plan.attended_days()
    att = att[att["day"] <= s_days]
    counts = att.groupby("participant_id").size()
    ids = f["participant_id"].astype(str)
    sessions = ids.map(counts).fillna(0).astype(np.int64).to_numpy()
    completer = sessions >= plan.need
    out = pd.DataFrame({"participant_id": f["participant_id"].to_numpy(),
                        "cohort": plan.cohort, "time": time - s, "event": event.astype(np.int64),
                        "sessions": sessions, "fraction": sessions / plan.planned,
                        "completer": completer.astype(np.int64),
                        "status": np.where(completer, "completer", "non-completer")})
    for c in f.columns:
        if c not in out.columns:
            out[c] = f[c].to_numpy()
            if isinstance(f[c].dtype, pd.CategoricalDtype) or str(f[c].dtype) in (
                    "Int64", "boolean", "string"):
                out[c] = out[c].astype(f[c].dtype)
    out = out[at_risk].reset_index(drop=True)

    rows = [("outcome", "in_outcome", "in the outcome analysis from the origin",
             "in de uitkomstanalyse vanaf de oorsprong", len(f))]
    hits = {"paid_work_before_landmark": before & (event == 1),
            "competing_before_landmark": before & (event > 1),
            "censored_before_landmark": before & (event == 0)}
    for reason, (en, nl) in LANDMARK_REASONS.items():
        rows.append(("excluded", reason, en, nl, int(hits[reason].sum())))
    rows.append(("analysed", "at_risk_at_landmark", "still at risk at the landmark",
                 "op het landmark nog in de risicoset", int(at_risk.sum())))
    for status, (en, nl) in STATUS_LABELS.items():
        rows.append(("status", status, en, nl, int((out["status"] == status).sum())))
    attrition = [dict(zip(("stage", "reason", "label_en", "label_nl", "n"), r, strict=True))
                 for r in rows]
    meta = plan.meta
    landmark = {"days": s_days, "rule": rule, "time_unit": plan.unit, "origin": plan.origin,
                **plan.definition()}
    caption = {lang: " ".join(t for t in (meta.caption(lang),
                                         _landmark_text(plan, s_days, rule, lang)) if t)
               for lang in ("en", "nl")}
    return with_meta(out, OutcomeMeta(
        outcome=meta.outcome or "time_to_paid_work",
        definition={**meta.definition, "landmark": landmark}, definition_text=caption,
        estimand=meta.estimand, attrition=attrition))


def dose_counting_process(study: Study, *, completer_fraction: float = 0.8,
                          planned: Mapping[str, int] | None = None, outcome: OutcomeSpec = None,
                          cohort: str | None = None) -> pd.DataFrame:
    r"""Counting-process rows with attendance as a time-varying exposure.

    Person :math:`i` is followed over :math:`(0, T_i]` from the origin. With
    :math:`c_{i1} \le c_{i2} \le \dots` the days of her attended sessions (on or before the
    origin counted as 0), follow-up is split at each :math:`c_{ik}` inside it and on every
    interval :math:`(a, b]`

    .. math::

        \text{sessions}_i(a) = \#\{k : c_{ik} \le a\}, \qquad
        \text{fraction}_i(a) = \text{sessions}_i(a) / m, \qquad
        \text{completer}_i(a) = [\, \text{sessions}_i(a) \ge \lceil f\, m \rceil \,],

    zero before the first session. The event stays on the last interval (built with
    :func:`kow_research.survival.expand_time_varying`).

    Parameters
    ----------
    study : Study
        A validated study with ``participants`` and ``sessions``.
    completer_fraction : float, default 0.8
        A completer attended at least ``ceil(completer_fraction * planned)`` sessions so far.
    planned : mapping cohort → int, optional
        Planned sessions per cohort (default KOW 10, GOW 8).
    outcome : DataFrame, TimeToWorkDefinition or mapping, optional
        The outcome from the origin, as in :func:`landmark_data` (default
        ``time_to_paid_work(study)``, dropout competing).
    cohort : str, optional
        The programme to analyse (needed when the outcome holds several with planned
        sessions).

    Returns
    -------
    pandas.DataFrame
        ``participant_id, start, stop, event``, the outcome frame's other columns, then
        ``sessions``, ``fraction`` and ``completer`` (0/1) on each interval; times in the
        outcome's unit. ``attrs`` keeps the outcome's definition with a ``"dose"`` entry and
        ``"time_varying"`` (see :func:`~kow_research.survival.expand_time_varying`).

    Raises
    ------
    ValueError
        As :func:`landmark_data`; outcome times that are not > 0.

    References
    ----------
    Andersen PK, Gill RD (1982). Cox's regression model for counting processes. Ann Statist
    10:1100-1120. Therneau TM, Crowson C, Atkinson E, *Using time dependent covariates and time
    dependent coefficients in the Cox model* (survival package vignette).

    Examples
    --------
    The study of :func:`landmark_data`: A attends sessions on days 0, 30, ..., 240 and 300
    and finds a job on day 400; B attends on days 0, 30 and 60; C finds a job on day 100
    without any session.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> start = pd.Timestamp("2020-01-01")
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": start})
    >>> days = [0, 30, 60, 90, 120, 150, 180, 210, 240, 300]
    >>> sessions = pd.DataFrame({
    ...     "participant_id": ["A"] * 10 + ["B"] * 10, "session_number": list(range(1, 11)) * 2,
    ...     "session_type": "training", "session_date": [start + pd.Timedelta(days=d)
    ...                                                  for d in days * 2],
    ...     "attended": [True] * 10 + [True] * 3 + [False] * 7})
    >>> study = Study.from_frames(participants=people, sessions=sessions)
    >>> ttw = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                     "time": [400.0, 500.0, 100.0], "event": [1, 0, 1]})
    >>> cp = dose_counting_process(study, outcome=ttw)
    >>> b = cp[cp["participant_id"] == "B"]   # the session on day 0 counts from the start
    >>> b[["start", "stop", "event", "sessions", "completer"]]
        start   stop  event  sessions  completer
    10    0.0   30.0      0         1          0
    11   30.0   60.0      0         2          0
    12   60.0  500.0      0         3          0
    >>> a = cp[cp["participant_id"] == "A"]   # completer from the 8th session (day 210)
    >>> a[["start", "stop", "event", "sessions", "completer"]].tail(3)
       start   stop  event  sessions  completer
    7  210.0  240.0      0         8          1
    8  240.0  300.0      0         9          1
    9  300.0  400.0      1        10          1
    >>> len(cp), int(cp["event"].sum())    # A: 10 intervals, B: 3, C: 1
    (14, 2)
    """
    plan = prepare_dose(study, outcome=outcome, cohort=cohort, planned=planned,
                        completer_fraction=completer_fraction)
    att = plan.attended_days()
    changes = pd.DataFrame({"participant_id": att["participant_id"].to_numpy(),
                            "time": np.maximum(att["day"].to_numpy(), 0.0)
                            / TIME_UNITS[plan.unit]})
    base = plan.frame.copy()
    base["participant_id"] = base["participant_id"].astype(str)
    taken = [c for c in ("start", "stop", "sessions", "fraction", "completer")
             if c in base.columns]
    if taken:
        raise ValueError(f"outcome: columns {taken} would be overwritten; rename them first")
    base.attrs = {}
    cp = expand_time_varying(base, changes=changes, count="sessions")
    cp["fraction"] = cp["sessions"] / plan.planned
    cp["completer"] = (cp["sessions"] >= plan.need).astype(np.int64)
    meta = plan.meta
    dose = {**plan.definition(), "time_unit": plan.unit, "origin": plan.origin,
            "convention": cp.attrs["time_varying"]["convention"]}
    time_varying = dict(cp.attrs["time_varying"])
    cp.attrs = {}
    out = with_meta(cp, OutcomeMeta(
        outcome=meta.outcome or "time_to_paid_work",
        definition={**meta.definition, "dose": dose},
        definition_text=meta.definition_text, estimand=meta.estimand))
    out.attrs["time_varying"] = time_varying
    return out
