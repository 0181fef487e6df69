"""Stage 2: seeded simulators of KOW-, IPS-, TAU- and GOW-like cohorts, and the catalogue of
published reference cohorts."""

from kow_research.synthetic.combine import combine_studies, simulate_studies
from kow_research.synthetic.designs import simulation_design
from kow_research.synthetic.params import DEFAULTS, CohortParams, get_params
from kow_research.synthetic.reference import (
    OUTCOME_DEFINITIONS,
    ReferenceCohort,
    reference_cohorts,
    reference_figures,
)
from kow_research.synthetic.simulate import simulate_study
from kow_research.synthetic.truth import TrueEffect, true_effect

__all__ = [
    "DEFAULTS", "OUTCOME_DEFINITIONS", "CohortParams", "ReferenceCohort", "TrueEffect",
    "combine_studies", "get_params", "reference_cohorts", "reference_figures", "simulate_studies",
    "simulate_study", "simulation_design", "true_effect",
]
