"""The wheel and the sdist: they build, pass ``twine check``, and hold what users need.

``python -m build --no-isolation`` (the build tools are pinned in the development lock, so
nothing is downloaded) runs on a copy of the tree in a temporary folder, so the egg-info and
build folders setuptools writes never land in the source tree.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

import kow_research

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", "__pycache__", "*.egg-info", "build", "dist", "reports", "_build",
    "generated", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", "_work",
    ".ipynb_checkpoints")
#: package data the code reads with importlib.resources
REQUIRED_DATA = [
    "kow_research/data/dictionary/participants.schema.yaml",
    "kow_research/data/dictionary/ladder.schema.yaml",
    "kow_research/data/dictionary/spells.schema.yaml",
    "kow_research/data/dictionary/sessions.schema.yaml",
    "kow_research/synthetic/reference_cohorts.yaml",
]
#: suffixes that [tool.setuptools.package-data] ships
DATA_SUFFIXES = (".yaml", ".yml", ".cfg", ".txt")


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    log: str


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    out = tmp / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                           str(out), str(src)], capture_output=True, text=True, cwd=tmp,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return Dist(wheel=wheels[0], sdist=sdists[0], log=proc.stdout + proc.stderr)


def test_twine_check_passes(dist: Dist) -> None:
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           str(dist.wheel), str(dist.sdist)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_wheel_metadata(dist: Dist) -> None:
    version = kow_research.__version__
    assert dist.wheel.name == f"kow_research-{version}-py3-none-any.whl"
    assert dist.sdist.name == f"kow_research-{version}.tar.gz"
    with zipfile.ZipFile(dist.wheel) as whl:
        info = f"kow_research-{version}.dist-info"
        meta = email.message_from_bytes(whl.read(f"{info}/METADATA"))
        entry_points = whl.read(f"{info}/entry_points.txt").decode()
        names = whl.namelist()
    assert meta["Name"] == "kow_research" and meta["Version"] == version
    assert meta["License-Expression"] == "BSD-3-Clause"
    assert meta["Requires-Python"] == ">=3.11"
    assert f"{info}/licenses/LICENSE" in names
    assert "kow-research = kow_research.cli:main" in entry_points


def test_wheel_holds_the_package_data_and_no_tests(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as whl:
        names = set(whl.namelist())
    for name in REQUIRED_DATA:
        assert name in names, f"{name} is missing from the wheel"
    # every data file of the package (a sanitize config, a YAML) ships, not only those above
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kow_research").rglob("*")
               if p.suffix in DATA_SUFFIXES and "__pycache__" not in p.parts}
    assert shipped <= names, shipped - names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kow_research").rglob("*.py")}
    assert modules <= names, modules - names
    top = {PurePosixPath(n).parts[0] for n in names}
    assert top == {"kow_research", f"kow_research-{kow_research.__version__}.dist-info"}, top
    assert not [n for n in names if PurePosixPath(n).name.startswith(("test_", "conftest"))]


def test_sdist_builds_the_same_package(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as sdist:
        names = {PurePosixPath(n).relative_to(PurePosixPath(n).parts[0]).as_posix()
                 for n in sdist.getnames() if len(PurePosixPath(n).parts) > 1}
    for name in ("pyproject.toml", "README.md", "LICENSE", *REQUIRED_DATA):
        assert name in names, f"{name} is missing from the sdist"
    assert not [n for n in names if n.startswith((".venv", "reports/", "docs/_build"))]
