"""Notebook execution with papermill on tiny throwaway notebooks, and the index page."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

from kow_research.report.execute import first_heading, make_index_html, run_notebooks


def _write(folder: Path, name: str, cells: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = cells
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, str(path))
    return path


def _params_cell():
    return nbformat.v4.new_code_cell(
        'data_dir = None\noutput_dir = None\nlanguage = "en"\nextra = 0',
        metadata={"tags": ["parameters"]})


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Two notebooks, one good and one failing in its 4th cell; executed once for the module."""
    root = tmp_path_factory.mktemp("nb")
    nbs = root / "notebooks"
    _write(nbs, "01_good.ipynb", [
        nbformat.v4.new_markdown_cell("# Good notebook\n\nIt reads its parameters."),
        _params_cell(),
        nbformat.v4.new_code_cell(
            "import sys, pathlib\n"
            "pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)\n"
            "pathlib.Path(output_dir, 'seen.json').write_text(__import__('json').dumps("
            "{'data_dir': data_dir, 'language': language, 'extra': extra, "
            "'python': sys.executable}))\n"
            "print('aggregate only')"),
    ])
    _write(nbs, "02_bad.ipynb", [
        nbformat.v4.new_markdown_cell("Intro without heading"),
        _params_cell(),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('the ladder table is empty')"),
        nbformat.v4.new_code_cell("print('never')"),
    ])
    out = root / "out"
    runs = run_notebooks(nbs, data_dir=root / "data", output_dir=out, parameters={"extra": 7}, progress=False,
                         language="nl", timeout=120)
    return root, out, runs


def test_parameters_reach_the_notebook_and_kernel_is_this_python(executed):
    root, out, runs = executed
    good = runs[0]
    assert good.ok and good.passed and good.name == "01_good.ipynb"
    seen = json.loads((out / "results" / "seen.json").read_text())
    assert seen["data_dir"] == str((root / "data").resolve())
    assert seen["language"] == "nl" and seen["extra"] == 7
    # the python3 kernelspec resolves to the interpreter running the tests (the .venv)
    assert Path(seen["python"]).resolve() == Path(sys.executable).resolve()
    assert good.html == out / "01_good.html" and good.html.exists()
    assert "aggregate only" in good.html.read_text(encoding="utf-8")
    assert good.executed == out / "notebooks" / "01_good.ipynb"


def test_failure_names_notebook_and_cell(executed):
    _, out, runs = executed
    bad = runs[1]
    assert not bad.ok and not bad.passed
    # cells: 1 markdown, 2 parameters, 3 "x = 1", 4 raises (papermill's injected cell and
    # error banners are not counted: positions refer to the source notebook)
    assert bad.failed_cell == 4
    assert bad.error == "ValueError: the ladder table is empty"
    assert bad.failed_source == "raise ValueError('the ladder table is empty')"
    assert "02_bad.ipynb" in bad.message and "cell 4" in bad.message
    assert bad.html is not None and bad.html.exists()   # rendered anyway, to show the error


def test_first_heading(executed):
    root, _, runs = executed
    assert runs[0].title == "Good notebook"
    assert first_heading(root / "notebooks" / "02_bad.ipynb") == "02_bad"


def test_index_links_every_notebook(executed):
    _, out, runs = executed
    index = make_index_html(runs, path=out / "index.html", data_source="simulated cohorts (seed 1)",
                            version="9.9.9")
    page = index.read_text(encoding="utf-8")
    assert '<a href="01_good.html">Good notebook</a>' in page
    assert '<a href="02_bad.html">02_bad</a>' in page
    assert "simulated cohorts (seed 1)" in page and "kow_research 9.9.9" in page
    assert page.count("<li>") == 2 and "failed" in page and "cell 4" in page


def test_unknown_notebook_or_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no notebooks"):
        run_notebooks(tmp_path, data_dir=None, output_dir=tmp_path / "o", progress=False)
    with pytest.raises(ValueError, match="does not exist"):
        run_notebooks(tmp_path / "nope", data_dir=None, output_dir=tmp_path / "o", progress=False)
    with pytest.raises(ValueError, match="language"):
        run_notebooks(tmp_path, data_dir=None, output_dir=tmp_path / "o", progress=False, language="de")


def test_two_reports_run_concurrently_in_one_process(tmp_path, monkeypatch):
    """Each notebook runs in its own worker process and kernel, in its own folder; this
    process keeps its working directory (papermill's cwd= used to chdir the whole process, so a
    relative notebook folder crashed and a concurrent test found itself in the wrong folder)."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.chdir(tmp_path)
    for name in ("a", "b"):
        _write(Path(f"nbs_{name}"), "01_where.ipynb", [
            nbformat.v4.new_markdown_cell(f"# Where {name}"),
            _params_cell(),
            nbformat.v4.new_code_cell(
                "import json, os, pathlib, time\n"
                "time.sleep(1)  # overlap with the other report\n"
                "pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)\n"
                "pathlib.Path(output_dir, 'where.json').write_text(json.dumps("
                "{'cwd': os.getcwd(), 'extra': extra}))"),
        ])
    with ThreadPoolExecutor(2) as pool:
        jobs = {name: pool.submit(run_notebooks, Path(f"nbs_{name}"), data_dir=None,
                                  output_dir=Path(f"out_{name}"), parameters={"extra": name},
                                  progress=False, workers=1)
                for name in ("a", "b")}
        runs = {name: job.result() for name, job in jobs.items()}
    assert Path.cwd() == tmp_path
    for name in ("a", "b"):
        assert runs[name][0].ok, runs[name][0].message + runs[name][0].log
        seen = json.loads((tmp_path / f"out_{name}" / "results" / "where.json").read_text())
        assert seen == {"cwd": str(tmp_path / f"nbs_{name}"), "extra": name}
        assert (tmp_path / f"out_{name}" / "01_where.html").exists()


def test_worker_output_is_kept_out_of_the_console(executed):
    """Kernel and papermill chatter goes to the run's log, not to this process's streams."""
    _, _, runs = executed
    assert isinstance(runs[0].log, str)
    assert "the ladder table is empty" in runs[1].error
