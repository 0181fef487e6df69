"""Find person-level data in executed notebooks — by shape and content, not by a column name.

A notebook that prints rows of people (even without their id) must not leave the researcher's
machine. :func:`scan_notebook` reads every markdown cell and every output of every code cell
(streams, ``text/plain``, ``text/html``, ``text/markdown``, ``text/latex``,
``application/json``, the text of ``image/svg+xml`` figures, error tracebacks), turns printed
frames back into tables (:mod:`kow_research.report.output_tables`) and applies these rules:

``id_column``
    a column or index named like a person identifier (``participant_id``, ``client_id``,
    ``deelnemer_nr``, ``bsn``, ``pid``, ...);
``id_values``
    a column whose values are unique per row and look like identifiers: prefixed codes
    (``kow-00012``), zero-padded numbers (``000123``), hashes (``P-3fa9c2e1b7d0``), long
    digit strings, or whole numbers of three or more digits counting up by one
    (``101, 102, ...``);
``id_value``
    an identifier-like value anywhere in text (a prefixed or zero-padded code, a hash);
``names``
    a column of person names (a common Dutch first name followed by a capitalised surname,
    "Surname, First", initials and surname), or such a name in text;
``date_of_birth``
    a date labelled as a birth date (column ``geboortedatum``, ``dob``, text "born ...");
``dates_per_row``
    a column of exact dates, distinct per row (or five or more distinct dates in one text);
``free_text``
    a column of free text about people (``opmerking``, ``notes`` or long sentences with
    personal pronouns);
``bsn``
    a Dutch citizen service number: nine digits passing the 11-test, anywhere;
``per_person_rows``
    a long table without aggregate columns — more than ``max_rows`` rows (or as many rows as
    the study has participants) whose columns are no counts, estimates or statistics and
    whose rows are not labelled (an integer index, as in ``df.head(50)``);
``small_count``
    (only with a ``policy``) a count column (``n``, ``count``, ``n_risk``, ...) showing 1 to
    ``k - 1``.

Aggregate tables pass: cross-tabs and counts labelled by cohort or wave, Table 1, curve tables
with ``n_risk``/``estimate`` columns, coefficient tables. Excerpts mask the identifying values
(every letter or digit of an identifier, name, date or BSN becomes ``•``). PNG images cannot be
read as text and are not inspected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.core.results import Result, result_class
from kow_research.data.pseudonymise import is_bsn
from kow_research.report.notebook_check import DisclosureError
from kow_research.report.output_tables import Table, visible_text
from kow_research.report.policy import DisclosurePolicy

PROBLEM_COLUMNS = ["notebook", "cell", "execution_count", "output", "rule", "excerpt"]
RULES = ("id_column", "id_values", "id_value", "names", "date_of_birth", "dates_per_row",
         "free_text", "bsn", "per_person_rows", "small_count")
MASK = "•"

_PERSON = r"(?:participant|client|cli[eë]nt|deelnemer|respondent|patient|pati[eë]nt|person|" \
          r"persoon|subject|case|member|lid|klant|burger)"
ID_COLUMN = re.compile(rf"^(?:{_PERSON}[ _-]?(?:id|nr|no|nummer|number|code|key)|"
                       r"bsn|burgerservicenummer|sofinummer|pid|record_id|person_id|id)$", re.I)
NAME_COLUMNS = {"name", "naam", "voornaam", "achternaam", "first_name", "last_name", "surname",
                "full_name", "firstname", "lastname", "roepnaam", "familienaam",
                "initialen", "initials", "given_name", "family_name"}
DOB_COLUMNS = re.compile(r"^(?:dob|date_of_birth|birth_?date|birthday|geboortedatum|"
                         r"geboren|geb_?datum|date of birth)$", re.I)
FREE_TEXT_COLUMNS = {"notes", "note", "remarks", "remark", "comment", "comments", "opmerking",
                     "opmerkingen", "toelichting", "memo", "notitie", "notities", "verslag",
                     "free_text", "vrije_tekst", "beschrijving", "description"}
#: column-name words that mark an aggregate table (counts, estimates, tests)
AGGREGATE_WORDS = {"n", "count", "counts", "risk", "estimate", "se", "lower", "upper", "p",
                   "coef", "hr", "or", "rr", "mean", "sd", "median", "iqr", "pct", "percent",
                   "smd", "chisq", "statistic", "df", "rmst", "total", "freq", "frequency",
                   "proportion", "ess", "ci", "aantal", "gemiddelde", "totaal", "z", "evalue",
                   "q1", "q3", "min", "max", "std", "%"}
COUNT_WORDS = {"n", "count", "n_risk", "n_at_risk", "at_risk", "n_event", "n_events",
               "n_censored", "aantal", "freq", "frequency", "persons", "people"}
_TIMEISH = {"time", "day", "days", "week", "weeks", "month", "months", "year", "years", "age",
            "tijd", "dag", "dagen", "maand", "maanden", "jaar", "leeftijd", "wave", "rung"}
#: common first names in the Netherlands (words that are also common English or Dutch words,
#: such as Mark, Roos or Kim, are left out to keep prose from matching)
FIRST_NAMES = frozenset("""
Jan Piet Kees Henk Johan Willem Peter Gerrit Hendrik Cornelis Klaas Dirk Bert Joost Sander
Martijn Jeroen Bart Erik Frank Marco Dennis Patrick Rob Robert Michiel Maarten Thijs Niels
Wouter Stefan Rick Jasper Daan Sem Lucas Noah Levi Finn Bram Thomas Lars Tim Jesse Luuk Milan
Julian Ruben Stijn Koen Gijs Jens Sven Mohamed Mohammed Ahmed Youssef Mehmet Mustafa Ali Hassan
Ibrahim Omar Hamza Emre Arjen Wim Ton Hans Frans Theo Jaap Sjoerd Ruud Rutger Pieter Anton
Vincent Remco Mike Jeffrey Anna Maria Emma Sophie Julia Tess Sara Saar Lisa Fleur Eva Anouk
Laura Femke Marieke Inge Ingrid Linda Petra Monique Sandra Esther Wilma Annemarie Anja Karin
Marloes Ilse Iris Lotte Sanne Lieke Nina Noor Mila Yara Fenna Lynn Elif Fatima Fatma Aisha
Khadija Yasmina Samira Naima Hanna Hannah Mirjam Ellen Marianne Jolanda Gerda Johanna Cornelia
Elisabeth Wendy Nicole Manon Suzanne Eline Merel Britt Demi Amber Isa Liv Evi Jasmijn Charlotte
Vera Renske Marit Naomi Priya Bas Joris Hugo Olivier Sophia Mees Jip Tygo Dewi
""".split())
_PARTICLE = r"(?:van|de|der|den|ter|ten|te|het|'t|el|al|van der|van den|van de|in 't)"
_SURNAME = r"[A-Z][a-zà-ÿ']+(?:-[A-Z][a-zà-ÿ']+)?"
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|January|February|March|April|" \
          r"June|July|August|September|October|November|December|Januari|Februari|Maart|Mei|" \
          r"Juni|Juli|Augustus|Oktober)\b"
_FIRST = "(?:" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + ")"
NAME_IN_TEXT = re.compile(rf"\b{_FIRST}\s+(?!{_MONTHS})(?:{_PARTICLE}\s+)?{_SURNAME}"
                          rf"(?:\s+{_SURNAME})?\b")
_FULL_NAME = re.compile(rf"^{_FIRST}(?:\s+{_SURNAME})?\s+(?:{_PARTICLE}\s+)?{_SURNAME}$")
_LAST_FIRST = re.compile(rf"^(?:{_PARTICLE}\s+)?{_SURNAME},\s*{_FIRST}$")
_INITIALS = re.compile(rf"^(?:[A-Z]\.\s?){{1,3}}\s*(?:{_PARTICLE}\s+)?{_SURNAME}$")
_NOT_ID_PREFIX = {"iso", "utf", "sha", "rfc", "nen", "en", "iec", "cve", "pep", "din", "md",
                  "covid", "sars", "gdpr", "avg", "icd", "dsm", "page", "doi", "isbn", "issn"}
PREFIXED_ID = re.compile(r"(?<![\w/.-])([A-Za-z]{2,8})[-_](\d{4,})(?![\w-])")
HASH_ID = re.compile(r"(?<![\w/.-])[A-Za-z]{1,4}[-_](?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])"
                     r"[0-9a-f]{8,}(?![\w-])")
PADDED_ID = re.compile(r"(?<![\w.,:/+-])0\d{4,}(?![\w.,:/+-])")
BSN_LIKE = re.compile(r"(?<![\w.,/+-])(\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3} \d{2} \d{4})"
                      r"(?![\w]|[.,/-]\d)")
DATE = re.compile(r"(?<![\w.-])(?:(?:19|20)\d{2}-[01]\d-[0-3]\d|[0-3]?\d[-/.][01]?\d[-/.]"
                  r"(?:19|20)\d{2})(?:[ T][0-2]\d:[0-5]\d(?::[0-5]\d)?)?(?![\w-])")
DOB_IN_TEXT = re.compile(r"(?i)\b(?:born|geboren|date of birth|birth ?date|dob|geboortedatum)"
                         r"\b\W{0,5}(?:on\s+|op\s+)?(" + DATE.pattern + ")")
_PRONOUNS = re.compile(r"(?i)\b(?:he|she|his|her|him|hij|zij|ze|haar|hem|zijn|client|cliënt|"
                       r"deelnemer|mevrouw|meneer|mr|mrs|ms)\b")
_MISSING = {"", "nan", "NaN", "<NA>", "None", "NaT", "null", "—", "-"}


def _id_prefixed(m: re.Match[str]) -> bool:
    prefix, digits = m.group(1), m.group(2)
    if prefix.lower() in _NOT_ID_PREFIX:
        return False
    return not (len(digits) == 4 and 1900 <= int(digits) <= 2100)


def mask(text: str) -> str:
    """``text`` with every identifying value masked (identifiers keep a letter prefix).

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> mask("first job: IPS-000123 (Jan de Vries, born 1985-03-12, BSN 1112.22.333)")
    'first job: IPS-•••••• (••• •• •••••, born ••••-••-••, BSN ••••.••.•••)'
    """
    def dots(s: str) -> str:
        return "".join(MASK if ch.isalnum() else ch for ch in s)

    def keep_prefix(m: re.Match[str]) -> str:
        return m.group(1) + m.group(0)[len(m.group(1))] + dots(m.group(2))

    out = PREFIXED_ID.sub(keep_prefix, text)
    out = HASH_ID.sub(lambda m: dots(m.group(0)), out)
    for rx in (DATE, BSN_LIKE, PADDED_ID, NAME_IN_TEXT):
        out = rx.sub(lambda m: dots(m.group(0)), out)
    return out


def _window(text: str, start: int, end: int, width: int = 40) -> str:
    """The text around a finding, identifying values and every digit masked (neighbouring
    cells of a printed row can be identifying too)."""
    shown = mask(text[max(start - width, 0):end + width].replace("\n", " ").strip())
    return re.sub(r"\d", MASK, " ".join(shown.split()))


# ----------------------------------------------------------------------------- text rules
def _text_findings(text: str) -> list[tuple[str, str]]:
    out = []
    for m in BSN_LIKE.finditer(text):
        if is_bsn(re.sub(r"\D", "", m.group(1))):
            out.append(("bsn", _window(text, m.start(), m.end())))
            break
    for m in PREFIXED_ID.finditer(text):
        if _id_prefixed(m):
            out.append(("id_value", _window(text, m.start(), m.end())))
            break
    else:
        for rx in (HASH_ID, PADDED_ID):
            m2 = rx.search(text)
            if m2:
                out.append(("id_value", _window(text, m2.start(), m2.end())))
                break
    m3 = NAME_IN_TEXT.search(text)
    if m3:
        out.append(("names", _window(text, m3.start(), m3.end())))
    m4 = DOB_IN_TEXT.search(text)
    if m4:
        out.append(("date_of_birth", _window(text, m4.start(), m4.end())))
    dates = [m.group(0) for m in DATE.finditer(text)]
    if len(set(dates)) >= 5:
        out.append(("dates_per_row", f"{len(set(dates))} distinct exact dates, e.g. "
                    f"{mask(dates[0])}"))
    return out


# ----------------------------------------------------------------------------- table rules
def _present(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v is not None and v.strip() not in _MISSING]


def _words(header: str) -> set[str]:
    return {w for w in re.split(r"[^0-9a-z%]+", header.lower()) if w}


def _id_like(v: str) -> bool:
    m = PREFIXED_ID.fullmatch(v)
    if m and _id_prefixed(m):
        return True
    return bool(HASH_ID.fullmatch(v) or PADDED_ID.fullmatch(v) or re.fullmatch(r"\d{6,}", v)
                or re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v))


def _counting_ids(values: list[str], header: str) -> bool:
    if len(values) < 5 or _words(header) & (_TIMEISH | AGGREGATE_WORDS):
        return False
    if not all(re.fullmatch(r"\d{3,}", v) for v in values):
        return False
    nums = sorted(int(v) for v in values)
    if all(1900 <= x <= 2100 for x in nums):
        return False
    return all(b - a == 1 for a, b in zip(nums, nums[1:], strict=False))


def _name_like(v: str) -> bool:
    return bool(_FULL_NAME.match(v) or _LAST_FIRST.match(v) or _INITIALS.match(v))


def _is_aggregate(table: Table) -> bool:
    words = set().union(*(_words(c) for c in table.columns)) if table.columns else set()
    if words & AGGREGATE_WORDS:
        return True
    if table.index_names and table.index and all(table.index):
        first = [r[0] for r in table.index]
        labelled = not all(re.fullmatch(r"-?\d+", v) for v in _present(first) or ["0"])
        keys = [tuple(r) for r in table.index]
        if labelled and len(set(keys)) == len(keys):
            return True
    return False


def _samples(values: list[str], n: int = 2) -> str:
    """The first values of a flagged column, masked (an identifier keeps its letter prefix)."""
    return ", ".join(repr(mask(v) if mask(v) != v else _dots(v)) for v in values[:n])


def _dots(v: str) -> str:
    return "".join(MASK if ch.isalnum() else ch for ch in v)


def _table_findings(table: Table, *, sizes: set[int], max_rows: int,
                    policy: DisclosurePolicy | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    shape = f"{table.n_rows} rows"
    for header, raw, is_index in table.all_columns():
        h = header.strip()
        values = _present(raw)
        label = f"{'index' if is_index else 'column'} {h!r}" if h else (
            "the index" if is_index else "a column")
        if h and ID_COLUMN.match(h.replace(" ", "_")):
            out.append(("id_column", f"{label} ({shape})"))
        elif h and DOB_COLUMNS.match(h.replace(" ", "_")) and any(DATE.fullmatch(v)
                                                                   for v in values):
            out.append(("date_of_birth", f"{label}: {_samples(values)}"))
        if len(values) >= 3 and len(set(values)) == len(values):
            positional = is_index and not h
            if sum(_id_like(v) for v in values) >= 0.8 * len(values) or (
                    not positional and _counting_ids(values, h)):
                out.append(("id_values", f"{label}: {len(values)} distinct identifier-like "
                            f"values such as {_samples(values)}"))
        names = sum(_name_like(v) for v in values)
        if values and ((names >= 2 and names >= 0.5 * len(values))
                       or (h.lower() in NAME_COLUMNS and any(re.search(r"[A-Za-z]", v)
                                                              for v in values))
                       or (len(set(values)) >= 3 and all(v in FIRST_NAMES for v in values))):
            out.append(("names", f"{label}: person names such as {_samples(values)}"))
        dates = [v for v in values if DATE.fullmatch(v)]
        if len(dates) >= 5 and len(dates) >= 0.8 * len(values) and len(set(dates)) >= max(
                5, 0.5 * len(dates)):
            out.append(("dates_per_row", f"{label}: {len(set(dates))} distinct exact dates "
                        f"such as {_samples(dates)}"))
        long = [v for v in values if len(v.split()) >= 5]
        if (h.lower().replace(" ", "_") in FREE_TEXT_COLUMNS and any(len(v.split()) >= 3
                                                                      for v in values)) or (
                len(long) >= 3 and len(set(long)) == len(long)
                and sum(bool(_PRONOUNS.search(v)) for v in long) >= 2):
            out.append(("free_text", f"{label}: free text in {len(long) or len(values)} rows"))
        if policy is not None and not is_index and h.lower() in COUNT_WORDS:
            small = [v for v in values if re.fullmatch(r"\d+(?:\.0+)?", v)
                     and policy.is_small(float(v))]
            if small:
                out.append(("small_count", f"{label}: {len(small)} count(s) below {policy.k}"))
    big = table.n_rows > max_rows or (table.n_rows in sizes and table.n_rows > 1)
    if big and not table.extra.get("svg") and not _is_aggregate(table):
        cols = ", ".join(c for c in table.columns[:6] if c)
        why = f"more than {max_rows}" if table.n_rows > max_rows else "as many as participants"
        out.append(("per_person_rows", f"a table of {table.n_rows} rows ({why}) without "
                    f"aggregate columns: {cols}"))
    return out


# ----------------------------------------------------------------------------- scanning
def _sizes(study_size: int | Sequence[int] | None) -> set[int]:
    if study_size is None:
        return set()
    if isinstance(study_size, int):
        return {study_size}
    return {int(s) for s in study_size}


def scan_text(text: str, *, kind: str = "text/plain", policy: DisclosurePolicy | None = None,
              study_size: int | Sequence[int] | None = None,
              max_rows: int = 20) -> pd.DataFrame:
    """Person-level data in one text (an output, a markdown cell, an exported HTML page).

    Parameters
    ----------
    text : str
        The text; a JSON output may also be given as its serialisation.
    kind : str, default "text/plain"
        Its MIME type (``"text/html"``, ``"text/markdown"``, ``"image/svg+xml"``,
        ``"application/json"``), ``"markdown"`` for a markdown cell, or a stream name.
    policy : DisclosurePolicy, optional
        With a policy, count columns showing 1 to ``k - 1`` are reported (``small_count``).
    study_size : int or sequence of int, optional
        Participants in the study (or per cohort): a table with exactly as many rows is
        reported even when it is short.
    max_rows : int, default 20
        A table without aggregate columns and with more rows is person-level.

    Returns
    -------
    pandas.DataFrame
        Columns ``rule`` (see :data:`RULES`) and ``excerpt`` (identifying values masked).

    Examples
    --------
    >>> scan_text("first job: kow-00012 on day 4").values.tolist()
    [['id_value', 'first job: kow-••••• on day •']]
    >>> scan_text("cohort  n\\nKOW  115\\nIPS   70\\nTAU   81").empty
    True
    """
    return _scan(text if isinstance(text, str) else json.dumps(text), kind, policy=policy,
                 sizes=_sizes(study_size), max_rows=max_rows, read_tables=True)


def _scan(text: str, kind: str, *, policy: DisclosurePolicy | None, sizes: set[int],
          max_rows: int, read_tables: bool) -> pd.DataFrame:
    tables, shown = visible_text(text, kind)
    found = _text_findings(shown)
    for table in tables if read_tables else []:
        found += _table_findings(table, sizes=sizes, max_rows=max_rows, policy=policy)
    seen: set[tuple[str, str]] = set()
    rows = [f for f in found if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
    return pd.DataFrame(rows, columns=["rule", "excerpt"])


def _outputs(cell: Mapping[str, Any]) -> Iterable[tuple[str, str, bool]]:
    """(kind, text, read tables) of every output; the text/plain of a frame that also has
    text/html is only read as text (the HTML gives its table exactly)."""
    if cell.get("cell_type") == "markdown":
        yield "markdown", _join(cell.get("source", "")), True
        return
    if cell.get("cell_type") != "code":
        return
    for output in cell.get("outputs", []):
        kind = output.get("output_type", "")
        if kind == "stream":
            yield output.get("name", "stream"), _join(output.get("text", "")), True
        elif kind == "error":
            yield ("error", "\n".join([output.get("evalue", ""), *output.get("traceback", [])]),
                   False)
        else:
            data = output.get("data", {})
            for mime, value in data.items():
                if mime.startswith("text/") or mime == "image/svg+xml":
                    yield mime, _join(value), not (mime == "text/plain" and "text/html" in data)
                elif "json" in mime:
                    yield mime, value if isinstance(value, str) else json.dumps(value), True


def _join(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _load(notebook: str | Path | Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    if isinstance(notebook, Mapping):
        return [("notebook", notebook)]
    p = Path(notebook)
    files = sorted(p.glob("*.ipynb")) if p.is_dir() else [p] if p.is_file() else []
    if not files and not p.is_dir():
        raise ValueError(f"{p} is neither a notebook nor a folder; give an .ipynb path")
    out = []
    for file in files:
        try:
            out.append((file.name, json.loads(file.read_text(encoding="utf-8"))))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file.name} is not a notebook (invalid JSON: {exc})") from exc
    return out


def scan_notebook(notebook: str | Path | Mapping[str, Any], *,
                  policy: DisclosurePolicy | None = None,
                  study_size: int | Sequence[int] | None = None, max_rows: int = 20,
                  raise_on_problem: bool = False) -> pd.DataFrame:
    """Person-level data in the outputs and markdown cells of executed notebooks.

    Parameters
    ----------
    notebook : str, pathlib.Path or mapping
        An ``.ipynb`` file, a folder (every ``*.ipynb`` in it) or a notebook as a dict
        (``nbformat.NotebookNode``).
    policy, study_size, max_rows
        See :func:`scan_text`.
    raise_on_problem : bool, default False
        Raise :class:`~kow_research.report.notebook_check.DisclosureError` naming the first
        problem instead of returning them.

    Returns
    -------
    pandas.DataFrame
        One row per problem: ``notebook`` (file name), ``cell`` (1-based position among all
        cells), ``execution_count``, ``output`` (``markdown``, a stream name or MIME type),
        ``rule`` and ``excerpt`` (identifying values masked). Empty when clean.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "markdown", "source": "Client KOW-00012 found work."},
    ...                 {"cell_type": "code", "execution_count": 1, "source": "", "outputs": [
    ...                     {"output_type": "stream", "name": "stdout", "text": "KOW: 115"}]}]}
    >>> scan_notebook(nb)[["cell", "output", "rule", "excerpt"]].values.tolist()
    [[1, 'markdown', 'id_value', 'Client KOW-••••• found work.']]
    """
    rows: list[tuple[Any, ...]] = []
    for name, nb in _load(notebook):
        for i, cell in enumerate(nb.get("cells", []), 1):
            for kind, text, read_tables in _outputs(cell):
                found = _scan(text, kind, policy=policy, sizes=_sizes(study_size),
                              max_rows=max_rows, read_tables=read_tables)
                rows += [(name, i, cell.get("execution_count"), kind, r, e)
                         for r, e in found.itertuples(index=False)]
    problems = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if raise_on_problem and len(problems):
        first = problems.iloc[0]
        raise DisclosureError(
            f"{len(problems)} notebook output(s) show individual participants, first in "
            f"{first['notebook']} cell {first['cell']} ({first['rule']}: {first['excerpt']}); "
            "show aggregates instead and re-run", problems)
    return problems


@result_class
class Quarantine(Result):
    """Which notebooks of a report may be published after a leak scan.

    Attributes
    ----------
    problems : pandas.DataFrame
        The scan (:func:`scan_notebook`).
    quarantined : tuple of str
        Notebooks with a problem: not rendered to HTML, not linked from ``index.html``; the
        report exits non-zero.
    clean : tuple of str
        The other notebooks given.
    attrs : dict
    """

    problems: pd.DataFrame
    quarantined: tuple[str, ...]
    clean: tuple[str, ...]
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """1 when a notebook is quarantined, else 0."""
        return 1 if self.quarantined else 0

    def allows(self, notebook: str | Path) -> bool:
        """Whether ``notebook`` (a file name or path) may be rendered and linked.

        Parameters
        ----------
        notebook : str or pathlib.Path

        Returns
        -------
        bool

        Examples
        --------
        >>> quarantine(pd.DataFrame(columns=PROBLEM_COLUMNS), notebooks=["a.ipynb"]).allows("a.ipynb")
        True
        """
        return Path(notebook).name not in self.quarantined

    def messages(self) -> list[str]:
        """One line per quarantined notebook naming its first flagged cell (no values).

        Returns
        -------
        list of str

        Examples
        --------
        >>> p = pd.DataFrame([("b.ipynb", 4, 3, "text/html", "names", "…")],
        ...                  columns=PROBLEM_COLUMNS)
        >>> quarantine(p).messages()
        ['b.ipynb cell 4 (text/html: names) shows individual participants: not rendered, not linked']
        """
        out = []
        for name in self.quarantined:
            first = self.problems[self.problems["notebook"] == name].iloc[0]
            rules = ", ".join(dict.fromkeys(self.problems.loc[
                self.problems["notebook"] == name, "rule"]))
            out.append(f"{name} cell {first['cell']} ({first['output']}: {rules}) shows "
                       "individual participants: not rendered, not linked")
        return out

    def _describe(self) -> str:
        return (f"{len(self.quarantined)} notebook(s) quarantined, {len(self.clean)} clean")

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("problems", self.problems)]


def quarantine(problems: pd.DataFrame, *, notebooks: Sequence[str | Path] = ()) -> Quarantine:
    """Decide which notebooks of a report are quarantined after :func:`scan_notebook`.

    Parameters
    ----------
    problems : pandas.DataFrame
        The scan of the executed notebooks.
    notebooks : sequence of str or pathlib.Path, optional
        Every notebook of the report (file names or paths), to list the clean ones.

    Returns
    -------
    Quarantine
        ``quarantined`` (not rendered, not linked), ``clean``, ``exit_code`` (1 when any is
        quarantined) and ``messages()`` naming the cell of each.

    Examples
    --------
    >>> p = pd.DataFrame([("02_x.ipynb", 5, 4, "stdout", "bsn", "BSN •••••••••")],
    ...                  columns=PROBLEM_COLUMNS)
    >>> q = quarantine(p, notebooks=["01_y.ipynb", "02_x.ipynb"])
    >>> q.quarantined, q.clean, q.exit_code
    (('02_x.ipynb',), ('01_y.ipynb',), 1)
    """
    missing = [c for c in PROBLEM_COLUMNS if c not in problems.columns]
    if missing:
        raise ValueError(f"problems lacks columns {missing}; pass the result of scan_notebook")
    flagged = tuple(dict.fromkeys(str(n) for n in problems["notebook"]))
    names = [Path(n).name for n in notebooks]
    clean = tuple(n for n in names if n not in flagged)
    return Quarantine(problems=problems.reset_index(drop=True), quarantined=flagged,
                      clean=clean, attrs={"rules": sorted(set(problems["rule"]))})
