r"""The draws of the chained-equations methods (internal to :mod:`kow_research.missing`).

Every method fits its model to the rows where the target column is observed, draws the
model's parameters from their approximate posterior (so that the spread between imputations
carries the uncertainty about the imputation model: Rubin's *proper* imputation), and draws
the missing values given the drawn parameters:

* ``pmm`` — predictive mean matching as ``mice.impute.pmm`` (type-1 matching): the linear
  model's :math:`\sigma^* = \sqrt{\mathrm{RSS}/\chi^2_{n-p}}` and
  :math:`\beta^* = \hat\beta + \sigma^* L z` with :math:`LL' = (X'X)^{-1}` (mice's
  ``.norm.draw``); each missing value is taken from one of the ``donors`` observed rows whose
  prediction :math:`x'\hat\beta` is closest to the missing row's :math:`x'\beta^*`;
* ``logreg``, ``polyreg``, ``polr`` — logistic, multinomial-logit and proportional-odds
  models fitted by their posterior mode under a weakly informative normal prior on the
  slopes (:data:`PRIOR_SCALE` per standard deviation of the predictor; flat for intercepts
  and thresholds), parameters drawn from the normal (Laplace) approximation of the posterior
  :math:`N(\hat\theta, I(\hat\theta)^{-1})`, then the category drawn from the model's
  probabilities. The prior keeps the estimates finite when a level separates the outcome
  (mice uses data augmentation, White, Daniel & Royston 2010, to the same end); with the
  sample sizes of programme evaluations its pull on the estimates is negligible.

The proportional-odds likelihood, score and information are those of the ladder model
(:func:`kow_research.outcomes.ladder_model._proportional_odds`), and every fit uses the
package's Newton–Raphson (:func:`kow_research.survival.design.newton_raphson`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from kow_research.outcomes.ladder_model import _proportional_odds
from kow_research.survival.design import newton_raphson

#: ridge penalty (relative to the diagonal of X'X) when X'X is singular, as mice's ``ridge``
RIDGE = 1e-5
#: prior standard deviation of a slope per standard deviation of its predictor (logreg,
#: polyreg, polr)
PRIOR_SCALE = 2.5


@dataclass(frozen=True)
class _Fit:
    loglik: float
    score: np.ndarray
    info: np.ndarray


def standardized(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``x`` centred and scaled on ``rows``, columns constant there dropped (no intercept)."""
    if x.shape[1] == 0:
        return x
    xo = x[rows]
    mu, sd = xo.mean(axis=0), xo.std(axis=0)
    keep = sd > 1e-10 * np.maximum(1.0, np.abs(mu))
    return (x[:, keep] - mu[keep]) / sd[keep]


def mvn_draw(mean: np.ndarray, cov: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw from :math:`N(\\text{mean}, \\text{cov})` (Cholesky; eigen-decomposition when
    ``cov`` is only semi-definite)."""
    z = rng.standard_normal(len(mean))
    try:
        return mean + np.linalg.cholesky(cov) @ z
    except np.linalg.LinAlgError:
        val, vec = np.linalg.eigh((cov + cov.T) / 2)
        return mean + vec @ (np.sqrt(np.clip(val, 0, None)) * z)


# --- predictive mean matching -------------------------------------------------------------
def linear_draw(x: np.ndarray, y: np.ndarray, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray]:
    """``(beta_hat, beta_star)`` of the linear model ``y ~ x`` (``x`` with intercept), as
    mice's ``.norm.draw``."""
    coef, beta, _ = norm_posterior_draw(x, y, rng)
    return coef, beta


def norm_posterior_draw(x: np.ndarray, y: np.ndarray, rng: np.random.Generator
                        ) -> tuple[np.ndarray, np.ndarray, float]:
    r"""``(beta_hat, beta_star, sigma_star)`` of the normal linear model ``y ~ x`` (``x``
    with intercept): :math:`\sigma^{*2} = \mathrm{RSS}/\chi^2_{n-p}` and
    :math:`\beta^* \sim N(\hat\beta, \sigma^{*2}(X'X)^{-1})`, the posterior under the
    standard non-informative prior (mice's ``.norm.draw``)."""
    n, p = x.shape
    xtx = x.T @ x
    try:
        np.linalg.cholesky(xtx)
    except np.linalg.LinAlgError:  # (nearly) collinear predictors: mice's ridge
        xtx = xtx + np.diag(RIDGE * np.diag(xtx) + 1e-12)
    coef = np.linalg.solve(xtx, x.T @ y)
    v = np.linalg.inv(xtx)
    v = (v + v.T) / 2
    resid = y - x @ coef
    df = max(n - p, 1)
    sigma = np.sqrt(float(resid @ resid) / rng.chisquare(df))
    return coef, coef + sigma * (np.linalg.cholesky(v) @ rng.standard_normal(p)), sigma


def norm_parameters(x: np.ndarray, y: np.ndarray, fit_rows: np.ndarray,
                    rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Drawn means of every row and drawn residual SD of the normal linear model of ``y``
    fitted to ``fit_rows`` (predictors standardized on them)."""
    xi = np.column_stack([np.ones(len(x)), standardized(x, fit_rows)])
    _, beta, sigma = norm_posterior_draw(xi[fit_rows], y[fit_rows], rng)
    return xi @ beta, sigma


def draw_norm(x: np.ndarray, y: np.ndarray, observed: np.ndarray, rng: np.random.Generator,
              delta: np.ndarray | None = None) -> np.ndarray:
    """Imputations of ``y`` where ``observed`` is False from the normal linear model
    (mice's ``norm``; ``delta`` added afterwards)."""
    mean, sigma = norm_parameters(x, y, observed, rng)
    out = mean[~observed] + sigma * rng.standard_normal(int((~observed).sum()))
    return out if delta is None else out + delta


def pmm_match(yhat_obs: np.ndarray, yhat_mis: np.ndarray, donors: int,
              rng: np.random.Generator) -> np.ndarray:
    """Index (into the observed rows) of the donor drawn for each missing row: one of the
    ``donors`` observed rows whose prediction is closest (ties in random order)."""
    n_obs = len(yhat_obs)
    k = max(1, min(donors, n_obs))
    perm = rng.permutation(n_obs)
    order = perm[np.argsort(yhat_obs[perm], kind="stable")]
    sv = yhat_obs[order]
    width = min(2 * k, n_obs)
    pos = np.searchsorted(sv, yhat_mis)
    start = np.clip(pos - k, 0, n_obs - width)
    window = start[:, None] + np.arange(width)[None, :]
    dist = np.abs(sv[window] - yhat_mis[:, None])
    nearest = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < width else \
        np.broadcast_to(np.arange(width), (len(yhat_mis), width))
    pick = nearest[np.arange(len(yhat_mis)), rng.integers(0, k, len(yhat_mis))]
    return order[window[np.arange(len(yhat_mis)), pick]]


def draw_pmm(x: np.ndarray, y: np.ndarray, observed: np.ndarray, donors: int,
             rng: np.random.Generator, delta: np.ndarray | None = None) -> np.ndarray:
    """Imputations of ``y`` where ``observed`` is False (``delta`` added afterwards)."""
    xi = np.column_stack([np.ones(len(x)), standardized(x, observed)])
    coef, beta = linear_draw(xi[observed], y[observed], rng)
    idx = pmm_match(xi[observed] @ coef, xi[~observed] @ beta, donors, rng)
    out = y[observed][idx].astype(float)
    return out if delta is None else out + delta


# --- categorical models ---------------------------------------------------------------------
def _logistic(x: np.ndarray, y: np.ndarray, prec: np.ndarray) -> Callable[[np.ndarray], _Fit]:
    def fun(beta: np.ndarray) -> _Fit:
        eta = x @ beta
        p = expit(eta)
        loglik = float(np.sum(y * eta - np.logaddexp(0.0, eta)) - 0.5 * prec @ beta ** 2)
        score = x.T @ (y - p) - prec * beta
        info = (x * (p * (1 - p))[:, None]).T @ x + np.diag(prec)
        return _Fit(loglik, score, info)
    return fun


def _multinomial(x: np.ndarray, y: np.ndarray, n_cat: int, prec: np.ndarray
                 ) -> Callable[[np.ndarray], _Fit]:
    n, p = x.shape
    onehot = np.zeros((n, n_cat))
    onehot[np.arange(n), y] = 1.0
    yk = onehot[:, 1:]
    full_prec = np.tile(prec, n_cat - 1)

    def fun(theta: np.ndarray) -> _Fit:
        b = theta.reshape(n_cat - 1, p)
        eta = x @ b.T
        lse = _lse(np.column_stack([np.zeros(n), eta]))
        prob = np.exp(eta - lse[:, None])
        loglik = float(np.sum(yk * eta) - lse.sum() - 0.5 * full_prec @ theta ** 2)
        score = ((yk - prob).T @ x).reshape(-1) - full_prec * theta
        info = np.zeros((len(theta), len(theta)))
        for a in range(n_cat - 1):
            for c in range(a, n_cat - 1):
                w = prob[:, a] * ((a == c) - prob[:, c])
                block = (x * w[:, None]).T @ x
                info[a * p:(a + 1) * p, c * p:(c + 1) * p] = block
                info[c * p:(c + 1) * p, a * p:(a + 1) * p] = block.T
        return _Fit(loglik, score, info + np.diag(full_prec))
    return fun


def _penalised_po(x: np.ndarray, y: np.ndarray, n_theta: int, prec: np.ndarray
                  ) -> Callable[[np.ndarray], _Fit]:
    base = _proportional_odds(x, y, n_theta)
    k = x.shape[1]

    def fun(params: np.ndarray) -> _Fit:
        fit = base(params)
        beta = params[:k]
        score = fit.score.copy()
        score[:k] -= prec * beta
        info = fit.info.copy()
        info[:k, :k] += np.diag(prec)
        return _Fit(fit.loglik - 0.5 * float(prec @ beta ** 2), score, info)
    return fun


def _lse(a: np.ndarray) -> np.ndarray:
    """Row-wise log-sum-exp (numerically stable)."""
    top = a.max(axis=1)
    return top + np.log(np.exp(a - top[:, None]).sum(axis=1))


def _categories(u: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    """Category index per row: the number of cumulative probabilities below ``u`` (mice's
    ``un > apply(post, 1, cumsum)``)."""
    return (u[:, None] > cumulative[:, :-1]).sum(axis=1)


def logreg_probabilities(x: np.ndarray, y: np.ndarray, fit_rows: np.ndarray,
                         rows: np.ndarray, rng: np.random.Generator, *, prior_scale: float,
                         label: str, delta: np.ndarray | None = None
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The codes of the binary ``y`` seen in ``fit_rows`` and, for ``rows``, their
    probabilities under drawn parameters of the logistic model fitted to ``fit_rows``."""
    present, yo_int = np.unique(y[fit_rows], return_inverse=True)
    n = int(np.count_nonzero(rows))
    if len(present) == 1:
        return present, np.ones((n, 1))
    z = standardized(x, fit_rows)
    xi = np.column_stack([np.ones(len(x)), z])
    prec = np.r_[0.0, np.full(z.shape[1], 1 / prior_scale ** 2)]
    beta, fit, _ = newton_raphson(_logistic(xi[fit_rows], yo_int.astype(float), prec),
                                  xi.shape[1], model=f"logistic imputation model of {label}")
    star = mvn_draw(beta, np.linalg.inv(fit.info), rng)
    eta = xi[rows] @ star
    if delta is not None:
        eta = eta + delta
    p1 = expit(eta)
    return present, np.column_stack([1 - p1, p1])


def draw_logreg(x: np.ndarray, y: np.ndarray, observed: np.ndarray, rng: np.random.Generator,
                *, prior_scale: float, label: str, delta: np.ndarray | None = None
                ) -> np.ndarray:
    """Codes drawn for the missing rows of the binary ``y`` (the two codes observed)."""
    present, prob = logreg_probabilities(x, y, observed, ~observed, rng,
                                         prior_scale=prior_scale, label=label, delta=delta)
    if len(present) == 1:
        return np.full(len(prob), present[0], dtype=np.int64)
    return present[(rng.random(len(prob)) <= prob[:, 1]).astype(np.int64)]


def polyreg_probabilities(x: np.ndarray, y: np.ndarray, fit_rows: np.ndarray,
                          rows: np.ndarray, rng: np.random.Generator, *, prior_scale: float,
                          label: str) -> tuple[np.ndarray, np.ndarray]:
    """The levels of the nominal ``y`` seen in ``fit_rows`` and, for ``rows``, their
    probabilities under drawn parameters of the multinomial logit fitted to ``fit_rows``."""
    present, yo = np.unique(y[fit_rows], return_inverse=True)
    n = int(np.count_nonzero(rows))
    if len(present) == 1:
        return present, np.ones((n, 1))
    z = standardized(x, fit_rows)
    xi = np.column_stack([np.ones(len(x)), z])
    p = xi.shape[1]
    prec = np.r_[0.0, np.full(z.shape[1], 1 / prior_scale ** 2)]
    k = len(present)
    theta, fit, _ = newton_raphson(_multinomial(xi[fit_rows], yo, k, prec), (k - 1) * p,
                                   model=f"multinomial imputation model of {label}")
    star = mvn_draw(theta, np.linalg.inv(fit.info), rng).reshape(k - 1, p)
    eta = np.column_stack([np.zeros(n), xi[rows] @ star.T])
    return present, np.exp(eta - _lse(eta)[:, None])


def draw_polyreg(x: np.ndarray, y: np.ndarray, observed: np.ndarray,
                 rng: np.random.Generator, *, prior_scale: float, label: str) -> np.ndarray:
    """Codes drawn for the missing rows of the nominal ``y`` (only levels observed)."""
    present, prob = polyreg_probabilities(x, y, observed, ~observed, rng,
                                          prior_scale=prior_scale, label=label)
    if len(present) == 1:
        return np.full(len(prob), present[0], dtype=np.int64)
    return present[_categories(rng.random(len(prob)), np.cumsum(prob, axis=1))]


def polr_probabilities(x: np.ndarray, y: np.ndarray, fit_rows: np.ndarray, rows: np.ndarray,
                       rng: np.random.Generator, *, prior_scale: float, label: str,
                       delta: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The levels of the ordinal ``y`` seen in ``fit_rows`` and, for ``rows``, their
    probabilities under drawn parameters of the proportional-odds model fitted to
    ``fit_rows``.

    The thresholds are drawn on the scale :math:`(\theta_1, \log(\theta_2 - \theta_1),
    \dots)` (delta method), so that every draw keeps them in order; ``delta`` is added to the
    linear predictor (positive: higher categories)."""
    present, yo = np.unique(y[fit_rows], return_inverse=True)
    n = int(np.count_nonzero(rows))
    if len(present) == 1:
        return present, np.ones((n, 1))
    z = standardized(x, fit_rows)
    k, n_theta = z.shape[1], len(present) - 1
    prec = np.full(k, 1 / prior_scale ** 2)
    cum = np.cumsum(np.bincount(yo, minlength=len(present)))[:-1] / len(yo)
    start = np.r_[np.zeros(k), np.log(cum / (1 - cum))]
    params, fit, _ = newton_raphson(_penalised_po(z[fit_rows], yo, n_theta, prec),
                                    k + n_theta,
                                    model=f"proportional-odds imputation model of {label}",
                                    start=start)
    cov = np.linalg.inv(fit.info)
    theta = params[k:]
    jac = np.eye(k + n_theta)
    gaps = np.diff(theta)
    for j in range(1, n_theta):
        jac[k + j, k + j - 1] = -1 / gaps[j - 1]
        jac[k + j, k + j] = 1 / gaps[j - 1]
    phi = np.r_[params[:k], theta[0], np.log(gaps)]
    star = mvn_draw(phi, jac @ cov @ jac.T, rng)
    beta_s = star[:k]
    theta_s = np.cumsum(np.r_[star[k], np.exp(star[k + 1:])])
    eta = z[rows] @ beta_s
    if delta is not None:
        eta = eta + delta
    cumulative = np.column_stack([expit(theta_s[None, :] - eta[:, None]), np.ones(n)])
    return present, np.diff(cumulative, axis=1, prepend=0.0)


def draw_polr(x: np.ndarray, y: np.ndarray, observed: np.ndarray, rng: np.random.Generator,
              *, prior_scale: float, label: str, delta: np.ndarray | None = None
              ) -> np.ndarray:
    """Codes drawn for the missing rows of the ordinal ``y`` (only levels observed; see
    :func:`polr_probabilities`)."""
    present, prob = polr_probabilities(x, y, observed, ~observed, rng,
                                       prior_scale=prior_scale, label=label, delta=delta)
    if len(present) == 1:
        return np.full(len(prob), present[0], dtype=np.int64)
    return present[_categories(rng.random(len(prob)), np.cumsum(prob, axis=1))]
