"""``kow-research report``: execute the analysis notebooks into a report folder.

Without ``--data`` the default cohorts are simulated (``kr.simulate_studies(seed=SEED)``:
KOW 115, IPS 70, TAU 81, GOW 60) and written to ``OUT/data``. The study is loaded and
validated (errors stop the report: exit 1), aggregate tables go to ``OUT/tables`` through
disclosure control, every notebook of ``notebooks/`` runs with papermill (parameters
``data_dir``, ``output_dir`` = ``OUT/results``, ``language``) into ``OUT/notebooks`` and is
rendered to ``OUT/<notebook>.html``; ``OUT/index.html`` links them. The exit code is 1 when a
notebook fails (the message names the notebook and cell) or shows individual participants.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kow_research.data.io import load_study, write_study
from kow_research.data.validate import ValidationError, validate
from kow_research.report.disclosure import DEFAULT_K
from kow_research.report.execute import make_index_html, run_notebooks
from kow_research.report.labels import text
from kow_research.report.summary import write_summary
from kow_research.synthetic.combine import simulate_studies


def default_notebook_dir() -> Path | None:
    """``notebooks/`` of the repository this package runs from, else of the working folder."""
    import kow_research

    for candidate in (Path(kow_research.__file__).resolve().parents[1] / "notebooks",
                      Path.cwd() / "notebooks"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand."""
    p = sub.add_parser(
        "report", help="execute the analysis notebooks into an HTML report folder",
        description=(__doc__ or "").split("\n\n", 1)[-1])
    p.add_argument("--data", metavar="DIR", help="a study folder (default: simulate the "
                   "default cohorts into OUT/data)")
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder (default: reports)")
    p.add_argument("--language", choices=("en", "nl"), default="en",
                   help="labels of tables and figures (default: en)")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulated cohorts")
    p.add_argument("--notebooks", metavar="DIR",
                   help="folder of notebooks to run (default: the repository's notebooks/)")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="run only these notebook file names")
    p.add_argument("--k", type=int, default=DEFAULT_K,
                   help="disclosure control: suppress table cells with fewer persons "
                        f"(default: {DEFAULT_K})")
    p.add_argument("--timeout", type=int, default=600,
                   help="seconds a notebook cell may run (default: 600)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``report``; return the exit code."""
    out = Path(args.out)
    notebook_dir = Path(args.notebooks) if args.notebooks else default_notebook_dir()
    if notebook_dir is None or not notebook_dir.is_dir():
        print("kow-research report: no notebooks folder found; pass --notebooks DIR",
              file=sys.stderr)
        return 2
    if args.data:
        data = Path(args.data)
        source = str(data.resolve())
    else:
        data = out / "data"
        write_study(simulate_studies(seed=args.seed), data, format="csv")
        source = f"{text('simulated_data', args.language, seed=args.seed)} — {data.resolve()}"
        print(f"simulated the default cohorts into {data}")
    try:
        study = load_study(data)
    except ValidationError as exc:
        print(f"kow-research report: {data} has validation errors (run `kow-research validate "
              f"{data}` for the full list):\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kow-research report: {exc}", file=sys.stderr)
        return 2
    write_summary(study, report=validate(study), out=out / "tables", k=args.k)
    try:
        runs = run_notebooks(notebook_dir, data_dir=data, output_dir=out, progress=not args.no_progress,
                             language=args.language, notebooks=args.only,
                             timeout=args.timeout)
    except ValueError as exc:
        print(f"kow-research report: {exc}", file=sys.stderr)
        return 2
    index = make_index_html(runs, path=out / "index.html", data_source=source,
                            language=args.language)
    for r in runs:
        print(r.message, file=sys.stdout if r.passed else sys.stderr)
    failed = [r for r in runs if not r.passed]
    print(f"{len(runs) - len(failed)} of {len(runs)} notebooks ok; open {index}")
    return 1 if failed else 0
