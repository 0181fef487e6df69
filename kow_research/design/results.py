"""The result of an analytic sample size or power calculation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any, TypeVar

import pandas as pd

from kow_research.core import Result, result_class
from kow_research.core.results import format_value

F = TypeVar("F", bound=Callable[..., Any])

#: function name -> function, so that a result can be recomputed with changed assumptions
REGISTRY: dict[str, Callable[..., Any]] = {}

OUTCOME_NAMES = {
    "proportion": "proportion in paid work",
    "time": "time to paid work",
    "competing_subdistribution": "time to paid work, subdistribution hazard (competing dropout)",
    "competing_cause_specific": "time to paid work, cause-specific hazard (competing dropout)",
    "ladder": "participation ladder (proportional odds)",
}


def registered(fn: F) -> F:
    """Register ``fn`` so that :func:`rerun` can call it again with changed arguments."""
    REGISTRY[fn.__name__] = fn
    return fn


@result_class
class SampleSizeResult(Result):
    """Sample size (or power) of a two-arm design, with the assumptions it rests on.

    Attributes
    ----------
    outcome : str
        ``"proportion"``, ``"time"``, ``"competing_subdistribution"``,
        ``"competing_cause_specific"`` or ``"ladder"``.
    solved_for : str
        ``"n"`` (participants for a target power) or ``"power"`` (power for given numbers).
    n_treated, n_control : int
        Participants in the programme and in the control arm.
    power : float
        The target power (``solved_for="n"``) or the power of the given design.
    achieved_power : float
        The power at the rounded numbers (>= ``power`` when solved for n).
    alpha : float
        Significance level of the test.
    table : DataFrame
        One row per arm and a total: ``arm``, ``n`` and outcome-specific columns
        (``proportion``, ``p_event``, ``events``, ``clusters``).
    events : int or None
        Events of interest needed (time-to-event outcomes, solved for n).
    expected_events : float or None
        Events of interest expected with ``n_treated + n_control`` participants.
    distribution : DataFrame or None
        Ladder outcome: the rung distribution per arm (``rung``, ``control``, ``programme``,
        ``pooled``).
    attrs : dict
        Every assumption (plain Python values), the derived quantities (probability of an
        event, design effect) and the calculation that produced the result.
    """

    outcome: str
    solved_for: str
    n_treated: int
    n_control: int
    power: float
    achieved_power: float
    alpha: float
    table: pd.DataFrame
    events: int | None = None
    expected_events: float | None = None
    distribution: pd.DataFrame | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def n_total(self) -> int:
        """Participants in both arms."""
        return self.n_treated + self.n_control

    @property
    def n_per_arm(self) -> tuple[int, int]:
        """``(n_treated, n_control)``."""
        return self.n_treated, self.n_control

    def sentence(self, language: str = "en") -> str:
        """One paragraph for a grant proposal, built from this result.

        Parameters
        ----------
        language : {"en", "nl"}
            English, or Dutch (with decimal commas).

        Returns
        -------
        str
        """
        from kow_research.design.text import sentence

        return sentence(self, language=language)

    def _describe(self) -> str:
        what = OUTCOME_NAMES.get(self.outcome, self.outcome)
        method = self.attrs.get("method")
        head = "sample size" if self.solved_for == "n" else "power"
        events = f", events {self.events}" if self.events is not None else ""
        return (f"{head}, {what}{f' ({method})' if method else ''}: n = {self.n_treated} + "
                f"{self.n_control} = {self.n_total}{events}, power "
                f"{format_value(self.achieved_power, 3)}, alpha {self.alpha:g}")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [("sample size", self.table)]
        if self.distribution is not None:
            tables.append(("rung distribution", self.distribution))
        arguments = dict(self.attrs.get("arguments", {}))
        arguments.pop("power" if self.solved_for == "power" else "n_total", None)
        if arguments.get("cluster_size") is None:
            arguments.pop("icc", None)
            arguments.pop("cluster_cv", None)
        rows = [(k, v) for k, v in arguments.items() if v is not None]
        tables.append(("assumptions", pd.DataFrame(rows, columns=["assumption", "value"])
                       .astype({"value": object})))
        return tables

    def _notes(self) -> list[str]:
        return [self.sentence("en")]


def rerun(result: SampleSizeResult, **changes: Any) -> SampleSizeResult:
    """Repeat the calculation behind ``result`` with some arguments changed."""
    name = result.attrs["function"]
    out = REGISTRY[name](**{**result.attrs["arguments"], **changes})
    assert isinstance(out, SampleSizeResult)
    return out


def arm_table(n_treated: int, n_control: int, **columns: tuple[Any, Any, Any]) -> pd.DataFrame:
    """The per-arm table: ``arm``, ``n`` and, per keyword, (programme, control, total)."""
    data: dict[str, list[Any]] = {"arm": ["programme", "control", "total"],
                                  "n": [n_treated, n_control, n_treated + n_control]}
    for name, values in columns.items():
        data[name] = list(values)
    return pd.DataFrame(data)
