"""``kow-research validate DIR``: summary, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from kow_research.cli import main

from .helpers import text_tables
from .test_io import write_csv_tables


def test_clean_folder_exits_0(tmp_path: Path, capsys):
    assert main(["validate", str(write_csv_tables(tmp_path, text_tables()))]) == 0
    assert "OK: no errors" in capsys.readouterr().out


def test_errors_exit_1_with_counts_and_first_rows(tmp_path: Path, capsys):
    frames = text_tables()
    frames["ladder"].loc[[0, 1], "rung"] = ["0", "9"]
    assert main(["validate", str(write_csv_tables(tmp_path, frames)), "--max-rows", "1"]) == 1
    out = capsys.readouterr().out
    assert "error   ladder: range × 2" in out
    assert "ladder.csv row 2: rung 0 is outside 1-6" in out
    assert "… and 1 more" in out


def test_json_gives_the_full_report(tmp_path: Path, capsys):
    frames = text_tables()
    frames["participants"].loc[2, "age"] = "zeventig"
    assert main(["validate", str(write_csv_tables(tmp_path, frames)), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"][0]["row"] == 4 and data["errors"][0]["value"] == "zeventig"


def test_unreadable_folder_exits_2(tmp_path: Path, capsys):
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err
