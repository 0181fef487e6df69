"""Weighted partial-likelihood pieces (Breslow/Efron) from risk-set sums at event times.

Shared by the cause-specific Cox model and the Fine-Gray model: both need, at each distinct
event time ``j``, the risk-set sums ``S0_j, S1_j, S2_j`` and the sums over the tied events
``D0_j, D1_j, D2_j``; everything else (log-likelihood, score, information, and the per-time
factors needed for score residuals) follows here without loops over people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Partial:
    loglik: float
    score: np.ndarray
    info: np.ndarray
    h0: np.ndarray      # per event time: sum_r mw / den_r           (risk weight, non-dying)
    h1: np.ndarray      # per event time: sum_r mw xbar_r / den_r
    g0: np.ndarray      # per event time: sum_r mw (1 - f_r) / den_r (dying at that time)
    g1: np.ndarray
    xbar_d: np.ndarray  # per event time: mean over r of xbar_r (the dying subject's centre)


def partial(s0: np.ndarray, s1: np.ndarray, s2: np.ndarray, d0: np.ndarray, d1: np.ndarray,
            d2: np.ndarray, nd: np.ndarray, dw: np.ndarray, xsum_d: np.ndarray,
            etasum_d: np.ndarray, efron: bool) -> Partial:
    """Combine per-time sums. ``nd`` counts, ``dw`` weights of the tied events at each time."""
    m, p = s1.shape
    nd_int = nd.astype(np.int64)
    # expand each event time into its nd Efron steps r = 0..nd-1
    tj = np.repeat(np.arange(m), nd_int)
    r = np.arange(len(tj)) - np.repeat(np.cumsum(nd_int) - nd_int, nd_int)
    f = r / nd[tj] if efron else np.zeros(len(tj))
    mw = (dw / nd)[tj]
    den = s0[tj] - f * d0[tj]
    num1 = s1[tj] - f[:, None] * d1[tj]
    xb = num1 / den[:, None]
    loglik = float(etasum_d.sum() - np.sum(mw * np.log(den)))
    score = xsum_d.sum(axis=0) - (mw[:, None] * xb).sum(axis=0)
    num2 = s2[tj] - f[:, None, None] * d2[tj]
    info = np.einsum("e,eab->ab", mw / den, num2) - np.einsum("e,ea,eb->ab", mw, xb, xb)
    h0 = np.bincount(tj, weights=mw / den, minlength=m)
    h1 = np.stack([np.bincount(tj, weights=mw * xb[:, a] / den, minlength=m) for a in range(p)],
                  axis=1) if p else np.zeros((m, 0))
    g0 = np.bincount(tj, weights=mw * (1 - f) / den, minlength=m)
    g1 = np.stack([np.bincount(tj, weights=mw * (1 - f) * xb[:, a] / den, minlength=m)
                   for a in range(p)], axis=1) if p else np.zeros((m, 0))
    xbar_d = np.stack([np.bincount(tj, weights=xb[:, a], minlength=m) for a in range(p)],
                      axis=1) / nd[:, None]
    return Partial(loglik, score, info, h0, h1, g0, g1, xbar_d)


def newton(fun, p: int, max_iter: int = 50, tol: float = 1e-9):  # type: ignore[no-untyped-def]
    """Newton-Raphson with step halving on the log partial likelihood ``fun(beta)``."""
    beta = np.zeros(p)
    cur = fun(beta)
    for it in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(cur.info, cur.score)
        except np.linalg.LinAlgError as err:
            raise ValueError("the information matrix is singular: a covariate is constant or "
                             "collinear among people at risk; drop or recode it") from err
        new_beta = beta + step
        new = fun(new_beta)
        halves = 0
        while not np.isfinite(new.loglik) or new.loglik < cur.loglik - 1e-12:
            halves += 1
            if halves > 30:
                break
            new_beta = beta + step / 2 ** halves
            new = fun(new_beta)
        done = abs(new.loglik - cur.loglik) < tol * (abs(cur.loglik) + tol)
        beta, cur = new_beta, new
        if done and np.max(np.abs(step)) < 1e-6:
            return beta, cur, it
    if not np.all(np.isfinite(beta)) or np.max(np.abs(beta)) > 30:
        raise ValueError("the model did not converge (coefficients diverge): probably "
                         "monotone likelihood, e.g. a covariate level with no events")
    return beta, cur, max_iter
