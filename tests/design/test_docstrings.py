"""Every public function and class of kow_research.design has a numpydoc docstring with an
Examples section (run here, as pytest's doctest would), and functions a References section."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

import kow_research.design as design

MODULES = ["analytic", "cluster", "competing", "ordinal", "proportion", "recruitment"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module(f"kow_research.design.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


#: classes: documented by their Attributes / Parameters, no Returns section
CLASSES = {"SampleSizeResult", "RecruitmentForecast", "SimulationPowerResult", "PowerCurveResult",
           "TrialDesign"}


@pytest.mark.parametrize("name", sorted(set(design.__all__) - CLASSES))
def test_public_functions_are_documented(name):
    fn = getattr(design, name)
    doc = inspect.getdoc(fn) or ""
    for section in ("Returns", "Examples", "References"):
        if section == "References" and name in ("sample_size", "power",
                                                "inflate_for_clustering"):
            continue            # dispatchers: the references are in the functions they call
        assert f"{section}\n---" in doc, f"{name} lacks a {section} section"
    sig = inspect.signature(fn)
    assert sig.return_annotation is not inspect.Signature.empty
    params = list(sig.parameters.values())
    # the calling convention: at most one leading positional argument, the rest keyword-only
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 1, f"{name}: {positional} should be keyword-only"
