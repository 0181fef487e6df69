"""Bootstrap of a weighted two-cohort comparison: resample persons, re-estimate the propensity
weights, recompute the risks by fixed horizons and the restricted mean times."""

from __future__ import annotations

import numbers
import sys
from collections.abc import Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare._design import (
    control_level,
    months_to,
    time_unit,
    treatment_indicator,
)
from kow_research.compare.balance import BalanceResult, balance
from kow_research.compare.bca import JACKKNIFE_MAX_GROUPS, bca_limits, jackknife_groups
from kow_research.compare.propensity import (
    ESTIMANDS,
    TARGETS,
    PropensityResult,
    propensity,
    refit_weights,
)
from kow_research.compare.separation import (
    MIN_LEVEL_COUNT,
    SEPARATION,
    SEPARATION_FIT,
    collapse_levels,
    rare_levels,
)
from kow_research.compare.studentized import (
    MIN_EFFECTIVE_EVENTS,
    effective_events,
    korn_graubard_limits,
    mover_limits,
    studentized_limits,
)
from kow_research.compare.weighted import (
    EVENT_FREE_TIME,
    OUTCOME_TYPES,
    beyond_follow_up,
    effect_kernel,
    effect_labels,
    effect_se_kernel,
    horizon_effects,
    mean_kernel,
    mean_labels,
    mean_se_kernel,
    outcome_values,
)
from kow_research.core.checks import check_alpha, check_choice, check_columns
from kow_research.core.compat import positional_deprecated
from kow_research.core.meta import outcome_meta
from kow_research.core.results import Result, result_class
from kow_research.survival.design import SeparationError, design_matrix

CHUNK = 25  # replicates per joblib task (fixed, so results do not depend on n_jobs)
#: bootstrap intervals
INTERVALS = ("studentized", "percentile", "bca")


@result_class
class ComparisonResult(Result):
    """Two-cohort comparison with bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        ``measure, horizon_months, estimate, se, lower, upper``: ``risk_treated``,
        ``risk_control``, ``risk_difference``, ``risk_ratio`` per horizon and
        ``event_free_time_treated``, ``event_free_time_control``,
        ``event_free_time_difference`` (restricted mean time free of the event up to
        ``tau_months``, other causes competing, in the unit of the duration column: the
        ``event_free_competing`` estimand of :func:`kow_research.survival.rmst`). ``se`` is the
        SD of the replicates, ``lower``/``upper`` the ``ci`` limits.
    replicates : DataFrame
        One row per replicate, one column per row of ``table``.
    replicate_se : DataFrame or None
        With ``ci="studentized"``: each replicate's own standard error of the per-cohort
        estimates (weights held fixed; NaN in the contrast columns), which studentizes it.
    n_failed : int
        Replicates whose propensity model could not be fitted (perfect separation in the
        resample); they are all-NaN rows of ``replicates`` and left out of the intervals.
        :attr:`failed_share` is their share; the repr and the summary state both.
    propensity, balance : results of the full-data weighting (None when unweighted).
    ci : {"studentized", "percentile", "bca"}
        The interval in ``lower``/``upper``.
    jackknife : DataFrame or None
        With ``ci="bca"``: one row per person left out (indexed like the input; one per
        group, numbered, for a grouped jackknife), one column per row of ``table``, and a
        ``cohort`` column (1 treated, 0 control); the acceleration comes from it.
    """

    table: pd.DataFrame
    replicates: pd.DataFrame
    propensity: PropensityResult | None
    balance: BalanceResult | None
    alpha: float
    n_boot: int
    n_failed: int
    seed: int | None
    ci: str = "studentized"
    jackknife: pd.DataFrame | None = None
    replicate_se: pd.DataFrame | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def failed_share(self) -> float:
        """Share of the replicates that failed (0 without replicates)."""
        return self.n_failed / self.n_boot if self.n_boot else 0.0

    def _describe(self) -> str:
        return (f"comparison of {self.attrs.get('treated_level')} with "
                f"{self.attrs.get('control_level')} ({self.attrs.get('weighting')}), "
                f"{self.n_boot} bootstrap replicates, {self.n_failed} failed "
                f"({100 * self.failed_share:.1f} %), {INTERVAL_TEXT[self.ci]} intervals")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]

    def _notes(self) -> list[str]:
        notes = super()._notes()
        notes.append(f"Bootstrap: {self.n_boot} replicates (persons resampled within cohort), "
                     f"{self.n_failed} failed ({100 * self.failed_share:.1f} %) and left out; "
                     f"{100 * (1 - self.alpha):g} % {INTERVAL_TEXT[self.ci]} intervals"
                     + (f" ({self.attrs['acceleration']})" if self.ci == "bca" else "") + ".")
        if self.attrs.get("korn_graubard_rows"):
            notes.append(f"Fewer than {self.attrs['min_effective_events']} effective events, so "
                         "Korn-Graubard (Clopper-Pearson at the effective sample size of the "
                         "bootstrap SE) limits: " + ", ".join(self.attrs["korn_graubard_rows"])
                         + ", and the differences and ratios built from them.")
        if self.attrs.get("percentile_rows"):
            notes.append("Too few events to studentize, so percentile limits: "
                         + ", ".join(self.attrs["percentile_rows"])
                         + ", and the contrasts built from them.")
        if self.attrs.get("separation_text"):
            notes.append(str(self.attrs["separation_text"]))
        return notes


#: ``attrs["interval"]`` per ``ci``
INTERVAL_NAMES = {"studentized": "studentized", "percentile": "percentile", "bca": "BCa"}
INTERVAL_TEXT = {"studentized": "studentized (bootstrap-t per cohort, risks and restricted "
                                "means on the arcsine-square-root scale; contrasts by MOVER)",
                 "percentile": "percentile", "bca": "BCa (bias-corrected and accelerated)"}


def _effects(rows: np.ndarray, time: np.ndarray, event: np.ndarray, t: np.ndarray,
             xi: np.ndarray | None, opts: dict[str, Any], out: np.ndarray) -> bool | None:
    """Write the effect vector of the persons ``rows`` into ``out`` (left NaN on failure);
    whether Firth's penalty was used (None: the propensity model failed)."""
    tb = t[rows]
    firth = False
    if xi is None:
        w = np.ones(len(rows))
    else:
        try:
            w, used = refit_weights(xi[rows], tb, method=opts["fit"],
                                    estimand=opts["estimand"], stabilize=opts["stabilize"],
                                    trim=opts["trim"])
        except ValueError:  # separation, no convergence or an overflowing weight: counted
            return None
        firth = used == "firth"
    out[:opts["width"]], se = _kernels(time[rows], event[rows], tb, w, opts)
    if se is not None:
        out[opts["width"]:2 * opts["width"]] = se
    return firth


def _kernels(time: np.ndarray, event: np.ndarray, t: np.ndarray, w: np.ndarray,
             opts: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """The effect vector and, for studentized intervals, the per-cohort SEs (else None)."""
    if opts["kind"] == "time_to_event":
        args = (time, event, t, w, opts["cause"], opts["h"], opts["tau"])
        est = effect_kernel(*args)
        return est, effect_se_kernel(*args) if opts["studentized"] else None
    binary = opts["kind"] == "binary"  # continuous or binary: ``time`` holds the outcome
    return (mean_kernel(time, t, w, binary),
            mean_se_kernel(time, t, w, binary) if opts["studentized"] else None)


def _replicates(seed_seq: np.random.SeedSequence, n_rep: int, time: np.ndarray,
                event: np.ndarray, t: np.ndarray, xi: np.ndarray | None,
                opts: dict[str, Any]) -> np.ndarray:
    """``n_rep`` replicates: resample persons within each group, refit, recompute. The last
    column is 1 where the propensity model needed Firth's penalty, 0 where not."""
    rng = np.random.default_rng(seed_seq)
    i1, i0 = np.flatnonzero(t == 1), np.flatnonzero(t == 0)
    out = np.full((n_rep, opts["width"] * (2 if opts["studentized"] else 1) + 1), np.nan)
    for r in range(n_rep):
        idx = np.concatenate([rng.choice(i1, len(i1)), rng.choice(i0, len(i0))])
        firth = _effects(idx, time, event, t, xi, opts, out[r])
        out[r, -1] = float(bool(firth))
    return out


def _jackknife(groups: list[np.ndarray], time: np.ndarray, event: np.ndarray, t: np.ndarray,
               xi: np.ndarray | None, opts: dict[str, Any]) -> np.ndarray:
    """Leave each group of persons out in turn, refit, recompute."""
    out = np.full((len(groups), opts["width"]), np.nan)
    keep = np.ones(len(t), dtype=bool)
    for r, g in enumerate(groups):
        keep[g] = False
        _effects(np.flatnonzero(keep), time, event, t, xi, opts, out[r])
        keep[g] = True
    return out


@positional_deprecated("treatment", "covariates", "treated", "estimand", "duration", "event",
                       "cause", "horizons_months", "tau_months", "n_boot", "seed", "n_jobs",
                       "progress", "stabilize", "trim", "unit", "alpha")
def compare_outcomes(df: pd.DataFrame, *, treatment: str, covariates: Sequence[str] | None,
                     treated: Any = None, estimand: str = "ATT", duration: str = "time",
                     event: str = "event", cause: int = 1,
                     horizons_months: Sequence[float] = (12, 18, 30), tau_months: float = 12,
                     n_boot: int = 1000, seed: int | None = None, n_jobs: int = 1,
                     progress: bool = False, stabilize: bool = False,
                     trim: float | None = None, unit: str | None = None,
                     alpha: float = 0.05, ci: str = "studentized",
                     separation: str = "error", max_failed: float = 0.05,
                     outcome: str | None = None, outcome_type: str = "auto",
                     min_effective_events: float = MIN_EFFECTIVE_EVENTS
                     ) -> ComparisonResult:
    r"""Propensity-weighted comparison of two cohorts, with bootstrap CIs: paid work over time
    (risks by horizons, restricted mean times) or a continuous or binary outcome.

    Point estimates are those of :func:`horizon_effects` with the weights of
    :func:`propensity`; with ``outcome=`` (hours worked, earnings, a ladder score; in work at
    12 months yes/no) they are weighted means per cohort, their difference and, for a binary
    outcome, the risk difference and risk ratio:

    .. math::

        \bar y_g = \frac{\sum_{i \in g} w_i y_i}{\sum_{i \in g} w_i},\qquad
        \bar y_1 - \bar y_0,\qquad \hat p_1 / \hat p_0 .

    Each bootstrap replicate resamples persons with replacement *within
    each cohort* (keeping the cohort sizes, as in the design), re-fits the propensity model
    (Newton-Raphson logistic regression), recomputes the weights and the estimates, so the
    intervals include the uncertainty of the estimated weights:

    .. math::

        \widehat{\mathrm{se}} = \mathrm{SD}(\hat\theta^*_b).

    The default interval, ``ci="studentized"``, is a bootstrap-t interval for each cohort's
    risk, restricted mean or mean (:func:`~kow_research.compare.studentized.studentized_limits`:
    every replicate divided by its own infinitesimal-jackknife SE, the weights of that
    replicate held fixed, :func:`~kow_research.compare.weighted.effect_se_kernel`; risks and
    restricted means, which are bounded, on the arcsine-square-root scale), and the
    difference and ratio get MOVER limits recovered from the two cohorts' limits, with the
    correlation of their replicates (:func:`~kow_research.compare.studentized.mover_limits`;
    the ratio on the log scale). A cohort's row whose resamples include one without any event
    (SE 0) cannot be studentized and gets percentile limits, named in
    ``attrs["percentile_rows"]``. A cohort's risk with fewer than
    :data:`~kow_research.compare.studentized.MIN_EFFECTIVE_EVENTS` (10) effective events by its
    horizon (Kish's :math:`(\sum w)^2/\sum w^2` over the events), or one that cannot be
    studentized, gets Korn-Graubard limits instead
    (:func:`~kow_research.compare.studentized.korn_graubard_limits`: Clopper-Pearson at the
    effective sample size of its bootstrap SE), named in ``attrs["korn_graubard_rows"]``: with
    few events the bootstrap-t's :math:`T^*` is heavy-tailed and its upper limit runs away. At
    60 per cohort these intervals are conservative (``bootstrap_coverage_n60.md``: risks
    0.96-1.00) where percentile ones cover 0.84-0.95. In the validation study
    (``validation/bootstrap_coverage.py``, 300 per cohort, a rare level in one cohort) the
    percentile intervals of the risk difference
    covered 0.92 at 6 months, missing on one side: a weighted control risk that comes out low
    also gets a narrow interval. The studentized interval follows that SE; see
    ``validation/results/bootstrap_coverage.md`` for its coverage. ``ci="percentile"`` gives
    :math:`[\hat\theta^*_{(\alpha/2)}, \hat\theta^*_{(1-\alpha/2)}]` and ``ci="bca"`` the
    BCa limits of :func:`bca_limits` (the percentile levels moved
    by the bias correction :math:`\hat z_0` and the acceleration :math:`\hat a` from a
    jackknife within each cohort that also re-fits the propensity model: per person up to
    :data:`JACKKNIFE_MAX_GROUPS` people per cohort, else over that many random groups, see
    :func:`jackknife_groups`).

    A covariate level with few people in one cohort (sex = "other") separates the
    propensity model: in the full data when a cohort has none (maximum likelihood has no
    finite estimate), in the replicates whose resample of that cohort misses it. Such
    replicates fail; above ``max_failed`` the intervals would come from a biased subset of
    resamples (those that happen to contain the level), so the function raises instead.
    ``separation="firth"`` fits every propensity model (the full data's and each
    replicate's) by Firth's penalised likelihood (:func:`fit_firth`), which is finite under
    separation; ``separation="collapse"`` merges the levels with fewer than
    :data:`MIN_LEVEL_COUNT` people in either cohort before anything is fitted
    (:func:`collapse_levels`); ``separation="auto"`` fits each propensity model by maximum
    likelihood and uses Firth's penalty only in the fits (full data or replicate) where the
    maximum-likelihood estimate does not exist (:func:`fit_propensity_model`; the count is in
    ``attrs["firth_replicates"]``). Firth's penalty shrinks the slopes in every fit, so the
    weights under-correct for the case mix: at 300 per cohort a weighted 12-month risk was
    0.0019 low (3 Monte Carlo SEs), where ``"auto"`` and ``"collapse"`` are within 1.3
    (``validation/results/bootstrap_coverage.md``). Each is stated in
    ``attrs["separation_text"]`` and the summary.

    Parameters
    ----------
    df : DataFrame
        Outcome frame (e.g. :func:`kow_research.outcomes.time_to_paid_work` on both cohorts)
        with ``treatment``, ``duration``, ``event`` (or ``outcome``) and the covariates.
    treatment : str
        Group column: boolean/0-1, or two levels with ``treated`` naming the treated one.
    covariates : sequence of str or None
        Propensity-model covariates; ``None`` gives the unweighted (crude) comparison.
    treated : object, optional
        Level of ``treatment`` that is treated (needed unless the column is 0/1).
    estimand : {"ATT", "ATE", "ATO"}, default "ATT"
        Target population of the weights (see :func:`propensity`).
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Column of event codes: 0 censored, ``cause`` paid work, other codes competing.
    cause : int, default 1
        Event code of paid work; other codes > 0 are competing (e.g. dropout).
    horizons_months : sequence of float, default (12, 18, 30)
        Horizons of the risks, in months.
    tau_months : float, default 12
        Horizon of the restricted mean event-free time, in months.
    n_boot : int, default 1000
        Replicates (0: point estimates only).
    seed : int, optional
        Seed of the replicates (same seed, same result for any ``n_jobs``).
    n_jobs : int, default 1
        joblib workers (-1: all cores).
    progress : bool, default False
        tqdm progress bar on stderr.
    stabilize : bool, default False
        Stabilised weights (see :func:`balancing_weights`).
    trim : float, optional
        Crump trimming threshold of the propensity score (see :func:`propensity`).
    unit : {"days", "weeks", "months"}, optional
        Unit of ``duration`` (default: the outcome definition's, else days).
    alpha : float, default 0.05
        1 - confidence level of the intervals.
    ci : {"studentized", "percentile", "bca"}, default "studentized"
        Studentized (bootstrap-t per cohort, MOVER for the contrasts), percentile, or
        bias-corrected and accelerated intervals (BCa needs the jackknife: about ``n`` more
        refits), see above.
    min_effective_events : float, default 10
        With ``ci="studentized"``: a cohort's risk with fewer effective events than this gets
        Korn-Graubard limits instead of the bootstrap-t (see above); 0 keeps the bootstrap-t
        wherever it can be computed.
    separation : {"error", "auto", "firth", "collapse"}, default "error"
        Handling of covariate levels that separate the cohorts: maximum likelihood, raising
        when the full data are separated and counting failed replicates; maximum likelihood
        with Firth's penalty where it has no finite estimate; Firth-penalised propensity
        models everywhere; or rare levels merged (see above).
    max_failed : float, default 0.05
        Largest share of failed replicates accepted; above it a ``ValueError`` names the
        count, the share and the rare levels that probably caused them.
    outcome : str, optional
        Column of a continuous or binary outcome. Given, the comparison is of weighted means
        (``mean_treated``, ``mean_control``, ``mean_difference``) or risks (``risk_treated``,
        ``risk_control``, ``risk_difference``, ``risk_ratio``), ``horizon_months`` NaN, and
        ``duration``, ``event``, ``cause``, ``horizons_months``, ``tau_months`` and ``unit``
        are not used. None: the time-to-event comparison.
    outcome_type : {"auto", "continuous", "binary"}, default "auto"
        Kind of ``outcome``; ``"auto"``: binary when boolean or all values 0/1.

    Returns
    -------
    ComparisonResult
        ``table`` (``measure, horizon_months, estimate, se, lower, upper``: ``risk_*`` per
        horizon and ``event_free_time_*``), the ``replicates``, ``n_failed`` (and
        ``failed_share``), the ``replicate_se`` (with ``ci="studentized"``), the
        ``jackknife`` (with ``ci="bca"``) and the full-data ``propensity`` and ``balance``.

    Raises
    ------
    ValueError
        More than ``max_failed`` of the replicates failed, or (with ``separation="error"``)
        the full data separate the propensity model (a
        :class:`~kow_research.survival.design.SeparationError`); a horizon (or
        ``tau_months``) lies beyond a cohort's last follow-up time (naming both); the
        ``duration``/``event`` or ``outcome`` column is missing or of the wrong type.

    References
    ----------
    Austin PC (2016). Variance estimation when using inverse probability of treatment
    weighting (IPTW) with survival analysis. Stat Med 35:5642-5655. Efron B, Tibshirani RJ
    (1993). An Introduction to the Bootstrap. Chapman & Hall. Efron B (1987). Better
    bootstrap confidence intervals. JASA 82:171-185. Firth D (1993). Biometrika 80:27-38.
    Hall P (1988). Theoretical comparison of bootstrap confidence intervals. Ann Stat
    16:927-953. Zou GY, Donner A (2008). Construction of confidence limits about effect
    measures: a general approach. Stat Med 27:1693-1702.

    Examples
    --------
    >>> import kow_research as kr
    >>> study = kr.simulate_studies({"KOW": 60, "IPS": 50}, seed=1)
    >>> df = kr.outcomes.time_to_paid_work(study, dropout="censor", unit="months")
    >>> res = compare_outcomes(df, treatment="cohort", treated="IPS", covariates=["age", "smi"],
    ...                        horizons_months=(6, 12), n_boot=20, seed=1)   # 1000+ in practice
    >>> res.n_boot, res.n_failed, res.replicates.shape
    (20, 0, (20, 11))

    The point estimates are the weighted curves' (here 1 - weighted Kaplan-Meier, as R
    ``survfit(Surv(time, event) ~ cohort, weights = w)`` with the ATT weights of ``glm``:
    0.1659 - 0.0634 by 6 months, 0.3183 - 0.0951 by 12):

    >>> rd = res.table[res.table["measure"] == "risk_difference"]
    >>> rd["estimate"].round(4).tolist()
    [0.1026, 0.2232]
    >>> point = horizon_effects(df, treatment="cohort", treated="IPS",
    ...                         weights=res.propensity.weights, horizons_months=(6, 12))
    >>> bool(np.allclose(point["estimate"], res.table["estimate"]))
    True

    A continuous outcome: the weighted mean difference in hours worked per week at 12
    months, here made up from the age of each person:

    >>> hrs = df.assign(hours=(df["age"] - 18) / 2)
    >>> res = compare_outcomes(hrs, treatment="cohort", treated="IPS", covariates=["age", "smi"],
    ...                        outcome="hours", n_boot=20, seed=1)
    >>> res.table["measure"].tolist()
    ['mean_treated', 'mean_control', 'mean_difference']
    >>> w = res.propensity.weights
    >>> ips = hrs["cohort"] == "IPS"
    >>> mean_diff = (np.average(hrs.loc[ips, "hours"], weights=w[ips])
    ...              - np.average(hrs.loc[~ips, "hours"], weights=w[~ips]))
    >>> bool(np.isclose(res.table["estimate"].iloc[2], mean_diff))
    True

    BCa intervals, with Firth-penalised propensity models:

    >>> bca = compare_outcomes(df, treatment="cohort", treated="IPS", covariates=["age", "smi"],
    ...                        horizons_months=(6, 12), n_boot=20, seed=1, ci="bca",
    ...                        separation="firth")
    >>> bca.ci, bca.jackknife.shape, bca.attrs["separation"]
    ('bca', (110, 12), 'firth')
    """
    from joblib import Parallel, delayed
    from tqdm import tqdm  # plain bar on stderr (tqdm.auto warns in notebooks without ipywidgets)

    check_choice("estimand", estimand, ESTIMANDS)
    check_choice("ci", ci, INTERVALS)
    check_choice("separation", separation, SEPARATION)
    alpha = check_alpha(alpha)
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot}")
    if not 0 <= max_failed < 1:
        raise ValueError(f"max_failed must be a share in [0, 1), got {max_failed!r}")
    if not (isinstance(min_effective_events, numbers.Real) and min_effective_events >= 0):
        raise ValueError("min_effective_events must be a number >= 0, got "
                         f"{min_effective_events!r}")
    check_choice("outcome_type", outcome_type, OUTCOME_TYPES)
    t = treatment_indicator(df, treatment, treated)
    if outcome is None:
        kind = "time_to_event"
        _check_time_to_event(df, duration, event)
        u = time_unit(df, unit)
        h = months_to(horizons_months, unit=u)
        tau = float(months_to(tau_months, unit=u))
    else:
        y, kind = outcome_values(df, outcome, outcome_type)
        u, h, tau = "", np.empty(0), np.nan
    prop = bal = None
    xi = None
    merged: dict[str, dict[str, str]] = {}
    rare: list[tuple[str, str, int, int]] = []
    frame = df
    if covariates is not None:
        covariates = list(covariates)
        rare = rare_levels(df, covariates, t)
        if separation == "collapse":
            frame, covariates, merged = collapse_levels(df, covariates, t)
            if not covariates:
                raise ValueError("separation='collapse' left no covariate in the propensity "
                                 f"model (merged: {merged}); use separation='firth'")
        try:
            prop = propensity(frame, treatment=treatment, covariates=covariates,
                              estimand=estimand, treated=treated, stabilize=stabilize,
                              trim=trim, method=SEPARATION_FIT[separation])
        except SeparationError as err:
            raise SeparationError(f"{err} Or pass separation='auto' (Firth's penalised "
                                  "propensity model where maximum likelihood has no finite "
                                  "estimate), 'firth' (penalised everywhere) or 'collapse' "
                                  "(merge rare levels) to compare_outcomes.",
                                  terms=err.terms) from err
        bal = balance(frame, treatment=treatment, covariates=covariates, weights=prop.weights,
                      treated=treated)
        xi = np.column_stack([np.ones(len(t)), design_matrix(frame, covariates).x])
    w_full = np.ones(len(t)) if prop is None else prop.weights.to_numpy(dtype=float)
    if kind == "time_to_event":
        time = pd.to_numeric(df[duration]).to_numpy(dtype=float)
        ev = pd.to_numeric(df[event]).to_numpy(dtype=np.int64)
        _check_horizons(df, treatment, treated, time, t, w_full, horizons_months,
                        tau_months, u)
        point = horizon_effects(frame, treatment=treatment, treated=treated,
                                weights=None if prop is None else prop.weights,
                                duration=duration, event=event, cause=cause,
                                horizons_months=horizons_months, tau_months=tau_months, unit=u)
        labels = effect_labels(horizons_months)
    else:
        time, ev = y, np.zeros(len(t), dtype=np.int64)
        labels = mean_labels(kind == "binary")
        point = labels.assign(estimate=mean_kernel(y, t, w_full, kind == "binary"))
        point.attrs = {"n_excluded_zero_weight": int((w_full <= 0).sum()),
                       "treated_level": "treated" if treated is None else str(treated),
                       "control_level": control_level(df, treatment, treated)}
    names = [f"{m}@{hm:g}" if np.isfinite(hm) else m
             for m, hm in zip(labels["measure"], labels["horizon_months"], strict=True)]
    opts = {"fit": SEPARATION_FIT[separation], "estimand": estimand, "stabilize": stabilize,
            "trim": trim, "cause": cause, "h": h, "tau": tau, "kind": kind,
            "width": len(labels), "studentized": ci == "studentized"}
    reps = np.empty((0, len(names) * (2 if opts["studentized"] else 1) + 1))
    if n_boot > 0:
        sizes = [min(CHUNK, n_boot - s) for s in range(0, n_boot, CHUNK)]
        seqs = np.random.SeedSequence(seed).spawn(len(sizes))
        tasks = (delayed(_replicates)(sq, n, time, ev, t, xi, opts)
                 for sq, n in zip(seqs, sizes, strict=True))
        parts = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
        parts = tqdm(parts, total=len(sizes), disable=not progress, file=sys.stderr,
                     desc="bootstrap", unit="chunk")
        reps = np.vstack(list(parts))
    firth_reps = int(reps[:, -1].sum())
    reps, rep_se = reps[:, :len(names)], reps[:, len(names):-1]
    failed = int(np.isnan(reps).all(axis=1).sum()) if n_boot else 0
    if n_boot and failed / n_boot > max_failed:
        left = rare if covariates is None else rare_levels(frame, covariates, t)
        raise ValueError(_failure_message(failed, n_boot, max_failed, left, separation))
    estimate = point["estimate"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        finite = np.where(np.isfinite(reps), reps, np.nan)
        ok = np.isfinite(finite).sum(axis=0) >= 2 if n_boot else np.zeros(len(names), bool)
        # measures undefined in fewer than two replicates (a risk ratio against a zero risk)
        # get no interval; nanstd/nanquantile run only on the others
        se = np.full(len(names), np.nan)
        q = np.full((2, len(names)), np.nan)
        if n_boot > 1 and ok.any():
            se[ok] = np.nanstd(finite[:, ok], axis=0, ddof=1)
            q[:, ok] = np.nanquantile(finite[:, ok], [alpha / 2, 1 - alpha / 2], axis=0)
    jack = None
    jack_text = ""
    fallback: list[str] = []
    sparse: list[str] = []
    if ci == "studentized" and n_boot > 1:
        q[0], q[1], fallback, sparse = _studentized(
            labels, names, estimate, finite, rep_se, _kernels(time, ev, t, w_full, opts)[1],
            alpha, tau, _risk_information(labels, time, ev, t, w_full, kind, cause, (
                dict(zip(map(float, horizons_months), np.atleast_1d(h), strict=True))
                if kind == "time_to_event" else {})),
            se, float(min_effective_events))
    if ci == "bca" and n_boot > 1:
        groups = jackknife_groups(t, seed=seed)
        cohort = np.array([int(t[g[0]]) for g in groups])
        chunks = [groups[s:s + 4 * CHUNK] for s in range(0, len(groups), 4 * CHUNK)]
        jparts = Parallel(n_jobs=n_jobs)(delayed(_jackknife)(c, time, ev, t, xi, opts)
                                         for c in chunks)
        jv = np.vstack(jparts)
        with np.errstate(invalid="ignore"):
            jv = np.where(np.isfinite(jv), jv, np.nan)
            q[0], q[1], _, _ = bca_limits(finite, estimate, [jv[cohort == 1], jv[cohort == 0]],
                                          alpha=alpha)
        sizes_g = {len(g) for g in groups}
        jack = pd.DataFrame(jv, columns=names, index=df.index if sizes_g == {1} else None
                            ).assign(cohort=cohort)
        jack_text = ("acceleration from the per-person jackknife within each cohort"
                     if sizes_g == {1} else
                     f"acceleration from a grouped jackknife: {JACKKNIFE_MAX_GROUPS} random "
                     f"groups of {min(sizes_g)}-{max(sizes_g)} people per cohort")
        jack_text += f", {int(np.isnan(jv).all(axis=1).sum())} of {len(jv)} leave-outs failed"
    table = labels.copy()
    table["estimate"] = estimate
    table["se"] = se
    table["lower"] = np.where(ok, q[0], np.nan)
    table["upper"] = np.where(ok, q[1], np.nan)
    attrs = {**outcome_meta(df).result_attrs(), "weighting": "none" if covariates is None else
             f"propensity ({estimand})", "estimand": estimand,
             "target_population": (TARGETS[estimand] if covariates is not None else
                                   "the cohorts as observed (no weighting)"),
             **({"event_free_time": EVENT_FREE_TIME, "unit": u, "tau_months": tau_months,
                 "cause": cause} if kind == "time_to_event" else
                {"outcome": outcome, "outcome_type": kind, "measure_text": MEASURE_TEXT[kind]}),
             "resampling": "persons within cohort",
             "interval": INTERVAL_NAMES[ci],
             **{k: v for k, v in point.attrs.items()
                if k.startswith(("n_", "treated", "control"))},
             "n_failed": failed, "failed_share": failed / n_boot if n_boot else 0.0,
             "separation": separation,
             "separation_text": _separation_text(separation, rare, merged, covariates,
                                                 prop, firth_reps, n_boot),
             "firth_replicates": firth_reps}
    if ci == "bca":
        attrs["acceleration"] = jack_text
    if ci == "studentized":
        # per-cohort risks with few effective events: Korn-Graubard limits; other per-cohort
        # rows whose resamples include one without events: percentile limits
        attrs["korn_graubard_rows"] = sparse
        attrs["percentile_rows"] = fallback
        attrs["min_effective_events"] = min_effective_events
    if merged:
        attrs["collapsed"] = merged
    return ComparisonResult(table=table, replicates=pd.DataFrame(reps, columns=names),
                            propensity=prop, balance=bal, alpha=alpha, n_boot=n_boot,
                            n_failed=failed, seed=seed, ci=ci, jackknife=jack, attrs=attrs,
                            replicate_se=(pd.DataFrame(rep_se, columns=names)
                                          if ci == "studentized" else None))


def _risk_information(labels: pd.DataFrame, time: np.ndarray, ev: np.ndarray, t: np.ndarray,
                      w: np.ndarray, kind: str, cause: int, horizon_days: dict[float, float]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the effective number of events (:func:`effective_events`) behind a cohort's
    risk (events of ``cause`` up to its horizon, ``horizon_days`` per horizon in months) and
    the cohort's Kish effective sample size; NaN for the other rows."""
    events, ess = np.full(len(labels), np.nan), np.full(len(labels), np.nan)
    for i, (m, hm) in enumerate(zip(labels["measure"], labels["horizon_months"], strict=True)):
        if m not in ("risk_treated", "risk_control"):
            continue
        g = t == (1 if m == "risk_treated" else 0)
        if kind == "time_to_event":
            hit = g & (ev == cause) & (time <= horizon_days[float(hm)])
        else:  # a binary outcome: time holds the 0/1 values
            hit = g & (time == 1)
        events[i] = effective_events(w[hit & (w > 0)])
        ess[i] = effective_events(w[g & (w > 0)])
    return events, ess


def _studentized(labels: pd.DataFrame, names: list[str], estimate: np.ndarray,
                 reps: np.ndarray, rep_se: np.ndarray, se_ij: np.ndarray | None, alpha: float,
                 tau: float, information: tuple[np.ndarray, np.ndarray], se_boot: np.ndarray,
                 min_events: float) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Studentized limits of the per-cohort rows (Korn-Graubard limits for a risk with fewer
    than ``min_events`` effective events, or whose resamples include one
    without events), MOVER limits of their contrasts; the rows that fell back to percentile
    limits and the rows with Korn-Graubard limits."""
    assert se_ij is not None
    measure = labels["measure"].to_numpy()
    # risks lie in [0, 1], event-free times in [0, tau]; means are unbounded
    bound = np.where([m.startswith("risk_") for m in measure], 1.0,
                     np.where([m.startswith("event_free_time_") for m in measure], tau,
                              np.inf))
    lower, upper, pct = studentized_limits(reps, rep_se, estimate, se_ij, alpha=alpha,
                                           upper_bound=bound)
    events, ess = information
    with np.errstate(invalid="ignore"):
        sparse = np.isfinite(events) & ((events < min_events) | pct)
    if sparse.any():
        lower[sparse], upper[sparse] = korn_graubard_limits(
            estimate[sparse], se_boot[sparse], ess[sparse], alpha=alpha)
        pct = pct & ~sparse
    col = {n: i for i, n in enumerate(names)}
    for i, name in enumerate(names):
        kind = next((k for k in ("_difference", "_ratio") if k in name), None)
        if kind is None:
            continue
        j1, j0 = (col[name.replace(kind, arm)] for arm in ("_treated", "_control"))
        args = [estimate[j1], lower[j1], upper[j1], estimate[j0], lower[j0], upper[j0]]
        pair = reps[:, [j1, j0]]
        if kind == "_ratio":
            with np.errstate(divide="ignore", invalid="ignore"):
                args, pair = [np.log(a) for a in args], np.log(pair)
        pair = pair[np.isfinite(pair).all(axis=1)]
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (float(np.corrcoef(pair.T)[0, 1]) if len(pair) > 2
                   and np.ptp(pair, axis=0).all() else 0.0)
        lo, hi = mover_limits(args[0], args[1], args[2], args[3], args[4], args[5], rho)
        lower[i], upper[i] = (np.exp(lo), np.exp(hi)) if kind == "_ratio" else (lo, hi)
    return (lower, upper, [n for n, p in zip(names, pct, strict=True) if p],
            [n for n, p in zip(names, sparse, strict=True) if p])


MEASURE_TEXT = {
    "continuous": "weighted mean of the outcome per cohort and their difference (treated "
                  "minus control)",
    "binary": "weighted proportion with the outcome per cohort (risk), the risk difference "
              "(treated minus control) and the risk ratio"}


def _check_time_to_event(df: pd.DataFrame, duration: str, event: str) -> None:
    """Clear errors for a missing or non-numeric duration/event column."""
    try:
        check_columns(df, [duration, event])
    except ValueError as err:
        raise ValueError(f"compare_outcomes: {err}. For a time-to-event comparison pass the "
                         "duration= and event= columns; for a continuous or binary outcome "
                         "(hours worked, earnings, in work yes/no) pass outcome='column'") \
            from err
    for col in (duration, event):
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            if col == event and pd.api.types.is_bool_dtype(df[col]):
                continue
            raise ValueError(f"compare_outcomes: column {col!r} must be numeric (duration in "
                             f"days/weeks/months, event codes 0/1/2), got dtype "
                             f"{df[col].dtype}")


def _check_horizons(df: pd.DataFrame, treatment: str, treated: Any, time: np.ndarray,
                    t: np.ndarray, w: np.ndarray, horizons_months: Sequence[float],
                    tau_months: float, unit: str) -> None:
    """A horizon beyond a cohort's last follow-up time has no estimate: say so, instead of
    returning NaN."""
    per_month = float(months_to(1.0, unit=unit))  # for the message only
    labels = {1: "treated" if treated is None else str(treated),
              0: control_level(df, treatment, treated)}
    wanted = [(f"horizon {float(hm):g} months", float(hm)) for hm in horizons_months]
    wanted.append((f"tau_months = {float(tau_months):g}", float(tau_months)))
    for g in (1, 0):
        sel = (t == g) & (w > 0)
        if not sel.any():
            continue
        last = float(time[sel].max())
        for what, hm in wanted:
            if beyond_follow_up(float(months_to(hm, unit=unit)), last):  # effect_kernel's NaN
                raise ValueError(
                    f"compare_outcomes: {what} lies beyond the follow-up of {labels[g]} "
                    f"(last follow-up time {last:g} {unit} = {last / per_month:.1f} months); "
                    "nothing can be estimated there. Choose horizons_months and tau_months "
                    f"up to {last / per_month:.1f} months")


def _describe_rare(rare: list[tuple[str, str, int, int]]) -> str:
    return "; ".join(f"{c} = {lv} ({n1} treated, {n0} control)" for c, lv, n1, n0 in rare)


def _separation_text(separation: str, rare: list[tuple[str, str, int, int]],
                     merged: dict[str, dict[str, str]], covariates: Sequence[str] | None,
                     prop: PropensityResult | None, firth_reps: int, n_boot: int) -> str:
    if covariates is None:
        return ""
    if separation == "auto":
        full = prop is not None and prop.attrs.get("fitted_by") == "firth"
        return ("Propensity models by maximum likelihood, with Firth's penalised likelihood "
                "where maximum likelihood has no finite estimate: "
                + ("the full data" if full else "not the full data")
                + (f", {firth_reps} of {n_boot} bootstrap replicates" if n_boot else "")
                + (f"; levels with fewer than {MIN_LEVEL_COUNT} people in a cohort: "
                   f"{_describe_rare(rare)}" if rare else "") + ".")
    if separation == "firth":
        return ("Propensity models (full data and every replicate) fitted by Firth's penalised "
                "likelihood" + (f"; levels with fewer than {MIN_LEVEL_COUNT} people in a "
                                f"cohort: {_describe_rare(rare)}" if rare else "") + ".")
    if separation == "collapse":
        if not merged:
            return f"No level had fewer than {MIN_LEVEL_COUNT} people in a cohort: none merged."
        parts = [f"{c}: " + ", ".join(f"{a} -> {b}" for a, b in m.items())
                 + ("" if c in covariates else f" (then one level: {c} left out)")
                 for c, m in merged.items()]
        return (f"Levels with fewer than {MIN_LEVEL_COUNT} people in a cohort merged before "
                f"fitting ({_describe_rare(rare)}): " + "; ".join(parts) + ".")
    return ""


def _failure_message(failed: int, n_boot: int, max_failed: float,
                     rare: list[tuple[str, str, int, int]], separation: str) -> str:
    cause = (f"the likely cause is separation by rare covariate levels ({_describe_rare(rare)}):"
             " a resample of a cohort that misses such a level cannot fit the propensity model"
             if rare else "the propensity model could not be fitted in these resamples "
             "(separation or no convergence)")
    fix = ("pass separation='auto' (Firth's penalty where maximum likelihood fails), "
           "'firth' or 'collapse' (merge rare levels), merge the levels yourself"
           if separation == "error" else "merge levels or simplify the propensity model")
    return (f"compare_outcomes: {failed} of {n_boot} bootstrap replicates "
            f"({100 * failed / n_boot:.1f} %) failed, more than max_failed = "
            f"{100 * max_failed:g} %; {cause}. Intervals from the remaining replicates would "
            f"come from a biased subset of resamples. To proceed, {fix}, or raise max_failed "
            "knowingly.")
