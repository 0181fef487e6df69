"""Risk-set arithmetic shared by Kaplan-Meier and Aalen-Johansen (vectorised, O(n log n)).

At each distinct time ``t_j`` the (weighted) number at risk is ``Y_j = sum w_i [T_i >= t_j]``
(with left truncation ``entry_i < t_j``) and the number of events of cause ``k`` is
``d_kj = sum w_i [T_i = t_j, event_i = k]``. Censorings at ``t_j`` are at risk at ``t_j``
(they leave just after it), as in R's survfit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Steps:
    """Per distinct time: weighted risk set, events per cause, censorings, and counts."""

    time: np.ndarray           # distinct times (all, including censoring-only times)
    at_risk: np.ndarray        # weighted
    events: np.ndarray         # (n_times, n_causes), weighted
    censored: np.ndarray       # weighted
    n_at_risk: np.ndarray      # unweighted counts
    n_events: np.ndarray       # unweighted, all causes
    causes: tuple[int, ...]
    index: np.ndarray          # position of each subject's time in ``time``


def risk_steps(time: np.ndarray, event: np.ndarray, weight: np.ndarray,
               causes: tuple[int, ...], entry: np.ndarray | None = None) -> Steps:
    """Tabulate the risk sets at every distinct time."""
    ut, idx = np.unique(time, return_inverse=True)
    m = len(ut)
    exits = np.bincount(idx, weights=weight, minlength=m)
    n_exits = np.bincount(idx, minlength=m).astype(float)
    at_risk = exits[::-1].cumsum()[::-1]
    n_at_risk = n_exits[::-1].cumsum()[::-1]
    if entry is not None:
        # subject i is at risk at t_j iff entry_i < t_j <= T_i: remove those not yet entered
        first = np.searchsorted(ut, entry, side="right")  # first t_j > entry_i
        entered = np.bincount(first, weights=weight, minlength=m + 1)[:m].cumsum()
        n_entered = np.bincount(first, minlength=m + 1)[:m].cumsum().astype(float)
        at_risk = at_risk - (weight.sum() - entered)
        n_at_risk = n_at_risk - (len(weight) - n_entered)
    events = np.zeros((m, len(causes)))
    for j, k in enumerate(causes):
        sel = event == k
        events[:, j] = np.bincount(idx[sel], weights=weight[sel], minlength=m)
    cens = event == 0
    censored = np.bincount(idx[cens], weights=weight[cens], minlength=m)
    n_events = np.bincount(idx[event > 0], minlength=m).astype(float)
    return Steps(time=ut, at_risk=at_risk, events=events, censored=censored,
                 n_at_risk=n_at_risk, n_events=n_events, causes=causes, index=idx)
