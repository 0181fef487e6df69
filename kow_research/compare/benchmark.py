"""Benchmarking an observed proportion against a published figure of a reference cohort."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kow_research.compare._design import months_to, time_unit
from kow_research.core.checks import check_alpha, check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.core.results import Result, result_class
from kow_research.survival.kernels import aalen_johansen, step_at
from kow_research.synthetic import reference_figures


@positional_deprecated("alpha", n_positional=2)
def clopper_pearson(x: float, n: float, *, alpha: float = 0.05) -> tuple[float, float]:
    r"""Clopper-Pearson (exact) confidence interval of a binomial proportion.

    .. math::

        \bigl[B(\alpha/2;\ x,\ n-x+1),\ B(1-\alpha/2;\ x+1,\ n-x)\bigr],

    with :math:`B(q; a, b)` the :math:`q` quantile of the beta distribution; the lower limit is
    0 when :math:`x = 0` and the upper limit 1 when :math:`x = n`.

    Parameters
    ----------
    x : float
        Events (may be non-integer: an effective count).
    n : float
        Trials (may be an effective sample size).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    tuple of float
        ``(lower, upper)``.

    References
    ----------
    Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated in the
    case of the binomial. Biometrika 26:404-413.

    Examples
    --------
    >>> [round(v, 4) for v in clopper_pearson(5, 10)]  # beta quantiles B(.025; 5, 6), B(.975; 6, 5)
    [0.1871, 0.8129]
    >>> clopper_pearson(0, 10)[0], clopper_pearson(10, 10)[1]
    (0.0, 1.0)
    """
    alpha = check_alpha(alpha)
    lo = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    hi = 1.0 if x >= n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lo, hi


@positional_deprecated("alpha", n_positional=2)
def wilson(x: float, n: float, *, alpha: float = 0.05) -> tuple[float, float]:
    r"""Wilson score confidence interval of a binomial proportion.

    .. math::

        \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n},
        \qquad \hat p = x/n,\ z = z_{1-\alpha/2}.

    Parameters
    ----------
    x : float
        Events (may be non-integer: an effective count).
    n : float
        Trials (may be an effective sample size).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    tuple of float
        ``(lower, upper)``.

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22:209-212.

    Examples
    --------
    With :math:`\hat p = 0.5` the centre is 0.5 and the half-width
    :math:`1.96\sqrt{0.025 + 0.0096}/1.3841 = 0.2634`:

    >>> [round(v, 4) for v in wilson(5, 10)]
    [0.2366, 0.7634]
    """
    alpha = check_alpha(alpha)
    z = stats.norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / (1 + z ** 2 / n)
    return float(centre - half), float(centre + half)


def outcome_definition_name(definition: Mapping[str, Any] | None) -> str | None:
    """Map a :class:`~kow_research.outcomes.definitions.TimeToWorkDefinition` dict to the
    catalogue vocabulary (``OUTCOME_DEFINITIONS``); None when no catalogue term fits."""
    if not definition:
        return None
    if "outcome_definition" in definition:
        return str(definition["outcome_definition"])
    supported = bool(definition.get("include_supported", False))
    hours = definition.get("min_hours")
    days = definition.get("min_days", 0) or 0
    if days >= 182 and hours is None:
        return "durable_work"
    if hours is not None:
        return "paid_work_12h" if float(hours) == 12 and days == 0 else None
    if days:
        return None
    return "any_paid_work" if supported else "competitive_employment"


@result_class
class BenchmarkResult(Result):
    """``table`` rows ``ours``, ``reference``, ``difference`` (ours - reference), ``ratio``
    with ``estimate, lower, upper, n, events, method``; ``mismatches`` lists what differs
    between the two definitions (empty when they agree)."""

    table: pd.DataFrame
    mismatches: tuple[str, ...]
    allow_mismatch: bool
    alpha: float
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return f"benchmark against {self.attrs.get('reference', '')}"

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]

    def _notes(self) -> list[str]:
        notes = [str(self.attrs.get("citation") or "")]
        if self.mismatches:
            notes.append("Definitions differ (allowed explicitly): " + "; ".join(self.mismatches))
        return notes


def _reference_row(reference: Any, horizon_months: float | None) -> pd.Series:
    if isinstance(reference, pd.Series):
        return reference
    if isinstance(reference, Mapping):
        return pd.Series(dict(reference))
    if isinstance(reference, str):
        if ":" not in reference:
            raise ValueError(f"reference {reference!r}: use 'study:arm', e.g. 'michon2014:IPS'")
        study, arm = reference.split(":", 1)
    else:
        study, arm = reference
    figs = reference_figures()
    sel = figs[(figs["study"] == study) & (figs["arm"] == arm) & (figs["measure"] == "proportion")]
    if sel.empty:
        raise ValueError(f"no published proportion for study {study!r}, arm {arm!r} in the "
                         "reference catalogue (kow_research.synthetic.reference_figures())")
    if len(sel) > 1 and horizon_months is not None:
        same = sel[sel["horizon_months"].astype(float) == float(horizon_months)]
        sel = same if len(same) else sel
    if len(sel) > 1:
        raise ValueError(f"{study}:{arm} has {len(sel)} proportions (horizons "
                         f"{sel['horizon_months'].tolist()}); pass the row itself")
    return sel.iloc[0]


def _ours(result: Any, horizon_months: float | None, cause: int, duration: str, event: str,
          unit: str | None) -> dict[str, Any]:
    if isinstance(result, Mapping):
        need = {"events", "n", "horizon_months"}
        if need - set(result):
            raise ValueError(f"result mapping needs keys {sorted(need)}")
        x, n = float(result["events"]), float(result["n"])
        return {"estimate": x / n, "events": x, "n": n, "censored_before": 0,
                "horizon_months": float(result["horizon_months"]),
                "definition": dict(result.get("definition", result))}
    if not isinstance(result, pd.DataFrame):
        raise ValueError("result must be an outcome frame (e.g. time_to_paid_work output) or "
                         "a mapping with events, n, horizon_months and outcome_definition")
    if horizon_months is None:
        raise ValueError("horizon_months is needed to read a proportion from an outcome frame")
    u = time_unit(result, unit)
    h = float(months_to(horizon_months, unit=u))
    t = pd.to_numeric(result[duration]).to_numpy(dtype=float)
    e = pd.to_numeric(result[event]).to_numpy(dtype=np.int64)
    if t.max() < h:
        raise ValueError(f"nobody is followed up to {horizon_months} months (last time "
                         f"{t.max():g} {u}); the proportion cannot be estimated")
    x = float(((e == cause) & (t <= h)).sum())
    n = float(len(t))
    censored = int(((e == 0) & (t < h)).sum())
    causes = tuple(int(c) for c in np.unique(e[e > 0])) or (cause,)
    if cause not in causes:
        causes = tuple(sorted((*causes, cause)))
    curve = aalen_johansen(t, e, np.ones(len(t)), causes, cause, variance=bool(censored))
    est = float(step_at(curve.time, curve.estimate, np.array([h]))[0])
    if censored and curve.se is not None:
        # effective sample size with the Aalen-Johansen estimate's binomial-equivalent variance
        se = float(step_at(curve.time, curve.se, np.array([h]))[0])
        n = est * (1 - est) / se ** 2 if se > 0 else n
        x = est * n
    return {"estimate": est, "events": x, "n": n, "censored_before": censored,
            "horizon_months": float(horizon_months),
            "definition": outcome_meta(result).definition}


@positional_deprecated("reference", "horizon_months", "allow_mismatch", "ci", "cause",
                       "duration", "event", "unit", "alpha")
def benchmark(result: Any, *, reference: Any, horizon_months: float | None = None,
              allow_mismatch: bool = False, ci: str = "exact", cause: int = 1,
              duration: str = "time", event: str = "event", unit: str | None = None,
              alpha: float = 0.05) -> BenchmarkResult:
    r"""Compare our proportion employed by a horizon with a published figure.

    Our proportion is :math:`x/n` (people with the event of ``cause`` by the horizon); when
    some people are censored before the horizon it is the Aalen-Johansen estimate
    :math:`\hat F(h)` and the interval uses the effective sample size
    :math:`n^* = \hat F(1-\hat F)/\widehat{\mathrm{se}}^2` (so censoring widens it). Intervals:
    Clopper-Pearson (``ci="exact"``) or Wilson. The difference uses Newcombe's hybrid score
    interval (method 10) and the ratio Katz's log interval when the published figure has its
    n, otherwise our interval shifted/scaled by the fixed published value:

    .. math::

        \hat p_1 - p_0 - \sqrt{(\hat p_1 - l_1)^2 + (u_0 - p_0)^2},\quad
        \hat p_1 - p_0 + \sqrt{(u_1 - \hat p_1)^2 + (p_0 - l_0)^2},\qquad
        \frac{\hat p_1}{p_0}\exp\Bigl(\mp z_{1-\alpha/2}\sqrt{\tfrac1{x_1} - \tfrac1{n_1} +
        \tfrac1{x_0} - \tfrac1{n_0}}\Bigr),

    with :math:`(l, u)` the Wilson limits of each proportion and :math:`x_0 = p_0 n_0`.

    The comparison is refused (``ValueError``) when the outcome definitions or horizons differ
    (e.g. "any paid work" against "competitive employment", 18 against 30 months, or a pooled
    figure without one horizon), unless ``allow_mismatch=True``, which is recorded in the
    result.

    Parameters
    ----------
    result : DataFrame or mapping
        Outcome frame with ``attrs["definition"]`` (from
        :func:`kow_research.outcomes.time_to_paid_work`), or a mapping ``{"events", "n",
        "horizon_months", "outcome_definition"}`` (a term of
        :data:`kow_research.synthetic.OUTCOME_DEFINITIONS`).
    reference : str, (str, str), Series or mapping
        ``"michon2014:IPS"`` (study and arm), the pair ``("michon2014", "IPS")``, or a row of
        :func:`kow_research.synthetic.reference_figures`.
    horizon_months : float, optional
        Our horizon in months (needed for an outcome frame; a mapping carries its own).
    allow_mismatch : bool, default False
        Compare anyway when definitions or horizons differ (the mismatches are listed in the
        result).
    ci : {"exact", "wilson"}, default "exact"
        Interval of each proportion: Clopper-Pearson or Wilson.
    cause : int, default 1
        Event code of paid work in an outcome frame; other codes > 0 are competing.
    duration : str, default "time"
        Column of follow-up times in an outcome frame.
    event : str, default "event"
        Column of event codes (0 censored) in an outcome frame.
    unit : {"days", "weeks", "months"}, optional
        Unit of ``duration`` (default: the outcome definition's, else days).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    BenchmarkResult
        ``table`` with rows ``ours``, ``reference``, ``difference`` (ours - reference) and
        ``ratio`` (``estimate, lower, upper, n, events, method``) and the ``mismatches``.

    Raises
    ------
    ValueError
        When the definitions or horizons differ and ``allow_mismatch`` is False, or the
        reference is not in the catalogue.

    References
    ----------
    Clopper CJ, Pearson ES (1934). Biometrika 26:404-413. Wilson EB (1927). JASA 22:209-212.
    Newcombe RG (1998). Stat Med 17:873-890. Katz D et al. (1978). Biometrics 34:469-474.

    Examples
    --------
    35 of 70 people in competitive employment by 30 months, against 44 % of 70 in the IPS arm
    of Michon et al. (2014):

    >>> ours = {"events": 35, "n": 70, "horizon_months": 30,
    ...         "outcome_definition": "competitive_employment"}
    >>> res = benchmark(ours, reference="michon2014:IPS")
    >>> res.table["estimate"].round(4).tolist()    # 35/70, 0.44, 0.5 - 0.44, 0.5 / 0.44
    [0.5, 0.44, 0.06, 1.1364]

    A figure at another horizon is refused unless the mismatch is allowed:

    >>> benchmark({**ours, "horizon_months": 18}, reference="michon2014:IPS")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: refusing to compare unlike figures: horizon: ours 18 months, reference 30.0. ...
    >>> benchmark({**ours, "horizon_months": 18}, reference="michon2014:IPS",
    ...           allow_mismatch=True).mismatches
    ('horizon: ours 18 months, reference 30.0',)
    """
    check_choice("ci", ci, ("exact", "wilson"))
    alpha = check_alpha(alpha)
    ours = _ours(result, horizon_months, cause, duration, event, unit)
    ref = _reference_row(reference, ours["horizon_months"])
    if str(ref.get("measure", "proportion")) != "proportion":
        raise ValueError(f"reference figure is a {ref.get('measure')}, not a proportion")
    mine = outcome_definition_name(ours["definition"])
    mismatches = []
    if mine is None or mine != ref.get("outcome_definition"):
        mismatches.append(f"outcome definition: ours {mine or 'not in the catalogue'}, "
                          f"reference {ref.get('outcome_definition')}")
    rh = ref.get("horizon_months")
    if rh is None or pd.isna(rh) or float(rh) != ours["horizon_months"]:
        mismatches.append(f"horizon: ours {ours['horizon_months']:g} months, reference "
                          f"{'none (pooled over studies)' if rh is None or pd.isna(rh) else rh}")
    if ours["definition"].get("dropout") == "competing":
        mismatches.append("ours stops counting jobs at dropout (competing event); published "
                          "trial figures count jobs after dropout (treatment policy)")
    if mismatches and not allow_mismatch:
        raise ValueError("refusing to compare unlike figures: " + "; ".join(mismatches)
                         + ". Align the definition (e.g. time_to_paid_work(dropout='ignore') and "
                         "the reference's horizon) or pass allow_mismatch=True to record the "
                         "mismatch in the output")
    interval = clopper_pearson if ci == "exact" else wilson
    p1, x1, n1 = ours["estimate"], ours["events"], ours["n"]
    l1, u1 = interval(x1, n1, alpha=alpha)
    p0 = float(ref["value"])
    n0 = ref.get("n")
    has_n = n0 is not None and not pd.isna(n0)
    l0, u0 = interval(p0 * float(n0), float(n0), alpha=alpha) if has_n else (
        float(ref.get("lower")) if ref.get("lower") is not None and not pd.isna(ref.get("lower"))
        else np.nan,
        float(ref.get("upper")) if ref.get("upper") is not None and not pd.isna(ref.get("upper"))
        else np.nan)
    w1 = wilson(x1, n1, alpha=alpha)
    w0 = wilson(p0 * float(n0), float(n0), alpha=alpha) if has_n else (p0, p0)
    d = p1 - p0
    dl = d - np.sqrt((p1 - w1[0]) ** 2 + (w0[1] - p0) ** 2)
    du = d + np.sqrt((w1[1] - p1) ** 2 + (p0 - w0[0]) ** 2)
    z = stats.norm.ppf(1 - alpha / 2)
    if has_n and x1 > 0 and p0 > 0:
        x0 = p0 * float(n0)
        se_log = np.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / float(n0))
        rl, ru = p1 / p0 * np.exp(-z * se_log), p1 / p0 * np.exp(z * se_log)
    else:
        rl, ru = l1 / p0, u1 / p0
    table = pd.DataFrame({
        "estimate": [p1, p0, d, p1 / p0], "lower": [l1, l0, dl, rl], "upper": [u1, u0, du, ru],
        "n": [n1, float(n0) if has_n else np.nan, np.nan, np.nan],
        "events": [x1, p0 * float(n0) if has_n else np.nan, np.nan, np.nan],
        "method": [ci if not ours["censored_before"] else f"{ci} (effective n, censoring)",
                   ci if has_n else "published", "Newcombe hybrid score" if has_n
                   else "ours - fixed reference", "Katz log" if has_n
                   else "ours / fixed reference"]},
        index=pd.Index(["ours", "reference", "difference", "ratio"], name="row"))
    attrs = {"reference": f"{ref.get('study')}:{ref.get('arm')}",
             "citation": ref.get("citation"), "reference_definition":
             ref.get("outcome_definition"), "reference_horizon_months": rh,
             "our_definition": mine, "our_horizon_months": ours["horizon_months"],
             "censored_before_horizon": ours["censored_before"],
             "allow_mismatch": allow_mismatch, "mismatches": list(mismatches)}
    return BenchmarkResult(table=table, mismatches=tuple(mismatches),
                           allow_mismatch=allow_mismatch, alpha=alpha, attrs=attrs)
