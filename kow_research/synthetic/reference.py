"""The catalogue of published reference cohorts (package data, with sources).

Comparisons with published figures are only valid between like definitions, so every figure
states its outcome definition (``OUTCOME_DEFINITIONS``) and horizon; see
:func:`kow_research.compare.benchmark`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

MEASURES: tuple[str, ...] = ("proportion", "risk_ratio", "odds_ratio", "risk_difference_pp", "n",
                             "median_days", "mean_hours")
OUTCOME_DEFINITIONS: dict[str, str] = {
    "competitive_employment": "regular paid job in the open labour market at the minimum wage "
                              "or more (kind regular_paid), at any time within the horizon",
    "any_paid_work": "any paid work, including supported or sheltered work",
    "paid_work_12h": "paid work of at least 12 hours a week",
    "work_or_education": "paid work or regular education",
    "durable_work": "work lasting at least six months (as defined by the source)",
    "enrolment": "number of people included",
    "hours_worked": "hours worked in competitive employment during follow-up",
    "days_worked": "days worked during follow-up",
    "days_to_first_job": "days from start to the first competitive job",
}
FIGURE_COLUMNS = ["study", "arm", "measure", "value", "lower", "upper", "n",
                  "outcome_definition", "horizon_months", "conflict", "citation", "doi",
                  "locator", "note"]


@dataclass(frozen=True)
class ReferenceCohort:
    """One published study with its aggregate figures."""

    id: str
    citation: str
    doi: str | None
    design: str
    population: str
    arms: dict[str, str]
    figures: pd.DataFrame
    note: str | None = None
    #: Dutch descriptions of arms that are not programme names (``mental`` -> "met psychische
    #: problemen"); the report shows an arm's description when its code is not a programme
    arms_nl: dict[str, str] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return (f"<p><b>{self.id}</b>: {self.citation}</p>"
                + self.figures.drop(columns=["citation"]).to_html(index=False))


@cache
def _load() -> tuple[ReferenceCohort, ...]:
    text = (resources.files("kow_research.synthetic") / "reference_cohorts.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    out = []
    for s in data["studies"]:
        rows: list[dict[str, Any]] = []
        for f in s.get("figures", []) or []:
            if f["measure"] not in MEASURES:
                raise ValueError(f"reference_cohorts.yaml, study {s['id']}: unknown measure "
                                 f"{f['measure']!r}; allowed: {', '.join(MEASURES)}")
            if f["outcome_definition"] not in OUTCOME_DEFINITIONS:
                raise ValueError(f"reference_cohorts.yaml, study {s['id']}: unknown "
                                 f"outcome_definition {f['outcome_definition']!r}")
            rows.append({"study": s["id"], "arm": f["arm"], "measure": f["measure"],
                         "value": float(f["value"]), "lower": f.get("lower"),
                         "upper": f.get("upper"), "n": f.get("n"),
                         "outcome_definition": f["outcome_definition"],
                         "horizon_months": f.get("horizon_months"),
                         "conflict": bool(f.get("conflict", False)),
                         "citation": " ".join(str(s["citation"]).split()), "doi": s.get("doi"),
                         "locator": f.get("locator"), "note": f.get("note")})
        figures = pd.DataFrame(rows, columns=FIGURE_COLUMNS).astype(
            {"lower": "float64", "upper": "float64", "n": "Int64", "horizon_months": "Float64"})
        out.append(ReferenceCohort(id=s["id"], citation=" ".join(str(s["citation"]).split()),
                                   doi=s.get("doi"), design=s["design"],
                                   population=s["population"], arms=dict(s["arms"]),
                                   figures=figures, note=s.get("note"),
                                   arms_nl=dict(s.get("arms_nl") or {})))
    return tuple(out)


def reference_cohorts() -> dict[str, ReferenceCohort]:
    """Return the catalogue of published reference cohorts, keyed by study id.

    Returns
    -------
    dict of str to ReferenceCohort
        Each with its citation, DOI, design, population, arms and a ``figures`` frame
        (study, arm, measure, value, lower, upper, n, outcome_definition, horizon_months,
        conflict, citation, doi, locator, note).

    Examples
    --------
    >>> from kow_research.synthetic import reference_cohorts
    >>> f = reference_cohorts()["michon2014"].figures
    >>> float(f.query("arm == 'IPS' and measure == 'proportion'")["value"].iloc[0])
    0.44
    """
    # copies, so that a caller editing a figures frame cannot change the cached catalogue
    return {c.id: replace(c, figures=c.figures.copy()) for c in _load()}


def reference_figures() -> pd.DataFrame:
    """All figures of all studies of :func:`reference_cohorts` in one frame.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: ``study, arm, measure, value, lower, upper, n,
        outcome_definition, horizon_months, conflict, citation, doi, locator, note`` (a new
        frame at every call).

    Examples
    --------
    >>> f = reference_figures()
    >>> michon = f.query("study == 'michon2014' and measure == 'proportion'")
    >>> michon[["arm", "value", "horizon_months"]].values.tolist()
    [['IPS', 0.44, 30.0], ['TAU', 0.25, 30.0]]
    """
    parts = [c.figures for c in _load() if len(c.figures)]
    return pd.concat(parts, ignore_index=True)  # a new frame; the cache is untouched
