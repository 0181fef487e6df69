"""Time the simulators.

Target (issue: synthetic cohorts): 1,000,000 KOW participants in under 60 s. The baseline is
the same simulator on 10,000 participants, scaled linearly, to show the cost is linear in n.

Run: ``.venv/bin/python benchmarks/bench_simulate.py [--n N]``
"""

from __future__ import annotations

import argparse
import time

from kow_research.synthetic import simulate_study


def timed(cohort: str, n: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    study = simulate_study(cohort, n=n, seed=1)
    return time.perf_counter() - t0, sum(len(t) for t in study.tables.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    timed("KOW", 10_000)  # warm-up (imports, first-call overhead)
    small, _ = timed("KOW", 10_000)
    for cohort in ("KOW", "IPS", "GOW"):
        seconds, rows = timed(cohort, args.n)
        print(f"{cohort}: {args.n:,} participants ({rows:,} rows in all tables) in "
              f"{seconds:5.1f} s; linear extrapolation from 10,000: "
              f"{small * args.n / 10_000:5.1f} s")
    seconds, _ = timed("KOW", args.n)
    print(f"target KOW {args.n:,} < 60 s: {'met' if seconds < 60 else 'NOT met'} ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
