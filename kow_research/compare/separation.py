"""Covariate levels that separate the cohorts in a propensity model: finding them and
merging them (the ``separation="collapse"`` option of
:func:`kow_research.compare.compare_outcomes`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: separation="collapse" merges levels with fewer people than this in either cohort; a level
#: with k people in a cohort is absent from about e^-k of that cohort's resamples (5: 0.7 %)
MIN_LEVEL_COUNT = 5
#: ways of handling covariate levels that separate the cohorts (``separation=`` of
#: compare_outcomes and bootstrap_hazard_ratio, and the study design's ``separation``)
SEPARATION = ("error", "firth", "collapse", "auto")
#: the propensity fit (``fit_propensity_model``'s ``method``) of each ``separation``
SEPARATION_FIT = {"error": "logit", "firth": "firth", "collapse": "logit", "auto": "auto"}


def rare_levels(df: pd.DataFrame, covariates: Sequence[str], t: np.ndarray, *,
                min_count: int = MIN_LEVEL_COUNT) -> list[tuple[str, str, int, int]]:
    """Levels of the categorical (text, categorical, boolean or 0/1) covariates with fewer than
    ``min_count`` people in either cohort: the ones that separate the propensity model.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    covariates : sequence of str
        Propensity-model covariates (numeric ones are skipped).
    t : ndarray
        0/1 treatment indicator, per row of ``df``.
    min_count : int, default :data:`MIN_LEVEL_COUNT`
        Fewest people a level needs in each cohort.

    Returns
    -------
    list of (covariate, level, n_treated, n_control)

    Examples
    --------
    >>> d = pd.DataFrame({"sex": ["f", "m", "other", "f", "m", "m"], "age": range(6)})
    >>> rare_levels(d, ["sex", "age"], np.array([1, 1, 1, 0, 0, 0]), min_count=1)
    [('sex', 'other', 1, 0)]
    """
    out = []
    for c in covariates:
        col = df[c]
        if not _is_categorical(col):
            continue
        values = col.astype(str).to_numpy()
        for lv in _levels(col):
            sel = values == str(lv)
            n1, n0 = int((sel & (t == 1)).sum()), int((sel & (t == 0)).sum())
            if min(n1, n0) < min_count:
                out.append((c, str(lv), n1, n0))
    return out


def _is_categorical(col: pd.Series) -> bool:
    """Text, categorical, boolean or 0/1 numeric: a covariate with levels."""
    if (pd.api.types.is_bool_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype)
            or not pd.api.types.is_numeric_dtype(col.dtype)):
        return True
    return bool(col.isin((0, 1)).all())


def _levels(col: pd.Series) -> list[Any]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.unique())
        return [lv for lv in col.cat.categories if lv in present]
    return sorted(set(col.astype(str)))


def collapse_levels(df: pd.DataFrame, covariates: Sequence[str], t: np.ndarray, *,
                    min_count: int = MIN_LEVEL_COUNT
                    ) -> tuple[pd.DataFrame, list[str], dict[str, dict[str, str]]]:
    """Merge the levels with fewer than ``min_count`` people in either cohort.

    Per covariate, the rare levels are pooled into ``"other"`` (an existing, common
    ``"other"`` level takes them); a pool that is still rare joins the most common level
    (the one with the most people in its smaller cohort). A covariate left with one level
    is dropped from the model. The caller's frame is not changed.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    covariates : sequence of str
        Propensity-model covariates.
    t : ndarray
        0/1 treatment indicator, per row of ``df``.
    min_count : int, default :data:`MIN_LEVEL_COUNT`
        Fewest people a level needs in each cohort.

    Returns
    -------
    (frame, covariates, merged)
        A copy of ``df`` with the merged columns (as text), the covariates left, and per
        merged covariate ``{level: level it joined}``.

    Examples
    --------
    >>> d = pd.DataFrame({"sex": ["f"] * 6 + ["m"] * 6 + ["other"]})
    >>> t = np.array([1, 0] * 6 + [1])
    >>> out, covs, merged = collapse_levels(d, ["sex"], t, min_count=2)
    >>> merged, out["sex"].tolist()[-1], d["sex"].tolist()[-1]
    ({'sex': {'other': 'f'}}, 'f', 'other')
    """
    out = df.copy()
    kept: list[str] = []
    merged: dict[str, dict[str, str]] = {}
    for c in covariates:
        col = df[c]
        if not _is_categorical(col):
            kept.append(c)
            continue
        values = col.astype(str).to_numpy()
        levels = [str(lv) for lv in _levels(col)]
        rare = [lv for lv in levels if _smaller(values == lv, t) < min_count]
        if not rare:
            kept.append(c)
            continue
        common = [lv for lv in levels if lv not in rare]
        pool = np.isin(values, rare)
        if "other" in common or not common or (
                len(rare) > 1 and _smaller(pool, t) >= min_count):
            target = "other"
        else:
            target = max(common, key=lambda lv: _smaller(values == lv, t))
        merged[c] = {lv: target for lv in rare if lv != target}
        out[c] = np.where(pool, target, values)
        if len(set(out[c])) > 1:  # otherwise one level is left: it leaves the model
            kept.append(c)
    return out, kept, merged


def _smaller(sel: np.ndarray, t: np.ndarray) -> int:
    """People selected in the smaller of the two cohorts."""
    return int(min((sel & (t == 1)).sum(), (sel & (t == 0)).sum()))
