"""Inject realistic data problems into a simulated study, for testing readers and validation.

Each injected problem is logged in ``study.meta["injected"]`` (table, row as in the returned
frames counting the first record as 1, column, rule, severity), so a test can check that
:func:`kow_research.validate` reports exactly what was injected. Problems that are not rule
violations (a missed or late assessment) are logged with severity ``"none"``: they are what
the outcome functions must cope with, not what validation should flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kow_research.data.study import Study

INJECTED_COLUMNS = ["table", "row", "column", "rule", "severity"]


def inject_mess(study: Study, rng: np.random.Generator, *, missing_waves: float = 0.0,
                late_assessments: float = 0.0, duplicate_rows: float = 0.0,
                entry_errors: float = 0.0) -> Study:
    """Return a copy of ``study`` with problems injected.

    Parameters
    ----------
    study : Study
        A valid study (typically just simulated).
    rng : numpy.random.Generator
        Source of randomness.
    missing_waves : float, default 0
        Fraction of follow-up ladder assessments (not T0) removed.
    late_assessments : float, default 0
        Fraction of follow-up assessments moved 50-120 days later (still before end of
        follow-up): outside the default ±45-day window of their wave.
    duplicate_rows : float, default 0
        Fraction of ladder and session rows entered twice (the copy right after the original).
    entry_errors : float, default 0
        Fraction of participants with one data-entry error, in turn: age 99 (range), a ladder
        rung of 0 (range; the 0-6 ladder variant) or a non-paid spell ending 30 days before it
        started (date_order).

    Returns
    -------
    Study
        The messy copy; ``meta["injected"]`` is a DataFrame with one row per problem
        (``table, row, column, rule, severity``). ``study`` itself is not changed.

    Examples
    --------
    >>> import kow_research as kr
    >>> study = kr.simulate_study("KOW", n=60, seed=1)
    >>> messy = inject_mess(study, np.random.default_rng(1), duplicate_rows=0.1)
    >>> len(study.ladder), len(messy.ladder)       # 226 + round(0.1 * 226)
    (226, 249)
    >>> messy.meta["injected"]["rule"].value_counts().to_dict()   # 23 + round(0.1 * 588)
    {'duplicate_row': 82}
    """
    for name, value in {"missing_waves": missing_waves, "late_assessments": late_assessments,
                        "duplicate_rows": duplicate_rows, "entry_errors": entry_errors}.items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be a fraction in [0, 1], got {value}")
    participants = study.participants.copy()
    ladder = study.ladder.copy().reset_index(drop=True)
    spells = study.spells.copy().reset_index(drop=True)
    sessions = study.sessions.copy().reset_index(drop=True)
    log: list[tuple[str, int, str, str, str]] = []  # row = stable key before duplication
    ladder["_key"] = np.arange(len(ladder))
    sessions["_key"] = np.arange(len(sessions))
    eof = participants.set_index("participant_id")["end_of_followup"]

    follow = np.flatnonzero((ladder["wave"] != "T0").to_numpy())
    drop = rng.choice(follow, int(round(missing_waves * len(follow))), replace=False)
    for k in np.sort(drop):
        log.append(("ladder", int(k), "assessment_date", "missing_wave", "none"))
    ladder = ladder[~ladder["_key"].isin(drop)].reset_index(drop=True)

    follow = np.flatnonzero((ladder["wave"] != "T0").to_numpy())
    late = rng.choice(follow, int(round(late_assessments * len(follow))), replace=False)
    shift = pd.to_timedelta(rng.integers(50, 121, len(late)), unit="D")
    for pos, delta in zip(np.sort(late), shift, strict=True):
        new = ladder.at[pos, "assessment_date"] + delta
        pid = ladder.at[pos, "participant_id"]
        taken = ladder.loc[ladder["participant_id"] == pid, "assessment_date"]
        if new <= eof[pid] and not (taken == new).any():
            ladder.at[pos, "assessment_date"] = new
            log.append(("ladder", int(ladder.at[pos, "_key"]), "assessment_date",
                        "late_assessment", "none"))

    n_err = int(round(entry_errors * len(participants)))
    chosen = rng.choice(len(participants), n_err, replace=False)
    bad_keys: set[tuple[str, int]] = set()
    for i, pos in enumerate(np.sort(chosen)):
        pid = participants["participant_id"].iat[pos]
        kind = i % 3
        if kind == 1:
            rows = np.flatnonzero((ladder["participant_id"] == pid).to_numpy())
            if len(rows):
                r = rows[0]
                ladder.at[r, "rung"] = 0
                log.append(("ladder", int(ladder.at[r, "_key"]), "rung", "range", "error"))
                bad_keys.add(("ladder", int(ladder.at[r, "_key"])))
                continue
        if kind == 2:
            rows = np.flatnonzero(((spells["participant_id"] == pid)
                                   & spells["kind"].isin(["work_experience", "volunteer"])
                                   & spells["end_date"].notna()).to_numpy())
            if len(rows):
                r = rows[0]
                spells.at[r, "end_date"] = spells.at[r, "start_date"] - pd.Timedelta(days=30)
                log.append(("spells", int(r), "end_date", "date_order", "error"))
                continue
        participants.iloc[pos, participants.columns.get_loc("age")] = 99
        log.append(("participants", int(pos), "age", "range", "error"))

    ladder, lmap = _duplicate(ladder, duplicate_rows, rng, "ladder", bad_keys, log)
    sessions, smap = _duplicate(sessions, duplicate_rows, rng, "sessions", bad_keys, log)
    positions = {"ladder": lmap, "sessions": smap}
    records = []
    for table, key, column, rule, severity in log:
        if table in positions and rule != "duplicate_row":
            row = positions[table].get(key, -1) + 1 if rule != "missing_wave" else 0
        else:
            row = key + 1
        records.append((table, row, column, rule, severity))
    injected = pd.DataFrame(records, columns=INJECTED_COLUMNS)
    return Study(participants=participants, ladder=ladder, spells=spells, sessions=sessions,
                 sources=dict(study.sources), meta={**study.meta, "injected": injected})


def _duplicate(df: pd.DataFrame, fraction: float, rng: np.random.Generator, table: str,
               bad_keys: set[tuple[str, int]], log: list[tuple[str, int, str, str, str]]
               ) -> tuple[pd.DataFrame, dict[int, int]]:
    """Insert copies right after their originals; return the frame and key → position map."""
    eligible = np.flatnonzero([(table, int(k)) not in bad_keys for k in df["_key"]])
    picks = np.sort(rng.choice(eligible, int(round(fraction * len(df))), replace=False))
    reps = np.ones(len(df), dtype=int)
    reps[picks] = 2
    out = df.loc[df.index.repeat(reps)].reset_index(drop=True)
    first = ~out.duplicated(subset="_key", keep="first").to_numpy()
    key_pos = {int(k): int(p) for p, k in zip(np.flatnonzero(first), out["_key"][first],
                                              strict=True)}
    for p in np.flatnonzero(~first):  # the copy sits right after its original
        log.append((table, int(p), "", "duplicate_row", "error"))
    return out.drop(columns="_key"), key_pos
