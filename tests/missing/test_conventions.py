"""The project-wide checks (calling convention, numpydoc, result protocol, layering) applied
to :mod:`kow_research.missing`, which the project tests do not list yet: ``missing`` is the
stage between ``outcomes`` and ``compare``. Once ``tests/project`` lists it (SUBPACKAGES of
test_api, STAGES of test_layers, builders of test_results_protocol) this file can go."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import kow_research.missing as missing
from kow_research.core.results import Result
from kow_research.missing import (
    impute,
    ipcw_curves,
    ipcw_weights,
    ordinal_model,
    pool,
    tipping_point,
)
from tests.project import test_api, test_layers, test_results_protocol

FUNCTIONS = sorted((f"kow_research.missing.{name}", getattr(missing, name))
                   for name in missing.__all__ if inspect.isfunction(getattr(missing, name)))
CHECKS = [test_api.test_data_first_then_keyword_only, test_api.test_one_name_for_one_idea,
          test_api.test_concrete_return_type, test_api.test_numpydoc_sections]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("qualname,func", FUNCTIONS, ids=[q for q, _ in FUNCTIONS])
def test_api_conventions(check: Any, qualname: str, func: Any) -> None:
    check(qualname, func)


ALLOWED = {"core", "data", "synthetic", "survival", "outcomes", "missing"}


@pytest.mark.parametrize("path", sorted((test_layers.PACKAGE / "missing").glob("*.py")),
                         ids=lambda p: p.name)
def test_missing_imports_only_earlier_stages(path: Path) -> None:
    for target, at_top, line in test_layers._imports(path):
        stage = target.split(".")[1] if target.count(".") else ""
        assert stage in ALLOWED, f"{path.name}:{line} imports {target} (a later stage)"
        assert at_top or stage == "missing", f"{path.name}:{line}: import {target} at the top"


def _data() -> dict[str, Any]:
    rng = np.random.default_rng(1)
    n = 120
    d = pd.DataFrame({"arm": np.repeat([0, 1], n // 2), "base": rng.integers(1, 4, n),
                      "z": rng.standard_normal(n)})
    d["rung"] = np.clip(d["base"] + rng.integers(0, 3, n) + d["arm"], 1, 6).astype(float)
    d["time"] = rng.exponential(10, n).round(1) + 0.1
    d["event"] = rng.choice([0, 1, 2], n, p=[0.4, 0.4, 0.2])
    d.loc[rng.random(n) < 0.25, "rung"] = np.nan
    imp = impute(d, columns=["arm", "base", "z", "rung"], m=3, iterations=2, seed=1,
                 methods={"rung": "polr"})
    return {"df": d, "imp": imp}


def _analysis(f: pd.DataFrame) -> Any:
    return ordinal_model(f, outcome="rung", covariates=["arm", "base"])


BUILDERS = {
    "ImputedData": lambda d: d["imp"],
    "PooledResult": lambda d: pool(d["imp"].analyse(_analysis)),
    "TippingPointResult": lambda d: tipping_point(d["imp"], analysis=_analysis, term="arm",
                                                  deltas=[-1, 0]),
    "IPCWResult": lambda d: ipcw_weights(d["df"], covariates=["z"]),
    "IPCWCurves": lambda d: ipcw_curves(d["df"], covariates=["z"], times=[5], n_boot=5,
                                        seed=1),
}


def test_every_result_class_is_built_here() -> None:
    classes = {name for name in missing.__all__
               if inspect.isclass(getattr(missing, name))
               and issubclass(getattr(missing, name), Result)}
    assert classes == set(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_result_protocol(name: str) -> None:
    data = _data()
    test_results_protocol.BUILDERS[name] = BUILDERS[name]
    try:
        test_results_protocol.test_result_protocol(name, data)
    finally:
        del test_results_protocol.BUILDERS[name]
