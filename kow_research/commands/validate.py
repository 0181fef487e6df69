"""``kow-research validate DIR``: check a study folder against the data dictionary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kow_research.data.io import read_tables
from kow_research.data.validate import validate


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser("validate", help="check a study folder against the data dictionary",
                       description="Validate the tables in DIR (CSV, Excel, Parquet or SPSS). "
                       "Exit code 0 when there are no errors, 1 when there are, 2 when a file "
                       "cannot be read.")
    p.add_argument("path", metavar="DIR", help="study folder or Excel workbook")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text summary (default) or the full report as JSON")
    p.add_argument("--max-rows", type=int, default=5,
                   help="problem rows shown per rule in the text summary (default 5)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``validate``; return the exit code."""
    try:
        study = read_tables(args.path)
    except ValueError as exc:
        print(f"kow-research validate: {exc}", file=sys.stderr)
        return 2
    report = validate(study)
    if args.format == "json":
        print(report.to_json())
    else:
        print(report.summary_text(max_rows=args.max_rows))
        print("OK: no errors" if report.ok else "NOT VALID: fix the errors above")
    return 0 if report.ok else 1
