"""Every public function of kow_research.design cites the formula it implements (a References
section), except the dispatchers, whose references are in the functions they call.

The rest of the documentation standard (summary, every parameter, Returns, Examples) and the
calling convention are checked for the whole package by ``tests/project/test_api.py``; the
examples themselves run as doctests (``pytest --doctest-modules``).
"""

from __future__ import annotations

import inspect

import pytest

import kow_research.design as design

#: dispatchers: the references are in the functions they call
DISPATCHERS = {"sample_size", "power", "inflate_for_clustering"}
FUNCTIONS = sorted(name for name in design.__all__
                   if inspect.isfunction(getattr(design, name)) and name not in DISPATCHERS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_cite_their_formula(name: str) -> None:
    doc = inspect.getdoc(getattr(design, name)) or ""
    assert "References\n---" in doc, f"{name} lacks a References section"
