"""``kow-research pseudonymise DIR --key-file F --out DIR2``: replace source ids by pseudonyms.

Reads the four tables of DIR exactly as they are (no validation, nothing dropped), refuses
Dutch citizen service numbers (BSN) in any column other than ``participant_id``, replaces
``participant_id`` in every table by its keyed hash (HMAC-SHA256, see
:mod:`kow_research.data.pseudonymise`) and writes the tables as CSV to DIR2, with
``study.yaml`` copied and ``pseudonymisation.json`` recording the method and the key's
fingerprint. The key comes from a file outside the repository (``--key-file``) or from an
environment variable (``--key-env NAME``), never from the command line itself. The table from
source id to pseudonym is written only with ``--keep-table`` (outside any repository or report
folder). Exit codes: 0 done, 1 a BSN was found, 2 wrong input.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from kow_research.data.io import read_tables, write_study
from kow_research.data.pseudonymise import (
    DEFAULT_ENV,
    DEFAULT_LENGTH,
    DEFAULT_PREFIX,
    BSNError,
    pseudonymise,
    read_key,
)

#: files of a study folder that are copied as they are (they hold no person-level data)
COPIED = ("study.yaml", "mapping.yaml")
RECORD = "pseudonymisation.json"


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``pseudonymise`` subcommand."""
    p = sub.add_parser("pseudonymise", help="replace participant ids by keyed pseudonyms",
                       description=(__doc__ or "").split("\n\n", 1)[-1])
    p.add_argument("path", metavar="DIR", help="study folder (or Excel workbook) to read")
    p.add_argument("--out", required=True, metavar="DIR2",
                   help="new folder for the pseudonymised tables (must not exist or be empty)")
    key = p.add_mutually_exclusive_group(required=True)
    key.add_argument("--key-file", metavar="F",
                     help="file holding the secret key (outside the repository)")
    key.add_argument("--key-env", metavar="NAME", nargs="?", const=DEFAULT_ENV,
                     help=f"read the key from environment variable NAME (default {DEFAULT_ENV})")
    p.add_argument("--keep-table", metavar="T",
                   help="also write the source-id-to-pseudonym table to CSV file T (keep it "
                        "with the source data; refused inside a repository or report folder)")
    p.add_argument("--prefix", default=DEFAULT_PREFIX,
                   help=f"text before the hex digits (default {DEFAULT_PREFIX!r})")
    p.add_argument("--length", type=int, default=DEFAULT_LENGTH,
                   help=f"hex digits of a pseudonym, 8-64 (default {DEFAULT_LENGTH})")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``pseudonymise``; return the exit code."""
    source, out = Path(args.path), Path(args.out)
    name = "kow-research pseudonymise"
    try:
        if out.resolve() == source.resolve() or source.resolve() in out.resolve().parents:
            raise ValueError(f"--out {out.name} lies in the source folder {source.name}; write "
                             "the pseudonymised tables to a folder of their own")
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise ValueError(f"--out {out.name} exists and is not an empty folder; choose a "
                             "new folder (nothing is overwritten)")
        key = read_key(key_file=args.key_file, env=args.key_env)
        study = read_tables(source)
        result = pseudonymise(study, key=key, prefix=args.prefix, length=args.length,
                              keep_table=args.keep_table)
    except BSNError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    write_study(result, out, format="csv")
    folder = source if source.is_dir() else source.parent
    for file in COPIED:
        if (folder / file).is_file():
            shutil.copy2(folder / file, out / file)
    record = result.meta["pseudonymisation"]
    (out / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if source.is_dir() and (source / "import_log.csv").is_file():
        print("import_log.csv is not copied: it can hold source values", file=sys.stderr)
    kept = f"; key table in {Path(args.keep_table).name}" if args.keep_table else ""
    print(f"{record['n_ids']:,} participant ids replaced in the four tables (HMAC-SHA256, key "
          f"fingerprint {record['key_fingerprint']}){kept}; written to {out.name}/")
    return 0
