"""Time power by simulation on joblib and on a two-worker Dask LocalCluster.

Target (issue 16): 1,000 simulated trials of 2 x 150 participants with Gray's test and
Fine-Gray in under 60 s on a 2-core machine, and the same call on a two-worker LocalCluster
giving identical numbers. Also timed: the default call, which adds the 1,000 trials under the
null (type I error) and the marginal true value (40,000 coupled people).

Run: ``.venv/bin/python benchmarks/bench_power.py [--n-sim 1000] [--workers 2]``
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

from kow_research.design import TrialDesign, power_by_simulation


def timed(**kwargs: object) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result)."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = power_by_simulation(**kwargs)      # type: ignore[arg-type]
    return time.perf_counter() - t0, time.process_time() - c0, res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sim", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    design = TrialDesign(arms={"KOW": 150, "CAU": 150}, hr=0.7, accrual_months=12,
                         follow_up_months=12)
    common = {"design": design, "analysis": ["gray", "fine_gray"], "n_sim": args.n_sim,
              "seed": 1}
    power_only = {**common, "null": False, "truth": "conditional"}
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start")
    timed(**{**power_only, "n_sim": 4})                        # warm-up (imports)
    wall_j, _, res_j = timed(**power_only, n_jobs=args.workers)
    print(f"joblib, {args.workers} processes: {args.n_sim} trials of 2 x 150, Gray + "
          f"Fine-Gray: {wall_j:.1f} s ({1000 * wall_j / args.n_sim:.0f} ms per trial)")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=50) as cluster, \
            Client(cluster) as client:
        timed(**{**power_only, "n_sim": 4}, backend="dask", client=client)      # warm-up
        wall_d, _, res_d = timed(**power_only, backend="dask", client=client)
    same = res_j.trials.equals(res_d.trials) and res_j.table.equals(res_d.table)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(res_j.table, res_d.table, check_exact=True)  # type: ignore[attr-defined]
    print(f"dask LocalCluster, {args.workers} workers: {wall_d:.1f} s; ratio dask / joblib = "
          f"{wall_d / wall_j:.2f}; identical numbers: {same}")
    print(res_j.table[["n_sim", "n_failed", "power", "power_lower",  # type: ignore[attr-defined]
                       "power_upper"]].round(4).to_string())
    wall_f, _, res_f = timed(**common, n_jobs=args.workers)
    print(f"default call (+ {args.n_sim} null trials and the marginal true value, "
          f"{res_f.attrs['truth_n']:,} coupled people): {wall_f:.1f} s")  # type: ignore[attr-defined]
    print(f"target {args.n_sim} trials < 60 s: {'met' if wall_j < 60 else 'NOT met'} "
          f"({wall_j:.1f} s); load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
