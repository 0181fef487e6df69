"""Study design for an effect study: analytic sample size and power for every outcome of the
toolkit (proportion in paid work, time to paid work, competing dropout, the participation
ladder, cluster delivery) and recruitment forecasting.

Times are in months and hazards per month (a month is ``kow_research.core.DAYS_PER_MONTH``
days); ``allocation`` is the fraction of participants in the programme arm.
"""

from kow_research.design.analytic import (
    events_for_hazard_ratio,
    power,
    power_for_events,
    probability_of_event,
    sample_size,
    sample_size_time,
)
from kow_research.design.cluster import design_effect, inflate_for_clustering
from kow_research.design.competing import (
    probability_of_subdistribution_event,
    sample_size_cause_specific,
    sample_size_subdistribution,
)
from kow_research.design.ordinal import proportional_odds_probabilities, sample_size_ladder
from kow_research.design.proportion import sample_size_proportion
from kow_research.design.recruitment import RecruitmentForecast, recruitment_forecast
from kow_research.design.results import SampleSizeResult

__all__ = [
    "RecruitmentForecast", "SampleSizeResult", "design_effect", "events_for_hazard_ratio", "inflate_for_clustering",
    "power", "power_for_events", "probability_of_event", "probability_of_subdistribution_event",
    "proportional_odds_probabilities", "sample_size", "sample_size_cause_specific",
    "sample_size_ladder", "sample_size_proportion", "sample_size_subdistribution",
    "recruitment_forecast", "sample_size_time",
]

# power by simulation (trials simulated with the cohort simulators, analysed as planned)
from kow_research.design.simulation import power_by_simulation, power_curve  # noqa: E402
from kow_research.design.simulation_results import (  # noqa: E402
    PowerCurveResult,
    SimulationPowerResult,
)
from kow_research.design.trial import (  # noqa: E402
    TrialDesign,
    simulate_trial,
    trial_design_from,
)

__all__ += ["PowerCurveResult", "SimulationPowerResult", "TrialDesign", "power_by_simulation",
            "power_curve", "simulate_trial", "trial_design_from"]
