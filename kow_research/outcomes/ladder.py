"""Participation ladder (Participatieladder) by wave, change from baseline and transitions.

A wave is a target day after the origin (``months × 30.4375``). The rung of a person at a wave
is the assessment nearest to the target inside the wave's window (ties: the earlier one); when
there is none the rung is missing — it is never carried forward or backward. The baseline wave
(month 0) has its own window, by default from 90 days before to 14 days after the origin,
because the baseline assessment is usually made at intake, before the start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.core.results import Result, result_class
from kow_research.core.units import DAYS_PER_MONTH
from kow_research.data.schema import Language, get_schema
from kow_research.data.study import Study
from kow_research.outcomes._common import (
    dates_from_days,
    day_numbers,
    owner_index,
    require_columns,
)
from kow_research.outcomes.ladder_plots import transition_heatmap

DEFAULT_WAVES: dict[str, tuple[int, ...]] = {
    "KOW": (0, 6, 12, 18), "IPS": (0, 6, 18, 30), "TAU": (0, 6, 18, 30), "GOW": (0, 3, 6, 12),
}
RUNGS = (1, 2, 3, 4, 5, 6)


def rung_labels(language: str = "en") -> dict[int, str]:
    """The rungs of the participation ladder with their labels, from the data dictionary.

    Parameters
    ----------
    language : {"en", "nl"}, default "en"
        English or Dutch labels (any other value gives English).

    Returns
    -------
    dict of int to str
        ``{rung: label}`` for rungs 1 (isolated) to 6 (paid work).

    Examples
    --------
    >>> rung_labels()[6], rung_labels("nl")[6]
    ('paid work', 'betaald werk')
    >>> rung_labels()[5]
    'paid work with support'
    """
    lang: Language = "nl" if language == "nl" else "en"
    return {int(k): v for k, v in get_schema("ladder").field("rung").labels(lang).items()}


def _waves_for(study: Study, waves: Sequence[int] | Mapping[str, Sequence[int]] | None
               ) -> dict[str, tuple[int, ...]]:
    cohorts = [str(c) for c in pd.unique(study.participants["cohort"].astype(str))]
    if waves is None:
        out = {}
        for c in cohorts:
            if c in DEFAULT_WAVES:
                out[c] = DEFAULT_WAVES[c]
            else:  # waves named in the data (T0, T6, ...)
                labels = study.ladder["wave"].dropna().astype(str).unique()
                months = sorted({int(w[1:]) for w in labels if w[1:].isdigit()})
                if not months:
                    raise ValueError(f"no default waves for cohort {c!r} and no wave labels in "
                                     "the ladder table; pass waves=[0, 6, 12, ...]")
                out[c] = tuple(months)
        return out
    if isinstance(waves, Mapping):
        missing = [c for c in cohorts if c not in waves]
        if missing:
            raise ValueError(f"waves has no entry for cohort(s) {missing}")
        return {c: tuple(int(m) for m in waves[c]) for c in cohorts}
    return {c: tuple(int(m) for m in waves) for c in cohorts}


def _wave_labels(month: np.ndarray) -> np.ndarray:
    """``T<month>`` labels without a per-row string operation."""
    uniq, inv = np.unique(month, return_inverse=True)
    return np.asarray([f"T{int(m)}" for m in uniq], dtype=object)[inv]


@positional_deprecated("waves", "window_days", "baseline_window", "origin")
def ladder_by_wave(study: Study, *,
                   waves: Sequence[int] | Mapping[str, Sequence[int]] | None = None,
                   window_days: int = 45, baseline_window: tuple[int, int] = (-90, 14),
                   origin: str = "start_date") -> pd.DataFrame:
    r"""Rung per person per wave: the nearest assessment inside the window, missing otherwise.

    Wave :math:`w` of month :math:`m_w` has target day :math:`t_{iw} = O_i +
    \operatorname{round}(30.4375\, m_w)` after the origin :math:`O_i`. Of the assessments
    :math:`a` of person :math:`i` on days :math:`d_a` inside the wave's window
    :math:`W_{iw}` (:math:`|d_a - t_{iw}| \le` ``window_days``, or ``baseline_window`` for
    month 0)

    .. math::

        \text{rung}_{iw} = \text{rung}_{a^*}, \qquad
        a^* = \operatorname*{arg\,min}_{a \in W_{iw}} |d_a - t_{iw}|
        \quad\text{(ties: the earlier assessment)},

    and missing when :math:`W_{iw}` is empty (never carried forward or backward).

    Parameters
    ----------
    study : Study
        A validated study (``participants`` with the origin column, ``ladder``).
    waves : sequence of int or mapping cohort → sequence of int, optional
        Wave months after the origin. Default per cohort: KOW 0/6/12/18, IPS and TAU
        0/6/18/30 (Michon et al. 2014), GOW 0/3/6/12 (baseline + 3 follow-ups); other cohorts:
        the ``T<months>`` labels found in the ladder table.
    window_days : int, default 45
        Half-width of the window around each follow-up wave's target day.
    baseline_window : (int, int), default (-90, 14)
        Window of the baseline wave (month 0), in days relative to the origin.
    origin : {"start_date", "intake_date"}, default "start_date"
        Participants column that is day 0 of the waves.

    Returns
    -------
    pandas.DataFrame
        One row per participant and wave of their cohort: ``participant_id, cohort, wave``
        (``T<months>``), ``wave_month, target_date, assessment_date, days_from_target, rung``
        (``Int64``, missing when no assessment fell in the window). The window rule is in
        ``attrs["definition"]``, its caption in ``attrs["definition_text"]``.

    Raises
    ------
    ValueError
        When ``window_days`` is negative, ``baseline_window`` does not contain day 0, or a
        cohort has no waves (neither a default nor ``T<months>`` labels in the data).

    References
    ----------
    .. [1] Michon H, van Busschbach JT, Stant AD, van Vugt MD, van Weeghel J, Kroon H.
       Effectiveness of individual placement and support for people with severe mental
       illness in The Netherlands: a 30-month randomized controlled trial. Psychiatr Rehabil
       J 2014;37(2):129-136 (the IPS waves 0/6/18/30).

    Examples
    --------
    Three people starting on 2020-01-01; the T6 target is day round(6 × 30.4375) = 183 =
    2020-07-02. A is assessed on 2019-12-15 (day -17, inside the baseline window -90 to +14)
    and on Jul 1 (-1 day from the target); B on 2019-12-01 (-31) and on May 1 (day 121,
    62 days before the target: outside ±45); C only on Jul 10 (+8).

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> ladder = pd.DataFrame({
    ...     "participant_id": ["A", "A", "B", "B", "C"],
    ...     "assessment_date": pd.to_datetime(["2019-12-15", "2020-07-01", "2019-12-01",
    ...                                        "2020-05-01", "2020-07-10"]),
    ...     "rung": [2, 4, 1, 3, 5]})
    >>> study = Study.from_frames(participants=people, ladder=ladder)
    >>> bw = ladder_by_wave(study, waves=[0, 6])
    >>> bw[["participant_id", "wave", "days_from_target", "rung"]]
      participant_id wave  days_from_target  rung
    0              A   T0               -17     2
    1              A   T6                -1     4
    2              B   T0               -31     1
    3              B   T6              <NA>  <NA>
    4              C   T0              <NA>  <NA>
    5              C   T6                 8     5
    """
    require_columns(study, "ladder", ("participant_id", "assessment_date", "rung"))
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    lo0, hi0 = baseline_window
    if lo0 > 0 or hi0 < 0:
        raise ValueError(f"baseline_window must contain day 0, got {baseline_window}")
    per_cohort = _waves_for(study, waves)
    p = study.participants
    cohort = p["cohort"].astype(str).to_numpy()
    o = day_numbers(p[origin])
    n = len(p)
    width = max((len(v) for v in per_cohort.values()), default=0)
    # person × wave-slot table of wave months (padded with -1 where a cohort has fewer waves)
    months = np.full((n, width), -1, dtype=np.int64)
    for c, ws in per_cohort.items():
        months[cohort == c, : len(ws)] = ws
    valid = months >= 0
    target = o[:, None] + np.round(months * DAYS_PER_MONTH)

    lad = study.ladder
    who = owner_index(study, lad)
    day = day_numbers(lad["assessment_date"])
    rung_all = pd.to_numeric(lad["rung"], errors="coerce").to_numpy(dtype=float)
    keep = (who >= 0) & ~np.isnan(day) & ~np.isnan(rung_all)
    who, day, rung_all = who[keep], day[keep], rung_all[keep]
    # each assessment against each wave slot of its person (vectorised, no merge)
    diff = day[:, None] - target[who]
    is_base = months[who] == 0
    inside = valid[who] & np.where(is_base, (diff >= lo0) & (diff <= hi0),
                                   np.abs(diff) <= window_days)
    rows, slots = np.nonzero(inside)
    key = who[rows] * width + slots
    d_in = diff[rows, slots]
    order = np.lexsort((day[rows], np.abs(d_in), key))  # nearest first; ties: the earlier one
    key_sorted = key[order]
    first = np.r_[True, key_sorted[1:] != key_sorted[:-1]] if len(order) else np.zeros(0, bool)
    best = order[first]
    flat_day = np.full(n * width, np.nan)
    flat_diff = np.full(n * width, np.nan)
    flat_rung = np.full(n * width, np.nan)
    flat_day[key[best]] = day[rows[best]]
    flat_diff[key[best]] = d_in[best]
    flat_rung[key[best]] = rung_all[rows[best]]

    person, slot = np.nonzero(valid)
    flat = person * width + slot
    month = months[person, slot]
    out = pd.DataFrame({
        "participant_id": p["participant_id"].to_numpy()[person],
        "cohort": cohort[person],
        "wave": _wave_labels(month),
        "wave_month": month,
        "target_date": dates_from_days(target[person, slot]),
    })
    out["assessment_date"] = dates_from_days(flat_day[flat])
    out["days_from_target"] = pd.array(flat_diff[flat], dtype="Int64")
    out["rung"] = pd.array(flat_rung[flat], dtype="Int64")
    out.attrs["definition"] = {"waves": {c: list(v) for c, v in per_cohort.items()},
                               "window_days": window_days,
                               "baseline_window": list(baseline_window), "origin": origin,
                               "rule": "nearest assessment inside the window; missing otherwise"}
    out.attrs["definition_text"] = {
        "en": f"Rung at each wave: nearest assessment within ±{window_days} days of the target "
              f"(baseline: {lo0} to +{hi0} days); missing otherwise, never carried forward.",
        "nl": f"Trede per meetmoment: dichtstbijzijnde meting binnen ±{window_days} dagen van de "
              f"streefdatum (nulmeting: {lo0} tot +{hi0} dagen); anders ontbrekend, nooit "
              "doorgetrokken.",
    }
    return out


@positional_deprecated("baseline")
def ladder_change(study: Study | pd.DataFrame, *, baseline: str = "T0", **options: Any
                  ) -> pd.DataFrame:
    """Change from baseline at each follow-up wave.

    Parameters
    ----------
    study : Study or DataFrame
        A study (then :func:`ladder_by_wave` is called with ``options``) or its result.
    baseline : str, default "T0"
        The baseline wave label.
    **options : dict, optional
        Passed to :func:`ladder_by_wave` when ``study`` is a Study (``waves``,
        ``window_days``, ``baseline_window``, ``origin``).

    Returns
    -------
    pandas.DataFrame
        One row per person and follow-up wave: ``participant_id, cohort, wave, wave_month,
        rung_baseline, rung, change`` (``rung - rung_baseline``), ``climbed`` (≥ 1 rung up),
        ``reached_5`` (rung ≥ 5, paid work with or without support) and ``reached_6``
        (regular paid work); ``change`` and the three flags are missing when either
        assessment is missing. ``attrs`` are those of the :func:`ladder_by_wave` frame.

    Examples
    --------
    The study of :func:`ladder_by_wave`: A climbs from rung 2 to 4, B has no T6 rung and C
    no baseline rung.

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> ladder = pd.DataFrame({
    ...     "participant_id": ["A", "A", "B", "B", "C"],
    ...     "assessment_date": pd.to_datetime(["2019-12-15", "2020-07-01", "2019-12-01",
    ...                                        "2020-05-01", "2020-07-10"]),
    ...     "rung": [2, 4, 1, 3, 5]})
    >>> study = Study.from_frames(participants=people, ladder=ladder)
    >>> ch = ladder_change(study, waves=[0, 6])
    >>> ch[["participant_id", "rung_baseline", "rung", "change", "climbed", "reached_5"]]
      participant_id  rung_baseline  rung  change  climbed  reached_5
    0              A              2     4       2     True      False
    1              B              1  <NA>    <NA>     <NA>       <NA>
    2              C           <NA>     5    <NA>     <NA>       <NA>
    """
    bw = study if isinstance(study, pd.DataFrame) else ladder_by_wave(study, **options)
    base = bw[bw["wave"] == baseline].set_index("participant_id")["rung"]
    fu = bw[bw["wave"] != baseline].copy()
    fu["rung_baseline"] = base.reindex(fu["participant_id"]).to_numpy()
    fu["rung_baseline"] = fu["rung_baseline"].astype("Int64")
    fu["change"] = fu["rung"] - fu["rung_baseline"]
    fu["climbed"] = (fu["change"] >= 1).astype("boolean")
    fu["reached_5"] = (fu["rung"] >= 5).astype("boolean")
    fu["reached_6"] = (fu["rung"] >= 6).astype("boolean")
    both = fu["rung"].notna() & fu["rung_baseline"].notna()
    for c in ("climbed", "reached_5", "reached_6"):
        fu.loc[~both, c] = pd.NA
    cols = ["participant_id", "cohort", "wave", "wave_month", "rung_baseline", "rung", "change",
            "climbed", "reached_5", "reached_6"]
    out = fu[cols].reset_index(drop=True)
    out.attrs = dict(bw.attrs)
    return out


@result_class
class LadderTransitions(Result):
    """Counts and row proportions of rungs between two waves.

    Attributes
    ----------
    counts : pandas.DataFrame
        6 × 6 counts, rows = rung at ``from_wave``, columns = rung at ``to_wave``.
    proportions : pandas.DataFrame
        Row proportions (rows with no one are missing).
    n_missing : int
        People of the selection without a rung at one of the two waves (not in ``counts``).
    """

    counts: pd.DataFrame
    proportions: pd.DataFrame
    from_wave: str
    to_wave: str
    n_missing: int
    language: str = "en"

    def labelled(self, proportions: bool = False) -> pd.DataFrame:
        """The table with rung labels in ``language``."""
        labels = rung_labels(self.language)
        t = self.proportions if proportions else self.counts
        return t.rename(index=lambda r: f"{r} {labels[r]}", columns=lambda r: f"{r} {labels[r]}")

    attrs: dict[str, Any] = field(default_factory=dict)

    def _describe(self) -> str:
        return (f"participation-ladder transitions {self.from_wave} -> {self.to_wave}: "
                f"{int(self.counts.to_numpy().sum())} people with both rungs, "
                f"{self.n_missing} without")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("counts", self.labelled()), ("proportions", self.labelled(proportions=True))]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Heat map of the transitions (see
        :func:`kow_research.outcomes.ladder_plots.transition_heatmap`);
        returns the Axes."""
        return transition_heatmap(self, ax=ax, **kwargs)


@positional_deprecated("from_wave", "to_wave", "cohort", "language")
def ladder_transitions(study: Study | pd.DataFrame, *, from_wave: str = "T0",
                       to_wave: str = "T12", cohort: str | None = None, language: str = "en",
                       **options: Any) -> LadderTransitions:
    """Transition counts and row proportions between two waves.

    Parameters
    ----------
    study : Study or DataFrame
        A study or the result of :func:`ladder_by_wave`.
    from_wave : str, default "T0"
        Wave label of the rows, e.g. ``"T0"``.
    to_wave : str, default "T12"
        Wave label of the columns, e.g. ``"T12"``.
    cohort : str, optional
        Restrict to one cohort.
    language : {"en", "nl"}, default "en"
        Labels of :meth:`LadderTransitions.labelled`.
    **options : dict, optional
        Passed to :func:`ladder_by_wave` when ``study`` is a Study (``waves``,
        ``window_days``, ``baseline_window``, ``origin``).

    Returns
    -------
    LadderTransitions
        ``counts`` (6 × 6, rows = rung at ``from_wave``, columns = rung at ``to_wave``),
        row ``proportions`` and ``n_missing`` (people without a rung at one or both waves, left
        out of the counts); ``attrs`` keeps the wave definition and the cohort.

    Raises
    ------
    ValueError
        When ``from_wave`` or ``to_wave`` is not a wave of the data.

    Examples
    --------
    The study of :func:`ladder_by_wave`: only A has a rung at both waves (2, then 4).

    >>> import pandas as pd
    >>> from kow_research.data import Study
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "cohort": "KOW",
    ...                        "start_date": pd.Timestamp("2020-01-01")})
    >>> ladder = pd.DataFrame({
    ...     "participant_id": ["A", "A", "B", "B", "C"],
    ...     "assessment_date": pd.to_datetime(["2019-12-15", "2020-07-01", "2019-12-01",
    ...                                        "2020-05-01", "2020-07-10"]),
    ...     "rung": [2, 4, 1, 3, 5]})
    >>> study = Study.from_frames(participants=people, ladder=ladder)
    >>> tr = ladder_transitions(study, from_wave="T0", to_wave="T6", waves=[0, 6])
    >>> int(tr.counts.loc[2, 4]), int(tr.counts.to_numpy().sum()), tr.n_missing
    (1, 1, 2)
    >>> float(tr.proportions.loc[2, 4])  # 1 of the 1 person on rung 2 at T0
    1.0
    """
    bw = study if isinstance(study, pd.DataFrame) else ladder_by_wave(study, **options)
    if cohort is not None:
        bw = bw[bw["cohort"] == cohort]
    for w in (from_wave, to_wave):
        if w not in set(bw["wave"]):
            raise ValueError(f"wave {w!r} not found; waves: {sorted(set(bw['wave']))}")
    a = bw[bw["wave"] == from_wave].set_index("participant_id")["rung"]
    b = bw[bw["wave"] == to_wave].set_index("participant_id")["rung"].reindex(a.index)
    ok = a.notna() & b.notna()
    counts = pd.crosstab(pd.Categorical(a[ok].astype(int), categories=RUNGS),
                         pd.Categorical(b[ok].astype(int), categories=RUNGS), dropna=False)
    counts.index.name, counts.columns.name = from_wave, to_wave
    totals = counts.sum(axis=1)
    props = counts.div(totals.where(totals > 0), axis=0)
    return LadderTransitions(counts=counts, proportions=props, from_wave=from_wave,
                             to_wave=to_wave, n_missing=int((~ok).sum()), language=language,
                             attrs={"definition": dict(bw.attrs.get("definition", {})),
                                    "definition_text": dict(bw.attrs.get("definition_text",
                                                                         {})),
                                    "cohort": cohort})
