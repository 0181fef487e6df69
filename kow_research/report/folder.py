"""A report folder that is safe to re-run: built aside, swapped in whole, never over user files.

:func:`building` is the only way the report writes its folder:

* it refuses a non-empty ``--out`` that is not a previous kow_research report (a folder
  without its ``provenance.json``), unless ``force=True``, so a user's own files are never
  overwritten;
* it takes a lock (``.<name>.lock`` beside the folder, holding the process id), so two runs
  into one folder cannot interleave: the second is refused while the first is alive;
* everything is written into a temporary sibling folder, and only when the run succeeds is it
  swapped in for the previous report; on an error, Ctrl-C (SIGINT) or SIGTERM the temporary
  folder is removed and the previous report stays byte-identical;
* a folder that cannot be written gives one :class:`ReportFolderError` line (exit code 2), not a
  traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from kow_research.report.provenance import FILE_NAME as PROVENANCE

#: files a previous report always has (the mark of a report folder)
REPORT_MARKERS = (PROVENANCE,)


class ReportFolderError(RuntimeError):
    """The report folder cannot be used (refused, locked or not writable); exit code 2."""

    exit_code = 2


def is_report_folder(path: str | Path) -> bool:
    """Whether ``path`` holds a previous kow_research report (its ``provenance.json``).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    bool

    Examples
    --------
    >>> import tempfile
    >>> is_report_folder(tempfile.mkdtemp())
    False
    """
    p = Path(path)
    return p.is_dir() and all((p / m).is_file() for m in REPORT_MARKERS)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock(out: Path) -> Path:
    lock = out.parent / f".{out.name}.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid) and pid != os.getpid():
                raise ReportFolderError(
                    f"another report is being written into {out.name} (process {pid}); wait "
                    "for it to finish, or choose another --out") from None
            lock.unlink(missing_ok=True)   # a stale lock of a run that died
            continue
        except PermissionError:
            raise ReportFolderError(f"{out.parent.name or out.parent}: cannot write here (read-"
                                    "only?); choose another --out") from None
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        return lock
    raise ReportFolderError(f"could not lock {out.name}")


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt for the duration (so cleanup code runs)."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: the caller's handlers stay
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


@contextlib.contextmanager
def building(out: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Build a report into a temporary sibling of ``out`` and swap it in on success.

    Parameters
    ----------
    out : str or pathlib.Path
        The report folder.
    force : bool, default False
        Replace ``out`` even when it holds files that are not a previous report.

    Yields
    ------
    pathlib.Path
        The folder to write into.

    Raises
    ------
    ReportFolderError
        ``out`` holds other files (without ``force``), is locked by a running report, or
        cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> parent = Path(tempfile.mkdtemp())
    >>> with building(parent / "report") as tmp:
    ...     _ = (tmp / "provenance.json").write_text("{}")
    >>> sorted(p.name for p in (parent / "report").iterdir())
    ['provenance.json']
    """
    target = Path(out).absolute()
    if target.exists() and not target.is_dir():
        raise ReportFolderError(f"{target.name} exists and is not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()) and not is_report_folder(target) and not force:
        raise ReportFolderError(
            f"{target.name} is not empty and is not a kow_research report (it has no "
            f"{PROVENANCE}); refusing to overwrite its files. Choose another --out, or pass "
            "--force to replace the folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportFolderError(f"cannot create {target.parent.name}: {exc.strerror}") from None
    if not os.access(target.parent, os.W_OK):
        raise ReportFolderError(f"{target.parent.name or target.parent}: cannot write here "
                                "(read-only?); choose another --out")
    lock = _lock(target)
    tmp = target.parent / f".{target.name}.building-{os.getpid()}"
    old = target.parent / f".{target.name}.previous-{os.getpid()}"
    try:
        with _signals_raise():
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            try:
                yield tmp
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            # the new report is complete: swap it in (the old one is moved aside first and
            # removed only once the new one is in place)
            if target.exists():
                target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)          # never leave the user without the previous report
        lock.unlink(missing_ok=True)
