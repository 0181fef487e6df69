"""Ordinal (proportional-odds) regression of the participation-ladder rung at a follow-up wave.

.. math::

    \\operatorname{logit} P(\\text{rung}_i \\le j) = \\theta_j - \\beta^\\top x_i,
    \\qquad j = 1, \\dots, J-1

fitted by maximum likelihood (Newton–Raphson with the analytic score and information, on the
shared solver of :mod:`kow_research.survival.design`); :math:`\\exp(\\beta)` is the
odds ratio of being on a higher rung. People without an assessment in the wave's window are left
out and counted (``n_missing``) — never imputed or carried forward. Agrees with R's
``MASS::polr`` (same parametrisation). The design matrix, the separation check and the
scale-free convergence criterion are those of every model of the package
(:mod:`kow_research.survival.design`).

References
----------
McCullagh P (1980). Regression models for ordinal data. JRSS B 42:109-142.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from kow_research.core.checks import check_alpha
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import CallableTable, Result, result_class
from kow_research.data.study import Study
from kow_research.outcomes.ladder import ladder_change
from kow_research.survival.design import (
    ConvergenceError,
    check_separation,
    coefficient_table,
    design_matrix,
    newton_raphson,
)


@result_class
class OrdinalResult(Result):
    """Proportional-odds model of the rung at ``wave``.

    Attributes
    ----------
    coef : pandas.DataFrame
        The package's coefficient table (``coef, se, z, p, estimate, lower, upper, scale``
        with ``scale = "odds ratio"`` of a higher rung, alias ``or``). ``summary`` is the
        same table; calling it formats the whole result.
    thresholds : pandas.DataFrame
        Cut-points :math:`\\theta_j` between adjacent rungs.
    n, n_missing : int
        People analysed and people left out for lack of an assessment at either wave.
    """

    coef: pd.DataFrame
    thresholds: pd.DataFrame
    wave: str
    n: int
    n_missing: int
    loglik: float
    alpha: float
    definition: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> CallableTable:  # type: ignore[override]
        """The coefficient table; ``summary()`` gives the formatted summary."""
        return CallableTable.of(self.coef, lambda: Result.summary(self))

    def _describe(self) -> str:
        return (f"proportional-odds model of the rung at {self.wave}: n = {self.n} "
                f"({self.n_missing} without an assessment left out)")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("coef", self.coef), ("thresholds", self.thresholds)]


@positional_deprecated("wave", "covariates", "alpha", "reference")
def ordinal_ladder_model(study: Study, *, wave: str = "T12",
                         covariates: Sequence[str] = ("cohort", "rung_baseline", "age", "smi"),
                         alpha: float = 0.05, reference: Mapping[str, Any] | None = None,
                         **options: Any) -> OrdinalResult:
    r"""Fit a proportional-odds model of the rung at ``wave``.

    .. math::

        \operatorname{logit} P(\text{rung}_i \le j) = \theta_j - \beta^\top x_i,
        \qquad j = 1, \dots, J-1,

    by maximum likelihood (analytic Newton–Raphson; the parametrisation of R's
    ``MASS::polr``); :math:`\exp(\beta)` is the odds ratio of being on a higher rung. People
    without a rung at ``wave`` or with a missing covariate (e.g. no baseline rung) are left
    out and counted in ``n_missing``, never imputed.

    Parameters
    ----------
    study : Study
        A validated study (``participants``, ``ladder``).
    wave : str, default "T12"
        Follow-up wave (as in :func:`kow_research.outcomes.ladder_by_wave`).
    covariates : sequence of str, default ("cohort", "rung_baseline", "age", "smi")
        ``rung_baseline`` (the baseline rung) and participant columns (numeric, boolean or
        categorical; categoricals become indicators against their reference level). A
        covariate with a single level (e.g. ``cohort`` in a one-cohort study) cannot be
        estimated: leave it out.
    alpha : float, default 0.05
        1 - confidence level of the intervals.
    reference : dict, optional
        Reference level per categorical covariate, e.g. ``{"cohort": "KOW"}`` (default: the
        first level in sorted order).
    **options : dict, optional
        Passed to :func:`kow_research.outcomes.ladder_by_wave` (``waves``, ``window_days``,
        ``baseline_window``, ``origin``).

    Returns
    -------
    OrdinalResult
        ``coef`` (coefficient table with odds ratios, ``scale = "odds ratio"``),
        ``thresholds`` (:math:`\theta_j`), ``n``, ``n_missing``, ``loglik``, ``alpha`` and
        the definition (wave window rule, covariates) in ``attrs``.

    Raises
    ------
    ValueError
        When ``wave`` is not a follow-up wave of the data, or a covariate is constant.
    SeparationError
        A level whose people are all on the lowest or all on the highest rung.
    ConvergenceError
        The fit did not converge.

    References
    ----------
    .. [1] McCullagh P. Regression models for ordinal data. J R Stat Soc B 1980;42:109-142.
    .. [2] Venables WN, Ripley BD. Modern Applied Statistics with S, 4th ed. Springer 2002,
       section 7.3 (``polr``).

    Examples
    --------
    Twelve people assessed on the start day (rungs 1-3) and six months later (target day
    round(6 × 30.4375) = 183, 2020-07-02), the later rung modelled on the baseline rung.
    ``MASS::polr(t6 ~ base, method = "logistic")`` in R on the same data gives
    :math:`\hat\beta` = 0.6156 (SE 0.6939), :math:`\hat\theta` = 0.4986, 1.9639 and
    log-likelihood -12.7770. (The fit takes about a second.)

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> ids = [f"P{i:02d}" for i in range(1, 13)]
    >>> people = pd.DataFrame({"participant_id": ids, "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> base = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
    >>> t6 = [1, 1, 2, 3, 1, 2, 2, 3, 2, 3, 3, 1]
    >>> ladder = pd.DataFrame({
    ...     "participant_id": ids * 2, "rung": base + t6,
    ...     "assessment_date": [pd.Timestamp("2020-01-01")] * 12 + [pd.Timestamp("2020-07-02")] * 12})
    >>> res = ordinal_ladder_model(Study.from_frames(participants=people, ladder=ladder),
    ...                            wave="T6", covariates=("rung_baseline",), waves=[0, 6])
    >>> res.n, res.n_missing
    (12, 0)
    >>> res.coef.loc["rung_baseline", ["coef", "se", "or"]].astype(float).round(3).tolist()
    [0.616, 0.694, 1.851]
    >>> res.thresholds["theta"].round(3).tolist(), round(res.loglik, 3)
    ([0.499, 1.964], -12.777)
    """
    ch = ladder_change(study, **options)
    ch = ch[ch["wave"] == wave]
    if ch.empty:
        raise ValueError(f"wave {wave!r} not found; waves: {sorted(set(ladder_change(study, **options)['wave']))}")
    base = study.participants.set_index("participant_id")
    frame = ch.set_index("participant_id")[["rung", "rung_baseline"]].join(
        base[[c for c in covariates if c != "rung_baseline"]])
    ok = frame[["rung", *covariates]].notna().all(axis=1)
    n_missing = int((~ok).sum())
    summary, thresholds, loglik = fit_proportional_odds(frame[ok], outcome="rung", covariates=covariates,
                                                        alpha=alpha, label=wave,
                                                        reference=reference)
    definition = {"outcome": "ladder_rung", "wave": wave, "model": "proportional odds (logit)",
                  "covariates": list(covariates), **ch.attrs.get("definition", {})}
    return OrdinalResult(coef=summary, thresholds=thresholds, wave=wave, n=int(ok.sum()),
                         n_missing=n_missing, loglik=loglik, alpha=alpha,
                         definition=definition,
                         attrs={"definition": definition,
                                "definition_text": dict(ch.attrs.get("definition_text", {}))})


@positional_deprecated("outcome", "covariates", "alpha", "label", "reference")
def fit_proportional_odds(frame: pd.DataFrame, *, outcome: str, covariates: Sequence[str],
                          alpha: float = 0.05, label: str = "",
                          reference: Mapping[str, Any] | None = None
                          ) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Fit the proportional-odds model of ``outcome`` on ``covariates`` (complete rows only).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per person, no missing values in ``outcome`` and ``covariates``.
    outcome : str
        Integer ordinal outcome (the rung).
    covariates : sequence of str
        Numeric, boolean or categorical columns (see
        :func:`kow_research.survival.design.design_matrix`).
    alpha : float, default 0.05
        1 - confidence level.
    label : str
        What is modelled (the wave), for messages.
    reference : mapping, optional
        Reference level per categorical covariate.

    Returns
    -------
    (coef, thresholds, loglik)
        The coefficient table (the package's schema), the cut-points and the log-likelihood.

    Raises
    ------
    SeparationError
        A level whose people are all on the lowest or all on the highest rung.
    ConvergenceError
        The Newton decrement at the estimate is not small relative to the log-likelihood.
    """
    alpha = check_alpha(alpha)
    dm = design_matrix(frame, covariates, reference=reference)
    y_int = frame[outcome].astype(int).to_numpy()
    check_separation(dm, y_int, model=f"ordinal model of the rung at {label}",
                     outcome_name="rungs", extremes=True)
    levels = sorted(set(y_int.tolist()))
    if len(levels) < 2:
        raise ValueError(f"the rung at {label} takes one value ({levels}); an ordinal model "
                         "needs at least two")
    y = np.searchsorted(levels, y_int)              # categories 0 .. J-1
    x = dm.x
    n_theta, k = len(levels) - 1, x.shape[1]
    # start: no covariate effect, thresholds at the logits of the cumulative proportions
    cum = np.cumsum(np.bincount(y, minlength=len(levels)))[:-1] / len(y)
    start = np.r_[np.zeros(k), np.log(cum / (1 - cum))]
    beta, fit, _ = newton_raphson(_proportional_odds(x, y, n_theta), k + n_theta,
                                  model=f"ordinal model of the rung at {label}", start=start)
    if np.any(np.diff(beta[k:]) <= 0):
        raise ConvergenceError(f"the ordinal model of the rung at {label} gave thresholds out "
                               "of order; too few people per rung?")
    cov = np.linalg.inv(fit.info)
    summary = coefficient_table(beta[:k], np.sqrt(np.diag(cov))[:k], dm.names, alpha=alpha,
                                scale="odds ratio", alias="or")
    thresholds = pd.DataFrame({"between": [f"{a}|{b}" for a, b in zip(levels[:-1], levels[1:],
                                                                       strict=True)],
                               "theta": beta[k:], "se": np.sqrt(np.diag(cov))[k:]})
    return summary, thresholds, float(fit.loglik)


@dataclass(frozen=True)
class _OrdinalFit:
    loglik: float
    score: np.ndarray
    info: np.ndarray


def _proportional_odds(x: np.ndarray, y: np.ndarray, n_theta: int
                       ) -> Callable[[np.ndarray], _OrdinalFit]:
    r"""Log-likelihood, score and information of the cumulative-logit model in
    :math:`(\beta, \theta)`, analytically: with :math:`a_i = \theta_{y_i} - x_i'\beta`,
    :math:`b_i = \theta_{y_i - 1} - x_i'\beta`, :math:`p_i = F(a_i) - F(b_i)`, :math:`F` the
    logistic distribution, :math:`f = F(1-F)` and :math:`f' = f(1 - 2F)` (with
    :math:`\theta_{-1} = -\infty`, :math:`\theta_{J-1} = +\infty`)."""
    k = x.shape[1]
    upper_ok = y < n_theta                     # a_i finite
    lower_ok = y > 0                           # b_i finite

    def fun(params: np.ndarray) -> _OrdinalFit:
        beta, theta = params[:k], params[k:]
        eta = x @ beta
        th = np.r_[-np.inf, theta, np.inf]
        a = th[y + 1] - eta
        b = th[y] - eta
        fa, fb = expit(a), expit(b)
        p = fa - fb
        if np.any(p <= 0) or np.any(np.diff(theta) <= 0):
            return _OrdinalFit(-np.inf, np.zeros(k + n_theta), np.eye(k + n_theta))
        da, db = fa * (1 - fa), fb * (1 - fb)          # densities (0 at infinity)
        dda, ddb = da * (1 - 2 * fa), db * (1 - 2 * fb)
        loglik = float(np.sum(np.log(p)))
        # d loglik / d a_i and d b_i, and their second derivatives
        ga, gb = da / p, -db / p
        haa = dda / p - (da / p) ** 2
        hbb = -ddb / p - (db / p) ** 2
        hab = da * db / p ** 2
        score = np.zeros(k + n_theta)
        score[:k] = -x.T @ (ga + gb)                   # a and b move with -x'beta
        # thresholds: theta_j enters a_i when y_i == j and b_i when y_i == j + 1
        np.add.at(score, k + y[upper_ok], ga[upper_ok])
        np.add.at(score, k + y[lower_ok] - 1, gb[lower_ok])
        hess = np.zeros((k + n_theta, k + n_theta))
        hbeta = haa + hbb + 2 * hab
        hess[:k, :k] = (x * hbeta[:, None]).T @ x
        # cross terms beta x theta: d2/dbeta dtheta_j = -x (h_aa + h_ab) for a-rows, etc.
        ca = -(haa + hab)[:, None] * x
        cb = -(hbb + hab)[:, None] * x
        for j in range(n_theta):
            sa, sb = upper_ok & (y == j), lower_ok & (y == j + 1)
            hess[:k, k + j] = ca[sa].sum(axis=0) + cb[sb].sum(axis=0)
            hess[k + j, :k] = hess[:k, k + j]
            hess[k + j, k + j] = haa[sa].sum() + hbb[sb].sum()
            if j + 1 < n_theta:
                both = lower_ok & upper_ok & (y == j + 1)   # b uses theta_j, a theta_{j+1}
                hess[k + j, k + j + 1] = hess[k + j + 1, k + j] = hab[both].sum()
        return _OrdinalFit(loglik, score, -hess)

    return fun
