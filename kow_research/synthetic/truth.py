"""The true programme effect built into the simulators (for checking comparison methods).

Only ``log_hr_programme`` differs between "the same people in programme A" and "in programme
B": simulating the same cohort (same seed, so the same baseline, dropout, sessions and the same
exponential draws) with the other programme's ``log_hr_programme`` gives each person's
counterfactual time to the first regular job. The difference in the share employed by a horizon
is therefore the true effect *in that population* (an ATT when the population is the treated
cohort), free of simulation noise between the two arms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kow_research.core.compat import positional_deprecated
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.synthetic.params import get_params
from kow_research.synthetic.simulate import simulate_study


@dataclass(frozen=True)
class TrueEffect:
    """True effect of ``cohort``'s programme against ``reference``'s in ``cohort``'s people."""

    cohort: str
    reference: str
    log_hr: float            # conditional log hazard ratio of the first regular job
    horizon_months: float
    risk_treated: float      # share with a regular job by the horizon under the own programme
    risk_reference: float    # the same people under the reference programme
    n: int

    @property
    def hazard_ratio(self) -> float:
        """Conditional hazard ratio exp(log_hr)."""
        return float(np.exp(self.log_hr))

    @property
    def risk_difference(self) -> float:
        """risk_treated - risk_reference."""
        return self.risk_treated - self.risk_reference

    @property
    def risk_ratio(self) -> float:
        """risk_treated / risk_reference."""
        return self.risk_treated / self.risk_reference


def _risk(study: Any, months: float) -> float:
    p = study.participants.set_index("participant_id")
    paid = study.spells[study.spells["kind"] == "regular_paid"]
    first = paid.groupby("participant_id", observed=True)["start_date"].min()
    days = (first - p["start_date"].reindex(first.index)).dt.days
    return float((days <= months * DAYS_PER_MONTH).sum() / len(p))


@positional_deprecated("reference", "n", "seed", "horizon_months")
def true_effect(cohort: str = "KOW", *, reference: str = "IPS", n: int = 200_000,
                seed: int = 1, horizon_months: float = 12.0, **overrides: Any) -> TrueEffect:
    r"""Compute the true effect of ``cohort``'s programme versus ``reference``'s.

    Both arms are ``cohort``'s people, simulated with the same seed: once with its own
    ``log_hr_programme`` and once with ``reference``'s, so that only the job hazard differs,

    .. math::

        \log \mathrm{HR} = \beta_{prog}(\text{cohort}) - \beta_{prog}(\text{reference}),
        \qquad \mathrm{RD}(h) = \frac{1}{n}\sum_i \bigl[1\{T_i^{(1)} \le h\} -
        1\{T_i^{(0)} \le h\}\bigr],

    with :math:`T_i^{(1)}, T_i^{(0)}` person :math:`i`'s time to the first regular job under
    the two programmes (a marginal effect in ``cohort``'s population, an ATT when that is
    the treated cohort).

    Parameters
    ----------
    cohort : {"KOW", "IPS", "TAU", "GOW"}, default "KOW"
        The programme whose effect is wanted, and whose people make up the population.
    reference : {"KOW", "IPS", "TAU", "GOW"}, default "IPS"
        The programme it is compared with.
    n : int, default 200,000
        Size of the Monte-Carlo population (the counterfactual pair is coupled, so the
        difference is precise even when n is moderate).
    seed : int, default 1
        Seed of both simulations.
    horizon_months : float, default 12
        Horizon of the risks, in months.
    **overrides : dict, optional
        Parameters of ``cohort`` (as in :func:`simulate_study`) defining its population.

    Returns
    -------
    TrueEffect
        The conditional log hazard ratio and the two marginal risks by the horizon.

    Examples
    --------
    >>> te = true_effect("KOW", reference="IPS", n=2000, seed=1)
    >>> round(te.log_hr, 2), round(te.hazard_ratio, 4)    # 0.30 - 0.73, exp(-0.43)
    (-0.43, 0.6505)
    >>> te.risk_reference > te.risk_treated               # a lower hazard: fewer jobs by 12
    True
    """
    own = get_params(cohort, **overrides)
    ref = get_params(reference)
    a = simulate_study(cohort, n=n, seed=seed, **overrides)
    b = simulate_study(cohort, n=n, seed=seed, **{**overrides,
                                                  "log_hr_programme": ref.log_hr_programme})
    return TrueEffect(cohort=own.cohort, reference=ref.cohort,
                      log_hr=own.log_hr_programme - ref.log_hr_programme,
                      horizon_months=horizon_months, risk_treated=_risk(a, horizon_months),
                      risk_reference=_risk(b, horizon_months), n=n)
