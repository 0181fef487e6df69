"""The ``kow-research`` command line.

Each subcommand lives in ``kow_research/commands/<name>.py`` and exposes
``register(subparsers) -> argparse.ArgumentParser`` whose parser sets ``func`` (called with the
parsed arguments, returning the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kow_research import __version__

# Order of appearance in ``kow-research --help``.
SUBCOMMANDS: tuple[str, ...] = ("simulate", "validate", "import_", "init_mapping", "pseudonymise",
                                 "outcomes", "report", "verify", "design", "codebook")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="kow-research",
        description="Evaluation research on return-to-work programmes (KOW, IPS, Grip Op Werk).",
    )
    parser.add_argument("--version", action="version", version=f"kow-research {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"kow_research.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
