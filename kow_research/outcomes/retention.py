"""Job retention: how long the first qualifying job lasted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import OutcomeMeta, with_meta
from kow_research.data.study import Study
from kow_research.outcomes._common import (
    dates_from_days,
    day_numbers,
    owner_index,
    paid_kinds,
    require_columns,
)


@positional_deprecated("include_supported", "min_hours", "thresholds")
def job_retention(study: Study, *, include_supported: bool = False,
                  min_hours: float | None = None,
                  thresholds: tuple[int, ...] = (182, 365)) -> pd.DataFrame:
    r"""Duration of the first qualifying job started after the start date.

    The first qualifying job is the spell of a paid-work kind (with at least ``min_hours``
    hours per week when given) with the earliest start :math:`J_i` in
    :math:`(S_i, F_i]` (start date, end of follow-up); with its end date :math:`E_i`

    .. math::

        \text{duration}_i = \min(E_i, F_i) - J_i + 1, \qquad
        \text{ended}_i = [E_i \le F_i]

    in days, counting the first and the last day (:math:`E_i = \infty` for an ongoing job).

    Parameters
    ----------
    study : Study
        A validated study (``participants`` and ``spells``).
    include_supported : bool, default False
        Count supported paid work as paid work.
    min_hours : float, optional
        Minimum hours per week of a qualifying job.
    thresholds : tuple of int, default (182, 365)
        Durations in days for the ``employed_<d>`` flags (6 and 12 months).

    Returns
    -------
    pandas.DataFrame
        One row per person with such a job: ``participant_id, cohort, job_start``,
        ``duration`` (days, start and end included; up to end of follow-up when still
        ongoing), ``ended`` (1 ended, 0 censored: ongoing at end of follow-up), and
        ``employed_<d>`` (True if the job lasted ≥ d days, False if it ended earlier, missing
        when censored before d days). ``attrs`` holds the definition and its caption.

    Examples
    --------
    Two people starting on 2020-01-01, followed to 2021-01-01: A works from Feb 1 to Aug 31,
    B from Jun 1 onwards (still working at the end of follow-up).

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({
    ...     "participant_id": ["A", "B"], "cohort": "KOW",
    ...     "start_date": pd.Timestamp("2020-01-01"), "end_of_followup": pd.Timestamp("2021-01-01")})
    >>> jobs = pd.DataFrame({
    ...     "participant_id": ["A", "B"], "start_date": pd.to_datetime(["2020-02-01", "2020-06-01"]),
    ...     "end_date": pd.to_datetime(["2020-08-31", None]), "kind": "regular_paid",
    ...     "hours_per_week": 20.0})
    >>> r = job_retention(Study.from_frames(participants=people, spells=jobs))
    >>> # day numbers in 2020: Feb 1 = 31, Jun 1 = 152, Aug 31 = 243, 2021-01-01 = 366
    >>> # A: 243 - 31 + 1 = 213 days, ended; B: 366 - 152 + 1 = 215 days, censored
    >>> r["duration"].tolist(), r["ended"].tolist()
    ([213.0, 215.0], [1, 0])
    >>> r["employed_182"].tolist(), r["employed_365"].tolist()  # B: censored before 365 days
    ([True, True], [False, <NA>])
    """
    require_columns(study, "spells", ("participant_id", "start_date", "end_date", "kind",
                                      "hours_per_week"))
    p = study.participants
    start, eof = day_numbers(p["start_date"]), day_numbers(p["end_of_followup"])
    kinds = paid_kinds(include_supported)
    s = study.spells
    who = owner_index(study, s)
    s_start, s_end = day_numbers(s["start_date"]), day_numbers(s["end_date"])
    safe = np.where(who >= 0, who, 0)
    ok = s["kind"].astype(str).isin(kinds).to_numpy() & (who >= 0) & ~np.isnan(s_start)
    ok &= (s_start > start[safe]) & (s_start <= eof[safe])
    if min_hours is not None:
        hours = pd.to_numeric(s["hours_per_week"], errors="coerce").to_numpy(dtype=float)
        ok &= np.nan_to_num(hours, nan=-1.0) >= min_hours
    f = pd.DataFrame({"who": who[ok], "s": s_start[ok], "e": s_end[ok]}).sort_values(
        ["who", "s", "e"], kind="mergesort").drop_duplicates("who", keep="first")
    person = f["who"].to_numpy()
    ended = ~np.isnan(f["e"].to_numpy()) & (f["e"].to_numpy() <= eof[person])
    last = np.where(ended, f["e"].to_numpy(), eof[person])
    duration = last - f["s"].to_numpy() + 1
    out = pd.DataFrame({
        "participant_id": p["participant_id"].to_numpy()[person],
        "cohort": p["cohort"].to_numpy()[person],
        "job_start": dates_from_days(f["s"].to_numpy()),
        "duration": duration, "ended": ended.astype(np.int64),
    })
    for d in thresholds:
        flag = pd.array(duration >= d, dtype="boolean")
        flag[(~ended) & (duration < d)] = pd.NA
        out[f"employed_{d}"] = flag
    out = out.reset_index(drop=True)
    return with_meta(out, OutcomeMeta(
        outcome="job_retention",
        definition={"outcome": "job_retention", "kinds": list(kinds), "min_hours": min_hours,
                    "thresholds_days": list(thresholds), "unit": "days"},
        definition_text={
            "en": "Duration of the first paid job after the start date (censored if ongoing at "
                  "end of follow-up).",
            "nl": "Duur van de eerste betaalde baan na de startdatum (gecensureerd als die bij "
                  "einde follow-up nog loopt)."}))
