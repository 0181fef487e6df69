"""Seeded generator of the dose reference data (run once; the CSVs are committed).

A simulated KOW cohort, ``kr.simulate_studies({"KOW": 400}, seed=2026)`` with the simulator's
default dose effect, stored so that the R reference does not move when the simulator changes:

* the inputs of the dose analyses — ``dose_participants.csv`` (id, cohort, start date),
  ``dose_sessions.csv`` (the sessions table) and ``dose_outcome.csv`` (time to paid work from
  the start date, dropout competing, with age and SMI as 0/1);
* the data sets the package builds from them — ``dose_landmark.csv``
  (:func:`kow_research.outcomes.dose_data.landmark_data`) and ``dose_cp.csv``
  (:func:`kow_research.outcomes.dose_data.dose_counting_process`).

``dose_reference.R`` fits the models on the exported data sets *and* rebuilds both data sets
from the inputs on its own (``tmerge`` for the counting process), so that the tests check the
construction as well as the fits.

Run: ``PYTHONPATH=. .venv/bin/python tests/outcomes/reference/make_dose_data.py``
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import kow_research as kr
from kow_research.data import Study
from kow_research.outcomes.dose_data import dose_counting_process, landmark_data

HERE = Path(__file__).parent
SEED = 2026


def inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(participants, sessions, outcome) of the seeded cohort, as stored."""
    study = kr.simulate_studies({"KOW": 400}, seed=SEED)
    p = study.participants[["participant_id", "cohort", "start_date"]].copy()
    s = study.sessions[["participant_id", "session_number", "session_type", "session_date",
                        "attended"]].copy()
    ttw = kr.outcomes.time_to_paid_work(study)
    outcome = pd.DataFrame({"participant_id": ttw["participant_id"], "cohort": ttw["cohort"],
                            "time": ttw["time"], "event": ttw["event"],
                            "age": ttw["age"].astype(int), "smi": ttw["smi"].astype(int)})
    return p, s, outcome


def read_inputs(folder: Path = HERE) -> tuple[Study, pd.DataFrame]:
    """The stored inputs as a Study and an outcome frame (used by the tests too)."""
    p = pd.read_csv(folder / "dose_participants.csv", parse_dates=["start_date"])
    s = pd.read_csv(folder / "dose_sessions.csv", parse_dates=["session_date"])
    outcome = pd.read_csv(folder / "dose_outcome.csv")
    return Study.from_frames(participants=p, sessions=s), outcome


def main() -> None:
    p, s, outcome = inputs()
    p.to_csv(HERE / "dose_participants.csv", index=False, date_format="%Y-%m-%d")
    s.to_csv(HERE / "dose_sessions.csv", index=False, date_format="%Y-%m-%d")
    outcome.to_csv(HERE / "dose_outcome.csv", index=False)
    study, stored = read_inputs()
    lm = landmark_data(study, outcome=stored)
    lm[["participant_id", "time", "event", "sessions", "fraction", "completer", "age",
        "smi"]].to_csv(HERE / "dose_landmark.csv", index=False)
    cp = dose_counting_process(study, outcome=stored)
    cp[["participant_id", "start", "stop", "event", "sessions", "fraction", "completer", "age",
        "smi"]].to_csv(HERE / "dose_cp.csv", index=False)


if __name__ == "__main__":
    main()
