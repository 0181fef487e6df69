"""The layout tells the data's journey: a stage imports only from earlier stages, at module level.

Stages, in order: ``core`` (foundations, no domain) → ``data`` → ``synthetic`` → ``survival``
(the generic engine and its numerical kernel layer) → ``outcomes`` → ``compare`` → ``report``
→ ``design`` → the command line. Imports of other kow_research modules happen at module level
(a function-level import from another stage usually hides an arrow backwards), and the
numerical algorithms live
once, in the kernel layer of ``survival``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kow_research"
STAGES = ["core", "data", "synthetic", "survival", "outcomes", "missing", "compare", "report", "design",
          "commands"]
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "kow_research" or len(parts) == 1:
        return None
    if parts[1] in ("cli", "_version"):
        return len(STAGES) if parts[1] == "cli" else -1
    return STAGES.index(parts[1]) if parts[1] in STAGES else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


def _imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, at module level, line) of every kow_research import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("kow_research"):
            names = [node.module] if node.module != "kow_research" else [
                f"kow_research.{a.name}" for a in node.names]
            out += [(n, id(node) in top, node.lineno) for n in names]
        elif isinstance(node, ast.Import):
            out += [(a.name, id(node) in top, node.lineno) for a in node.names
                    if a.name.startswith("kow_research")]
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_imports_only_earlier_stages_at_module_level(path: Path) -> None:
    me = _module_name(path)
    mine = _stage(me)
    if mine is None:  # the top-level package re-exports everything
        return
    for target, at_top, line in _imports(path):
        theirs = _stage(target)
        assert theirs is None or theirs <= mine, (
            f"{me} (stage {STAGES[mine] if mine < len(STAGES) else 'cli'}) imports {target} "
            f"at line {line}: an arrow backwards")
        same_stage = theirs == mine
        assert at_top or same_stage or me.startswith("kow_research.commands") \
            or me == "kow_research.cli", (
                f"{me} imports {target} (another stage) inside a function (line {line}); "
                "import it at module level")


def test_compare_report_and_outcomes_use_the_kernel_layer() -> None:
    """The stages after the engine import its numerical layer at module level."""
    for stage, wanted in (("compare", "kow_research.survival"),
                          ("outcomes", "kow_research.survival"),
                          ("report", "kow_research.survival")):
        found = [p for p in (PACKAGE / stage).rglob("*.py")
                 if any(t.startswith(wanted) and top for t, top, _ in _imports(p))]
        assert found, f"no module of {stage} imports {wanted} at module level"


ALGORITHMS = {
    "product-limit": re.compile(r"cumprod\("),
    "reverse cumulative sum (risk sets)": re.compile(r"\[::-1\]\.cumsum\("),
}
#: the modules allowed to spell these algorithms out: the kernel layer itself
KERNEL = {"survival/kernels.py"}


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_no_second_implementation_of_the_survival_algorithms(name: str) -> None:
    rx = ALGORITHMS[name]
    outside = [str(p.relative_to(PACKAGE)) for p in MODULES
               if str(p.relative_to(PACKAGE)) not in KERNEL
               and rx.search(p.read_text(encoding="utf-8"))
               and "synthetic" not in p.parts and "design" not in p.parts]
    assert not outside, f"{name} written outside the kernel layer in {outside}"
