"""Scan executed notebooks for outputs that show rows of individual participants.

Committed and shared notebooks show aggregates only. :func:`check_notebook_outputs`
reads every output of every code cell (stream text, ``text/plain``, ``text/html``,
``text/markdown``, error tracebacks) and reports

* ``participant_id_column`` — a column or index named ``participant_id`` (a printed frame of
  people), and
* ``id_like_value`` — a value that looks like a participant identifier (by default an upper-case
  cohort code, a dash and at least four digits, such as ``KOW-00012``).

Images are not inspected (they cannot be read as text); figures are built from aggregates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.core.compat import positional_deprecated

#: an upper-case code of 2-6 letters, a dash and 4+ digits (KOW-00012, IPS-000123)
ID_PATTERN = r"\b[A-Z]{2,6}-\d{4,}\b"
PROBLEM_COLUMNS = ["notebook", "cell", "execution_count", "output", "rule", "excerpt"]


class DisclosureError(ValueError):
    """A notebook output shows rows of individual participants; ``problems`` lists them."""

    def __init__(self, message: str, problems: pd.DataFrame) -> None:
        super().__init__(message)
        self.problems = problems


def _output_texts(output: dict[str, Any]) -> Iterable[tuple[str, str]]:
    kind = output.get("output_type", "")
    if kind == "stream":
        yield output.get("name", "stream"), _join(output.get("text", ""))
    elif kind == "error":
        yield "error", "\n".join([output.get("evalue", ""), *output.get("traceback", [])])
    else:
        data = output.get("data", {})
        for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
            if mime in data:
                yield mime, _join(data[mime])


def _join(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    return text[max(start - width, 0):end + width].replace("\n", " ")


@positional_deprecated("id_pattern", "id_column", "raise_on_problem")
def check_notebook_outputs(path: str | Path, *, id_pattern: str = ID_PATTERN,
                           id_column: str = "participant_id", raise_on_problem: bool = False
                           ) -> pd.DataFrame:
    """Report outputs of a notebook that show individual participants.

    Parameters
    ----------
    path : str or pathlib.Path
        An ``.ipynb`` file, or a folder whose ``*.ipynb`` files are all checked.
    id_pattern : str, default ID_PATTERN
        Regular expression of an identifier value (:data:`ID_PATTERN`: an upper-case code of
        2-6 letters, a dash and at least four digits).
    id_column : str, default "participant_id"
        A column name whose appearance in an output means a frame of people was shown.
    raise_on_problem : bool, default False
        Raise :class:`DisclosureError` (a ``ValueError``) instead of returning problems.

    Returns
    -------
    pandas.DataFrame
        One row per problem: ``notebook``, ``cell`` (1-based position among all cells),
        ``execution_count``, ``output`` (stream name or MIME type), ``rule``
        (``participant_id_column`` or ``id_like_value``) and ``excerpt``. Empty if clean.

    Raises
    ------
    DisclosureError
        With ``raise_on_problem=True`` when an output shows participants (``.problems``
        holds the table above).
    ValueError
        When ``path`` is neither a notebook nor a folder, or a file is not valid JSON.

    Examples
    --------
    A notebook whose third cell prints a row of a frame of people:

    >>> import tempfile
    >>> import nbformat
    >>> v4 = nbformat.v4
    >>> nb = v4.new_notebook(cells=[
    ...     v4.new_markdown_cell("# Flow"),
    ...     v4.new_code_cell("n_analysed", execution_count=1, outputs=[
    ...         v4.new_output("execute_result", data={"text/plain": "17"}, execution_count=1)]),
    ...     v4.new_code_cell("print(df.head(1))", execution_count=2, outputs=[
    ...         v4.new_output("stream", name="stdout",
    ...                       text="  participant_id  time\\n0      KOW-00012  31.0\\n")])])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nbformat.write(nb, Path(tmp) / "01_flow.ipynb")
    ...     problems = check_notebook_outputs(tmp)  # a folder: every notebook in it
    ...     try:
    ...         check_notebook_outputs(Path(tmp) / "01_flow.ipynb", raise_on_problem=True)
    ...     except DisclosureError as err:
    ...         n_raised = len(err.problems)
    >>> problems[["notebook", "cell", "output", "rule"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['01_flow.ipynb', 3, 'stdout', 'participant_id_column'],
     ['01_flow.ipynb', 3, 'stdout', 'id_like_value']]
    >>> n_raised
    2
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(p.glob("*.ipynb"))
    elif p.is_file():
        files = [p]
    else:
        raise ValueError(f"{p} is neither a notebook nor a folder; give an .ipynb path")
    id_re = re.compile(id_pattern)
    col_re = re.compile(rf"\b{re.escape(id_column)}\b")
    rows: list[tuple[str, int, Any, str, str, str]] = []
    for file in files:
        try:
            nb = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file} is not a notebook (invalid JSON: {exc})") from exc
        for i, cell in enumerate(nb.get("cells", []), 1):
            if cell.get("cell_type") != "code":
                continue
            for output in cell.get("outputs", []):
                for kind, text in _output_texts(output):
                    for rule, rx in (("participant_id_column", col_re),
                                     ("id_like_value", id_re)):
                        m = rx.search(text)
                        if m:
                            rows.append((file.name, i, cell.get("execution_count"), kind, rule,
                                         _excerpt(text, m.start(), m.end())))
    problems = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if raise_on_problem and len(problems):
        first = problems.iloc[0]
        raise DisclosureError(
            f"{len(problems)} notebook output(s) show individual participants, first in "
            f"{first['notebook']} cell {first['cell']} ({first['rule']}: "
            f"{first['excerpt']!r}); show aggregates instead and re-run", problems)
    return problems
