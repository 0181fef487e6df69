"""Benchmark uncertainty from the published arm n (issue #13, item 5): a published proportion
with its arm n is a binomial estimate with its own interval, and the difference and ratio
intervals combine both; without n it is a fixed number. Checked against Newcombe's (1998)
worked example and by simulation."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from kow_research import compare
from kow_research.synthetic import reference_figures

OURS = {"horizon_months": 30, "outcome_definition": "competitive_employment"}


@functools.cache
def _michon_ips() -> pd.Series:
    f = reference_figures()
    return f[(f["study"] == "michon2014") & (f["arm"] == "IPS")
             & (f["measure"] == "proportion")].iloc[0]


def _published(value: float, n: float | None) -> pd.Series:
    """The catalogue's Michon et al. (2014) IPS row with another value and arm n."""
    row = _michon_ips().copy()
    row["value"], row["n"] = value, np.nan if n is None else n
    return row


def test_newcombe_worked_example() -> None:
    """Newcombe (1998), Stat Med 17:873-890, Table II example (a): 56/70 against 48/80,
    difference 0.2000, method 10 (hybrid score) interval 0.0524 to 0.3339. The published arm
    gets its own Wilson interval (48/80: 0.4905 to 0.7004 by the Wilson formula) and the ratio
    Katz's log interval: exp(+-1.96 sqrt(1/56 - 1/70 + 1/48 - 1/80)) * 4/3."""
    tab = compare.benchmark({**OURS, "events": 56, "n": 70}, reference=_published(0.6, 80),
                            ci="wilson").table
    z = 1.959963984540054
    centre, half = (48 + z * z / 2) / (80 + z * z), z * np.sqrt(48 * 32 / 80 + z * z / 4) / (
        80 + z * z)
    np.testing.assert_allclose(tab.loc["reference", ["lower", "upper"]].astype(float),
                               [centre - half, centre + half], rtol=1e-12)
    assert tab.loc["difference", "estimate"] == pytest.approx(0.2)
    np.testing.assert_allclose(tab.loc["difference", ["lower", "upper"]].astype(float),
                               [0.0524, 0.3339], atol=5e-5)   # the paper's 4 decimals
    se = np.sqrt(1 / 56 - 1 / 70 + 1 / 48 - 1 / 80)
    np.testing.assert_allclose(tab.loc["ratio", ["lower", "upper"]].astype(float),
                               4 / 3 * np.exp([-z * se, z * se]), rtol=1e-10)
    assert tab.loc["difference", "method"] == "Newcombe hybrid score"


def test_without_the_arm_n_the_published_figure_is_fixed() -> None:
    ours = {**OURS, "events": 56, "n": 70}
    fixed = compare.benchmark(ours, reference=_published(0.6, None), ci="wilson").table
    lo, hi = compare.wilson(56, 70)
    np.testing.assert_allclose(fixed.loc["difference", ["lower", "upper"]].astype(float),
                               [lo - 0.6, hi - 0.6], rtol=1e-12)
    with_n = compare.benchmark(ours, reference=_published(0.6, 80), ci="wilson").table
    width = (with_n.loc["difference", "upper"] - with_n.loc["difference", "lower"])
    assert width > 1.3 * (hi - lo)        # the published arm's own uncertainty is added


def test_difference_interval_covers_when_both_arms_are_samples() -> None:
    """Both figures binomial with the same p = 0.4 (ours n = 100, published n = 80), 600
    replicates (Monte Carlo SE about 0.009): the interval that uses the published n covers the
    true difference 0 about 95 % of the time (measured 0.947 at 1000 replicates); treating
    the published figure as fixed covers about 81 %."""
    rng = np.random.default_rng(1)
    hits = {"n": 0, "fixed": 0}
    reps = 600
    for _ in range(reps):
        x1, x0 = int(rng.binomial(100, 0.4)), int(rng.binomial(80, 0.4))
        ours = {**OURS, "events": x1, "n": 100}
        for key, n0 in (("n", 80), ("fixed", None)):
            tab = compare.benchmark(ours, reference=_published(x0 / 80, n0), ci="wilson").table
            hits[key] += tab.loc["difference", "lower"] <= 0 <= tab.loc["difference", "upper"]
    assert 0.93 <= hits["n"] / reps <= 0.97
    assert hits["fixed"] / reps < 0.88
