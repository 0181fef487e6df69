"""Stage 3: the survival and competing-risk engine — Kaplan–Meier, Aalen–Johansen, Gray's test,
log-rank, cause-specific Cox (also with time-varying covariates), Fine–Gray, restricted mean
times and parametric (Weibull, log-logistic, log-normal AFT) models for extrapolation. Works on any DataFrame with a
duration column and an integer event column (0 = censored, 1, 2, ... = causes).

Its numerical layer is shared with the later stages: :mod:`~kow_research.survival.kernels`
(risk sets, product-limit and Aalen–Johansen curves with their variances, step functions and
their integrals), :mod:`~kow_research.survival.partial_likelihood` (risk-set sums, partial
likelihood, score residuals) and :mod:`~kow_research.survival.design` (design matrices,
separation checks, Newton–Raphson with a scale-free convergence criterion, the coefficient
table).
"""

from kow_research.survival import design, kernels, partial_likelihood
from kow_research.survival.aalen_johansen import cumulative_incidence
from kow_research.survival.cox import cox
from kow_research.survival.design import ConvergenceError, SeparationError
from kow_research.survival.fine_gray import fine_gray
from kow_research.survival.gray_test import gray_test
from kow_research.survival.kaplan_meier import kaplan_meier
from kow_research.survival.logrank import logrank
from kow_research.survival.parametric import ParametricSurvivalResult, parametric_survival
from kow_research.survival.results import CurveResult, RegressionResult, RmstResult, TestResult
from kow_research.survival.rmst import rmst
from kow_research.survival.time_varying import (
    TimeVaryingCoxResult,
    cox_time_varying,
    expand_time_varying,
)

__all__ = [
    "ConvergenceError", "CurveResult", "ParametricSurvivalResult", "RegressionResult",
    "RmstResult", "SeparationError", "TestResult", "TimeVaryingCoxResult", "cox",
    "cox_time_varying", "cumulative_incidence", "design", "expand_time_varying", "fine_gray",
    "gray_test", "kaplan_meier", "kernels", "logrank", "parametric_survival",
    "partial_likelihood", "rmst",
]
