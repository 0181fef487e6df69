"""Parameters of the cohort simulators, one frozen dataclass per programme.

Every default is either taken from a published source (named in the field's comment and in
``SOURCES``) or is an **assumption** of this toolkit — no effect study of Kansen op Werk or Grip
Op Werk exists, so their job-finding parameters are plausible values, not findings. Override any
field with ``simulate_study(cohort, n=..., seed=..., **overrides)``.

Hazards are per month (1 month = 30.4375 days). The hazard of the first regular paid job is

.. math::

    \\lambda_i(t) = \\lambda_0 \\, m(t) \\, \\exp(\\beta_{prog} + x_i^\\top \\beta)

with :math:`m(t)` = ``early_job_factor`` during the first ``early_months`` and
``post_dropout_factor`` after a dropout, and :math:`x_i` the person's baseline covariates
(centred at the reference person: 40 years, 12 months out of work, rung 2, no SMI, depression,
full training dose). ``log_hr_programme`` is the true conditional programme effect against the
traditional vocational rehabilitation reference (TAU, 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

DIAGNOSES = ("anxiety", "depression", "bipolar", "psychosis", "personality", "addiction",
             "burnout", "other")


@dataclass(frozen=True)
class CohortParams:
    """Simulation parameters of one cohort; see the module docstring for the hazard model."""

    cohort: str
    n: int
    description: str
    # calendar ------------------------------------------------------------------------------
    first_start: str = "2021-02-01"     # first start date (time origin)
    groups_per_year: int = 1            # KOW: one yearly group (information meeting in January)
    recruitment_years: int = 3
    followup_months: float = 18.0       # planned follow-up after start
    waves_months: tuple[int, ...] = (0, 6, 12, 18)
    programme_months: float = 12.0      # dropout can only happen while in the programme
    # baseline characteristics --------------------------------------------------------------
    age_mean: float = 38.0
    age_sd: float = 11.0
    age_min: int = 18
    age_max: int = 60
    p_female: float = 0.55
    p_other_sex: float = 0.01
    diagnosis_probs: tuple[float, ...] = (0.22, 0.30, 0.06, 0.08, 0.10, 0.04, 0.14, 0.06)
    smi_prob: tuple[float, ...] = (0.05, 0.10, 0.80, 0.90, 0.40, 0.30, 0.02, 0.10)  # by diagnosis
    benefit_probs: tuple[float, ...] = (0.10, 0.15, 0.45, 0.18, 0.07, 0.05)  # none ww bijstand ...
    education_probs: tuple[float, ...] = (0.35, 0.45, 0.20)
    p_education_missing: float = 0.03
    months_out_median: float = 24.0
    months_out_sigma: float = 0.9
    baseline_rung_probs: tuple[float, ...] = (0.10, 0.35, 0.45, 0.10)  # rungs 1-4 at intake
    # hazard of the first regular paid job ---------------------------------------------------
    job_rate_per_month: float = 0.025   # reference person under TAU (calibrated, see tests)
    log_hr_programme: float = 0.30      # ASSUMPTION for KOW (no effect study exists)
    early_months: float = 6.0
    early_job_factor: float = 0.5       # KOW: during the first half of the placement year
    post_dropout_factor: float = 0.5
    beta_smi: float = -0.40
    beta_age_per_10y: float = -0.15
    beta_log_months_out: float = -0.25  # per log(1 + months) above the reference person's
    beta_rung: float = 0.20             # per baseline rung above the reference person's
    # the reference person of the hazard model (covariates are centred here)
    reference_age: float = 40.0
    reference_months_out: float = 12.0
    reference_rung: int = 2
    beta_dose: float = 0.60             # per fraction of sessions attended below 1
    beta_diagnosis: tuple[float, ...] = (0.10, 0.0, -0.10, -0.30, -0.20, -0.30, 0.30, 0.0)
    # other spells ---------------------------------------------------------------------------
    supported_rate_per_month: float = 0.006
    p_work_experience: float = 1.0      # KOW: every participant starts a placement at start
    work_experience_months: float = 12.0
    work_experience_hours: tuple[float, float] = (12.0, 24.0)
    p_volunteer: float = 0.15
    job_duration_median_months: float = 10.0
    p_second_job: float = 0.4
    hours_mean: float = 22.0
    hours_sd: float = 8.0
    hours_range: tuple[float, float] = (4.0, 40.0)            # paid jobs, hours per week
    supported_hours_range: tuple[float, float] = (4.0, 32.0)
    min_job_days: int = 30              # shortest job / supported spell (days)
    second_job_gap_months: float = 4.0  # mean gap before a second job
    supported_duration_months: float = 6.0
    volunteer_duration_months: float = 4.0
    min_volunteer_days: int = 14
    volunteer_hours: tuple[float, float, float, float] = (8.0, 3.0, 2.0, 24.0)  # mean, sd, range
    # dropout and loss to follow-up ----------------------------------------------------------
    dropout_rate_per_month: float = 0.025
    beta_dropout_smi: float = 0.30
    beta_dropout_addiction: float = 0.50
    dropout_reason_probs: tuple[float, ...] = (0.40, 0.25, 0.15, 0.05, 0.15)
    ltfu_rate_per_month: float = 0.006
    # sessions and ladder --------------------------------------------------------------------
    sessions: str = "KOW"               # "KOW" (10 meetings), "GOW" (8 online), "none"
    attend_mean: float = 0.80           # mean attendance probability (beta distributed)
    attend_concentration: float = 6.0
    p_missing_wave: float = 0.05        # a planned assessment that did not happen (not T0)
    intake_lead_days: tuple[int, int] = (21, 50)  # intake this many days before the start
    record_extra_days: int = 31         # records kept after the planned follow-up
    months_out_max: int = 600
    wave_jitter_days: float = 10.0
    p_rung_gain: float = 0.15           # chance of one rung up between waves without work
    notes: tuple[str, ...] = field(default_factory=tuple)

    def with_overrides(self, **overrides: Any) -> CohortParams:
        """Return a copy with ``overrides``; unknown names raise a ``ValueError``."""
        names = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValueError(f"unknown simulation parameter(s) {unknown} for {self.cohort}; "
                             f"known: {', '.join(sorted(names))}")
        return replace(self, **overrides)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict of every parameter (for ``study.meta``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


KOW = CohortParams(
    cohort="KOW", n=115,
    description="Kansen op Werk: one-year work-experience placement (12-24 h/week) plus the "
                "group training 'Weer aan het werk...!' (10 meetings). Age 18-60, any diagnosis. "
                "Default n = 115 as in the 2013-2015 evaluation (Mors 2015).",
    notes=("Job-finding, dropout and attendance parameters are ASSUMPTIONS: no effect study of "
           "KOW exists and no job-finding figure was published.",),
)

# Dutch IPS trial (Michon et al. 2014): people with severe mental illness, randomised, measured at
# 0, 6, 18 and 30 months; competitive employment within 30 months 44 % (IPS) vs 25 % (TAU).
_TRIAL = dict(
    first_start="2007-03-01", groups_per_year=0, recruitment_years=2, followup_months=30.0,
    waves_months=(0, 6, 18, 30), programme_months=30.0, age_mean=35.0, age_sd=10.0,
    age_min=18, age_max=65, p_female=0.35,
    diagnosis_probs=(0.08, 0.12, 0.12, 0.50, 0.12, 0.02, 0.01, 0.03),
    smi_prob=(0.9, 0.9, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9),
    benefit_probs=(0.05, 0.02, 0.25, 0.40, 0.25, 0.03), months_out_median=48.0,
    baseline_rung_probs=(0.10, 0.40, 0.40, 0.10), early_job_factor=1.0, p_volunteer=0.20,
    sessions="none", dropout_rate_per_month=0.008, ltfu_rate_per_month=0.004,
    beta_dose=0.0, job_duration_median_months=8.0, hours_mean=16.0, hours_sd=7.0,
)
TAU = CohortParams(
    cohort="TAU", n=81,
    description="Traditional vocational rehabilitation, the control arm of the Dutch IPS trial "
                "(Michon et al. 2014): prevocational training and work-experience placements "
                "before a job search. Default n = 81 as in the trial.",
    job_rate_per_month=0.0220, log_hr_programme=0.0, p_work_experience=0.45,
    work_experience_months=9.0, **_TRIAL,  # type: ignore[arg-type]
    notes=("job_rate_per_month calibrated to 25 % competitive employment within 30 months "
           "(Michon et al. 2014); case mix approximates an SMI population (assumption).",),
)
IPS = CohortParams(
    cohort="IPS", n=70,
    description="Individual Placement and Support in the Dutch IPS trial (Michon et al. 2014): "
                "rapid search for competitive work with ongoing support. Default n = 70.",
    job_rate_per_month=0.0220, log_hr_programme=0.73, p_work_experience=0.0,
    work_experience_months=0.0, **_TRIAL,  # type: ignore[arg-type]
    notes=("log_hr_programme calibrated to 44 % vs 25 % competitive employment within 30 "
           "months (Michon et al. 2014).",),
)
GOW = CohortParams(
    cohort="GOW", n=60,
    description="Grip Op Werk: 8 online group (chat) sessions in 10 weeks with a mental-health "
                "professional, for unemployed people on benefits with psychological complaints.",
    first_start="2022-01-10", groups_per_year=6, recruitment_years=2, followup_months=12.0,
    waves_months=(0, 3, 6, 12), programme_months=2.5, age_mean=40.0, age_sd=11.0,
    age_min=18, age_max=67, p_female=0.60,
    diagnosis_probs=(0.30, 0.40, 0.01, 0.01, 0.05, 0.03, 0.15, 0.05),
    smi_prob=(0.02, 0.05, 0.6, 0.8, 0.3, 0.2, 0.01, 0.05),
    benefit_probs=(0.0, 0.35, 0.55, 0.05, 0.0, 0.05), months_out_median=18.0,
    baseline_rung_probs=(0.10, 0.40, 0.40, 0.10), job_rate_per_month=0.025,
    log_hr_programme=0.10, early_job_factor=1.0, p_work_experience=0.0,
    work_experience_months=0.0, p_volunteer=0.15, sessions="GOW", attend_mean=0.70,
    dropout_rate_per_month=0.10, ltfu_rate_per_month=0.02,
    notes=("All outcome parameters are ASSUMPTIONS: the GOW evaluation did not reach its "
           "recruitment target and published no outcome figures.",),
)

DEFAULTS: dict[str, CohortParams] = {"KOW": KOW, "IPS": IPS, "TAU": TAU, "GOW": GOW}

SOURCES = {
    "michon2014": "Michon H, van Busschbach JT, Stant AD, van Vugt MD, van Weeghel J, Kroon H. "
                  "Effectiveness of individual placement and support for people with severe "
                  "mental illness in The Netherlands: a 30-month randomized controlled trial. "
                  "Psychiatr Rehabil J. 2014;37(2):129-136.",
    "mors2015": "Evaluation of Kansen op Werk 2013-2015 (Mors 2015), Trimbos erkende "
                "interventies description (2018).",
}


def get_params(cohort: str, **overrides: Any) -> CohortParams:
    """Return the default parameters of ``cohort`` (KOW, IPS, TAU, GOW) with ``overrides``.

    Parameters
    ----------
    cohort : {"KOW", "IPS", "TAU", "GOW"}
        The programme (case does not matter).
    **overrides : dict, optional
        Fields of :class:`CohortParams` to change.

    Returns
    -------
    CohortParams
        A frozen copy; the defaults in :data:`DEFAULTS` are never changed.

    Raises
    ------
    ValueError
        For an unknown cohort or an unknown parameter name.

    Examples
    --------
    >>> get_params("KOW").n, get_params("ips", n=10).n
    (115, 10)
    >>> get_params("IPS").log_hr_programme - get_params("TAU").log_hr_programme
    0.73
    """
    key = str(cohort).upper()
    if key not in DEFAULTS:
        raise ValueError(f"unknown cohort {cohort!r}; simulators exist for {', '.join(DEFAULTS)}")
    return DEFAULTS[key].with_overrides(**overrides)
