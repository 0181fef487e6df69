"""Re-make a report from its ``provenance.json`` and say whether it came out the same.

``kow-research verify REPORT_DIR [--data DIR]`` reads the provenance record, checks that the
inputs are the ones recorded (same SHA-256 for every data file; for simulated data the same
seed), re-runs the report with the recorded parameters and notebooks into a temporary folder at the
recorded time (``SOURCE_DATE_EPOCH`` when the original run had it, else only the dates the
report prints), and compares every output file but the provenance record itself.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kow_research.report import provenance as prov


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify_report`.

    Attributes
    ----------
    identical : bool
        Every output file has the recorded bytes and every input the recorded checksum.
    changed_inputs : list of str
        Data files whose checksum differs from the record (or that are missing or new).
    changed, missing, added : list of str
        Output files that differ, that the re-run did not write, or that it wrote anew.
    software : dict
        Recorded against current package version, commit and lock hash where they differ.
    """

    identical: bool
    changed_inputs: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    software: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """What to print."""
        if self.identical:
            return ["identical: every table, figure and page has the recorded bytes"]
        out = ["NOT identical"]
        out += [f"  input changed: {p}" for p in self.changed_inputs]
        out += [f"  output differs: {p}" for p in self.changed]
        out += [f"  output not made again: {p}" for p in self.missing]
        out += [f"  output not in the original: {p}" for p in self.added]
        out += [f"  {k}: recorded {a}, now {b}" for k, (a, b) in self.software.items()]
        return out


def _input_changes(record: dict[str, Any], data: Path | None) -> list[str]:
    inputs = record["inputs"]
    if inputs["source"] == "simulated":
        return []
    if data is None:
        raise ValueError(f"the report was made from the study folder {inputs.get('folder')!r}; "
                         "pass it with --data DIR")
    now = prov.checksums(data, exclude=())
    then = inputs.get("files", {})
    return sorted({k for k in then.keys() & now.keys() if then[k] != now[k]}
                  | (then.keys() - now.keys()) | (now.keys() - then.keys()))


def verify_report(report: str | Path, *, data: str | Path | None = None,
                  notebook_dir: str | Path,
                  echo: Callable[[str], None] = lambda line: None) -> Verification:
    """Re-run a report from its provenance and compare the outputs.

    Parameters
    ----------
    report : str or pathlib.Path
        A report folder (with ``provenance.json``).
    data : str or pathlib.Path, optional
        The study folder it was made from (not needed for simulated data).
    notebook_dir : str or pathlib.Path
        The notebooks to run.
    echo : callable, optional
        Receives the per-notebook lines of the re-run.

    Returns
    -------
    Verification

    Raises
    ------
    ValueError
        ``report`` is not a report folder, or the data folder is needed and not given.
    """
    from kow_research.report.build import build_report

    record = prov.read(report)
    data_path = None if data is None else Path(data)
    changed_inputs = _input_changes(record, data_path)
    params = record["parameters"]
    now_sw = prov.software()
    software = {k: (record["software"].get(k), now_sw.get(k))
                for k in ("version", "git_commit", "lock_sha256")
                if record["software"].get(k) != now_sw.get(k)}
    started = datetime.fromisoformat(record["started"])
    variable = ("SOURCE_DATE_EPOCH" if params.get("source_date_epoch")
                else prov.REPLAY_VARIABLE)
    previous = {v: os.environ.pop(v, None) for v in ("SOURCE_DATE_EPOCH", prov.REPLAY_VARIABLE)}
    os.environ[variable] = str(int(started.timestamp()))
    try:
        with tempfile.TemporaryDirectory(prefix="kow-verify-") as tmp:
            again = Path(tmp) / Path(report).name
            build_report(again, data=None if record["inputs"]["source"] == "simulated"
                         else data_path, seed=int(params.get("seed", 1)),
                         overrides=params.get("overrides") or {}, notebook_dir=notebook_dir,
                         only=params.get("only") or None, echo=echo)
            actual = prov.checksums(again)
    finally:
        os.environ.pop(variable, None)
        for v, value in previous.items():
            if value is not None:
                os.environ[v] = value
    diff = prov.compare_outputs(record.get("outputs", {}), actual, prefixes=("",))
    identical = not changed_inputs and not any(diff.values())
    return Verification(identical=identical, changed_inputs=changed_inputs,
                        changed=diff["changed"], missing=diff["missing"], added=diff["added"],
                        software=software)


__all__ = ["Verification", "verify_report"]
