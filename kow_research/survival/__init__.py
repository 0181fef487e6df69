"""Survival and competing-risk engine: Kaplan-Meier, Aalen-Johansen, Gray's test, log-rank,
cause-specific Cox, Fine-Gray and restricted mean times. Works on any DataFrame with a
duration column and an integer event column (0 = censored, 1, 2, ... = causes)."""

from kow_research.survival.aalen_johansen import cumulative_incidence
from kow_research.survival.cox import cox
from kow_research.survival.fine_gray import fine_gray
from kow_research.survival.gray_test import gray_test
from kow_research.survival.kaplan_meier import kaplan_meier
from kow_research.survival.logrank import logrank
from kow_research.survival.results import CurveResult, RegressionResult, RmstResult, TestResult
from kow_research.survival.rmst import rmst

__all__ = [
    "CurveResult", "RegressionResult", "RmstResult", "TestResult", "cox", "cumulative_incidence",
    "fine_gray", "gray_test", "kaplan_meier", "logrank", "rmst",
]
