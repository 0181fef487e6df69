"""Dropout: flag, time to dropout, reason, and whether it came before or after paid work."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import OutcomeMeta, with_meta
from kow_research.data.study import Study
from kow_research.outcomes._common import day_numbers, owner_index, paid_kinds, require_columns


@positional_deprecated("include_supported")
def dropout(study: Study, *, include_supported: bool = False) -> pd.DataFrame:
    r"""One row per participant describing dropout.

    With start date :math:`S_i`, end of follow-up :math:`F_i`, dropout date :math:`D_i` and
    start :math:`J_i` of the first paid job (any time, :math:`\infty` if none)

    .. math::

        \text{time}_i = \begin{cases} D_i - S_i & \text{dropped out} \\
                                      F_i - S_i & \text{otherwise} \end{cases}, \qquad
        \text{relative to work}_i = \begin{cases} \text{before} & D_i < J_i \\
                                                    \text{after} & D_i \ge J_i \end{cases}

    in days; ``event`` is 1 for dropout and 0 otherwise.

    Parameters
    ----------
    study : Study
        A validated study (``participants`` with ``start_date``, ``end_of_followup``,
        ``dropout_date`` and ``dropout_reason``; ``spells`` for the first paid job).
    include_supported : bool, default False
        Whether supported paid work counts as paid work for ``relative_to_work``.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, cohort, dropped`` (bool), ``time`` (days from start to dropout, or to
        end of follow-up when there was none) and ``event`` (1 dropout, 0 censored) for a
        time-to-dropout analysis, ``dropout_reason``, and ``relative_to_work``: ``"before"``
        (dropout before the first paid job started, or no job), ``"after"`` (on or after), or
        missing without dropout. ``attrs`` holds the definition (origin, unit, paid-work
        kinds) and its caption.

    Examples
    --------
    Three people starting on 2020-01-01, followed to 2021-01-01: A finds a job on Feb 1 and
    drops out on Mar 1, B drops out on Mar 1 and finds a job on Jun 1, C stays in.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({
    ...     "participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...     "start_date": pd.Timestamp("2020-01-01"), "end_of_followup": pd.Timestamp("2021-01-01"),
    ...     "dropout_date": pd.to_datetime(["2020-03-01", "2020-03-01", None]),
    ...     "dropout_reason": ["health", "moved", None]})
    >>> jobs = pd.DataFrame({
    ...     "participant_id": ["A", "B"], "start_date": pd.to_datetime(["2020-02-01", "2020-06-01"]),
    ...     "end_date": pd.NaT, "kind": "regular_paid", "hours_per_week": 20.0})
    >>> d = dropout(Study.from_frames(participants=people, spells=jobs))
    >>> # days from 2020-01-01 (a leap year): Mar 1 = 31 + 29 = 60, 2021-01-01 = 366
    >>> d["time"].tolist(), d["event"].tolist()
    ([60.0, 60.0, 366.0], [1, 1, 0])
    >>> d["relative_to_work"].tolist()  # A: job Feb 1 came first; B: the job came later
    ['after', 'before', None]
    """
    require_columns(study, "participants", ("participant_id", "cohort", "start_date",
                                            "end_of_followup", "dropout_date", "dropout_reason"))
    p = study.participants
    start, eof = day_numbers(p["start_date"]), day_numbers(p["end_of_followup"])
    drop = day_numbers(p["dropout_date"])
    dropped = ~np.isnan(drop)
    kinds = paid_kinds(include_supported)
    s = study.spells
    who = owner_index(study, s)
    s_start = day_numbers(s["start_date"])
    paid = s["kind"].astype(str).isin(kinds).to_numpy() & (who >= 0) & ~np.isnan(s_start)
    # a job that started before the programme is not "paid work" the dropout came before or
    # after: only jobs starting on or after the start date count
    paid &= s_start >= start[np.where(who >= 0, who, 0)]
    first_job = np.full(len(p), np.inf)
    np.minimum.at(first_job, who[paid], s_start[paid])
    relative = pd.Series(np.where(drop < first_job, "before", "after"), dtype=object).where(
        dropped, None)
    out = pd.DataFrame({
        "participant_id": p["participant_id"].to_numpy(), "cohort": p["cohort"].to_numpy(),
        "dropped": dropped, "time": np.where(dropped, drop, eof) - start,
        "event": dropped.astype(np.int64), "dropout_reason": p["dropout_reason"].to_numpy(),
        "relative_to_work": relative.to_numpy(),
    })
    return with_meta(out, OutcomeMeta(
        outcome="dropout",
        definition={"outcome": "dropout", "origin": "start_date", "unit": "days",
                    "paid_work_kinds": list(kinds)},
        definition_text={
            "en": "Time from start date to dropout (censored at end of follow-up).",
            "nl": "Tijd van startdatum tot uitval (gecensureerd bij einde follow-up)."}))
