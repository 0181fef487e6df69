"""``kow-research design``: sample size (or power) of an effect study, analytic and, with
``--simulate N``, by simulating N trials with the cohort simulators; prints the numbers and
the paragraph for the proposal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kow_research.design import (
    power,
    power_by_simulation,
    sample_size,
    trial_design_from,
)
from kow_research.synthetic.params import DEFAULTS

OUTCOMES = ("time", "competing_cause_specific", "competing_subdistribution")
ANALYSES = ("gray", "fine_gray", "cox")


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``design`` subcommand."""
    p = sub.add_parser("design", help="sample size / power of an effect study",
                       description="Analytic sample size (or power with --n-total) for time to "
                       "paid work, and with --simulate N the power of the planned analysis "
                       "from N simulated trials. Times in months, hazards per month.")
    p.add_argument("--outcome", choices=OUTCOMES, default="time",
                   help="time to paid work (default), or with dropout competing: "
                   "cause-specific or subdistribution (Fine-Gray) hazard ratio")
    p.add_argument("--hr", type=float, required=True, help="hazard ratio to detect")
    p.add_argument("--accrual", type=float, required=True, help="accrual period (months)")
    p.add_argument("--follow-up", type=float, required=True,
                   help="follow-up after the last participant entered (months)")
    control = p.add_mutually_exclusive_group()
    control.add_argument("--median-control", type=float, help="control median time (months)")
    control.add_argument("--hazard-control", type=float, help="control hazard per month")
    control.add_argument("--proportion-control", type=float,
                         help="control proportion in paid work by --horizon months")
    p.add_argument("--horizon", type=float, help="months of --proportion-control")
    p.add_argument("--competing-hazard", type=float, default=None,
                   help="dropout hazard per month (competing outcomes)")
    p.add_argument("--loss-hazard", type=float, default=0.0,
                   help="loss to follow-up per month (default 0)")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--power", type=float, default=0.8, help="target power (default 0.8)")
    p.add_argument("--allocation", type=float, default=0.5,
                   help="fraction in the programme arm (default 0.5)")
    p.add_argument("--n-total", type=int, help="given total: compute power instead of n")
    p.add_argument("--simulate", type=int, default=0, metavar="N",
                   help="also simulate N trials of that size with the cohort simulator")
    p.add_argument("--analysis", choices=ANALYSES, action="append",
                   help="planned analysis of the simulated trials (repeatable; default cox)")
    p.add_argument("--cohort", choices=sorted(DEFAULTS), default="KOW",
                   help="simulator of the participants (default KOW)")
    p.add_argument("--homogeneous", action="store_true",
                   help="simulate without covariate effects (the formula's assumption)")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulation (default 1)")
    p.add_argument("--n-jobs", type=int, default=1, help="processes for the simulation")
    p.add_argument("--language", choices=("en", "nl"), default="en")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def _assumptions(args: argparse.Namespace) -> dict[str, Any]:
    kw: dict[str, Any] = {"hr": args.hr, "accrual": args.accrual, "follow_up": args.follow_up,
                          "loss_hazard": args.loss_hazard, "alpha": args.alpha,
                          "allocation": args.allocation}
    if args.outcome == "time":
        for name in ("median_control", "hazard_control", "proportion_control", "horizon"):
            if getattr(args, name) is not None:
                kw[name] = getattr(args, name)
    else:
        if args.hazard_control is None or args.competing_hazard is None:
            raise ValueError(f"--outcome {args.outcome} needs --hazard-control and "
                             "--competing-hazard (per month)")
        kw.update(hazard_control=args.hazard_control, competing_hazard=args.competing_hazard)
    return kw


def run(args: argparse.Namespace) -> int:
    """Run ``design``; return the exit code."""
    try:
        kw = _assumptions(args)
        if args.n_total is not None:
            res = power(outcome=args.outcome, n_total=args.n_total, **kw)
        else:
            res = sample_size(outcome=args.outcome, power=args.power, **kw)
    except (ValueError, TypeError) as exc:
        print(f"kow-research design: {exc}", file=sys.stderr)
        return 2
    print(f"participants: {res.n_treated} + {res.n_control} = {res.n_total}")
    if res.events is not None:
        print(f"events needed: {res.events}")
    if res.expected_events is not None:
        print(f"events expected: {res.expected_events:.1f}")
    print(f"power (analytic): {res.achieved_power:.3f}")
    print(res.sentence(args.language))
    if args.simulate:
        try:
            design = trial_design_from(res, cohort=args.cohort, homogeneous=args.homogeneous)
            sim = power_by_simulation(design, analysis=args.analysis or ["cox"],
                                      n_sim=args.simulate, seed=args.seed,
                                      alpha=args.alpha, n_jobs=args.n_jobs,
                                      progress=not args.no_progress)
        except ValueError as exc:
            print(f"kow-research design: {exc}", file=sys.stderr)
            return 2
        cols = ["n_sim", "n_failed", "power", "power_lower", "power_upper", "type1",
                "true_value", "bias", "coverage"]
        print(sim.table[cols].round(3).to_string())
        print(sim.sentence(args.language))
    return 0
