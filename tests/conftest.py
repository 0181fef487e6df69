"""Shared fixtures. Every test is deterministic: fixed seeds, no random seed per run."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "kow", derandomize=True, deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("ci", parent=settings.get_profile("kow"), max_examples=40)
settings.load_profile("ci" if os.environ.get("CI") else "kow")


@pytest.fixture(autouse=True)
def _working_directory_is_left_alone():
    """No test (and no code under test) may depend on, or change, the working directory:
    notebook execution once moved the whole process into the notebook folder."""
    before = Path.cwd()
    yield
    after = Path.cwd()
    if after != before:
        os.chdir(before)
        pytest.fail(f"the working directory changed from {before} to {after}")
