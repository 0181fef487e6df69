"""What a report publishes, recorded for its disclosure ledger while the report is built.

A table builder that publishes counts says what they are with :func:`with_ledger`: which
columns hold counts (as published: ``12``, ``"12 (34%)"``, ``"<5"``, the secondary marker),
a label per row, the partitions they add up to (margins, blocks, totals printed elsewhere)
and the means and percentages printed beside them. The frame carries this in
``attrs["ledger"]``; nothing is written.

When ``kow-research report`` runs a notebook it sets :data:`LEDGER_DIR` (a folder in the
build's private temporary folder, never in the report folder) and :data:`LEDGER_SOURCE` (the
notebook's name) in the environment of its kernel. :meth:`NotebookContext.table
<kow_research.report.notebook.NotebookContext.table>` then calls :func:`record_table`, which
appends one JSON line per published table to ``<LEDGER_DIR>/<source>.jsonl`` — the cells as
published, never the true counts. Without :data:`LEDGER_DIR` (a notebook run by hand)
nothing is written.

At the end of the build :func:`read_registrations` collects the lines, :func:`ledger_from`
registers them all with one :class:`~kow_research.report.ledger.DisclosureLedger`, whose
``check()`` decides whether the report may be published, and :func:`ledger_summary` gives
the counts recorded in ``provenance.json``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kow_research.report.ledger import DisclosureLedger
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.recovery import SMD, Cell, Mean, Partition, Percent, Ref

__all__ = ["LEDGER_DIR", "LEDGER_SOURCE", "attach_ledger", "attached_ledger", "ledger_from",
           "ledger_summary", "n_percent_records", "read_registrations", "record_table",
           "with_ledger"]

#: attribute of a matplotlib Figure holding the count tables it prints (:func:`attach_ledger`)
_FIGURE_ATTR = "_kow_research_ledger"

#: environment variable: the folder registrations are appended to (set by the report build)
LEDGER_DIR = "KOW_RESEARCH_LEDGER_DIR"
#: environment variable: the name of the notebook run (its page is ``<source>.html``)
LEDGER_SOURCE = "KOW_RESEARCH_LEDGER_SOURCE"


# ----------------------------------------------------------------------------- declaring
def with_ledger(frame: pd.DataFrame, *, rows: Sequence[Hashable], counts: Sequence[str],
                partitions: Sequence[Partition] = (), row_totals: str | None = None,
                blocks: Sequence[Any] | None = None,
                block_totals: Mapping[str, Ref] | None = None,
                means: Sequence[Mean] = (), percents: Sequence[Percent] = (),
                quantities: Mapping[tuple[Hashable, str], str] | None = None,
                not_counts: Sequence[Hashable] = (), smds: Sequence[SMD] = (),
                figure: bool = False) -> pd.DataFrame:
    """``frame`` (a copy) with what the ledger needs to know about its counts.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as published.
    rows : sequence
        A unique label per row (``"KOW T6"``), used in references and messages.
    counts : sequence of str
        The columns of ``frame`` that hold counts of persons.
    partitions, row_totals, blocks, block_totals, means, percents, smds, figure
        As in :meth:`DisclosureLedger.register
        <kow_research.report.ledger.DisclosureLedger.register>`; a reference
        ``(row, column)`` uses ``rows`` and the column names of ``frame``. ``figure``: the
        counts are printed in a figure.
    quantities : mapping, optional
        ``{(row, column): name}``: cells that show a count published elsewhere under the
        same name (``"participants::KOW"``).
    not_counts : sequence, optional
        Rows (labels of ``rows``) whose cells in the count columns are not counts (a median,
        a period); they are recorded as empty.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with ``attrs["ledger"]`` set.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": ["T6"], "n": [20], "up": ["<5"], "rest": ["×"]})
    >>> t = with_ledger(t, rows=["T6"], counts=["n", "up", "rest"], row_totals="n")
    >>> t.attrs["ledger"]["counts"]
    ['n', 'up', 'rest']
    """
    labels = [str(r) for r in rows]
    if len(labels) != len(frame) or len(set(labels)) != len(labels):
        raise ValueError(f"with_ledger: rows must give one unique label per row ({len(frame)} "
                         f"rows), got {labels}")
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise ValueError(f"with_ledger: count columns {missing} are not in the table; it has "
                         f"{list(frame.columns)}")
    out = frame.copy()
    out.attrs = {**frame.attrs, "ledger": {
        "rows": labels, "counts": [str(c) for c in counts],
        "partitions": [{"members": [_ref_json(m) for m in p.members],
                        "total": _ref_json(p.total)} for p in partitions],
        "row_totals": row_totals,
        "blocks": None if blocks is None else [None if b is None else str(b) for b in blocks],
        "block_totals": None if block_totals is None else {
            str(k): _ref_json(v) for k, v in block_totals.items()},
        "means": [{"value": str(m.value), "n": _ref_json(m.n), "step": m.step} for m in means],
        "percents": [{"value": str(p.value), "numerator": _ref_json(p.numerator),
                      "denominator": _ref_json(p.denominator), "scale": p.scale}
                     for p in percents],
        "quantities": [[str(r), str(c), str(q)] for (r, c), q in (quantities or {}).items()],
        "not_counts": [str(r) for r in not_counts],
        "smds": [{"value": str(m.value), "counts": [[_ref_json(r) for r in g] for g in m.counts],
                  "n": None if m.n is None else [_ref_json(r) for r in m.n],
                  "signed": bool(m.signed)} for m in smds],
        "figure": bool(figure),
    }}
    return out


def attach_ledger(fig: Any, frame: pd.DataFrame, *, table: str) -> None:
    """Remember on a matplotlib figure a table of the counts it prints (for the ledger).

    A figure function that prints counts as text (a flow diagram, the number at risk under
    a curve, a heat map, bar labels) attaches them, declared with :func:`with_ledger`, and
    :meth:`NotebookContext.figure <kow_research.report.notebook.NotebookContext.figure>`
    records them when it saves the figure. Nothing is drawn or written here.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure (or an Axes of it).
    frame : pandas.DataFrame
        The counts as printed, with ``attrs["ledger"]`` (:func:`with_ledger`).
    table : str
        A name for it within the figure (unique per figure).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure()
    >>> t = with_ledger(pd.DataFrame({"n": [12, "<5"]}), rows=["a", "b"], counts=["n"],
    ...                 figure=True)
    >>> attach_ledger(fig, t, table="boxes")
    >>> [name for name, _ in attached_ledger(fig)]
    ['boxes']
    >>> plt.close(fig)
    """
    figure = getattr(fig, "figure", fig)
    if "ledger" not in frame.attrs:
        raise ValueError(f"attach_ledger: the table {table!r} has no attrs['ledger']; declare "
                         "its counts with with_ledger first")
    found = list(getattr(figure, _FIGURE_ATTR, []))
    if any(name == table for name, _ in found):
        raise ValueError(f"attach_ledger: the figure already has a table {table!r}")
    found.append((str(table), frame))
    setattr(figure, _FIGURE_ATTR, found)


def attached_ledger(fig: Any) -> list[tuple[str, pd.DataFrame]]:
    """The count tables attached to a figure by :func:`attach_ledger` (name, table).

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes

    Returns
    -------
    list of (str, pandas.DataFrame)
    """
    return list(getattr(getattr(fig, "figure", fig), _FIGURE_ATTR, []))


_N_PERCENT = re.compile(r"^\s*\d+\s*\(\s*(\d+(?:[.,]\d+)?)\s*%\s*\)\s*$")


def n_percent_records(frame: pd.DataFrame, *, rows: Sequence[Hashable],
                      columns: Sequence[str],
                      denominator: Callable[[str, str], Ref]) -> list[Percent]:
    """The percentages printed in ``"x (p%)"`` cells, as ledger records.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as published.
    rows : sequence
        A label per row (as given to :func:`with_ledger`).
    columns : sequence of str
        The columns holding ``"x (p%)"`` cells (other cells are skipped).
    denominator : callable
        ``(row, column) -> reference`` of the count the percentage is of.

    Returns
    -------
    list of Percent

    Examples
    --------
    >>> t = pd.DataFrame({"n": [40], "up": ["12 (30%)"]})
    >>> n_percent_records(t, rows=["T6"], columns=["up"], denominator=lambda r, c: (r, "n"))
    [Percent(value='30', numerator=('T6', 'up'), denominator=('T6', 'n'), scale=100.0)]
    """
    out = []
    labels = [str(r) for r in rows]
    for col in columns:
        for label, value in zip(labels, frame[col], strict=True):
            m = _N_PERCENT.match(value) if isinstance(value, str) else None
            if m:
                out.append(Percent(m.group(1), numerator=(label, str(col)),
                                   denominator=denominator(label, str(col))))
    return out


def _ref_json(ref: Ref) -> Any:
    if isinstance(ref, Cell):
        return {"file": ref.file, "table": ref.table, "row": str(ref.row),
                "column": str(ref.column)}
    if isinstance(ref, tuple):
        return [str(ref[0]), str(ref[1])]
    if isinstance(ref, str):
        return {"quantity": ref}
    if isinstance(ref, (int, float, np.integer, np.floating)) and not isinstance(ref, bool):
        return float(ref)
    raise ValueError(f"with_ledger: {ref!r} is not a reference ((row, column), Cell, a "
                     "quantity name or a number)")


def _ref_from(obj: Any) -> Ref:
    if isinstance(obj, list):
        return (obj[0], obj[1])
    if isinstance(obj, dict) and "quantity" in obj:
        return str(obj["quantity"])
    if isinstance(obj, dict):
        return Cell(obj["file"], obj["table"], obj["row"], obj["column"])
    return float(obj)


def _cell_json(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return str(v)


# ----------------------------------------------------------------------------- recording
def record_table(frame: pd.DataFrame, *, file: str, table: str,
                 directory: str | Path | None = None, source: str | None = None) -> Path | None:
    """Append what ``frame`` publishes to the build's registrations (a JSON line).

    Parameters
    ----------
    frame : pandas.DataFrame
        A published table; its ``attrs["ledger"]`` (:func:`with_ledger`) says which cells are
        counts. A table without it is recorded as holding no counts (an estimate table).
    file : str
        Where it is published, relative to the report folder (``"results/05_dropout.csv"``).
    table : str
        A name for it within the file.
    directory : str or pathlib.Path, optional
        The registrations folder; default the environment's :data:`LEDGER_DIR`. When neither
        is set (a notebook run by hand) nothing is written.
    source : str, optional
        The notebook that published it; default the environment's :data:`LEDGER_SOURCE`.

    Returns
    -------
    pathlib.Path or None
        The file appended to, or None when nothing was written.

    Examples
    --------
    >>> import tempfile
    >>> t = with_ledger(pd.DataFrame({"n": [12, "<5"]}), rows=["a", "b"], counts=["n"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = record_table(t, file="results/t.csv", table="t", directory=tmp,
    ...                         source="01_x")
    ...     [r["cells"] for r in read_registrations(tmp)]
    [[[12], ['<5']]]
    >>> record_table(t, file="results/t.csv", table="t") is None   # not in a build
    True
    """
    folder = directory if directory is not None else os.environ.get(LEDGER_DIR)
    if not folder:
        return None
    name = source if source is not None else os.environ.get(LEDGER_SOURCE, "notebook")
    spec = frame.attrs.get("ledger")
    line: dict[str, Any] = {"file": str(file), "table": str(table), "source": name,
                            "cells": None}
    if spec:
        cols = list(spec["counts"])
        skip = set(spec.get("not_counts") or ())
        line.update({k: v for k, v in spec.items() if k not in ("counts", "not_counts")})
        line["columns"] = cols
        line["cells"] = [["" if label in skip else _cell_json(v) for v in row]
                         for label, row in zip(spec["rows"], frame[cols].itertuples(
                             index=False, name=None), strict=True)]
    path = Path(folder) / f"{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def read_registrations(directory: str | Path) -> list[dict[str, Any]]:
    """Every line :func:`record_table` wrote into ``directory``, by file name then order.

    Parameters
    ----------
    directory : str or pathlib.Path

    Returns
    -------
    list of dict
        Empty when the folder does not exist.
    """
    folder = Path(directory)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.strip():
                out.append(json.loads(text))
    return out


# ----------------------------------------------------------------------------- checking
def ledger_from(registrations: Sequence[Mapping[str, Any]], *,
                policy: DisclosurePolicy) -> DisclosureLedger:
    """One :class:`~kow_research.report.ledger.DisclosureLedger` holding every registration
    that has counts.

    Parameters
    ----------
    registrations : sequence of dict
        From :func:`read_registrations` (lines without counts are skipped).
    policy : DisclosurePolicy
        The report's policy.

    Returns
    -------
    DisclosureLedger

    Examples
    --------
    The planted case: 12 and a hidden cell that add up to a printed 15.

    >>> t = with_ledger(pd.DataFrame({"n": [15, 12, "<5"]}), rows=["all", "a", "b"],
    ...                 counts=["n"], partitions=[Partition([("a", "n"), ("b", "n")],
    ...                                                     ("all", "n"))])
    >>> line = {"file": "results/t.csv", "table": "t", "columns": ["n"],
    ...         "cells": [[15], [12], ["<5"]], **t.attrs["ledger"]}
    >>> problems = ledger_from([line], policy=DisclosurePolicy.default()).check()
    >>> problems[["file", "row", "column", "mechanism"]].values.tolist()
    [['results/t.csv', 'b', 'n', 'differencing']]
    """
    ledger = DisclosureLedger(policy=policy)
    for reg in registrations:
        if not reg.get("cells") and not (reg.get("smds") or reg.get("means")
                                         or reg.get("percents")):
            continue
        if reg.get("cells"):
            cells = pd.DataFrame(reg["cells"], index=reg["rows"], columns=reg["columns"],
                                 dtype=object)
        else:   # statistics only (an SMD printed in a sentence): they refer to other tables
            cells = pd.DataFrame(index=pd.Index([], dtype=object), dtype=object)
        quantities = None
        if reg.get("quantities"):
            quantities = pd.DataFrame("", index=cells.index, columns=cells.columns,
                                      dtype=object)
            for row, col, name in reg["quantities"]:
                quantities.loc[row, col] = name
        ledger.register(
            cells, file=reg["file"], table=reg["table"],
            partitions=[Partition([_ref_from(m) for m in p["members"]], _ref_from(p["total"]))
                        for p in reg.get("partitions") or ()],
            blocks=reg.get("blocks"),
            block_totals=None if reg.get("block_totals") is None else {
                k: _ref_from(v) for k, v in reg["block_totals"].items()},
            row_totals=reg.get("row_totals"),
            means=[Mean(m["value"], n=_ref_from(m["n"]), step=m["step"])
                   for m in reg.get("means") or ()],
            percents=[Percent(p["value"], numerator=_ref_from(p["numerator"]),
                              denominator=_ref_from(p["denominator"]), scale=p["scale"])
                      for p in reg.get("percents") or ()],
            smds=[SMD(m["value"], counts=[[_ref_from(r) for r in g] for g in m["counts"]],
                      n=None if m.get("n") is None else [_ref_from(r) for r in m["n"]],
                      signed=bool(m.get("signed", False)))
                  for m in reg.get("smds") or ()],
            quantities=quantities, figure=bool(reg.get("figure", False)))
    return ledger


def ledger_summary(registrations: Sequence[Mapping[str, Any]], *,
                   problems: pd.DataFrame) -> dict[str, Any]:
    """What the ledger checked, for ``provenance.json`` (no cell values).

    Parameters
    ----------
    registrations : sequence of dict
        From :func:`read_registrations` (plus any the build added itself).
    problems : pandas.DataFrame
        :meth:`DisclosureLedger.check() <kow_research.report.ledger.DisclosureLedger.check>`.

    Returns
    -------
    dict
        ``tables`` (published tables seen), ``tables_with_counts``, ``count_cells``,
        ``hidden_cells``, ``partitions``, ``means``, ``percentages``, ``smds``, ``figures``
        (tables of counts printed in figures), ``recoverable`` (the number of problems),
        ``not_checked`` and ``without_counts`` (files of tables that
        hold no counts of persons: estimates, models).
    """
    with_counts = [r for r in registrations if r.get("cells")]
    values = [v for r in with_counts for row in r["cells"] for v in row
              if not (isinstance(v, str) and v.strip() == "")]
    hidden = sum(1 for v in values if v is None or (isinstance(v, str)
                                                    and not v.strip()[:1].isdigit()))
    parts = sum(len(r.get("partitions") or ()) for r in with_counts)
    parts += sum(len(r["cells"]) for r in with_counts if r.get("row_totals"))
    parts += sum(len(set(b for b in r["blocks"] if b is not None)) * len(r["block_totals"])
                 for r in with_counts if r.get("blocks") and r.get("block_totals"))
    return {"tables": len(registrations), "tables_with_counts": len(with_counts),
            "count_cells": len(values), "hidden_cells": hidden, "partitions": parts,
            "means": sum(len(r.get("means") or ()) for r in registrations),
            "percentages": sum(len(r.get("percents") or ()) for r in registrations),
            "smds": sum(len(r.get("smds") or ()) for r in registrations),
            "figures": sum(1 for r in with_counts if r.get("figure")),
            "recoverable": int(len(problems)),
            "not_checked": list(problems.attrs.get("not_checked", [])),
            "without_counts": sorted({str(r["file"]) for r in registrations
                                      if not r.get("cells") and not r.get("smds")})}
