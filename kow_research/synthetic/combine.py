"""Combine several studies (e.g. simulated KOW and IPS cohorts) into one."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kow_research.core.compat import positional_deprecated
from kow_research.data.schema import TABLES
from kow_research.data.study import Study
from kow_research.synthetic.simulate import simulate_study


def combine_studies(*studies: Study) -> Study:
    """Concatenate studies table by table.

    Participant ids must be unique across the studies (simulated cohorts are: ``KOW-000001``,
    ``IPS-000001``); a clash raises a ``ValueError`` rather than silently merging two people.
    Categorical columns keep their dtype when the studies agree on it; ``meta`` becomes
    ``{"combined": [meta of each study]}``.

    Parameters
    ----------
    *studies : Study
        The studies to combine, at least one.

    Returns
    -------
    Study
        One study with every table of the inputs, in the order given.

    Raises
    ------
    ValueError
        If no study is given or a participant id occurs in more than one study.

    Examples
    --------
    >>> a = simulate_study("KOW", n=3, seed=1)
    >>> b = simulate_study("IPS", n=2, seed=2)
    >>> combine_studies(a, b).participants["participant_id"].tolist()
    ['KOW-000001', 'KOW-000002', 'KOW-000003', 'IPS-000001', 'IPS-000002']
    >>> combine_studies(a, a)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: participant_id 'KOW-000001' occurs in more than one study; give each study ...
    """
    if not studies:
        raise ValueError("combine_studies needs at least one study")
    ids = pd.concat([s.participants["participant_id"] for s in studies], ignore_index=True)
    clash = ids[ids.duplicated()]
    if len(clash):
        raise ValueError(f"participant_id {clash.iloc[0]!r} occurs in more than one study; give "
                         "each study its own id prefix")
    frames: dict[str, Any] = {}
    for t in TABLES:
        parts = [s.tables[t] for s in studies if len(s.tables[t])] or [studies[0].tables[t]]
        combined = pd.concat(parts, ignore_index=True)
        for col in combined.columns:  # keep categorical dtypes when categories agree
            dtypes = {str(p[col].dtype) for p in parts if col in p}
            if len(dtypes) == 1 and isinstance(parts[0][col].dtype, pd.CategoricalDtype):
                combined[col] = combined[col].astype(parts[0][col].dtype)
        frames[t] = combined
    meta = {"combined": [s.meta for s in studies]}
    return Study(**frames, meta=meta)


@positional_deprecated("seed")
def simulate_studies(spec: dict[str, int | None] | None = None, *, seed: int = 1,
                     **overrides: Any) -> Study:
    """Simulate several cohorts into one Study.

    Parameters
    ----------
    spec : dict of str to int or None, optional
        Cohort → n (None: the cohort's default n). Default: the report's cohorts,
        ``{"KOW": 115, "IPS": 70, "TAU": 81, "GOW": 60}``.
    seed : int, default 1
        Base seed; cohort ``i`` (in the order of ``spec``) uses ``seed + 1000 * i`` so cohorts
        are independent.
    **overrides : dict, optional
        Parameters passed to every simulator (see :func:`simulate_study`; must be valid for
        all).

    Returns
    -------
    Study
        The cohorts combined by :func:`combine_studies`.

    Examples
    --------
    >>> study = simulate_studies({"KOW": 60, "IPS": 50}, seed=1)
    >>> study.participants["cohort"].value_counts(sort=False).to_dict()
    {'KOW': 60, 'IPS': 50}

    The first cohort is the one :func:`simulate_study` gives with the same seed:

    >>> kow = simulate_study("KOW", n=60, seed=1)
    >>> study.participants.iloc[:60].reset_index(drop=True).equals(kow.participants)
    True
    """

    spec = spec or {"KOW": None, "IPS": None, "TAU": None, "GOW": None}
    return combine_studies(*[simulate_study(c, n=n, seed=seed + 1000 * i, **overrides)
                             for i, (c, n) in enumerate(spec.items())])
