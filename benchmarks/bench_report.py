"""Timings of the report helpers: Table 1 at large n, disclosure control, output checks.

Run: ``.venv/bin/python benchmarks/bench_report.py``. Prints seconds per call; Table 1 is
compared with a naive per-person Python loop computing the same group counts and means.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from kow_research.report import check_notebook_outputs, suppression_mask, table_one


def _time(f, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(1)
    n = 200_000
    df = pd.DataFrame({
        "cohort": rng.choice(["KOW", "IPS", "TAU", "GOW"], n),
        "age": rng.normal(38, 10, n).round(),
        "sex": pd.Categorical(rng.choice(["female", "male", "other"], n, p=[.5, .49, .01])),
        "smi": pd.array(rng.random(n) < 0.3, dtype="boolean"),
        "months_out_of_work": rng.exponential(30, n).round(),
    })
    t_fast = _time(lambda: table_one(df))

    def naive() -> dict:
        acc: dict = {}
        for c, a, s in zip(df["cohort"], df["age"], df["sex"], strict=True):
            d = acc.setdefault(c, {"n": 0, "age": 0.0, "sex": {}})
            d["n"] += 1
            d["age"] += a
            d["sex"][s] = d["sex"].get(s, 0) + 1
        return acc

    t_naive = _time(naive, repeat=1)
    print(f"table_one, n = {n:,}, 5 variables, 4 groups: {t_fast:.3f} s "
          f"(naive loop over people for 2 variables: {t_naive:.3f} s; ratio {t_naive / t_fast:.1f})")
    counts = pd.DataFrame(rng.integers(0, 12, size=(400, 8)).astype(float))
    blocks = np.repeat(np.arange(80), 5)
    t_sup = _time(lambda: suppression_mask(counts, k=5, blocks=blocks, row_totals=True))
    print(f"suppression_mask, 400 x 8 cells with row and block partitions: {t_sup:.3f} s")
    nb = Path(__file__).resolve().parents[1] / "notebooks"
    if nb.is_dir():
        t_chk = _time(lambda: check_notebook_outputs(nb))
        print(f"check_notebook_outputs on {len(list(nb.glob('*.ipynb')))} notebooks: "
              f"{t_chk:.3f} s")


if __name__ == "__main__":
    main()
