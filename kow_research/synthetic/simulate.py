"""Seeded simulators of KOW-, IPS-, TAU- and GOW-like cohorts.

A person's path is generated as a process in time, vectorised over persons:

1. baseline characteristics (age, sex, diagnosis, SMI, benefit, education, months out of work,
   baseline rung) and calendar dates (intake, start);
2. sessions attended (KOW: 10 meetings on the yearly schedule; GOW: 8 online sessions in 10
   weeks), whose dose enters the job hazard -- every session the person attends before
   dropping out, whether or not it falls in the records (loss to follow-up ends the records,
   not the attendance, so it does not change the hazard before it);
3. dropout (competing, only during the programme) and loss to follow-up (ends follow-up);
4. the first regular paid job from a piecewise-constant hazard (slower early in a placement year,
   slower after dropout), supported paid work, work-experience placements, volunteer work, and a
   possible second job;
5. participation-ladder assessments at the programme's waves, consistent with the spells
   (6 in regular paid work, 5 in supported work, 4 in a placement or volunteer work, 1-3
   otherwise).

Randomness comes only from ``numpy.random.default_rng(seed)`` with one child generator per
component, so the same seed gives identical frames and global random state is never touched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.units import DAYS_PER_MONTH as MONTH
from kow_research.data.schema import get_schema
from kow_research.data.study import Study
from kow_research.synthetic.mess import inject_mess
from kow_research.synthetic.params import DIAGNOSES, CohortParams, get_params

#: position of "addiction" among the diagnosis groups (its own dropout hazard)
ADDICTION = DIAGNOSES.index("addiction")

_BENEFITS = ("none", "ww", "bijstand", "wia_wao", "wajong", "other")
_EDUCATION = ("low", "middle", "high")
_REASONS = ("health", "motivation", "practical", "moved", "other")
_KOW_TYPES = ("information", "training", "training", "coaching", "training", "coaching",
              "training", "coaching", "training", "coaching")
_KOW_MONTHS = (-0.5, 0, 1, 2, 3, 4, 7, 8, 9, 10)  # Jan info, Feb-Jun, Sep-Dec (no summer)
_GOW_DAYS = (0, 7, 14, 21, 35, 42, 56, 63)          # 8 online sessions in 10 weeks
_COMPONENTS = ("baseline", "calendar", "sessions", "dropout", "ltfu", "jobs", "spells", "ladder",
               "mess")


def _typed(table: str, columns: dict[str, Any]) -> pd.DataFrame:
    """A frame with the canonical dtypes of ``table`` (dictionary column order)."""
    schema = get_schema(table)
    out = {}
    for f in schema.fields:
        values = columns[f.name]
        out[f.name] = pd.Series(values).astype(f.dtype) if f.type != "date" else (
            pd.Series(np.asarray(values, dtype="datetime64[D]").astype("datetime64[ns]")))
    return pd.DataFrame(out)


def _days(origin: np.ndarray, offset_days: np.ndarray) -> np.ndarray:
    """origin (datetime64[D]) + offset in days (float, floored); NaN offsets give NaT."""
    off = np.asarray(offset_days, dtype=float)
    result = np.full(off.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = np.isfinite(off)
    result[ok] = origin[ok] + np.floor(off[ok]).astype(np.int64).astype("timedelta64[D]")
    return result


def _piecewise_time(e: np.ndarray, rates: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Invert a piecewise-constant cumulative hazard.

    ``rates`` (n, k+1) per segment, ``breaks`` (n, k) sorted per row; ``e`` ~ Exp(1).
    Returns the event time (inf when the last rate is 0 and ``e`` is never reached).
    """
    n, k = breaks.shape
    starts = np.concatenate([np.zeros((n, 1)), breaks], axis=1)
    widths = np.diff(np.concatenate([starts, np.full((n, 1), np.inf)], axis=1), axis=1)
    seg_h = np.where(np.isinf(widths), np.inf, rates * np.where(np.isinf(widths), 0, widths))
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(seg_h, axis=1)[:, :-1]], axis=1)
    seg = (cum <= e[:, None]).sum(axis=1) - 1
    rows = np.arange(n)
    rate = rates[rows, seg]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = starts[rows, seg] + (e - cum[rows, seg]) / rate
    return np.where(rate > 0, t, np.inf)


def linear_predictor(p: CohortParams, age: np.ndarray, smi: np.ndarray, diag: np.ndarray,
                     months_out: np.ndarray, rung0: np.ndarray, dose: np.ndarray) -> np.ndarray:
    """Log relative hazard of the first regular paid job (excluding the programme effect)."""
    beta_diag = np.asarray(p.beta_diagnosis)[diag]
    return (p.beta_smi * smi + p.beta_age_per_10y * (age - p.reference_age) / 10
            + p.beta_log_months_out * (np.log1p(months_out) - np.log1p(p.reference_months_out))
            + p.beta_rung * (rung0 - p.reference_rung) + p.beta_dose * (dose - 1.0) + beta_diag)


def _start_dates(p: CohortParams, n: int, rng: np.random.Generator) -> np.ndarray:
    first = np.datetime64(p.first_start, "D")
    span = int(round(365.25 * p.recruitment_years))
    if p.groups_per_year <= 0:  # continuous recruitment (trial randomisation)
        return first + rng.integers(0, span, n).astype("timedelta64[D]")
    n_groups = p.groups_per_year * p.recruitment_years
    group = rng.integers(0, n_groups, n)
    group_start = first + np.round(group * 365.25 / p.groups_per_year).astype("timedelta64[D]")
    return group_start + rng.integers(0, 14, n).astype("timedelta64[D]")


@positional_deprecated("n", "seed")
def simulate_study(cohort: str, *, n: int | None = None, seed: int = 1,
                   id_prefix: str | None = None, mess: dict[str, float] | None = None,
                   **overrides: Any) -> Study:
    """Simulate a cohort as a valid :class:`~kow_research.data.study.Study`.

    Parameters
    ----------
    cohort : {"KOW", "IPS", "TAU", "GOW"}
        Which programme to imitate (see :mod:`kow_research.synthetic.params`).
    n : int, optional
        Number of participants (default: the cohort's published or assumed size: KOW 115,
        IPS 70, TAU 81, GOW 60).
    seed : int, default 1
        Seed of the random generator; the same seed gives identical frames.
    id_prefix : str, optional
        Prefix of participant ids (default the cohort code: ``KOW-000001``).
    mess : dict, optional
        Inject realistic data problems for testing, e.g. ``{"missing_waves": 0.1,
        "late_assessments": 0.05, "duplicate_rows": 0.01, "entry_errors": 0.01}`` (fractions);
        see :func:`kow_research.synthetic.mess.inject_mess`. The injected problems are listed
        in ``study.meta["injected"]``.
    **overrides : dict, optional
        Any field of :class:`~kow_research.synthetic.params.CohortParams`.

    Returns
    -------
    Study
        Four tables in canonical dtypes; ``meta`` holds the parameters and the seed.

    Examples
    --------
    >>> study = simulate_study("KOW", n=60, seed=1)
    >>> len(study.participants), study.participants["participant_id"].iloc[0]
    (60, 'KOW-000001')
    >>> study.meta["seed"], study.meta["parameters"]["log_hr_programme"]
    (1, 0.3)

    The same seed gives identical frames; changing the programme effect changes the jobs but
    not the people (each component has its own random stream):

    >>> study.spells.equals(simulate_study("KOW", n=60, seed=1).spells)
    True
    >>> other = simulate_study("KOW", n=60, seed=1, log_hr_programme=0.0)
    >>> other.participants.equals(study.participants), other.spells.equals(study.spells)
    (True, False)
    """
    p = get_params(cohort, **overrides)
    n = p.n if n is None else int(n)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    root = np.random.default_rng(seed)
    rngs = dict(zip(_COMPONENTS, root.spawn(len(_COMPONENTS)), strict=True))
    prefix = id_prefix if id_prefix is not None else p.cohort
    width = max(6, len(str(n)))
    ids = np.char.add(f"{prefix}-", np.char.zfill(np.arange(1, n + 1).astype(str), width))

    # 1. baseline ---------------------------------------------------------------------------
    r = rngs["baseline"]
    age = np.clip(np.round(r.normal(p.age_mean, p.age_sd, n)), p.age_min, p.age_max).astype(int)
    u = r.random(n)
    sex = np.where(u < p.p_female, "female", np.where(u < p.p_female + p.p_other_sex, "other",
                                                      "male"))
    diag = r.choice(len(DIAGNOSES), n, p=_norm(p.diagnosis_probs))
    smi = r.random(n) < np.asarray(p.smi_prob)[diag]
    benefit = np.asarray(_BENEFITS)[r.choice(6, n, p=_norm(p.benefit_probs))]
    education = np.asarray(_EDUCATION, dtype=object)[r.choice(3, n, p=_norm(p.education_probs))]
    education[r.random(n) < p.p_education_missing] = None
    months_out = np.minimum(np.round(r.lognormal(np.log(p.months_out_median), p.months_out_sigma,
                                                 n)), p.months_out_max).astype(int)
    rung0 = 1 + r.choice(4, n, p=_norm(p.baseline_rung_probs))

    # calendar ------------------------------------------------------------------------------
    r = rngs["calendar"]
    start = _start_dates(p, n, r)
    intake = start - r.integers(*p.intake_lead_days, n).astype("timedelta64[D]")
    # the last planned assessment lies at the end of the planned follow-up; records are kept a
    # month longer so that it can be made
    planned_end = p.followup_months * MONTH + p.record_extra_days

    # 3. loss to follow-up and dropout --------------------------------------------------------
    ltfu = rngs["ltfu"].exponential(1.0 / p.ltfu_rate_per_month, n) * MONTH if (
        p.ltfu_rate_per_month > 0) else np.full(n, np.inf)
    followup = np.floor(np.minimum(planned_end, np.maximum(ltfu, 1.0)))  # days, >= 1
    r = rngs["dropout"]
    d_rate = p.dropout_rate_per_month * np.exp(p.beta_dropout_smi * smi
                                               + p.beta_dropout_addiction * (diag == ADDICTION))
    dropout_t = r.exponential(1.0, n) / np.maximum(d_rate, 1e-12) * MONTH
    in_programme = (dropout_t < p.programme_months * MONTH) & (d_rate > 0)
    # the dropout that ends attendance happens whether or not it is in the records
    attendance_end = np.where(in_programme, np.floor(dropout_t) + 1, np.inf)
    dropped = in_programme & (dropout_t < followup)
    dropout_t = np.where(dropped, np.floor(dropout_t) + 1, np.inf)  # at least one day in
    reason = np.asarray(_REASONS, dtype=object)[r.choice(5, n, p=_norm(p.dropout_reason_probs))]

    # 2. sessions (dose) --------------------------------------------------------------------
    sessions, dose = _sessions(p, ids, start, followup, attendance_end, rngs["sessions"])

    # 4. jobs and other spells --------------------------------------------------------------
    lp = linear_predictor(p, age, smi, diag, months_out, rung0, dose) + p.log_hr_programme
    lam = p.job_rate_per_month * np.exp(lp) / MONTH  # per day
    early = p.early_months * MONTH
    b1 = np.minimum(early, dropout_t)
    b2 = np.maximum(early, dropout_t)
    early_first = early <= dropout_t
    f_e, f_d = p.early_job_factor, p.post_dropout_factor
    rates = np.stack([lam * f_e,
                      np.where(early_first, lam, lam * f_e * f_d),
                      lam * f_d], axis=1)
    breaks = np.stack([b1, np.where(np.isinf(b2), 1e12, b2)], axis=1)
    r = rngs["jobs"]
    job_t = np.floor(_piecewise_time(r.exponential(1.0, n), rates, breaks)) + 1
    spells = _spells(p, ids, start, followup, job_t, dropout_t, rngs["spells"])

    # 5. ladder -----------------------------------------------------------------------------
    ladder = _ladder(p, ids, start, intake, followup, rung0, spells, rngs["ladder"])

    eof = _days(start, followup)
    participants = _typed("participants", {
        "participant_id": ids, "cohort": np.full(n, p.cohort), "region": _regions(p, n, rngs[
            "calendar"]),
        "intake_date": intake, "start_date": start, "end_of_followup": eof, "age": age,
        "sex": sex, "diagnosis_group": np.asarray(DIAGNOSES)[diag], "smi": smi,
        "benefit": benefit, "education": education, "months_out_of_work": months_out,
        "dropout_date": _days(start, np.where(dropped, dropout_t, np.nan)),
        "dropout_reason": pd.Series(reason).where(dropped),
    })
    study = Study(participants=participants, ladder=ladder, spells=_typed("spells", spells),
                  sessions=sessions,
                  meta={"simulated": True, "cohort": p.cohort, "n": n, "seed": seed,
                        "parameters": p.as_dict()})
    if mess:

        study = inject_mess(study, rngs["mess"], **mess)
    return study


def _norm(probs: tuple[float, ...]) -> np.ndarray:
    a = np.asarray(probs, dtype=float)
    if (a < 0).any() or a.sum() <= 0:
        raise ValueError(f"probabilities must be non-negative with a positive sum: {probs}")
    return a / a.sum()


def _regions(p: CohortParams, n: int, r: np.random.Generator) -> np.ndarray:
    regions = ("Utrecht", "Amsterdam", "Rotterdam", "Zwolle", "Eindhoven", "Groningen")
    return np.asarray(regions)[r.integers(0, len(regions), n)]


def _sessions(p: CohortParams, ids: np.ndarray, start: np.ndarray, followup: np.ndarray,
              dropout_t: np.ndarray, r: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The session records (those up to the end of follow-up) and each person's dose: the
    fraction of sessions attended before ``dropout_t`` (the dropout day, recorded or not)."""
    n = len(ids)
    if p.sessions == "none":
        return Study.empty_table("sessions"), np.ones(n)
    if p.sessions == "KOW":
        offsets = np.round(np.asarray(_KOW_MONTHS) * MONTH)
        types = np.asarray(_KOW_TYPES)
    elif p.sessions == "GOW":
        offsets = np.asarray(_GOW_DAYS, dtype=float)
        types = np.full(len(_GOW_DAYS), "online_group")
    else:
        raise ValueError(f"sessions must be 'KOW', 'GOW' or 'none', got {p.sessions!r}")
    k = len(offsets)
    a = p.attend_mean * p.attend_concentration
    b = (1 - p.attend_mean) * p.attend_concentration
    prob = r.beta(a, b, n)
    attended = r.random((n, k)) < prob[:, None]
    off = np.broadcast_to(offsets, (n, k))
    attended &= off < dropout_t[:, None]          # nobody attends after dropping out
    planned = off <= followup[:, None]             # sessions after end of follow-up: unknown
    # the dose of the job hazard counts the sessions attended, recorded or not: were it the
    # recorded ones only, loss to follow-up would lower the hazard before it (by up to
    # exp(-beta_dose)), and the observed data would not be the world of true_effect, which
    # has no loss to follow-up
    dose = attended.sum(axis=1) / k
    rows, cols = np.nonzero(planned)
    frame = _typed("sessions", {
        "participant_id": ids[rows], "session_number": cols + 1, "session_type": types[cols],
        "session_date": _days(start[rows], off[rows, cols]), "attended": attended[rows, cols],
    })
    return frame, dose


def _spells(p: CohortParams, ids: np.ndarray, start: np.ndarray, followup: np.ndarray,
            job_t: np.ndarray, dropout_t: np.ndarray, r: np.random.Generator) -> dict[str, Any]:
    """All spells as columns; times in days from start, kept only if they start in follow-up."""
    n = len(ids)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, str, np.ndarray]] = []
    dur_rate = np.log(2) / (p.job_duration_median_months * MONTH)

    def hours(size: int, lo: float, hi: float) -> np.ndarray:
        return np.clip(np.round(r.normal(p.hours_mean, p.hours_sd, size) * 2) / 2, lo, hi)

    # first regular job and a possible second one
    job_dur = np.floor(r.exponential(1.0, n) / dur_rate) + p.min_job_days
    parts.append((np.ones(n, bool), job_t, job_t + job_dur, "regular_paid",
                  hours(n, *p.hours_range)))
    gap = np.floor(r.exponential(p.second_job_gap_months * MONTH, n)) + 1
    second = r.random(n) < p.p_second_job
    s2 = job_t + job_dur + gap
    parts.append((second, s2, s2 + np.floor(r.exponential(1.0, n) / dur_rate) + p.min_job_days,
                  "regular_paid", hours(n, *p.hours_range)))
    # supported paid work, only before a first regular job
    sup_t = np.floor(r.exponential(1.0, n) * MONTH / max(p.supported_rate_per_month, 1e-12)) + 1
    sup = sup_t < job_t - p.min_job_days
    sup_end = np.minimum(sup_t + np.floor(r.exponential(p.supported_duration_months * MONTH, n))
                         + p.min_job_days, job_t - 1)
    parts.append((sup, sup_t, sup_end, "supported_paid", hours(n, *p.supported_hours_range)))
    # work-experience placement from start, ends at a job, dropout or after its planned length
    we = r.random(n) < p.p_work_experience
    we_end = np.minimum.reduce([np.full(n, p.work_experience_months * MONTH), job_t - 1,
                                np.where(sup, sup_t - 1, np.inf), dropout_t - 1])
    lo, hi = p.work_experience_hours
    parts.append((we, np.zeros(n), np.maximum(we_end, 0), "work_experience",
                  np.round(r.uniform(lo, hi, n) * 2) / 2))
    # volunteer work some time during follow-up
    vol = r.random(n) < p.p_volunteer
    vol_t = np.floor(r.uniform(0, 1, n) * followup)
    v_mean, v_sd, v_lo, v_hi = p.volunteer_hours
    parts.append((vol, vol_t, vol_t + np.floor(r.exponential(p.volunteer_duration_months * MONTH,
                                                              n)) + p.min_volunteer_days,
                  "volunteer", np.clip(np.round(r.normal(v_mean, v_sd, n)), v_lo, v_hi)))

    pid, st, en, kind, hrs = [], [], [], [], []
    for mask, s, e, k, h in parts:
        # end_of_followup is the last day whose status is known: a spell starting then is seen
        keep = mask & (s <= followup) & np.isfinite(s)
        idx = np.flatnonzero(keep)
        pid.append(idx)
        st.append(s[idx])
        en.append(np.where(e[idx] < followup[idx], e[idx], np.nan))  # ongoing at end: empty
        kind.append(np.full(len(idx), k))
        hrs.append(h[idx])
    who = np.concatenate(pid)
    # whole days, so the ladder (below) sees exactly the dates that are written
    s_all, e_all = np.floor(np.concatenate(st)), np.floor(np.concatenate(en))
    order = np.lexsort((np.concatenate(kind), s_all, who))
    who, s_all, e_all = who[order], s_all[order], e_all[order]
    return {"participant_id": ids[who], "start_date": _days(start[who], s_all),
            "end_date": _days(start[who], e_all), "kind": np.concatenate(kind)[order],
            "hours_per_week": np.concatenate(hrs)[order], "_who": who, "_start": s_all,
            "_end": e_all}


def _ladder(p: CohortParams, ids: np.ndarray, start: np.ndarray, intake: np.ndarray,
            followup: np.ndarray, rung0: np.ndarray, spells: dict[str, Any],
            r: np.random.Generator) -> pd.DataFrame:
    n = len(ids)
    waves = np.asarray(p.waves_months, dtype=float)
    w = len(waves)
    target = waves * MONTH
    jitter = np.round(r.normal(0, p.wave_jitter_days, (n, w)))
    t = np.where(waves[None, :] == 0, (intake - start).astype(float)[:, None],
                 np.round(target[None, :] + jitter))
    observed = (t <= followup[:, None]) & ((waves[None, :] == 0) | (r.random((n, w))
                                                                     >= p.p_missing_wave))
    # status at each wave from the spells: highest rung of any spell covering the date
    status = np.zeros((n, w), dtype=int)
    kind_rung = {"regular_paid": 6, "supported_paid": 5, "work_experience": 4, "volunteer": 4}
    who, s, e = spells["_who"], spells["_start"], spells["_end"]
    e_filled = np.where(np.isnan(e), np.inf, e)
    for kind, kind_level in kind_rung.items():
        m = spells["kind"] == kind
        for j in range(w):  # loop over waves (≤ 4), vectorised over spells
            cover = m & (s <= t[who, j]) & (e_filled >= t[who, j])
            np.maximum.at(status[:, j], who[cover], kind_level)
    gains = np.cumsum(r.random((n, w)) < p.p_rung_gain, axis=1) * (waves[None, :] > 0)
    drift = np.minimum(rung0[:, None] + gains, np.maximum(rung0, 3)[:, None])
    rung = np.where(status > 0, status, drift)
    rung[:, 0] = np.where(waves[0] == 0, np.maximum(rung0, status[:, 0]), rung[:, 0])
    rows, cols = np.nonzero(observed)
    labels = np.asarray([f"T{int(m)}" for m in waves])
    return _typed("ladder", {
        "participant_id": ids[rows], "assessment_date": _days(start[rows], t[rows, cols]),
        "rung": rung[rows, cols], "wave": labels[cols],
    })
