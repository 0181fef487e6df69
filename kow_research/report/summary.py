"""Aggregate outcome tables of a study, written as CSV and HTML (no rows of people).

This is what ``kow-research report`` writes beside the executed notebooks: the validation
counts, the participant flow (attrition) under each dropout strategy, the outcome counts, the
participation ladder by wave and the training dose — all aggregated by cohort.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.data.study import Study
from kow_research.data.validate import ValidationReport
from kow_research.outcomes import attrition_table, ladder_by_wave, time_to_paid_work, training_dose
from kow_research.outcomes.definitions import DROPOUT_STRATEGIES
from kow_research.report.disclosure import DEFAULT_K, suppress_counts, suppress_small
from kow_research.report.flow import attrition_partitions
from kow_research.report.labels import text
from kow_research.report.policy import DisclosurePolicy


def outcome_tables(study: Study) -> dict[str, pd.DataFrame]:
    """Aggregated outcome tables keyed by a file stem."""
    tables: dict[str, pd.DataFrame] = {}
    flows = []
    for strategy in DROPOUT_STRATEGIES:
        df = time_to_paid_work(study, dropout=strategy)
        flow = attrition_table(df).assign(dropout=strategy,
                                            definition=df.attrs["definition_text"]["en"])
        flows.append(flow)
    tables["attrition_by_dropout_strategy"] = pd.concat(flows, ignore_index=True)
    bw = ladder_by_wave(study)
    dist = (bw.assign(rung=bw["rung"].astype("Float64"))
            .groupby(["cohort", "wave_month", "wave"], sort=True)["rung"]
            .agg(assessed="count", mean_rung="mean")
            .reset_index())
    dist["not_assessed"] = bw.groupby(["cohort", "wave_month", "wave"], sort=True)[
        "rung"].apply(lambda s: int(s.isna().sum())).to_numpy()
    dist["definition"] = bw.attrs["definition_text"]["en"]
    tables["ladder_by_wave"] = dist
    dose = training_dose(study)
    if len(dose):
        tables["training_dose"] = (dose.groupby("cohort")
                                   .agg(n=("attended", "size"), planned=("planned", "first"),
                                        mean_attended=("attended", "mean"),
                                        completers=("completer", "sum"))
                                   .reset_index())
    return tables


@positional_deprecated("k")
def disclosed_tables(study: Study, *, k: int = DEFAULT_K,
                     policy: DisclosurePolicy | None = None) -> dict[str, pd.DataFrame]:
    """:func:`outcome_tables` through disclosure control (counts below ``k`` become ``"<k"``).

    Partitions for secondary suppression: per dropout strategy and cohort, the exclusion
    reasons plus "analysed" add up to "entered", and the outcome rows add up to "analysed";
    per cohort and wave, ``assessed`` and ``not_assessed`` add up to the cohort size. A mean
    rung based on fewer than ``k`` assessed people is hidden with its count.

    Parameters
    ----------
    study : Study
    k : int, default 5
        The threshold, when no ``policy`` is given (then secondary cells are marked
        ``"<k"`` too, as before the disclosure policy existed).
    policy : DisclosurePolicy, optional
        The report's policy: secondary cells get its secondary marker (a hidden cell of 5 or
        more is never marked ``"<k"``), means are rounded to its ``mean_decimals`` and
        hidden with their count. ``kow-research report`` passes it.

    Returns
    -------
    dict of pandas.DataFrame
    """
    tables = outcome_tables(study)
    if policy is not None:
        return _policy_tables(tables, policy=policy)
    flow = tables["attrition_by_dropout_strategy"]
    tables["attrition_by_dropout_strategy"] = suppress_counts(
        flow, columns="n", k=k, partitions=attrition_partitions(flow, by=["dropout", "cohort"]))
    ladder = tables["ladder_by_wave"]
    cols = ["assessed", "not_assessed", "mean_rung"]
    counts = ladder[["assessed", "not_assessed", "assessed"]].astype(float)
    counts.columns = cols
    shown = suppress_small(ladder[cols], counts=counts, k=k, row_totals=True,
                           counted=pd.DataFrame({"assessed": True, "not_assessed": True,
                                                 "mean_rung": False}, index=ladder.index))
    tables["ladder_by_wave"] = ladder.assign(**{c: shown[c] for c in cols})
    if "training_dose" in tables:
        dose = tables["training_dose"]
        tables["training_dose"] = suppress_counts(dose, columns=["n", "completers"], k=k)
    return tables


def _policy_tables(tables: dict[str, pd.DataFrame], *,
                   policy: DisclosurePolicy) -> dict[str, pd.DataFrame]:
    flow = tables["attrition_by_dropout_strategy"]
    tables["attrition_by_dropout_strategy"] = policy.suppress_columns(
        flow, counts="n", partitions=attrition_partitions(flow, by=["dropout", "cohort"]))
    tables["ladder_by_wave"] = policy.suppress_columns(
        tables["ladder_by_wave"], counts=["assessed", "not_assessed"], row_totals=True,
        means={"mean_rung": "assessed"})
    if "training_dose" in tables:
        tables["training_dose"] = policy.suppress_columns(
            tables["training_dose"], counts=["n", "completers"],
            means={"mean_attended": "n"})
    return tables


@positional_deprecated("report", "out", "k")
def write_summary(study: Study, *, report: ValidationReport, out: str | Path,
                  k: int = DEFAULT_K, policy: DisclosurePolicy | None = None) -> list[Path]:
    """Write the validation counts and :func:`disclosed_tables` as CSV plus ``summary.html``.

    Validation counts are numbers of problems (not of persons) and are written as they are.
    With ``policy`` (as ``kow-research report`` calls it) the tables follow the report's
    disclosure policy, see :func:`disclosed_tables`.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    if policy is not None:
        k = policy.k
    tables = {"validation_counts": report.counts(),
              **disclosed_tables(study, k=k, policy=policy)}
    written = []
    parts = ["<h1>kow_research — summary tables</h1>",
             f"<p>{html.escape(repr(study))}; validation: "
             f"{'no errors' if report.ok else f'{len(report.errors)} errors'}, "
             f"{len(report.warnings)} warnings.</p>",
             f"<p>{html.escape(text('suppressed_note', 'en', k=k))}</p>"]
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        table.to_csv(path, index=False)
        written.append(path)
        parts.append(f"<h2>{html.escape(name.replace('_', ' '))}</h2>")
        parts.append(table.to_html(index=False, na_rep=""))
    page = folder / "summary.html"
    page.write_text("<!doctype html><meta charset='utf-8'><title>kow_research summary</title>"
                    + "\n".join(parts), encoding="utf-8")
    written.append(page)
    return written
