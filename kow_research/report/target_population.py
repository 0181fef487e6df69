"""Who a weighted comparison describes: the target population's shares and means beside the
programmes as they are, and where it differs most from the index programme (notebook 06)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kow_research.report.analysis import term_label
from kow_research.report.comparison import Comparison
from kow_research.report.formatting import format_number, format_percent, in_sentence
from kow_research.report.labels import check_language
from kow_research.report.narrative import say


def _profile_value(value: float, *, binary: bool, language: str) -> str:
    """A weighted share or mean of the target population (not a count of people)."""
    if binary:
        return format_percent(value, language=language)
    return format_number(value, language=language, decimals=1)


def _programme_value(row: pd.Series, which: str, policy: Any, language: str) -> str:
    """A programme's own share or mean, hidden (the policy's marker) where fewer than ``k``
    people are behind it, or behind its complement (96 % of 70 gives the 3 without away)."""
    n = int(row[f"n_{which}"])
    if bool(row["binary"]):
        count = int(round(row[f"count_{which}"]))
        if policy.is_small(count) or policy.is_small(n - count) or policy.is_small(n):
            return str(policy.primary_marker)
        return format_percent(count / n, language=language)
    if policy.is_small(n):
        return str(policy.primary_marker)
    return format_number(float(row[which]), language=language, decimals=policy.mean_decimals)


def target_table(comparison: Comparison, *, policy: Any, language: str = "en") -> pd.DataFrame:
    """Who the weighted estimates describe: the target population's shares and means (from
    :meth:`Comparison.target_profile`) beside each programme's own.

    Parameters
    ----------
    comparison : Comparison
        Weighted (not randomised, not imputed).
    policy : DisclosurePolicy
        The programmes' own shares and means are hidden where fewer than ``k`` people are
        behind them.
    language : {"en", "nl"}, default "en"

    Returns
    -------
    pandas.DataFrame
        ``Characteristic``, ``Weighted population (ATO)``, the index programme, the comparator.

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    >>> d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
    >>> from kow_research.report.comparison import prepare_comparison
    >>> c = prepare_comparison(s, design=d, comparator="IPS")
    >>> from kow_research.report.policy import DisclosurePolicy
    >>> t = target_table(c, policy=DisclosurePolicy.default())
    >>> t.columns.tolist()
    ['Characteristic', 'Weighted population (ATO)', 'KOW', 'IPS']
    """
    lang = check_language(language)
    profile = comparison.target_profile()
    rows = []
    for term, r in profile.iterrows():
        rows.append({say("characteristic_column", lang): term_label(str(term), language=lang),
                     say("target_column", lang, estimand=comparison.estimand):
                         _profile_value(float(r["target"]), binary=bool(r["binary"]),
                                        language=lang),
                     comparison.index: _programme_value(r, "index", policy, lang),
                     comparison.comparator: _programme_value(r, "comparator", policy, lang)})
    return pd.DataFrame(rows)


def target_sentence(comparison: Comparison, *, policy: Any, language: str = "en") -> str:
    """Where the target population differs most from the index programme, in words (the
    characteristic with the largest standardised difference).

    Parameters
    ----------
    comparison : Comparison
        Weighted (not randomised, not imputed).
    policy : DisclosurePolicy
    language : {"en", "nl"}, default "en"

    Returns
    -------
    str

    Examples
    --------
    >>> import kow_research as kr
    >>> from kow_research.report.comparison import prepare_comparison
    >>> from kow_research.report.policy import DisclosurePolicy
    >>> from kow_research.synthetic import simulation_design
    >>> s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    >>> d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
    >>> c = prepare_comparison(s, design=d, comparator="IPS")
    >>> target_sentence(c, policy=DisclosurePolicy.default()).split(":")[0]
    'The estimates below are for this weighted population (ATO), not for the KOW participants as they are'
    """
    lang = check_language(language)
    profile = comparison.target_profile()
    term = profile["std_difference"].abs().idxmax()
    r = profile.loc[term]
    key = "nb06_target_text_att" if comparison.estimand == "ATT" else "nb06_target_text"
    return say(key, lang, estimand=comparison.estimand, index=comparison.index,
               comparator=comparison.comparator,
               term=in_sentence(term_label(str(term), language=lang)),
               target=_profile_value(float(r["target"]), binary=bool(r["binary"]),
                                     language=lang),
               value_index=_programme_value(r, "index", policy, lang))


__all__ = ["target_sentence", "target_table"]
