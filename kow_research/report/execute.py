"""Execute the analysis notebooks with papermill, render them to HTML and write an index page.

Each notebook gets the parameters ``data_dir``, ``output_dir`` and ``language`` (plus any
extra ``parameters``) injected after its cell tagged ``parameters``, runs in a worker process of
its own (:mod:`kow_research.report.notebook_worker`, started with the current interpreter and the
notebook's folder as working directory) in the ``python3`` kernel — which jupyter_client starts
with the current interpreter (``sys.executable``), so inside the project's ``.venv`` the
notebooks see the same ``kow_research`` — and is written, executed, to
``<output_dir>/notebooks/`` and as HTML to ``<output_dir>/``. The calling process never changes
its working directory. A failing notebook does not stop the others; its :class:`NotebookRun`
names the cell that failed.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research._version import __version__
from kow_research.core.compat import positional_deprecated
from kow_research.report.labels import check_language, text
from kow_research.report.notebook_check import PROBLEM_COLUMNS, check_notebook_outputs

KERNEL_NAME = "python3"
_PAPERMILL_TAGS = ("papermill-error-cell-tag", "injected-parameters")


@dataclass(frozen=True)
class NotebookRun:
    """The outcome of executing one notebook.

    Attributes
    ----------
    name : str
        File name of the source notebook (``03_participation_ladder.ipynb``).
    source : pathlib.Path
        The source notebook.
    title : str
        Its first markdown heading (the file stem if it has none).
    executed : pathlib.Path or None
        The executed copy (with outputs), when execution got as far as writing it.
    html : pathlib.Path or None
        The rendered HTML page.
    ok : bool
        True when every cell ran without error.
    error : str or None
        ``"ExceptionName: message"`` of the failure.
    failed_cell : int or None
        1-based position of the failing cell in the source notebook (markdown cells count).
    failed_execution_count : int or None
        The ``In [n]`` number of the failing cell.
    failed_source : str or None
        First line of the failing cell's code.
    disclosure : pandas.DataFrame
        Outputs that show individual participants (see
        :func:`~kow_research.report.notebook_check.check_notebook_outputs`); empty if none.
    log : str
        What the worker process and the kernel printed (warnings, papermill's log); shown
        when the notebook fails.
    seconds : float
        Wall-clock time of the run.
    """

    name: str
    source: Path
    title: str
    executed: Path | None = None
    html: Path | None = None
    ok: bool = True
    error: str | None = None
    failed_cell: int | None = None
    failed_execution_count: int | None = None
    failed_source: str | None = None
    disclosure: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    log: str = ""
    seconds: float = 0.0

    @property
    def not_applicable(self) -> bool:
        """The notebook stopped because its analysis does not apply to the design (it raised
        :class:`~kow_research.report.notebook.NotApplicable`): not a failure."""
        return not self.ok and str(self.error or "").startswith("NotApplicable:")

    @property
    def reason(self) -> str:
        """The sentence of a not-applicable notebook."""
        return str(self.error or "").partition(": ")[2] if self.not_applicable else ""

    @property
    def message(self) -> str:
        """One line for the console: what ran, or which notebook and cell failed and why."""
        if self.not_applicable:
            return f"{self.name} not applicable — {self.reason}"
        if not self.ok:
            where = f"cell {self.failed_cell}" if self.failed_cell else "an unknown cell"
            if self.failed_execution_count is not None:
                where += f" (In [{self.failed_execution_count}])"
            code = f": `{self.failed_source}`" if self.failed_source else ""
            return f"{self.name} failed in {where}{code} — {self.error}"
        if len(self.disclosure):
            first = self.disclosure.iloc[0]
            return (f"{self.name} shows individual participants in cell {first['cell']} "
                    f"({first['rule']}); {len(self.disclosure)} output(s) to fix")
        return f"{self.name} ok"

    @property
    def passed(self) -> bool:
        """Ran without error (or stopped as not applicable) and shows aggregates only."""
        return (self.ok or self.not_applicable) and len(self.disclosure) == 0


def first_heading(path: str | Path) -> str:
    """The text of the first markdown heading of a notebook (its stem if there is none)."""
    p = Path(path)
    nb = json.loads(p.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            if line.lstrip().startswith("#"):
                return line.lstrip().lstrip("#").strip()
    return p.stem


def find_notebooks(notebook_dir: str | Path) -> list[Path]:
    """The notebooks of a folder in reading order (sorted by name; hidden files skipped).

    Parameters
    ----------
    notebook_dir : str or pathlib.Path
        The folder that holds the ``.ipynb`` files (sub-folders such as
        ``.ipynb_checkpoints`` are not searched).

    Returns
    -------
    list of pathlib.Path
        The ``*.ipynb`` files directly in ``notebook_dir`` whose names do not start with
        ``"."``, sorted by name.

    Raises
    ------
    ValueError
        When ``notebook_dir`` is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("02_outcomes.ipynb", "01_data_quality.ipynb", ".scratch.ipynb",
    ...                  "notes.txt"):
    ...         _ = (Path(tmp) / name).write_text("{}")
    ...     [p.name for p in find_notebooks(tmp)]
    ['01_data_quality.ipynb', '02_outcomes.ipynb']
    """
    folder = Path(notebook_dir)
    if not folder.is_dir():
        raise ValueError(f"notebook folder {folder} does not exist; pass the folder that holds "
                         "the .ipynb files")
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def _failure(executed: Path) -> tuple[int | None, int | None, str | None]:
    """(position in the source notebook, execution count, first code line) of the failed
    cell, read from papermill's per-cell status in the executed notebook."""
    if not executed.exists():
        return None, None, None
    nb = json.loads(executed.read_text(encoding="utf-8"))
    position = 0
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if any(t in tags for t in _PAPERMILL_TAGS):
            continue
        position += 1
        pm = cell.get("metadata", {}).get("papermill", {})
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if pm.get("status") == "failed" or pm.get("exception") or errored:
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            lines = [s for s in src.splitlines() if s.strip()]
            return position, cell.get("execution_count"), (lines[0][:80] if lines else None)
    return None, None, None


@positional_deprecated("html_path")
def render_html(executed: str | Path, *, html_path: str | Path) -> Path:
    """Render an executed notebook to a standalone HTML page with nbconvert.

    Parameters
    ----------
    executed : str or pathlib.Path
        An executed notebook.
    html_path : str or pathlib.Path
        The page to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``html_path``: a page with the cells, their outputs and figures, and no link to the
        notebook file.

    Examples
    --------
    The page of a small executed notebook (importing nbconvert takes a few seconds):

    >>> import tempfile
    >>> import nbformat
    >>> v4 = nbformat.v4
    >>> nb = v4.new_notebook(cells=[
    ...     v4.new_markdown_cell("# Participant flow"),
    ...     v4.new_code_cell("n_analysed", execution_count=1, outputs=[
    ...         v4.new_output("execute_result", data={"text/plain": "17"}, execution_count=1)])])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nbformat.write(nb, Path(tmp) / "02_flow.ipynb")
    ...     page = render_html(Path(tmp) / "02_flow.ipynb", html_path=Path(tmp) / "02_flow.html")
    ...     body = page.read_text(encoding="utf-8")
    ...     page.name, body.startswith("<!DOCTYPE html>"), "Participant flow" in body
    ('02_flow.html', True, True)
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    out = Path(html_path)
    out.write_text(body, encoding="utf-8")
    return out


@positional_deprecated("output_dir", "parameters", "kernel_name", "timeout", "html")
def run_notebook(path: str | Path, *, output_dir: str | Path, parameters: Mapping[str, Any],
                 kernel_name: str = KERNEL_NAME, timeout: int | None = 600,
                 html: bool = True, name: str | None = None,
                 env: Mapping[str, str] | None = None) -> NotebookRun:
    """Execute one notebook into ``output_dir`` in a worker process (see :func:`run_notebooks`).

    The worker (:mod:`kow_research.report.notebook_worker`) runs with the notebook's folder as
    its working directory, so the kernel starts there; this process keeps its own working
    directory, which makes concurrent runs (threads, or two reports at once) safe. What the
    worker and the kernel print is kept in :attr:`NotebookRun.log`.

    Parameters
    ----------
    path : str or pathlib.Path
        The notebook.
    output_dir, parameters, kernel_name, timeout, html
        As in :func:`run_notebooks`.
    name : str, optional
        Stem of the executed copy and its page (default the notebook's own; a notebook run
        once per comparator gets one name per run).
    env : mapping, optional
        Extra environment variables for the worker and its kernel (the report build passes
        where the notebook records its tables for the disclosure ledger).

    Returns
    -------
    NotebookRun
    """
    source = Path(path).resolve()
    out = Path(output_dir).resolve()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    stem = name or source.stem
    executed = out / "notebooks" / f"{stem}.ipynb"
    title = first_heading(source)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kow-nb-") as tmp:
        result = Path(tmp) / "result.json"
        request = {"input": str(source), "output": str(executed),
                   "parameters": dict(parameters), "kernel_name": kernel_name,
                   "timeout": timeout, "result": str(result)}
        proc = subprocess.run([sys.executable, "-m", "kow_research.report.notebook_worker"],
                              input=json.dumps(request), capture_output=True, text=True,
                              cwd=source.parent, env={**os.environ, **dict(env or {}),
                                   "PYTHONUNBUFFERED": "1"})
        log = (proc.stdout + proc.stderr).strip()
        if result.exists():
            error = json.loads(result.read_text(encoding="utf-8"))["error"]
        else:
            error = (f"the notebook worker stopped with exit code {proc.returncode}: "
                     f"{log.splitlines()[-1] if log else 'no message'}")
    cell, count, code = _failure(executed) if error else (None, None, None)
    page = None
    if html and executed.exists():
        page = render_html(executed, html_path=out / f"{stem}.html")
    disclosure = (check_notebook_outputs(executed) if executed.exists()
                  else pd.DataFrame(columns=PROBLEM_COLUMNS))
    return NotebookRun(name=f"{stem}.ipynb", source=source, title=title,
                       executed=executed if executed.exists() else None, html=page,
                       ok=error is None, error=error, failed_cell=cell,
                       failed_execution_count=count, failed_source=code,
                       disclosure=disclosure, log=log,
                       seconds=round(time.monotonic() - started, 1))


@positional_deprecated("data_dir", "output_dir", "parameters", "progress", "language",
                       "notebooks", "kernel_name", "timeout", "html", "workers")
def run_notebooks(notebook_dir: str | Path, *, data_dir: str | Path | None,
                  output_dir: str | Path, parameters: Mapping[str, Any] | None = None,
                  progress: bool = True, language: str = "en",
                  notebooks: Sequence[str] | None = None, kernel_name: str = KERNEL_NAME,
                  timeout: int | None = 600, html: bool = True,
                  workers: int = 2) -> list[NotebookRun]:
    """Execute every notebook of ``notebook_dir`` with papermill and render it to HTML.

    Parameters
    ----------
    notebook_dir : str or pathlib.Path
        Folder with the ``.ipynb`` files; they run in name order.
    data_dir : str, pathlib.Path or None
        Passed to each notebook as ``data_dir`` (absolute path; None lets the notebook
        simulate its own data).
    output_dir : str or pathlib.Path
        Receives ``<stem>.html``, the executed ``notebooks/<name>.ipynb`` and, as the
        notebooks' own ``output_dir`` parameter, ``results/`` (their figures and tables).
    parameters : mapping, optional
        Further parameters for every notebook (e.g. ``{"seed": 1}``); they override the
        defaults above.
    progress : bool, default True
        Show a tqdm progress bar (on stderr).
    language : {"en", "nl"}
        Passed as the ``language`` parameter.
    notebooks : sequence of str, optional
        Only these file names (default: all).
    kernel_name : str, default "python3"
        Jupyter kernel; ``python3`` runs ``sys.executable``.
    timeout : int or None, default 600
        Seconds a single cell may run.
    html : bool, default True
        Render each executed notebook to HTML.
    workers : int, default 2
        Notebooks executed at the same time (each in its own kernel process); results keep
        the name order.

    Returns
    -------
    list of NotebookRun
        One per notebook, in order; failures are recorded, not raised.

    Raises
    ------
    ValueError
        When ``notebook_dir`` holds no notebooks, ``notebooks`` names a file that is not
        there, or ``language`` is not a known language.

    Examples
    --------
    Not run as a doctest (``+SKIP``): each notebook starts a Jupyter kernel in a worker
    process, which takes 10 s or more even for the one-line notebook below, too slow for the
    test suite. The output shown is that of a run on 2026-12-02. The second call adds a
    notebook that fails; its run names the failing cell (its source position, the
    ``In [n]`` count of the executed copy, where papermill's injected parameters cell comes
    first) instead of raising.

    >>> import tempfile  # doctest: +SKIP
    >>> import nbformat  # doctest: +SKIP
    >>> v4 = nbformat.v4  # doctest: +SKIP
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     folder = Path(tmp) / "notebooks"
    ...     folder.mkdir()
    ...     nbformat.write(v4.new_notebook(cells=[
    ...         v4.new_markdown_cell("# Tiny"),
    ...         v4.new_code_cell("language = 'en'", metadata={"tags": ["parameters"]}),
    ...         v4.new_code_cell("print(1 + 1)")]), folder / "01_tiny.ipynb")
    ...     runs = run_notebooks(folder, data_dir=None, output_dir=Path(tmp) / "report",
    ...                          progress=False)
    ...     print([(r.message, r.title, r.html.name) for r in runs])
    ...     print(sorted(p.relative_to(Path(tmp) / "report").as_posix()
    ...                  for p in (Path(tmp) / "report").rglob("*")))
    ...     nbformat.write(v4.new_notebook(cells=[v4.new_code_cell("x = 1"),
    ...                                           v4.new_code_cell("1 / 0")]),
    ...                    folder / "02_fails.ipynb")
    ...     runs = run_notebooks(folder, data_dir=None, output_dir=Path(tmp) / "report",
    ...                          progress=False)
    ...     print([r.message for r in runs])
    [('01_tiny.ipynb ok', 'Tiny', '01_tiny.html')]
    ['01_tiny.html', 'notebooks', 'notebooks/01_tiny.ipynb']
    ['01_tiny.ipynb ok', '02_fails.ipynb failed in cell 2 (In [3]): `1 / 0` — ZeroDivisionError: division by zero']
    """
    from tqdm import tqdm

    check_language(language)
    out = Path(output_dir).resolve()
    files = [p.resolve() for p in find_notebooks(notebook_dir)]
    if notebooks is not None:
        unknown = sorted(set(notebooks) - {p.name for p in files})
        if unknown:
            raise ValueError(f"notebooks {unknown} are not in {notebook_dir}; available: "
                             f"{[p.name for p in files]}")
        files = [p for p in files if p.name in set(notebooks)]
    if not files:
        raise ValueError(f"no notebooks (*.ipynb) in {notebook_dir}")
    params: dict[str, Any] = {
        "data_dir": str(Path(data_dir).resolve()) if data_dir is not None else None,
        "output_dir": str(out / "results"),
        "language": language,
        **dict(parameters or {}),
    }
    from concurrent.futures import ThreadPoolExecutor

    def one(path: Path) -> NotebookRun:
        return run_notebook(path, output_dir=out, parameters=params, kernel_name=kernel_name,
                            timeout=timeout, html=html)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        runs = list(tqdm(pool.map(one, files), total=len(files), desc="notebooks", unit="nb",
                         disable=not progress, file=sys.stderr))
    return runs


@positional_deprecated("path", "data_source", "version", "language", "title")
def make_index_html(runs: Sequence[NotebookRun], *, path: str | Path, data_source: str,
                    version: str | None = None, language: str = "en",
                    title: str | None = None) -> Path:
    """Write ``index.html`` linking every rendered notebook.

    Parameters
    ----------
    runs : sequence of NotebookRun
        The runs of :func:`run_notebooks`, listed in this order.
    path : str or pathlib.Path
        The index file (its folder is created when missing); links are relative to its
        folder.
    data_source : str
        Where the data came from (a folder, or "simulated cohorts ...").
    version : str, optional
        Package version (default: ``kow_research.__version__``).
    language : {"en", "nl"}, default "en"
        Language of the page's texts.
    title : str, optional
        Page title (default "kow_research report", in ``language``).

    Returns
    -------
    pathlib.Path
        ``path``: one list item per run with a link to its HTML page (when rendered) and
        its status (ok, or what failed).

    Raises
    ------
    ValueError
        When ``language`` is not a known language.

    Examples
    --------
    An index of two runs made by hand (no notebook is executed): one rendered, one that
    failed.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     runs = [NotebookRun(name="01_flow.ipynb", source=Path(tmp) / "01_flow.ipynb",
    ...                         title="Participant flow", html=Path(tmp) / "01_flow.html"),
    ...             NotebookRun(name="02_ladder.ipynb", source=Path(tmp) / "02_ladder.ipynb",
    ...                         title="Ladder", ok=False, error="ValueError: no waves",
    ...                         failed_cell=3)]
    ...     index = make_index_html(runs, path=Path(tmp) / "index.html",
    ...                             data_source="simulated cohorts", version="0.2.0")
    ...     page = index.read_text(encoding="utf-8").splitlines()
    >>> for line in page:
    ...     if line.startswith(("<title>", "<p>", "<li>")):
    ...         print(line)
    <title>kow_research report</title>
    <p>Data source: simulated cohorts<br>Package version: kow_research 0.2.0</p>
    <li><code>01_flow.ipynb</code> — <a href="01_flow.html">Participant flow</a> <span class="ok">(ok)</span></li>
    <li><code>02_ladder.ipynb</code> — Ladder <span class="failed">(failed: 02_ladder.ipynb failed in cell 3 — ValueError: no waves)</span></li>
    """
    if version is None:
        version = __version__
    check_language(language)
    index = Path(path)
    index.parent.mkdir(parents=True, exist_ok=True)
    heading = title or text("report_title", language)
    items = []
    for run in runs:
        label = html.escape(run.title)
        if run.html is not None:
            try:
                href = run.html.resolve().relative_to(index.parent.resolve()).as_posix()
            except ValueError:
                href = run.html.resolve().as_uri()
            label = f'<a href="{html.escape(href)}">{label}</a>'
        status = (text("ok", language) if run.passed
                  else f"{text('failed', language)}: {html.escape(run.message)}")
        css = "ok" if run.passed else "failed"
        items.append(f'<li><code>{html.escape(run.name)}</code> — {label} '
                     f'<span class="{css}">({status})</span></li>')
    page = "\n".join([
        "<!doctype html>", f'<html lang="{language}">', "<head>", '<meta charset="utf-8">',
        f"<title>{html.escape(heading)}</title>",
        "<style>body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.5}"
        ".failed{color:#b00}.ok{color:#070}code{color:#555}</style>",
        "</head>", "<body>", f"<h1>{html.escape(heading)}</h1>",
        f"<p>{text('data_source', language)}: {html.escape(data_source)}<br>"
        f"{text('package_version', language)}: kow_research {html.escape(str(version))}</p>",
        "<ol>", *items, "</ol>", "</body>", "</html>", ""])
    index.write_text(page, encoding="utf-8")
    return index
