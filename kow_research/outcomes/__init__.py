"""Stage 3: outcome measures — time to paid work, participation ladder, dropout, job retention
and training dose. Every definition is a parameter and travels with the result in ``.attrs``."""

from kow_research.outcomes.definitions import DROPOUT_STRATEGIES, TimeToWorkDefinition
from kow_research.outcomes.dose import PLANNED_SESSIONS, training_dose
from kow_research.outcomes.dose_analysis import (
    LandmarkDoseResult,
    TimeVaryingDoseResult,
    landmark_dose,
    time_varying_dose,
)
from kow_research.outcomes.dose_data import dose_counting_process, landmark_data
from kow_research.outcomes.dropout import dropout
from kow_research.outcomes.ladder import (
    DEFAULT_WAVES,
    LadderTransitions,
    ladder_by_wave,
    ladder_change,
    ladder_transitions,
    rung_labels,
)
from kow_research.outcomes.ladder_model import OrdinalResult, ordinal_ladder_model
from kow_research.outcomes.retention import job_retention
from kow_research.outcomes.time_to_work import (
    EXCLUSION_REASONS,
    attrition,
    attrition_table,
    excluded_table,
    time_to_paid_work,
)

__all__ = [
    "DEFAULT_WAVES", "DROPOUT_STRATEGIES", "EXCLUSION_REASONS", "LadderTransitions",
    "PLANNED_SESSIONS", "TimeToWorkDefinition", "attrition", "attrition_table", "dropout",
    "excluded_table", "job_retention", "LandmarkDoseResult", "TimeVaryingDoseResult",
    "dose_counting_process", "landmark_data", "landmark_dose", "time_varying_dose",
    "OrdinalResult", "ladder_by_wave", "ladder_change", "ladder_transitions",
    "ordinal_ladder_model", "rung_labels", "time_to_paid_work", "training_dose",
]
