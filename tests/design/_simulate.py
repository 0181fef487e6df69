"""Seeded two-arm trial simulator for the design tests: uniform accrual over [0, A], analysis
at A + F, exponential loss to follow-up, and paid work (cause 1) with dropout (cause 2)
either as exponential cause-specific hazards or under proportional subdistribution hazards
(Fine & Gray 1999's own simulation design)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def trial(rng: np.random.Generator, *, n_treated: int, n_control: int, hazard: float,
          hr: float, accrual: float, follow_up: float, loss: float = 0.0,
          competing: float = 0.0, model: str = "cause_specific") -> pd.DataFrame:
    x = np.r_[np.ones(n_treated), np.zeros(n_control)]
    n = len(x)
    admin = accrual + follow_up - rng.uniform(0, accrual, n)
    lost = rng.exponential(1 / loss, n) if loss > 0 else np.full(n, np.inf)
    total = hazard + competing
    if model == "cause_specific":
        lam = np.where(x == 1, hazard * hr, hazard)
        t1 = rng.exponential(1 / lam)
        t2 = rng.exponential(1 / competing, n) if competing > 0 else np.full(n, np.inf)
        t, cause = np.minimum(t1, t2), np.where(t1 <= t2, 1, 2)
    else:   # F_1(t) = 1 - (1 - F_0(t))^theta, F_0(t) = p1 (1 - exp(-total t))
        p1 = hazard / total
        theta = np.where(x == 1, hr, 1.0)
        ever = 1 - (1 - p1) ** theta
        is1 = rng.random(n) < ever
        f0 = 1 - (1 - rng.random(n) * ever) ** (1 / theta)
        t1 = -np.log1p(-np.minimum(f0 / p1, 1 - 1e-15)) / total
        t = np.where(is1, t1, rng.exponential(1 / total, n))
        cause = np.where(is1, 1, 2)
    stop = np.minimum(admin, lost)
    event = np.where(t <= stop, cause, 0)
    return pd.DataFrame({"time": np.minimum(t, stop), "event": event, "treated": x})
