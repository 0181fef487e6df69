"""The report folder is built aside and swapped in whole; user files are never overwritten;
an interrupted or failed run leaves the previous report byte-identical; two runs cannot
interleave; a read-only target is a one-line error."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kow_research.report.folder import ReportFolderError, building, is_report_folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _report(folder: Path, text: str) -> Path:
    with building(folder) as tmp:
        (tmp / "provenance.json").write_text('{"kow_research_provenance": 1}')
        (tmp / "index.html").write_text(text)
    return folder


def test_a_folder_of_user_files_is_refused_unless_forced(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "data").mkdir(parents=True)
    (mine / "data" / "participants.csv").write_text("my own data\n")
    with pytest.raises(ReportFolderError, match="not a kow_research report"):
        _report(mine, "x")
    assert (mine / "data" / "participants.csv").read_text() == "my own data\n"
    with building(mine, force=True) as tmp:
        (tmp / "provenance.json").write_text("{}")
    assert is_report_folder(mine) and not (mine / "data").exists()


def test_success_replaces_the_previous_report_and_failure_keeps_it(tmp_path: Path) -> None:
    out = _report(tmp_path / "r", "first")
    before = _digest(out)
    with pytest.raises(RuntimeError, match="boom"), building(out) as tmp:
        (tmp / "index.html").write_text("half")
        raise RuntimeError("boom")
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]      # no temporary left
    _report(out, "second")
    assert (out / "index.html").read_text() == "second"


def _child(folder: Path, marker: Path) -> subprocess.Popen[str]:
    # Ctrl-C as in an interactive run: a child of a background job inherits SIGINT ignored
    # (the shell's rule for asynchronous commands), and Python then keeps it ignored
    code = textwrap.dedent(f"""
        import signal
        import time
        from pathlib import Path
        from kow_research.report.folder import building
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with building(Path({str(folder)!r})) as tmp:
            (tmp / "provenance.json").write_text("{{}}")
            (tmp / "index.html").write_text("new")
            Path({str(marker)!r}).write_text("started")
            time.sleep(30)
    """)
    return subprocess.Popen([sys.executable, "-c", code], text=True)


def _wait_for(marker: Path) -> None:
    # generous: under `make test` the child imports the package while other workers run
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if marker.exists():
            return
        time.sleep(0.05)
    raise AssertionError("the child never started building (60 s)")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_killing_a_run_leaves_the_previous_report_byte_identical(tmp_path: Path, sig) -> None:
    out = _report(tmp_path / "r", "first")
    before = _digest(out)
    proc = _child(out, tmp_path / "started")
    _wait_for(tmp_path / "started")
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r", "started"]


def test_a_second_run_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    out = _report(tmp_path / "r", "first")
    proc = _child(out, tmp_path / "started")
    try:
        _wait_for(tmp_path / "started")
        with pytest.raises(ReportFolderError, match=r"another report is being written into r"):
            _report(out, "second")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (out / "index.html").read_text() == "first"
    _report(out, "third")              # the lock went with the first run
    assert (out / "index.html").read_text() == "third"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_read_only_target_is_a_one_line_error(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ReportFolderError, match="cannot write here"):
            _report(ro / "r", "x")
    finally:
        ro.chmod(0o700)


def test_an_unwritable_target_is_a_one_line_error_also_for_root(tmp_path: Path) -> None:
    """(root ignores permission bits: a parent that is a file cannot hold a folder either)"""
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ReportFolderError, match="cannot create"):
        _report(tmp_path / "file" / "r", "x")
