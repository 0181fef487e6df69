"""The pre-commit hooks: the notebook check, the private-data guard and the configuration.

The hook scripts are tested on small files written here; the committed tree must pass them;
and ``pre-commit run`` itself runs the configuration in a temporary git repository (offline:
every hook is local).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebooks = _tool("check_notebooks")
private = _tool("check_private_data")


def _bsn(first_eight: str) -> str:
    """Complete eight digits to a number that passes the 11-test (None when impossible)."""
    total = sum((9 - i) * int(d) for i, d in enumerate(first_eight))
    check = total % 11                        # 9 d1 + ... + 2 d8 - d9 = 0 (mod 11)
    return first_eight + str(check) if check < 10 else ""


def _notebook(cells: list[dict]) -> dict:
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _code(source: str, count: int | None, outputs: list[dict] | None = None) -> dict:
    return {"cell_type": "code", "source": source, "execution_count": count, "metadata": {},
            "outputs": outputs or []}


# ------------------------------------------------------------------ notebooks

def test_clean_notebook_passes(tmp_path: Path) -> None:
    path = tmp_path / "ok.ipynb"
    path.write_text(json.dumps(_notebook([
        {"cell_type": "markdown", "source": "# Title", "metadata": {}},
        _code("x = 1", 1),
        _code("", None),                                  # an empty cell need not run
        _code("print(x)", 2, [{"output_type": "stream", "name": "stdout", "text": "1\n"}]),
    ])))
    assert notebooks.problems(path) == []
    assert notebooks.main([str(path)]) == 0


def test_error_stderr_and_unexecuted_cells_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps(_notebook([
        _code("import warnings", 1, [{"output_type": "stream", "name": "stderr",
                                      "text": ["UserWarning: careful\n"]}]),
        _code("1 / 0", 2, [{"output_type": "error", "ename": "ZeroDivisionError",
                            "evalue": "division by zero", "traceback": []}]),
        _code("y = 2", None),
    ])))
    found = notebooks.problems(path)
    assert found == [
        f"{path} cell 1 (import warnings): stderr output: UserWarning: careful",
        f"{path} cell 2 (1 / 0): error output ZeroDivisionError: division by zero",
        f"{path} cell 3 (y = 2): not executed",
    ]
    assert notebooks.main([str(path)]) == 1


def test_broken_notebook_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    assert "not valid notebook JSON" in notebooks.problems(path)[0]


def test_committed_notebooks_pass() -> None:
    found = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert found
    assert [p for path in found for p in notebooks.problems(path)] == []


# ------------------------------------------------------------------ private data

def test_eleven_test_by_hand() -> None:
    # the numbers are built from groups, so that this file does not itself hold a BSN-like one
    # 111 222 333: 9+8+7 + 2*(6+5+4) + 3*(3+2) = 24 + 30 + 15 = 69; 69 - 3 = 66 = 6 * 11
    assert private.passes_eleven_test("111" "222" "333")
    # 111 222 334: 69 - 4 = 65, not a multiple of 11
    assert not private.passes_eleven_test("111" "222" "334")
    # 123 456 789: 9+16+21+24+25+24+21+16 = 156; 156 - 9 = 147 = 13 * 11 + 4
    assert not private.passes_eleven_test("123" "456" "789")
    assert not private.passes_eleven_test("0" * 9)
    assert not private.passes_eleven_test("1234" "5678")


def test_bsn_like_numbers_are_found_only_stand_alone() -> None:
    bsn = _bsn("23456789")
    assert bsn and private.passes_eleven_test(bsn)
    text = "\n".join([
        f"participant,{bsn},KOW",              # a CSV field: found (line 1)
        f"estimate 0.{bsn} and {bsn}1",        # a decimal fraction, a 10-digit run: not
        f"hash a{bsn}b sha:{bsn}f",             # inside a hexadecimal word: not
        f"BSN {bsn}.",                          # end of a sentence: found (line 4)
    ])
    assert list(private.bsn_like(text)) == [(1, bsn), (4, bsn)]


def test_data_files_are_refused_outside_the_data_folders() -> None:
    for name in ("people.csv", "data/study.xlsx", "notebooks/out.parquet", "export.SAV"):
        assert private.data_file_problem(name), name
    for name in ("tests/reference/trial.csv", "benchmarks/_work/x.parquet",
                 "validation/results/coverage.csv", "data_dictionary/codes.xlsx",
                 "notes.md", "kow_research/data/dictionary/spells.schema.yaml"):
        assert private.data_file_problem(name) is None, name


def test_private_data_guard_on_files(tmp_path: Path) -> None:
    bsn = _bsn("98765432")
    notebook = _notebook([_code("x", 1, [{"output_type": "display_data", "metadata": {},
                                          "data": {"image/png": f"iVBOR/{bsn}/AAA",
                                                   "text/plain": "<Figure>"}}])])
    clean = tmp_path / "figure.ipynb"
    clean.write_text(json.dumps(notebook))
    leaked = copy.deepcopy(notebook)
    leaked["cells"][0]["outputs"][0]["data"]["text/plain"] = f"id {bsn}"
    dirty = tmp_path / "table.ipynb"
    dirty.write_text(json.dumps(leaked))
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\0\0" + bsn.encode())
    note = tmp_path / "note.txt"
    note.write_text(f"first line\nclient {bsn}\n")
    assert private.problems(str(clean)) == []           # base64 image data is not scanned
    assert private.problems(str(binary)) == []
    assert private.problems(str(dirty)) == [
        f"{dirty}: {bsn} is a 9-digit number that passes the BSN 11-test"]
    assert private.problems(str(note)) == [
        f"{note} line 2: {bsn} is a 9-digit number that passes the BSN 11-test"]
    assert private.main([str(clean), str(note)]) == 1


def test_committed_tree_passes_the_private_data_guard() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    names = [n for n in tracked if n and (ROOT / n).is_file()]
    assert len(names) > 50
    found = [p for n in names for p in private.problems(str(ROOT / n))
             if not p.startswith(str(ROOT / n) + ": .")]
    found += [p for n in names if (p := private.data_file_problem(n))]
    assert found == []


# ------------------------------------------------------------------ the configuration

def test_config_runs_only_local_hooks_and_never_strips_outputs() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [r["repo"] for r in config["repos"]] == ["local"]
    hooks = {h["id"]: h for r in config["repos"] for h in r["hooks"]}
    assert {"ruff", "check-notebooks", "check-added-large-files", "private-data"} <= set(hooks)
    assert "tools/check_notebooks.py" in hooks["check-notebooks"]["entry"]
    assert "tools/check_private_data.py" in hooks["private-data"]["entry"]
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "nbstripout" not in text.replace("never add nbstripout", "")


def test_pre_commit_runs_the_hooks(tmp_path: Path) -> None:
    """``pre-commit run`` in a scratch repository: clean files pass; a notebook with stderr
    output, a CSV at the top level and a BSN-like number are refused, each by its hook."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo)
    for name in ("check_notebooks.py", "check_private_data.py"):
        shutil.copy(ROOT / "tools" / name, repo / "tools" / name)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "SKIP": ""}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True,
                              timeout=300)

    assert run("git", "init", "-q").returncode == 0
    (repo / "ok.py").write_text("x = 1\n")
    shutil.copy(ROOT / "notebooks" / "01_data_quality.ipynb", repo / "good.ipynb")
    run("git", "add", "-A")
    ok = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr

    nb = json.loads((repo / "good.ipynb").read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"].append({"output_type": "stream", "name": "stderr", "text": ["warning\n"]})
    (repo / "bad.ipynb").write_text(json.dumps(nb))
    (repo / "people.csv").write_text("id,x\n1,2\n")
    (repo / "notes.md").write_text(f"client {_bsn('12312312')}\n")
    run("git", "add", "-A")
    bad = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert bad.returncode == 1
    assert "bad.ipynb cell" in bad.stdout and "stderr output: warning" in bad.stdout
    assert "people.csv: .csv data file outside" in bad.stdout
    assert "notes.md line 1:" in bad.stdout
