"""The definition of "time to paid work": every choice is a parameter and travels with results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from kow_research.core.checks import check_choice
from kow_research.core.units import TIME_UNITS
from kow_research.data.labels import text
from kow_research.outcomes._common import ORIGINS, paid_kinds

DROPOUT_STRATEGIES: tuple[str, ...] = ("competing", "censor", "ignore")
JOB_AT_ORIGIN: tuple[str, ...] = ("exclude", "event")
#: the ICH E9(R1) strategy for the intercurrent event dropout, by dropout option
ICH_STRATEGIES: dict[str, str] = {
    "competing": "while on treatment (dropout is a competing event)",
    "censor": "hypothetical (as if people could not drop out)",
    "ignore": "treatment policy (dropout ignored, follow-up to its end)",
}
#: the short names of the strategies as a reader reads them (en, nl)
STRATEGY_NAMES: dict[str, tuple[str, str]] = {
    "competing": ("while on treatment", "zolang in het programma (while on treatment)"),
    "censor": ("hypothetical", "hypothetisch"),
    "ignore": ("treatment policy", "behandelbeleid (treatment policy)"),
}


@dataclass(frozen=True)
class TimeToWorkDefinition:
    """How time to paid work is derived (ICH E9(R1) estimand attributes made explicit).

    Attributes
    ----------
    dropout : {"competing", "censor", "ignore"}
        Strategy for the intercurrent event dropout.
    include_supported : bool
        Whether supported paid work (``supported_paid``) counts as paid work.
    min_hours : float or None
        Minimum hours per week of a qualifying spell (spells with unknown hours then do not
        qualify).
    min_days : int
        Minimum duration of a qualifying spell in days (start and end day included); an ongoing
        spell qualifies once observed that long before ``end_of_followup``.
    origin : {"start_date", "intake_date"}
        Time origin (day 0).
    horizon_days : int or None
        Administrative censoring at this many days after the origin.
    unit : {"days", "weeks", "months"}
        Unit of ``time`` (months are 30.4375 days).
    job_at_origin : {"exclude", "event"}
        A qualifying spell that starts on the origin day: ``"exclude"`` (default) treats the
        person as already in paid work at the origin (excluded, counted in the attrition table),
        ``"event"`` counts it as an event at time 0.
    """

    dropout: str = "competing"
    include_supported: bool = False
    min_hours: float | None = None
    min_days: int = 0
    origin: str = "start_date"
    horizon_days: int | None = None
    unit: str = "days"
    job_at_origin: str = "exclude"

    def __post_init__(self) -> None:
        check_choice("dropout", self.dropout, DROPOUT_STRATEGIES)
        check_choice("origin", self.origin, ORIGINS)
        check_choice("unit", self.unit, TIME_UNITS)
        check_choice("job_at_origin", self.job_at_origin, JOB_AT_ORIGIN)
        if self.min_days < 0:
            raise ValueError(f"min_days must be >= 0, got {self.min_days}")
        if self.min_hours is not None and not 0 <= self.min_hours <= 80:
            raise ValueError(f"min_hours must be in [0, 80], got {self.min_hours}")
        if self.horizon_days is not None and self.horizon_days <= 0:
            raise ValueError(f"horizon_days must be positive, got {self.horizon_days}")

    @property
    def kinds(self) -> tuple[str, ...]:
        """Spell kinds that count as paid work."""
        return paid_kinds(self.include_supported)

    @classmethod
    def options(cls) -> tuple[str, ...]:
        """The option names (the keyword arguments of
        :func:`~kow_research.outcomes.time_to_paid_work`, the CLI flags and the notebook
        parameters are these)."""
        return tuple(f.name for f in fields(cls))

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for ``DataFrame.attrs``)."""
        return {**asdict(self), "kinds": list(self.kinds)}

    def estimand(self) -> dict[str, Any]:
        """The estimand attributes (ICH E9(R1)): population, variable, intercurrent event and
        its strategy, summary measure."""
        return {"population": "everyone who started, minus the exclusions of the attrition "
                              "table",
                "variable": f"time from {self.origin} to the first qualifying paid job",
                "intercurrent_event": "dropout", "strategy": ICH_STRATEGIES[self.dropout],
                "dropout_option": self.dropout}

    def strategy_name(self, language: str = "en") -> str:
        """The ICH E9(R1) strategy for dropout in a few words (``"while on treatment"``)."""
        return STRATEGY_NAMES[self.dropout][language == "nl"]

    def text(self, language: str = "en") -> str:
        """One-line description for captions (``language`` "en" or "nl")."""
        nl = language == "nl"
        work = ("betaald werk (regulier" + (" of met ondersteuning" if self.include_supported
                                            else "") + ")") if nl else (
            "paid work (regular" + (" or supported" if self.include_supported else "") + ")")
        extra = []
        if self.min_hours is not None:
            extra.append(f"≥ {self.min_hours:g} {'uur/week' if nl else 'h/week'}")
        if self.min_days:
            extra.append(f"≥ {self.min_days} {'dagen' if nl else 'days'}")
        if extra:
            work += " " + ", ".join(extra)
        origin = {"start_date": ("startdatum", "start date"),
                  "intake_date": ("intakedatum", "intake date")}[self.origin][0 if nl else 1]
        horizon = ""
        if self.horizon_days:
            horizon = (f"; horizon {self.horizon_days} dagen" if nl
                       else f"; horizon {self.horizon_days} days")
        drop = text(f"dropout_{self.dropout}", "nl" if nl else "en")
        at_origin = {
            ("exclude", False): "people already in paid work at the origin, or starting it "
                                "that day, are excluded",
            ("event", False): "a job starting on the origin day counts at day 0; people "
                              "already in paid work are excluded",
            ("exclude", True): "wie bij de start al betaald werk heeft of die dag begint, "
                               "telt niet mee",
            ("event", True): "een baan die op de startdag begint telt op dag 0; wie al "
                             "betaald werk heeft, telt niet mee",
        }[(self.job_at_origin, nl)]
        if nl:
            return f"Tijd tot {work} vanaf {origin}{horizon}; {drop}; {at_origin}."
        return f"Time to {work} from {origin}{horizon}; {drop}; {at_origin}."
