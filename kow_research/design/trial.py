"""A two-arm effect study described for simulation: the arms and their sizes, the programme
effect, recruitment over time, follow-up, dropout, loss to follow-up, assessment waves, and
randomisation or confounding. Each trial is simulated with the package's cohort simulators
(:func:`kow_research.simulate_study`), one call per arm, and cut at the analysis date.

How a design becomes simulator parameters (:class:`~kow_research.synthetic.CohortParams`):

* every arm is a cohort of the simulator ``cohort`` (default the KOW-like one) with the
  design's ``overrides``; the comparator arm of a non-randomised design also gets
  ``confounding`` (its people differ on measured baseline characteristics);
* the effect enters as ``log_hr_programme``: :math:`\\log \\mathrm{HR}` in the programme
  arm, 0 in the comparator, so ``hr`` is the hazard ratio of the first regular paid job
  *conditional* on the baseline covariates of the simulator's hazard model;
* recruitment is continuous and uniform over ``accrual_months`` (``groups_per_year=0``,
  ``recruitment_years = accrual_months / 12``);
* every participant is followed until the analysis date, ``accrual_months +
  follow_up_months`` after the first start (the data are cut there: later spells,
  assessments, sessions and dropouts are not yet known), or for at most
  ``max_follow_up_months`` from their own start;
* ``dropout_per_month``, ``loss_per_month`` and ``waves_months`` set
  ``dropout_rate_per_month``, ``ltfu_rate_per_month`` and ``waves_months``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.units import DAYS_PER_MONTH
from kow_research.data.study import Study
from kow_research.design.results import SampleSizeResult
from kow_research.synthetic.params import get_params
from kow_research.synthetic.simulate import simulate_study

#: simulator parameters that the design sets itself (give them as design fields instead)
CONTROLLED = {"log_hr_programme": "hr", "groups_per_year": "accrual_months",
              "recruitment_years": "accrual_months", "followup_months": "follow_up_months",
              "n": "arms"}


def _positive(name: str, value: Any, *, allow_zero: bool = False, hint: str = "") -> float:
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if not (ok and math.isfinite(v) and (v > 0 or (allow_zero and v == 0))):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a number {bound}; got {value!r}"
                         + (f" ({hint})" if hint else ""))
    return v


@dataclass(frozen=True)
class TrialDesign:
    """A two-arm effect study to simulate.

    Parameters
    ----------
    arms : mapping of str to int
        Exactly two arms, programme first and comparator second, with their numbers of
        participants, e.g. ``{"KOW": 150, "CAU": 150}``.
    hr : float, default 1
        Hazard ratio of the first regular paid job, programme versus comparator, conditional
        on the simulator's baseline covariates (``log_hr_programme``); 1 is no effect.
    cohort : str, default "KOW"
        The simulator whose population both arms are drawn from (KOW, IPS, TAU, GOW).
    accrual_months : float, default 12
        Length of recruitment; starts are uniform over it.
    follow_up_months : float, default 12
        Follow-up after the last participant entered: the analysis is at ``accrual_months +
        follow_up_months`` after the first start.
    max_follow_up_months : float, optional
        Planned follow-up per participant from their own start (None: until the analysis).
    dropout_per_month, loss_per_month : float, optional
        Hazards of dropout (during the programme; a competing event) and of loss to
        follow-up (censoring), per month; None keeps the cohort's values.
    waves_months : sequence of int, optional
        Months of the ladder assessments (None keeps the cohort's waves).
    horizon_months : float, optional
        Time to paid work is censored this many months after the start.
    randomised : bool, default True
        Randomised: both arms come from the same population. Otherwise the comparator arm
        also gets ``confounding``.
    confounding : mapping, optional
        Simulator parameters of the comparator's population in a non-randomised design, e.g.
        ``{"age_mean": 44.0, "months_out_median": 40.0}``.
    overrides : mapping, optional
        Further simulator parameters for both arms (see
        :class:`~kow_research.synthetic.CohortParams`).

    Raises
    ------
    ValueError
        For a wrong number of arms, a non-positive size or rate, confounding in a randomised
        design, an unknown simulator parameter or one the design sets itself.

    Examples
    --------
    >>> d = TrialDesign(arms={"KOW": 150, "CAU": 150}, hr=0.7, accrual_months=12,
    ...                 follow_up_months=12)
    >>> d.index, d.comparator, d.n_total, d.allocation
    ('KOW', 'CAU', 300, 0.5)
    >>> d.with_n(200).arms
    {'KOW': 100, 'CAU': 100}
    """

    arms: Mapping[str, int]
    hr: float = 1.0
    cohort: str = "KOW"
    accrual_months: float = 12.0
    follow_up_months: float = 12.0
    max_follow_up_months: float | None = None
    dropout_per_month: float | None = None
    loss_per_month: float | None = None
    waves_months: Sequence[int] | None = None
    horizon_months: float | None = None
    randomised: bool = True
    confounding: Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        arms = dict(self.arms)
        if len(arms) != 2:
            raise ValueError(f"arms must name exactly two arms (programme first, comparator "
                             f"second), e.g. {{'KOW': 150, 'CAU': 150}}; got {arms!r}")
        for name, n in arms.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"arm names must be non-empty text; got {name!r}")
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
                raise ValueError(f"arm {name!r}: the number of participants must be a whole "
                                 f"number >= 2; got {n!r}")
        object.__setattr__(self, "arms", {k: int(v) for k, v in arms.items()})
        _positive("hr", self.hr, hint="a hazard ratio; 1 is no effect")
        days = _positive("accrual_months", self.accrual_months) * DAYS_PER_MONTH
        if round(days) < 1:
            raise ValueError(f"accrual_months={self.accrual_months!r} is shorter than a day")
        _positive("follow_up_months", self.follow_up_months, allow_zero=True)
        for name in ("max_follow_up_months", "horizon_months"):
            if getattr(self, name) is not None:
                _positive(name, getattr(self, name), hint="months")
        for name in ("dropout_per_month", "loss_per_month"):
            if getattr(self, name) is not None:
                _positive(name, getattr(self, name), allow_zero=True, hint="a hazard per month")
        if self.waves_months is not None:
            waves = tuple(int(w) for w in self.waves_months)
            if not waves or waves[0] != 0 or list(waves) != sorted(set(waves)):
                raise ValueError(f"waves_months must start at 0 and increase; got "
                                 f"{self.waves_months!r}")
            object.__setattr__(self, "waves_months", waves)
        object.__setattr__(self, "confounding", dict(self.confounding))
        object.__setattr__(self, "overrides", dict(self.overrides))
        if self.randomised and self.confounding:
            raise ValueError("confounding describes how the comparator's people differ in a "
                             "non-randomised design; set randomised=False or leave it out")
        for what in ("overrides", "confounding"):
            bad = sorted(set(getattr(self, what)) & set(CONTROLLED))
            if bad:
                raise ValueError(f"{what} sets {bad}, which the design sets itself: use "
                                 f"{sorted({CONTROLLED[b] for b in bad})} instead")
        get_params(self.cohort, **{**self.overrides, **self.confounding})   # unknown names

    # -- derived -----------------------------------------------------------------------------
    @property
    def index(self) -> str:
        """Name of the programme arm."""
        return next(iter(self.arms))

    @property
    def comparator(self) -> str:
        """Name of the comparator arm."""
        return list(self.arms)[1]

    @property
    def n_index(self) -> int:
        """Participants in the programme arm."""
        return self.arms[self.index]

    @property
    def n_comparator(self) -> int:
        """Participants in the comparator arm."""
        return self.arms[self.comparator]

    @property
    def n_total(self) -> int:
        """Participants in both arms."""
        return self.n_index + self.n_comparator

    @property
    def allocation(self) -> float:
        """Fraction of participants in the programme arm."""
        return self.n_index / self.n_total

    @property
    def analysis_month(self) -> float:
        """Months from the first start to the analysis (the data cut)."""
        return float(self.accrual_months) + float(self.follow_up_months)

    def with_n(self, n_total: int) -> TrialDesign:
        """The same design with ``n_total`` participants split in the same ratio (the
        programme arm rounded to the nearest whole number)."""
        n = int(n_total)
        n_i = int(round(n * self.allocation))
        return replace(self, arms={self.index: n_i, self.comparator: n - n_i})

    def as_dict(self) -> dict[str, Any]:
        """Plain values of every field (for ``attrs``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = dict(v) if isinstance(v, Mapping) else (
                list(v) if isinstance(v, tuple) else v)
        return out

    def simulator_overrides(self, arm: str, *, hr: float | None = None) -> dict[str, Any]:
        """The keyword arguments of :func:`~kow_research.simulate_study` for ``arm``.

        Parameters
        ----------
        arm : str
            One of the two arms.
        hr : float, optional
            The hazard ratio to build in (default the design's ``hr``).

        Returns
        -------
        dict
        """
        if arm not in self.arms:
            raise ValueError(f"unknown arm {arm!r}; the arms are {list(self.arms)}")
        effect = self.hr if hr is None else _positive("hr", hr)
        out: dict[str, Any] = dict(self.overrides)
        if arm == self.comparator and not self.randomised:
            out.update(self.confounding)
        out.update(log_hr_programme=math.log(effect) if arm == self.index else 0.0,
                   groups_per_year=0, recruitment_years=float(self.accrual_months) / 12.0,
                   followup_months=float(self.max_follow_up_months or self.analysis_month))
        for field_name, param in (("dropout_per_month", "dropout_rate_per_month"),
                                  ("loss_per_month", "ltfu_rate_per_month"),
                                  ("waves_months", "waves_months")):
            if getattr(self, field_name) is not None:
                out[param] = getattr(self, field_name)
        return out

    def cut_date(self) -> pd.Timestamp:
        """The analysis date: ``accrual_months + follow_up_months`` after the first start."""
        first = pd.Timestamp(get_params(self.cohort, **self.overrides).first_start)
        return first + pd.Timedelta(days=round(self.analysis_month * DAYS_PER_MONTH))


def seed_integer(seed: np.random.SeedSequence, key: int) -> int:
    """A 128-bit integer seed for stream ``key`` below ``seed`` (without spawning from it, so
    the same ``seed`` always gives the same children)."""
    child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, key))
    words = child.generate_state(4, dtype=np.uint32)
    return int(sum(int(w) << (32 * i) for i, w in enumerate(words)))


def data_cut(study: Study, date: pd.Timestamp) -> Study:
    """What is known on ``date``: follow-up ends there at the latest, and spells, assessments,
    sessions and dropouts after it are not yet known (a spell running then is ongoing)."""
    p = study.participants.copy()
    p["end_of_followup"] = p["end_of_followup"].where(p["end_of_followup"] <= date, date)
    late = p["dropout_date"] > date
    p["dropout_date"] = p["dropout_date"].mask(late)
    p["dropout_reason"] = p["dropout_reason"].mask(late)
    s = study.spells[study.spells["start_date"] <= date].copy()
    s["end_date"] = s["end_date"].mask(s["end_date"] > date)
    return Study(participants=p, spells=s.reset_index(drop=True),
                 ladder=study.ladder[study.ladder["assessment_date"] <= date]
                 .reset_index(drop=True),
                 sessions=study.sessions[study.sessions["session_date"] <= date]
                 .reset_index(drop=True),
                 meta=study.meta)


def combine_arms(arms: Sequence[tuple[str, Study]]) -> Study:
    """One study of the arms, each arm's name in ``cohort`` (ids are unique by prefix)."""
    parts = {}
    for table in ("participants", "ladder", "spells", "sessions"):
        frames = [s.tables[table] for _, s in arms]
        parts[table] = pd.concat(frames, ignore_index=True)
    cohort = np.concatenate([np.full(len(s.participants), name, dtype=object)
                             for name, s in arms])
    parts["participants"]["cohort"] = pd.array(cohort, dtype="string")
    for col in ("sex", "diagnosis_group", "benefit", "education", "dropout_reason"):
        first = arms[0][1].participants[col].dtype
        if isinstance(first, pd.CategoricalDtype):
            parts["participants"][col] = parts["participants"][col].astype(first)
    return Study(**parts, meta={"simulated": True, "arms": [name for name, _ in arms]})


def simulate_arm(design: TrialDesign, arm: str, *, seed: int, hr: float | None = None,
                 n: int | None = None) -> Study:
    """One arm of ``design`` from the cohort simulator (ids prefixed with the arm's name)."""
    return simulate_study(design.cohort, n=design.arms[arm] if n is None else n, seed=seed,
                          id_prefix=arm, **design.simulator_overrides(arm, hr=hr))


def simulate_trial(design: TrialDesign, *, seed: int | np.random.SeedSequence = 1,
                   hr: float | None = None) -> Study:
    """Simulate one trial of ``design``: both arms, cut at the analysis date.

    The programme arm uses stream 0 below ``seed`` and the comparator arm stream 1 (see
    :func:`seed_integer`), so the comparator arm does not depend on ``hr``: the trial with
    ``hr=1`` (the null) differs from the trial with the design's effect only in the
    programme arm's times to paid work (common random numbers).

    Parameters
    ----------
    design : TrialDesign
    seed : int or numpy.random.SeedSequence, default 1
        An int is ``SeedSequence(seed)``.
    hr : float, optional
        Build in this hazard ratio instead of the design's.

    Returns
    -------
    Study
        Both arms, ``cohort`` holding the arm's name; ``meta["arms"]`` names them.

    References
    ----------
    Lachin JM, Foulkes MA (1986). Evaluation of sample size and power for analyses of
    survival with allowance for nonuniform patient entry, losses to follow-up, noncompliance,
    and stratification. *Biometrics* 42:507-519 (uniform entry, analysis at a fixed date).

    Examples
    --------
    >>> d = TrialDesign(arms={"KOW": 40, "CAU": 40}, hr=0.7)
    >>> study = simulate_trial(d, seed=3)
    >>> study.participants["cohort"].value_counts().to_dict()
    {'KOW': 40, 'CAU': 40}
    >>> bool((study.participants["end_of_followup"] <= d.cut_date()).all())
    True
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    arms = [(design.index, simulate_arm(design, design.index, seed=seed_integer(ss, 0), hr=hr)),
            (design.comparator, simulate_arm(design, design.comparator,
                                             seed=seed_integer(ss, 1)))]
    return data_cut(combine_arms(arms), design.cut_date())


#: simulator parameters that make the cohort's hazards those of the analytic formulas:
#: no covariate effects (a homogeneous population) and no slower first months
HOMOGENEOUS: dict[str, Any] = {
    "beta_smi": 0.0, "beta_age_per_10y": 0.0, "beta_log_months_out": 0.0, "beta_rung": 0.0,
    "beta_dose": 0.0, "beta_diagnosis": (0.0,) * 8, "beta_dropout_smi": 0.0,
    "beta_dropout_addiction": 0.0}


def trial_design_from(result: SampleSizeResult, *, cohort: str = "KOW",
                      arms: Sequence[str] = ("KOW", "CAU"), homogeneous: bool = False,
                      horizon_months: float | None = None,
                      overrides: Mapping[str, Any] | None = None) -> TrialDesign:
    """The simulated trial that matches an analytic time-to-event design.

    The arms get the result's numbers of participants; ``hr``, accrual, follow-up and loss
    to follow-up are the result's; the control arm's hazard of paid work becomes the
    simulator's ``job_rate_per_month`` (the hazard of its reference person), the competing
    hazard its dropout rate, acting over the whole follow-up (``programme_months``) as the
    formulas assume, and ``early_job_factor = 1`` (no slower first months). With
    ``homogeneous=True`` the covariates have no effect either, so the simulated hazards
    are exactly the exponential ones of the formula; otherwise the cohort's case mix makes
    the population heterogeneous, which an analytic formula ignores.

    Parameters
    ----------
    result : SampleSizeResult
        From :func:`~kow_research.design.sample_size` with ``outcome="time"`` or
        ``"competing_cause_specific"`` (the simulator builds in a cause-specific hazard
        ratio).
    cohort : str, default "KOW"
        The simulator.
    arms : sequence of str, default ("KOW", "CAU")
        Names of the programme and the comparator arm.
    homogeneous : bool, default False
        No covariate effects (see above).
    horizon_months : float, optional
        Time to paid work censored this many months after the start (the analytic formulas
        have no horizon: with one, only the simulation answers the design question).
    overrides : mapping, optional
        Further simulator parameters.

    Returns
    -------
    TrialDesign

    Raises
    ------
    ValueError
        For an outcome the simulator cannot reproduce (a proportion, the ladder, a
        subdistribution hazard ratio).

    References
    ----------
    Lachin JM, Foulkes MA (1986). *Biometrics* 42:507-519. Pintilie M (2002). Dealing with
    competing risks: testing covariates and calculating sample size. *Stat Med*
    21:3317-3324.

    Examples
    --------
    >>> from kow_research.design import sample_size
    >>> res = sample_size(outcome="competing_cause_specific", hr=0.6, hazard_control=0.05,
    ...                   competing_hazard=0.02, accrual=12, follow_up=12)
    >>> d = trial_design_from(res, homogeneous=True)
    >>> d.arms, d.hr, d.dropout_per_month, d.overrides["job_rate_per_month"]
    ({'KOW': 142, 'CAU': 142}, 0.6, 0.02, 0.05)
    """
    if result.outcome not in ("time", "competing_cause_specific"):
        raise ValueError(f"outcome {result.outcome!r} cannot be simulated as a trial: the "
                         "cohort simulator builds in a cause-specific hazard ratio of paid "
                         "work (use outcome='time' or 'competing_cause_specific')")
    names = list(arms)
    if len(names) != 2:
        raise ValueError(f"arms must name the programme and the comparator arm; got {names}")
    a = result.attrs
    months = float(a["accrual"]) + float(a["follow_up"])
    over: dict[str, Any] = {"job_rate_per_month": float(a["hazard_control"]),
                            "early_job_factor": 1.0, "programme_months": months,
                            **(HOMOGENEOUS if homogeneous else {}), **dict(overrides or {})}
    return TrialDesign(arms={names[0]: result.n_treated, names[1]: result.n_control},
                       hr=float(a["hr"]), cohort=cohort, accrual_months=float(a["accrual"]),
                       follow_up_months=float(a["follow_up"]),
                       dropout_per_month=float(a.get("competing_hazard", 0.0)),
                       loss_per_month=float(a.get("loss_hazard", 0.0)),
                       horizon_months=horizon_months, overrides=over)
