"""kow_research: evaluation research on return-to-work programmes (KOW, IPS, Grip Op Werk)."""

from kow_research import compare, core, design, missing, outcomes, report, survival, synthetic
from kow_research._version import __version__
from kow_research.data import (
    Study,
    StudyDesign,
    ValidationError,
    ValidationReport,
    draft_mapping,
    get_schema,
    import_study,
    load_design,
    load_study,
    read_tables,
    schemas,
    validate,
    write_study,
)
from kow_research.synthetic import reference_cohorts as cohorts
from kow_research.synthetic import simulate_studies, simulate_study

__all__ = [
    "Study", "StudyDesign", "ValidationError", "draft_mapping", "import_study", "load_design", "ValidationReport", "cohorts", "compare", "core", "design",
    "get_schema", "load_study", "missing",
    "outcomes", "read_tables", "report",
    "schemas", "simulate_studies", "simulate_study", "survival", "synthetic", "validate", "write_study",
    "__version__",
]
