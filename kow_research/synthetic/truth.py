r"""The true estimands of the simulators, per dropout strategy (for checking comparison methods).

Only ``log_hr_programme`` differs between "the same people in programme A" and "in programme
B": simulating the same cohort (same seed, so the same baseline, dropout, sessions and the same
exponential draws) with the other programme's ``log_hr_programme`` gives each person's
counterfactual time to the first regular job (coupled counterfactuals). Both are simulated in
the world the estimand is defined in, where **everybody is followed to the horizon** (no loss
to follow-up, no administrative end before it), and the outcome is coded as
:func:`kow_research.outcomes.time_to_paid_work` codes it (first regular paid job, any hours and
duration):

* ``"competing"`` (while on treatment): paid work before dropout, :math:`T_1 = J` if
  :math:`J \le D` (a job on the dropout day counts) and dropout (code 2) otherwise;
* ``"censor"`` (hypothetical): the world in which dropout is prevented
  (``dropout_rate_per_month = 0``; so also no lower post-dropout job hazard and no sessions
  missed after dropping out), :math:`T_1 = J^{(\text{no dropout})}`;
* ``"ignore"`` (treatment policy): :math:`T_1 = J` whether or not the person dropped out.

The marginal (cause-specific) hazard ratio is the root of the Efron partial-likelihood score of
a programme indicator on the ``2 n`` counterfactual outcomes censored at the horizon — what a
weighted Cox model in that population estimates with everybody followed to the horizon (with
other censoring the limit of a non-proportional-hazards fit moves a little); the
subdistribution hazard ratio is the same with the people who dropped out kept in the risk set
(Fine-Gray without censoring). Monte Carlo SEs are batch means over 20 batches of people.

In this simulator the training dose, which enters the job hazard from the start, counts the
sessions attended before dropout, recorded or not (:mod:`kow_research.synthetic.simulate`): loss
to follow-up is independent of the job process, so these truths are those of the observed data.
Censoring *at dropout* (the hypothetical strategy estimated by censoring) is still informative:
dropout depends on SMI and addiction, and the dose on when a person dropped out (measured in
``docs/validation.md``).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from kow_research.core.checks import check_choice
from kow_research.core.compat import positional_deprecated
from kow_research.core.results import Result, result_class
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.synthetic.params import get_params
from kow_research.synthetic.simulate import simulate_study

#: dropout strategy -> ICH E9(R1) name of the intercurrent-event strategy
STRATEGIES: dict[str, str] = {"competing": "while on treatment", "censor": "hypothetical",
                              "ignore": "treatment policy"}
_BATCHES = 20


@result_class
class TrueEffect(Result):
    """True effect of ``cohort``'s programme against ``reference``'s in ``cohort``'s people.

    Attributes
    ----------
    table : DataFrame
        Indexed by ``measure`` (``risk_treated``, ``risk_reference``, ``risk_difference``,
        ``risk_ratio``, ``rmst_treated``, ``rmst_reference``, ``rmst_difference``, ``log_hr``,
        ``log_shr``) with ``estimate`` and ``mc_se`` (Monte Carlo SE). Risks: cumulative
        incidence of paid work by the horizon; RMST: restricted mean time free of paid work up
        to ``tau_months``, in days (other causes competing, as
        ``rmst(estimand="event_free_competing")``); ``log_hr``: marginal (cause-specific)
        log hazard ratio over (0, horizon]; ``log_shr``: marginal log subdistribution hazard
        ratio (equal to ``log_hr`` without a competing event).
    conditional_log_hr : float
        ``log_hr_programme(cohort) - log_hr_programme(reference)``, the simulator's
        conditional (per-person) log hazard ratio; not what a marginal analysis estimates.
    """

    cohort: str
    reference: str
    dropout: str
    horizon_months: float
    tau_months: float
    n: int
    conditional_log_hr: float
    table: pd.DataFrame
    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"true effect of {self.cohort} vs {self.reference} in {self.cohort}'s people, "
                f"dropout {self.dropout} ({STRATEGIES[self.dropout]}), "
                f"horizon {self.horizon_months:g} months")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("table", self.table)]

    def _value(self, measure: str) -> float:
        return float(self.table.loc[measure, "estimate"])

    @property
    def risk_treated(self) -> float:
        """Share in paid work by the horizon under the own programme."""
        return self._value("risk_treated")

    @property
    def risk_reference(self) -> float:
        """The same people under the reference programme."""
        return self._value("risk_reference")

    @property
    def risk_difference(self) -> float:
        """risk_treated - risk_reference."""
        return self._value("risk_difference")

    @property
    def risk_ratio(self) -> float:
        """risk_treated / risk_reference."""
        return self._value("risk_ratio")

    @property
    def rmst_difference(self) -> float:
        """Difference in restricted mean days free of paid work up to ``tau_months``."""
        return self._value("rmst_difference")

    @property
    def log_hr(self) -> float:
        """Marginal (cause-specific) log hazard ratio over (0, horizon]."""
        return self._value("log_hr")

    @property
    def hazard_ratio(self) -> float:
        """Marginal (cause-specific) hazard ratio exp(log_hr)."""
        return float(np.exp(self.log_hr))

    @property
    def subdistribution_hazard_ratio(self) -> float:
        """Marginal subdistribution hazard ratio exp(log_shr)."""
        return float(np.exp(self._value("log_shr")))


def _first_job_and_dropout(study: Any) -> tuple[np.ndarray, np.ndarray]:
    """Days from the start to the first regular paid job and to dropout (inf if none)."""
    p = study.participants
    start = p["start_date"].to_numpy(dtype="datetime64[D]")
    paid = study.spells[study.spells["kind"].astype(str) == "regular_paid"]
    first = paid.groupby("participant_id", observed=True)["start_date"].min()
    job = first.reindex(p["participant_id"]).to_numpy(dtype="datetime64[D]")
    drop = p["dropout_date"].to_numpy(dtype="datetime64[D]")
    days = [np.where(np.isnat(x), np.inf, (x - start).astype("timedelta64[D]").astype(float))
            for x in (job, drop)]
    return days[0], days[1]


def _efron_log_hr(time: tuple[np.ndarray, np.ndarray], event: tuple[np.ndarray, np.ndarray]
                  ) -> float:
    """Root of the Efron partial-likelihood score of a binary arm indicator: ``time`` and
    ``event`` are (arm 1, arm 0)."""
    t_all = np.concatenate(time)
    times = np.unique(t_all[np.concatenate(event)])
    at_risk, deaths = [], []
    for t, e in zip(time, event, strict=True):
        ts = np.sort(t)
        at_risk.append(len(ts) - np.searchsorted(ts, times, side="left"))
        deaths.append(np.bincount(np.searchsorted(times, t[e]), minlength=len(times)))
    y1, y0 = (a.astype(float) for a in at_risk)
    d1, d0 = (a.astype(float) for a in deaths)
    d = (d0 + d1).astype(int)
    k = np.repeat(np.arange(len(times)), d)                   # one row per tied event
    frac = (np.arange(len(k)) - np.repeat(np.cumsum(d) - d, d)) / np.repeat(d, d)
    r1, r0 = y1[k] - frac * d1[k], y0[k] - frac * d0[k]

    def score(beta: float) -> float:
        e = np.exp(beta) * r1
        return float(d1.sum() - np.sum(e / (e + r0)))

    return float(optimize.brentq(score, -10, 10, xtol=1e-12))


def _measures(t1: tuple[np.ndarray, np.ndarray], tcs: tuple[np.ndarray, np.ndarray],
              h: float, tau: float) -> dict[str, float]:
    """Every measure from the arms' (treated, reference) times to paid work (inf: never,
    for "competing" never before dropout) and cause-specific observation times."""
    risk = [float(np.mean(t <= h)) for t in t1]
    rmst = [float(np.mean(np.minimum(t, tau))) for t in t1]
    cs_time = (np.minimum(tcs[0], h), np.minimum(tcs[1], h))
    cs_event = ((tcs[0] <= h) & (tcs[0] == t1[0]), (tcs[1] <= h) & (tcs[1] == t1[1]))
    sub_time = (np.minimum(t1[0], h), np.minimum(t1[1], h))
    sub_event = (t1[0] <= h, t1[1] <= h)
    return {"risk_treated": risk[0], "risk_reference": risk[1],
            "risk_difference": risk[0] - risk[1], "risk_ratio": risk[0] / risk[1],
            "rmst_treated": rmst[0], "rmst_reference": rmst[1],
            "rmst_difference": rmst[0] - rmst[1],
            "log_hr": _efron_log_hr(cs_time, cs_event),
            "log_shr": _efron_log_hr(sub_time, sub_event)}


@positional_deprecated("reference", "n", "seed", "horizon_months")
def true_effect(cohort: str = "KOW", *, reference: str = "IPS", n: int = 200_000,
                seed: int = 1, horizon_months: float = 12.0, dropout: str = "ignore",
                tau_months: float | None = None, **overrides: Any) -> TrueEffect:
    r"""Compute the true effect of ``cohort``'s programme versus ``reference``'s, per strategy.

    Both arms are ``cohort``'s people, simulated with the same seed, everybody followed to the
    horizon, once with its own ``log_hr_programme`` and once with ``reference``'s (see the
    module docstring for the three dropout strategies). With :math:`T_i^{(1)}, T_i^{(0)}`
    person :math:`i`'s time to paid work under the two programmes (:math:`\infty` when it
    does not happen, or, with ``"competing"``, comes after dropout),

    .. math::

        F_a(h) = \frac1n \sum_i 1\{T_i^{(a)} \le h\},\qquad
        \mathrm{RD} = F_1(h) - F_0(h),\quad \mathrm{RR} = F_1(h) / F_0(h),\qquad
        \mathrm{RMST}_a = \frac1n \sum_i \min(T_i^{(a)}, \tau),

    and the marginal log (sub)hazard ratio :math:`\beta^*` solves the Efron partial-likelihood
    score of the arm indicator on the :math:`2n` outcomes censored at :math:`h`. These are
    marginal effects in ``cohort``'s population (an ATT when that is the treated cohort).

    Parameters
    ----------
    cohort : {"KOW", "IPS", "TAU", "GOW"}, default "KOW"
        The programme whose effect is wanted, and whose people make up the population.
    reference : {"KOW", "IPS", "TAU", "GOW"}, default "IPS"
        The programme it is compared with.
    n : int, default 200,000
        Size of the Monte-Carlo population (the pair is coupled, so differences are precise
        even when n is moderate; ``table["mc_se"]`` says how precise).
    seed : int, default 1
        Seed of both simulations.
    horizon_months : float, default 12
        Horizon of the risks and hazard ratios, in months.
    dropout : {"ignore", "competing", "censor"}, default "ignore"
        Strategy for dropout, as in :func:`kow_research.outcomes.time_to_paid_work`.
    tau_months : float, optional
        Horizon of the restricted mean (default ``horizon_months``).
    **overrides : dict, optional
        Parameters of ``cohort`` (as in :func:`simulate_study`) defining its population.

    Returns
    -------
    TrueEffect
        ``table`` of measures with Monte Carlo SEs, and the simulator's conditional log HR.

    Examples
    --------
    >>> te = true_effect("KOW", reference="IPS", n=4000, seed=1)
    >>> round(te.conditional_log_hr, 2)                    # 0.30 - 0.73
    -0.43
    >>> te.risk_reference > te.risk_treated                # a lower hazard: fewer jobs by 12
    True
    >>> abs(te.log_hr) < abs(te.conditional_log_hr)        # the marginal HR is closer to 1
    True
    >>> wot = true_effect("KOW", reference="IPS", n=4000, seed=1, dropout="competing")
    >>> wot.risk_treated < te.risk_treated                 # no jobs after dropout counted
    True
    """
    check_choice("dropout", dropout, tuple(STRATEGIES))
    tau_m = horizon_months if tau_months is None else float(tau_months)
    if horizon_months <= 0 or tau_m <= 0:
        raise ValueError(f"horizon_months and tau_months must be positive, got "
                         f"{horizon_months} and {tau_m}")
    own = get_params(cohort, **overrides)
    ref = get_params(reference)
    world = {**overrides, "ltfu_rate_per_month": 0.0,
             "followup_months": max(own.followup_months, horizon_months, tau_m) + 1.0}
    if dropout == "censor":
        world["dropout_rate_per_month"] = 0.0
    t1, tcs = [], []
    for log_hr in (own.log_hr_programme, ref.log_hr_programme):
        study = simulate_study(cohort, n=n, seed=seed, **{**world, "log_hr_programme": log_hr})
        job, drop = _first_job_and_dropout(study)
        if dropout == "competing":
            t1.append(np.where(job <= drop, job, np.inf))
            tcs.append(np.minimum(job, drop))
        else:
            t1.append(job)
            tcs.append(job)
    h, tau = horizon_months * DAYS_PER_MONTH, tau_m * DAYS_PER_MONTH
    est = _measures((t1[0], t1[1]), (tcs[0], tcs[1]), h, tau)
    batches = np.array_split(np.arange(n), min(_BATCHES, n))
    per = pd.DataFrame([_measures((t1[0][b], t1[1][b]), (tcs[0][b], tcs[1][b]), h, tau)
                        for b in batches]) if n >= 2 * _BATCHES else None
    mc_se = (per.std(ddof=1) / np.sqrt(len(per))) if per is not None else pd.Series(
        np.nan, index=list(est))
    table = pd.DataFrame({"estimate": pd.Series(est), "mc_se": mc_se})
    table.index.name = "measure"
    return TrueEffect(cohort=own.cohort, reference=ref.cohort, dropout=dropout,
                      horizon_months=float(horizon_months), tau_months=tau_m, n=int(n),
                      conditional_log_hr=own.log_hr_programme - ref.log_hr_programme,
                      table=table,
                      attrs={"estimand": STRATEGIES[dropout], "dropout": dropout,
                             "population": own.cohort, "seed": seed,
                             "horizon_months": float(horizon_months), "tau_months": tau_m})
