"""A replicate whose weights are not all finite counts as failed, not as a partial replicate."""
import importlib
import warnings

import numpy as np
import pandas as pd
import pytest

from kow_research.compare import compare_outcomes

# the module (``kow_research.compare.propensity`` the attribute is the function)
propensity = importlib.import_module("kow_research.compare.propensity")


def _two_arms():
    rng = np.random.default_rng(4)
    n = 120
    arm = np.repeat(["A", "B"], n // 2)
    age = rng.normal(40, 10, n)
    time = rng.exponential(300, n).round() + 1
    return pd.DataFrame({"arm": arm, "age": age, "time": time,
                         "event": rng.integers(0, 2, n)})


def test_infinite_weights_fail_the_whole_replicate(monkeypatch):
    real = propensity.balancing_weights
    calls = {"n": 0}

    def every_fourth_infinite(*args, **kwargs):
        w = real(*args, **kwargs)
        calls["n"] += 1   # call 1 is the full data's, calls 2-41 the replicates'
        if calls["n"] % 4 == 0:
            w = w.copy()
            w[0] = np.inf          # as 1/(1 - p) with p == 1
        return w

    monkeypatch.setattr(propensity, "balancing_weights", every_fourth_infinite)
    res = compare_outcomes(_two_arms(), treatment="arm", treated="A", covariates=["age"],
                           horizons_months=(6,), tau_months=6, n_boot=40, seed=1,
                           max_failed=0.5)
    # replicates 4, 8, ..., 40: every measure left out together, and counted
    assert res.n_failed == 10
    assert np.isnan(res.replicates.to_numpy()).all(axis=1).sum() == 10
    assert np.isnan(res.replicates.to_numpy()).any(axis=1).sum() == 10  # none partial


def test_measure_undefined_in_every_replicate_gives_no_warning():
    df = _two_arms()
    df.loc[df["arm"] == "B", "event"] = 0      # no paid work in B: the risk ratio is 1/0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = compare_outcomes(df, treatment="arm", treated="A", covariates=["age"],
                               horizons_months=(6,), tau_months=6, n_boot=30, seed=2)
    table = res.table.set_index("measure")
    assert np.isnan(table.loc["risk_ratio", ["lower", "upper"]].astype(float)).all()
    assert res.n_failed == 0


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
