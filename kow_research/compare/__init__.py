"""Stage 5: comparisons of cohorts — propensity weighting and matching with balance
diagnostics, weighted outcome analyses with bootstrap intervals, E-values, matching-adjusted
indirect comparison, reconstruction of published Kaplan-Meier curves and benchmarks against
published figures."""

from kow_research.compare.balance import BalanceResult, balance
from kow_research.compare.benchmark import BenchmarkResult, benchmark, clopper_pearson, wilson
from kow_research.compare.bootstrap import ComparisonResult, compare_outcomes
from kow_research.compare.evalue import EValueResult, evalue, hr_to_rr
from kow_research.compare.hazard_bootstrap import bootstrap_hazard_ratio
from kow_research.compare.maic import MaicResult, maic, maic_risk
from kow_research.compare.matching import MatchResult, match
from kow_research.compare.plots import love_plot, overlap_plot
from kow_research.compare.propensity import PropensityResult, balancing_weights, propensity
from kow_research.compare.reconstruct import ReconstructedIPD, reconstruct_ipd
from kow_research.compare.simulated import comparator_mix, confounded_cohorts
from kow_research.compare.weighted import (
    horizon_effects,
    weighted_curves,
    weighted_hazard_ratio,
)

__all__ = [
    "BalanceResult", "BenchmarkResult", "ComparisonResult", "EValueResult", "MaicResult",
    "MatchResult", "PropensityResult", "ReconstructedIPD", "balance", "balancing_weights",
    "benchmark", "bootstrap_hazard_ratio", "clopper_pearson", "comparator_mix",
    "compare_outcomes", "confounded_cohorts", "evalue", "horizon_effects", "hr_to_rr",
    "love_plot", "maic", "maic_risk", "match", "overlap_plot", "propensity", "reconstruct_ipd",
    "weighted_curves", "weighted_hazard_ratio", "wilson",
]
