"""Build a report folder from a study (or simulated cohorts): what ``kow-research report`` does.

1. **Inputs.** A study folder is loaded and validated and its ``study.yaml`` read; without
   one the default cohorts are simulated into a temporary folder outside the report (removed
   afterwards: simulated rows of people are never left in a report folder, and a user's files
   are never written over). ``--param`` overrides, the language and ``--k`` are applied to the
   design, which is then resolved against the data.
2. **Notebooks.** Every notebook runs in its own kernel in a worker process, two at a time; a
   notebook with a ``comparator`` parameter runs once per comparator of the design. One line
   per notebook is printed as it finishes (name, status, seconds). A notebook whose analysis
   does not apply says so and is listed as "not applicable", not as failed.
3. **Checks.** Absolute paths are removed from the executed notebooks (only folder names
   remain), run times and random ids too; the leak scanner then reads every output and
   markdown cell: a notebook that shows individual people is withheld — not rendered, not
   linked, its executed copy removed — and the report exits 1 naming the cell.
4. **Pages and documents.** Each notebook becomes a code-free offline page; the summary report
   is written as HTML, Word and PDF; ``tables/`` receives the aggregate tables; ``index.html``
   links everything with the provenance block; ``provenance.json`` records how to make the
   report again (``kow-research verify``).
5. **Disclosure ledger.** Every table a notebook publishes through
   :meth:`~kow_research.report.notebook.NotebookContext.table`, and the tables of ``tables/``,
   are recorded (:mod:`kow_research.report.ledger_sidecar`, in the build's private temporary
   folder) and checked together by one
   :class:`~kow_research.report.ledger.DisclosureLedger`: when a hidden count can be recovered
   the build stops with :class:`~kow_research.report.notebook_check.DisclosureError` naming the
   file and cell, and the previous report stays; otherwise what was checked is recorded in
   ``provenance.json`` (``disclosure_ledger``).

Everything is written into a temporary sibling of the report folder and swapped in only when
complete (:func:`kow_research.report.folder.building`).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.core.reproducible import clean_notebook
from kow_research.data.io import load_study, write_study
from kow_research.data.study import Study
from kow_research.data.study_design import StudyDesign, load_design, write_design
from kow_research.data.validate import validate
from kow_research.report import provenance as prov
from kow_research.report.execute import (
    _PAPERMILL_TAGS,
    NotebookRun,
    find_notebooks,
    run_notebook,
)
from kow_research.report.folder import building
from kow_research.report.leaks import quarantine, scan_notebook
from kow_research.report.ledger_sidecar import (
    LEDGER_DIR,
    LEDGER_SOURCE,
    ledger_from,
    ledger_summary,
    read_registrations,
    record_table,
    with_ledger,
)
from kow_research.report.notebook_check import DisclosureError
from kow_research.report.pages import Entry, title_of, write_index, write_notebook_page
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import Mean, Partition
from kow_research.synthetic.combine import simulate_studies
from kow_research.synthetic.designs import simulation_design

#: what a finished report prints per notebook
STATUS_WORDS = {"ok": "ok", "not_applicable": "not applicable", "failed": "FAILED",
                "withheld": "WITHHELD"}


#: captions of the aggregate tables in tables/ (en, nl)
TABLE_CAPTIONS: dict[str, dict[str, str]] = {
    lang: {f"tables/{stem}": text[i] for stem, text in {
        "validation_counts": ("Validation problems by table and rule",
                              "Controleproblemen per tabel en regel"),
        "attrition_by_dropout_strategy": ("Participant flow under each dropout strategy",
                                          "Deelnemersstroom per uitvalstrategie"),
        "ladder_by_wave": ("Participation ladder by wave: assessed, not assessed, mean rung",
                           "Participatieladder per meting: gemeten, niet gemeten, gemiddelde "
                           "trede"),
        "training_dose": ("Sessions attended per programme",
                          "Bijgewoonde bijeenkomsten per programma"),
    }.items()} for i, lang in enumerate(("en", "nl"))}

#: captions of exported files whose notebook writes them without one (en, nl)
RESULT_CAPTIONS: dict[str, dict[str, str]] = {
    lang: {f"results/{stem}": text[i] for stem, text in {
        "02_table1": ("Table 1: characteristics at the start, by programme",
                      "Tabel 1: kenmerken bij de start, per programma"),
    }.items()} for i, lang in enumerate(("en", "nl"))}


@dataclass(frozen=True)
class Job:
    """One notebook run: the source, the name of its outputs and its own parameters."""

    source: Path
    stem: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildResult:
    """What a report build did.

    Attributes
    ----------
    out : pathlib.Path
        The report folder.
    runs : list of NotebookRun
    withheld : tuple of str
        Notebooks the leak scanner withheld.
    messages : list of str
        Problems to show the user (failures, withheld cells).
    files : dict
        ``summary``, ``results``, ``tables`` and ``index`` paths.
    """

    out: Path
    runs: list[NotebookRun]
    withheld: tuple[str, ...]
    messages: list[str]
    files: dict[str, Path]

    @property
    def exit_code(self) -> int:
        """0 when every notebook ran (or does not apply) and none was withheld, else 1."""
        failed = [r for r in self.runs if not (r.ok or r.not_applicable)]
        return 1 if failed or self.withheld else 0


def per_comparator(path: Path) -> bool:
    """Whether a notebook runs once per comparator: its metadata says
    ``{"kow_research": {"per_comparator": true}}`` (and it has a ``comparator`` parameter)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return bool(nb.get("metadata", {}).get("kow_research", {}).get("per_comparator", False))


def plan(notebook_dir: str | Path, *, design: StudyDesign,
         only: Sequence[str] | None = None) -> list[Job]:
    """The notebook runs of a report: each notebook once, a comparison notebook
    (:func:`per_comparator`) once per comparator of the design.

    Parameters
    ----------
    notebook_dir : str or pathlib.Path
    design : StudyDesign
        Resolved.
    only : sequence of str, optional
        File names (or stems) of the notebooks to run.

    Returns
    -------
    list of Job

    Raises
    ------
    ValueError
        ``only`` names a notebook that is not there.
    """
    files = find_notebooks(notebook_dir)
    if only:
        wanted = {Path(n).stem for n in only}
        unknown = sorted(wanted - {p.stem for p in files})
        if unknown:
            raise ValueError(f"--only {unknown}: no such notebooks in {Path(notebook_dir).name}; "
                             f"available: {[p.stem for p in files]}")
        files = [p for p in files if p.stem in wanted]
    jobs = []
    for path in files:
        if per_comparator(path) and design.comparators:
            for c in design.comparators:
                safe = re.sub(r"[^A-Za-z0-9_-]+", "-", c).strip("-") or "comparator"
                jobs.append(Job(path, f"{path.stem}_{safe}", {"comparator": c}))
        else:
            jobs.append(Job(path, path.stem))
    return jobs


def _scrub(executed: Path, replacements: Mapping[str, str]) -> None:
    """Rewrite an executed notebook without absolute paths, run times or random ids."""
    text = executed.read_text(encoding="utf-8")
    for old, new in sorted(replacements.items(), key=lambda kv: -len(kv[0])):
        if old:
            text = text.replace(json.dumps(old)[1:-1], new)
    # ids of cells papermill added are derived from their (now path-free) source
    nb = clean_notebook(json.loads(text))
    executed.write_text(json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")


def _install_folders(notebook_dir: str | Path) -> list[Path]:
    """The absolute folders an executed notebook may name besides the report's own: the
    notebooks' folder (papermill's ``input_path``) and, in tracebacks, the package's parent
    (the repository or ``site-packages``), the environment and the Python installation."""
    found = [Path(notebook_dir).absolute(), Path(__file__).absolute().parents[2],
             Path(sys.prefix), Path(sys.base_prefix)]
    # as written and with links resolved; never the root folder itself
    return [q for p in found for q in (p, p.resolve()) if q.name]


def _inputs(data: Path | None, *, seed: int, workdir: Path, overrides: Mapping[str, Any]
            ) -> tuple[Study, StudyDesign, Path, bool]:
    if data is None:
        study = simulate_studies(seed=seed)
        design = simulation_design(study, seed=seed)
        folder = workdir / "simulated_study"
        write_study(study, folder, format="csv")
        write_design(design, folder)
        simulated = True
    else:
        study = load_study(data)
        design = load_design(data)
        folder = data
        simulated = bool(design.get("simulated", False))
    if overrides:
        design = design.with_overrides(overrides)
    design = design.resolve(study.participants, study.ladder, study.sessions)
    return study, design, folder, simulated


def build_report(out: str | Path, *, data: str | Path | None = None, seed: int = 1,
                 overrides: Mapping[str, Any] | None = None,
                 notebook_dir: str | Path, only: Sequence[str] | None = None,
                 force: bool = False, timeout: int = 600, workers: int = 2,
                 echo: Callable[[str], None] = print) -> BuildResult:
    """Build the report folder ``out`` (see the module docstring).

    Parameters
    ----------
    out : str or pathlib.Path
        The report folder (replaced only when the new report is complete).
    data : str or pathlib.Path, optional
        A study folder; default the simulated cohorts.
    seed : int, default 1
        Seed of the simulated cohorts.
    overrides : mapping, optional
        Design entries for this run (dotted keys; ``language``, ``disclosure.k`` ...).
    notebook_dir : str or pathlib.Path
        The analysis notebooks.
    only : sequence of str, optional
        Run only these notebooks.
    force : bool, default False
        Replace an ``out`` that holds files other than a previous report.
    timeout : int, default 600
        Seconds a cell may run.
    workers : int, default 2
        Notebooks run at the same time.
    echo : callable, default print
        Receives one line per finished notebook.

    Returns
    -------
    BuildResult

    Raises
    ------
    kow_research.data.ValidationError
        The study has validation errors.
    kow_research.data.study_design.DesignError
        The design does not fit the data.
    kow_research.report.folder.ReportFolderError
        ``out`` cannot be used.
    """
    from kow_research.report.summary import write_summary
    from kow_research.report.summary_report import write_summary_report

    started = prov.now()
    overrides = dict(overrides or {})
    data_path = None if data is None else Path(data)
    with tempfile.TemporaryDirectory(prefix="kow-report-") as tmp, \
            building(out, force=force) as work:
        study, design, folder, simulated = _inputs(data_path, seed=seed, workdir=Path(tmp),
                                                   overrides=overrides)
        lang = design.language
        policy = DisclosurePolicy.from_design(design)
        jobs = plan(notebook_dir, design=design, only=only)
        results = work / "results"
        results.mkdir()
        params = {"data_dir": str(folder.resolve()), "output_dir": str(results),
                  "language": lang, "seed": seed, "design_overrides": overrides}
        # the notebooks record their published tables here (outside the report folder)
        registrations = Path(tmp) / "ledger"
        runs: dict[str, NotebookRun] = {}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(run_notebook, job.source, output_dir=work,
                                   parameters={**params, **job.parameters}, timeout=timeout,
                                   html=False, name=job.stem,
                                   env={LEDGER_DIR: str(registrations),
                                        LEDGER_SOURCE: job.stem}): job for job in jobs}
            for future in as_completed(futures):
                run = future.result()
                runs[futures[future].stem] = run
                status = ("ok" if run.ok else "not_applicable" if run.not_applicable
                          else "failed")
                echo(f"  {run.name:<40} {STATUS_WORDS[status]:<15} {run.seconds:6.1f} s")
        ordered = [runs[j.stem] for j in jobs]
        replacements = {str(results): "results", str(work): ".",
                        str(folder.resolve()): "simulated study" if simulated else folder.name,
                        str(Path(tmp)): ".",
                        # papermill's input_path; traceback frames of the package, the
                        # environment and the interpreter: their folder names only
                        **{str(p): p.name for p in _install_folders(notebook_dir)}}
        for run in ordered:
            if run.executed is not None:
                _scrub(run.executed, replacements)
        executed = [r.executed for r in ordered if r.executed is not None]
        sizes = sorted({int(n) for n in study.participants["cohort"].value_counts()}
                       | {len(study.participants)})
        problems = scan_notebook(work / "notebooks", policy=policy, study_size=sizes) \
            if executed else None
        if problems is not None and len(problems):
            problems["cell"] = [_source_cell(work / "notebooks" / n, c)
                                for n, c in zip(problems["notebook"], problems["cell"],
                                                strict=True)]
        q = quarantine(problems, notebooks=executed) if problems is not None else None
        withheld = q.quarantined if q is not None else ()
        messages = list(q.messages()) if q is not None and withheld else []
        entries = []
        for job, run in zip(jobs, ordered, strict=True):
            name = f"{job.stem}.ipynb"
            title = run.title
            if run.executed is not None:
                title = title_of(json.loads(run.executed.read_text(encoding="utf-8")),
                                 run.title)
            if name in withheld:
                if run.executed is not None:
                    run.executed.unlink()
                entries.append(Entry(title, "withheld", None, None,
                                     note=_first_problem(q, name), seconds=run.seconds))
                continue
            page = notebook = None
            if run.executed is not None:
                page = write_notebook_page(run.executed, path=work / f"{job.stem}.html",
                                           language=lang, simulated=simulated,
                                           notebook_href=f"notebooks/{name}").name
                notebook = f"notebooks/{name}"
            if run.not_applicable:
                entries.append(Entry(title, "not_applicable", page, notebook,
                                     note=run.reason, seconds=run.seconds))
            elif run.ok:
                entries.append(Entry(title, "ok", page, notebook, seconds=run.seconds))
            else:
                messages.append(run.message)
                entries.append(Entry(title, "failed", page, notebook, note=run.error or "",
                                     seconds=run.seconds))
        known = {**RESULT_CAPTIONS[lang],
                 **captions([r.executed for r in ordered
                             if r.executed is not None and r.executed.exists()])}
        tables = work / "tables"
        report = validate(study)
        write_summary(study, report=report, out=tables, policy=policy, design=design,
                      language=lang)
        _register_summary_tables(study, report=report, policy=policy, design=design,
                                 language=lang, directory=registrations)
        summary = write_summary_report(study, design=design, policy=policy, folder=work,
                                       simulated=simulated, seed=seed,
                                       ledger_dir=registrations)
        ledger = check_ledger(registrations, policy=policy, withheld=withheld)
        echo(f"  disclosure ledger: {ledger['tables_with_counts']} tables with "
             f"{ledger['count_cells']} count cells ({ledger['hidden_cells']} hidden; "
             f"{ledger['figures']} in figures), {ledger['partitions']} partitions, "
             f"{ledger['means']} means, {ledger['percentages']} percentages, "
             f"{ledger['smds']} SMDs checked: nothing recoverable")
        finished = prov.now()
        parameters = {"design": design.values, "overrides": overrides, "seed": seed,
                      "language": lang, "disclosure": policy.to_dict(),
                      "notebooks": [j.stem for j in jobs],
                      "only": list(only) if only else None,
                      "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
                      "data": "simulated" if simulated and data is None else folder.name}
        record = prov.collect(data=None if data is None else folder, parameters=parameters,
                              started=started, finished=finished,
                              simulated={"seed": seed} if data is None else None)
        provenance_rows = _provenance_rows(record, language=lang)
        write_index(work / "index.html", title=str(design["title"]), language=lang,
                    simulated=simulated, entries=entries,
                    summary=[p.name for p in summary],
                    figures=_listing(results, (".png", ".svg"), work, known),
                    tables=_listing(results, (".csv", ".xlsx"), work, known)
                    + _listing(tables, (".csv",), work, TABLE_CAPTIONS[lang]),
                    provenance=provenance_rows)
        record["disclosure_ledger"] = ledger
        record["outputs"] = prov.checksums(work)
        prov.write(record, work)
    final = Path(out)
    return BuildResult(out=final, runs=ordered, withheld=tuple(withheld), messages=messages,
                       files={"index": final / "index.html",
                              "summary": final / (summary[0].name if summary else ""),
                              "results": final / "results", "tables": final / "tables"})


def check_ledger(directory: str | Path, *, policy: DisclosurePolicy,
                 withheld: Sequence[str] = ()) -> dict[str, Any]:
    """Check every table the report publishes for hidden counts a reader can recover.

    Parameters
    ----------
    directory : str or pathlib.Path
        The build's registrations (:mod:`kow_research.report.ledger_sidecar`).
    policy : DisclosurePolicy
        The report's policy.
    withheld : sequence of str
        Notebooks withheld by the leak scan (``"02_x.ipynb"``): their tables are not
        published, so they are not checked.

    Returns
    -------
    dict
        :func:`~kow_research.report.ledger_sidecar.ledger_summary` (recorded in
        ``provenance.json``).

    Raises
    ------
    kow_research.report.notebook_check.DisclosureError
        Some hidden count can be recovered; the message names every file and cell (never the
        value) and ``problems`` lists them. The report is then not published.
    """
    gone = {Path(w).stem for w in withheld}
    lines = [r for r in read_registrations(directory) if r.get("source") not in gone]
    problems = ledger_from(lines, policy=policy).check()
    if len(problems):
        cells = "; ".join(f"{r['file']} ({r['table']}) row {r['row']!r}, column "
                          f"{r['column']!r}: {r['mechanism']} ({r['detail']})"
                          for _, r in problems.iterrows())
        raise DisclosureError(
            f"disclosure ledger: {len(problems)} hidden cell(s) of the report can be "
            f"recovered from what it publishes — {cells}. The report was not written (the "
            "previous one is unchanged); hide more cells or publish fewer digits and run "
            "the report again", problems.drop(columns="recovered"))
    return ledger_summary(lines, problems=problems)


def _register_summary_tables(study: Study, *, report: Any, policy: DisclosurePolicy,
                             design: StudyDesign, language: str, directory: Path) -> None:
    """Record the aggregate tables of ``tables/`` (as :func:`write_summary` writes them) for
    the ledger."""
    from kow_research.report.summary import disclosed_tables

    record_table(report.counts(), file="tables/validation_counts.csv",
                 table="validation_counts", directory=directory, source="tables")
    for name, t in disclosed_tables(study, policy=policy, design=design,
                                    language=language).items():
        t = t.reset_index(drop=True)
        if name == "attrition_by_dropout_strategy":
            key = t["dropout"].astype(str) + " " + t["cohort"].astype(str)
            rows = (key + " " + t["reason"].astype(str)).tolist()
            parts = []
            for flow in pd.unique(key):
                mine = [r for r, f in zip(rows, key, strict=True) if f == flow]
                stage = dict(zip(rows, t["stage"].astype(str), strict=True))
                entered = [r for r in mine if stage[r] == "entered"]
                analysed = [r for r in mine if stage[r] == "analysed"]
                if entered and analysed:
                    parts.append(Partition([(r, "n") for r in mine if stage[r] in
                                            ("excluded", "analysed")], (entered[0], "n")))
                    parts.append(Partition([(r, "n") for r in mine if stage[r] == "outcome"],
                                           (analysed[0], "n")))
            # everyone entered: the size of the cohort, published elsewhere too
            quantities = {(r, "n"): f"participants::{c}" for r, s, c in
                          zip(rows, t["stage"], t["cohort"], strict=True) if s == "entered"}
            t = with_ledger(t, rows=rows, counts=["n"], partitions=parts,
                            quantities=quantities)
        elif name == "ladder_by_wave":
            rows = (t["cohort"].astype(str) + " " + t["wave"].astype(str)).tolist()
            t = with_ledger(
                t, rows=rows, counts=["assessed", "not_assessed"],
                quantities={(r, "assessed"): f"ladder::{r}::assessed" for r in rows},
                partitions=[Partition([(r, "assessed"), (r, "not_assessed")],
                                      f"participants::{c}")
                            for r, c in zip(rows, t["cohort"].astype(str), strict=True)],
                means=[Mean(repr(float(m)), n=(r, "assessed"), step=1.0)
                       for r, m in zip(rows, t["mean_rung"], strict=True)
                       if isinstance(m, (int, float)) and pd.notna(m)])
        elif name == "training_dose":
            rows = t["cohort"].astype(str).tolist()
            t = with_ledger(t, rows=rows, counts=["n", "completers"],
                            quantities={(r, "n"): f"dose::n::{r}" for r in rows},
                            means=[Mean(repr(float(m)), n=(r, "n"), step=1.0)
                                   for r, m in zip(rows, t["mean_attended"], strict=True)
                                   if isinstance(m, (int, float)) and pd.notna(m)])
        record_table(t, file=f"tables/{name}.csv", table=name, directory=directory,
                     source="tables")


def _source_cell(executed: Path, position: int) -> int:
    """The position in the source notebook of cell ``position`` (1-based) of its executed copy:
    the cells papermill added (the injected parameters, its error banners) are not counted,
    so that the message names the cell the author sees (the executed copy is removed)."""
    cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    added = sum(1 for cell in cells[:position - 1]
                if set(cell.get("metadata", {}).get("tags", [])) & set(_PAPERMILL_TAGS))
    return int(position) - added


def _first_problem(q: Any, name: str) -> str:
    rows = q.problems[q.problems["notebook"] == name]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    return f"cell {r['cell']}: {r['rule']}"


def captions(notebooks: Sequence[Path]) -> dict[str, str]:
    """``{"results/<stem>": caption}`` of every figure and table the notebooks exported (the
    notebooks put it in their outputs' metadata)."""
    found: dict[str, str] = {}
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                meta = output.get("metadata", {}).get("kow_research")
                if isinstance(meta, dict) and meta.get("file"):
                    found[str(meta["file"])] = str(meta.get("caption", ""))
    return found


def _listing(folder: Path, suffixes: tuple[str, ...], root: Path,
             known: Mapping[str, str]) -> list[tuple[str, str, list[str]]]:
    """(caption, stem, file names) per exported stem of ``folder``."""
    if not folder.is_dir():
        return []
    stems: dict[str, list[str]] = {}
    for p in sorted(folder.iterdir()):
        if p.suffix in suffixes:
            stems.setdefault(p.with_suffix("").relative_to(root).as_posix(), []).append(
                p.relative_to(root).as_posix())
    return [(known.get(stem, ""), stem, files) for stem, files in stems.items()]


def _provenance_rows(record: Mapping[str, Any], *, language: str) -> list[tuple[str, str]]:
    nl = language == "nl"
    sw = record["software"]
    inputs = record["inputs"]
    rows = [("Datum" if nl else "Date", str(record["started"])[:10]),
            ("Pakket" if nl else "Package", f"kow_research {sw.get('version', '')}"),
            ("Commit", f"{(sw.get('git_commit') or '–')[:12]}"
                       + (" (+ niet-vastgelegde wijzigingen)" if nl and sw.get("dirty") else
                          " (+ uncommitted changes)" if sw.get("dirty") else "")),
            ("Lock-bestand" if nl else "Lock file", str(sw.get("lock_sha256", "–"))[:16]),
            ("Gegevens" if nl else "Data",
             (f"gesimuleerd (seed {inputs['simulated'].get('seed')})" if nl else
              f"simulated (seed {inputs['simulated'].get('seed')})")
             if inputs["source"] == "simulated" else str(inputs.get("folder")))]
    for name, digest in sorted(inputs.get("files", {}).items()):
        rows.append((name, f"SHA-256 {digest[:16]}…"))
    params = record["parameters"]
    if params.get("overrides"):
        rows.append(("--param", ", ".join(f"{k}={v}" for k, v in params["overrides"].items())))
    rows.append(("provenance.json", "volledig verslag van de run" if nl
                 else "the full record of the run"))
    return rows


__all__ = ["BuildResult", "Job", "build_report", "check_ledger", "per_comparator", "plan"]
