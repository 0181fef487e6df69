"""``kow-research report`` and ``kow-research verify`` end to end, on tiny throwaway notebooks
and tiny simulated study folders in ``tmp_path`` (the real notebooks are exercised by nbval in
tests/project).

Starting the notebook worker and its Jupyter kernel costs 7-20 s per notebook here (importing
papermill alone takes 3 s, most of it jsonschema's ``rfc3987_syntax``), so every test but
:func:`test_real_worker_and_kernel` replaces the worker *process* by :class:`InProcessWorker`:
it takes the JSON request the worker would get, adds what papermill adds (the injected
parameters cell and the error banners, with random cell ids; run times; the absolute
``input_path``), runs the code cells with :func:`exec` and writes the executed notebook and the
result file. Everything after that is the real code: reading the result, naming the failed cell,
scrubbing paths and times, the leak scan and quarantine, the pages, the summary report, the
aggregate tables, ``provenance.json`` and ``verify``.

Nothing here writes outside ``tmp_path`` (checked against ``git status``) or downloads anything.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pandas as pd
import pytest

import kow_research as kr
from kow_research.cli import main
from kow_research.report import execute
from kow_research.synthetic.combine import simulate_studies

REPO = Path(kr.__file__).resolve().parents[1]
#: 2023-11-14 22:13:20 UTC: 19675 days (1970-01-01 + 19675 d = 2023-11-14) and 80000 s
#: (22 h 13 min 20 s)
EPOCH = 1_700_000_000
EPOCH_ISO = "2023-11-14T22:13:20+00:00"
#: one day later
NEXT_DAY_ISO = "2023-11-15T22:13:20+00:00"
STUDY_FILES = ["ladder.csv", "participants.csv", "sessions.csv", "spells.csv"]
PARAMETERS = ('data_dir = None\noutput_dir = None\nlanguage = None\nseed = 1\n'
              'design_overrides = {}\ncomparator = None')
LINE = re.compile(r"  (?P<name>\S+\.ipynb) +(?P<status>ok|not applicable|FAILED) +\d+\.\d s")
SUMMARY = re.compile(r"(\d+) analyses ok, (\d+) not applicable, (\d+) failed, "
                     r"(\d+) withheld \(\d+ s\)")
FAILED_LINE = ("02_fails.ipynb failed in cell 4 (In [4]): `raise RuntimeError('stop here')` "
               "— RuntimeError: stop here")
NO_COMPARATOR = "This study has no comparator for KOW, so no comparison applies."


# --- the notebooks ----------------------------------------------------------------------

def _notebook(folder: Path, name: str, heading: str, *cells: str,
              per_comparator: bool = False) -> None:
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell(f"# {heading}"),
        v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        *(v4.new_code_cell(c) for c in cells)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    if per_comparator:
        nb.metadata["kow_research"] = {"per_comparator": True}
    nbformat.write(nb, str(folder / f"{name}.ipynb"))


COUNTS = ("import pandas as pd\nfrom pathlib import Path\n"
          "people = pd.read_csv(Path(data_dir) / 'participants.csv')\n"
          "counts = people['cohort'].value_counts().sort_index().rename_axis('cohort')\n"
          "counts.rename('n').reset_index().to_csv(Path(output_dir) / '01_counts.csv', "
          "index=False)\n"
          "print(len(people))")
FAILS = ("x = 1", "raise RuntimeError('stop here')")
NOT_APPLICABLE = ("import kow_research as kr\n"
                  "ctx = kr.report.open_notebook(data_dir, seed=seed, language=language,\n"
                  "                              design_overrides=design_overrides)\n"
                  "if comparator is None:\n"
                  "    ctx.not_applicable('nb06_no_comparator', index=ctx.design.index)\n"
                  "print('compared with', comparator)")
LEAK = ("import pandas as pd\n"
        "pd.DataFrame({'participant_id': ['KOW-00012', 'KOW-00013'], 'cohort': ['KOW', 'KOW']})")
PER_COMPARATOR = ("import pandas as pd\nfrom pathlib import Path\n"
                  "cohorts = pd.read_csv(Path(data_dir) / 'participants.csv')['cohort']\n"
                  "print(comparator, int((cohorts == comparator).sum()))")


def _status_notebooks(folder: Path) -> Path:
    """(a) one that works, (b) one that fails in its 4th cell, (c) a comparison (run once per
    comparator) that does not apply to a design without comparators, (d) one that shows
    participant ids."""
    folder.mkdir(parents=True)
    _notebook(folder, "01_counts", "Counts", COUNTS)
    _notebook(folder, "02_fails", "Fails", *FAILS)
    _notebook(folder, "03_comparison", "Comparison", NOT_APPLICABLE, per_comparator=True)
    _notebook(folder, "04_leak", "Leak", LEAK)
    return folder


# --- the in-process stand-in for the notebook worker ---------------------------------------

class InProcessWorker:
    """Does what ``python -m kow_research.report.notebook_worker`` does, without a process or
    a kernel (see the module docstring). Runs are serialised by a lock; ``print`` and IPython's
    ``display`` write to the running cell's outputs (never to this process's streams, which the
    build is printing its status lines to)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self._outputs: list[Any] = []

    def run(self, args: list[str], *, input: str, cwd: Path, **kwargs: Any
            ) -> subprocess.CompletedProcess[str]:
        assert args[1:] == ["-m", "kow_research.report.notebook_worker"]
        assert Path(cwd).is_dir()
        request = json.loads(input)
        with self.lock:
            self.requests.append(request)
            error = self._execute(request)
        Path(request["result"]).write_text(json.dumps({"error": error}), encoding="utf-8")
        return subprocess.CompletedProcess(args, 0, "", "")

    def print(self, *values: Any, sep: str = " ", end: str = "\n", **kwargs: Any) -> None:
        text = sep.join(str(v) for v in values) + end
        last = self._outputs[-1] if self._outputs else None
        if last is not None and last.output_type == "stream":
            last.text += text
        else:
            self._outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))

    @staticmethod
    def _data(obj: Any) -> dict[str, str]:
        data = {"text/plain": repr(obj)}
        for mime, method in (("text/markdown", "_repr_markdown_"), ("text/html", "_repr_html_")):
            if hasattr(obj, method):
                data[mime] = getattr(obj, method)()
        return data

    def display(self, *objs: Any, metadata: dict[str, Any] | None = None, **kwargs: Any
                ) -> None:
        for obj in objs:
            self._outputs.append(nbformat.v4.new_output("display_data", data=self._data(obj),
                                                        metadata=metadata or {}))

    def _cell(self, source: str, namespace: dict[str, Any], count: int) -> None:
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"<cell In[{count}]>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), f"<cell In[{count}]>", "eval"),
                         namespace)
            if value is not None:
                self._outputs.append(nbformat.v4.new_output(
                    "execute_result", data=self._data(value), execution_count=count))

    def _execute(self, request: dict[str, Any]) -> str | None:
        v4 = nbformat.v4
        nb = nbformat.read(request["input"], as_version=4)
        params = request["parameters"]
        at = next(i for i, c in enumerate(nb.cells)
                  if "parameters" in c.metadata.get("tags", [])) + 1
        nb.cells.insert(at, v4.new_code_cell(      # new_code_cell: a random id, as papermill's
            "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items()),
            metadata={"tags": ["injected-parameters"]}))
        started = datetime.now(tz=UTC).isoformat()
        namespace: dict[str, Any] = {"__name__": "__main__", "print": self.print,
                                     "display": self.display}
        error = None
        count = 0
        for i, cell in enumerate(list(nb.cells)):
            if cell.cell_type != "code":
                cell.metadata["papermill"] = {}
                continue
            count += 1
            cell.execution_count = count
            self._outputs = cell.outputs = []
            t0 = time.perf_counter()
            status = "completed"
            try:
                self._cell(cell.source, namespace, count)
            except Exception as exc:
                frames = traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next)
                cell.outputs.append(v4.new_output("error", ename=type(exc).__name__,
                                                  evalue=str(exc), traceback=frames))
                error = f"{type(exc).__name__}: {exc}"
                status = "failed"
            cell.metadata["papermill"] = {
                "start_time": started, "end_time": datetime.now(tz=UTC).isoformat(),
                "duration": time.perf_counter() - t0, "status": status,
                "exception": error is not None}
            cell.metadata["execution"] = {"iopub.execute_input": started}
            if error:
                # papermill's banners: one on top, one before the failed cell (random ids)
                banner = {"tags": ["papermill-error-cell-tag"]}
                nb.cells.insert(i, v4.new_markdown_cell(
                    '<span id="papermill-error-cell">Execution using papermill encountered '
                    "an exception here and stopped:</span>", metadata=dict(banner)))
                nb.cells.insert(0, v4.new_markdown_cell(
                    f"An Exception was encountered at 'In [{count}]'.", metadata=dict(banner)))
                break
        nb.metadata["papermill"] = {
            "default_parameters": {}, "environment_variables": {}, "exception": bool(error),
            "input_path": request["input"], "output_path": request["output"],
            "parameters": params, "start_time": started, "version": "in-process stand-in",
            "end_time": datetime.now(tz=UTC).isoformat(), "duration": 0.01}
        nbformat.write(nb, request["output"])
        return error


@pytest.fixture(scope="module", autouse=True)
def _source_tree_untouched():
    """The tests write into tmp_path only."""
    def status() -> str:
        return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                              cwd=REPO, capture_output=True, text=True, check=False).stdout

    before = status()
    yield
    assert status() == before


@pytest.fixture(scope="module")
def worker():
    """The in-process worker and ``SOURCE_DATE_EPOCH``, for the whole module."""
    w = InProcessWorker()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(execute, "subprocess", SimpleNamespace(run=w.run))
        mp.setattr("IPython.display.display", w.display)
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        mp.delenv("KOW_RESEARCH_REPLAY_TIME", raising=False)
        yield w


@pytest.fixture(scope="module")
def one_cohort(tmp_path_factory) -> Path:
    """40 KOW participants: the design has no comparator."""
    folder = tmp_path_factory.mktemp("one") / "study"
    kr.write_study(kr.simulate_study("KOW", n=40, seed=3), folder)
    return folder


@pytest.fixture(scope="module")
def three_cohorts(tmp_path_factory) -> Path:
    """40 KOW, 30 IPS and 30 TAU participants: KOW against the comparators IPS and TAU."""
    folder = tmp_path_factory.mktemp("three") / "study"
    kr.write_study(simulate_studies({"KOW": 40, "IPS": 30, "TAU": 30}, seed=3), folder)
    return folder


@pytest.fixture(scope="module")
def status_nbs(tmp_path_factory) -> Path:
    return _status_notebooks(tmp_path_factory.mktemp("nb") / "nbs")


def _report(*args: str) -> tuple[int, str, str]:
    """Run ``kow-research`` in this process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def status_report(worker, one_cohort, status_nbs, tmp_path_factory):
    """The report of the four status notebooks on the one-cohort study."""
    out = tmp_path_factory.mktemp("status") / "report"
    code, stdout, stderr = _report("report", "--data", str(one_cohort), "--out", str(out),
                                   "--notebooks", str(status_nbs))
    return SimpleNamespace(out=out, code=code, stdout=stdout, stderr=stderr)


# --- helpers ----------------------------------------------------------------------------------

def _status_lines(stdout: str) -> dict[str, str]:
    lines = [m for m in map(LINE.fullmatch, stdout.splitlines()) if m]
    for m in lines:   # name in a column of 40, then the status
        assert m.string[2:42].rstrip() == m["name"] and m.string[43] != " "
    names = [m["name"] for m in lines]
    assert len(names) == len(set(names)), "one line per notebook"
    return {m["name"]: m["status"] for m in lines}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _readable(path: Path) -> list[bytes]:
    """The bytes of a file, of each member of a zip (docx, xlsx) and each inflated PDF stream."""
    raw = path.read_bytes()
    parts = [raw]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            parts += [z.read(n) for n in z.namelist()]
    if path.suffix == ".pdf":
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
            try:
                parts.append(zlib.decompress(stream))
            except zlib.error:
                parts.append(stream)
    return parts


def _absolute_paths(folder: Path, *extra: Path) -> list[tuple[str, str]]:
    """(file, folder) for every absolute folder of this machine named in a report file."""
    roots = {str(p) for p in (*extra, REPO, Path(sys.prefix), Path(sys.base_prefix),
                              Path.home(), Path(tempfile.gettempdir()))}
    roots |= {str(Path(r).resolve()) for r in roots}
    return [(p.relative_to(folder).as_posix(), r) for p in sorted(folder.rglob("*"))
            if p.is_file() for part in _readable(p) for r in sorted(roots)
            if r.encode() in part or json.dumps(r)[1:-1].encode() in part]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- (a)-(d): what a report says about each notebook -------------------------------------------

def test_report_exit_code_and_one_line_per_notebook(status_report):
    assert status_report.code == 1     # a failure and a withheld notebook
    lines = status_report.stdout.splitlines()
    assert lines[0] == "kow-research report: study → report/"
    # the line is printed when the run finishes, before the leak scan: 04_leak ran fine
    assert _status_lines(status_report.stdout) == {
        "01_counts.ipynb": "ok", "02_fails.ipynb": "FAILED",
        "03_comparison.ipynb": "not applicable", "04_leak.ipynb": "ok"}
    totals = [m.groups() for m in map(SUMMARY.fullmatch, lines) if m]
    assert totals == [("1", "1", "1", "1")]     # four notebooks, each counted once
    assert f"  start here:  {status_report.out / 'index.html'}" in lines


def test_failed_and_withheld_notebooks_are_named_on_stderr(status_report):
    err = status_report.stderr.splitlines()
    assert FAILED_LINE in err
    withheld = [m for m in map(re.compile(
        r"04_leak\.ipynb cell 3 \((?P<output>[^:]+): (?P<rules>[^)]+)\) shows individual "
        r"participants: not rendered, not linked").fullmatch, err) if m]
    # cell 3 of the source notebook (heading, parameters, the frame): papermill's injected
    # parameters cell is not counted
    assert len(withheld) == 1 and "id_column" in withheld[0]["rules"].split(", ")
    assert not [e for e in err if "01_counts" in e or "03_comparison" in e]
    assert "KOW-00012" not in status_report.stderr + status_report.stdout


def test_report_folder_pages_index_and_tables(status_report, one_cohort):
    out = status_report.out
    # the withheld notebook is neither rendered nor kept
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
        "01_counts.ipynb", "02_fails.ipynb", "03_comparison.ipynb"]
    assert sorted(p.name for p in out.glob("*.html")) == [
        "01_counts.html", "02_fails.html", "03_comparison.html", "index.html", "summary.html"]
    assert (out / "summary.docx").is_file() and (out / "summary.pdf").is_file()
    assert not list(out.parent.glob(".report*")), "no lock or build folder left behind"

    page = (out / "01_counts.html").read_text(encoding="utf-8")
    assert "<pre>40\n</pre>" in page         # the 40 participants written into the study
    assert "read_csv" not in page and "print(" not in page     # pages are code-free
    na = (out / "03_comparison.html").read_text(encoding="utf-8")
    assert NO_COMPARATOR in na and "Traceback" not in na
    failed = (out / "02_fails.html").read_text(encoding="utf-8")
    assert "RuntimeError: stop here" in failed and "raise " not in failed

    index = (out / "index.html").read_text(encoding="utf-8")
    items = re.findall(r"<li>(.*?)</li>", re.search(r"<ol>(.*?)</ol>", index, re.S)[1])
    assert len(items) == 4
    assert 'href="01_counts.html"' in items[0] and 'class="status-ok"' in items[0]
    assert 'href="02_fails.html"' in items[1] and 'class="status-failed"' in items[1]
    assert "RuntimeError: stop here" in items[1]
    assert 'href="03_comparison.html"' in items[2] and 'class="status-na"' in items[2]
    assert NO_COMPARATOR in items[2]
    assert "href" not in items[3] and 'class="status-withheld"' in items[3]
    assert "cell 3: id_" in items[3]
    assert "04_leak.html" not in index and "04_leak.ipynb" not in index
    assert 'href="results/01_counts.csv"' in index and "2023-11-14" in index

    assert pd.read_csv(out / "results" / "01_counts.csv").to_dict("records") == [
        {"cohort": "KOW", "n": 40}]
    flow = pd.read_csv(out / "tables" / "attrition_by_dropout_strategy.csv")
    entered = flow[flow["stage"] == "entered"]
    assert set(entered["cohort"]) == {"KOW"} and set(entered["n"].astype(int)) == {40}
    for path in [*(out / "tables").glob("*.csv"), *(out / "results").glob("*.csv")]:
        assert "participant_id" not in pd.read_csv(path).columns   # aggregates only


def test_provenance_records_inputs_parameters_time_and_outputs(status_report, one_cohort):
    out = status_report.out
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert record["inputs"] == {"source": "folder", "folder": "study", "files": {
        name: _sha(one_cohort / name) for name in STUDY_FILES}}
    assert record["started"] == record["finished"] == EPOCH_ISO
    params = record["parameters"]
    assert params["notebooks"] == ["01_counts", "02_fails", "03_comparison", "04_leak"]
    assert params["data"] == "study" and params["source_date_epoch"] == str(EPOCH)
    files = {rel: path for rel, path in ((p.relative_to(out).as_posix(), p)
                                          for p in out.rglob("*") if p.is_file())}
    assert record["outputs"] == {rel: _sha(p) for rel, p in sorted(files.items())
                                 if rel != "provenance.json"}


def test_no_absolute_path_in_the_report_folder(status_report, one_cohort, status_nbs):
    out = status_report.out
    assert _absolute_paths(out, out, one_cohort, status_nbs) == []
    nb = json.loads((out / "notebooks" / "02_fails.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["input_path"] == "nbs/02_fails.ipynb"
    assert nb["metadata"]["papermill"]["parameters"]["data_dir"] == "study"
    assert "start_time" not in nb["metadata"]["papermill"]
    # the not-applicable traceback ran through the package: its frames keep relative paths
    na = (out / "notebooks" / "03_comparison.ipynb").read_text(encoding="utf-8")
    assert f"{REPO.name}/kow_research/report/notebook.py" in na


# --- reproducible: same SOURCE_DATE_EPOCH, same bytes ------------------------------------------

def test_two_builds_with_the_same_epoch_are_byte_identical(worker, three_cohorts, tmp_path,
                                                           monkeypatch):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs, "01_counts", "Counts", COUNTS)
    _notebook(nbs, "02_fails", "Fails", *FAILS)
    _notebook(nbs, "05_versus", "Versus", PER_COMPARATOR, per_comparator=True)
    builds = {}
    for name in ("a", "b"):
        code, stdout, _ = _report("report", "--data", str(three_cohorts),
                                  "--out", str(tmp_path / name / "report"),
                                  "--notebooks", str(nbs))
        assert code == 1
        # the comparison runs once per comparator of the design (KOW vs IPS, KOW vs TAU)
        assert _status_lines(stdout) == {"01_counts.ipynb": "ok", "02_fails.ipynb": "FAILED",
                                         "05_versus_IPS.ipynb": "ok",
                                         "05_versus_TAU.ipynb": "ok"}
        builds[name] = _files(tmp_path / name / "report")
    a, b = builds["a"], builds["b"]
    assert {"summary.docx", "summary.pdf", "notebooks/02_fails.ipynb",
            "05_versus_TAU.html"} <= a.keys()
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    page = a["05_versus_IPS.html"].decode()
    assert "<pre>IPS 30\n</pre>" in page and "<pre>TAU 30\n</pre>" in a[
        "05_versus_TAU.html"].decode()
    assert "<pre>100\n</pre>" in a["01_counts.html"].decode()     # 40 + 30 + 30

    # a day later: the recorded time moves, the numbers do not
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86_400))
    later = tmp_path / "c" / "report"
    assert _report("report", "--data", str(three_cohorts), "--out", str(later),
                   "--notebooks", str(nbs))[0] == 1
    c = _files(later)
    assert json.loads(c["provenance.json"])["started"] == NEXT_DAY_ISO
    assert json.loads(a["provenance.json"])["started"] == EPOCH_ISO
    data_files = [k for k in a if k.startswith(("tables/", "results/", "notebooks/"))]
    assert data_files and all(a[k] == c[k] for k in data_files)


# --- verify -----------------------------------------------------------------------------------

def test_verify_passes_on_an_unchanged_report(worker, status_report, one_cohort, status_nbs):
    before = _files(status_report.out)
    runs = len(worker.requests)
    code, stdout, _ = _report("verify", str(status_report.out), "--data", str(one_cohort),
                              "--notebooks", str(status_nbs))
    assert (code, stdout.splitlines()) == (
        0, ["identical: every table, figure and page has the recorded bytes"])
    assert len(worker.requests) == runs + 4        # it did run the four notebooks again
    assert _files(status_report.out) == before      # and left the report alone


def test_verify_names_a_changed_input(worker, status_report, one_cohort, status_nbs,
                                      tmp_path):
    report = shutil.copytree(status_report.out, tmp_path / "report")
    study = shutil.copytree(one_cohort, tmp_path / "study")
    with open(study / "participants.csv", "a", encoding="utf-8") as f:
        f.write("\n")        # a blank 42nd line: the same 40 people
    code, stdout, _ = _report("verify", str(report), "--data", str(study),
                              "--notebooks", str(status_nbs))
    # the analyses give the same numbers; what differs is the validation summary (a warning
    # for the empty row) and the landing page, which prints each input file's SHA-256
    assert (code, stdout.splitlines()) == (1, [
        "NOT identical", "  input changed: participants.csv",
        "  output differs: index.html", "  output differs: tables/summary.html",
        "  output differs: tables/validation_counts.csv"])

    # an output the re-run does not make again byte for byte is named too
    record = json.loads((report / "provenance.json").read_text(encoding="utf-8"))
    record["outputs"]["tables/training_dose.csv"] = "0" * 64
    (report / "provenance.json").write_text(json.dumps(record), encoding="utf-8")
    code, stdout, _ = _report("verify", str(report), "--data", str(one_cohort),
                              "--notebooks", str(status_nbs))
    assert (code, stdout.splitlines()) == (1, ["NOT identical",
                                               "  output differs: tables/training_dose.csv"])


def test_verify_refuses_without_the_data_or_a_report(status_report, status_nbs, tmp_path):
    code, _, err = _report("verify", str(status_report.out), "--notebooks", str(status_nbs))
    assert code == 2 and "report was made from the study folder 'study'" in err
    assert "--data DIR" in err
    (tmp_path / "mine").mkdir()
    code, _, err = _report("verify", str(tmp_path / "mine"), "--notebooks", str(status_nbs))
    assert code == 2 and "mine: no readable provenance.json" in err


# --- the report folder ------------------------------------------------------------------------

def test_refuses_a_user_folder_without_force(worker, one_cohort, status_nbs, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own notes\n", encoding="utf-8")
    args = ["report", "--data", str(one_cohort), "--out", str(mine), "--notebooks",
            str(status_nbs), "--only", "01_counts"]
    runs = len(worker.requests)
    code, _, err = _report(*args)
    assert code == 2
    assert ("mine is not empty and is not a kow_research report (it has no provenance.json); "
            "refusing to overwrite its files" in err and "--force" in err)
    assert len(worker.requests) == runs                   # refused before running anything
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "my own notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]     # no lock, no build folder

    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = _report(*args[:3], "--out", str(tmp_path / "file"), *args[5:])
    assert code == 2 and "file exists and is not a folder" in err

    # --force replaces the folder whole: the user's file is gone
    code, stdout, _ = _report(*args, "--force")
    assert code == 0 and _status_lines(stdout) == {"01_counts.ipynb": "ok"}
    assert (mine / "provenance.json").is_file() and not (mine / "notes.txt").exists()
    # a previous report is replaced without --force
    code, _, _ = _report(*args)
    assert code == 0 and (mine / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine"]


def test_unusable_input_exits_2_or_1_before_writing(worker, one_cohort, status_nbs, tmp_path):
    out = tmp_path / "report"
    code, _, err = _report("report", "--data", str(one_cohort), "--out", str(out),
                           "--notebooks", str(status_nbs), "--only", "99_nope")
    assert code == 2 and "--only ['99_nope']: no such notebooks in nbs" in err
    code, _, err = _report("report", "--out", str(out), "--notebooks", str(tmp_path / "none"))
    assert code == 2 and "no notebooks folder found" in err
    code, _, err = _report("report", "--out", str(out), "--notebooks", str(status_nbs),
                           "--param", "no-equals-sign")
    assert code == 2 and err.startswith("kow-research report: ")
    bad = tmp_path / "bad"
    kr.write_study(kr.simulate_study("KOW", n=30, seed=2, mess={"entry_errors": 0.2}), bad)
    code, _, err = _report("report", "--data", str(bad), "--out", str(out),
                           "--notebooks", str(status_nbs))
    assert code == 1 and "bad has validation errors" in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


def test_help_lists_the_current_options(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["report", "--help"])
    assert stop.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--data", "--out", "--param", "--language", "--k", "--seed", "--notebooks",
                   "--only", "--force", "--timeout"):
        assert f"{option} " in shown
    assert "--no-progress" not in shown
    with pytest.raises(SystemExit) as stop:
        main(["report", "--no-progress"])     # gone: the report prints one line per notebook
    assert stop.value.code == 2


# --- once for real ---------------------------------------------------------------------------

def test_real_worker_and_kernel(one_cohort, status_nbs, tmp_path, monkeypatch):
    """One notebook through the worker process and a Jupyter kernel (about 8 s)."""
    monkeypatch.setattr(execute, "subprocess", subprocess)    # whatever ran before
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    out = tmp_path / "report"
    code, stdout, err = _report("report", "--data", str(one_cohort), "--out", str(out),
                                "--notebooks", str(status_nbs), "--only", "01_counts")
    assert code == 0, err
    assert _status_lines(stdout) == {"01_counts.ipynb": "ok"}
    assert "<pre>40\n</pre>" in (out / "01_counts.html").read_text(encoding="utf-8")
    nb = json.loads((out / "notebooks" / "01_counts.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["input_path"] == "nbs/01_counts.ipynb"
    assert [c["metadata"].get("papermill", {}) for c in nb["cells"]] == [{}] * len(nb["cells"])
    assert _absolute_paths(out, out, one_cohort, status_nbs, tmp_path) == []
