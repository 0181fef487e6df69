r"""Pseudonymisation at import: source ids replaced by a keyed hash, and BSNs refused.

A study's source ids (client numbers from a municipality, case numbers from a mental-health
provider) identify people. :func:`pseudonymise` replaces them, consistently in all four
tables, by

.. math::

    \mathrm{pseudonym}(id) = \mathrm{prefix} \,\|\, \mathrm{hex}\big(\mathrm{HMAC\text{-}SHA256}
    (\mathrm{key}, \mathrm{utf8}(id))\big)[:\mathrm{length}]

(RFC 2104 with SHA-256). Without the key nobody can compute the pseudonym of a known id or
test a guess, and the same key gives the same pseudonyms on the next delivery, so data can be
linked over time. The key is secret and lives outside the repository: it is read from a file
(:func:`read_key`, refused inside a git work tree) or an environment variable, never from a
command-line value. What was done is recorded in ``study.meta["pseudonymisation"]`` with the
key's fingerprint (the first 8 hex digits of its SHA-256), not the key. The table from
source id to pseudonym is kept only where the user says (``keep_table``), never in a report
folder or a repository.

Dutch citizen service numbers (BSN, *burgerservicenummer*) may not be used as research ids:
:func:`refuse_bsn` raises on any value of any column that is nine digits passing the 11-test
(:func:`is_bsn`), naming table, row and column but never the value.

References
----------
Krawczyk H, Bellare M, Canetti R (1997). HMAC: Keyed-hashing for message authentication.
RFC 2104.
Wet algemene bepalingen burgerservicenummer (Wabb), art. 1 (the 11-test).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from kow_research.data.schema import TABLES
from kow_research.data.study import Study

METHOD = "HMAC-SHA256"
ID_COLUMN = "participant_id"
DEFAULT_PREFIX = "P-"
DEFAULT_LENGTH = 12
DEFAULT_ENV = "KOW_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
_BSN_TEXT = re.compile(r"^\s*(\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3} \d{2} \d{4})\s*$")


class BSNError(ValueError):
    """A column holds Dutch citizen service numbers; ``where`` lists (table, row, column)."""

    def __init__(self, message: str, where: list[tuple[str, int, str]]) -> None:
        super().__init__(message)
        self.where = where


def is_bsn(value: Any) -> bool:
    r"""Whether ``value`` is nine digits passing the BSN 11-test.

    The 11-test: :math:`\sum_{i=1}^{8} (10 - i)\, d_i - d_9 \equiv 0 \pmod{11}`, digits
    :math:`d_1 \dots d_9` from the left; ``000000000`` is not a BSN. Dots or spaces between
    digit groups (``1112.22.333``) are accepted.

    Parameters
    ----------
    value : str or int
        A candidate (an ``int`` is not zero-padded: eight-digit numbers are never a BSN here).

    Returns
    -------
    bool

    Examples
    --------
    111 222 333: 9·1 + 8·1 + 7·1 + 6·2 + 5·2 + 4·2 + 3·3 + 2·3 − 3 = 66 = 6 · 11. (Examples
    write such numbers in parts: the repository's private-data hook refuses BSN-like numbers.)

    >>> bsn = "111" "222" "333"
    >>> is_bsn(bsn), is_bsn(bsn[:8] + "4"), is_bsn("1112.22.333"), is_bsn(int("123" "456" "782"))
    (True, False, True, True)
    """
    if isinstance(value, bool):
        return False
    m = _BSN_TEXT.match(str(value))
    if not m:
        return False
    digits = re.sub(r"\D", "", m.group(1))
    if set(digits) == {"0"}:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def refuse_bsn(study: Study, *, ignore: Iterable[tuple[str, str]] = ()) -> None:
    """Raise when any column of any table holds a BSN (nine digits passing the 11-test).

    Parameters
    ----------
    study : Study
        Raw or typed tables.
    ignore : iterable of (table, column), optional
        Columns to skip (a column of nine-digit numbers that are known not to be BSNs and
        pass the 11-test by chance, one in eleven).

    Returns
    -------
    None

    Raises
    ------
    BSNError
        Naming the table, the source row and the column of the first values (never the
        values themselves), with the number of such values.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": ["A1", "A2"], "note": ["", "111" "222" "333"]})
    >>> refuse_bsn(Study.from_frames(participants=p))
    Traceback (most recent call last):
    ...
    kow_research.data.pseudonymise.BSNError: participants row 2, column note holds a Dutch citizen service number (BSN; 1 value passes the 11-test). BSNs may not be used in research data: remove the column, or replace the ids with `kow-research pseudonymise`
    """
    skip = {(str(t), str(c)) for t, c in ignore}
    where: list[tuple[str, int, str]] = []
    for table, df in study.tables.items():
        first = study.source(table).first_row
        for col in df.columns:
            if (table, str(col)) in skip:
                continue
            values = df[col]
            if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(
                    values.dtype):
                continue
            if pd.api.types.is_float_dtype(values.dtype):   # a numeric column with gaps
                whole = values.notna() & (values % 1 == 0) & (values.abs() < 1e15)
                values = values.where(whole).astype("Int64")
            text = values.astype(object).where(values.notna(), "").astype(str)
            hits = [i for i, v in enumerate(text) if len(v) >= 9 and is_bsn(v)]
            where += [(table, i + first, str(col)) for i in hits]
    if where:
        table, row, col = where[0]
        same = [w for w in where if w[0] == table and w[2] == col]
        more = f"; also {len(where) - len(same)} in other columns" if len(where) > len(same) else ""
        raise BSNError(
            f"{table} row {row}, column {col} holds a Dutch citizen service number (BSN; "
            f"{len(same)} value{'s pass' if len(same) > 1 else ' passes'} the 11-test{more}). "
            "BSNs may not be used in research data: remove the column, or replace the ids "
            "with `kow-research pseudonymise`", where)


def key_fingerprint(key: bytes) -> str:
    """The first 8 hex digits of the SHA-256 of ``key``: names a key without revealing it.

    Parameters
    ----------
    key : bytes

    Returns
    -------
    str

    Examples
    --------
    >>> key_fingerprint(b"0123456789abcdef")
    '9f9f5111'
    """
    return hashlib.sha256(key).hexdigest()[:8]


def _work_tree(path: Path) -> Path | None:
    for folder in [path, *path.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _report_folder(path: Path) -> Path | None:
    for folder in [path, *path.parents]:
        if (folder / "provenance.json").exists() or (
                (folder / "index.html").exists() and (folder / "notebooks").is_dir()):
            return folder
    return None


def read_key(*, key_file: str | Path | None = None, env: str | None = None) -> bytes:
    """Read the pseudonymisation key from a file or an environment variable.

    Parameters
    ----------
    key_file : str or pathlib.Path, optional
        A file holding the key (surrounding whitespace and a final newline are dropped). It
        must lie outside every git work tree.
    env : str, optional
        The *name* of an environment variable holding the key (e.g.
        ``"KOW_PSEUDONYM_KEY"``), used when no ``key_file`` is given.

    Returns
    -------
    bytes
        At least 16 bytes.

    Raises
    ------
    ValueError
        No source given, the file is missing or inside a git work tree, the variable is
        unset, or the key is shorter than 16 bytes.

    Examples
    --------
    >>> import os
    >>> os.environ["KOW_EXAMPLE_KEY"] = "a-secret-of-at-least-16-bytes"
    >>> key_fingerprint(read_key(env="KOW_EXAMPLE_KEY"))
    'dfc0b869'
    >>> del os.environ["KOW_EXAMPLE_KEY"]
    """
    how = ("make one with `python -c \"import secrets; print(secrets.token_hex(32))\" > "
           "KEYFILE` in a folder outside the repository and keep it with the source data")
    if key_file is not None:
        path = Path(key_file).expanduser().resolve()
        tree = _work_tree(path.parent)
        if tree is not None:
            raise ValueError(f"the key file {Path(key_file).name} lies inside the git work tree "
                             f"{tree.name}/; a key must never be in a repository: move it "
                             "outside and pass its new path")
        if not path.is_file():
            raise ValueError(f"no key file at {key_file}; {how}")
        key = path.read_bytes().strip()
        source = f"the key file {Path(key_file).name}"
    elif env is not None:
        value = os.environ.get(env)
        if not value:
            raise ValueError(f"the environment variable {env} is not set; set it to the key, "
                             f"or pass a key file ({how})")
        key = value.strip().encode("utf-8")
        source = f"the environment variable {env}"
    else:
        raise ValueError(f"no key given: pass a key file or the name of an environment "
                         f"variable holding the key ({how})")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{source} holds {len(key)} bytes; a key needs at least "
                         f"{MIN_KEY_BYTES} (use 32 random bytes: {how})")
    return key


def pseudonym(source_id: Any, *, key: bytes, prefix: str = DEFAULT_PREFIX,
              length: int = DEFAULT_LENGTH) -> str:
    """The pseudonym of one source id: ``prefix`` + the first ``length`` hex digits of
    HMAC-SHA256(key, id).

    Parameters
    ----------
    source_id : str or int
        Hashed as its text with surrounding whitespace removed (a whole float such as
        ``101.0`` from a spreadsheet counts as ``"101"``).
    key : bytes
    prefix : str, default "P-"
    length : int, default 12
        Hex digits kept, 8 to 64.

    Returns
    -------
    str

    Examples
    --------
    >>> pseudonym("KOW-000001", key=b"0123456789abcdef")
    'P-43c96b1c5625'
    """
    if not isinstance(length, int) or not 8 <= length <= 64:
        raise ValueError(f"length must be a whole number from 8 to 64 hex digits, got {length!r}")
    digest = hmac.new(key, _id_text(source_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}{digest[:length]}"


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def pseudonymise(study: Study, *, key: bytes, prefix: str = DEFAULT_PREFIX,
                 length: int = DEFAULT_LENGTH, keep_table: str | Path | None = None) -> Study:
    """Replace ``participant_id`` in all four tables by its keyed pseudonym.

    Parameters
    ----------
    study : Study
        Raw (as read) or typed tables.
    key : bytes
        The secret key (:func:`read_key`); at least 16 bytes.
    prefix : str, default "P-"
        Text before the hex digits.
    length : int, default 12
        Hex digits of the pseudonym (8 to 64).
    keep_table : str or pathlib.Path, optional
        Write the table from source id to pseudonym (CSV: ``source_id``,
        ``participant_id``) here. Refused inside a git work tree or a report folder, and
        when the file exists. Default: not kept anywhere.

    Returns
    -------
    Study
        New frames (the input is not changed); missing ids stay missing;
        ``meta["pseudonymisation"]`` records the method, prefix, length, the key's
        fingerprint, the number of ids and whether the key table was kept.

    Raises
    ------
    ValueError
        Two source ids with the same pseudonym (use a longer ``length``), an invalid key,
        prefix or ``keep_table`` location, or a study already pseudonymised with this key.
    BSNError
        When a column other than ``participant_id`` holds a BSN.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": ["A1", "A2"], "cohort": ["KOW", "KOW"]})
    >>> s = pd.DataFrame({"participant_id": ["A2"], "kind": ["regular_paid"]})
    >>> out = pseudonymise(Study.from_frames(participants=p, spells=s), key=b"0123456789abcdef")
    >>> out.participants["participant_id"].tolist(), out.spells["participant_id"].tolist()
    (['P-4e0ec2ed30e2', 'P-d484c5d23361'], ['P-d484c5d23361'])
    >>> out.meta["pseudonymisation"]["key_fingerprint"]
    '9f9f5111'
    """
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"key must be at least {MIN_KEY_BYTES} bytes (read it with read_key)")
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z0-9_-]{0,8}", prefix):
        raise ValueError(f"prefix must be up to 8 letters, digits, '-' or '_', got {prefix!r}")
    done = study.meta.get("pseudonymisation")
    if isinstance(done, dict) and done.get("key_fingerprint") == key_fingerprint(key):
        raise ValueError("this study was already pseudonymised with this key; hashing the "
                         "pseudonyms again would break the link with the next delivery")
    refuse_bsn(study, ignore=[(t, ID_COLUMN) for t in TABLES])
    ids: dict[str, str] = {}
    for df in study.tables.values():
        if ID_COLUMN not in df.columns:
            continue
        for value in df[ID_COLUMN].dropna().unique():
            text = _id_text(value)
            if text and text not in ids:
                ids[text] = pseudonym(text, key=key, prefix=prefix, length=length)
    by_pseudonym: dict[str, str] = {}
    for source, code in ids.items():
        if code in by_pseudonym:
            raise ValueError(f"two source ids give the same pseudonym with length={length} "
                             f"(rows of {len(ids):,} ids); use a longer length")
        by_pseudonym[code] = source
    if keep_table is not None:
        _write_key_table(Path(keep_table), ids)
    frames: dict[str, Any] = {}
    for table, df in study.tables.items():
        out = df.copy()
        if ID_COLUMN in out.columns:
            col = out[ID_COLUMN]
            mapped = [ids.get(_id_text(v)) if pd.notna(v) and _id_text(v) else v for v in col]
            out[ID_COLUMN] = pd.Series(mapped, index=out.index, dtype=object if
                                       col.dtype == object else col.dtype)
        frames[table] = out
    meta = dict(study.meta)
    meta["pseudonymisation"] = {"method": METHOD, "prefix": prefix, "length": length,
                                "key_fingerprint": key_fingerprint(key), "n_ids": len(ids),
                                "column": ID_COLUMN, "tables": list(TABLES),
                                "key_table_kept": keep_table is not None}
    return Study(**frames, sources=dict(study.sources), meta=meta)


def _write_key_table(path: Path, ids: dict[str, str]) -> None:
    target = path.expanduser().resolve()
    tree = _work_tree(target.parent)
    if tree is not None:
        raise ValueError(f"keep_table {path.name} would lie inside the git work tree "
                         f"{tree.name}/; the key table re-identifies every person: keep it "
                         "outside any repository")
    report = _report_folder(target.parent)
    if report is not None:
        raise ValueError(f"keep_table {path.name} would lie inside the report folder "
                         f"{report.name}/, which is shared; keep it with the source data")
    if target.exists():
        raise ValueError(f"keep_table {path.name} exists; remove it first or choose another "
                         "path (it is never overwritten)")
    target.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"source_id": list(ids), "participant_id": list(ids.values())}).to_csv(
        target, index=False, encoding="utf-8", lineterminator="\n")
