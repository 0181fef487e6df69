"""Write ``smcfcs_incomplete.csv``: the data of the SMC-FCS comparison with R's ``smcfcs``.

Run once; the output is committed. 400 people, half in each arm; a standard-normal covariate
``x`` and a binary ``b`` (P = 0.4, more often 1 when x is high); cause-specific hazards of paid
work (cause 1) with log HRs arm 0.4, x 0.8, b -0.6 and of dropout (cause 2) with arm -0.3, x
-0.4; uniform administrative censoring. ``x`` and ``b`` are then deleted at random given the
outcome (more often after paid work) and the arm: 46 % and 27 % of the 400 (247 cause-1
and 119 cause-2 events).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "smcfcs_incomplete.csv"


def main() -> None:
    rng = np.random.default_rng(20261204)
    n = 400
    arm = np.repeat([0, 1], n // 2)
    x = rng.normal(size=n)
    b = (rng.random(n) < 1 / (1 + np.exp(-(-0.4 + 0.7 * x)))).astype(int)
    h1 = 0.004 * np.exp(0.4 * arm + 0.8 * x - 0.6 * b)
    h2 = 0.002 * np.exp(-0.3 * arm - 0.4 * x)
    t1, t2 = rng.exponential(1 / h1), rng.exponential(1 / h2)
    c = rng.uniform(200, 700, n)
    time = np.minimum.reduce([t1, t2, c])
    event = np.select([time == t1, time == t2], [1, 2], 0)
    work = event == 1
    px = 1 / (1 + np.exp(-(-1.0 + 0.9 * work + 0.3 * arm)))
    pb = 1 / (1 + np.exp(-(-1.5 + 0.7 * work + 0.2 * arm)))
    df = pd.DataFrame({"time": np.round(time, 6), "event": event, "arm": arm,
                       "x": np.where(rng.random(n) < px, np.nan, np.round(x, 6)),
                       "b": np.where(rng.random(n) < pb, np.nan, b)})
    df.to_csv(OUT, index=False)


if __name__ == "__main__":
    main()
