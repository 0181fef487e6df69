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
    seed : int
        Base seed; cohort ``i`` uses ``seed + 1000 * i`` so cohorts are independent.
    **overrides
        Passed to every simulator (must be valid for all).
    """

    spec = spec or {"KOW": None, "IPS": None, "TAU": None, "GOW": None}
    return combine_studies(*[simulate_study(c, n=n, seed=seed + 1000 * i, **overrides)
                             for i, (c, n) in enumerate(spec.items())])
