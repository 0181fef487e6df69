"""Ordinal (proportional-odds) regression of the participation-ladder rung at a follow-up wave.

.. math::

    \\operatorname{logit} P(\\text{rung}_i \\le j) = \\theta_j - \\beta^\\top x_i,
    \\qquad j = 1, \\dots, J-1

fitted by maximum likelihood with statsmodels' ``OrderedModel``; :math:`\\exp(\\beta)` is the
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

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.checks import check_alpha
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import CallableTable, Result, result_class
from kow_research.data.study import Study
from kow_research.outcomes.ladder import ladder_change
from kow_research.survival.design import (
    ConvergenceError,
    check_separation,
    coefficient_table,
    converged,
    design_matrix,
)

#: iterations of statsmodels' Newton after the BFGS start
NEWTON_MAX_ITER = 100
#: Newton stops when no parameter moves more than this. statsmodels' OrderedModel has
#: numerical derivatives (accurate to about 1e-8), so a smaller tolerance is never met and
#: Newton runs all NEWTON_MAX_ITER iterations (seconds per fit) without changing the
#: estimate; convergence itself is judged by the scale-free Newton decrement below.
NEWTON_TOL = 1e-8


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
    """Fit a proportional-odds model of the rung at ``wave``.

    Parameters
    ----------
    study : Study
    wave : str, default "T12"
        Follow-up wave (as in :func:`kow_research.outcomes.ladder_by_wave`).
    covariates : sequence of str
        ``rung_baseline`` (the baseline rung) and participant columns (numeric, boolean or
        categorical; categoricals become indicators against their first level).
    alpha : float, default 0.05
    reference : dict, optional
        Reference level per categorical covariate, e.g. ``{"cohort": "KOW"}`` (default: the
        first level in sorted order).
    **options
        Passed to :func:`kow_research.outcomes.ladder_by_wave` (waves, window_days, ...).

    Returns
    -------
    OrdinalResult
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
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    alpha = check_alpha(alpha)
    dm = design_matrix(frame, covariates, reference=reference)
    y_int = frame[outcome].astype(int).to_numpy()
    check_separation(dm, y_int, model=f"ordinal model of the rung at {label}",
                     outcome_name="rungs", extremes=True)
    x = pd.DataFrame(dm.x, columns=dm.names, index=frame.index)
    y = pd.Categorical(y_int, ordered=True)
    model = OrderedModel(pd.Series(y, index=frame.index), x, distr="logit")
    with warnings.catch_warnings():  # BFGS only provides starting values for Newton below
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = model.fit(method="bfgs", disp=False, maxiter=200).params
        res = model.fit(start_params=start, method="newton", disp=False,
                        maxiter=NEWTON_MAX_ITER, tol=NEWTON_TOL)
    params = np.asarray(res.params)
    ok, dec = converged(model.score(params), -model.hessian(params), float(res.llf))
    if not ok:
        raise ConvergenceError(f"the ordinal model of the rung at {label} did not converge "
                               f"(Newton decrement {dec:.2g} relative to the log-likelihood "
                               f"{float(res.llf):.6g}); too few people per rung?")
    k = x.shape[1]
    summary = coefficient_table(params[:k], np.asarray(res.bse[:k]), dm.names, alpha=alpha,
                                scale="odds ratio", alias="or")
    # statsmodels stores increments of the thresholds after the first (exp scale)
    raw = np.asarray(res.params[k:])
    theta = np.cumsum(np.r_[raw[0], np.exp(raw[1:])])
    levels = list(y.categories)
    thresholds = pd.DataFrame({"between": [f"{a}|{b}" for a, b in zip(levels[:-1], levels[1:],
                                                                       strict=True)],
                               "theta": theta})
    return summary, thresholds, float(res.llf)
