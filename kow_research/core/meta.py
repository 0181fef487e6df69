"""The metadata contract of outcome frames: what a frame is, how it was made, who is missing.

An outcome frame (one row per person, e.g. from
:func:`kow_research.outcomes.time_to_paid_work`) carries its definition in
``DataFrame.attrs`` as plain Python values — pandas compares attrs when printing or
concatenating, which fails for DataFrames — and every later stage reads it through
:func:`outcome_meta`, never by poking at keys. Results computed from a frame keep
:meth:`OutcomeMeta.result_attrs` so that captions can say how each number was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: keys of ``DataFrame.attrs`` that belong to the contract
ATTR_KEYS = ("outcome", "definition", "definition_text", "estimand", "attrition", "excluded")


@dataclass(frozen=True)
class OutcomeMeta:
    """Typed view of an outcome frame's ``attrs``.

    Attributes
    ----------
    outcome : str or None
        The measure (``"time_to_paid_work"``, ``"dropout"``, ``"training_dose"``, ...).
    definition : dict
        Every option that defined it (dropout strategy, paid-work kinds, origin, unit, ...).
    definition_text : dict
        ``{"en": ..., "nl": ...}``: the definition as a caption.
    estimand : dict
        The estimand attributes (e.g. the strategy for an intercurrent event in ICH E9(R1)
        terms: ``{"intercurrent_event": "dropout", "strategy": "while on treatment"}``).
    attrition : list of dict
        The participant-flow records (entered, excluded by reason, analysed, outcomes).
    excluded : dict
        Column → list: the people left out with their reason (rows of people: never export).
    """

    outcome: str | None = None
    definition: dict[str, Any] = field(default_factory=dict)
    definition_text: dict[str, str] = field(default_factory=dict)
    estimand: dict[str, Any] = field(default_factory=dict)
    attrition: list[dict[str, Any]] = field(default_factory=list)
    excluded: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """Unit of the duration column (``"days"`` when the definition does not say)."""
        return str(self.definition.get("unit", "days"))

    @property
    def origin(self) -> str | None:
        """Time origin (a participants column), when the definition names one."""
        origin = self.definition.get("origin")
        return None if origin is None else str(origin)

    def caption(self, language: str = "en") -> str:
        """The definition in ``language`` (English when no translation is stored)."""
        return str(self.definition_text.get(language) or self.definition_text.get("en", ""))

    def to_attrs(self) -> dict[str, Any]:
        """Plain values for ``DataFrame.attrs`` (empty entries left out)."""
        out: dict[str, Any] = {}
        if self.outcome is not None:
            out["outcome"] = self.outcome
        for key in ("definition", "definition_text", "estimand", "attrition", "excluded"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out

    def result_attrs(self) -> dict[str, Any]:
        """What a result computed from the frame keeps: outcome, definition, caption and
        estimand (not the flow or the people)."""
        out = self.to_attrs()
        out.pop("attrition", None)
        out.pop("excluded", None)
        return out


def outcome_meta(frame: pd.DataFrame | Mapping[str, Any]) -> OutcomeMeta:
    """The :class:`OutcomeMeta` of an outcome frame (or of an ``attrs`` mapping).

    Parameters
    ----------
    frame : DataFrame or mapping
        A frame whose ``attrs`` follow the contract, or the ``attrs`` themselves; a frame
        without them gives an empty :class:`OutcomeMeta`.

    Returns
    -------
    OutcomeMeta

    Examples
    --------
    >>> df = pd.DataFrame({"time": [1.0]})
    >>> df.attrs = {"outcome": "dropout", "definition": {"unit": "days"}}
    >>> outcome_meta(df).outcome, outcome_meta(df).unit
    ('dropout', 'days')
    """
    attrs = frame.attrs if isinstance(frame, pd.DataFrame) else dict(frame)
    definition = attrs.get("definition")
    text = attrs.get("definition_text")
    if isinstance(text, str):
        text = {"en": text}
    return OutcomeMeta(outcome=attrs.get("outcome"),
                       definition=dict(definition) if isinstance(definition, Mapping) else {},
                       definition_text=dict(text) if isinstance(text, Mapping) else {},
                       estimand=dict(attrs.get("estimand") or {}),
                       attrition=list(attrs.get("attrition") or []),
                       excluded=dict(attrs.get("excluded") or {}))


def with_meta(frame: pd.DataFrame, meta: OutcomeMeta) -> pd.DataFrame:
    """Set ``frame.attrs`` to ``meta`` (in place on the frame the caller owns; returns it)."""
    frame.attrs = meta.to_attrs()
    return frame
