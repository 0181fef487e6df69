"""One calling convention and one documentation standard for every public function.

Like scikit-learn's ``check_estimator``, this inspects the public API (the ``__all__`` of every
sub-package) instead of trusting reviews:

* the data (frame, study, result) comes first; every other argument is keyword-only;
* stratifying is ``by=``, a two-arm contrast is ``treatment=`` + ``treated=``, ``weights=``
  takes a column name or an array, ``alpha=`` is validated with ``check_alpha``;
* return types are concrete (never ``Any``);
* numpydoc: a summary line and ``Parameters``, ``Returns`` and ``Examples`` sections (the
  examples run as doctests in ``make test``).
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

SUBPACKAGES = ["kow_research", "kow_research.core", "kow_research.data",
               "kow_research.synthetic", "kow_research.survival", "kow_research.outcomes",
               "kow_research.missing", "kow_research.compare", "kow_research.report", "kow_research.design"]

#: functions whose first *two* arguments are positional, with the reason
TWO_POSITIONAL = {
    "clopper_pearson": "an interval of x events in n trials",
    "wilson": "an interval of x events in n trials",
    "balancing_weights": "weights from propensity scores and the treatment indicator",
    "write_study": "the API contract kr.write_study(study, path, format=...)",
    "write_study_folder": "a study and the folder it is written to",
    "write_design": "a design and the folder it is written to",
    "import_study": "the API contract kr.import_study(sources, mapping)",
}
#: label lookups that read naturally with a positional language (text(key, "nl"))
LOOKUPS = {"text", "variable_title", "value_labels", "check_language", "rung_labels",
           "check_choice", "check_columns", "row_labels", "get_schema", "get_params"}


def public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    seen: set[int] = set()
    for name in SUBPACKAGES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.isfunction(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{name}.{attr}", obj


FUNCTIONS = sorted(public_functions())


@pytest.mark.parametrize("qualname,func", FUNCTIONS, ids=[q for q, _ in FUNCTIONS])
def test_data_first_then_keyword_only(qualname: str, func: Callable[..., Any]) -> None:
    short = qualname.rsplit(".", 1)[1]
    if short in LOOKUPS:
        return
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    allowed = 2 if short in TWO_POSITIONAL else 1
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= allowed, (
        f"{qualname}{inspect.signature(func)}: only the data may be positional; make "
        f"{positional[allowed:]} keyword-only")


@pytest.mark.parametrize("qualname,func", FUNCTIONS, ids=[q for q, _ in FUNCTIONS])
def test_one_name_for_one_idea(qualname: str, func: Callable[..., Any]) -> None:
    sig = inspect.signature(func)
    names = set(sig.parameters)
    if "group" in names:  # kept one release as a deprecated alias of by=
        assert "by" in names and sig.parameters["group"].default is None, qualname
    for bad, good in (("strata_by", "by"), ("groups", "by"), ("treat", "treatment"),
                      ("weight", "weights"), ("conf_level", "alpha"), ("level", "alpha")):
        assert bad not in names, f"{qualname}: use {good}= instead of {bad}="
    if qualname.startswith("kow_research.compare") and "treatment" in names:
        assert "treated" in names, f"{qualname}: a contrast takes treatment= and treated="
    if "weights" in names:
        ann = str(sig.parameters["weights"].annotation)
        assert ann in ("Any",) or ("str" in ann and ("ndarray" in ann or "Sequence" in ann)), (
            f"{qualname}: weights= takes a column name or an array (annotation {ann})")
    if "alpha" in names:
        assert "check_alpha(" in inspect.getsource(func) or any(
            "check_alpha(" in inspect.getsource(f) for f in _called_helpers(func)), (
            f"{qualname}: validate alpha with kow_research.core.check_alpha")


def _called_helpers(func: Callable[..., Any]) -> list[Callable[..., Any]]:
    """Functions of the same module that ``func`` calls (alpha may be checked there)."""
    module = inspect.getmodule(func)
    src = inspect.getsource(func)
    return [obj for name, obj in vars(module).items()
            if inspect.isfunction(obj) and obj is not func and re.search(rf"\b{name}\(", src)]


@pytest.mark.parametrize("qualname,func", FUNCTIONS, ids=[q for q, _ in FUNCTIONS])
def test_concrete_return_type(qualname: str, func: Callable[..., Any]) -> None:
    ret = inspect.signature(func).return_annotation
    assert ret is not inspect.Signature.empty, f"{qualname} has no return annotation"
    assert str(ret) not in ("Any", "typing.Any"), f"{qualname} returns Any: say what it returns"


def _sections(doc: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^\s*([A-Z][A-Za-z ]+)\n\s*-{3,}\s*$", doc,
                                            flags=re.M)}


@pytest.mark.parametrize("qualname,func", FUNCTIONS, ids=[q for q, _ in FUNCTIONS])
def test_numpydoc_sections(qualname: str, func: Callable[..., Any]) -> None:
    doc = inspect.getdoc(func) or ""
    assert doc.strip(), f"{qualname} has no docstring"
    sections = _sections(doc)
    params = [p for p in inspect.signature(func).parameters.values()
              if p.name not in ("self", "cls")]
    if params:
        assert "Parameters" in sections, f"{qualname}: no Parameters section"
        documented = set(re.findall(r"^(\*{0,2}\w+)(?:\s*,\s*(\*{0,2}\w+))*\s*:", doc, flags=re.M))
        listed = {n.lstrip("*") for pair in documented for n in pair if n}
        listed |= {n.strip().lstrip("*") for line in re.findall(r"^([\w*, ]+) :", doc, flags=re.M)
                   for n in line.split(",")}
        missing = [p.name for p in params if p.name not in listed
                   and p.kind is not p.VAR_POSITIONAL]
        assert not missing, f"{qualname}: parameters {missing} are not documented"
    assert "Returns" in sections or "Yields" in sections or str(
        inspect.signature(func).return_annotation) == "None", f"{qualname}: no Returns section"
    assert "Examples" in sections, f"{qualname}: no Examples section (it runs as a doctest)"
