"""Running the R reference scripts from the tests.

R is the oracle for the fixtures in ``tests/**/reference/``, but the suite must pass on a machine
without R, or with R but without one of the packages a script loads (``MASS`` is a separate
Debian package, ``r-cran-mass``). :func:`require_r` skips with the reason (naming what is
missing); :func:`run_r_script` runs a script with an output folder, so that no test ever writes
into the source tree, and never depends on the working directory.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest


@functools.cache
def _missing_packages(packages: tuple[str, ...]) -> tuple[str, ...]:
    code = ("for (p in commandArgs(trailingOnly = TRUE)) "
            "if (!requireNamespace(p, quietly = TRUE)) cat(p, '\\n')")
    proc = subprocess.run(["Rscript", "-e", code, *packages], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        return packages
    return tuple(proc.stdout.split())


def r_unavailable(packages: Sequence[str]) -> str | None:
    """Why the R reference cannot run (``None`` when ``Rscript`` and every package exist)."""
    if shutil.which("Rscript") is None:
        return "Rscript is not installed (apt-get install r-base-core)"
    missing = _missing_packages(tuple(packages))
    if missing:
        debs = " ".join(f"r-cran-{p.lower()}" for p in missing)
        return f"R package(s) {', '.join(missing)} not installed (apt-get install {debs})"
    return None


def require_r(*packages: str) -> None:
    """Skip the calling test, naming the reason, unless R and ``packages`` are installed."""
    reason = r_unavailable(packages)
    if reason is not None:
        pytest.skip(reason)


def run_r_script(script: Path, outdir: Path, packages: Sequence[str],
                 timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run ``Rscript script outdir`` (skipping when R or a package is missing); fail with R's
    stderr when the script fails."""
    require_r(*packages)
    outdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["Rscript", str(script), str(outdir)], capture_output=True, text=True,
                          timeout=timeout, cwd=outdir)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stderr}"
    return proc
