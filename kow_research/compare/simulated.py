"""A simulated non-randomised comparison with a known answer: KOW beside a comparator cohort
that differs in case mix and in the programme effect only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kow_research.outcomes import time_to_paid_work
from kow_research.synthetic import get_params, simulate_study


def comparator_mix() -> dict[str, Any]:
    """The comparator's case mix in :func:`confounded_cohorts`, with IPS's programme effect.

    Younger (mean age 33), more psychosis and personality problems, longer out of work (median
    48 months) and fewer women (40 %) than KOW's participants; the job-finding process is
    KOW's, except the programme's log hazard ratio, which is IPS's.

    Returns
    -------
    dict
        Overrides of :func:`kow_research.synthetic.get_params` for ``simulate_study("KOW")``.

    Examples
    --------
    >>> sorted(comparator_mix())
    ['age_mean', 'diagnosis_probs', 'log_hr_programme', 'months_out_median', 'p_female']
    """
    return dict(age_mean=33.0, diagnosis_probs=(0.12, 0.18, 0.10, 0.30, 0.12, 0.05, 0.08, 0.05),
                months_out_median=48.0, p_female=0.40,
                log_hr_programme=get_params("IPS").log_hr_programme)


def confounded_cohorts(*, n: int, seeds: tuple[int, int] = (1, 2),
                       comparator: Mapping[str, Any] | None = None,
                       labels: tuple[str, str] = ("KOW", "IPS"), column: str = "programme",
                       dropout: str = "ignore") -> pd.DataFrame:
    r"""Time to paid work in two simulated, non-randomised cohorts with a known true effect.

    Both cohorts come from ``simulate_study("KOW")``; the second with the ``comparator``
    overrides (default :func:`comparator_mix`: another case mix and IPS's programme effect).
    The difference between the cohorts' outcomes is then the programme effect plus
    confounding by case mix, and the true effect in KOW's population (the ATT) is what
    :func:`kow_research.synthetic.true_effect` computes (``"KOW"`` against ``reference="IPS"``)
    -- the test bed of the weighted comparisons, their benchmark and their coverage study.

    Parameters
    ----------
    n : int
        Persons per cohort.
    seeds : (int, int), default (1, 2)
        Seeds of the two simulated studies.
    comparator : mapping, optional
        Parameter overrides of the second cohort (default :func:`comparator_mix`).
    labels : (str, str), default ("KOW", "IPS")
        Labels of the two cohorts in ``column`` (and the prefixes of their ids).
    column : str, default "programme"
        Name of the cohort column (pass it as ``treatment=`` to the comparisons).
    dropout : {"competing", "censor", "ignore"}, default "ignore"
        Dropout strategy of :func:`kow_research.outcomes.time_to_paid_work` (default:
        treatment policy, as ``true_effect``).

    Returns
    -------
    DataFrame
        :func:`~kow_research.outcomes.time_to_paid_work` of both cohorts stacked (``time`` in
        days, ``event``), with ``column``, ``age`` as float and ``log_months_out`` =
        :math:`\log(1 + \text{months out of work})`; ``attrs["definition"]`` is the outcome
        definition.

    Examples
    --------
    >>> df = confounded_cohorts(n=200)
    >>> df["programme"].value_counts().sort_index().tolist()
    [200, 200]
    >>> ages = df.groupby("programme")["age"].mean().round(1)
    >>> bool(ages["IPS"] < ages["KOW"])                 # the comparator is younger
    True
    >>> df.attrs["definition"]["dropout"]
    'ignore'
    """
    mix = comparator_mix() if comparator is None else dict(comparator)
    frames = []
    definition = None
    for label, seed, kw in ((labels[0], seeds[0], {}), (labels[1], seeds[1], mix)):
        study = simulate_study("KOW", n=n, seed=int(seed), id_prefix=label, **kw)
        d = time_to_paid_work(study, dropout=dropout)
        definition = d.attrs["definition"]
        d = d.copy()
        d.attrs = {}
        frames.append(d.assign(**{column: label}))
    df = pd.concat(frames, ignore_index=True)
    df["log_months_out"] = np.log1p(df["months_out_of_work"].astype(float))
    df["age"] = df["age"].astype(float)
    df.attrs["definition"] = definition
    return df
