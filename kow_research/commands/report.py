"""``kow-research report``: build the report folder (simulated cohorts unless --data is given)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kow_research.data.io import load_study, write_study
from kow_research.data.validate import ValidationError, validate
from kow_research.report.summary import write_summary
from kow_research.synthetic.combine import simulate_studies


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand."""
    p = sub.add_parser("report", help="build the report folder (HTML and CSV tables)",
                       description="Without --data, simulate the default cohorts (KOW 115, IPS "
                       "70, TAU 81, GOW 60; seed 1) into OUT/data; load and validate the study; "
                       "write aggregate outcome tables and an HTML summary into OUT.")
    p.add_argument("--data", metavar="DIR", help="a study folder (default: simulate)")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulated cohorts")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``report``; return the exit code."""
    out = Path(args.out)
    data = Path(args.data) if args.data else out / "data"
    if not args.data:
        write_study(simulate_studies(seed=args.seed), data, format="csv")
        print(f"simulated the default cohorts into {data}")
    try:
        study = load_study(data)
    except ValidationError as exc:
        print(f"kow-research report: {data} has validation errors:\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kow-research report: {exc}", file=sys.stderr)
        return 2
    report = validate(study)
    for path in write_summary(study, report, out / "tables"):
        print(path)
    return 0
