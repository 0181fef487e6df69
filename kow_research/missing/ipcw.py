r"""Inverse probability of censoring weights (IPCW) for loss to follow-up.

Kaplan–Meier and Aalen–Johansen assume that censoring is independent of the event given
nothing: people lost to follow-up are like those who stay. When loss to follow-up depends on
baseline characteristics that also predict the event, the people who remain are a selected
group. Weighting each person, at every time :math:`t`, by the inverse of their probability
of still being uncensored, :math:`1/K(t^- \mid Z_i)`, restores the population that would
have been seen without censoring (Robins & Finkelstein 2000), provided censoring depends only
on the modelled covariates :math:`Z`. Because the weights change over time, each person's
follow-up is split at the times where :math:`K` steps; the split data go to
:func:`kow_research.survival.kaplan_meier` / :func:`kow_research.survival.cumulative_incidence`
with late entry (``entry=``) and ``weights=``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from kow_research.core.checks import check_alpha, check_choice, check_columns
from kow_research.core.results import Result, new_axes, result_class
from kow_research.data.labels import check_language, text
from kow_research.survival import cox, cumulative_incidence, kaplan_meier
from kow_research.survival._input import groups as group_masks
from kow_research.survival._input import prepare
from kow_research.survival.design import design_matrix
from kow_research.survival.kernels import risk_sets
from kow_research.survival.results import CurveResult

KINDS = ("cumulative_incidence", "survival")
#: columns added to the split data
ENTRY, WEIGHT, ID = "entry", "ipcw_weight", ".id"
SE_NOTE = ("point estimates with inverse probability of censoring weights; the SEs of this "
           "curve treat the split intervals as independent people and the weights as known: "
           "use ipcw_curves(..., n_boot=...) for intervals")


def _baseline(time: np.ndarray, censored: np.ndarray, eta: np.ndarray, cuts: np.ndarray
              ) -> np.ndarray:
    """Breslow cumulative baseline hazard of censoring at ``cuts`` (-log K = H0 e^eta)."""
    r = risk_sets(time, censored.astype(np.int64), np.exp(eta), (1,))
    d = risk_sets(time, censored.astype(np.int64), np.ones(len(time)), (1,)).events_of(1)
    h0 = np.cumsum(np.divide(d, r.at_risk, out=np.zeros_like(d), where=r.at_risk > 0))
    return h0[np.searchsorted(r.time, cuts, side="right") - 1]


@result_class
class IPCWResult(Result):
    """Follow-up split at the steps of the censoring distribution, with time-varying weights.

    Attributes
    ----------
    intervals : DataFrame
        One row per person and interval ``(entry, duration]``: every column of the input,
        ``duration`` the end of the interval, ``event`` the person's event code on the last
        interval and 0 before, ``entry`` the start, ``ipcw_weight`` the weight
        :math:`\\hat K_0(\\text{entry})/\\hat K(\\text{entry} \\mid Z_i)` (stabilised) or
        :math:`1/\\hat K(\\text{entry} \\mid Z_i)`, and ``.id`` the input's row label.
    weights : DataFrame
        Distribution of the weights over the intervals (``n_people, n_intervals, mean, sd,
        min, p1, median, p99, max, n_truncated``). ``to_frame()`` returns it.
    model : DataFrame
        The censoring model's coefficient table (hazard ratios of being censored).
    duration, event : str
        The names of the time and event columns (in ``intervals`` too).
    """

    intervals: pd.DataFrame
    weights: pd.DataFrame
    model: pd.DataFrame
    duration: str
    event: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        w = self.weights.iloc[0]
        return (f"IPCW (Cox censoring model"
                f"{', stabilised' if self.attrs.get('stabilize') else ''}): "
                f"{int(w['n_people'])} people in {int(w['n_intervals'])} intervals, weights "
                f"{w['min']:.3g} to {w['max']:.3g}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("weights", self.weights), ("model", self.model)]

    def kaplan_meier(self, **kwargs: Any) -> CurveResult:
        """:func:`kow_research.survival.kaplan_meier` of the weighted split data (keywords such
        as ``cause``, ``by``, ``alpha`` are passed on). The SEs are not valid: see
        :func:`ipcw_curves`."""
        res = kaplan_meier(self.intervals, duration=self.duration, event=self.event,
                           entry=ENTRY, weights=WEIGHT, **kwargs)
        res.attrs["note"] = SE_NOTE
        return res

    def cumulative_incidence(self, **kwargs: Any) -> CurveResult:
        """:func:`kow_research.survival.cumulative_incidence` of the weighted split data
        (keywords passed on). The SEs are not valid: see :func:`ipcw_curves`."""
        res = cumulative_incidence(self.intervals, duration=self.duration, event=self.event,
                                   entry=ENTRY, weights=WEIGHT, **kwargs)
        res.attrs["note"] = SE_NOTE
        return res

    def plot(self, ax: Any = None, *, language: str = "en", **kwargs: Any) -> Any:
        """Histogram of the weights over the intervals (log scale of counts).

        A diagnostic for the analyst: its bars count person-intervals, however few, so it
        is not a figure for a report.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when None).
        language : {"en", "nl"}, default "en"
            Language of the axis labels.
        **kwargs : dict, optional
            ``bins`` (default 40) and keywords passed to ``Axes.hist``.

        Returns
        -------
        matplotlib.axes.Axes
        """
        lang = check_language(language)
        ax = new_axes(ax)
        ax.hist(self.intervals[WEIGHT], bins=kwargs.pop("bins", 40),
                **{"color": "0.4", **kwargs})
        ax.set_yscale("log")
        ax.set_xlabel(text("ipcw_weight", lang))
        ax.set_ylabel(text("ipcw_intervals", lang))
        return ax


def ipcw_weights(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
                 covariates: Sequence[str], stabilize: bool = True,
                 truncate: tuple[float, float] | None = None,
                 reference: Mapping[str, Any] | None = None) -> IPCWResult:
    r"""Inverse probability of censoring weights from a model of the censoring hazard given
    baseline covariates, on follow-up split where the weights change.

    The censoring hazard is :math:`\lambda_C(t \mid Z) =
    \lambda_{C0}(t) e^{\gamma' Z}` (event code 0 is the "event"; every other code ends
    follow-up without censoring), :math:`\hat K(t \mid Z) = \exp\{-\hat\Lambda_{C0}(t)
    e^{\hat\gamma' Z}\}` with the Breslow baseline, and follow-up is split at every
    censoring time (the baseline is left free, so no time axis has to be chosen, as it
    would for a pooled logistic model on person-periods). In the interval
    starting at :math:`s` a person's weight is

    .. math::

        w_i(s) = \frac{\hat K_0(s)}{\hat K(s \mid Z_i)}\quad\text{(stabilised)}
        \qquad\text{or}\qquad \frac{1}{\hat K(s \mid Z_i)},

    :math:`\hat K_0` the same model without covariates; an event at :math:`t` is weighted by
    :math:`1/\hat K(t^-)`. Stabilising leaves Kaplan–Meier and Aalen–Johansen estimates
    unchanged (a common factor per time) and tames the weights of regression models.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Event codes: 0 censored (lost to follow-up or administratively), 1, 2, ... events.
    covariates : sequence of str
        Baseline columns the censoring may depend on (no missing values).
    stabilize : bool, default True
        Multiply by the marginal :math:`\hat K_0`.
    truncate : (float, float), optional
        Percentiles (e.g. ``(1, 99)``) of the interval weights at which they are capped.
    reference : mapping, optional
        Reference level per categorical covariate.

    Returns
    -------
    IPCWResult
        ``intervals`` (split data with ``entry`` and ``ipcw_weight``), ``weights``
        (distribution), ``model`` (censoring model), and ``kaplan_meier()`` /
        ``cumulative_incidence()`` of the weighted data.

    Raises
    ------
    ValueError
        Unknown columns or choices, missing covariates, columns ``entry``/``ipcw_weight``
        already present.

    References
    ----------
    .. [1] Robins JM, Finkelstein DM. Correcting for noncompliance and dependent censoring in
       an AIDS clinical trial with inverse probability of censoring weighted (IPCW) log-rank
       tests. Biometrics 2000;56:779-788.
    .. [2] Howe CJ, Cole SR, Chmiel JS, Muñoz A. Limitation of inverse probability-of-
       censoring weights in estimating survival in the presence of strong selection bias.
       Am J Epidemiol 2011;173:569-577.
    .. [3] Willems S, Schat A, van Noorden MS, Fiocco M. Correcting for dependent censoring in
       routine outcome monitoring data by applying the inverse probability censoring weighted
       estimator. Stat Methods Med Res 2018;27:323-335.

    Examples
    --------
    Censorings at 2 (``x = 1``) and 4 (``x = 0``). The Cox model of censoring has the score
    :math:`2/(3e^\gamma + 2) - e^\gamma/(2 + e^\gamma)`, zero at :math:`e^\gamma = 2/\sqrt3
    = 1.1547`; at time 2 the Breslow hazard of censoring is :math:`e^\gamma/(3e^\gamma + 2)
    = 0.21132` for ``x = 1`` against 1/5 marginally, so after 2 the stabilised weight of
    people with ``x = 1`` is :math:`e^{0.21132 - 0.2} = 1.0114`. Follow-up is split at the
    censoring times before each person's own time: 1 + 1 + 2 + 2 + 3 + 3 = 12 intervals.

    >>> d = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6], "event": [1, 0, 1, 0, 1, 1],
    ...                   "x": [0, 1, 1, 0, 0, 1]})
    >>> w = ipcw_weights(d, covariates=["x"])
    >>> round(float(w.model.loc["x", "hr"]), 4), len(w.intervals)
    (1.1547, 12)
    >>> w.intervals.loc[w.intervals[".id"] == 2, ["entry", "time", "ipcw_weight"]].round(4)
       entry  time  ipcw_weight
    2    0.0   2.0       1.0000
    3    2.0   3.0       1.0114
    >>> round(float(w.kaplan_meier().at([1])["estimate"].iloc[0]), 4)  # before any censoring
    0.8333
    """
    check_columns(df, [duration, event, *covariates])
    clash = [c for c in (ENTRY, WEIGHT, ID) if c in df.columns]
    if clash:
        raise ValueError(f"columns {clash} are added by ipcw_weights; rename them first")
    data = prepare(df, duration, event)
    time, censored = data.time, data.event == 0
    if censored.any() and censored[time == time.max()].all():
        # everyone still followed at the last time is censored there (a common end of
        # follow-up): those censorings carry no information on the covariates (in the exact
        # partial likelihood the whole risk set "fails"), while Breslow or Efron would pull
        # the coefficients towards 0; they are left out of the censoring model
        censored = censored & (time < time.max())
    dm = design_matrix(df, covariates, reference=reference)
    if not censored.any():
        cuts = h0 = h0_marginal = np.empty(0)
        eta = np.zeros(len(time))
        coef = pd.DataFrame()
    else:
        work = df[list(covariates)].reset_index(drop=True)
        work[duration] = time
        work["_censored"] = censored.astype(int)
        fit = cox(work, duration=duration, event="_censored", covariates=covariates, cause=1,
                  ties="efron", reference=reference)
        eta = dm.x @ fit.coef.loc[dm.names, "coef"].to_numpy(float)
        cuts = np.unique(time[censored])
        h0 = _baseline(time, censored, eta, cuts)
        h0_marginal = _baseline(time, censored, np.zeros(len(time)), cuts)
        coef = fit.coef
    intervals, w, n_trunc = _split(df, time, data.event, cuts, h0, eta,
                                   h0_marginal if stabilize else None, truncate, duration,
                                   event)
    weights = pd.DataFrame([{
        "n_people": len(df), "n_intervals": len(intervals), "mean": w.mean(),
        "sd": w.std(ddof=1) if len(w) > 1 else 0.0, "min": w.min(),
        "p1": np.percentile(w, 1), "median": np.median(w), "p99": np.percentile(w, 99),
        "max": w.max(), "n_truncated": n_trunc}])
    attrs = {"model": "cox", "stabilize": stabilize, "truncate": truncate,
             "covariates": list(covariates),
             "note": ("inverse probability of censoring weights: censoring (event code 0) "
                      "modelled by a Cox model of "
                      f" {', '.join(covariates)}; valid if loss "
                      "to follow-up depends on nothing else that predicts the outcome")}
    return IPCWResult(intervals=intervals, weights=weights, model=coef, duration=duration,
                      event=event, attrs=attrs)


def _split(df: pd.DataFrame, time: np.ndarray, ev: np.ndarray, cuts: np.ndarray,
           h0: np.ndarray, eta: np.ndarray, h0_marginal: np.ndarray | None,
           truncate: tuple[float, float] | None, duration: str, event: str
           ) -> tuple[pd.DataFrame, np.ndarray, int]:
    n = len(time)
    below = np.searchsorted(cuts, time, side="left")          # cuts strictly before T_i
    reps = below + 1
    person = np.repeat(np.arange(n), reps)
    first = np.repeat(np.cumsum(reps) - reps, reps)
    r = np.arange(len(person)) - first                         # interval number of the row
    starts = np.r_[0.0, cuts]
    entry = starts[r]
    last = r == below[person]
    stop = np.where(last, time[person], np.r_[cuts, np.inf][r])
    at = np.r_[0.0, h0][r]                     # H0 at the start of the row's interval
    log_w = at * np.exp(eta[person])           # -log K(entry | Z)
    if h0_marginal is not None:
        log_w = log_w - np.r_[0.0, h0_marginal][r]
    w = np.exp(log_w)
    n_trunc = 0
    if truncate is not None:
        lo, hi = truncate
        if not 0 <= lo < hi <= 100:
            raise ValueError(f"truncate must be percentiles (lo, hi) with 0 <= lo < hi <= 100, "
                             f"got {truncate!r}")
        a, b = np.percentile(w, [lo, hi])
        n_trunc = int(((w < a) | (w > b)).sum())
        w = np.clip(w, a, b)
    out = df.iloc[person].reset_index(drop=True)
    out.insert(0, ID, df.index.to_numpy()[person])
    out[duration] = stop
    out[event] = np.where(last, ev[person], 0)
    out[ENTRY] = entry
    out[WEIGHT] = w
    return out, w, n_trunc


@result_class
class IPCWCurves(Result):
    """Naive and censoring-weighted curves at fixed times, with bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        Per time (and group): ``naive`` (unweighted Kaplan–Meier or Aalen–Johansen),
        ``estimate`` (IPCW), ``difference`` (IPCW minus naive), ``se`` (SD of the bootstrap
        replicates of the IPCW estimate) and percentile ``lower``/``upper``.
        ``to_frame()`` returns it.
    weights : IPCWResult
        The weights of the full data.
    kind : str
        ``"cumulative_incidence"`` or ``"survival"``.
    n_boot, n_failed : int
        Replicates drawn and replicates whose censoring model could not be fitted (left out).
    alpha : float
    """

    table: pd.DataFrame
    weights: IPCWResult
    kind: str
    n_boot: int
    n_failed: int
    alpha: float
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"{self.kind.replace('_', ' ')} with inverse probability of censoring weights "
                f"vs naive, {self.n_boot} bootstrap replicates ({self.n_failed} failed)")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table), ("weights", self.weights.weights)]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """IPCW estimates with their intervals and the naive estimates, against time.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = new_axes(ax)
        t = self.table
        groups = [(g, t[t["group"] == g]) for g in pd.unique(t["group"])] if "group" in t \
            else [("", t)]
        for g, part in groups:
            label = f"{g} " if g != "" else ""
            time, est = part["time"].to_numpy(float), part["estimate"].to_numpy(float)
            err = np.vstack([est - part["lower"].to_numpy(float),
                             part["upper"].to_numpy(float) - est])
            line = ax.errorbar(time, est, yerr=np.where(np.isfinite(err), err, 0.0),
                               fmt="o-", capsize=3, label=f"{label}IPCW", **kwargs)
            ax.plot(time, part["naive"].to_numpy(float), "x--", color=line[0].get_color(),
                    label=f"{label}naive")
        ax.set_xlabel("time")
        ax.set_ylabel(self.kind.replace("_", " "))
        ax.legend(frameon=False)
        return ax


def _points(df: pd.DataFrame, opts: dict[str, Any], times: np.ndarray, weighted: bool
            ) -> np.ndarray:
    curve_opts = {"cause": opts["cause"], "by": opts["by"]}
    if weighted:
        w = ipcw_weights(df, duration=opts["duration"], event=opts["event"],
                         covariates=opts["covariates"],
                         stabilize=opts["stabilize"], truncate=opts["truncate"],
                         reference=opts["reference"])
        curve = (w.cumulative_incidence(**curve_opts) if opts["kind"] == KINDS[0]
                 else w.kaplan_meier(**curve_opts))
    else:
        fn = cumulative_incidence if opts["kind"] == KINDS[0] else kaplan_meier
        curve = fn(df, duration=opts["duration"], event=opts["event"], **curve_opts)
    return curve.at(times)["estimate"].to_numpy(float)


def _boot(df: pd.DataFrame, opts: dict[str, Any], times: np.ndarray,
          seed: np.random.SeedSequence, n: int, strata: list[np.ndarray], width: int
          ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.full((n, width), np.nan)
    for b in range(n):
        idx = np.concatenate([rng.choice(s, len(s)) for s in strata])
        try:
            out[b] = _points(df.iloc[idx].reset_index(drop=True), opts, times, True)
        except (ValueError, np.linalg.LinAlgError):  # censoring model not estimable here
            continue                                 # (counted as failed)
    return out


def ipcw_curves(df: pd.DataFrame, *, duration: str = "time", event: str = "event",
                covariates: Sequence[str], times: Sequence[float], cause: int = 1,
                by: str | None = None, kind: str = "cumulative_incidence",
                stabilize: bool = True, truncate: tuple[float, float] | None = None,
                n_boot: int = 200, seed: int | None = None, alpha: float = 0.05,
                reference: Mapping[str, Any] | None = None, n_jobs: int = 1,
                max_failed: float = 0.05) -> IPCWCurves:
    r"""Cumulative incidence (or survival) at ``times`` with and without inverse probability
    of censoring weights: the sensitivity of the curves to loss to follow-up that depends on
    baseline covariates.

    The weighted estimate is the Aalen–Johansen (Kaplan–Meier) estimator of the split data of
    :func:`ipcw_weights`,

    .. math::

        \hat F_k(t) = \sum_{t_j \le t} \hat S(t_{j-1})
        rac{\sum_i w_i(t_j) dN_{ki}(t_j)}{\sum_i w_i(t_j) Y_i(t_j)},

    and its interval is a percentile bootstrap over people (within ``by`` groups) that
    re-fits the censoring model in every replicate, so it includes the uncertainty of the
    weights.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration : str, default "time"
        Column of follow-up times.
    event : str, default "event"
        Event codes: 0 censored, 1, 2, ... events (others than ``cause`` compete).
    covariates : sequence of str
        Baseline columns of the censoring model.
    times : sequence of float
        Times (in the unit of ``duration``) at which the curves are compared.
    cause : int, default 1
        The event of interest.
    by : str, optional
        Group column (e.g. ``cohort``): curves per group, resampling within groups.
    kind : {"cumulative_incidence", "survival"}, default "cumulative_incidence"
        Aalen–Johansen incidence of ``cause`` or Kaplan–Meier survival from it.
    stabilize : bool, default True
        Stabilised weights (see :func:`ipcw_weights`).
    truncate : (float, float), optional
        Percentiles at which the weights are capped.
    n_boot : int, default 200
        Bootstrap replicates (0: point estimates only).
    seed : int, optional
        Seed of the replicates (same seed, same result for any ``n_jobs``).
    alpha : float, default 0.05
        1 - confidence level.
    reference : mapping, optional
        Reference level per categorical covariate.
    n_jobs : int, default 1
        Replicates run in parallel with joblib.
    max_failed : float, default 0.05
        Largest fraction of failed replicates accepted; more raises.

    Returns
    -------
    IPCWCurves
        ``table`` (``naive``, ``estimate``, ``difference``, ``se``, ``lower``, ``upper``),
        ``weights`` (the full-data :class:`IPCWResult`), ``n_failed``.

    Raises
    ------
    ValueError
        Unknown columns or choices, or more than ``max_failed`` of the replicates failed.

    References
    ----------
    .. [1] Robins JM, Finkelstein DM. Biometrics 2000;56:779-788.
    .. [2] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall 1993.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(0, 2, 200)
    >>> t_event = rng.exponential(10 / np.exp(x))
    >>> t_cens = rng.exponential(10 / np.exp(1.5 * x))
    >>> d = pd.DataFrame({"time": np.minimum(t_event, t_cens).round(2) + 0.01,
    ...                   "event": (t_event <= t_cens).astype(int), "x": x})
    >>> res = ipcw_curves(d, covariates=["x"], times=[5], n_boot=20, seed=1)
    >>> res.table[["naive", "estimate"]].round(3).values.tolist()
    [[0.495, 0.513]]
    """
    check_choice("kind", kind, KINDS)
    alpha = check_alpha(alpha)
    check_columns(df, [duration, event, by, *covariates])
    t = np.asarray(times, dtype=float)
    opts = {"duration": duration, "event": event, "covariates": list(covariates),
            "cause": cause, "by": by, "kind": kind, "stabilize": stabilize,
            "truncate": truncate, "reference": reference}
    work = df.reset_index(drop=True)
    naive = _points(work, opts, t, False)
    point = _points(work, opts, t, True)
    full = ipcw_weights(work, duration=duration, event=event, covariates=covariates,
                        stabilize=stabilize, truncate=truncate, reference=reference)
    strata = [np.flatnonzero(mask) for _, mask in group_masks(work, by)]
    reps = np.empty((0, len(point)))
    if n_boot > 0:
        chunks = [min(25, n_boot - s) for s in range(0, n_boot, 25)]
        seqs = np.random.SeedSequence(seed).spawn(len(chunks))
        parts = Parallel(n_jobs=n_jobs)(delayed(_boot)(work, opts, t, sq, k, strata,
                                                       len(point))
                                        for sq, k in zip(seqs, chunks, strict=True))
        reps = np.vstack(parts)
    failed = int(np.isnan(reps).all(axis=1).sum()) if n_boot else 0
    if n_boot and failed > max_failed * n_boot:
        raise ValueError(f"{failed} of {n_boot} bootstrap replicates failed (censoring model "
                         "not estimable in the resample); simplify the censoring model")
    ok = reps[~np.isnan(reps).all(axis=1)]
    if len(ok) > 1:
        se = np.nanstd(ok, axis=0, ddof=1)
        lo, hi = np.nanquantile(ok, [alpha / 2, 1 - alpha / 2], axis=0)
    else:
        se = lo = hi = np.full(len(point), np.nan)
    labels = [g for g, _ in group_masks(work, by)]
    table = pd.DataFrame({"time": np.tile(t, len(labels)), "naive": naive, "estimate": point,
                          "difference": point - naive, "se": se, "lower": lo, "upper": hi})
    if by is not None:
        table.insert(0, "group", np.repeat(labels, len(t)))
    attrs = {**full.attrs, "kind": kind, "cause": cause, "by": by, "n_boot": n_boot,
             "seed": seed, "interval": "percentile bootstrap over people (weights re-fitted)"}
    return IPCWCurves(table=table, weights=full, kind=kind, n_boot=n_boot, n_failed=failed,
                      alpha=alpha, attrs=attrs)
