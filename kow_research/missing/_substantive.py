r"""Substantive-model-compatible imputation for Cox models (internal to
:mod:`kow_research.missing`; SMC-FCS, Bartlett, Seaman, White & Carpenter 2015).

Chained equations with the event indicator and the Nelson–Aalen cumulative hazard as
predictors (White & Royston 2009) only approximate the distribution of a covariate given the
outcome; the approximation attenuates a covariate's hazard ratio, the more so the larger it
is. SMC-FCS imputes a covariate :math:`X` of a (cause-specific) Cox model from the density
implied by the covariate model :math:`f(x \mid z; \theta)` *and* the Cox model itself,

.. math::

    f(x \mid T, \delta, z) \propto f(x \mid z; \theta) \prod_{k}
    \bigl(e^{\eta_k(x, z)}\bigr)^{[\delta = k]} \exp\bigl(-H_{0k}(T) e^{\eta_k(x, z)}\bigr),

one factor per cause :math:`k` (Bartlett & Taylor 2016 for competing risks), with
:math:`\eta_k = \beta_k'(x, z)` and :math:`H_{0k}` the cumulative baseline hazard. Every
iteration draws :math:`\theta^*` from the covariate model fitted to the current completed
data, :math:`\beta_k^* \sim N(\hat\beta_k, \hat V_k)` from each cause's Cox model fitted to
it, and :math:`H_{0k}^*` as the (Efron-tie) Breslow estimator at :math:`\beta_k^*`; then

* a categorical :math:`X` is drawn from the density above evaluated at each of its levels;
* a normal :math:`X` (entering :math:`\eta_k` as :math:`\beta_{xk} x`) by rejection
  sampling. The factor :math:`e^{\eta_c}` of an event of cause :math:`c` tilts the normal
  covariate model exactly, :math:`\phi(x; \mu, \sigma^2) e^{\beta_{xc} x} \propto
  \phi(x; \mu + \beta_{xc}\sigma^2, \sigma^2)`, so a candidate is drawn from
  :math:`N(\mu^* + \beta^*_{xc}\sigma^{*2}, \sigma^{*2})` for an event (from
  :math:`N(\mu^*, \sigma^{*2})` when censored) and accepted with probability
  :math:`\prod_k \exp(-H^*_{0k}(T) e^{\eta_k})`. (smcfcs proposes from the covariate model
  for everyone and bounds :math:`u e^{-u}` by :math:`e^{-1}`; an early event, whose small
  :math:`H_0(T)` makes that bound loose, then needs hundreds of candidates and sometimes
  reaches the limit. Both target the same density.) A row still not accepted after
  :data:`REJECTION_LIMIT` candidates keeps its previous value (counted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kow_research.missing._draws import mvn_draw
from kow_research.survival.cox import cox
from kow_research.survival.design import design_matrix
from kow_research.survival.kernels import reverse_cumsum

#: candidates per row and iteration before rejection sampling gives up (smcfcs' ``rjlimit``)
REJECTION_LIMIT = 1000


@dataclass(frozen=True)
class CoxOutcome:
    """The outcome of the Cox substantive model(s): times, event codes and the causes."""

    duration: str
    event: str
    time: np.ndarray
    code: np.ndarray
    causes: tuple[int, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True)
class CauseDraw:
    """One cause's drawn coefficients (by name) and :math:`H^*_{0k}(T_i)` of every row."""

    cause: int
    beta: pd.Series
    hazard: np.ndarray


def efron_baseline_at(time: np.ndarray, dead: np.ndarray, eta: np.ndarray) -> np.ndarray:
    r"""The cumulative baseline hazard at each row's own time at linear predictor ``eta``:
    :math:`H_0(T_i) = \sum_{t_j \le T_i} \sum_{r=0}^{d_j - 1} 1 / (S_0(t_j) - \tfrac{r}{d_j}
    D_0(t_j))`, :math:`S_0` the sum of :math:`e^{\eta}` over the risk set and :math:`D_0` over
    the :math:`d_j` tied events (Breslow's estimator with Efron's tie correction, R's
    ``basehaz(fit, centered = FALSE)`` after ``coxph(ties = "efron")``)."""
    ut, idx = np.unique(time, return_inverse=True)
    m = len(ut)
    r = np.exp(eta)
    s0 = reverse_cumsum(np.bincount(idx, weights=r, minlength=m))
    d = np.bincount(idx[dead], minlength=m)
    d0 = np.bincount(idx[dead], weights=r[dead], minlength=m)
    tj = np.repeat(np.arange(m), d)
    step = np.arange(len(tj)) - np.repeat(np.cumsum(d) - d, d)
    increments = np.bincount(tj, weights=1.0 / (s0[tj] - step / d[tj] * d0[tj]), minlength=m)
    return np.cumsum(increments)[idx]


def linear_predictor(frame: pd.DataFrame, terms: Sequence[str], reference: dict,
                     beta: pd.Series) -> np.ndarray:
    """:math:`\\beta'x` of every row of ``frame`` (coefficients matched by name)."""
    dm = design_matrix(frame, list(terms), reference={k: v for k, v in reference.items()
                                                      if k in terms})
    return dm.x @ beta.reindex(dm.names).fillna(0.0).to_numpy()


def draw_cox(frame: pd.DataFrame, outcome: CoxOutcome, rng: np.random.Generator
             ) -> tuple[list[CauseDraw], dict]:
    """Fit each cause's Cox model to the completed ``frame`` and draw its parameters.

    Returns the draws and the reference levels of the categorical terms."""
    draws = []
    reference: dict = {}
    for k in outcome.causes:
        fit = cox(frame, duration=outcome.duration, event=outcome.event,
                  covariates=list(outcome.terms), cause=k)
        reference = dict(fit.attrs.get("reference") or {})
        names = list(fit.coef.index)
        beta = pd.Series(mvn_draw(fit.coef["coef"].to_numpy(),
                                  fit.vcov.loc[names, names].to_numpy(), rng), index=names)
        eta = linear_predictor(frame, outcome.terms, reference, beta)
        draws.append(CauseDraw(k, beta, efron_baseline_at(outcome.time, outcome.code == k,
                                                          eta)))
    return draws, reference


def outcome_loglik(draws: Sequence[CauseDraw], etas: Sequence[np.ndarray], code: np.ndarray,
                   rows: np.ndarray) -> np.ndarray:
    r"""Log of the outcome density of ``rows`` up to a factor free of the covariate:
    :math:`\sum_k [\delta = k]\eta_k - H^*_{0k}(T) e^{\eta_k}`."""
    out = np.zeros(int(np.count_nonzero(rows)))
    for d, eta in zip(draws, etas, strict=True):
        out += np.where(code[rows] == d.cause, eta, 0.0) - d.hazard[rows] * np.exp(eta)
    return out


def draw_categorical(prior: np.ndarray, loglik_of_level: Callable[[int], np.ndarray],
                     rng: np.random.Generator) -> np.ndarray:
    """Level index per row from ``prior`` (rows × levels, the covariate model's
    probabilities) times the outcome density at each level."""
    logw = np.log(np.clip(prior, 1e-300, None))
    logw = logw + np.column_stack([loglik_of_level(j) for j in range(prior.shape[1])])
    logw -= logw.max(axis=1, keepdims=True)
    post = np.exp(logw)
    post /= post.sum(axis=1, keepdims=True)
    u = rng.random(len(post))
    return (u[:, None] > np.cumsum(post, axis=1)[:, :-1]).sum(axis=1)


def draw_normal(mean: np.ndarray, sigma: float, eta0: Sequence[np.ndarray],
                slope: Sequence[float], draws: Sequence[CauseDraw], code: np.ndarray,
                rows: np.ndarray, previous: np.ndarray, rng: np.random.Generator
                ) -> tuple[np.ndarray, int]:
    r"""Rejection sampling of a normal covariate entering every cause's linear predictor as
    ``eta0[k] + slope[k] * x`` (the proposal tilted by an event's own cause, see the module
    docstring); returns the values and the number of rows that reached
    :data:`REJECTION_LIMIT` (they keep ``previous``)."""
    out = previous.astype(float).copy()
    todo = np.arange(len(out))
    hazard = [d.hazard[rows] for d in draws]
    event = code[rows]
    centre = mean.astype(float).copy()
    for d, b in zip(draws, slope, strict=True):
        centre += np.where(event == d.cause, b * sigma ** 2, 0.0)
    for _ in range(REJECTION_LIMIT):
        if not len(todo):
            break
        x = centre[todo] + sigma * rng.standard_normal(len(todo))
        log_accept = np.zeros(len(todo))
        for h, e0, b in zip(hazard, eta0, slope, strict=True):
            log_accept -= h[todo] * np.exp(e0[todo] + b * x)
        ok = np.log(rng.random(len(todo))) <= log_accept
        out[todo[ok]] = x[ok]
        todo = todo[~ok]
    return out, len(todo)
