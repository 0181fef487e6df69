"""Hygiene of the committed notebooks: executed, no errors, no warnings, no rows of people.

nbval (run by ``make test`` on ``notebooks/``) re-executes every notebook and compares each
committed output; these checks make sure there is something real to compare.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ID_LIKE = re.compile(r"\b(KOW|IPS|TAU|GOW)-\d{4,}\b")


def test_the_notebooks_exist():
    """01-06 analyse a study (06 once per comparator), 08 designs one; 07 was merged into 06."""
    names = [p.name[:2] for p in NOTEBOOKS]
    assert names == ["01", "02", "03", "04", "05", "06", "08"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_clean_and_aggregate_only(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assert "data_dir" in "".join(params[0]["source"]) and "language" in "".join(params[0]["source"])
    for i, cell in enumerate(code, 1):
        if "".join(cell["source"]).strip():
            assert cell["execution_count"] is not None, f"cell {i} was not executed"
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {i} has an error output"
            text = json.dumps(out)
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"cell {i} wrote to stderr (a warning?)"
            assert "participant_id" not in text, f"cell {i} shows participant_id: rows of people?"
            assert not ID_LIKE.search(text), f"cell {i} shows a participant id"
            assert "ipykernel_" not in text and "Warning" not in text, f"cell {i}: warning text"
