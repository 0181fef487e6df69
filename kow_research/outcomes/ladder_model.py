"""Ordinal (proportional-odds) regression of the participation-ladder rung at a follow-up wave.

.. math::

    \\operatorname{logit} P(\\text{rung}_i \\le j) = \\theta_j - \\beta^\\top x_i,
    \\qquad j = 1, \\dots, J-1

fitted by maximum likelihood with statsmodels' ``OrderedModel``; :math:`\\exp(\\beta)` is the
odds ratio of being on a higher rung. People without an assessment in the wave's window are left
out and counted (``n_missing``) — never imputed or carried forward. Agrees with R's
``MASS::polr`` (same parametrisation).

References
----------
McCullagh P (1980). Regression models for ordinal data. JRSS B 42:109-142.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.data.study import Study
from kow_research.outcomes.ladder import ladder_change


@dataclass(frozen=True)
class OrdinalResult:
    """Proportional-odds model of the rung at ``wave``.

    Attributes
    ----------
    summary : pandas.DataFrame
        Indexed by covariate: ``coef, se, or, lower, upper, z, p`` (odds ratio of a higher rung).
    thresholds : pandas.DataFrame
        Cut-points :math:`\\theta_j` between adjacent rungs with their SE.
    n, n_missing : int
        People analysed and people left out for lack of an assessment at either wave.
    """

    summary: pd.DataFrame
    thresholds: pd.DataFrame
    wave: str
    n: int
    n_missing: int
    loglik: float
    alpha: float
    definition: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        head = (f"<p><b>Proportional-odds model of the rung at {self.wave}</b> (n = {self.n}; "
                f"{self.n_missing} without an assessment left out)</p>")
        return head + self.summary.to_html(float_format=lambda v: f"{v:.3g}")


def ordinal_ladder_model(study: Study, wave: str = "T12",
                         covariates: Sequence[str] = ("cohort", "rung_baseline", "age", "smi"),
                         alpha: float = 0.05, reference: dict[str, Any] | None = None,
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
    summary, thresholds, loglik = fit_proportional_odds(frame[ok], "rung", covariates, alpha,
                                                        label=wave, reference=reference)
    definition = {"outcome": "ladder_rung", "wave": wave, "model": "proportional odds (logit)",
                  "covariates": list(covariates), **ch.attrs.get("definition", {})}
    return OrdinalResult(summary=summary, thresholds=thresholds, wave=wave, n=int(ok.sum()),
                         n_missing=n_missing, loglik=loglik, alpha=alpha,
                         definition=definition)


def fit_proportional_odds(frame: pd.DataFrame, outcome: str, covariates: Sequence[str],
                          alpha: float = 0.05, label: str = "",
                          reference: dict[str, Any] | None = None
                          ) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Fit the proportional-odds model of ``outcome`` on ``covariates`` (complete rows only).

    Returns the coefficient summary, the thresholds and the log-likelihood.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    parts = []
    for c in covariates:
        col = frame[c]
        if pd.api.types.is_bool_dtype(col.dtype) or str(col.dtype) == "boolean" or \
                pd.api.types.is_numeric_dtype(col.dtype):
            parts.append(col.astype(float).rename(c))
        else:
            cat = col.astype(str).astype("category").cat.remove_unused_categories()
            ref = (reference or {}).get(c)
            if ref is not None:
                if ref not in cat.cat.categories:
                    raise ValueError(f"reference level {ref!r} of {c!r} does not occur")
                cat = cat.cat.reorder_categories(
                    [ref] + [v for v in cat.cat.categories if v != ref])
            parts.append(pd.get_dummies(cat, prefix=c, prefix_sep="=", drop_first=True,
                                        dtype=float))
    x = pd.concat(parts, axis=1)
    x = x.loc[:, x.nunique() > 1]
    y = pd.Categorical(frame[outcome].astype(int), ordered=True)
    model = OrderedModel(pd.Series(y, index=frame.index), x, distr="logit")
    with warnings.catch_warnings():  # BFGS only provides starting values for Newton below
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = model.fit(method="bfgs", disp=False, maxiter=200).params
        res = model.fit(start_params=start, method="newton", disp=False, maxiter=100,
                        tol=1e-10)
    grad = np.max(np.abs(model.score(np.asarray(res.params))))
    if not np.isfinite(grad) or grad > 1e-6:
        raise ValueError(f"the ordinal model of the rung at {label} did not converge "
                         f"(largest score {grad:.2g}); too few people per rung?")
    k = x.shape[1]
    coef = np.asarray(res.params[:k])
    se = np.asarray(res.bse[:k])
    z = stats.norm.ppf(1 - alpha / 2)
    summary = pd.DataFrame({"coef": coef, "se": se, "or": np.exp(coef),
                            "lower": np.exp(coef - z * se), "upper": np.exp(coef + z * se),
                            "z": coef / se, "p": 2 * stats.norm.sf(np.abs(coef / se))},
                           index=pd.Index(x.columns, name="covariate"))
    # statsmodels stores increments of the thresholds after the first (exp scale)
    raw = np.asarray(res.params[k:])
    theta = np.cumsum(np.r_[raw[0], np.exp(raw[1:])])
    levels = list(y.categories)
    thresholds = pd.DataFrame({"between": [f"{a}|{b}" for a, b in zip(levels[:-1], levels[1:],
                                                                       strict=True)],
                               "theta": theta})
    return summary, thresholds, float(res.llf)
