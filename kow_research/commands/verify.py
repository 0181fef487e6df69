"""``kow-research verify REPORT_DIR``: re-make a report from its provenance and compare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``verify`` subcommand."""
    p = sub.add_parser(
        "verify", help="re-run a report from its provenance.json and compare every file",
        description="Re-run the report in REPORT_DIR with the recorded parameters, seed and "
        "notebooks, and say whether every table, figure and page is byte-identical; names the "
        "changed inputs and the outputs that differ. Exit code 0 identical, 1 not identical, "
        "2 unusable input.")
    p.add_argument("report", metavar="REPORT_DIR")
    p.add_argument("--data", metavar="DIR",
                   help="the study folder the report was made from (not for simulated data)")
    p.add_argument("--notebooks", metavar="DIR",
                   help="folder of notebooks (default: the repository's notebooks/)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``verify``; return the exit code."""
    from kow_research.commands.report import default_notebook_dir
    from kow_research.report.verify import verify_report

    notebook_dir = Path(args.notebooks) if args.notebooks else default_notebook_dir()
    if notebook_dir is None:
        print("kow-research verify: no notebooks folder found; pass --notebooks DIR",
              file=sys.stderr)
        return 2
    try:
        result = verify_report(args.report, data=args.data, notebook_dir=notebook_dir)
    except (ValueError, OSError) as exc:
        print(f"kow-research verify: {exc}", file=sys.stderr)
        return 2
    for line in result.lines():
        print(line)
    return 0 if result.identical else 1
