"""Weighted outcome analyses of two cohorts: curves, hazard models, risks at fixed horizons
and restricted mean times (the point estimates; :mod:`bootstrap` adds the intervals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import (
    as_weights,
    definition_attrs,
    months_to,
    plain,
    time_unit,
    treatment_indicator,
)

GROUP = "_group"
WEIGHT = "_weight"


def cif_kernel(time: np.ndarray, event: np.ndarray, weight: np.ndarray,
               cause: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Weighted Aalen-Johansen cumulative incidence of ``cause`` at every distinct time.

    .. math::

        \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1}) \frac{d_{kj}}{Y_j}, \qquad
        \hat S(t) = \prod_{t_j \le t} \Bigl(1 - \frac{d_{\cdot j}}{Y_j}\Bigr)

    with weighted event counts and risk sets. Without competing events this is
    :math:`1 - \hat S_{KM}`. Vectorised (one sort); the per-replicate work of the bootstrap.
    """
    ut, idx = np.unique(time, return_inverse=True)
    m = len(ut)
    y = np.bincount(idx, weights=weight, minlength=m)[::-1].cumsum()[::-1]
    ev = event > 0
    d_all = np.bincount(idx[ev], weights=weight[ev], minlength=m)
    k = event == cause
    d_k = np.bincount(idx[k], weights=weight[k], minlength=m)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(y > 0, 1 - d_all / y, 1.0))
        inc = np.where(y > 0, d_k / y, 0.0)
    s_prev = np.concatenate([[1.0], surv[:-1]])
    return ut, np.cumsum(s_prev * inc)


def step_at(ut: np.ndarray, values: np.ndarray, times: np.ndarray, start: float = 0.0
            ) -> np.ndarray:
    """Right-continuous step function through ``(ut, values)`` evaluated at ``times``."""
    pos = np.searchsorted(ut, times, side="right") - 1
    return np.where(pos >= 0, values[np.clip(pos, 0, None)], start)


def free_time(ut: np.ndarray, cif: np.ndarray, tau: float) -> float:
    r"""Restricted mean time free of the event: :math:`\int_0^\tau \{1 - \hat F_k(t)\}\,dt`."""
    keep = ut < tau
    knots = np.concatenate([[0.0], ut[keep], [tau]])
    vals = np.concatenate([[0.0], cif[keep]])
    return float(np.sum(np.diff(knots) * (1 - vals)))


def effect_kernel(time: np.ndarray, event: np.ndarray, t: np.ndarray, w: np.ndarray,
                  cause: int, horizons: np.ndarray, tau: float) -> np.ndarray:
    """Risks by the horizons, their difference and ratio, and restricted mean event-free
    times with their difference (treated minus control), as one flat vector.

    Layout: ``risk1[h], risk0[h], rd[h], rr[h], rmst1, rmst0, rmst_diff``. A risk at a horizon
    beyond a group's last observed time is NaN (no extrapolation); so is the RMST when ``tau``
    lies beyond it.
    """
    out = []
    rm = []
    for g in (1.0, 0.0):
        sel = (t == g) & (w > 0)
        ut, f = cif_kernel(time[sel], event[sel], w[sel], cause)
        r = step_at(ut, f, horizons)
        last = ut[-1] if len(ut) else -np.inf
        out.append(np.where(horizons <= last, r, np.nan))
        rm.append(free_time(ut, f, tau) if tau <= last else np.nan)
    r1, r0 = out
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = r1 / r0
    return np.concatenate([r1, r0, r1 - r0, rr, [rm[0], rm[1], rm[0] - rm[1]]])


def effect_labels(horizons_months: Sequence[float]) -> pd.DataFrame:
    """Row labels (``measure``, ``horizon_months``) matching :func:`effect_kernel`."""
    rows = []
    for measure in ("risk_treated", "risk_control", "risk_difference", "risk_ratio"):
        rows += [(measure, float(h)) for h in horizons_months]
    rows += [("rmst_treated", np.nan), ("rmst_control", np.nan), ("rmst_difference", np.nan)]
    return pd.DataFrame(rows, columns=["measure", "horizon_months"])


def _frame(df: pd.DataFrame, treatment: str, weights: Any, treated: Any, duration: str,
           event: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Working frame with a labelled group and a positive weight column (weight-0 rows, e.g.
    trimmed persons, are excluded and counted)."""
    t = treatment_indicator(df, treatment, treated)
    w = as_weights(weights, df)
    for c in (duration, event):
        if c not in df.columns:
            raise ValueError(f"column {c!r} not found; columns are {list(df.columns)}")
    work = plain(df, [duration, event])
    label_t = str(treated) if treated is not None else "treated"
    label_c = (next(str(v) for v in pd.unique(df[treatment].astype(str)) if v != label_t)
               if treated is not None else "control")
    work[GROUP] = pd.Categorical(np.where(t == 1, label_t, label_c),
                                 categories=[label_c, label_t])
    work[WEIGHT] = w
    keep = w > 0
    info = {**definition_attrs(df), "n_excluded_zero_weight": int((~keep).sum()),
            "weighted": weights is not None, "treated_level": label_t, "control_level": label_c}
    return work[keep], info


def weighted_curves(df: pd.DataFrame, treatment: str, weights: Any = None, treated: Any = None,
                    duration: str = "time", event: str = "event", cause: int = 1,
                    kind: str = "cumulative_incidence", alpha: float = 0.05) -> Any:
    """Weighted Kaplan-Meier (``kind="survival"``) or Aalen-Johansen (``"cumulative_incidence"``)
    curves per group.

    A thin call into :func:`kow_research.survival.kaplan_meier` /
    :func:`~kow_research.survival.cumulative_incidence` with case weights. Estimates equal R
    ``survfit(..., weights = w)``. The SE of the weighted AJ curve is the infinitesimal
    jackknife, as ``survfit``; the KM SE is Greenwood with weighted counts, whereas ``survfit``
    with non-integer weights reports the infinitesimal jackknife: for that SE use
    ``kind="cumulative_incidence"`` with the other causes recoded as censored (1 - KM, same SE;
    tested). Neither treats the weights as estimated: use :func:`compare_outcomes` for
    bootstrap intervals that do.

    Returns
    -------
    CurveResult
        Grouped by the labels of ``treatment``; ``attrs`` record the weighting and the number of
        persons excluded for weight 0.
    """
    from kow_research.survival import cumulative_incidence, kaplan_meier

    if kind not in ("survival", "cumulative_incidence"):
        raise ValueError(f"kind must be 'survival' or 'cumulative_incidence', got {kind!r}")
    work, info = _frame(df, treatment, weights, treated, duration, event)
    fun = kaplan_meier if kind == "survival" else cumulative_incidence
    res = fun(work, duration=duration, event=event, cause=cause, by=GROUP, weights=WEIGHT,
              alpha=alpha)
    res.attrs.update(info)
    return res


def weighted_hazard_ratio(df: pd.DataFrame, treatment: str, weights: Any = None,
                          treated: Any = None, duration: str = "time", event: str = "event",
                          cause: int = 1, model: str = "cox", covariates: Sequence[str] = (),
                          alpha: float = 0.05) -> Any:
    r"""Weighted cause-specific Cox (``model="cox"``) or Fine-Gray (``"fine_gray"``) hazard
    ratio of treated versus control, with the robust (sandwich) standard error.

    .. math::

        \lambda_k(t \mid T) = \lambda_{k0}(t)\exp(\beta T)

    fitted by weighted partial likelihood; :math:`e^\beta` is a marginal hazard ratio in the
    weighted population. The robust SE (Lin & Wei 1989) is conservative for IPTW with an
    estimated propensity score (Austin 2016); the bootstrap of :func:`compare_outcomes` is the
    alternative. ``covariates`` may add baseline columns (doubly robust adjustment).

    References
    ----------
    Austin PC (2016). Variance estimation when using inverse probability of treatment weighting
    (IPTW) with survival analysis. Stat Med 35:5642-5655.
    """
    from kow_research.survival import cox, fine_gray

    if model not in ("cox", "fine_gray"):
        raise ValueError(f"model must be 'cox' or 'fine_gray', got {model!r}")
    work, info = _frame(df, treatment, weights, treated, duration, event)
    work["treated"] = (work[GROUP] == info["treated_level"]).astype(float)
    for c in covariates:
        work[c] = df.loc[work.index, c]
    terms = ["treated", *covariates]
    if model == "cox":
        res = cox(work, duration=duration, event=event, covariates=terms, cause=cause,
                  weights=WEIGHT, robust=True, alpha=alpha)
    else:
        res = fine_gray(work, duration=duration, event=event, covariates=terms, cause=cause,
                        weights=WEIGHT, alpha=alpha)
    res.attrs.update(info)
    return res


def horizon_effects(df: pd.DataFrame, treatment: str, weights: Any = None, treated: Any = None,
                    duration: str = "time", event: str = "event", cause: int = 1,
                    horizons_months: Sequence[float] = (12, 18, 30), tau_months: float = 12,
                    unit: str | None = None) -> pd.DataFrame:
    r"""Point estimates of the (weighted) risk of ``cause`` by each horizon per group, the risk
    difference and ratio (treated vs control), and the restricted mean event-free time up to
    ``tau_months`` with its difference.

    .. math::

        \mathrm{RD}(h) = \hat F_{k,1}(h) - \hat F_{k,0}(h),\quad
        \mathrm{RR}(h) = \hat F_{k,1}(h)/\hat F_{k,0}(h),\quad
        \mathrm{RMST}_g = \int_0^{\tau} \{1 - \hat F_{k,g}(t)\}\,dt

    with the weighted Aalen-Johansen :math:`\hat F_k` (= 1 - KM without competing events).
    Horizons beyond a group's follow-up give NaN. Returns ``measure, horizon_months,
    estimate``.
    """
    work, info = _frame(df, treatment, weights, treated, duration, event)
    u = time_unit(df, unit)
    h = months_to(u, horizons_months)
    tau = float(months_to(u, tau_months))
    t = (work[GROUP] == info["treated_level"]).to_numpy(dtype=float)
    est = effect_kernel(work[duration].to_numpy(dtype=float),
                        work[event].to_numpy(dtype=np.int64), t, work[WEIGHT].to_numpy(),
                        cause, h, tau)
    out = effect_labels(horizons_months)
    out["estimate"] = est
    out.attrs = {**info, "unit": u, "tau_months": tau_months}
    return out
