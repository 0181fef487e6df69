"""Checks and preparation of the survival columns shared by every estimator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kow_research.core.checks import check_columns, row_labels
from kow_research.core.compat import warn_deprecated
from kow_research.core.meta import outcome_meta


@dataclass(frozen=True)
class SurvData:
    """Validated arrays: ``time`` ≥ 0, integer ``event`` (0 = censored), positive ``weight``."""

    time: np.ndarray
    event: np.ndarray
    weight: np.ndarray
    entry: np.ndarray | None
    causes: tuple[int, ...]
    weighted: bool

    @property
    def integer_weights(self) -> bool:
        """True when every weight is a whole number (frequency weights)."""
        return bool(np.all(self.weight == np.round(self.weight)))


def weights_array(df: pd.DataFrame, weights: str | Sequence[float] | np.ndarray | pd.Series | None,
                  *, allow_zero: bool = False) -> np.ndarray | None:
    """Case weights from a column name or an array / Series (aligned by position or index).

    Parameters
    ----------
    df : DataFrame
    weights : str, array_like or None
    allow_zero : bool
        Accept weights of 0 (e.g. trimmed persons) — callers then drop those rows.

    Returns
    -------
    ndarray or None
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        check_columns(df, [weights], what="weights column")
        w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float)
        name = weights
    elif isinstance(weights, pd.Series):
        s = weights
        if not s.index.equals(df.index):
            if not df.index.isin(s.index).all():
                raise ValueError("the weights Series' index does not cover the rows of the "
                                 "data; pass weights computed on the same frame")
            s = s.reindex(df.index)
        w = s.to_numpy(dtype=float)
        name = str(s.name or "weights")
    else:
        w = np.asarray(weights, dtype=float)
        name = "weights"
    if w.shape != (len(df),):
        raise ValueError(f"weights have shape {w.shape}; expected one per row ({len(df)},)")
    bad = ~np.isfinite(w) | ((w < 0) if allow_zero else (w <= 0))
    if bad.any():
        rule = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: weights must be finite and {rule}; rows "
                         f"{row_labels(bad, df.index)}")
    return w


def recode_events(e: np.ndarray, event: str, event_codes: Mapping[Any, int] | None,
                  index: pd.Index) -> np.ndarray:
    """Apply ``event_codes`` (raw code → 0 censored / k cause) and refuse ambiguous coding."""
    if event_codes is not None:
        mapping = {float(k): int(v) for k, v in event_codes.items()}
        if any(v < 0 for v in mapping.values()):
            raise ValueError(f"event_codes must map to 0 (censored) or a cause >= 1; got "
                             f"{event_codes}")
        unknown = ~np.isin(e, list(mapping))
        if unknown.any():
            raise ValueError(f"{event}: codes {sorted(set(e[unknown].tolist()))} are not in "
                             f"event_codes {dict(event_codes)} (rows "
                             f"{row_labels(unknown, index)})")
        return np.vectorize(mapping.get, otypes=[float])(e) if len(e) else e
    present = sorted(set(e.tolist()))
    if 0 not in present and len(present) >= 2:
        raise ValueError(
            f"{event}: the codes are {[int(c) for c in present]} with no 0 (censored). This "
            "looks like R's Surv coding (1 = censored, 2 = event), which would give the curve "
            "of censoring. Recode to 0 = censored, 1, 2, ... = causes, or say what the codes "
            "mean, e.g. event_codes={1: 0, 2: 1} (R) or event_codes={1: 1, 2: 2} (two causes, "
            "nobody censored)")
    return e


def prepare(df: pd.DataFrame, duration: str, event: str,
            weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
            entry: str | None = None, causes: Sequence[int] | None = None,
            event_codes: Mapping[Any, int] | None = None) -> SurvData:
    """Validate the survival columns of ``df`` and return them as arrays.

    Raises
    ------
    ValueError
        Naming the column and the offending row labels: missing columns, missing, negative or
        infinite durations, non-integer or negative event codes, codes outside ``causes``,
        ambiguous coding without a censoring code (see ``event_codes``), weights that are
        missing or ≤ 0, entry times after the exit time.
    """
    check_columns(df, [duration, event, entry])
    if len(df) == 0:
        raise ValueError("the data frame has no rows")
    t = pd.to_numeric(df[duration], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(t)
    if bad.any():
        raise ValueError(f"{duration}: missing or non-finite durations in rows "
                         f"{row_labels(bad, df.index)}")
    if (t < 0).any():
        raise ValueError(f"{duration}: negative durations in rows {row_labels(t < 0, df.index)}")
    e_raw = pd.to_numeric(df[event], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(e_raw)
    if bad.any():
        raise ValueError(f"{event}: missing or non-numeric event codes in rows "
                         f"{row_labels(bad, df.index)}")
    e_raw = recode_events(e_raw, event, event_codes, df.index)
    bad = (e_raw != np.round(e_raw)) | (e_raw < 0)
    if bad.any():
        raise ValueError(f"{event}: event codes must be integers >= 0 (0 = censored); rows "
                         f"{row_labels(bad, df.index)}")
    e = e_raw.astype(np.int64)
    present = tuple(sorted(int(c) for c in np.unique(e) if c > 0))
    if causes is not None:
        declared = tuple(sorted(int(c) for c in causes))
        outside = (e > 0) & ~np.isin(e, declared)
        if outside.any():
            raise ValueError(f"{event}: codes {sorted(set(e[outside].tolist()))} are not among "
                             f"the declared causes {declared} (rows "
                             f"{row_labels(outside, df.index)})")
        present = declared
    w = weights_array(df, weights)
    start = None
    if entry is not None:
        start = pd.to_numeric(df[entry], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(start) | (start > t) | (start < 0)
        if bad.any():
            raise ValueError(f"{entry}: entry times must be finite, >= 0 and <= {duration}; "
                             f"rows {row_labels(bad, df.index)}")
    return SurvData(time=t, event=e, weight=np.ones(len(t)) if w is None else w, entry=start,
                    causes=present, weighted=w is not None)


def groups(df: pd.DataFrame, by: str | None) -> list[tuple[Any, np.ndarray]]:
    """``[(label, row mask)]`` for each level of ``by`` (categories order, else sorted), or one
    group ``"all"``; missing group values raise."""
    if by is None:
        return [("all", np.ones(len(df), dtype=bool))]
    check_columns(df, [by])
    values = df[by]
    if values.isna().any():
        raise ValueError(f"{by}: missing group values in rows "
                         f"{row_labels(values.isna().to_numpy(), df.index)}; give every row a "
                         "group or drop those rows explicitly")
    levels = list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype) \
        else sorted(values.unique().tolist(), key=str)
    return [(lv, (values == lv).to_numpy()) for lv in levels if (values == lv).any()]


def comparison_groups(df: pd.DataFrame, by: str, data: SurvData, cause: int, event: str,
                test: str) -> tuple[list[Any], np.ndarray]:
    """The levels of ``by`` and each row's group code for a K-sample test, refusing fewer
    than two groups or a cause without events."""
    levels = groups(df, by)
    if len(levels) < 2:
        raise ValueError(f"{by}: only one group ({levels[0][0]!r}); {test} needs >= 2")
    if cause not in data.causes:
        raise ValueError(f"{event}: no events with code {cause}; codes present are "
                         f"{list(data.causes)}")
    code = np.zeros(len(df), dtype=np.int64)
    for g, (_, mask) in enumerate(levels):
        code[mask] = g
    return [lv for lv, _ in levels], code


def strata_codes(df: pd.DataFrame, strata: str | None) -> np.ndarray:
    """Integer stratum codes (all 0 without ``strata``); missing strata raise."""
    if strata is None:
        return np.zeros(len(df), dtype=np.int64)
    check_columns(df, [strata], what="strata column")
    codes = pd.factorize(df[strata], sort=True)[0]
    if (codes < 0).any():
        raise ValueError(f"{strata}: missing stratum values in rows "
                         f"{row_labels(codes < 0, df.index)}; give every row a stratum or drop "
                         "those rows explicitly")
    return codes


def by_alias(by: str | None, group: str | None, function: str) -> str | None:
    """Resolve the deprecated ``group=`` alias of ``by=`` (kept one release, with a warning)."""
    if group is None:
        return by
    warn_deprecated(f"{function}(group=...) is deprecated and will be removed in the next "
                    "release; use by=...")
    return group


def result_attrs(df: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    """A result's ``attrs``: the frame's outcome metadata plus ``extra``."""
    return {**outcome_meta(df).result_attrs(), **extra}
