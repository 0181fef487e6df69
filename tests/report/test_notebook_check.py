"""check_notebook_outputs: rows of people in outputs are found, aggregates pass."""

from __future__ import annotations

import nbformat
import pytest

from kow_research.report import DisclosureError, check_notebook_outputs


def _nb(tmp_path, outputs, name="n.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T")]
    for out in outputs:
        cell = nbformat.v4.new_code_cell("x", execution_count=len(nb.cells))
        cell.outputs = [out]
        nb.cells.append(cell)
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def test_aggregates_pass(tmp_path):
    path = _nb(tmp_path, [
        nbformat.v4.new_output("stream", name="stdout", text="KOW: 115 participants, 28 in work"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "cohort  n\nKOW  115"}),
    ])
    assert check_notebook_outputs(path).empty


def test_participant_rows_are_reported_with_cell_and_rule(tmp_path):
    html = "<table><tr><th>participant_id</th><th>age</th></tr><tr><td>x</td></tr></table>"
    path = _nb(tmp_path, [
        nbformat.v4.new_output("stream", name="stdout", text="ok"),
        nbformat.v4.new_output("execute_result", data={"text/html": html}),
        nbformat.v4.new_output("stream", name="stdout", text="first job: IPS-000123 on day 4"),
    ])
    problems = check_notebook_outputs(path)
    assert problems[["cell", "rule"]].values.tolist() == [[3, "participant_id_column"],
                                                        [4, "id_like_value"]]
    assert problems.loc[1, "excerpt"].startswith("first job: IPS-000123")
    with pytest.raises(DisclosureError, match=r"n.ipynb cell 3 \(participant_id_column"):
        check_notebook_outputs(path, raise_on_problem=True)


def test_folder_and_custom_pattern(tmp_path):
    _nb(tmp_path, [nbformat.v4.new_output("stream", name="stdout", text="client 77-1234")],
        name="a.ipynb")
    _nb(tmp_path, [nbformat.v4.new_output("stream", name="stdout", text="fine")],
        name="b.ipynb")
    assert check_notebook_outputs(tmp_path).empty           # default pattern: letters-digits
    found = check_notebook_outputs(tmp_path, id_pattern=r"\b\d{2}-\d{4}\b")
    assert found["notebook"].tolist() == ["a.ipynb"]
    with pytest.raises(ValueError, match="neither a notebook nor a folder"):
        check_notebook_outputs(tmp_path / "missing.ipynb")
