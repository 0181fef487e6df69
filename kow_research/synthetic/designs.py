"""The study design of simulated cohorts, taken from the simulators' parameters.

A simulated study has no ``study.yaml``; :func:`simulation_design` writes the one a researcher
would: the first cohort is the index programme, the others its comparators, each cohort's waves
and planned sessions are those its simulator used, and the design says the data are simulated
(so that every page and figure carries a banner or watermark).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign, validate_values
from kow_research.synthetic.params import get_params

#: planned sessions of each session schedule of the simulators
PLANNED_SESSIONS = {"KOW": 10, "GOW": 8, "none": 0}


def simulation_design(study: Study, *, seed: int | None = None, **entries: Any) -> StudyDesign:
    """The design of a simulated study (index = its first cohort).

    Parameters
    ----------
    study : Study
        From :func:`kow_research.simulate_study` or :func:`kow_research.simulate_studies`.
    seed : int, optional
        The seed the cohorts were simulated with (recorded in the design).
    **entries : dict, optional
        Further design entries (e.g. ``index="IPS"``, ``randomised=True``).

    Returns
    -------
    StudyDesign
        Not yet resolved (call :meth:`StudyDesign.resolve`).

    Examples
    --------
    >>> import kow_research as kr
    >>> d = simulation_design(kr.simulate_studies({"IPS": 20, "TAU": 20}, seed=1),
    ...                       randomised=True)
    >>> d["index"], d["comparators"], d["waves"]["TAU"], d["simulated"]
    ('IPS', ['TAU'], [0, 6, 18, 30], True)
    """
    cohorts = [str(c) for c in pd.unique(study.participants["cohort"].astype(str))]
    waves, planned = {}, {}
    for c in cohorts:
        p = get_params(c)
        waves[c] = [int(m) for m in p.waves_months]
        if PLANNED_SESSIONS.get(p.sessions, 0):
            planned[c] = PLANNED_SESSIONS[p.sessions]
    # the simulated cohorts overlap poorly (the IPS- and TAU-like cohorts are mostly people with
    # a psychosis): overlap weights keep the comparison to the people both could have served
    values = {"index": cohorts[0], "comparators": cohorts[1:], "waves": waves,
              "estimand": "ATO",
              "planned_sessions": planned, "simulated": True,
              **({"seed": int(seed)} if seed is not None else {}), **entries}
    return StudyDesign(values=validate_values(values, "simulation design"), source="simulation")
