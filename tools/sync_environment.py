"""Write ``environment.yml`` (conda) with the versions that ``requirements-dev.lock`` pins.

The lock is universal (one file for every supported Python); conda users get the Python 3.11
branch of it, so ``conda env create -f environment.yml`` resolves the same versions that
``make test`` installs. Run by ``make lock``; ``tests/project/test_environment.py`` checks that
the committed file is what this script writes.

Usage: ``python tools/sync_environment.py [--check]`` (``--check``: exit 1 when out of date).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements-dev.lock"
ENVIRONMENT = ROOT / "environment.yml"
CONDA_PYTHON = "3.11"
#: PyPI name -> conda-forge name, where they differ
CONDA_NAMES: dict[str, str] = {"build": "python-build"}
#: packages that conda-forge does not carry: installed by pip inside the conda environment
#: (typst: conda-forge's "typst" is the Typst command-line program, not this Python binding)
PIP_ONLY: set[str] = {"sphinx-mathjax-offline", "typst"}

HEADER = """\
# Conda environment for kow_research, generated from requirements-dev.lock by
# `make lock` (tools/sync_environment.py): the same packages as pyproject.toml (runtime and
# `dev` extras) at the versions the lock pins for Python {python}. Do not edit by hand.
#   conda env create -f environment.yml && conda activate kow_research
"""


def canonical(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(root: Path = ROOT) -> list[str]:
    """Canonical names of the runtime and ``dev`` requirements in ``pyproject.toml``."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [canonical(Requirement(r).name) for r in reqs]


def locked_versions(lock: Path = LOCK, python: str = CONDA_PYTHON) -> dict[str, str]:
    """``{name: version}`` that the lock installs on Linux for ``python`` (markers evaluated)."""
    env = {"python_version": python, "python_full_version": f"{python}.0",
           "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "platform_machine": "x86_64"}
    out: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+))?", line)
        if not m:
            continue
        name, version, marker = m.group(1), m.group(2), m.group(3)
        if marker and not Marker(marker.strip()).evaluate(env):
            continue
        out[canonical(name)] = version
    return out


def render(root: Path = ROOT) -> str:
    """The text of ``environment.yml``."""
    versions = locked_versions(root / "requirements-dev.lock")
    conda, pip = [], []
    for name in direct_requirements(root):
        if name not in versions:
            raise SystemExit(f"{name} is in pyproject.toml but not in the lock: run make lock")
        line = f"{CONDA_NAMES.get(name, name)}=={versions[name]}"
        (pip if name in PIP_ONLY else conda).append(line)
    lines = [HEADER.format(python=CONDA_PYTHON), "name: kow_research", "channels:",
             "  - conda-forge", "dependencies:", f"  - python={CONDA_PYTHON}"]
    lines += [f"  - {c}" for c in conda]
    lines += ["  - pip", "  - pip:"]
    lines += [f"      - {p}" for p in pip]
    lines += ["      - -e ."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if ENVIRONMENT.read_text(encoding="utf-8") != text:
            print("environment.yml is out of date with requirements-dev.lock: run make lock",
                  file=sys.stderr)
            return 1
        return 0
    ENVIRONMENT.write_text(text, encoding="utf-8")
    print(f"wrote {ENVIRONMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
