"""Power, type I error and the distribution of the estimate by simulation: many trials of a
:class:`~kow_research.design.TrialDesign` simulated with the cohort simulators, each analysed
as planned (:mod:`kow_research.design.planned`), on one machine (joblib) or a Dask cluster.

Seeds. ``numpy.random.SeedSequence(seed).spawn(n_sim)`` gives one child per simulated trial,
whatever the chunking: trial ``i`` is the same data set for any ``n_jobs``, backend, number
of Dask workers or ``chunk_size``, and the results are reassembled in trial order. Below its
child, a trial's programme arm uses stream 0 and its comparator arm stream 1
(:func:`~kow_research.design.simulate_trial`): the comparator arm is simulated once and shared
by every effect of the trial (the design's effect, the null, the effects of a power curve),
and the programme arm under the null is the same people as under the effect (common random
numbers). The true value uses its own streams (:data:`~kow_research.design.planned.TRUTH_KEY`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare.benchmark import wilson
from kow_research.core.checks import check_alpha, check_choice
from kow_research.design.parallel import BACKENDS, run_tasks
from kow_research.design.planned import (
    ESTIMANDS,
    RECORD,
    TRUTH,
    PlannedAnalysis,
    analyse,
    check_names,
    conditional_values,
    truth_block,
)
from kow_research.design.simulation_results import PowerCurveResult, SimulationPowerResult
from kow_research.design.trial import (
    TrialDesign,
    combine_arms,
    data_cut,
    seed_integer,
    simulate_arm,
)
from kow_research.synthetic.params import get_params

SEED_SCHEME = ("numpy.random.SeedSequence(seed).spawn(n_sim): one child per simulated trial "
               "(programme arm stream 0, comparator arm stream 1 below it; the comparator arm "
               "is shared by every effect of a trial)")
COLUMNS = ("n_total", "hr", "scenario", "trial", "analysis", *RECORD, "warning")


def _trial_records(design: TrialDesign, plan: PlannedAnalysis,
                   scenarios: Sequence[tuple[str, float]], trial: int,
                   child: np.random.SeedSequence) -> list[dict[str, Any]]:
    """Every scenario of one trial: the comparator arm once, the programme arm per effect."""
    out: list[dict[str, Any]] = []
    cut = design.cut_date()
    try:
        comparator = simulate_arm(design, design.comparator, seed=seed_integer(child, 1))
    except Exception as exc:  # noqa: BLE001 - counted as a failure of every analysis
        comparator, failed = None, f"simulation: {type(exc).__name__}: {exc}"[:200]
    for label, hr in scenarios:
        base = {"n_total": design.n_total, "hr": float(hr), "scenario": label, "trial": trial}
        try:
            if comparator is None:
                raise RuntimeError(failed)
            index = simulate_arm(design, design.index, seed=seed_integer(child, 0), hr=hr)
            study = data_cut(combine_arms([(design.index, index),
                                           (design.comparator, comparator)]), cut)
            records = analyse(study, design=design, plan=plan)
        except Exception as exc:  # noqa: BLE001
            message = str(exc) if str(exc).startswith("simulation:") else \
                f"simulation: {type(exc).__name__}: {exc}"
            records = [{"analysis": name, **dict.fromkeys(RECORD, np.nan), "rejected": False,
                        "warnings": 0, "error": message[:200]} for name in plan.names]
        out += [{**base, **r} for r in records]
    return out


def _chunk_task(design: TrialDesign, plan: PlannedAnalysis,
                scenarios: tuple[tuple[str, float], ...],
                trials: list[tuple[int, np.random.SeedSequence]]) -> list[dict[str, Any]]:
    """A task: the trials of one chunk (module level, so that workers can unpickle it)."""
    out: list[dict[str, Any]] = []
    for i, child in trials:
        out += _trial_records(design, plan, scenarios, i, child)
    return out


def _truth_task(design: TrialDesign, plan: PlannedAnalysis, seed: int, n_total: int,
                block: int) -> dict[str, Any]:
    return truth_block(design, plan=plan, seed=seed, n_total=n_total, block=block)


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}; got {value!r}")
    return int(value)


def _plan(analysis: str | Sequence[str], *, alpha: float, dropout: str,
          wave_month: int | None, ladder_covariates: Sequence[str],
          ps_covariates: Sequence[str], estimand: str, weighted_model: str,
          design: TrialDesign) -> PlannedAnalysis:
    plan = PlannedAnalysis(names=check_names(analysis), alpha=check_alpha(alpha),
                           dropout=dropout, wave_month=wave_month,
                           ladder_covariates=tuple(ladder_covariates),
                           ps_covariates=tuple(ps_covariates), estimand=estimand,
                           weighted_model=weighted_model)
    if "weighted" in plan.names and design.randomised:
        raise ValueError("the weighted comparison is for a non-randomised design "
                         "(randomised=False); a randomised trial is analysed unweighted")
    if "ladder" in plan.names:
        plan.wave(design)       # a usable wave exists
    return plan


def _chunks(n_sim: int, seed: int, chunk_size: int
            ) -> list[list[tuple[int, np.random.SeedSequence]]]:
    children = np.random.SeedSequence(seed).spawn(n_sim)
    pairs = list(enumerate(children))
    return [pairs[i:i + chunk_size] for i in range(0, n_sim, chunk_size)]


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records)
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = "" if col == "warning" else np.nan
    df["warning"] = df["warning"].fillna("").astype(str)
    df["rejected"] = df["rejected"].astype(bool)
    df["warnings"] = df["warnings"].astype(int)
    return df[list(COLUMNS)]


def _rate(hits: int, n: int, mc_alpha: float) -> tuple[float, float, float]:
    if n == 0:
        return math.nan, math.nan, math.nan
    lo, hi = wilson(hits, n, alpha=mc_alpha)
    return hits / n, lo, hi


def _summary(trials: pd.DataFrame, plan: PlannedAnalysis, *, n_sim: int, mc_alpha: float,
             truth: dict[str, tuple[float, float]], conditional: dict[str, float]
             ) -> pd.DataFrame:
    rows = []
    for name in plan.names:
        t = trials[trials["analysis"] == name]
        alt, nul = t[t["scenario"] == "alternative"], t[t["scenario"] == "null"]
        ok = alt[alt["error"] == ""]
        power, p_lo, p_hi = _rate(int(ok["rejected"].sum()), len(ok), mc_alpha)
        row: dict[str, Any] = {
            "analysis": name, "estimand": ESTIMANDS[name] or "test only (no estimate)",
            "n_sim": n_sim, "n_failed": len(alt) - len(ok), "power": power,
            "power_lower": p_lo, "power_upper": p_hi,
            "power_all": float(ok["rejected"].sum()) / n_sim}
        nok = nul[nul["error"] == ""]
        row["type1"], row["type1_lower"], row["type1_upper"] = (
            _rate(int(nok["rejected"].sum()), len(nok), mc_alpha) if len(nul) else
            (math.nan,) * 3)
        row["n_failed_null"] = len(nul) - len(nok) if len(nul) else 0
        value, value_se = truth.get(name, (math.nan, math.nan))
        est = ok[np.isfinite(ok["estimate"].to_numpy(dtype=float))]
        k = len(est)
        e = est["estimate"].to_numpy(dtype=float)
        emp = float(np.std(e, ddof=1)) if k > 1 else math.nan
        covered = int(((est["lower"] <= value) & (est["upper"] >= value)).sum())
        cov, c_lo, c_hi = _rate(covered, k, mc_alpha) if np.isfinite(value) else (math.nan,) * 3
        row.update(true_value=value, true_value_se=value_se,
                   conditional_value=conditional.get(name, math.nan),
                   mean_estimate=float(e.mean()) if k else math.nan,
                   bias=float(e.mean()) - value if k else math.nan,
                   bias_mcse=math.sqrt(emp ** 2 / k + (value_se if np.isfinite(value_se)
                                                        else 0.0) ** 2) if k > 1 else math.nan,
                   empirical_se=emp,
                   mean_se=float(est["se"].mean()) if k else math.nan,
                   coverage=cov, coverage_lower=c_lo, coverage_upper=c_hi,
                   mean_n=float(ok["n"].mean()) if len(ok) else math.nan,
                   mean_events=float(ok["events"].mean()) if len(ok) else math.nan,
                   n_warned=int((t["warnings"] > 0).sum()))
        if ESTIMANDS[name] is None:
            for col in ("true_value", "true_value_se", "conditional_value", "mean_estimate",
                        "bias", "bias_mcse", "empirical_se", "mean_se", "coverage",
                        "coverage_lower", "coverage_upper"):
                row[col] = math.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("analysis")


def _failures(trials: pd.DataFrame, truth_errors: list[str]) -> pd.DataFrame:
    parts = []
    for kind, col in (("error", "error"), ("warning", "warning")):
        bad = trials[trials[col] != ""]
        if len(bad):
            g = bad.groupby(["n_total", "hr", "scenario", "analysis", col], sort=True)["trial"]
            parts.append(g.agg(n_trials="size", first_trial="min").reset_index()
                         .rename(columns={col: "message"}).assign(kind=kind))
    for k, message in enumerate(truth_errors):
        if message:
            parts.append(pd.DataFrame([{"n_total": np.nan, "hr": np.nan, "scenario": "truth",
                                        "analysis": "all", "message": message,
                                        "n_trials": 1, "first_trial": k, "kind": "error"}]))
    cols = ["kind", "scenario", "n_total", "hr", "analysis", "message", "n_trials",
            "first_trial"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("kind", "scenario", "analysis",
                                                                 "message") else float)
                             for c in cols})
    return pd.concat(parts, ignore_index=True)[cols]


def _common_checks(n_sim: Any, seed: Any, mc_alpha: Any, chunk_size: Any, backend: str,
                   n_jobs: Any) -> tuple[int, int, float, int]:
    check_choice("backend", backend, BACKENDS)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero whole number (-1: every core); got "
                         f"{n_jobs!r}")
    return (_check_int("n_sim", n_sim, 2), _check_int("seed", seed, 0), check_alpha(mc_alpha),
            _check_int("chunk_size", chunk_size, 1))


def power_by_simulation(design: TrialDesign, *, analysis: str | Sequence[str],
                        n_sim: int = 1000, seed: int = 1, alpha: float = 0.05,
                        null: bool = True, truth: str = "marginal", truth_n: int = 40_000,
                        truth_blocks: int = 8, dropout: str = "competing",
                        wave_month: int | None = None,
                        ladder_covariates: Sequence[str] = ("arm",),
                        ps_covariates: Sequence[str] = ("age", "smi", "log_months_out"),
                        estimand: str = "ATT", weighted_model: str = "cox",
                        mc_alpha: float = 0.05, backend: str = "joblib", n_jobs: int = 1,
                        client: Any = None, chunk_size: int = 25,
                        progress: bool = False) -> SimulationPowerResult:
    r"""Power of the planned analysis of ``design``, its type I error, and the distribution
    of its estimate, by simulating ``n_sim`` trials.

    Each trial is simulated with the cohort simulators (:func:`simulate_trial`) and
    analysed exactly as the notebooks analyse a study: time to paid work
    (:func:`~kow_research.outcomes.time_to_paid_work`, dropout by ``dropout``), then

    ================ ========================================================================
    ``analysis``     planned analysis (``arm`` with the comparator as reference)
    ================ ========================================================================
    ``"gray"``       Gray's test of the cumulative incidence of paid work
                     (:func:`~kow_research.survival.gray_test`, ``by="arm"``); no estimate
    ``"fine_gray"``  Fine-Gray subdistribution hazard ratio
                     (:func:`~kow_research.survival.fine_gray`, Wald test)
    ``"cox"``        cause-specific Cox hazard ratio (:func:`~kow_research.survival.cox`)
    ``"ladder"``     proportional-odds model of the rung at ``wave_month`` on ``arm``
                     (:func:`~kow_research.outcomes.ladder_model.fit_proportional_odds`;
                     ``ladder_covariates`` may add the baseline rung)
    ``"weighted"``   non-randomised designs: propensity weights
                     (:func:`~kow_research.compare.propensity` on ``ps_covariates``,
                     ``estimand``), then :func:`~kow_research.compare.weighted_hazard_ratio`
                     (``weighted_model``, robust SE)
    ================ ========================================================================

    With :math:`R` rejections (:math:`p < \alpha`) among the :math:`m` trials that could be
    analysed, power is :math:`\hat\pi = R/m` with the Wilson interval

    .. math::

        \frac{\hat\pi + \frac{z^2}{2m} \pm z\sqrt{\frac{\hat\pi(1-\hat\pi)}{m} +
        \frac{z^2}{4m^2}}}{1 + z^2/m}, \qquad z = z_{1 - \alpha_{MC}/2};

    the type I error is the same from the trials under no effect (``hr = 1``; the same
    seeds, so the same people); with the estimates :math:`\hat\theta_s` and the true value
    :math:`\theta`, bias is :math:`\bar{\hat\theta} - \theta` (Monte Carlo SE
    :math:`\sqrt{\mathrm{SD}(\hat\theta)^2/m + \mathrm{SE}(\theta)^2}`), the empirical SE is
    :math:`\mathrm{SD}(\hat\theta_s)`, and coverage is the share of trials whose
    :math:`1-\alpha` interval contains :math:`\theta` (Morris, White & Crowther 2019).

    The true value. The hazard ratio ``design.hr`` is conditional on the simulator's
    covariates; an unadjusted analysis of a randomised trial estimates the marginal hazard
    ratio, which is closer to 1 (non-collapsibility) and, with non-proportional marginal
    hazards, depends on accrual and follow-up. With ``truth="marginal"`` (default) the true
    value is the planned analysis fitted to a coupled population (:func:`~kow_research.
    design.planned.truth_population`: ``truth_n`` people simulated under both conditions
    with the same seeds, in ``truth_blocks`` independent blocks whose mean is the value and
    whose standard error is reported), i.e. the value the estimator converges to under this
    design. ``truth="conditional"`` reports bias against :math:`\log` ``hr`` instead (the
    column ``conditional_value`` always shows it).

    Failures. A trial whose simulation or analysis raises (separation, no events in an
    arm, no convergence) is recorded with its error, counted in ``n_failed`` and listed in
    ``failures``; ``power`` is over the analysed trials and ``power_all`` counts failures as
    non-rejections. Warnings are counted (``n_warned``) and listed too.

    Running it elsewhere. ``n_jobs=-1`` uses every core of this machine through joblib. On
    a cluster, start a Dask scheduler and workers and pass ``backend="dask"`` and
    ``client=`` a ``dask.distributed.Client`` or the scheduler's address. On a university
    HPC with Slurm, dask-jobqueue (``pip install dask-jobqueue``; not a dependency of this
    package) submits the workers as jobs::

        from dask_jobqueue import SLURMCluster
        from dask.distributed import Client
        cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="02:00:00")
        cluster.scale(jobs=50)              # 50 single-core workers
        client = Client(cluster)
        res = kr.design.power_by_simulation(design, analysis="fine_gray", n_sim=10_000,
                                            backend="dask", client=client)

    Use one thread per worker (``threads_per_worker=1`` / ``processes=1``): the work is
    Python and numpy, and warnings are counted per process. The workers need this package
    at the same version. The numbers are identical to a run with joblib or on one core.

    Parameters
    ----------
    design : TrialDesign
        The trial: arms, effect, accrual, follow-up, dropout, loss, waves, randomisation.
    analysis : str or sequence of str
        One or more of ``"gray"``, ``"fine_gray"``, ``"cox"``, ``"ladder"``, ``"weighted"``;
        several are run on the same simulated trials.
    n_sim : int, default 1000
        Simulated trials (and as many under the null).
    seed : int, default 1
        Root of the seeds (see the module docstring).
    alpha : float, default 0.05
        Significance level of the planned test (two-sided), and 1 - level of its interval.
    null : bool, default True
        Also simulate the trials under no effect for the type I error.
    truth : {"marginal", "conditional"}, default "marginal"
        The true value for bias and coverage (see above).
    truth_n : int, default 40000
        People in the coupled population of the marginal true value (all blocks).
    truth_blocks : int, default 8
        Independent blocks of it (for its standard error; they run in parallel).
    dropout : {"competing", "censor", "ignore"}, default "competing"
        Dropout strategy of the outcome (``"gray"`` needs ``"competing"``).
    wave_month : int, optional
        Ladder wave (default: the last wave within ``follow_up_months``).
    ladder_covariates : sequence of str, default ("arm",)
        Covariates of the ladder model (``arm`` first). Adding ``"rung_baseline"`` (linear)
        gave a type I error of 6.3 % in validation (the simulated rung depends on the
        baseline rung non-linearly, so the model-based variance is too small): check the
        type I error of an adjusted model before planning it.
    ps_covariates : sequence of str, default ("age", "smi", "log_months_out")
        Propensity model of ``"weighted"`` (columns of the outcome frame, ``log_months_out``
        and ``female``).
    estimand : {"ATT", "ATE"}, default "ATT"
        Weights of ``"weighted"`` and target population of the true value when the design is
        not randomised.
    weighted_model : {"cox", "fine_gray"}, default "cox"
        Hazard model of ``"weighted"``.
    mc_alpha : float, default 0.05
        1 - level of the Monte Carlo (Wilson) intervals.
    backend : {"joblib", "dask"}, default "joblib"
        Where the trials run.
    n_jobs : int, default 1
        joblib processes (-1: every core).
    client : dask.distributed.Client or str, optional
        ``backend="dask"``: the client or a scheduler address (default: the current client).
    chunk_size : int, default 25
        Trials per task.
    progress : bool, default False
        A tqdm progress bar on stderr.

    Returns
    -------
    SimulationPowerResult
        ``table`` (one row per analysis), ``trials`` (one row per trial, effect and
        analysis), ``failures``, ``sentence(language)`` and ``plot(ax=None)``.

    Raises
    ------
    ValueError
        For an unknown analysis, ``"weighted"`` in a randomised design, ``"gray"`` without
        competing dropout, or an invalid number.

    References
    ----------
    Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate
    statistical methods. *Stat Med* 38:2074-2102. Austin PC (2013). The performance of
    different propensity score methods for estimating marginal hazard ratios. *Stat Med*
    32:2837-2849. Wilson EB (1927). *JASA* 22:209-212.

    Examples
    --------
    >>> d = TrialDesign(arms={"KOW": 60, "CAU": 60}, hr=0.5, accrual_months=12,
    ...                 follow_up_months=12)
    >>> res = power_by_simulation(d, analysis=["gray", "fine_gray"], n_sim=20, seed=7,
    ...                           truth="conditional")
    >>> res.table[["n_sim", "n_failed", "power", "type1"]].reset_index()
        analysis  n_sim  n_failed  power  type1
    0       gray     20         0    0.2    0.0
    1  fine_gray     20         0    0.2    0.0
    >>> print(res.sentence("en"))   # doctest: +ELLIPSIS
    We simulated 20 randomised trials of 2 × 60 participants (120 in total): KOW-like ...
    """
    n_sim, seed, mc_alpha, chunk_size = _common_checks(n_sim, seed, mc_alpha, chunk_size,
                                                       backend, n_jobs)
    check_choice("truth", truth, TRUTH)
    plan = _plan(analysis, alpha=alpha, dropout=dropout, wave_month=wave_month,
                 ladder_covariates=ladder_covariates, ps_covariates=ps_covariates,
                 estimand=estimand, weighted_model=weighted_model, design=design)
    scenarios: tuple[tuple[str, float], ...] = (("alternative", float(design.hr)),)
    if null:
        scenarios += (("null", 1.0),)
    blocks, per_block = 0, 0
    if truth == "marginal" and design.hr != 1.0 and any(ESTIMANDS[n] for n in plan.names):
        blocks = _check_int("truth_blocks", truth_blocks, 2)
        per_block = _check_int("truth_n", truth_n, 100 * blocks) // blocks
    tasks: list[tuple[Any, ...]] = [("truth", design, plan, seed, per_block, b)
                                    for b in range(blocks)]
    chunks = _chunks(n_sim, seed, chunk_size)
    tasks += [("trials", design, plan, scenarios, chunk) for chunk in chunks]
    results = run_tasks(_dispatch, tasks, weights=[0] * blocks + [len(c) for c in chunks],
                        backend=backend, n_jobs=n_jobs, client=client, progress=progress,
                        desc="simulated trials")
    truth_rows, records = results[:blocks], [r for chunk in results[blocks:] for r in chunk]
    trials = _frame(records)
    conditional = conditional_values(design, plan=plan)
    values: dict[str, tuple[float, float]] = {}
    for name in plan.names:
        if truth == "conditional":
            values[name] = (conditional[name], 0.0)
        elif design.hr == 1.0:
            values[name] = (0.0, 0.0) if ESTIMANDS[name] else (math.nan, math.nan)
        else:
            v = np.array([row.get(name, math.nan) for row in truth_rows], dtype=float)
            v = v[np.isfinite(v)]
            values[name] = ((float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v))))
                            if len(v) > 1 else (math.nan, math.nan))
    table = _summary(trials, plan, n_sim=n_sim, mc_alpha=mc_alpha, truth=values,
                     conditional=conditional)
    failures = _failures(trials, [row["error"] for row in truth_rows])
    attrs = {**_design_attrs(design, plan), "null": bool(null), "truth": truth,
             "truth_n": blocks * per_block, "truth_blocks": blocks,
             "truth_text": _truth_text(truth, design), "seed_scheme": SEED_SCHEME,
             "mc_alpha": mc_alpha}
    return SimulationPowerResult(table=table, trials=trials, failures=failures, n_sim=n_sim,
                                 alpha=plan.alpha, seed=seed, attrs=attrs)


def _dispatch(kind: str, *args: Any) -> Any:
    """Run a task: ``("truth", design, plan, seed, n_total, block)`` or ``("trials",
    design, plan, scenarios, chunk)``."""
    return _truth_task(*args) if kind == "truth" else _chunk_task(*args)


def _design_attrs(design: TrialDesign, plan: PlannedAnalysis) -> dict[str, Any]:
    """The design and the rates the simulator actually uses (for captions and sentences)."""
    p = get_params(design.cohort, **design.simulator_overrides(design.index))
    return {"design": design.as_dict(), "index": design.index,
            "comparator": design.comparator, "analyses": list(plan.names),
            "dropout": plan.dropout, "dropout_per_month": p.dropout_rate_per_month,
            "programme_months": p.programme_months, "loss_per_month": p.ltfu_rate_per_month,
            "wave_month": plan.wave(design) if "ladder" in plan.names else None,
            "ladder_covariates": list(plan.ladder_covariates),
            "ps_covariates": list(plan.ps_covariates), "estimand": plan.estimand,
            "weighted_model": plan.weighted_model, "time_unit": "months"}


def _truth_text(truth: str, design: TrialDesign) -> str:
    if truth == "conditional":
        return ("bias and coverage against the conditional log hazard ratio built into the "
                "simulator (log hr); an unadjusted analysis estimates a marginal effect, "
                "which is closer to 0")
    target = "the programme's population" if design.randomised else \
        "the target population of the weights"
    return ("bias and coverage against the marginal true value: the planned analysis fitted "
            f"to {target} simulated under both conditions with the same seeds (coupled "
            "counterfactuals), mean of independent blocks with its standard error")


def power_curve(design: TrialDesign, *, analysis: str | Sequence[str],
                n_total: Sequence[int] | None = None, hr: Sequence[float] | None = None,
                n_sim: int = 200, seed: int = 1, alpha: float = 0.05, null: bool = False,
                dropout: str = "competing", wave_month: int | None = None,
                ladder_covariates: Sequence[str] = ("arm",),
                ps_covariates: Sequence[str] = ("age", "smi", "log_months_out"),
                estimand: str = "ATT", weighted_model: str = "cox", mc_alpha: float = 0.05,
                backend: str = "joblib", n_jobs: int = 1, client: Any = None,
                chunk_size: int = 25, progress: bool = False) -> PowerCurveResult:
    r"""Power over a grid of total sample sizes and hazard ratios, in one call.

    Every combination of ``n_total`` (participants split in the design's ratio) and ``hr``
    is simulated ``n_sim`` times as in :func:`power_by_simulation`, all in one pool of
    tasks. The trials of one sample size share their comparator arms across the hazard
    ratios, and trial ``i`` uses the same seed at every grid point (common random numbers),
    so the curves are smooth and their differences precise; power at each point has its
    Wilson interval (see :func:`power_by_simulation`).

    Parameters
    ----------
    design : TrialDesign
        The trial; its arms and ``hr`` are the defaults of the grid.
    analysis : str or sequence of str
        As in :func:`power_by_simulation`.
    n_total : sequence of int, optional
        Total participants (default: the design's).
    hr : sequence of float, optional
        Hazard ratios (default: the design's).
    n_sim : int, default 200
        Simulated trials per grid point.
    seed : int, default 1
        Root of the seeds.
    alpha : float, default 0.05
        Significance level.
    null : bool, default False
        Also the type I error at every sample size.
    dropout : str, default "competing"
        Dropout strategy.
    wave_month : int, optional
        Ladder wave.
    ladder_covariates : sequence of str, default ("arm",)
        Ladder model covariates.
    ps_covariates : sequence of str, default ("age", "smi", "log_months_out")
        Propensity model covariates.
    estimand : {"ATT", "ATE"}, default "ATT"
        Weights of ``"weighted"``.
    weighted_model : {"cox", "fine_gray"}, default "cox"
        Hazard model of ``"weighted"``.
    mc_alpha : float, default 0.05
        1 - level of the Wilson intervals.
    backend : {"joblib", "dask"}, default "joblib"
        Where the trials run.
    n_jobs : int, default 1
        joblib processes.
    client : dask.distributed.Client or str, optional
        ``backend="dask"``: the client or a scheduler address.
    chunk_size : int, default 25
        Trials per task.
    progress : bool, default False
        A tqdm progress bar on stderr.

    Returns
    -------
    PowerCurveResult
        ``table`` with ``analysis, n_total, n_index, n_comparator, hr, n_sim, n_failed,
        power, lower, upper`` (and ``type1, type1_lower, type1_upper`` with ``null``),
        ``plot(ax=None)`` and ``sentence(language)``.

    References
    ----------
    Morris TP, White IR, Crowther MJ (2019). *Stat Med* 38:2074-2102.

    Examples
    --------
    >>> d = TrialDesign(arms={"KOW": 40, "CAU": 40}, hr=0.5)
    >>> pc = power_curve(d, analysis="fine_gray", n_total=[60, 120], hr=[0.5], n_sim=10,
    ...                  seed=2)
    >>> pc.table[["n_total", "hr", "n_failed", "power"]].round(3)
       n_total   hr  n_failed  power
    0       60  0.5         1  0.222
    1      120  0.5         0  0.400
    >>> pc.failures["message"].str[:40].tolist()
    ['SeparationError: Fine-Gray model: separa']
    """
    n_sim, seed, mc_alpha, chunk_size = _common_checks(n_sim, seed, mc_alpha, chunk_size,
                                                       backend, n_jobs)
    sizes = [design.n_total] if n_total is None else [_check_int("n_total", n, 4)
                                                      for n in n_total]
    effects = [float(design.hr)] if hr is None else [float(h) for h in hr]
    if not sizes or not effects:
        raise ValueError("n_total and hr must each give at least one value")
    designs = [design.with_n(n) for n in sizes]
    plan = _plan(analysis, alpha=alpha, dropout=dropout, wave_month=wave_month,
                 ladder_covariates=ladder_covariates, ps_covariates=ps_covariates,
                 estimand=estimand, weighted_model=weighted_model, design=design)
    scenarios = tuple(("alternative", h) for h in effects)
    if null:
        scenarios += (("null", 1.0),)
    chunks = _chunks(n_sim, seed, chunk_size)
    tasks = [("trials", d, plan, scenarios, chunk) for d in designs for chunk in chunks]
    results = run_tasks(_dispatch, tasks, weights=[len(c) * len(scenarios) for _ in designs
                                                   for c in chunks],
                        backend=backend, n_jobs=n_jobs, client=client, progress=progress,
                        desc="simulated trials")
    trials = _frame([r for chunk in results for r in chunk])
    rows = []
    for d in designs:
        for name in plan.names:
            sel = trials[(trials["n_total"] == d.n_total) & (trials["analysis"] == name)]
            nul = sel[sel["scenario"] == "null"]
            nul_ok = nul[nul["error"] == ""]
            for h in effects:
                alt = sel[(sel["scenario"] == "alternative") & (sel["hr"] == h)]
                ok = alt[alt["error"] == ""]
                p, lo, hi = _rate(int(ok["rejected"].sum()), len(ok), mc_alpha)
                row: dict[str, Any] = {
                    "analysis": name, "n_total": d.n_total, "n_index": d.n_index,
                    "n_comparator": d.n_comparator, "hr": h, "n_sim": n_sim,
                    "n_failed": len(alt) - len(ok), "power": p, "lower": lo, "upper": hi,
                    "mean_events": float(ok["events"].mean()) if len(ok) else math.nan}
                if null:
                    row["type1"], row["type1_lower"], row["type1_upper"] = _rate(
                        int(nul_ok["rejected"].sum()), len(nul_ok), mc_alpha)
                rows.append(row)
    table = pd.DataFrame(rows)
    attrs = {**_design_attrs(design, plan), "null": bool(null),
             "seed_scheme": SEED_SCHEME + "; the same children at every grid point",
             "mc_alpha": mc_alpha}
    return PowerCurveResult(table=table, failures=_failures(trials, []), n_sim=n_sim,
                            alpha=plan.alpha, seed=seed, attrs=attrs)
