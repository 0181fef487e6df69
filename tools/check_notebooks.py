"""Refuse notebooks that were not executed cleanly (a pre-commit hook; standard library only).

Our notebooks are committed *with* their outputs: nbval compares every output in `make test`
and the documentation shows them. So outputs are never stripped (do not use nbstripout);
instead a commit is refused when a notebook has

* a code cell that was not executed (source but no execution count),
* an error output (a traceback), or
* output on the stderr stream (a warning, a progress bar, a log line).

Refresh the outputs with ``make notebooks`` after fixing the cause, and review the diff.

Usage: ``python tools/check_notebooks.py NOTEBOOK.ipynb ...``; prints one line per problem and
exits 1 when there is any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _first_line(text: Any, limit: int = 60) -> str:
    """First non-empty line of a notebook string (a list of lines or one string), shortened."""
    joined = "".join(text) if isinstance(text, list) else str(text or "")
    line = next((ln.strip() for ln in joined.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def problems(path: str | Path) -> list[str]:
    """Every reason to refuse the notebook at ``path``, as messages naming file and cell."""
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot be read ({exc})"]
    except json.JSONDecodeError as exc:
        return [f"{path}: not valid notebook JSON (line {exc.lineno}: {exc.msg})"]
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return [f"{path}: not a notebook (no list of cells)"]
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        where = f"{path} cell {number} ({_first_line(cell.get('source')) or 'empty'})"
        source = "".join(cell.get("source") or "")
        if source.strip() and cell.get("execution_count") is None:
            found.append(f"{where}: not executed")
        for output in cell.get("outputs") or []:
            kind = output.get("output_type")
            if kind == "error":
                found.append(f"{where}: error output {output.get('ename', '')}: "
                             f"{_first_line(output.get('evalue'))}")
            elif kind == "stream" and output.get("name") == "stderr":
                found.append(f"{where}: stderr output: {_first_line(output.get('text'))}")
    return found


def main(argv: list[str]) -> int:
    """Check every notebook named in ``argv``; return the exit code."""
    found = [message for name in argv for message in problems(name)]
    for message in found:
        print(message)
    if found:
        print("Fix the cause, refresh the outputs with `make notebooks` and review the diff "
              "(outputs are committed: never strip them).")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
