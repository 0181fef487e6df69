"""Refuse files that may hold private data (a pre-commit hook; standard library only).

Programme records are special-category personal data and never enter the repository; only
simulated data does. A commit is refused when it adds

* a data file — ``*.sav``, ``*.xlsx``, ``*.parquet``, ``*.csv`` — outside the folders that hold
  simulated or reference data (``tests/``, ``benchmarks/``, ``validation/``,
  ``data_dictionary/``), or
* a file containing a Dutch citizen service number (BSN): a stand-alone 9-digit number
  d1 ... d9 that passes the 11-test, 9*d1 + 8*d2 + ... + 2*d8 - d9 = 0 (mod 11).
  Decimal fractions (``0.123456789``), longer digit runs and digits inside words or hashes are
  not BSN-like; notebook images are not scanned.

A number that only looks like a BSN (a seed, an identifier in simulated data) can be committed
after review with ``SKIP=private-data git commit ...``; better, change it.

Usage: ``python tools/check_private_data.py FILE ...``; prints one line per problem and exits 1
when there is any.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

#: extensions of data files that must not be committed outside DATA_FOLDERS
DATA_EXTENSIONS = (".sav", ".xlsx", ".parquet", ".csv")
#: top-level folders whose data files are simulated or reference data
DATA_FOLDERS = ("tests", "benchmarks", "validation", "data_dictionary")
#: a stand-alone run of exactly nine digits (not part of a word, a longer number or a decimal)
BSN_LIKE = re.compile(r"(?<![\w])(?<!\d\.)(\d{9})(?![\w])(?!\.\d)")
#: bytes read to decide whether a file is binary
SNIFF = 8192


def passes_eleven_test(digits: str) -> bool:
    """Whether nine digits pass the BSN 11-test (``000000000`` does not count)."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    total = sum((9 - i) * int(d) for i, d in enumerate(digits[:8])) - int(digits[8])
    return total % 11 == 0


def bsn_like(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, number)`` of every BSN-like number in ``text``."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in BSN_LIKE.finditer(line):
            if passes_eleven_test(match.group(1)):
                yield number, match.group(1)


def _notebook_text(text: str) -> str:
    """A notebook without its image and PDF outputs (base64 data is not text to scan)."""
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError:
        return text
    for cell in notebook.get("cells", []) if isinstance(notebook, dict) else []:
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict):
                for mime in [m for m in data if m.startswith("image/") or m == "application/pdf"]:
                    data.pop(mime)
    return json.dumps(notebook, indent=1, ensure_ascii=False)


def data_file_problem(name: str) -> str | None:
    """Why a data file may not be committed at ``name`` (a path relative to the repository)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.suffix.lower() not in DATA_EXTENSIONS:
        return None
    if path.parts and path.parts[0] in DATA_FOLDERS:
        return None
    return (f"{name}: {path.suffix.lower()} data file outside {', '.join(DATA_FOLDERS)}; real "
            "programme data never goes into the repository (simulated data belongs in tests/)")


def problems(name: str) -> list[str]:
    """Every reason to refuse the file ``name``."""
    found = []
    problem = data_file_problem(name)
    if problem:
        found.append(problem)
    try:
        raw = Path(name).read_bytes()
    except OSError as exc:
        return [*found, f"{name}: cannot be read ({exc})"]
    if b"\0" in raw[:SNIFF]:
        return found                                    # binary: not scanned for numbers
    text = raw.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        text = _notebook_text(text)
    for line, number in bsn_like(text):
        where = f"{name}" if name.endswith(".ipynb") else f"{name} line {line}"
        found.append(f"{where}: {number} is a 9-digit number that passes the BSN 11-test")
    return found


def main(argv: list[str]) -> int:
    """Check every file named in ``argv``; return the exit code."""
    found = [message for name in argv for message in problems(name)]
    for message in found:
        print(message)
    if found:
        print("Remove the data (or the number). A reviewed false positive can be committed "
              "with SKIP=private-data.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
