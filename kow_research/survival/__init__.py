"""Stage 3: the survival and competing-risk engine — Kaplan–Meier, Aalen–Johansen, Gray's test,
log-rank, cause-specific Cox, Fine–Gray and restricted mean times. Works on any DataFrame with a
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
from kow_research.survival.results import CurveResult, RegressionResult, RmstResult, TestResult
from kow_research.survival.rmst import rmst

__all__ = [
    "ConvergenceError", "CurveResult", "RegressionResult", "RmstResult", "SeparationError",
    "TestResult", "cox", "cumulative_incidence", "design", "fine_gray", "gray_test",
    "kaplan_meier", "kernels", "logrank", "partial_likelihood", "rmst",
]
