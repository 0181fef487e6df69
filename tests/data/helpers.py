"""A small valid study as text tables (as read from CSV), written by hand."""

from __future__ import annotations

import pandas as pd


def text_tables() -> dict[str, pd.DataFrame]:
    """Three participants, every table filled, every rule satisfied."""
    participants = pd.DataFrame({
        "participant_id": ["P1", "P2", "P3"],
        "cohort": ["KOW", "KOW", "IPS"],
        "region": ["Utrecht", "", "Zwolle"],
        "intake_date": ["2020-01-06", "2020-01-13", ""],
        "start_date": ["2020-02-03", "2020-02-03", "2020-03-02"],
        "end_of_followup": ["2021-08-02", "2021-08-02", "2022-09-01"],
        "age": ["34", "16", "67"],
        "sex": ["female", "male", "other"],
        "diagnosis_group": ["anxiety", "psychosis", "depression"],
        "smi": ["false", "true", "0"],
        "benefit": ["bijstand", "wajong", "ww"],
        "education": ["middle", "", "high"],
        "months_out_of_work": ["14", "0", ""],
        "dropout_date": ["", "2020-09-01", ""],
        "dropout_reason": ["", "health", ""],
    })
    ladder = pd.DataFrame({
        "participant_id": ["P1", "P1", "P2", "P3"],
        "assessment_date": ["2020-02-03", "2020-08-03", "2020-02-03", "2020-03-02"],
        "rung": ["3", "6", "1", "2"],
        "wave": ["T0", "T6", "T0", ""],
    })
    spells = pd.DataFrame({
        "participant_id": ["P1", "P1", "P1", "P3"],
        "start_date": ["2020-02-03", "2020-06-01", "2021-01-04", "2020-05-01"],
        "end_date": ["2021-01-31", "2020-12-31", "", "2020-05-01"],
        "kind": ["work_experience", "regular_paid", "regular_paid", "volunteer"],
        "hours_per_week": ["16", "24.5", "32", ""],
    })
    sessions = pd.DataFrame({
        "participant_id": ["P1", "P1", "P2"],
        "session_number": ["1", "2", "1"],
        "session_type": ["information", "training", "information"],
        "session_date": ["2020-01-20", "2020-02-17", "2020-01-20"],
        "attended": ["true", "false", "1"],
    })
    return {"participants": participants, "ladder": ladder, "spells": spells,
            "sessions": sessions}
