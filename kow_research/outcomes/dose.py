"""Training dose: sessions attended out of the sessions planned."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import OutcomeMeta, with_meta
from kow_research.data.study import Study
from kow_research.outcomes._common import owner_index, require_columns

PLANNED_SESSIONS: dict[str, int] = {"KOW": 10, "GOW": 8}
SESSION_TYPES = ("information", "training", "coaching", "online_group")


@positional_deprecated("planned", "completer_fraction")
def training_dose(study: Study, *, planned: Mapping[str, int] | None = None,
                  completer_fraction: float = 0.8) -> pd.DataFrame:
    r"""Sessions attended per participant, by type, and whether they completed the training.

    With :math:`a_i` the sessions person :math:`i` attended (rows of ``sessions`` with
    ``attended`` true; missing counts as not attended), :math:`m_c` the sessions planned for
    cohort :math:`c` and :math:`f` the ``completer_fraction``

    .. math::

        \text{dose}_i = \frac{a_i}{m_c}, \qquad
        \text{completer}_i = [\, a_i \ge \lceil f\, m_c \rceil \,].

    Parameters
    ----------
    study : Study
        A validated study (``participants`` and ``sessions``).
    planned : mapping cohort → int, optional
        Planned sessions per cohort. Default: KOW 10 ("Weer aan het werk...!": 1 information
        meeting, 5 training half-days, 4 coaching sessions), GOW 8 online sessions. Cohorts
        without a planned number (e.g. IPS) are left out.
    completer_fraction : float, default 0.8
        A completer attended at least ``ceil(completer_fraction × planned)`` sessions: 8 of 10
        for KOW, 7 of 8 for GOW.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, cohort, planned, attended, attended_<type>`` for each session type,
        ``dose`` (attended / planned) and ``completer``. People without session rows attended 0.
        ``attrs`` holds the definition (planned sessions, completer fraction) and its caption.

    Examples
    --------
    Two KOW participants (10 sessions planned, completers attend at least
    ``ceil(0.8 × 10) = 8``): A attended 8 of the 10 (the last two coaching sessions missed),
    B has no session rows.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({"participant_id": ["A", "B"], "cohort": "KOW"})
    >>> sessions = pd.DataFrame({
    ...     "participant_id": "A", "session_number": range(1, 11),
    ...     "session_type": ["information"] + ["training"] * 5 + ["coaching"] * 4,
    ...     "attended": [True] * 8 + [False] * 2})
    >>> dose = training_dose(Study.from_frames(participants=people, sessions=sessions))
    >>> dose[["attended", "attended_training", "attended_coaching"]].values.tolist()
    [[8, 5, 2], [0, 0, 0]]
    >>> dose["dose"].tolist(), dose["completer"].tolist()  # 8 / 10 and 0 / 10
    ([0.8, 0.0], [True, False])
    """
    require_columns(study, "sessions", ("participant_id", "session_type", "attended"))
    plan = dict(PLANNED_SESSIONS if planned is None else planned)
    p = study.participants
    cohort = p["cohort"].astype(str)
    keep = cohort.isin(list(plan)).to_numpy()
    s = study.sessions
    who = owner_index(study, s)
    att = s["attended"].astype("boolean").fillna(False).to_numpy(dtype=bool) & (who >= 0)
    types = s["session_type"].astype(str).to_numpy()
    out = pd.DataFrame({"participant_id": p["participant_id"].to_numpy(),
                        "cohort": cohort.to_numpy()})
    out["planned"] = pd.array(cohort.map(plan).to_numpy(dtype=float), dtype="Int64")
    out["attended"] = np.bincount(who[att], minlength=len(p))
    for t in SESSION_TYPES:
        m = att & (types == t)
        out[f"attended_{t}"] = np.bincount(who[m], minlength=len(p))
    out = out[keep].reset_index(drop=True)
    out["dose"] = out["attended"] / out["planned"].astype(float)
    need = out["planned"].astype(float).map(lambda k: math.ceil(completer_fraction * k - 1e-9))
    out["completer"] = out["attended"] >= need
    listed = ", ".join(f"{c} {k}" for c, k in plan.items())
    return with_meta(out, OutcomeMeta(
        outcome="training_dose",
        definition={"outcome": "training_dose", "planned": plan,
                    "completer_fraction": completer_fraction},
        definition_text={
            "en": f"Sessions attended of those planned ({listed}); completer: at least "
                  f"{completer_fraction:.0%} attended.",
            "nl": f"Bijgewoonde bijeenkomsten van de geplande ({listed}); afmaker: minstens "
                  f"{completer_fraction:.0%} bijgewoond."}))
