"""Provenance of a report: what made it, so that it can be made again and checked.

Every report folder holds ``provenance.json``: the package version, the git commit and whether
the working tree had uncommitted changes (when the package runs from a git checkout), the
SHA-256 of the lock file, Python and the platform, the versions of the numerical libraries, the
SHA-256 of every input file (by name relative to the data folder — never an absolute path), the
full parameter set and seed, the start and end time, and the SHA-256 of every file the report
wrote. ``kow-research verify REPORT_DIR`` re-runs the report from it and says whether every
table and figure is byte-identical.

Times honour ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention): with it set, the
recorded times — and so every byte of the report — are the same on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from kow_research._version import __version__

FILE_NAME = "provenance.json"
#: libraries whose versions change numbers
LIBRARIES = ("numpy", "scipy", "pandas", "statsmodels", "lifelines", "matplotlib", "pyarrow",
             "openpyxl", "pyreadstat", "nbconvert", "papermill", "ipykernel")
#: the repository (when the package runs from a checkout)
REPOSITORY = Path(__file__).resolve().parents[2]


#: set by ``kow-research verify`` to the recorded start of the run it replays: the dates the
#: report prints are then the original's, while file-internal times stay as the original had
#: them (``SOURCE_DATE_EPOCH`` or the fixed default)
REPLAY_VARIABLE = "KOW_RESEARCH_REPLAY_TIME"


def now() -> datetime:
    """The current time in UTC, or ``SOURCE_DATE_EPOCH`` when that is set (or, during
    ``kow-research verify``, the start time of the run being replayed).

    Returns
    -------
    datetime.datetime

    Examples
    --------
    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"
    >>> now().isoformat()
    '1970-01-01T00:00:00+00:00'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or os.environ.get(REPLAY_VARIABLE)
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = f.write_bytes(b"abc")
    >>> sha256_file(f)[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksums(folder: str | Path, *, exclude: Iterable[str] = (FILE_NAME,)) -> dict[str, str]:
    """SHA-256 of every file below ``folder``, keyed by its path relative to ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
    exclude : iterable of str
        Relative paths to leave out (default: the provenance file itself).

    Returns
    -------
    dict
        Sorted by path.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text("n\\n1\\n")
    >>> list(checksums(d))
    ['a.csv']
    """
    root = Path(folder)
    skip = set(exclude)
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and rel not in skip:
            out[rel] = sha256_file(p)
    return out


def _git(*args: str) -> str | None:
    if not (REPOSITORY / ".git").exists():
        return None
    try:
        proc = subprocess.run(["git", *args], cwd=REPOSITORY, capture_output=True, text=True,
                              timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def software() -> dict[str, Any]:
    """What computed the report: package version, git commit and dirty flag, lock hash,
    Python, platform and library versions.

    Returns
    -------
    dict

    Examples
    --------
    >>> s = software()
    >>> s["package"], sorted(s)[:3]
    ('kow_research', ['dirty', 'git_commit', 'implementation'])
    """
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    lock = REPOSITORY / "requirements.lock"
    libraries: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            libraries[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libraries[name] = None
    return {"package": "kow_research", "version": __version__, "git_commit": commit,
            "dirty": None if status is None else bool(status),
            "lock_sha256": sha256_file(lock) if lock.exists() else None,
            "python": platform.python_version(),
            "platform": f"{platform.system()} {platform.machine()}",
            "implementation": sys.implementation.name, "libraries": libraries}


def collect(*, data: str | Path | None, parameters: Mapping[str, Any], started: datetime,
            finished: datetime, outputs: str | Path | None = None,
            simulated: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The provenance record of one report run.

    Parameters
    ----------
    data : str, pathlib.Path or None
        The study folder read (None for simulated data); only its name is recorded.
    parameters : mapping
        Every parameter of the run (the resolved study design, the overrides, the seed, the
        language, the disclosure policy, the notebooks run).
    started, finished : datetime.datetime
        Run times (see :func:`now`).
    outputs : str or pathlib.Path, optional
        The report folder whose files are checksummed.
    simulated : mapping, optional
        For simulated data: what was simulated (cohorts, sizes, seed).

    Returns
    -------
    dict
        JSON-ready.

    Examples
    --------
    >>> p = collect(data=None, parameters={"seed": 1}, started=now(), finished=now(),
    ...             simulated={"seed": 1})
    >>> p["inputs"], p["parameters"]
    ({'source': 'simulated', 'simulated': {'seed': 1}, 'files': {}}, {'seed': 1})
    """
    if data is None:
        inputs: dict[str, Any] = {"source": "simulated", "simulated": dict(simulated or {}),
                                  "files": {}}
    else:
        folder = Path(data)
        files = checksums(folder, exclude=()) if folder.is_dir() else {
            folder.name: sha256_file(folder)}
        inputs = {"source": "folder", "folder": folder.name, "files": files}
    record = {"kow_research_provenance": 1, "software": software(), "inputs": inputs,
              "parameters": json.loads(json.dumps(dict(parameters), default=str)),
              "started": started.isoformat(), "finished": finished.isoformat()}
    if outputs is not None:
        record["outputs"] = checksums(outputs)
    return record


def write(record: Mapping[str, Any], folder: str | Path) -> Path:
    """Write ``record`` as ``provenance.json`` (sorted keys, stable bytes).

    Parameters
    ----------
    record : mapping
    folder : str or pathlib.Path

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> write({"a": 1}, tempfile.mkdtemp()).name
    'provenance.json'
    """
    path = Path(folder) / FILE_NAME
    path.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def read(folder: str | Path) -> dict[str, Any]:
    """Read the ``provenance.json`` of a report folder.

    Parameters
    ----------
    folder : str or pathlib.Path

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        No (or an unreadable) provenance file: not a kow_research report folder.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = write({"kow_research_provenance": 1}, d)
    >>> read(d)["kow_research_provenance"]
    1
    """
    path = Path(folder) / FILE_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{Path(folder).name}: no readable {FILE_NAME}; is this a "
                         "kow_research report folder?") from exc
    if not isinstance(record, dict) or "kow_research_provenance" not in record:
        raise ValueError(f"{path.name} in {Path(folder).name} is not a kow_research "
                         "provenance record")
    return record


def compare_outputs(expected: Mapping[str, str], actual: Mapping[str, str], *,
                    prefixes: Iterable[str] = ("tables/", "results/")) -> dict[str, list[str]]:
    """Which outputs under ``prefixes`` differ between two checksum maps.

    Parameters
    ----------
    expected, actual : mapping of relative path to SHA-256
    prefixes : iterable of str
        The folders compared (tables and figures).

    Returns
    -------
    dict
        ``changed``, ``missing`` (in expected only) and ``added`` (in actual only), each a
        sorted list of paths.

    Examples
    --------
    >>> compare_outputs({"tables/a.csv": "1", "tables/b.csv": "2"},
    ...                 {"tables/a.csv": "1", "tables/b.csv": "3"})
    {'changed': ['tables/b.csv'], 'missing': [], 'added': []}
    """
    keep = tuple(prefixes)
    e = {k: v for k, v in expected.items() if k.startswith(keep)}
    a = {k: v for k, v in actual.items() if k.startswith(keep)}
    return {"changed": sorted(k for k in e.keys() & a.keys() if e[k] != a[k]),
            "missing": sorted(e.keys() - a.keys()), "added": sorted(a.keys() - e.keys())}
