"""``kow-research init-mapping SOURCE...``: a draft import mapping from what the files hold."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kow_research.data.importer import source_files
from kow_research.data.readers import ReadError
from kow_research.data.sniff import draft_mapping


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``init-mapping`` subcommand."""
    p = sub.add_parser("init-mapping", help="write a draft import mapping for your own files",
                       description="Read SOURCE files (CSV, Excel, SPSS .sav, Parquet), match "
                       "their columns to the data dictionary and write a draft mapping with a "
                       "comment on every line; check the lines marked CHECK, then run "
                       "`kow-research import`. Exit code 0, or 2 when a file cannot be read.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="files or folders")
    p.add_argument("--out", metavar="FILE", help="write the draft here (default: print it)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``init-mapping``; return the exit code."""
    try:
        text = draft_mapping(source_files(args.sources))
    except (ReadError, OSError) as exc:
        print(f"kow-research init-mapping: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"kow-research init-mapping: {out} exists; pass --force to overwrite it",
              file=sys.stderr)
        return 2
    out.write_text(text, encoding="utf-8")
    print(out)
    return 0
