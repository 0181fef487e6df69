"""``kow-research codebook``: refresh ``data_dictionary/`` (schema copies and CODEBOOK.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kow_research.data.codebook import stale_files, write_dictionary


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``codebook`` subcommand."""
    p = sub.add_parser("codebook", help="write data_dictionary/ (schemas and CODEBOOK.md)",
                       description="Write copies of the packaged schemas and the generated "
                       "CODEBOOK.md into OUT; with --check only report whether OUT is current.")
    p.add_argument("--out", default="data_dictionary", help="folder (default data_dictionary)")
    p.add_argument("--check", action="store_true", help="exit 1 if OUT is not current")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``codebook``; return the exit code."""
    if args.check:
        stale = stale_files(args.out)
        for name in stale:
            print(f"{args.out}/{name} is not current; run `kow-research codebook`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_dictionary(args.out):
        print(path)
    return 0
