r"""Design matrices and fitting diagnostics shared by every regression model of the package.

One module for what the Cox and Fine–Gray models (:mod:`kow_research.survival`), the propensity
logit (:mod:`kow_research.compare`) and the proportional-odds ladder model
(:mod:`kow_research.outcomes`) need before and after fitting:

* :func:`design_matrix` — numeric and boolean columns as they are, text and categorical columns
  as 0/1 indicators ``column=level`` against a reference level (``reference=``; default the
  first category, else the first in sorted order); the same missing-value policy everywhere
  (missing values raise, naming the rows: drop or impute them explicitly first);
* :func:`check_separation` — levels whose people all share one outcome, which make the maximum
  likelihood estimate infinite (separation / monotone likelihood), named before fitting;
* :func:`newton_raphson` — Newton with step halving and a *scale-free* convergence criterion,
  the Newton decrement :math:`\lambda^2 = U' I^{-1} U` relative to :math:`1 + |\ell|`
  (independent of the units of the covariates), raising when it does not converge;
* :func:`converged` — the same criterion for a fit made elsewhere (statsmodels).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from kow_research.core.checks import check_columns, row_labels

#: Newton stops, after taking the step, once the decrement U' I^-1 U before it was at most
#: DECREMENT_TOL * (1 + |loglik|): the step then moves the estimate by about sqrt(decrement)
#: standard errors and leaves an error of the order of the decrement (quadratic convergence)
DECREMENT_TOL = 1e-16
#: a fit whose decrement stays above this relative level is reported as not converged
CONVERGENCE_TOL = 1e-8
#: iterations before giving up
MAX_ITER = 50
#: a coefficient this many standard deviations of its covariate from 0 (|beta * sd(x)|) means
#: the likelihood is flat towards infinity (separation that the level check did not catch)
DIVERGENCE_LIMIT = 25.0


class SeparationError(ValueError):
    """The data separate the outcome, so a coefficient is infinite; ``terms`` names them."""

    def __init__(self, message: str, terms: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.terms = list(terms)


class ConvergenceError(ValueError):
    """Newton–Raphson did not reach the convergence criterion."""


@dataclass(frozen=True)
class DesignMatrix:
    """A numeric design matrix (no intercept) and how it was coded.

    Attributes
    ----------
    x : ndarray, shape (n, p)
    names : list of str
        Column names: the covariate, or ``column=level`` for an indicator.
    source : list of str
        The covariate each column comes from.
    binary : list of bool
        Whether each column is 0/1.
    reference : dict
        The reference level of each categorical covariate.
    """

    x: np.ndarray
    names: list[str]
    source: list[str]
    binary: list[bool]
    reference: dict[str, Any] = field(default_factory=dict)


def _is_plain_numeric(col: pd.Series) -> bool:
    return bool(pd.api.types.is_bool_dtype(col.dtype) or (
        pd.api.types.is_numeric_dtype(col.dtype)
        and not isinstance(col.dtype, pd.CategoricalDtype)))


def design_matrix(df: pd.DataFrame, covariates: Sequence[str], *,
                  reference: Mapping[str, Any] | None = None,
                  drop_first: bool = True, allow_constant: bool = False) -> DesignMatrix:
    """Numeric design matrix of ``covariates`` (no intercept).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit.
    covariates : sequence of str
        Columns; numeric and boolean ones enter as they are, text and categorical ones as 0/1
        indicators ``column=level``.
    reference : mapping, optional
        Reference level per categorical covariate (``{"cohort": "KOW"}``); default the first
        category of a categorical column, else the first level in sorted order.
    drop_first : bool, default True
        Leave out the reference level's indicator (False: one indicator per level, as a
        balance table wants).
    allow_constant : bool, default False
        Accept a constant column (a balance table may show one; a model cannot estimate it).

    Returns
    -------
    DesignMatrix

    Raises
    ------
    ValueError
        Unknown columns, missing or non-finite values (naming the rows), a constant covariate
        (unless ``allow_constant``), or a ``reference`` level that does not occur.

    Examples
    --------
    >>> d = design_matrix(pd.DataFrame({"age": [30, 40, 50], "sex": ["m", "f", "m"]}),
    ...                   ["age", "sex"])
    >>> d.names, d.x[:, 1].tolist(), d.reference
    (['age', 'sex=m'], [1.0, 0.0, 1.0], {'sex': 'f'})
    """
    names = list(covariates)
    if not names:
        raise ValueError("covariates is empty: name at least one column")
    check_columns(df, names, what="covariate")
    ref = dict(reference or {})
    unknown_ref = sorted(set(ref) - set(names))
    if unknown_ref:
        raise ValueError(f"reference names {unknown_ref}, which are not among the covariates "
                         f"{names}")
    cols: list[np.ndarray] = []
    out: list[str] = []
    source: list[str] = []
    refs: dict[str, Any] = {}
    for c in names:
        col = df[c]
        if col.isna().any():
            raise ValueError(f"{c}: {int(col.isna().sum())} missing values (rows "
                             f"{row_labels(col.isna().to_numpy(), df.index)}); impute them or "
                             "drop those rows explicitly (and count them) before modelling")
        if _is_plain_numeric(col):
            if c in ref:
                raise ValueError(f"reference given for {c!r}, which is numeric; reference "
                                 "levels apply to categorical or text covariates")
            v = col.astype(float).to_numpy()
            if not np.isfinite(v).all():
                raise ValueError(f"{c}: non-finite values in rows "
                                 f"{row_labels(~np.isfinite(v), df.index)}")
            if not allow_constant and len(df) > 1 and np.all(v == v[0]):
                raise ValueError(f"{c}: constant ({v[0]:g} for everyone); a constant "
                                 "covariate cannot be estimated, leave it out")
            cols.append(v)
            out.append(c)
            source.append(c)
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            present = set(col.unique())
            levels = [lv for lv in col.cat.categories if lv in present]
            values = col.astype(object).to_numpy()
        else:
            values = col.astype(str).to_numpy()
            levels = sorted(set(values))
        if c in ref:
            chosen = ref[c]
            match = [lv for lv in levels if lv == chosen or str(lv) == str(chosen)]
            if not match:
                raise ValueError(f"reference level {chosen!r} of {c!r} does not occur; levels "
                                 f"are {[str(lv) for lv in levels]}")
            levels = [match[0]] + [lv for lv in levels if lv != match[0]]
        if len(levels) < 2 and not allow_constant:
            raise ValueError(f"{c}: only one level ({[str(lv) for lv in levels]}); a constant "
                             "covariate cannot be estimated, leave it out")
        refs[c] = levels[0]
        for lv in levels[1:] if drop_first else levels:
            cols.append((values == lv).astype(float))
            out.append(f"{c}={lv}")
            source.append(c)
    x = np.column_stack(cols)
    binary = [bool(np.isin(x[:, j], (0.0, 1.0)).all()) for j in range(x.shape[1])]
    return DesignMatrix(x=x, names=out, source=source, binary=binary, reference=refs)


def check_separation(design: DesignMatrix, outcome: np.ndarray, *, model: str,
                     outcome_name: str, extremes: bool = False) -> None:
    """Raise :class:`SeparationError` when a 0/1 column's people all share one outcome.

    For each indicator (and its complement) the outcome must vary among the people it
    selects: otherwise the likelihood increases without bound as the coefficient goes to
    plus or minus infinity.

    Parameters
    ----------
    design : DesignMatrix
    outcome : ndarray
        Per row: for a logistic model the 0/1 outcome; for a (cause-specific or
        subdistribution) hazard model 1 for an event of the cause, 0 otherwise; for an
        ordinal model the category (with ``extremes=True``).
    model : str
        Name of the model, for the message.
    outcome_name : str
        What the outcome is, for the message (e.g. ``"events of cause 1"``).
    extremes : bool, default False
        Ordinal outcome: separation when every person of a level is in the lowest or every
        one in the highest category.
    """
    y = np.asarray(outcome, dtype=float)
    lo, hi = y.min(), y.max()
    bad: list[str] = []
    for j, (name, is_bin) in enumerate(zip(design.names, design.binary, strict=True)):
        if not is_bin:
            continue
        for flag, label in ((1.0, name), (0.0, f"not {name}")):
            sel = design.x[:, j] == flag
            if not sel.any() or sel.all():
                continue
            ys = y[sel]
            if extremes:
                stuck = bool((ys == lo).all() or (ys == hi).all())
            else:
                stuck = bool((ys == ys[0]).all())
            if stuck:
                what = (f"all in the {'lowest' if ys[0] == lo else 'highest'} category"
                        if extremes else ("none has " if ys[0] == 0 else "all have ")
                        + outcome_name)
                bad.append(f"{label} ({int(sel.sum())} people: {what})")
                break
    if bad:
        raise SeparationError(
            f"{model}: separation — {'; '.join(bad)}. The coefficient of such a level is "
            "infinite (the maximum-likelihood estimate does not exist). Merge the level with "
            "another, leave the covariate out, or restrict the data to where the outcome "
            "varies.", terms=[b.split(" (")[0] for b in bad])


class _Fit(Protocol):
    loglik: float
    score: np.ndarray
    info: np.ndarray


F = Any  # the fit object returned by the objective


def decrement(fit: _Fit) -> float:
    r"""The Newton decrement :math:`U' I^{-1} U` of a fit (twice the predicted gain in
    log-likelihood of one more Newton step): dimensionless, whatever the covariates' units."""
    try:
        step = np.linalg.solve(fit.info, fit.score)
    except np.linalg.LinAlgError:
        return float("inf")
    return float(fit.score @ step)


def converged(score: np.ndarray, information: np.ndarray, loglik: float,
              tol: float = CONVERGENCE_TOL) -> tuple[bool, float]:
    """Scale-free convergence check of a maximum-likelihood fit made elsewhere.

    Parameters
    ----------
    score : ndarray
        Gradient of the log-likelihood at the estimate.
    information : ndarray
        Observed information (minus the Hessian) at the estimate.
    loglik : float
    tol : float, default :data:`CONVERGENCE_TOL`

    Returns
    -------
    (bool, float)
        Whether :math:`U' I^{-1} U \\le` ``tol`` :math:`(1 + |\\ell|)`, and the decrement.

    Examples
    --------
    >>> ok, dec = converged(np.array([1e-6]), np.array([[1e4]]), -500.0)  # 1e-12 / 1e4
    >>> ok, round(dec, 20)
    (True, 1e-16)
    """
    try:
        dec = float(score @ np.linalg.solve(information, score))
    except np.linalg.LinAlgError:
        return False, float("inf")
    return bool(np.isfinite(dec) and abs(dec) <= tol * (1 + abs(loglik))), dec


def newton_raphson(fun: Callable[[np.ndarray], F], p: int, *, model: str,
                   max_iter: int = MAX_ITER, tol: float = DECREMENT_TOL,
                   start: np.ndarray | None = None) -> tuple[np.ndarray, F, int]:
    """Maximise a log-likelihood by Newton–Raphson with step halving.

    Parameters
    ----------
    fun : callable
        ``fun(beta)`` returns an object with ``loglik``, ``score`` and ``info`` (observed
        information).
    p : int
        Number of coefficients.
    model : str
        Name of the model, for messages.
    max_iter : int, default :data:`MAX_ITER`
    tol : float, default :data:`DECREMENT_TOL`
        Stop when the decrement :math:`U' I^{-1} U \\le` ``tol`` :math:`(1 + |\\ell|)`.
    start : ndarray, optional
        Starting values (default zeros).

    Returns
    -------
    (beta, fit, iterations)

    Raises
    ------
    ValueError
        The information is singular (collinear covariates).
    ConvergenceError
        Not converged after ``max_iter`` iterations.
    """
    beta = np.zeros(p) if start is None else np.asarray(start, dtype=float).copy()
    cur = fun(beta)
    for it in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(cur.info, cur.score)
        except np.linalg.LinAlgError as err:
            raise ValueError(f"{model}: the information matrix is singular: covariates are "
                             "collinear (one is a combination of others among the people at "
                             "risk); drop or recode one") from err
        dec = float(cur.score @ step)
        new_beta = beta + step
        new = fun(new_beta)
        halves = 0
        while not np.isfinite(new.loglik) or new.loglik < cur.loglik - 1e-12 * (
                1 + abs(cur.loglik)):
            halves += 1
            if halves > 30:
                break
            new_beta = beta + step / 2 ** halves
            new = fun(new_beta)
        beta, cur = new_beta, new
        if halves == 0 and abs(dec) <= tol * (1 + abs(cur.loglik)):
            return beta, cur, it
    dec = decrement(cur)
    if np.isfinite(dec) and abs(dec) <= CONVERGENCE_TOL * (1 + abs(cur.loglik)):
        return beta, cur, max_iter
    raise ConvergenceError(f"{model} did not converge in {max_iter} Newton iterations "
                           f"(decrement {dec:.2g} relative to the log-likelihood "
                           f"{cur.loglik:.6g}); check for separation or rescale covariates")


def check_divergence(beta: np.ndarray, design: DesignMatrix, *, model: str) -> None:
    """Raise :class:`SeparationError` for coefficients beyond :data:`DIVERGENCE_LIMIT`
    standard deviations of their covariate (a likelihood flat towards infinity)."""
    sd = design.x.std(axis=0)
    size = np.abs(beta) * np.where(sd > 0, sd, 1.0)
    bad = [n for n, s in zip(design.names, size, strict=True) if not np.isfinite(s)
           or s > DIVERGENCE_LIMIT]
    if bad:
        raise SeparationError(f"{model}: the coefficients of {bad} diverge (separation: the "
                              "covariates predict the outcome perfectly somewhere); merge "
                              "levels or leave the covariate out", terms=bad)


#: columns of every coefficient table (Cox, Fine-Gray, propensity logit, ordinal model)
COEF_COLUMNS = ["coef", "se", "z", "p", "estimate", "lower", "upper", "scale"]


def coefficient_table(coef: np.ndarray, se: np.ndarray, names: Sequence[str], *, alpha: float,
                      scale: str, alias: str | None = None,
                      index_name: str = "term") -> pd.DataFrame:
    r"""The one coefficient-table schema of the package (Wald statistics).

    Parameters
    ----------
    coef, se : ndarray
        Coefficients (log scale) and their standard errors.
    names : sequence of str
        Term names (the index).
    alpha : float
        1 - confidence level.
    scale : str
        What ``estimate`` is: ``"hazard ratio"``, ``"subdistribution hazard ratio"``,
        ``"odds ratio"``, ``"time ratio"``, ...
    alias : str, optional
        An extra column repeating ``estimate`` under its customary name (``"hr"``, ``"or"``).
    index_name : str, default "term"

    Returns
    -------
    pandas.DataFrame
        Indexed by term: ``coef, se, z, p`` (on the log scale), ``estimate`` =
        :math:`e^{\hat\beta}` with ``lower, upper`` = :math:`e^{\hat\beta \mp z_{1-\alpha/2}
        \mathrm{se}}` on the same scale, ``scale``, and ``alias`` when given.

    Examples
    --------
    >>> t = coefficient_table(np.array([0.0]), np.array([0.5]), ["x"], alpha=0.05,
    ...                       scale="odds ratio", alias="or")
    >>> [float(v) for v in t.loc["x", ["estimate", "p", "or"]]]
    [1.0, 1.0, 1.0]
    """
    from scipy import stats

    coef = np.asarray(coef, dtype=float)
    se = np.asarray(se, dtype=float)
    zcrit = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = coef / se
    table = pd.DataFrame({"coef": coef, "se": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z)),
                          "estimate": np.exp(coef), "lower": np.exp(coef - zcrit * se),
                          "upper": np.exp(coef + zcrit * se), "scale": scale},
                         index=pd.Index(list(names), name=index_name))
    if alias is not None:
        table[alias] = table["estimate"]
    return table
