"""Cox model for counting-process ``(start, stop]`` data — time-varying exposures such as
attendance — fitted with lifelines' ``CoxTimeVaryingFitter`` behind our own result object, and
the helper that builds such data from a person-level frame and a table of exposure changes."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core import (
    CallableTable,
    Result,
    check_alpha,
    check_choice,
    check_columns,
    result_class,
    row_labels,
)
from kow_research.survival._input import result_attrs, weights_array
from kow_research.survival.design import (
    COEF_COLUMNS,
    coefficient_table,
    design_matrix,
    newton_raphson,
)
from kow_research.survival.partial_likelihood import (
    Partial,
    interval_moments,
    interval_score_residuals,
    moments_by_time,
    partial,
)


@result_class
class TimeVaryingCoxResult(Result):
    """A Cox model fitted to counting-process data (one row per person-interval).

    Attributes
    ----------
    coefficients : DataFrame
        Indexed by ``term``: ``coef, se, z, p, estimate, lower, upper, scale, hr`` with
        ``estimate = exp(coef)`` (the hazard ratio), ``lower``/``upper`` its Wald interval on
        the same scale, ``scale = "hazard ratio"`` and ``hr`` a legacy alias of ``estimate``.
        ``summary`` is the same table; calling it (``fit.summary()``) gives the formatted
        summary.
    vcov : DataFrame
        Covariance of the coefficients (model-based or robust, see ``attrs["variance"]``).
    n, n_intervals, n_events : int
        People (distinct ids), rows, and events of ``cause``.
    loglik, loglik_null : float
        Log partial likelihood at the estimate and at zero.
    alpha : float
        1 - confidence level.
    cause : int
        Event code modelled; other codes are censored.
    ties : str
        Always ``"efron"``.
    attrs : dict
        Model description, ties, cause, variance, engine, and the outcome definition carried
        by the input frame.
    """

    coefficients: pd.DataFrame
    vcov: pd.DataFrame
    n: int
    n_intervals: int
    n_events: int
    loglik: float
    loglik_null: float
    alpha: float
    cause: int
    ties: str
    attrs: dict[str, Any]

    @property
    def summary(self) -> CallableTable:  # type: ignore[override]
        """The coefficient table; called, the formatted summary (as every regression result)."""
        return CallableTable.of(self.coefficients, functools.partial(Result.summary, self))

    def _describe(self) -> str:
        return (f"time-varying Cox, cause {self.cause} (ties={self.ties}): {self.n} people, "
                f"{self.n_intervals} intervals, {self.n_events} events")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("coefficients", self.coefficients)]

    def _notes(self) -> list[str]:
        notes = super()._notes()
        notes.append(f"{self.attrs['variance']} variance; log partial likelihood "
                     f"{self.loglik:.4f} (null {self.loglik_null:.4f})")
        return notes


def _numeric(df: pd.DataFrame, col: str) -> np.ndarray:
    v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        raise ValueError(f"{col}: missing or non-finite values in rows {row_labels(bad, df.index)}")
    return v


def _event_codes(df: pd.DataFrame, col: str) -> np.ndarray:
    raw = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(raw) | (raw != np.round(raw)) | (raw < 0)
    if bad.any():
        raise ValueError(f"{col}: event codes must be integers ≥ 0 (0 = censored); rows "
                         f"{row_labels(bad, df.index)}")
    return raw.astype(np.int64)


def check_intervals(df: pd.DataFrame, ids: np.ndarray, start: np.ndarray, stop: np.ndarray,
                    id_name: str, start_name: str, stop_name: str) -> None:
    """Raise naming the rows where ``start >= stop`` or where two intervals of one id
    overlap (touching, ``stop`` of one equal to ``start`` of the next, is allowed)."""
    bad = start >= stop
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{start_name} must be < {stop_name} in every row; rows "
                         f"{row_labels(bad, df.index)} (first: {start_name}={start[j]:g}, "
                         f"{stop_name}={stop[j]:g}). An interval (a, b] needs a < b: drop "
                         "empty intervals or give events at time 0 a small positive time")
    order = np.lexsort((start, pd.factorize(ids)[0]))
    same = ids[order][1:] == ids[order][:-1]
    overlap = same & (start[order][1:] < stop[order][:-1])
    if overlap.any():
        k = int(np.flatnonzero(overlap)[0])
        a, b = order[k], order[k + 1]
        more = int(overlap.sum()) - 1
        raise ValueError(
            f"{id_name} {ids[a]!r}: intervals overlap — row {df.index[a]} "
            f"({start[a]:g}, {stop[a]:g}] and row {df.index[b]} ({start[b]:g}, {stop[b]:g}]"
            + (f" (and {more} more overlaps)" if more else "")
            + "; each person's intervals must be disjoint (one row per person-interval)")


def _efron(x: np.ndarray, w: np.ndarray, beta: np.ndarray, lo: np.ndarray, hi: np.ndarray,
           jd: np.ndarray, dead: np.ndarray, m: int) -> Partial:
    """Efron log partial likelihood, score and information at the ``m`` event times from the
    kernel layer's interval risk sets: a row is at risk at the event times ``lo <= j < hi``;
    a dead row dies at ``jd``."""
    p = x.shape[1]
    eta = x @ beta
    r = w * np.exp(eta)
    xx = x[:, :, None] * x[:, None, :]
    risk = interval_moments(lo, hi, m, r, x, xx)
    tied = moments_by_time(jd[dead], m, r[dead], x[dead], xx[dead])
    nd = np.bincount(jd[dead], minlength=m).astype(float)
    dw = np.bincount(jd[dead], weights=w[dead], minlength=m)
    xsum = moments_by_time(jd[dead], m, w[dead], x[dead], xx[dead]).s1 if p else np.zeros((m, 0))
    etas = np.bincount(jd[dead], weights=(w * eta)[dead], minlength=m)
    return partial(risk, tied, nd, dw, xsum, etas, efron=True)


def cox_time_varying(df: pd.DataFrame, *, id: str = "participant_id", start: str = "start",
                     stop: str = "stop", event: str = "event", covariates: Sequence[str] = (),
                     cause: int = 1, weights: str | Sequence[float] | np.ndarray | None = None,
                     ties: str = "efron", alpha: float = 0.05,
                     robust: bool | None = None,
                     reference: Mapping[str, Any] | None = None) -> TimeVaryingCoxResult:
    r"""Cox model for counting-process data: covariates that change over follow-up.

    Each row is a person-interval :math:`(a_{ik}, b_{ik}]` over which person :math:`i`'s
    covariates :math:`x_{ik}` are constant (Andersen & Gill 1982); the event (code ``cause``)
    is recorded on the interval it ends. The hazard is

    .. math::

        \lambda_i(t) = \lambda_0(t) \exp\{\beta' x_i(t)\},

    and :math:`\beta` maximises the weighted partial likelihood with Efron's handling of ties,

    .. math::

        \ell(\beta) = \sum_j \Bigl[\sum_{i \in D_j} w_i \beta' x_i(t_j) - \bar w_j
        \sum_{r=0}^{d_j - 1} \log\Bigl(\sum_{i \in R_j} w_i e^{\beta' x_i(t_j)}
        - \tfrac{r}{d_j} \sum_{i \in D_j} w_i e^{\beta' x_i(t_j)}\Bigr)\Bigr],

    where the risk set :math:`R_j` holds the rows with :math:`a < t_j \le b`, :math:`D_j` the
    :math:`d_j` events at :math:`t_j` and :math:`\bar w_j` their mean weight. lifelines'
    ``CoxTimeVaryingFitter`` finds :math:`\hat\beta`; the information matrix, the log partial
    likelihood and (when needed) a final Newton step are then evaluated at :math:`\hat\beta`
    with the package's own Efron kernel, so coefficients and SEs match R to better than 1e-9.
    Model-based variance :math:`I^{-1}`; the robust variance is
    :math:`I^{-1} \bigl(\sum_c U_c U_c'\bigr) I^{-1}` with :math:`U_c` the sum over person
    :math:`c`'s rows of weighted Efron score residuals, as R
    ``coxph(Surv(start, stop, event) ~ ..., id = id, robust = TRUE)``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person-interval (see :func:`expand_time_varying` to build it).
    id : str, default "participant_id"
        Column identifying the person; each person's intervals must not overlap.
    start, stop : str, default "start", "stop"
        Interval ends; ``start < stop`` in every row.
    event : str, default "event"
        0 = censored, 1, 2, ... = causes; other codes than ``cause`` are censored
        (cause-specific hazard).
    covariates : sequence of str
        Numeric or boolean columns enter as they are; text and categorical columns as 0/1
        indicators against their first level. Missing values raise.
    cause : int, default 1
        The event code modelled.
    weights : str or array_like, optional
        Case weights (> 0), a column name or one value per row.
    ties : {"efron"}
        The only method lifelines' time-varying fitter offers.
    alpha : float, default 0.05
        1 - confidence level of the intervals.
    robust : bool, optional
        Robust (sandwich) variance clustered by ``id``. Default: robust when ``weights`` are
        given (as :func:`kow_research.survival.cox`; R's ``coxph`` does so for non-integer
        weights) or when some person has more than one event (as ``coxph`` with ``id``).
    reference : mapping, optional
        Reference level per categorical covariate (see
        :func:`kow_research.survival.design.design_matrix`).

    Returns
    -------
    TimeVaryingCoxResult

    Raises
    ------
    ValueError
        Missing columns or values, ``start >= stop``, overlapping intervals within an id
        (naming the id and rows), bad event codes, no events of ``cause``, a constant
        covariate, or a fit that does not converge.

    See Also
    --------
    expand_time_varying : counting-process rows from a person-level frame and exposure changes.
    kow_research.survival.cox : the same model for covariates fixed at the origin.

    References
    ----------
    Andersen PK, Gill RD (1982). Cox's regression model for counting processes: a large sample
    study. Annals of Statistics 10:1100-1120.
    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model. Springer,
    chapters 3 and 8.
    Kalbfleisch JD, Prentice RL (2002). The Statistical Analysis of Failure Time Data, 2nd ed.
    Wiley, section 6.4.
    Efron B (1977). JASA 72:557-565. Lin DY, Wei LJ (1989). JASA 84:1074-1078.
    lifelines documentation, "Time varying survival regression"
    (``lifelines.CoxTimeVaryingFitter``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({
    ...     "participant_id": ["a", "a", "b", "c", "c", "d", "e", "e", "f"],
    ...     "start": [0, 2, 0, 0, 3, 0, 0, 1, 0],
    ...     "stop": [2, 5, 4, 3, 6, 7, 1, 8, 3],
    ...     "event": [0, 1, 1, 0, 0, 1, 0, 1, 0],
    ...     "attending": [0, 1, 0, 0, 1, 0, 0, 1, 1]})
    >>> fit = cox_time_varying(d, covariates=["attending"])
    >>> fit.summary[["coef", "se", "estimate"]].round(3).loc["attending"].tolist()
    [-1.227, 1.254, 0.293]
    >>> fit.summary.loc["attending", "scale"]
    'hazard ratio'
    >>> fit.n, fit.n_intervals, fit.n_events
    (6, 9, 4)
    """
    alpha = check_alpha(alpha)
    if ties != "efron":
        check_choice("ties", ties, ("efron",))
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("covariates is empty: name at least one column")
    check_columns(df, [id, start, stop, event, weights if isinstance(weights, str) else None])
    check_columns(df, covariates, "covariate")
    if len(df) == 0:
        raise ValueError("the data frame has no rows")
    ids_col = df[id]
    if ids_col.isna().any():
        raise ValueError(f"{id}: missing ids in rows {row_labels(ids_col.isna(), df.index)}")
    ids = ids_col.to_numpy()
    a, b = _numeric(df, start), _numeric(df, stop)
    check_intervals(df, ids, a, b, id, start, stop)
    codes = _event_codes(df, event)
    present = sorted(int(c) for c in np.unique(codes) if c > 0)
    if cause not in present:
        raise ValueError(f"{event}: no events with code {cause}; codes present are {present}. "
                         "Pick a present cause or check the outcome.")
    w = weights_array(df, weights)
    w = np.ones(len(df)) if w is None else w
    for c in covariates:
        miss = df[c].isna().to_numpy()
        if miss.any():
            raise ValueError(f"covariate {c}: {int(miss.sum())} missing values in rows "
                             f"{row_labels(miss, df.index)}; impute or drop those rows "
                             "explicitly first")
    dm = design_matrix(df, covariates, reference=reference)
    x, names = dm.x, dm.names
    dead = codes == cause
    events_per_id = pd.Series(dead).groupby(pd.factorize(ids)[0]).sum()
    robust = bool(weights is not None or (events_per_id > 1).any()) if robust is None \
        else bool(robust)

    beta = _lifelines_fit(ids, a, b, dead, w, x)
    u = np.unique(b[dead])
    m = len(u)
    lo = np.searchsorted(u, a, side="right")
    hi = np.searchsorted(u, b, side="right")
    jd = hi - 1
    # lifelines stops at its own tolerance: finish with the package's Newton (scale-free
    # convergence criterion), from lifelines' estimate
    beta, fit, _ = newton_raphson(lambda b_: _efron(x, w, b_, lo, hi, jd, dead, m), len(beta),
                                  model="time-varying Cox model", start=beta)
    inv = np.linalg.inv(fit.info)
    vcov = inv
    if robust:
        resid = w[:, None] * interval_score_residuals(fit, x, np.exp(x @ beta), dead, lo, hi,
                                                      jd)
        per_id = pd.DataFrame(resid).groupby(pd.factorize(ids)[0]).sum().to_numpy()
        vcov = inv @ (per_id.T @ per_id) @ inv
    null = _efron(x, w, np.zeros_like(beta), lo, hi, jd, dead, m)
    table = coefficient_table(beta, np.sqrt(np.diag(vcov)), names, alpha=alpha,
                              scale="hazard ratio", alias="hr")
    import lifelines

    attrs: dict[str, Any] = {
        **result_attrs(df), "model": "Cox proportional hazards for counting-process "
        "(start, stop] data (Andersen-Gill)", "ties": "efron", "cause": cause,
        "variance": f"robust sandwich clustered by {id}" if robust else "model-based",
        "engine": f"lifelines {lifelines.__version__} CoxTimeVaryingFitter, information and "
                  "final Newton step from kow_research's Efron kernel",
        "weights": weights if isinstance(weights, str) else (None if weights is None
                                                             else "array")}
    if len(present) > 1:
        attrs["note"] = "cause-specific: other causes censored"
    return TimeVaryingCoxResult(
        coefficients=table[[*COEF_COLUMNS, "hr"]], vcov=pd.DataFrame(vcov, index=names, columns=names),
        n=int(len(pd.unique(ids))), n_intervals=int(len(df)), n_events=int(dead.sum()),
        loglik=float(fit.loglik), loglik_null=float(null.loglik), alpha=alpha, cause=cause,
        ties="efron", attrs=attrs)


def _lifelines_fit(ids: np.ndarray, a: np.ndarray, b: np.ndarray, dead: np.ndarray,
                   w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """lifelines' estimate of beta (columns renamed so that no covariate name can clash)."""
    from lifelines import CoxTimeVaryingFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    frame = pd.DataFrame(x, columns=[f"_x{k}" for k in range(x.shape[1])])
    frame["_id"], frame["_start"], frame["_stop"] = pd.factorize(ids)[0], a, b
    frame["_event"], frame["_w"] = dead.astype(int), w
    try:
        with warnings.catch_warnings():
            # its advice goes to the console; non-convergence is checked below instead
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitter = CoxTimeVaryingFitter().fit(
                frame, event_col="_event", start_col="_start", stop_col="_stop",
                weights_col="_w", id_col="_id",
                fit_options={"precision": 1e-10, "r_precision": 1e-13, "max_steps": 100})
    except (ConvergenceError, np.linalg.LinAlgError) as err:
        raise ValueError("the time-varying Cox model did not converge: a covariate is "
                         "probably collinear with others or separates the events (e.g. no "
                         "events in one exposure state); drop or recode it") from err
    beta = fitter.params_.to_numpy(dtype=float)
    if not np.all(np.isfinite(beta)) or np.max(np.abs(beta)) > 30:
        raise ValueError("the time-varying Cox model did not converge (coefficients "
                         "diverge): probably monotone likelihood, e.g. a covariate level "
                         "with no events")
    return beta


def expand_time_varying(df: pd.DataFrame, *, changes: pd.DataFrame,
                        id: str = "participant_id", duration: str = "time",
                        event: str = "event", change_time: str = "time",
                        exposures: Sequence[str] | None = None, count: str | None = None,
                        initial: float | Mapping[str, float] | None = None,
                        start: str = "start", stop: str = "stop") -> pd.DataFrame:
    r"""Counting-process rows from a person-level frame and a long table of exposure changes.

    Person :math:`i` is followed over :math:`(0, T_i]`. Every change time :math:`c` with
    :math:`0 < c < T_i` splits follow-up, giving intervals
    :math:`(0, c_1], (c_1, c_2], \dots, (c_k, T_i]`. A change at :math:`c` holds *from*
    :math:`c` on: it applies to the intervals that start at or after :math:`c`, so at an event
    exactly at :math:`c` the earlier value still applies (as R's ``tmerge``). Changes at or
    before 0 give the value from the start; changes at or after :math:`T_i` fall outside
    follow-up. The event stays on the last interval only; the other columns of ``df`` are
    copied to every interval. When ``df`` already has ``start`` and ``stop`` columns (the
    result of an earlier call) its intervals are split further, so exposures from several
    tables can be added one call at a time.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person with ``id``, ``duration`` (> 0) and ``event`` (0, 1, 2, ...) plus
        baseline covariates; or counting-process rows with ``start`` and ``stop``.
    changes : pandas.DataFrame
        One row per change: ``id``, ``change_time`` (the time scale of ``duration``) and the
        ``exposures`` columns holding the value from that time on. Ids absent from ``df``
        are ignored (their number is in the result's ``attrs``).
    id, duration, event : str
        Column names in ``df`` (``id`` also in ``changes``).
    change_time : str, default "time"
        Column of ``changes`` with the change times.
    exposures : sequence of str, optional
        Value columns of ``changes``; default every column but ``id`` and ``change_time``
        (none when ``count`` is given). Two rows of one person at one time must agree.
    count : str, optional
        Also add a column of this name: the number of rows of ``changes`` at or before each
        interval's start, e.g. sessions attended so far when ``changes`` lists attended
        sessions.
    initial : float or mapping, optional
        Exposure value before a person's first change (one value, or one per exposure). By
        default every person needs a change at or before 0 for every exposure.
    start, stop : str, default "start", "stop"
        Names of the interval columns.

    Returns
    -------
    pandas.DataFrame
        ``id, start, stop, event``, the other columns of ``df``, then ``exposures`` and
        ``count``, in ``df``'s row order and by ``start`` within a row. ``attrs`` keeps
        ``df.attrs`` and adds ``"time_varying"``.

    Raises
    ------
    ValueError
        Missing columns, repeated ids (person form), durations that are not > 0, invalid or
        overlapping intervals, missing change times or values, conflicting values at one
        time, or no value at time 0.

    References
    ----------
    Therneau TM, Crowson C, Atkinson E. Using time dependent covariates and time dependent
    coefficients in the Cox model. Vignette of the R package survival (``tmerge``).
    Therneau TM, Grambsch PM (2000). Modeling Survival Data, section 3.7. Springer.

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": ["a", "b"], "time": [10.0, 4.0],
    ...                        "event": [1, 0]})
    >>> sessions = pd.DataFrame({"participant_id": ["a", "a", "b"], "time": [2.0, 6.0, 5.0]})
    >>> expand_time_varying(people, changes=sessions, count="sessions")
      participant_id  start  stop  event  sessions
    0              a    0.0   2.0      0         0
    1              a    2.0   6.0      0         1
    2              a    6.0  10.0      1         2
    3              b    0.0   4.0      0         0
    """
    intervals = start in df.columns and stop in df.columns
    check_columns(df, [id, event] + ([start, stop] if intervals else [duration]))
    check_columns(changes, [id, change_time], "column of changes")
    if exposures is None:
        exposures = [] if count is not None else [
            c for c in changes.columns if c not in (id, change_time)]
    exposures = [exposures] if isinstance(exposures, str) else list(exposures)
    check_columns(changes, exposures, "exposure column of changes")
    new = [*exposures, count] + ([] if intervals else [start, stop])
    taken = [c for c in new if c is not None and c in df.columns]
    if taken:
        raise ValueError(f"columns {taken} already exist in df; rename them or choose other "
                         "names for start/stop/exposures/count")
    if df[id].isna().any():
        raise ValueError(f"{id}: missing ids in rows {row_labels(df[id].isna(), df.index)}")
    codes = _event_codes(df, event)
    ids = df[id].to_numpy()
    if intervals:
        a0, b0 = _numeric(df, start), _numeric(df, stop)
        check_intervals(df, ids, a0, b0, id, start, stop)
    else:
        if df[id].duplicated().any():
            raise ValueError(f"{id}: one row per person is needed (or give {start!r} and "
                             f"{stop!r} columns); repeated ids in rows "
                             f"{row_labels(df[id].duplicated(keep=False), df.index)}")
        b0 = _numeric(df, duration)
        if (b0 <= 0).any():
            raise ValueError(f"{duration}: durations must be > 0 to form an interval (0, T]; "
                             f"rows {row_labels(b0 <= 0, df.index)}. Give events on day 0 a "
                             "small positive time or drop them")
        a0 = np.zeros(len(df))
    people = pd.Index(pd.unique(ids))
    code = people.get_indexer(ids)
    ch_time = _numeric(changes, change_time)
    known = changes[id].isin(people).to_numpy()
    if len(changes) and not known.any():
        raise ValueError(f"none of the ids in changes are in df (changes: "
                         f"{list(pd.unique(changes[id]))[:3]}, df: {list(people[:3])}); check "
                         f"that {id} means the same (and has the same type) in both")
    ch = pd.DataFrame({"_p": people.get_indexer(changes[id][known]), "_t": ch_time[known]})
    for c in exposures:
        miss = changes[c].isna().to_numpy()
        if miss.any():
            raise ValueError(f"changes: {c} is missing in rows {row_labels(miss, changes.index)}"
                             "; every change needs the value that holds from its time on")
        ch[c] = changes[c].to_numpy()[known]
    values = ch.drop_duplicates(["_p", "_t", *exposures])
    clash = values.duplicated(["_p", "_t"], keep=False).to_numpy()
    if exposures and clash.any():
        first = values[clash].iloc[0]
        raise ValueError(f"changes: person {people[int(first['_p'])]!r} has different exposure "
                         f"values at {change_time}={first['_t']:g}; keep one row per person "
                         "and time")
    # split every row (a, b] at the change times of its person inside it
    rows = pd.DataFrame({"_r": np.arange(len(df)), "_p": code, "_a": a0, "_b": b0})
    cuts = rows.merge(ch[["_p", "_t"]].drop_duplicates(), on="_p")
    cuts = cuts[(cuts["_t"] > cuts["_a"]) & (cuts["_t"] < cuts["_b"])]
    pieces = pd.concat([rows[["_r", "_p"]].assign(_t=a0), cuts[["_r", "_p", "_t"]]],
                       ignore_index=True).sort_values(["_r", "_t"], kind="stable")
    r = pieces["_r"].to_numpy()
    a = pieces["_t"].to_numpy(dtype=float)
    last = np.r_[r[1:] != r[:-1], True]
    b = np.where(last, b0[r], np.r_[a[1:], 0.0])
    out = pd.DataFrame({id: ids[r], start: a, stop: b, event: np.where(last, codes[r], 0)})
    for c in df.columns:
        if c not in (id, start, stop, event, duration):
            out[c] = df[c].to_numpy()[r]
    probe = pd.DataFrame({"_p": pieces["_p"].to_numpy(), "_t": a, "_row": np.arange(len(a))})
    probe = probe.sort_values("_t", kind="stable")
    if exposures:
        merged = pd.merge_asof(probe, values.drop_duplicates(["_p", "_t"]).sort_values("_t")
                               .assign(_hit=True), on="_t", by="_p",
                               direction="backward").sort_values("_row")
        has = merged["_hit"].notna().to_numpy()
        if not has.all() and initial is None:
            who = pd.unique(out[id].to_numpy()[~has])
            raise ValueError(f"{exposures[0]}: no value at time 0 for {len(who)} people (e.g. "
                             f"{', '.join(map(repr, who[:3]))}); add a change at time 0 for "
                             "them or pass initial= (e.g. initial=0 for an exposure that "
                             "starts off)")
        for c in exposures:
            col = merged[c].to_numpy()
            if not has.all():
                fill = initial[c] if isinstance(initial, Mapping) else initial
                col = np.where(has, col, fill)
            try:   # keep the dtype of changes (an int 0/1 stays int after the fill)
                out[c] = pd.Series(col).astype(changes[c].dtype).to_numpy()
            except (TypeError, ValueError):
                out[c] = col
    if count is not None:
        counts = ch[["_p", "_t"]].sort_values(["_p", "_t"], kind="stable")
        counts["_n"] = counts.groupby("_p").cumcount() + 1
        counts = counts.drop_duplicates(["_p", "_t"], keep="last").sort_values("_t")
        merged = pd.merge_asof(probe, counts, on="_t", by="_p",
                               direction="backward").sort_values("_row")
        out[count] = merged["_n"].fillna(0).to_numpy(dtype=np.int64)
    previous = df.attrs.get("time_varying", {})
    out.attrs = {**df.attrs, "time_varying": {
        "exposures": [*previous.get("exposures", []), *exposures],
        "counts": [*previous.get("counts", []), *([count] if count else [])],
        "changes_ignored": int((~known).sum()),
        "convention": "a change at time c applies to the intervals starting at or after c"}}
    return out
