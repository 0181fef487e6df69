"""Propensity scores and balancing weights (IPTW for the ATE, odds weights for the ATT,
overlap weights for the ATO)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import design, treatment_indicator

ESTIMANDS = ("ATE", "ATT", "ATO")


def fit_logit(x: np.ndarray, t: np.ndarray, max_iter: int = 50, tol: float = 1e-10
              ) -> np.ndarray:
    r"""Maximum-likelihood logistic regression by Newton-Raphson (``x`` includes the intercept).

    .. math::

        \beta \leftarrow \beta + (X^\top W X)^{-1} X^\top (t - p), \qquad W = \mathrm{diag}
        \{p(1-p)\}

    A few milliseconds for thousands of rows; used in every bootstrap replicate.

    Raises
    ------
    ValueError
        When the fit does not converge (usually perfect separation: a covariate predicts the
        group exactly, so the groups do not overlap).
    """
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        eta = np.clip(x @ beta, -35, 35)
        p = 1 / (1 + np.exp(-eta))
        grad = x.T @ (t - p)
        hess = (x * (p * (1 - p))[:, None]).T @ x
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError as exc:
            raise ValueError("propensity model is singular: covariates are collinear or a "
                             "level occurs in one group only; drop or merge them") from exc
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    else:
        raise ValueError("propensity model did not converge (perfect separation?): some "
                         "covariate pattern occurs in one group only, so the groups do not "
                         "overlap; merge levels or restrict the population")
    if np.max(np.abs(x @ beta)) > 30:
        raise ValueError("propensity scores of 0 or 1 (perfect separation): the groups do not "
                         "overlap on the covariates; restrict the population or merge levels")
    return beta


def balancing_weights(ps: np.ndarray, t: np.ndarray, estimand: str = "ATT",
                      stabilize: bool = False) -> np.ndarray:
    r"""Weights for ``estimand`` from propensity scores ``ps`` = P(treated | x).

    .. math::

        \text{ATE: } w = \frac{t}{e} + \frac{1-t}{1-e},\quad
        \text{ATT: } w = t + (1-t)\frac{e}{1-e},\quad
        \text{ATO: } w = t(1-e) + (1-t)e

    ``stabilize`` multiplies the ATE weights by the marginal group shares
    (:math:`\bar t` for the treated, :math:`1-\bar t` for the controls) and the ATT control
    weights by :math:`(1-\bar t)/\bar t`, so that each group's weights sum to about its size;
    overlap weights are bounded and left unchanged.
    Ratio (Hajek) estimators are invariant to it.
    """
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, got {estimand!r}")
    if estimand == "ATE":
        w = t / ps + (1 - t) / (1 - ps)
        if stabilize:
            p1 = t.mean()
            w = w * np.where(t == 1, p1, 1 - p1)
    elif estimand == "ATT":
        w = t + (1 - t) * ps / (1 - ps)
        if stabilize:
            p1 = t.mean()
            w = np.where(t == 1, w, w * (1 - p1) / p1)
    else:
        w = t * (1 - ps) + (1 - t) * ps
    return w


@dataclass(frozen=True)
class PropensityResult:
    """Propensity scores, weights and the fitted model.

    Attributes
    ----------
    table : DataFrame
        Indexed like the input: ``treated`` (0/1), ``ps``, ``weight`` (0 for trimmed
        persons), ``trimmed`` (bool).
    summary : DataFrame
        Per group: ``n``, ``n_trimmed``, ``sum_weights``, ``ess`` (effective sample size
        :math:`(\\sum w)^2/\\sum w^2`), ``min_weight``, ``max_weight``, ``min_ps``, ``max_ps``.
    coef : DataFrame
        Model coefficients (``coef, se, lower, upper, p``) from statsmodels.
    model : statsmodels GLMResults
        The fitted logistic model.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    coef: pd.DataFrame
    model: Any
    estimand: str
    treatment: str
    treated: Any
    covariates: tuple[str, ...]
    alpha: float = 0.05
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def weights(self) -> pd.Series:
        """The balancing weights (0 where trimmed), indexed like the input."""
        return self.table["weight"]

    @property
    def scores(self) -> pd.Series:
        """The propensity scores P(treated | covariates)."""
        return self.table["ps"]

    def plot(self, ax: Any = None, weighted: bool = False) -> Any:
        """Overlap plot of the propensity scores by group (see :func:`plots.overlap_plot`)."""
        from kow_research.compare.plots import overlap_plot
        return overlap_plot(self, ax=ax, weighted=weighted)

    def _repr_html_(self) -> str:
        return (f"<h4>Propensity weights ({self.estimand}), treated = {self.treated}</h4>"
                + self.summary.to_html(float_format=lambda v: f"{v:.4g}")
                + self.coef.to_html(float_format=lambda v: f"{v:.4g}"))


def propensity(df: pd.DataFrame, treatment: str, covariates: Sequence[str],
               estimand: str = "ATT", method: str = "logit", treated: Any = None,
               stabilize: bool = False, trim: float | None = None,
               truncate: tuple[float, float] | None = None,
               alpha: float = 0.05) -> PropensityResult:
    r"""Fit a propensity model and derive balancing weights.

    The propensity score :math:`e(x) = P(T = 1 \mid x)` comes from a main-effects logistic
    model (categorical covariates as indicators against their first level). Weights:

    .. math::

        w^{ATE} = \frac{T}{e} + \frac{1-T}{1-e},\qquad
        w^{ATT} = T + (1-T)\frac{e}{1-e},\qquad
        w^{ATO} = T(1-e) + (1-T)e .

    ATT weights make the controls resemble the treated (the question "what would KOW
    participants have achieved in IPS"); overlap weights target the population where both
    programmes are plausible and give exact mean balance of the model covariates.

    Parameters
    ----------
    df : DataFrame
        One row per person with the treatment and covariate columns (no missing values).
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    covariates : sequence of str
        Baseline covariates of the propensity model.
    estimand : {"ATT", "ATE", "ATO"}
    method : {"logit"}
        Only the logistic model is implemented.
    treated : optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    stabilize : bool
        Stabilised weights (see :func:`balancing_weights`).
    trim : float, optional
        Crump et al. (2009) trimming: persons with :math:`e \notin [trim, 1 - trim]` get weight 0
        and ``trimmed = True`` (they stay in ``table``; downstream analyses exclude them and
        report how many). 0.1 is Crump's rule of thumb.
    truncate : (float, float), optional
        Percentiles (e.g. ``(1, 99)``) at which the weights are capped (winsorised) within
        each group.
    alpha : float
        1 - confidence level of the coefficient table.

    Returns
    -------
    PropensityResult

    References
    ----------
    Rosenbaum PR, Rubin DB (1983). Biometrika 70:41-55. Hirano K, Imbens GW, Ridder G (2003).
    Econometrica 71:1161-1189. Li F, Morgan KL, Zaslavsky AM (2018). JASA 113:390-400.
    Crump RK, Hotz VJ, Imbens GW, Mitnik OA (2009). Biometrika 96:187-199. Austin PC, Stuart
    EA (2015). Stat Med 34:3661-3679.
    """
    import statsmodels.api as sm

    if method != "logit":
        raise ValueError(f"method {method!r} is not implemented; use method='logit'")
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, got {estimand!r}")
    if trim is not None and not 0 < trim < 0.5:
        raise ValueError(f"trim must be in (0, 0.5), got {trim!r}")
    t = treatment_indicator(df, treatment, treated)
    x, names, _, _ = design(df, covariates, drop_first=True)
    xi = np.column_stack([np.ones(len(t)), x])
    beta = fit_logit(xi, t)
    model = sm.GLM(t, xi, family=sm.families.Binomial()).fit(start_params=beta)
    ps = 1 / (1 + np.exp(-(xi @ beta)))
    w = balancing_weights(ps, t, estimand, stabilize)
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
    rows = []
    for g, label in ((1, "treated"), (0, "control")):
        sel = t == g
        wg = w[sel]
        rows.append({"group": label, "n": int(sel.sum()), "n_trimmed": int(trimmed[sel].sum()),
                     "sum_weights": float(wg.sum()),
                     "ess": float(wg.sum() ** 2 / np.sum(wg ** 2)) if wg.sum() > 0 else 0.0,
                     "min_weight": float(wg[wg > 0].min()) if (wg > 0).any() else np.nan,
                     "max_weight": float(wg.max()), "min_ps": float(ps[sel].min()),
                     "max_ps": float(ps[sel].max())})
    ci = np.asarray(model.conf_int(alpha))
    coef = pd.DataFrame({"coef": model.params, "se": model.bse, "lower": ci[:, 0],
                         "upper": ci[:, 1], "p": model.pvalues},
                        index=pd.Index(["(intercept)", *names], name="term"))
    attrs = {"estimand": estimand, "stabilize": stabilize, "trim": trim, "truncate": truncate,
             "model": "logistic regression, main effects: " + " + ".join(covariates),
             "treated_level": treated}
    return PropensityResult(table=table, summary=pd.DataFrame(rows).set_index("group"),
                            coef=coef, model=model, estimand=estimand, treatment=treatment,
                            treated=treated if treated is not None else 1,
                            covariates=tuple(covariates), alpha=alpha, attrs=attrs)
