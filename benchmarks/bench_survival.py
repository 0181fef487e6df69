"""Timings of the survival engine, against R (cmprsk::crr, finegray + coxph) when installed.

Run: ``.venv/bin/python benchmarks/bench_survival.py [--no-r] [--r-n 10000]``
Prints seconds per call and the ratio R / Python for the same data.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kow_research import survival as sv


def make(n: int, p: int = 4, seed: int = 1, ties: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    lp = x @ np.linspace(0.5, -0.3, p)
    t1 = rng.exponential(1 / (0.05 * np.exp(lp)))
    t2 = rng.exponential(1 / (0.03 * np.exp(-lp / 2)), n)
    c = rng.exponential(1 / 0.02, n)
    t = np.minimum(np.minimum(t1, t2), c)
    e = np.where(c <= np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    t = np.ceil(t * 7) / 7 if ties else t          # days as fractions of weeks: heavy ties
    df = pd.DataFrame(x, columns=[f"x{j + 1}" for j in range(p)])
    df.insert(0, "time", np.round(t, 4))
    df.insert(1, "event", e)
    return df


def clock(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


R_CODE = """
suppressPackageStartupMessages({library(survival); library(cmprsk)})
d <- read.csv("%s"); d$id <- seq_len(nrow(d))
X <- as.matrix(d[, grep("^x", names(d))])
t1 <- system.time(crr(d$time, d$event, cov1 = X))[["elapsed"]]
t2 <- system.time({
  d$status <- factor(d$event, levels = 0:2)
  fgd <- finegray(Surv(time, status) ~ ., data = d, etype = "1")
  coxph(Surv(fgstart, fgstop, fgstatus) ~ x1 + x2 + x3 + x4 + cluster(id), weights = fgwt,
        data = fgd)})[["elapsed"]]
cat(t1, t2, "\\n")
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-n", type=int, default=10_000, help="n for the R comparison")
    args = ap.parse_args()
    for n in (10_000, 100_000):
        df = make(n)
        for ties in ("breslow", "efron"):
            s = clock(lambda df=df, ties=ties: sv.fine_gray(df, covariates=["x1", "x2", "x3",
                                                                            "x4"], ties=ties))
            print(f"fine_gray n={n:>7} p=4 ties={ties:<7}: {s:7.3f} s")
    big = make(1_000_000, p=1, ties=True)
    print(f"kaplan_meier        n=1000000: {clock(lambda: sv.kaplan_meier(big)):7.3f} s")
    print(f"cumulative_incidence n=1000000: {clock(lambda: sv.cumulative_incidence(big)):7.3f} s")
    cont = make(1_000_000, p=1, ties=False)
    print(f"cumulative_incidence n=1000000 (no ties): "
          f"{clock(lambda: sv.cumulative_incidence(cont)):7.3f} s")
    if args.no_r or shutil.which("Rscript") is None:
        print("R comparison skipped")
        return
    df = make(args.r_n)
    cov = ["x1", "x2", "x3", "x4"]
    py_b = clock(lambda: sv.fine_gray(df, covariates=cov, ties="breslow"))
    py_e = clock(lambda: sv.fine_gray(df, covariates=cov, ties="efron"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        df.to_csv(path, index=False)
        out = subprocess.run(["Rscript", "-e", R_CODE % path], capture_output=True, text=True,
                             check=True).stdout.split()
    r_crr, r_fg = float(out[0]), float(out[1])
    print(f"n={args.r_n}: crr {r_crr:.2f} s vs fine_gray(breslow) {py_b:.3f} s "
          f"-> ratio {r_crr / py_b:.0f}x")
    print(f"n={args.r_n}: finegray+coxph {r_fg:.2f} s vs fine_gray(efron) {py_e:.3f} s "
          f"-> ratio {r_fg / py_e:.1f}x")


if __name__ == "__main__":
    main()
