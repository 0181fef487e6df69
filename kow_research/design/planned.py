"""The planned analyses of a simulated trial, run exactly as the notebooks run them, and the
true value of each analysis's estimand.

Every analysis starts from the derived outcome frame: time to paid work
(:func:`kow_research.outcomes.time_to_paid_work`, dropout by the chosen strategy) for
Gray's test, Fine-Gray, the cause-specific Cox model and the weighted comparison; the rung
at a wave with its baseline rung (:func:`kow_research.outcomes.ladder_change`) for the
proportional-odds model. The arm is the covariate ``arm`` with the comparator as reference.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kow_research.compare.propensity import propensity
from kow_research.compare.weighted import weighted_hazard_ratio
from kow_research.core.checks import check_alpha, check_choice
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.data.study import Study
from kow_research.design.trial import (
    TrialDesign,
    combine_arms,
    data_cut,
    seed_integer,
)
from kow_research.outcomes.ladder import ladder_change
from kow_research.outcomes.ladder_model import fit_proportional_odds
from kow_research.outcomes.time_to_work import time_to_paid_work
from kow_research.survival import cox, fine_gray, gray_test
from kow_research.synthetic.params import get_params
from kow_research.synthetic.simulate import simulate_study

ANALYSES = ("gray", "fine_gray", "cox", "ladder", "weighted")
#: analysis -> what its estimate is (log scale); Gray's test has none
ESTIMANDS = {
    "gray": None,
    "fine_gray": "log subdistribution hazard ratio of paid work (Fine-Gray)",
    "cox": "log cause-specific hazard ratio of paid work (Cox)",
    "ladder": "log odds ratio of a higher rung at the wave (proportional odds)",
    "weighted": "log hazard ratio of paid work in the weighted population (IPTW)",
}
TRUTH = ("marginal", "conditional")
#: the spawn key of the truth population below SeedSequence(seed); trials use 0, 1, ...
TRUTH_KEY = 2 ** 32 - 1
RECORD = ("n", "events", "estimate", "se", "lower", "upper", "p", "rejected", "error",
          "warnings")


@dataclass(frozen=True)
class PlannedAnalysis:
    """The options of the planned analyses (one object, passed to every simulated trial).

    Attributes
    ----------
    names : tuple of str
        Analyses to run, from :data:`ANALYSES`.
    alpha : float
        Significance level (and 1 - level of the model confidence intervals).
    dropout : str
        Dropout strategy of :func:`~kow_research.outcomes.time_to_paid_work`.
    wave_month : int or None
        Month of the ladder wave (None: the last wave before the earliest analysis date).
    ladder_covariates : tuple of str
        Covariates of the proportional-odds model (``arm`` first; default ``arm`` alone:
        with the baseline rung as a linear covariate the model-based Wald test rejected 6.3 %
        of 2,000 simulated null trials, see ``validation/results/type1_error.md``).
    ps_covariates : tuple of str
        Covariates of the propensity model (columns of the outcome frame, plus the derived
        ``log_months_out`` = log(1 + months out of work) and ``female``).
    estimand : str
        ``"ATT"`` or ``"ATE"`` weights for ``"weighted"``.
    weighted_model : str
        ``"cox"`` or ``"fine_gray"`` for ``"weighted"``.
    """

    names: tuple[str, ...]
    alpha: float = 0.05
    dropout: str = "competing"
    wave_month: int | None = None
    ladder_covariates: tuple[str, ...] = ("arm",)
    ps_covariates: tuple[str, ...] = ("age", "smi", "log_months_out")
    estimand: str = "ATT"
    weighted_model: str = "cox"

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError(f"analysis names no analysis; choose from {list(ANALYSES)}")
        for name in self.names:
            check_choice("analysis", name, ANALYSES)
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"analysis names an analysis twice: {list(self.names)}")
        check_alpha(self.alpha)
        check_choice("dropout", self.dropout, ("competing", "censor", "ignore"))
        check_choice("estimand", self.estimand, ("ATT", "ATE"))
        check_choice("weighted_model", self.weighted_model, ("cox", "fine_gray"))
        if "gray" in self.names and self.dropout != "competing":
            raise ValueError("Gray's test compares cumulative incidences with dropout as a "
                             "competing event: use dropout='competing' with analysis 'gray'")
        if self.ladder_covariates[:1] != ("arm",):
            raise ValueError("ladder_covariates must start with 'arm' (the effect estimated)")

    def wave(self, design: TrialDesign) -> int:
        """The ladder wave (month) for ``design``: ``wave_month`` or the last wave whose
        assessment every participant can have had by the analysis date."""
        waves = design.waves_months or get_params(design.cohort, **design.overrides
                                                  ).waves_months
        reach = float(design.follow_up_months)
        if design.max_follow_up_months is not None:
            reach = min(reach, float(design.max_follow_up_months))
        if self.wave_month is not None:
            if self.wave_month not in waves or self.wave_month == 0:
                raise ValueError(f"wave_month={self.wave_month!r} is not a follow-up wave of "
                                 f"the design; waves are {list(waves)}")
            return int(self.wave_month)
        usable = [w for w in waves if 0 < w <= reach]
        if not usable:
            raise ValueError(f"no follow-up wave within {reach:g} months of follow-up "
                             f"(waves {list(waves)}); lengthen follow_up_months or give "
                             "wave_month")
        return int(usable[-1])


def _outcome_frame(study: Study, design: TrialDesign, plan: PlannedAnalysis) -> pd.DataFrame:
    h = design.horizon_months
    df = time_to_paid_work(study, dropout=plan.dropout,
                           horizon_days=None if h is None else int(round(h * DAYS_PER_MONTH)))
    df["arm"] = df["cohort"]
    return df


def _coefficient(summary: pd.DataFrame, term: str) -> dict[str, Any]:
    row = summary.loc[term]
    return {"estimate": float(row["coef"]), "se": float(row["se"]),
            "lower": math.log(float(row["lower"])), "upper": math.log(float(row["upper"])),
            "p": float(row["p"])}


def _ladder_frame(study: Study, design: TrialDesign, plan: PlannedAnalysis) -> pd.DataFrame:
    wave = plan.wave(design)
    ch = ladder_change(study, waves=design.waves_months)
    frame = ch[(ch["wave_month"] == wave) & ch["rung"].notna() & ch["rung_baseline"].notna()]
    frame = frame.assign(arm=frame["cohort"], rung=frame["rung"].astype(int),
                         rung_baseline=frame["rung_baseline"].astype(int))
    extra = [c for c in plan.ladder_covariates if c not in frame.columns]
    if extra:
        base = study.participants.set_index("participant_id")[extra]
        frame = frame.join(base, on="participant_id")
    return frame.reset_index(drop=True)


def _one(name: str, study: Study, design: TrialDesign, plan: PlannedAnalysis,
         cache: dict[str, pd.DataFrame], truth: bool = False) -> dict[str, Any]:
    """Run analysis ``name`` on ``study``; a dict of the record fields (raises on failure)."""
    index, comparator = design.index, design.comparator
    ref = {"arm": comparator}
    if name == "ladder":
        frame = cache.setdefault("ladder", _ladder_frame(study, design, plan))
        coef, _, _ = fit_proportional_odds(frame, outcome="rung",
                                           covariates=list(plan.ladder_covariates),
                                           alpha=plan.alpha, label=f"month {plan.wave(design)}",
                                           reference=ref)
        return {"n": len(frame), "events": len(frame), **_coefficient(coef, f"arm={index}")}
    df = cache.get("time")
    if df is None:
        df = cache["time"] = _outcome_frame(study, design, plan)
    events = int((df["event"] == 1).sum())
    if name == "gray":
        test = gray_test(df, by="arm")
        return {"n": len(df), "events": events, "p": test.p_value}
    if name == "weighted" and not truth:
        work = df.assign(log_months_out=np.log1p(df["months_out_of_work"].astype(float)),
                         female=df["sex"].astype(str).eq("female"))
        ps = propensity(work, treatment="arm", treated=index, covariates=plan.ps_covariates,
                        estimand=plan.estimand, alpha=plan.alpha)
        fit = weighted_hazard_ratio(work, treatment="arm", treated=index, weights=ps.weights,
                                    model=plan.weighted_model, alpha=plan.alpha)
        return {"n": len(df), "events": events, **_coefficient(fit.summary, "treated")}
    model = fine_gray if name == "fine_gray" or (
        name == "weighted" and plan.weighted_model == "fine_gray") else cox
    fit = model(df, covariates=["arm"], reference=ref, alpha=plan.alpha)
    return {"n": len(df), "events": events, **_coefficient(fit.summary, f"arm={index}")}


def analyse(study: Study, *, design: TrialDesign, plan: PlannedAnalysis) -> list[dict[str, Any]]:
    """Every planned analysis of one simulated trial, one record each; a failure is recorded
    with its error (type and first line of the message), never dropped, and warnings are
    counted."""
    cache: dict[str, pd.DataFrame] = {}
    out = []
    for name in plan.names:
        rec: dict[str, Any] = {"analysis": name, **dict.fromkeys(RECORD, np.nan),
                               "error": "", "warnings": 0, "rejected": False}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                rec.update(_one(name, study, design, plan, cache))
                rec["rejected"] = bool(rec["p"] < plan.alpha)
                if not np.isfinite(rec["p"]):
                    raise FloatingPointError(f"p-value {rec['p']!r}")
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                first = (str(exc).strip().splitlines() or [""])[0][:200]
                rec.update(error=f"{type(exc).__name__}: {first}", rejected=False)
        rec["warnings"] = len(caught)
        if caught and not rec["error"]:
            rec["warning"] = f"{caught[0].category.__name__}: {str(caught[0].message)[:200]}"
        out.append(rec)
    return out


def _coupled(design: TrialDesign, *, seed: int, n: int, population: str
             ) -> tuple[Study, Study]:
    """``n`` people of ``population``'s arm simulated twice with the same seed: with the
    design's ``hr`` and with 1 (only their times to paid work differ)."""

    def version(log_hr: float) -> Study:
        return simulate_study(design.cohort, n=n, seed=seed, id_prefix=population,
                              **{**design.simulator_overrides(population),
                                 "log_hr_programme": log_hr})

    return version(math.log(design.hr)), version(0.0)


def _first(study: Study, k: int, prefix: str) -> Study:
    """The first ``k`` participants of ``study`` with ``prefix`` added to their ids."""
    ids = study.participants["participant_id"].iloc[:k]
    out = {}
    for t, tab in study.tables.items():
        tab = tab[tab["participant_id"].isin(ids)]
        out[t] = tab.assign(participant_id=prefix + tab["participant_id"].astype(str))
    return Study(**out)


def _pool(parts: Sequence[Study]) -> Study:
    return Study(**{t: pd.concat([p.tables[t] for p in parts], ignore_index=True)
                    for t in parts[0].tables})


def truth_population(design: TrialDesign, *, seed: int, n_total: int,
                     estimand: str = "ATT", block: int = 0) -> Study:
    """The coupled population for the true value: the same people under the programme and
    under the comparator condition, cut at the analysis date.

    People are simulated twice with the same seed (stream ``block`` below stream
    ``TRUTH_KEY`` of ``SeedSequence(seed)``, which the trials, numbered from 0, never
    reach), once with the design's ``hr`` and once with 1, so that only
    their times to paid work differ. Randomised: the programme's population; the first
    ``n_total * allocation`` people of the first version form the programme arm and the
    first ``n_total * (1 - allocation)`` of the second the comparator arm. Non-randomised,
    ``estimand="ATT"``: the programme's population, ``n_total / 2`` people under each
    condition; ``"ATE"``: both populations in the design's proportions, everyone under both
    conditions.
    """
    root = np.random.SeedSequence(seed, spawn_key=(TRUTH_KEY, block))
    n_i = int(round(n_total * design.allocation))
    n_c = n_total - n_i
    if design.randomised:
        treated, control = _coupled(design, seed=seed_integer(root, 0), n=max(n_i, n_c),
                                    population=design.index)
        arms = [_first(treated, n_i, "P"), _first(control, n_c, "C")]
    elif estimand == "ATT":
        treated, control = _coupled(design, seed=seed_integer(root, 0), n=n_total // 2,
                                    population=design.index)
        arms = [_first(treated, n_total // 2, "P"), _first(control, n_total // 2, "C")]
    else:
        parts = [(_coupled(design, seed=seed_integer(root, k), n=size, population=arm), size)
                 for k, (arm, size) in enumerate(((design.index, n_i),
                                                  (design.comparator, n_c)))]
        arms = [_pool([_first(pair[0], size, f"P{k}") for k, (pair, size) in enumerate(parts)]),
                _pool([_first(pair[1], size, f"C{k}") for k, (pair, size) in enumerate(parts)])]
    return data_cut(combine_arms([(design.index, arms[0]), (design.comparator, arms[1])]),
                    design.cut_date())


def conditional_values(design: TrialDesign, *, plan: PlannedAnalysis) -> dict[str, float]:
    """:math:`\\log \\mathrm{HR}` built into the simulator for the hazard-ratio analyses;
    NaN for the ladder model (its odds ratio has no counterpart in the simulator) and for
    Gray's test (no estimate)."""
    return {name: math.log(design.hr) if name in ("fine_gray", "cox", "weighted") else math.nan
            for name in plan.names}


def truth_block(design: TrialDesign, *, plan: PlannedAnalysis, seed: int, n_total: int,
                block: int) -> dict[str, Any]:
    """One block of the marginal true value: every planned analysis with an estimate fitted
    to the coupled population of :func:`truth_population` (``n_total`` people).

    The same people under both conditions, with the design's accrual, follow-up, dropout
    and loss: the estimate is the marginal (population-averaged) effect that the trial
    estimates (Austin 2013), with much less noise than two independent arms. In a
    non-randomised design the target is the population of ``plan.estimand`` for every
    analysis, so the bias of an unweighted analysis is its confounding bias; the coupled
    population needs no weights, so for ``"weighted"`` the model of ``weighted_model`` is
    fitted unweighted. Returns ``{analysis: estimate}`` and ``"error"`` (empty, or why the
    block failed).
    """
    wanted = [n for n in plan.names if ESTIMANDS[n] is not None]
    out: dict[str, Any] = {name: math.nan for name in wanted}
    out["error"] = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pop = truth_population(design, seed=seed, n_total=n_total,
                                   estimand=plan.estimand, block=block)
            cache: dict[str, pd.DataFrame] = {}
            for name in wanted:
                out[name] = float(_one(name, pop, design, plan, cache, truth=True)["estimate"])
        except Exception as exc:  # noqa: BLE001 - reported in the result, never dropped
            out["error"] = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}"
    out["warnings"] = len(caught)
    return out


def check_names(analysis: str | Sequence[str]) -> tuple[str, ...]:
    """``analysis`` as a tuple of analysis names."""
    names = (analysis,) if isinstance(analysis, str) else tuple(analysis)
    for name in names:
        check_choice("analysis", name, ANALYSES)
    return names
