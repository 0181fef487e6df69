"""Type I error of every analysis that power_by_simulation runs, at 2,000 simulated null trials.

Each analysis is run as planned on trials simulated without an effect (``hr = 1``) and its
rejection rate at alpha = 0.05 is reported with its 95 % Wilson interval; the acceptance band
is 0.04-0.06 (issue 16). The randomised design is the default KOW-like trial of 2 x 150
participants (12 months of accrual, 12 more of follow-up, dropout competing); the weighted
comparison is run on a non-randomised version in which the comparator's people are older and
longer out of work (measured confounders, in the propensity model).

Not part of ``make test`` (about 20 minutes on 2 cores). Usage::

    python validation/type1_error.py [--n-sim 2000] [--n-jobs 2] [--seed 2026]
                                      [--out validation/results]

writes ``type1_error.csv`` and ``type1_error.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

import kow_research as kr
from kow_research.design import TrialDesign, power_by_simulation

BAND = (0.04, 0.06)
#: not a default analysis: shown because adjusting the ladder model for the baseline rung
#: looks natural, and its model-based test is anti-conservative here
DIAGNOSTIC = "randomised 2 x 150, ladder adjusted for the baseline rung (not the default)"
CONFOUNDING = {"age_mean": 43.0, "months_out_median": 36.0}


def designs() -> list[tuple[str, TrialDesign, tuple[str, ...], dict]]:
    """(label, null design, analyses, options) of every simulated analysis."""
    trial = TrialDesign(arms={"KOW": 150, "CAU": 150}, hr=1.0, accrual_months=12,
                        follow_up_months=12)
    observational = TrialDesign(arms={"KOW": 150, "CAU": 150}, hr=1.0, accrual_months=12,
                                follow_up_months=12, randomised=False,
                                confounding=CONFOUNDING)
    return [
        ("randomised 2 x 150", trial, ("gray", "fine_gray", "cox", "ladder"), {}),
        (DIAGNOSTIC, trial, ("ladder",), {"ladder_covariates": ("arm", "rung_baseline")}),
        ("non-randomised 2 x 150, ATT weights, Cox", observational, ("weighted",),
         {"weighted_model": "cox"}),
        ("non-randomised 2 x 150, ATT weights, Fine-Gray", observational, ("weighted",),
         {"weighted_model": "fine_gray"}),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=2000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    started = time.perf_counter()
    for label, design, analyses, options in designs():
        res = power_by_simulation(design, analysis=analyses, n_sim=args.n_sim, seed=args.seed,
                                  null=False, n_jobs=args.n_jobs, progress=True, **options)
        for name, r in res.table.iterrows():
            rows.append({"design": label, "analysis": name, "n_sim": int(r["n_sim"]),
                         "n_failed": int(r["n_failed"]), "type1": r["power"],
                         "lower": r["power_lower"], "upper": r["power_upper"],
                         "within_band": bool(BAND[0] <= r["power"] <= BAND[1]),
                         "mean_events": r["mean_events"]})
    table = pd.DataFrame(rows)
    table.to_csv(out / "type1_error.csv", index=False, float_format="%.4f")
    shown = table.assign(**{c: table[c].map(lambda v: f"{v:.4f}")
                            for c in ("type1", "lower", "upper")},
                         mean_events=table["mean_events"].map(lambda v: f"{v:.1f}"))
    lines = ["# Type I error of the simulated analyses", "",
             f"{args.n_sim} simulated null trials per design (hr = 1), alpha = 0.05, seed "
             f"{args.seed}; interval: 95 % Wilson; acceptance band {BAND[0]}-{BAND[1]}.",
             f"kow_research {kr.__version__}; `python validation/type1_error.py "
             f"--n-sim {args.n_sim} --seed {args.seed}`.",
             "Non-randomised designs: comparator population with "
             + ", ".join(f"{k} = {v}" for k, v in CONFOUNDING.items())
             + "; propensity model on age, smi and log(1 + months out of work).", "",
             "| " + " | ".join(shown.columns) + " |",
             "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    (out / "type1_error.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(table.to_string(index=False))
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0 if table.loc[table["design"] != DIAGNOSTIC, "within_band"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
