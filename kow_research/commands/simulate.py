"""``kow-research simulate``: write a simulated study to a folder."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kow_research.data.io import FORMATS, write_study
from kow_research.synthetic.combine import combine_studies
from kow_research.synthetic.params import DEFAULTS
from kow_research.synthetic.simulate import simulate_study

_CHUNK = 100_000


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser("simulate", help="simulate a cohort (synthetic data, never real people)",
                       description="Simulate one or more cohorts and write the four tables.")
    p.add_argument("--cohort", action="append", choices=sorted(DEFAULTS), metavar="COHORT",
                   help="KOW, IPS, TAU or GOW; repeat for several cohorts in one study")
    p.add_argument("--n", type=int, action="append",
                   help="participants per cohort (repeat in the order of --cohort; default: the "
                   "cohort's default n)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--format", choices=FORMATS, default="csv", help="file format (default csv)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``simulate``; return the exit code."""
    from tqdm import tqdm

    cohorts = args.cohort or ["KOW"]
    ns = args.n or []
    if len(ns) > len(cohorts):
        print("kow-research simulate: more --n than --cohort values", file=sys.stderr)
        return 2
    studies = []
    for i, cohort in enumerate(cohorts):
        n = ns[i] if i < len(ns) else DEFAULTS[cohort].n
        seed = args.seed + 1000 * i
        if n <= _CHUNK:
            studies.append(simulate_study(cohort, n=n, seed=seed))
            continue
        # large n: simulate in chunks with their own seeds and id ranges, showing progress
        chunks = range(0, n, _CHUNK)
        bar = tqdm(chunks, desc=f"simulating {cohort}", unit="chunk", file=sys.stderr,
                   disable=args.no_progress)
        for j, lo in enumerate(bar):
            size = min(_CHUNK, n - lo)
            studies.append(simulate_study(cohort, n=size, seed=seed + 7919 * (j + 1),
                                          id_prefix=f"{cohort}-{j:03d}"))
    study = combine_studies(*studies) if len(studies) > 1 else studies[0]
    for path in write_study(study, args.out, format=args.format):
        print(path)
    return 0
