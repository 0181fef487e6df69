"""``kow-research import SOURCE... --mapping M --out DIR``: a team's own files into a study folder."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from kow_research.data.importer import LOG_NAME, import_study, write_study_folder
from kow_research.data.mapping import MappingError
from kow_research.data.readers import ReadError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``import`` subcommand."""
    p = sub.add_parser("import", help="import your own files into a study folder with a mapping",
                       description="Read SOURCE files (CSV, Excel, SPSS .sav, Parquet) with the "
                       "mapping (see data_dictionary/MAPPING.md; `kow-research init-mapping` "
                       "writes a draft), validate them and write the study folder OUT: the four "
                       "tables as CSV, mapping.yaml and import_log.csv. Exit code 0 when the "
                       "study has no errors (it is written), 1 when it has (nothing is written), "
                       "2 when a file or the mapping cannot be read.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="files or folders")
    p.add_argument("--mapping", required=True, metavar="MAPPING", help="the mapping (YAML)")
    p.add_argument("--out", required=True, metavar="DIR", help="the study folder to write")
    p.add_argument("--force", action="store_true",
                   help="replace OUT even when it is not a study folder from an earlier import")
    p.add_argument("--max-rows", type=int, default=5,
                   help="problem rows shown per rule (default 5)")
    p.set_defaults(func=run)
    return p


def _replace(folder: Path, study: Any) -> list[Path]:
    """Write into a temporary sibling and swap it in, so OUT is never half written."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        written = write_study_folder(study, tmp)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
        tmp.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [folder / p.name for p in written]


def run(args: argparse.Namespace) -> int:
    """Run ``import``; return the exit code."""
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (
            out / LOG_NAME).is_file() and not args.force)):
        print(f"kow-research import: {out} exists and is not a study folder from an earlier "
              "import; choose another --out or pass --force", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        study = import_study(args.sources, args.mapping, strict=False)
    except (ReadError, MappingError, OSError) as exc:
        print(f"kow-research import: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = study.meta["validation"]
    log = study.meta["import_log"]
    print(report.summary_text(max_rows=args.max_rows))
    changes = log[~log["rule"].isin(["read", "rename"])].groupby("rule", sort=False)["rows"].sum()
    if len(changes):
        print("import: " + ", ".join(f"{rule} {n:,} rows" for rule, n in changes.items()))
    if not report.ok:
        print(f"NOT VALID: fix the errors above (in the files or the mapping); {out} was not "
              "written")
        return EXIT_INVALID
    try:
        written = _replace(out, study)
    except OSError as exc:
        print(f"kow-research import: cannot write {out}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for path in written:
        print(path)
    return EXIT_OK
