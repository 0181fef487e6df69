"""The locked environment: lock files, environment.yml and the Makefile agree with pyproject.toml.

``make report`` / ``make test`` install only what ``requirements.lock`` /
``requirements-dev.lock`` pin (hash-checked); pyproject.toml keeps compatible ranges for users who
install the package into their own environment; environment.yml pins the lock's versions.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _sync():
    spec = importlib.util.spec_from_file_location("sync_environment",
                                                  ROOT / "tools" / "sync_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pins(lock: Path) -> list[tuple[str, str, str | None, int]]:
    """(name, version, marker, number of hashes) of every pin in a lock file."""
    text = lock.read_text(encoding="utf-8")
    out = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\\n]+))?", block)
        if m:
            out.append((m.group(1).lower(), m.group(2), m.group(3),
                        block.count("--hash=sha256:")))
    return out


def test_every_pin_has_hashes():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        pins = _pins(ROOT / lock)
        assert len(pins) > 50, lock
        unhashed = [name for name, _, _, hashes in pins if hashes == 0]
        assert not unhashed, f"{lock}: pins without a hash: {unhashed}"


def test_runtime_lock_agrees_with_the_development_lock():
    pins = _pins(ROOT / "requirements-dev.lock")
    dev = {(n, m): v for n, v, m, _ in pins}
    by_name: dict[str, set[str]] = {}
    for n, v, _, _ in pins:
        by_name.setdefault(n, set()).add(v)
    for name, version, marker, _ in _pins(ROOT / "requirements.lock"):
        if (name, marker) in dev:
            assert dev[(name, marker)] == version, f"{name} {version} ({marker}) differs"
        else:
            # a development tool can widen a marker (build needs colorama where os_name is
            # 'nt'); the version must still be one the development lock pins
            assert version in by_name.get(name, set()), f"{name} {version} ({marker}) differs"


def test_locked_versions_satisfy_pyproject_ranges():
    sync = _sync()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, reqs in (("requirements.lock", project["dependencies"]),
                       ("requirements-dev.lock",
                        project["dependencies"] + project["optional-dependencies"]["dev"])):
        versions = sync.locked_versions(ROOT / lock)
        for r in map(Requirement, reqs):
            name = sync.canonical(r.name)
            assert name in versions, f"{name} missing from {lock}: run make lock"
            assert Version(versions[name]) in r.specifier, f"{name} {versions[name]} vs {r}"


def test_environment_yml_is_generated_from_the_lock():
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == _sync().render(ROOT), (
        "environment.yml is out of date: run make lock (tools/sync_environment.py)")


def test_environment_yml_lists_the_pyproject_packages():
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {re.split(r"[=<>]", d)[0] for d in env["dependencies"] if isinstance(d, str)}
    names |= {re.split(r"[=<>]", d)[0] for d in next(
        d["pip"] for d in env["dependencies"] if isinstance(d, dict)) if d != "-e ."}
    sync = _sync()
    assert names - {"python", "pip"} == {sync.CONDA_NAMES.get(n, n)
                                         for n in sync.direct_requirements(ROOT)}


def test_vulnerable_releases_are_excluded():
    """Floors above releases with known vulnerabilities on paths we use (issue 15)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    spec = {Requirement(r).name.lower(): Requirement(r).specifier
            for r in project["dependencies"]}
    for name, bad in (("pyarrow", "14.0.0"), ("tqdm", "4.66.2"), ("nbconvert", "7.17.0"),
                      ("jupyterlab", "4.0.10")):
        assert Version(bad) not in spec[name], f"{name} {bad} is still allowed"


def test_make_installs_only_from_the_locks():
    make = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps" in make
    assert "-r $(LOCK)" in make and "-r $(DEV_LOCK)" in make
    assert "--no-build-isolation -e ." in make
    for target in ("lock:", "check-latest:", "audit:"):
        assert f"\n{target}" in make, target


def test_parallel_tests_keep_each_notebook_on_one_worker():
    """nbval runs a notebook's cells in order in one kernel: with pytest-xdist (`make test`)
    every file must go to one worker, or cells run out of order in other kernels."""
    make = (ROOT / "Makefile").read_text()
    args = next(line for line in make.splitlines() if line.startswith("PYTEST_ARGS"))
    assert "-n " in args and "--dist loadfile" in args, args
    assert "$(PYTEST_ARGS)" in make.split("\ntest:", 1)[1].split("\n\n", 1)[0]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
