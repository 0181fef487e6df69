"""Shared fixtures. Every test is deterministic: fixed seeds, no random seed per run."""

from __future__ import annotations

import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "kow", derandomize=True, deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("ci", parent=settings.get_profile("kow"), max_examples=40)
settings.load_profile("ci" if os.environ.get("CI") else "kow")
