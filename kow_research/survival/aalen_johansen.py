"""Aalen-Johansen cumulative incidence with infinitesimal-jackknife variance in O(n log n)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.survival._input import definition_of, groups, prepare
from kow_research.survival._steps import risk_steps
from kow_research.survival.kaplan_meier import curve_median


def _bincum(idx: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """``out[J] = sum of values over subjects with idx <= J`` (idx may equal m: never)."""
    return np.bincount(idx, weights=values, minlength=m + 1)[:m].cumsum()


def aj_curve(time: np.ndarray, event: np.ndarray, weight: np.ndarray, causes: tuple[int, ...],
             cause: int, entry: np.ndarray | None = None) -> dict[str, np.ndarray]:
    r"""CIF of ``cause`` and its IJ standard error at every distinct time.

    The influence of person *i* on :math:`\hat F_k(t_J)` is linear in :math:`B(J)` and
    :math:`\hat F_k(t_J)` while *i* is at risk and in :math:`\hat F_k(t_J)` after exit, so
    :math:`\sum_i w_i^2 U_i(J)^2` is assembled from cumulative sums (no n-by-m matrix).
    """
    s = risk_steps(time, event, weight, causes, entry)
    m = len(s.time)
    y = s.at_risk
    k = causes.index(cause)
    dall = s.events.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(y > 0, dall / y, 0.0)
        lamk = np.where(y > 0, s.events[:, k] / y, 0.0)
        surv = np.cumprod(1 - lam)
        s_prev = np.concatenate([[1.0], surv[:-1]])
        inc = s_prev * lamk
        cif = np.cumsum(inc)
        # H1(j) = sum_{l<=j} lam_l / (Y_l (1 - lam_l)) ; guard lam = 1 (everyone leaves)
        h1_term = np.where((y > 0) & (lam < 1), lam / (y * (1 - lam)), 0.0)
        h1 = np.cumsum(h1_term)
        h1_prev = np.concatenate([[0.0], h1[:-1]])
        inv_y = np.where(y > 0, 1 / y, 0.0)
        b = np.cumsum(inc * (h1_prev - inv_y))
        ev_term = np.where((y > 0) & (lam < 1), 1 / (y * (1 - lam)), 0.0)
    li = s.index                                    # exit index
    if entry is None:
        ei = np.full(len(time), -1)
    else:                                            # last time index <= entry
        ei = np.searchsorted(s.time, entry, side="right") - 1

    def pick(arr: np.ndarray) -> np.ndarray:
        return np.where(ei >= 0, arr[np.clip(ei, 0, None)], 0.0)

    b_e, f_e, h_e = pick(b), pick(cif), pick(h1)
    alpha_i = -b_e + h_e * f_e
    beta_i = -h_e
    failed = event > 0
    a_l = np.where(failed, ev_term[li], 0.0) - (h1[li] - h_e)        # A_i(l_i)
    dfl = (b[li] - b_e) - h_e * (cif[li] - f_e) + np.where(event == cause, s_prev[li] * inv_y[li],
                                                           0.0)
    slope = -a_l
    icpt = dfl + a_l * cif[li]
    w2 = weight ** 2
    # at-risk subjects at J: entered (ei < J) and not exited (li >= J) -> active on (ei, li)
    start = ei + 1
    def active(v: np.ndarray) -> np.ndarray:
        return _bincum(start, v, m) - _bincum(li, v, m) + np.bincount(li, weights=v,
                                                                      minlength=m)[:m]
    # note: subject with li == J is counted as exited (post-exit formula equals at J)
    def exited(v: np.ndarray) -> np.ndarray:
        return _bincum(li, v, m)
    s0 = active(w2) - np.bincount(li, weights=w2, minlength=m)[:m]
    sa = active(w2 * alpha_i) - np.bincount(li, weights=w2 * alpha_i, minlength=m)[:m]
    sb = active(w2 * beta_i) - np.bincount(li, weights=w2 * beta_i, minlength=m)[:m]
    saa = active(w2 * alpha_i ** 2) - np.bincount(li, weights=w2 * alpha_i ** 2, minlength=m)[:m]
    sab = active(w2 * alpha_i * beta_i) - np.bincount(li, weights=w2 * alpha_i * beta_i,
                                                      minlength=m)[:m]
    sbb = active(w2 * beta_i ** 2) - np.bincount(li, weights=w2 * beta_i ** 2, minlength=m)[:m]
    var_risk = (saa + 2 * sab * cif + sbb * cif ** 2 + 2 * b * (sa + sb * cif) + s0 * b ** 2)
    e0 = exited(w2 * icpt ** 2)
    e1 = exited(w2 * icpt * slope)
    e2 = exited(w2 * slope ** 2)
    var_exit = e0 + 2 * cif * e1 + cif ** 2 * e2
    var = np.clip(var_risk + var_exit, 0, None)
    return {"time": s.time, "n_risk": y, "n_event": s.events[:, k], "estimate": cif,
            "se": np.sqrt(var), "n_at_risk": s.n_at_risk, "b": b, "li": li, "ei": ei,
            "alpha": alpha_i, "beta": beta_i, "icpt": icpt, "slope": slope}


def integrated_se(r: dict[str, np.ndarray], weight: np.ndarray, tau: float) -> float:
    r"""IJ standard error of :math:`\int_0^\tau \hat F_k(t)\,dt` from :func:`aj_curve` output."""
    t = r["time"]
    nxt = np.append(t[1:], np.inf)
    wd = np.clip(np.minimum(nxt, tau) - t, 0, None)
    cw = np.concatenate([[0.0], np.cumsum(wd)])          # cw[J+1] = sum_{j<=J}
    cb = np.concatenate([[0.0], np.cumsum(wd * r["b"])])
    cf = np.concatenate([[0.0], np.cumsum(wd * r["estimate"])])
    e1, l1 = r["ei"] + 1, r["li"]                         # at risk for J in (ei, li)
    risk = (cw[l1] - cw[e1]) * r["alpha"] + (cb[l1] - cb[e1]) + r["beta"] * (cf[l1] - cf[e1])
    after = r["icpt"] * (cw[-1] - cw[l1]) + r["slope"] * (cf[-1] - cf[l1])
    return float(np.sqrt(np.sum((weight * (risk + after)) ** 2)))


def cumulative_incidence(df: pd.DataFrame, duration: str = "time", event: str = "event",
                         cause: int = 1, by: str | None = None, weights: str | None = None,
                         entry: str | None = None, alpha: float = 0.05,
    causes: Sequence[int] | None = None) -> Any:
    r"""Aalen-Johansen cumulative incidence of ``cause`` with all other codes > 0 competing.

    .. math::

        \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1}) \frac{d_{kj}}{Y_j},\qquad
        \hat S(t) = \prod_{t_j \le t}\Bigl(1 - \frac{\sum_c d_{cj}}{Y_j}\Bigr)

    The standard error is the infinitesimal jackknife
    :math:`\sqrt{\sum_i \{w_i\, \partial \hat F_k(t)/\partial w_i\}^2}`, identical to R
    ``survival::survfit`` for multi-state data (``Surv(time, factor(event))``, ``id``), also
    with case weights. Ties are exact (no jitter); events at time 0 count at time 0.
    The interval is log-log on :math:`\hat F`: :math:`\hat F^{\exp(\pm z\,\mathrm{se}/
    (\hat F \log \hat F))}`. ``.table`` has a row for each time with an event of any cause.

    References
    ----------
    Aalen OO, Johansen S (1978). Scand J Statist 5:141-150. Therneau TM, Crowther C, Atkinson E
    (2023), *Multi-state models and competing risks*, survival package vignette.
    """
    from kow_research.survival.results import CurveResult

    data = prepare(df, duration, event, weights, entry, causes=causes)
    if cause not in data.causes:
        raise ValueError(f"{event}: no events with code {cause}; codes present are "
                         f"{list(data.causes)}")
    z = stats.norm.ppf(1 - alpha / 2)
    rows, meds, risk = [], [], []
    for label, mask in groups(df, by):
        ent = None if data.entry is None else data.entry[mask]
        present = tuple(c for c in data.causes if (data.event[mask] == c).any()) or (cause,)
        if cause not in present:
            present = tuple(sorted((*present, cause)))
        r = aj_curve(data.time[mask], data.event[mask], data.weight[mask], present, cause, ent)
        keep = np.bincount(np.searchsorted(r["time"], data.time[mask][data.event[mask] > 0]),
                           minlength=len(r["time"])) > 0
        f, se = r["estimate"], r["se"]
        with np.errstate(divide="ignore", invalid="ignore"):
            d = z * se / (f * np.abs(np.log(f)))
            lower = np.where((f > 0) & (f < 1), f ** np.exp(d), np.nan)
            upper = np.where((f > 0) & (f < 1), f ** np.exp(-d), np.nan)
        rows.append(pd.DataFrame({"group": label, "time": r["time"][keep],
                                  "n_risk": r["n_risk"][keep], "n_event": r["n_event"][keep],
                                  "estimate": f[keep], "se": se[keep], "lower": lower[keep],
                                  "upper": upper[keep]}))
        t = r["time"][keep]
        meds.append({"group": label, "median": curve_median(t, f[keep], decreasing=False),
                     "lower": curve_median(t, upper[keep], decreasing=False),
                     "upper": curve_median(t, lower[keep], decreasing=False)})
        risk.append(pd.DataFrame({"group": label, "time": r["time"], "n_risk": r["n_at_risk"]}))
    return CurveResult(table=pd.concat(rows, ignore_index=True), median=pd.DataFrame(meds),
                       kind="cumulative_incidence", alpha=alpha, cause=cause,
                       at_risk=pd.concat(risk, ignore_index=True), grouped=by is not None,
                       attrs={**definition_of(df), "cause": cause,
                              "competing": [c for c in data.causes if c != cause]})
