"""Propensity scores and balancing weights (IPTW for the ATE, odds weights for the ATT,
overlap weights for the ATO)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import control_level, treatment_indicator
from kow_research.compare.plots import overlap_plot
from kow_research.core.checks import check_alpha, check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import CallableTable, Result, result_class
from kow_research.survival.design import (
    DesignMatrix,
    SeparationError,
    check_separation,
    coefficient_table,
    design_matrix,
    newton_raphson,
)

ESTIMANDS = ("ATE", "ATT", "ATO")
#: a linear predictor beyond this (|logit e| > 30, e within 1e-13 of 0 or 1) means separation
LOGIT_LIMIT = 30.0
#: target-population descriptions, by estimand
TARGETS = {
    "ATE": "everyone in both cohorts (average treatment effect)",
    "ATT": "people like those in the treated cohort (average effect on the treated)",
    "ATO": "the overlap population, where both programmes are plausible (overlap weights)",
}


@dataclass(frozen=True)
class _LogitFit:
    loglik: float
    score: np.ndarray
    info: np.ndarray


def _logit_objective(x: np.ndarray, t: np.ndarray) -> Any:
    def fun(beta: np.ndarray) -> _LogitFit:
        eta = np.clip(x @ beta, -2 * LOGIT_LIMIT, 2 * LOGIT_LIMIT)
        p = 1 / (1 + np.exp(-eta))
        loglik = float(np.sum(t * eta - np.logaddexp(0, eta)))
        return _LogitFit(loglik, x.T @ (t - p), (x * (p * (1 - p))[:, None]).T @ x)
    return fun


def fit_logit(x: np.ndarray, t: np.ndarray, design: DesignMatrix | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    r"""Maximum-likelihood logistic regression (``x`` includes the intercept column).

    .. math::

        \beta \leftarrow \beta + (X^\top W X)^{-1} X^\top (t - p), \qquad W = \mathrm{diag}
        \{p(1-p)\}

    by :func:`kow_research.survival.design.newton_raphson` (scale-free convergence). A few
    milliseconds for thousands of rows; used in every bootstrap replicate.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Design matrix with the intercept first.
    t : ndarray
        0/1 outcome (treated).
    design : DesignMatrix, optional
        The covariate design (without intercept) for the separation check that names levels.

    Returns
    -------
    (beta, covariance) : (ndarray, ndarray)

    Raises
    ------
    SeparationError
        A covariate level occurs in one group only, or the scores reach 0 or 1.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall.

    Examples
    --------
    With one binary covariate the fit reproduces the two groups' log odds: 1 of 3 treated
    where ``x = 0`` (log 0.5), 2 of 3 where ``x = 1`` (log 2, so the slope is log 4), with
    the SEs :math:`\sqrt{1/1 + 1/2}` and :math:`\sqrt{1/1 + 1/2 + 1/2 + 1/1}`:

    >>> x = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
    >>> beta, cov = fit_logit(x, np.array([1.0, 0, 0, 1, 1, 0]))
    >>> beta.round(4).tolist(), np.sqrt(np.diag(cov)).round(4).tolist()
    ([-0.6931, 1.3863], [1.2247, 1.7321])
    """
    if design is not None:
        check_separation(design, t, model="propensity model", outcome_name="the treated cohort")
    beta, fit, _ = newton_raphson(_logit_objective(x, t), x.shape[1], model="propensity model")
    if np.max(np.abs(x @ beta)) > LOGIT_LIMIT:
        raise SeparationError("propensity scores of 0 or 1 (perfect separation): the groups "
                              "do not overlap on the covariates; restrict the population or "
                              "merge levels")
    return beta, np.linalg.inv(fit.info)


def _firth_objective(x: np.ndarray, t: np.ndarray) -> Any:
    def fun(beta: np.ndarray) -> _LogitFit:
        eta = np.clip(x @ beta, -2 * LOGIT_LIMIT, 2 * LOGIT_LIMIT)
        p = 1 / (1 + np.exp(-eta))
        w = p * (1 - p)
        info = (x * w[:, None]).T @ x
        sign, logdet = np.linalg.slogdet(info)
        if sign <= 0:
            return _LogitFit(-np.inf, np.zeros(len(beta)), info)
        # leverages h_i = w_i x_i' I^{-1} x_i of the weighted hat matrix
        h = w * np.einsum("ij,ji->i", x, np.linalg.solve(info, x.T))
        loglik = float(np.sum(t * eta - np.logaddexp(0, eta))) + 0.5 * logdet
        return _LogitFit(loglik, x.T @ (t - p + h * (0.5 - p)), info)
    return fun


#: Fisher-scoring steps allowed to :func:`fit_firth` (linear convergence near separation)
FIRTH_MAX_ITER = 1000


def fit_firth(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Firth-penalised logistic regression (``x`` includes the intercept column).

    Maximises the log-likelihood penalised by Jeffreys' invariant prior,

    .. math::

        \ell^*(\beta) = \ell(\beta) + \tfrac12 \log\det I(\beta),\qquad
        I(\beta) = X^\top W X,\quad W = \mathrm{diag}\{p(1-p)\},

    by Fisher-scoring steps with the modified score :math:`U^*_j = \sum_i \{t_i - p_i +
    h_i(\tfrac12 - p_i)\} x_{ij}` (:math:`h_i` the diagonal of :math:`W^{1/2} X I^{-1}
    X^\top W^{1/2}`, the exact gradient of :math:`\ell^*`) and the Fisher information, with
    step halving on :math:`\ell^*` (as R's ``logistf``). The Fisher information is not the
    Hessian of :math:`\ell^*`, so convergence is linear: slow when a level lies in one cohort
    only (two people with sex = "other" in one cohort of 300 took about 260 steps), hence up
    to :data:`FIRTH_MAX_ITER` steps instead of the 50 of maximum likelihood. The estimates
    are finite even under complete separation, and their :math:`O(1/n)` bias is removed; the
    covariance is :math:`I(\hat\beta)^{-1}`. A finite estimate does not create overlap: a
    level found in one cohort only still has no counterpart in the other.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Design matrix with the intercept first.
    t : ndarray
        0/1 outcome (treated).

    Returns
    -------
    (beta, covariance) : (ndarray, ndarray)

    References
    ----------
    Firth D (1993). Bias reduction of maximum likelihood estimates. Biometrika 80:27-38.
    Heinze G, Schemper M (2002). A solution to the problem of separation in logistic
    regression. Stat Med 21:2409-2419.

    Examples
    --------
    With one binary covariate Firth's estimate is the maximum-likelihood one on the 2 x 2
    table with 1/2 added to every cell: 1.5 of 4 treated where ``x = 0``, 2.5 of 4 where
    ``x = 1`` (log odds log(1.5/2.5) and log(2.5/1.5)):

    >>> x = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
    >>> beta, _ = fit_firth(x, np.array([1.0, 0, 0, 1, 1, 0]))
    >>> beta.round(4).tolist(), [round(float(np.log(1.5 / 2.5)), 4), round(float(2 * np.log(2.5 / 1.5)), 4)]
    ([-0.5108, 1.0217], [-0.5108, 1.0217])

    Complete separation (every ``x = 1`` treated, no ``x = 0``): maximum likelihood diverges,
    Firth gives log(3.5/0.5) for the slope:

    >>> beta, _ = fit_firth(x, np.array([0.0, 0, 0, 1, 1, 1]))
    >>> round(float(beta[1]), 4), round(float(2 * np.log(3.5 / 0.5)), 4)
    (3.8918, 3.8918)
    """
    beta, fit, _ = newton_raphson(_firth_objective(x, t), x.shape[1],
                                  model="propensity model (Firth)", max_iter=FIRTH_MAX_ITER)
    return beta, np.linalg.inv(fit.info)


#: ways of fitting the propensity model: maximum likelihood, Firth-penalised, or maximum
#: likelihood with Firth's penalty only where the maximum-likelihood estimate does not exist
PROPENSITY_METHODS = ("logit", "firth", "auto")


def fit_propensity_model(x: np.ndarray, t: np.ndarray, method: str = "auto",
                         design: DesignMatrix | None = None
                         ) -> tuple[np.ndarray, np.ndarray, str]:
    r"""Fit the propensity model's logistic regression by ``method``.

    ``"logit"`` is :func:`fit_logit` (maximum likelihood; raises under separation),
    ``"firth"`` :func:`fit_firth` (penalised, always finite). ``"auto"`` is maximum likelihood
    wherever its estimate exists and Firth's penalised likelihood only where it does not
    (separation, or Newton-Raphson not converging): the estimator keeps maximum likelihood's
    consistency and negligible bias in data that do not separate, which Firth's shrinkage of
    the slopes does not (at 300 per cohort it biased a weighted 12-month risk by 3 Monte Carlo
    SEs: ``validation/results/bootstrap_coverage.md``), and stays finite in those that do.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Design matrix with the intercept first.
    t : ndarray
        0/1 outcome (treated).
    method : {"auto", "logit", "firth"}, default "auto"
        See above.
    design : DesignMatrix, optional
        The covariate design (without intercept), for the separation check that names levels
        (maximum likelihood only).

    Returns
    -------
    (beta, covariance, used) : (ndarray, ndarray, str)
        ``used`` is the fit that produced ``beta``: ``"logit"`` or ``"firth"``.

    Raises
    ------
    SeparationError
        With ``method="logit"``, as :func:`fit_logit`.

    Examples
    --------
    A level (``x = 1``) in the treated cohort only: maximum likelihood has no finite slope, so
    ``"auto"`` falls back to Firth's estimate; where both groups overlap it is the
    maximum-likelihood fit:

    >>> x = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
    >>> fit_propensity_model(x, np.array([0.0, 0, 1, 1, 1, 1]))[2]
    'firth'
    >>> beta, _, used = fit_propensity_model(x, np.array([1.0, 0, 0, 1, 1, 0]))
    >>> used, bool(np.allclose(beta, fit_logit(x, np.array([1.0, 0, 0, 1, 1, 0]))[0]))
    ('logit', True)
    """
    check_choice("method", method, PROPENSITY_METHODS)
    if method == "firth":
        return (*fit_firth(x, t), "firth")
    try:
        return (*fit_logit(x, t, design), "logit")
    except ValueError:   # separation (SeparationError) or no convergence (ConvergenceError)
        if method == "logit":
            raise
    return (*fit_firth(x, t), "firth")


def refit_weights(x: np.ndarray, t: np.ndarray, *, method: str, estimand: str,
                  stabilize: bool = False, trim: float | None = None
                  ) -> tuple[np.ndarray, str]:
    """Balancing weights from a refit of the propensity model on a resample or leave-out.

    The columns of ``x`` (after the intercept) that are constant in these rows — a level
    absent from the resample — are dropped before :func:`fit_propensity_model`; trimmed
    persons (``trim``) get weight 0. Used by every bootstrap replicate and jackknife
    leave-out of :func:`kow_research.compare.compare_outcomes` and
    :func:`kow_research.compare.bootstrap_hazard_ratio`.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Design matrix of these rows, intercept first.
    t : ndarray
        0/1 treatment indicator of these rows.
    method : {"auto", "logit", "firth"}
        As :func:`fit_propensity_model`.
    estimand : {"ATT", "ATE", "ATO"}
        As :func:`balancing_weights`.
    stabilize : bool, default False
        As :func:`balancing_weights`.
    trim : float, optional
        Crump trimming threshold, as :func:`propensity`.

    Returns
    -------
    (weights, used) : (ndarray, str)
        ``used``: ``"logit"`` or ``"firth"``, the fit behind the weights.

    Raises
    ------
    ValueError
        The model could not be fitted (separation with ``method="logit"``, no convergence),
        or a weight overflows (|logit| > 709).

    Examples
    --------
    >>> x = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1], [5.0] * 6])
    >>> w, used = refit_weights(x, np.array([1.0, 0, 0, 1, 1, 0]), method="auto",
    ...                         estimand="ATT")
    >>> used, w.round(4).tolist()
    ('logit', [1.0, 0.5, 0.5, 1.0, 1.0, 2.0])
    """
    x = x[:, np.r_[True, np.ptp(x[:, 1:], axis=0) > 0]]
    beta, _, used = fit_propensity_model(x, t, method)
    eta = x @ beta
    ps = 1 / (1 + np.exp(-eta))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = balancing_weights(ps, t, estimand=estimand, stabilize=stabilize, logit=eta)
    if trim is not None:   # before the check: a trimmed person's weight does not count
        w = np.where((ps < trim) | (ps > 1 - trim), 0.0, w)
    if not np.isfinite(w).all():
        raise ValueError("a weight overflows in this resample (|logit| > 709)")
    return w, used


@positional_deprecated("estimand", "stabilize", n_positional=2)
def balancing_weights(ps: np.ndarray, t: np.ndarray, *, estimand: str = "ATT",
                      stabilize: bool = False, logit: np.ndarray | None = None) -> np.ndarray:
    r"""Weights for ``estimand`` from propensity scores ``ps`` = P(treated | x).

    .. math::

        \text{ATE: } w = \frac{t}{e} + \frac{1-t}{1-e},\quad
        \text{ATT: } w = t + (1-t)\frac{e}{1-e},\quad
        \text{ATO: } w = t(1-e) + (1-t)e

    ``stabilize`` multiplies the ATE weights by the marginal group shares
    (:math:`\bar t` for the treated, :math:`1-\bar t` for the controls) and the ATT control
    weights by :math:`(1-\bar t)/\bar t`, so that each group's weights sum to about its size;
    overlap weights are bounded and left unchanged. Ratio (Hajek) estimators are invariant to
    it.

    Parameters
    ----------
    ps : ndarray
        Propensity scores in (0, 1).
    t : ndarray
        0/1 treatment indicator.
    estimand : {"ATT", "ATE", "ATO"}, default "ATT"
        Target population: the treated, everyone, or the overlap population.
    stabilize : bool, default False
        Multiply by the marginal group shares (see above).
    logit : ndarray, optional
        The linear predictor :math:`\eta` of the propensity model (``ps`` =
        :math:`1/(1+e^{-\eta})`). When given, the odds and inverse probabilities are computed
        from it, :math:`e/(1-e) = e^{\eta}`, :math:`1/e = 1 + e^{-\eta}`,
        :math:`1/(1-e) = 1 + e^{\eta}`, so a score that rounds to exactly 0 or 1 in floating
        point (:math:`|\eta| > 37`) still has its finite weight.

    Returns
    -------
    ndarray
        One weight per person.

    References
    ----------
    Hirano K, Imbens GW, Ridder G (2003). Econometrica 71:1161-1189. Li F, Morgan KL,
    Zaslavsky AM (2018). JASA 113:390-400.

    Examples
    --------
    >>> ps, t = np.array([0.5, 0.2]), np.array([1.0, 0.0])
    >>> balancing_weights(ps, t, estimand="ATT").tolist()    # 1, 0.2 / 0.8
    [1.0, 0.25]
    >>> balancing_weights(ps, t, estimand="ATE").tolist()    # 1 / 0.5, 1 / 0.8
    [2.0, 1.25]
    >>> balancing_weights(ps, t, estimand="ATO").tolist()    # 1 - 0.5, 0.2
    [0.5, 0.2]

    A control whose score rounds to 1 (:math:`\eta = 40`) keeps the weight :math:`e^{40}`:

    >>> eta = np.array([40.0])
    >>> w = balancing_weights(1 / (1 + np.exp(-eta)), np.array([0.0]), logit=eta)
    >>> bool(w[0] == np.exp(40.0)), float(balancing_weights(1 / (1 + np.exp(-eta)),
    ...                                                     np.array([0.0]))[0])
    (True, inf)
    """
    check_choice("estimand", estimand, ESTIMANDS)
    if logit is not None:
        eta = np.asarray(logit, dtype=float)
        with np.errstate(over="ignore"):
            odds, inv_odds = np.exp(eta), np.exp(-eta)
        inv_treated, inv_control = 1 + inv_odds, 1 + odds          # 1/e, 1/(1 - e)
    else:
        with np.errstate(divide="ignore"):
            odds, inv_treated, inv_control = ps / (1 - ps), 1 / ps, 1 / (1 - ps)
    if estimand == "ATE":
        w = t * inv_treated + (1 - t) * inv_control
        if stabilize:
            p1 = t.mean()
            w = w * np.where(t == 1, p1, 1 - p1)
    elif estimand == "ATT":
        w = t + (1 - t) * odds
        if stabilize:
            p1 = t.mean()
            w = np.where(t == 1, w, w * (1 - p1) / p1)
    else:
        w = t * (1 - ps) + (1 - t) * ps
    return w


@result_class
class PropensityResult(Result):
    """Propensity scores, weights and the fitted model.

    Attributes
    ----------
    table : DataFrame
        Indexed like the input: ``treated`` (0/1), ``ps``, ``weight`` (0 for trimmed
        persons), ``trimmed`` (bool).
    by_group : DataFrame
        Per group (the treated and the control level): ``n``, ``n_trimmed``,
        ``sum_weights``, ``ess`` (effective sample size :math:`(\\sum w)^2/\\sum w^2`),
        ``min_weight``, ``max_weight``, ``min_ps``, ``max_ps``. ``summary`` is the same
        table; calling it formats the whole result.
    coef : DataFrame
        The propensity model's coefficient table (the package's schema: ``coef, se, z, p,
        estimate, lower, upper, scale`` with ``scale = "odds ratio"``, alias ``or``).
    vcov : DataFrame
        Covariance of the coefficients.
    estimand, treatment, treated, control, covariates, alpha
    """

    table: pd.DataFrame
    by_group: pd.DataFrame
    coef: pd.DataFrame
    vcov: pd.DataFrame
    estimand: str
    treatment: str
    treated: Any
    control: str
    covariates: tuple[str, ...]
    alpha: float = 0.05
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> CallableTable:  # type: ignore[override]
        """Weights per group; ``summary()`` gives the formatted summary."""
        return CallableTable.of(self.by_group, lambda: Result.summary(self))

    @property
    def weights(self) -> pd.Series:
        """The balancing weights (0 where trimmed), indexed like the input."""
        return self.table["weight"]

    @property
    def scores(self) -> pd.Series:
        """The propensity scores P(treated | covariates)."""
        return self.table["ps"]

    def _describe(self) -> str:
        return (f"propensity weights ({self.estimand}) of {self.treatment} = {self.treated} vs "
                f"{self.control}: target population {TARGETS[self.estimand]}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("by_group", self.by_group), ("coef", self.coef)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Overlap plot of the propensity scores by group (see
        :func:`kow_research.compare.plots.overlap_plot`); returns the Axes."""
        return overlap_plot(self, ax=ax, **kwargs)


@positional_deprecated("treatment", "covariates", "estimand", "method", "treated", "stabilize",
                       "trim", "truncate", "alpha")
def propensity(df: pd.DataFrame, *, treatment: str, covariates: Sequence[str],
               treated: Any = None, estimand: str = "ATT", method: str = "logit",
               stabilize: bool = False, trim: float | None = None,
               truncate: tuple[float, float] | None = None, alpha: float = 0.05,
               reference: Mapping[str, Any] | None = None) -> PropensityResult:
    r"""Fit a propensity model and derive balancing weights.

    The propensity score :math:`e(x) = P(T = 1 \mid x)` comes from a main-effects logistic
    model (categorical covariates as indicators against their reference level). Weights:

    .. math::

        w^{ATE} = \frac{T}{e} + \frac{1-T}{1-e},\qquad
        w^{ATT} = T + (1-T)\frac{e}{1-e},\qquad
        w^{ATO} = T(1-e) + (1-T)e .

    ATT weights make the controls resemble the treated (the question "what would the treated
    cohort's participants have achieved in the other programme"); ATE weights target both
    cohorts together; overlap weights target the population where both programmes are
    plausible — whose make-up must be reported (see ``attrs["target_population"]``) — and give
    exact mean balance of the model covariates (so a love plot then says nothing about
    overlap: look at the overlap plot and the effective sample sizes).

    Parameters
    ----------
    df : DataFrame
        One row per person with the treatment and covariate columns (no missing values).
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    covariates : sequence of str
        Baseline covariates of the propensity model.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    estimand : {"ATT", "ATE", "ATO"}, default "ATT"
        Target population of the weights (see above and ``attrs["target_population"]``).
    method : {"logit", "firth", "auto"}, default "logit"
        Main-effects logistic model by maximum likelihood, Firth-penalised (see
        :func:`fit_firth`: finite estimates when a covariate level occurs in one cohort only
        or the cohorts are separated), or maximum likelihood with Firth's penalty only where
        the maximum-likelihood estimate does not exist (:func:`fit_propensity_model`);
        ``attrs["model"]`` says which, ``attrs["fitted_by"]`` which fit was used.
    stabilize : bool, default False
        Stabilised weights (see :func:`balancing_weights`).
    trim : float, optional
        Crump et al. (2009) trimming: persons with :math:`e \notin [trim, 1 - trim]` get weight 0
        and ``trimmed = True`` (they stay in ``table``; downstream analyses exclude them and
        report how many). 0.1 is Crump's rule of thumb.
    truncate : (float, float), optional
        Percentiles (e.g. ``(1, 99)``) at which the weights are capped (winsorised) within
        each group.
    alpha : float, default 0.05
        1 - confidence level of the coefficient table.
    reference : mapping, optional
        Reference level per categorical covariate.

    Returns
    -------
    PropensityResult
        ``table`` (``treated, ps, weight, trimmed`` per person), ``weights`` and ``scores``
        (Series indexed like ``df``), ``by_group`` (indexed by the treated and the control
        level) and ``coef`` (the package's coefficient schema, on the odds-ratio scale).

    Raises
    ------
    SeparationError
        A covariate level occurs in one cohort only (the groups do not overlap there), with
        ``method="logit"``.

    References
    ----------
    Rosenbaum PR, Rubin DB (1983). Biometrika 70:41-55. Hirano K, Imbens GW, Ridder G (2003).
    Econometrica 71:1161-1189. Li F, Morgan KL, Zaslavsky AM (2018). JASA 113:390-400.
    Crump RK, Hotz VJ, Imbens GW, Mitnik OA (2009). Biometrika 96:187-199. Austin PC, Stuart
    EA (2015). Stat Med 34:3661-3679.

    Examples
    --------
    >>> d = pd.DataFrame({"arm": ["a", "a", "a", "b", "b", "b"],
    ...                   "age": [30, 41, 52, 35, 47, 60]})
    >>> ps = propensity(d, treatment="arm", treated="b", covariates=["age"])
    >>> ps.by_group["n"].to_dict()
    {'b': 3, 'a': 3}
    >>> ps.coef.columns.tolist()
    ['coef', 'se', 'z', 'p', 'estimate', 'lower', 'upper', 'scale', 'or']

    ATT weights are 1 for the treated and the odds :math:`e/(1-e)` for the controls:

    >>> e, control = ps.scores, d["arm"] == "a"
    >>> bool(np.allclose(ps.weights[control], e[control] / (1 - e[control])))
    True
    >>> ps.weights[~control].tolist()
    [1.0, 1.0, 1.0]
    """
    check_choice("method", method, PROPENSITY_METHODS)
    check_choice("estimand", estimand, ESTIMANDS)
    alpha = check_alpha(alpha)
    if trim is not None and not 0 < trim < 0.5:
        raise ValueError(f"trim must be in (0, 0.5), got {trim!r}")
    t = treatment_indicator(df, treatment, treated)
    dm = design_matrix(df, covariates, reference=reference)
    xi = np.column_stack([np.ones(len(t)), dm.x])
    beta, cov, used = fit_propensity_model(xi, t, method, dm)
    eta = xi @ beta
    ps = 1 / (1 + np.exp(-eta))
    w = balancing_weights(ps, t, estimand=estimand, stabilize=stabilize, logit=eta)
    trimmed = np.zeros(len(t), dtype=bool)
    if trim is not None:
        trimmed = (ps < trim) | (ps > 1 - trim)
    if truncate is not None:
        lo, hi = truncate
        if not 0 <= lo < hi <= 100:
            raise ValueError(f"truncate must be percentiles (lo, hi) with 0 <= lo < hi <= 100, "
                             f"got {truncate!r}")
        for g in (0.0, 1.0):
            sel = (t == g) & ~trimmed
            if sel.any():
                a, b = np.percentile(w[sel], [lo, hi])
                w[sel] = np.clip(w[sel], a, b)
    w = np.where(trimmed, 0.0, w)
    table = pd.DataFrame({"treated": t.astype(int), "ps": ps, "weight": w, "trimmed": trimmed},
                         index=df.index)
    label_t = "treated" if treated is None else str(treated)
    label_c = control_level(df, treatment, treated)
    rows = []
    for g, label in ((1, label_t), (0, label_c)):
        sel = t == g
        wg = w[sel]
        rows.append({"group": label, "n": int(sel.sum()), "n_trimmed": int(trimmed[sel].sum()),
                     "sum_weights": float(wg.sum()),
                     "ess": float(wg.sum() ** 2 / np.sum(wg ** 2)) if wg.sum() > 0 else 0.0,
                     "min_weight": float(wg[wg > 0].min()) if (wg > 0).any() else np.nan,
                     "max_weight": float(wg.max()), "min_ps": float(ps[sel].min()),
                     "max_ps": float(ps[sel].max())})
    names = ["(intercept)", *dm.names]
    coef = coefficient_table(beta, np.sqrt(np.diag(cov)), names, alpha=alpha,
                             scale="odds ratio", alias="or")
    attrs = {"estimand": estimand, "target_population": TARGETS[estimand],
             "stabilize": stabilize, "trim": trim, "truncate": truncate,
             "model": ("Firth-penalised " if used == "firth" else "")
             + "logistic regression, main effects: " + " + ".join(covariates)
             + (" (maximum likelihood has no finite estimate here)"
                if method == "auto" and used == "firth" else ""),
             "method": method, "fitted_by": used,
             "treated_level": label_t, "control_level": label_c, "reference": dm.reference}
    return PropensityResult(table=table, by_group=pd.DataFrame(rows).set_index("group"),
                            coef=coef, vcov=pd.DataFrame(cov, index=names, columns=names),
                            estimand=estimand, treatment=treatment,
                            treated=treated if treated is not None else 1, control=label_c,
                            covariates=tuple(covariates), alpha=alpha, attrs=attrs)
