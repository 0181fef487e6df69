"""``kow-research outcomes DIR --out FILE.csv``: derive an outcome table from a study folder."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from kow_research.data.io import load_study
from kow_research.data.validate import ValidationError
from kow_research.outcomes import (
    DROPOUT_STRATEGIES,
    attrition_table,
    dropout,
    job_retention,
    ladder_by_wave,
    time_to_paid_work,
    training_dose,
)

MEASURES = ("time", "ladder", "dropout", "retention", "dose")


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``outcomes`` subcommand."""
    p = sub.add_parser("outcomes", help="derive an outcome table (one row per person)",
                       description="Load and validate DIR, derive an outcome measure and write "
                       "it to a CSV file (per-person rows: keep it with the source data).")
    p.add_argument("path", metavar="DIR", help="study folder or Excel workbook")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV file")
    p.add_argument("--measure", choices=MEASURES, default="time",
                   help="time to paid work (default), ladder by wave, dropout, job retention or "
                   "training dose")
    p.add_argument("--dropout", choices=DROPOUT_STRATEGIES, default="competing")
    p.add_argument("--include-supported", action="store_true")
    p.add_argument("--min-hours", type=float, default=None)
    p.add_argument("--min-days", type=int, default=0)
    p.add_argument("--origin", choices=("start_date", "intake_date"), default="start_date")
    p.add_argument("--horizon-days", type=int, default=None)
    p.add_argument("--unit", choices=("days", "weeks", "months"), default="days")
    p.add_argument("--job-at-origin", choices=("exclude", "event"), default="exclude")
    p.add_argument("--window-days", type=int, default=45, help="ladder: window around waves")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``outcomes``; return the exit code."""
    try:
        study = load_study(args.path)
    except ValidationError as exc:
        print(f"kow-research outcomes: the study has validation errors:\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kow-research outcomes: {exc}", file=sys.stderr)
        return 2
    table: pd.DataFrame
    if args.measure == "time":
        table = time_to_paid_work(study, dropout=args.dropout,
                                  include_supported=args.include_supported,
                                  min_hours=args.min_hours, min_days=args.min_days,
                                  origin=args.origin, horizon_days=args.horizon_days,
                                  unit=args.unit, job_at_origin=args.job_at_origin)
        print(table.attrs["definition_text"]["en"])
        flow = attrition_table(table)
        print(flow[["cohort", "stage", "label_en", "n"]].to_string(index=False))
    elif args.measure == "ladder":
        table = ladder_by_wave(study, window_days=args.window_days, origin=args.origin)
    elif args.measure == "dropout":
        table = dropout(study, include_supported=args.include_supported)
    elif args.measure == "retention":
        table = job_retention(study, include_supported=args.include_supported,
                              min_hours=args.min_hours)
    else:
        table = training_dose(study)
    table.to_csv(args.out, index=False)
    print(f"{len(table):,} rows written to {args.out}")
    return 0
