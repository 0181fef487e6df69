"""The design of a study: ``study.yaml`` beside the four tables.

Everything a notebook or the report needs to know about a study that the data do not say —
which programme is evaluated and against which comparators, whether allocation was randomised,
the waves and their windows, the time origin, the outcome definitions and the dropout strategy,
the covariates and what to do with missing ones, the disclosure threshold, the language — is
declared here, once. Nothing in a notebook names a programme or a wave: it reads the design.

A minimal ``study.yaml``::

    index: KOW
    comparators: [CAU]
    randomised: false
    waves: {KOW: [0, 6, 12, 18], CAU: [0, 6, 12, 18]}
    covariates: [age, sex, smi, months_out_of_work, baseline_rung]
    language: nl

Every other entry has a default (:data:`DEFAULTS`); ``kow-research report --param key=value``
overrides any entry for one run (dotted keys reach nested entries:
``--param time_to_work.dropout=censor``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from kow_research.core.checks import check_choice

FILE_NAME = "study.yaml"
LANGUAGES = ("en", "nl")
ORIGINS = ("start_date", "intake_date")
MISSING_POLICIES = ("complete_cases", "missing_indicator", "multiple_imputation")
IMPUTATION_MODELS = ("smcfcs", "chained")
ESTIMANDS = ("ATT", "ATE", "ATO")
#: ``separation`` values (kow_research.compare.separation.SEPARATION, which ``data`` does not
#: import; a test keeps the two equal)
SEPARATION = ("error", "firth", "collapse", "auto")
DROPOUT = ("competing", "censor", "ignore")

#: the entries of study.yaml and their defaults (None: derived from the data)
DEFAULTS: dict[str, Any] = {
    "title": None,                 # shown on the report; default "<index> study"
    "index": None,                 # the programme evaluated; default the first cohort
    "comparators": None,           # the other cohorts; default every other cohort in the data
    "randomised": False,           # randomised allocation (then comparisons are unweighted)
    "origin": "start_date",        # time origin (day 0) of every outcome
    "waves": None,                 # month offsets per programme (or one list); default: the
                                   # wave labels T<months> found in the ladder table
    "wave_window_days": 45,        # half-width of the window around a follow-up wave
    "baseline_window_days": [-90, 14],
    "planned_sessions": None,      # per programme; default the highest session_number seen
    "completer_fraction": 0.8,
    "time_to_work": {"dropout": "competing", "include_supported": False, "min_hours": None,
                     "min_days": 0, "horizon_days": None, "unit": "days",
                     "job_at_origin": "exclude"},
    "horizons_months": [6, 12, 18],
    "tau_months": 12,
    "covariates": ["age", "sex", "smi", "months_out_of_work", "baseline_rung"],
    "missing_covariates": "complete_cases",
    "imputations": 20,             # m of multiple_imputation (pooled by Rubin's rules;
                                   # seeded with `seed`)
    "imputation_model": "smcfcs",  # hazard models under multiple_imputation: "smcfcs"
                                   # (compatible with the Cox models, Bartlett et al. 2015)
                                   # or "chained" (event indicators and Nelson-Aalen
                                   # hazards as predictors, White & Royston 2009)
    "estimand": "ATT",             # target population of weighted comparisons
    "n_boot": 200,
    "separation": "auto",          # propensity models of the bootstrap: "auto" (maximum
                                   # likelihood, Firth-penalised where it has no finite
                                   # estimate), "firth" (penalised everywhere), "collapse"
                                   # (merge rare levels) or "error" (plain maximum
                                   # likelihood; see compare_outcomes)
    "min_effective_events": 10,    # a cohort's risk with fewer effective (Kish) events by its
                                   # horizon gets Korn-Graubard limits instead of the
                                   # bootstrap-t (0: never; see compare_outcomes)
    "seed": 1,
    "language": "en",
    "disclosure": {"k": 5},
    "simulated": False,            # written by the simulators: pages carry a banner
}


class DesignError(ValueError):
    """``study.yaml`` (or an override) is not a valid design; the message names the entry."""


def _check_keys(values: Mapping[str, Any], where: str) -> None:
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise DesignError(f"{where}: unknown entr{'y' if len(unknown) == 1 else 'ies'} "
                          f"{unknown}; known entries are {sorted(DEFAULTS)}")


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class StudyDesign:
    """A validated study design (see the module docstring for the entries).

    Attributes
    ----------
    values : dict
        Every entry of :data:`DEFAULTS`, resolved against the data (no ``None`` left for
        ``index``, ``comparators``, ``waves`` or ``planned_sessions`` once
        :meth:`resolve` has run).
    source : str
        Where it came from (a file name, "defaults", "simulation").
    overrides : dict
        The ``--param`` overrides applied, as given.
    """

    values: dict[str, Any]
    source: str = "defaults"
    overrides: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        """The entry ``key`` (``default`` when it is None)."""
        value = self.values.get(key)
        return default if value is None else value

    @property
    def index(self) -> str:
        """The programme evaluated."""
        return str(self.values["index"])

    @property
    def comparators(self) -> list[str]:
        """The programmes it is compared with (possibly none)."""
        return [str(c) for c in self.values["comparators"] or []]

    @property
    def programmes(self) -> list[str]:
        """The index programme, then the comparators."""
        return [self.index, *self.comparators]

    @property
    def language(self) -> str:
        """Report language."""
        return str(self.values["language"])

    def waves_of(self, programme: str) -> list[int]:
        """The wave month offsets of ``programme``."""
        waves = self.values["waves"]
        if isinstance(waves, Mapping):
            if programme not in waves:
                raise DesignError(f"study.yaml waves: no entry for {programme!r}; waves are "
                                  f"given for {sorted(waves)}")
            return [int(m) for m in waves[programme]]
        return [int(m) for m in waves]

    def wave_labels(self, programme: str | None = None) -> list[str]:
        """``T<months>`` labels of ``programme`` (default: the index programme)."""
        return [f"T{m}" for m in self.waves_of(programme or self.index)]

    def common_follow_up_waves(self) -> list[str]:
        """Follow-up wave labels that every programme has (comparable across programmes)."""
        sets = [set(self.wave_labels(p)) for p in self.programmes]
        common = set.intersection(*sets) - {"T0"}
        return sorted(common, key=lambda w: int(w[1:]))

    def with_overrides(self, overrides: Mapping[str, Any]) -> StudyDesign:
        """A copy with ``overrides`` applied (dotted keys reach nested entries)."""
        nested: dict[str, Any] = {}
        for key, value in overrides.items():
            parts = str(key).split(".")
            target = nested
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        _check_keys(nested, "--param")
        merged = _merge(self.values, nested)
        return StudyDesign(values=validate_values(merged, "study.yaml with --param overrides"),
                           source=self.source, overrides={**self.overrides, **overrides})

    def resolve(self, participants: pd.DataFrame, ladder: pd.DataFrame | None = None,
                sessions: pd.DataFrame | None = None) -> StudyDesign:
        """Fill the entries left to the data (index, comparators, waves, planned sessions)
        and check that the programmes named exist in the data.

        Raises
        ------
        DesignError
            Naming the programme that the data do not contain.
        """
        v = copy.deepcopy(self.values)
        present = [str(c) for c in pd.unique(participants["cohort"].astype(str))]
        if not present:
            raise DesignError("the study has no participants; nothing to design")
        if v["index"] is None:
            v["index"] = present[0]
        if str(v["index"]) not in present:
            raise DesignError(f"study.yaml index: {v['index']!r} is not a cohort of the data; "
                              f"cohorts are {present}")
        if v["comparators"] is None:
            v["comparators"] = [c for c in present if c != str(v["index"])]
        missing = [c for c in v["comparators"] if str(c) not in present]
        if missing:
            raise DesignError(f"study.yaml comparators: {missing} are not cohorts of the data; "
                              f"cohorts are {present}")
        if v["waves"] is None:
            labels = [] if ladder is None or "wave" not in ladder else \
                ladder["wave"].dropna().astype(str).unique().tolist()
            months = sorted({int(w[1:]) for w in labels if w[:1] == "T" and w[1:].isdigit()})
            v["waves"] = months or [0]
        if v["planned_sessions"] is None and sessions is not None and len(sessions):
            owner = sessions.merge(participants[["participant_id", "cohort"]],
                                   on="participant_id", how="inner")
            v["planned_sessions"] = {str(c): int(g["session_number"].max())
                                     for c, g in owner.groupby("cohort", observed=True)}
        if v["title"] is None:
            v["title"] = (f"Onderzoek {v['index']}" if v["language"] == "nl"
                          else f"{v['index']} study")
        return StudyDesign(values=validate_values(v, self.source), source=self.source,
                           overrides=dict(self.overrides))

    def to_yaml(self) -> str:
        """The design as YAML (every entry)."""
        return yaml.safe_dump(self.values, sort_keys=False, allow_unicode=True)


def validate_values(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check every entry; return a plain dict. Raises :class:`DesignError` naming the entry."""
    _check_keys(values, where)
    v = _merge(DEFAULTS, values)
    try:
        check_choice("language", v["language"], LANGUAGES)
        check_choice("origin", v["origin"], ORIGINS)
        check_choice("missing_covariates", v["missing_covariates"], MISSING_POLICIES)
        check_choice("imputation_model", v["imputation_model"], IMPUTATION_MODELS)
        check_choice("estimand", v["estimand"], ESTIMANDS)
        check_choice("time_to_work.dropout", v["time_to_work"]["dropout"], DROPOUT)
        check_choice("separation", v["separation"], SEPARATION)
    except ValueError as exc:
        raise DesignError(f"{where}: {exc}") from None
    if not isinstance(v["randomised"], bool):
        raise DesignError(f"{where}: randomised must be true or false, got {v['randomised']!r}")
    for key in ("comparators", "covariates", "horizons_months"):
        if v[key] is not None and (isinstance(v[key], str) or not isinstance(v[key], Sequence)):
            raise DesignError(f"{where}: {key} must be a list, got {v[key]!r}")
    waves = v["waves"]
    if waves is not None:
        lists = waves.values() if isinstance(waves, Mapping) else [waves]
        for w in lists:
            if isinstance(w, str) or not all(isinstance(m, int) and m >= 0 for m in w):
                raise DesignError(f"{where}: waves must be lists of whole months >= 0 (e.g. "
                                  f"[0, 6, 12]), got {w!r}")
    if not isinstance(v["disclosure"], Mapping) or int(v["disclosure"].get("k", 5)) < 1:
        raise DesignError(f"{where}: disclosure.k must be a whole number >= 1")
    if not isinstance(v["imputations"], int) or v["imputations"] < 2:
        raise DesignError(f"{where}: imputations must be a whole number >= 2, got "
                          f"{v['imputations']!r}")
    for key in ("n_boot", "seed", "wave_window_days", "tau_months", "min_effective_events"):
        if not isinstance(v[key], int | float) or v[key] < 0:
            raise DesignError(f"{where}: {key} must be a number >= 0, got {v[key]!r}")
    return v


def load_design(path: str | Path) -> StudyDesign:
    """Read ``study.yaml`` from a study folder (or the file itself); defaults when absent.

    Parameters
    ----------
    path : str or pathlib.Path
        A study folder or a ``.yaml`` file.

    Returns
    -------
    StudyDesign
        Not yet resolved against the data (see :meth:`StudyDesign.resolve`).

    Raises
    ------
    DesignError
        Unreadable YAML, unknown entries or invalid values, naming the file and the entry.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "study.yaml").write_text("index: KOW\\ncomparators: [CAU]\\n")
    >>> d = load_design(folder)
    >>> d.index, d.comparators, d["estimand"]
    ('KOW', ['CAU'], 'ATT')
    """
    p = Path(path)
    file = p / FILE_NAME if p.is_dir() else p
    if not file.exists():
        return StudyDesign(values=validate_values({}, "defaults"), source="defaults")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DesignError(f"{file.name}: not valid YAML ({exc})") from None
    if not isinstance(raw, Mapping):
        raise DesignError(f"{file.name}: expected entries (key: value), got {type(raw).__name__}")
    return StudyDesign(values=validate_values(raw, file.name), source=file.name)


def write_design(design: StudyDesign, path: str | Path) -> Path:
    """Write ``design`` as ``study.yaml`` into the folder ``path`` (or to the file ``path``).

    Parameters
    ----------
    design : StudyDesign
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> out = write_design(load_design(tempfile.mkdtemp()), tempfile.mkdtemp())
    >>> out.name
    'study.yaml'
    """
    p = Path(path)
    file = p / FILE_NAME if p.suffix not in (".yaml", ".yml") else p
    file.parent.mkdir(parents=True, exist_ok=True)
    header = ("# The design of this study (kow_research). Edit freely; `kow-research report "
              "--param key=value`\n# overrides an entry for one run. Entries: see "
              "data_dictionary/MAPPING.md and the docs.\n")
    file.write_text(header + design.to_yaml(), encoding="utf-8")
    return file


def parse_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``["key=value", ...]`` from the command line into a dict (values parsed as YAML).

    Parameters
    ----------
    pairs : sequence of str

    Returns
    -------
    dict

    Raises
    ------
    DesignError
        A pair without ``=``.

    Examples
    --------
    >>> parse_overrides(["comparators=[IPS]", "time_to_work.dropout=censor", "n_boot=50"])
    {'comparators': ['IPS'], 'time_to_work.dropout': 'censor', 'n_boot': 50}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise DesignError(f"--param {pair!r}: write key=value, e.g. "
                              "--param time_to_work.dropout=censor")
        key, value = pair.split("=", 1)
        out[key.strip()] = yaml.safe_load(value) if value.strip() else None
    return out
