"""``kow-research report``: turn a study into a report folder.

Without ``--data`` the default cohorts are simulated into a temporary folder (removed
afterwards; the report says on every page that the data are simulated). The study's
``study.yaml`` says which programme is evaluated against which comparators, the waves, the
outcome definitions, the covariates, the disclosure threshold and the language; ``--param
key=value`` overrides any entry for this run (``--param time_to_work.dropout=censor``).

The report folder holds ``index.html`` (start here), ``summary.html``/``.docx``/``.pdf``, one
code-free page per analysis, ``notebooks/`` (the executed notebooks), ``results/`` (figures as
PNG and SVG, tables as CSV and XLSX), ``tables/`` (aggregate tables) and ``provenance.json``.
It is built aside and swapped in only when complete; a folder holding other files is refused
without ``--force``.

Exit codes: 0 done; 1 validation errors, a failed analysis, an analysis withheld by the
disclosure check, or a hidden count that the disclosure ledger can recover from the published
tables (then no report is written and the previous one stays); 2 unusable input (unreadable data, a design that does not fit, a folder that
cannot be written).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from kow_research.data.study_design import DesignError, parse_overrides
from kow_research.data.validate import ValidationError


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
        "report", help="turn a study (or the simulated cohorts) into a report folder",
        description=(__doc__ or "").split("\n\n", 1)[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", metavar="DIR", help="a study folder (default: simulate the "
                   "default cohorts in a temporary folder)")
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="report folder (default: reports)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="override a study.yaml entry for this run (repeatable; dotted keys "
                        "for nested entries)")
    p.add_argument("--language", choices=("en", "nl"),
                   help="report language (default: study.yaml's)")
    p.add_argument("--k", type=int, metavar="N",
                   help="disclosure threshold: counts of fewer than N people are not shown "
                        "(default: study.yaml's disclosure.k, else 5)")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulated cohorts")
    p.add_argument("--notebooks", metavar="DIR",
                   help="folder of notebooks to run (default: the repository's notebooks/)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks")
    p.add_argument("--force", action="store_true",
                   help="replace --out even when it holds files that are not a report")
    p.add_argument("--timeout", type=int, default=600,
                   help="seconds a notebook cell may run (default: 600)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``report``; return the exit code."""
    from kow_research.report.build import build_report
    from kow_research.report.folder import ReportFolderError
    from kow_research.report.notebook_check import DisclosureError

    # the kernels talk to this process over localhost only; their transport warnings
    # ("... without encryption") are about that local socket and only alarm readers
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    notebook_dir = Path(args.notebooks) if args.notebooks else default_notebook_dir()
    if notebook_dir is None or not notebook_dir.is_dir():
        print("kow-research report: no notebooks folder found; pass --notebooks DIR",
              file=sys.stderr)
        return 2
    try:
        overrides = parse_overrides(args.param)
    except DesignError as exc:
        print(f"kow-research report: {exc}", file=sys.stderr)
        return 2
    if args.language:
        overrides["language"] = args.language
    if args.k is not None:
        overrides["disclosure.k"] = args.k
    source = args.data or "simulated cohorts"
    print(f"kow-research report: {Path(source).name if args.data else source} → "
          f"{Path(args.out).name}/")
    started = time.monotonic()
    try:
        result = build_report(args.out, data=args.data, seed=args.seed, overrides=overrides,
                              notebook_dir=notebook_dir, only=args.only, force=args.force,
                              timeout=args.timeout)
    except ValidationError as exc:
        print(f"kow-research report: {Path(args.data).name} has validation errors (run "
              f"`kow-research validate {args.data}` for the full list):\n{exc}",
              file=sys.stderr)
        return 1
    except DisclosureError as exc:
        # the disclosure ledger found a recoverable hidden count: nothing was published
        print(f"kow-research report: {exc}", file=sys.stderr)
        return 1
    except (DesignError, ReportFolderError, ValueError, OSError) as exc:
        print(f"kow-research report: {exc}", file=sys.stderr)
        return 2
    for message in result.messages:
        print(message, file=sys.stderr)
    out = result.out
    # a withheld notebook counts as withheld only (it ran, but is not in the report)
    shown = [r for r in result.runs if r.name not in result.withheld]
    ok = sum(1 for r in shown if r.ok)
    na = sum(1 for r in shown if r.not_applicable)
    print(f"{ok} analyses ok, {na} not applicable, "
          f"{len(shown) - ok - na} failed, {len(result.withheld)} withheld "
          f"({time.monotonic() - started:.0f} s)")
    print(f"  start here:  {out / 'index.html'}")
    print(f"  summary:     {out / 'summary.html'} (.docx, .pdf)")
    print(f"  figures and tables: {out / 'results'}/  aggregate tables: {out / 'tables'}/")
    return result.exit_code
