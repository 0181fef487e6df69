"""Value rules of an import mapping, applied to one source column at a time.

Each column is factorised once; every rule then works on its distinct values (a column of three
million dates holds a few thousand), and the counts in the import log come from the codes. A
value that no rule recognises is passed on unchanged, so validation reports it with the file and
row it came from; nothing is dropped and nothing is guessed.

Order of the rules for a value: SPSS user-missing values, SPSS value labels (when labels are
read), missing codes, recodes (explicit, or the dictionary's own values and labels), then the
field's type: dates in the declared formats, decimal commas, yes/no words, numbers as text for
text fields (``101.0`` → ``"101"``).
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kow_research.data.mapping import Rules, text_key
from kow_research.data.readers import spss_user_missing
from kow_research.data.schema import Field

LOG_COLUMNS = ["table", "column", "rule", "from", "to", "rows"]
EXCEL_ORIGIN = np.datetime64("1899-12-30")  # Excel's 1900 date system, as Excel counts
_EXCEL_MAX = 2_958_465  # 9999-12-31
_ISO = r"\d{4}-\d{2}-\d{2}"


@dataclass
class Log:
    """Counts of every transformation, keyed by (table, column, rule, from, to)."""

    counts: dict[tuple[str, str, str, str, str], int] = field(
        default_factory=lambda: defaultdict(int))

    def add(self, table: str, column: str, rule: str, source: Any, target: Any, rows: int) -> None:
        """Count ``rows`` rows changed by ``rule`` from ``source`` to ``target``."""
        if rows:
            self.counts[(table, column, rule, str(source), str(target))] += int(rows)

    def frame(self) -> pd.DataFrame:
        """The log as a table with columns table, column, rule, from, to, rows."""
        rows = [(*key, n) for key, n in self.counts.items()]
        return pd.DataFrame(rows, columns=LOG_COLUMNS).astype({"rows": "int64"})


@dataclass(frozen=True)
class SpssMeta:
    """What an SPSS file says about one variable."""

    value_labels: dict[Any, str] = field(default_factory=dict)
    missing_ranges: list[tuple[float, float]] = field(default_factory=list)


def _is_missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or (
        isinstance(v, str) and v == "") or (isinstance(v, np.datetime64) and np.isnat(v)) or (
        v is pd.NaT)


def _factorize(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values; object columns keep 1, 1.0 and True apart."""
    if raw.dtype == object:
        tagged = [(type(v).__name__, v) if not _is_missing(v) else None for v in raw.to_numpy()]
        codes, uniq = pd.factorize(pd.Series(tagged, dtype=object))
        values = np.empty(len(uniq), dtype=object)
        values[:] = [u[1] for u in uniq]
        return np.asarray(codes, dtype=np.int64), values
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw.to_numpy()
        codes, uniq = pd.factorize(values.view(np.int64))
        nat = np.iinfo(np.int64).min
        codes = np.where(values.view(np.int64) == nat, -1, codes)
        dates = np.empty(len(uniq), dtype=object)
        dates[:] = [np.int64(u).astype(values.dtype) if u != nat else None for u in uniq]
        return np.asarray(codes, dtype=np.int64), dates
    codes, uniq = pd.factorize(raw)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniq, dtype=object)


def _date_text(v: Any) -> str | None:
    """A native date cell as ISO text, or None when it has a time of day or cannot be stored."""
    if isinstance(v, np.datetime64):
        day = v.astype("datetime64[D]")
        if day != v or not (np.datetime64("1678-01-01") <= day <= np.datetime64("2261-12-31")):
            return None
        return str(day)
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second, v.microsecond) == (
            0, 0, 0, 0) and v.tzinfo is None else None
    if isinstance(v, _dt.date):
        return v.isoformat()
    return None


def _dictionary_recode(f: Field) -> dict[str, str]:
    """The field's own values and its English and Dutch labels, case-insensitively."""
    out: dict[str, str] = {}
    for c in f.categories:
        for word in (c.value, c.label_en, c.label_nl):
            out[text_key(word).casefold()] = str(c.value)
    return out


def _parse_dates(texts: pd.Series, formats: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """ISO text (or None) per text, and the format that read it ("" when none did)."""
    texts = texts.reset_index(drop=True).astype(object)
    iso = pd.Series([None] * len(texts), dtype=object)
    used = pd.Series([""] * len(texts), dtype=object)
    for fmt in formats:
        todo = iso.isna().to_numpy()
        if not todo.any():
            break
        sub = texts[todo]
        if fmt == "iso":
            ok = sub.str.fullmatch(_ISO).fillna(False).to_numpy(dtype=bool)
            parsed = pd.to_datetime(sub.where(ok), format="%Y-%m-%d", errors="coerce")
        elif fmt == "excel":
            num = pd.to_numeric(sub, errors="coerce")
            whole = (num.notna() & (num % 1 == 0) & (num >= 1) & (num <= _EXCEL_MAX)).to_numpy()
            parsed = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[ns]")
            days = num[whole].astype("int64").to_numpy()
            parsed[whole] = (EXCEL_ORIGIN + days.astype("timedelta64[D]")).astype("datetime64[ns]")
        else:
            parsed = pd.to_datetime(sub, format=fmt, errors="coerce")
        parsed = pd.Series(parsed, index=sub.index)
        good = parsed.notna() & (parsed == parsed.dt.normalize())
        hit = sub.index[good.to_numpy()]
        iso[hit] = parsed[hit].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        used[hit] = fmt
    return iso, used


def _log_pairs(log: Log, table: str, column: str, rule: str, source: pd.Series,
               target: pd.Series | str, rows: np.ndarray) -> None:
    """Log one count per distinct (from, to) pair, weighted by the rows of each value."""
    if len(source) == 0:
        return
    frame = pd.DataFrame({"from": source.to_numpy(dtype=object),
                          "to": (target.to_numpy(dtype=object) if isinstance(target, pd.Series)
                                 else target), "rows": rows})
    for (src, tgt), n in frame.groupby(["from", "to"], sort=False)["rows"].sum().items():
        log.add(table, column, rule, src, tgt, int(n))


def _text_rules(u: pd.Series, counts: np.ndarray, f: Field, rules: Rules, table: str,
                log: Log) -> tuple[pd.Series, bool]:
    """The value rules on distinct values that are all text, vectorised."""
    out = u.astype(object).copy()
    key = u.str.strip() if rules.strip else u
    stripped = (key != u).to_numpy(dtype=bool)
    changed = bool(stripped.any())
    log.add(table, f.name, "strip", "surrounding spaces", "removed", int(counts[stripped].sum()))
    fold = key.str.casefold()
    done = (key == "").to_numpy(dtype=bool)
    out[done] = None
    missing = {m.casefold() for m in rules.missing}
    if missing:
        m = fold.isin(missing).to_numpy(dtype=bool) & ~done
        if m.any():
            _log_pairs(log, table, f.name, "missing_code", key[m], "", counts[m])
            out[m] = None
            done |= m
            changed = True
    recode = rules.recode
    if recode is not None:
        if recode == "dictionary":
            recode_map, rule_name = _dictionary_recode(f), "recode_dictionary"
        else:
            recode_map = {k.casefold(): str(v) for k, v in (
                recode.items() if isinstance(recode, dict) else ())}
            rule_name = "recode"
        target = fold.map(recode_map)
        r = target.notna().to_numpy(dtype=bool) & ~done
        if r.any():
            real = r & (target != key).to_numpy(dtype=bool)
            _log_pairs(log, table, f.name, rule_name, key[real], target[real], counts[real])
            out[r] = target[r].to_numpy(dtype=object)
            done |= r
            changed = True
    rest = ~done
    out[rest] = key[rest].to_numpy(dtype=object)
    if f.type == "date" and rest.any():
        iso, used = _parse_dates(key[rest], rules.date_format)
        idx = np.flatnonzero(rest)
        parsed = iso.notna().to_numpy(dtype=bool)
        out.iloc[idx[parsed]] = iso[parsed].to_numpy(dtype=object)
        other = parsed & (used != "iso").to_numpy(dtype=bool)
        if other.any():
            names = used[other].map(lambda x: "excel serial number" if x == "excel" else x)
            _log_pairs(log, table, f.name, "date_format", names, "YYYY-MM-DD",
                       counts[idx[other]])
            changed = True
    elif f.type in ("integer", "number") and rules.decimal == "," and rest.any():
        comma = key.str.fullmatch(r"[+-]?\d*,\d+").fillna(False).to_numpy(dtype=bool) & rest
        if comma.any():
            out[comma] = key[comma].str.replace(",", ".", regex=False).to_numpy(dtype=object)
            log.add(table, f.name, "decimal_comma", ",", ".", int(counts[comma].sum()))
            changed = True
    elif f.type == "boolean" and rest.any():
        true_words = {w.casefold() for w in (*f.true_values, *rules.true_words)}
        false_words = {w.casefold() for w in (*f.false_values, *rules.false_words)}
        t = fold.isin(true_words).to_numpy(dtype=bool) & rest
        fl = fold.isin(false_words).to_numpy(dtype=bool) & rest & ~t
        words = (t | fl) & ~key.isin(["true", "false"]).to_numpy(dtype=bool)
        if words.any():
            target_words = pd.Series(np.where(t[words], "true", "false"), dtype=object)
            _log_pairs(log, table, f.name, "boolean", key[words], target_words, counts[words])
            changed = True
        out[t] = "true"
        out[fl] = "false"
    return out, changed


def _excel_serial(v: float) -> str | None:
    if not float(v).is_integer() or not 1 <= v <= _EXCEL_MAX:
        return None
    return str(EXCEL_ORIGIN + np.timedelta64(int(v), "D"))


def transform_column(raw: pd.Series, f: Field, rules: Rules, *, table: str, source_column: str,
                     log: Log, spss: SpssMeta | None = None) -> pd.Series:
    """Apply the mapping's value rules for field ``f`` to one source column.

    Parameters
    ----------
    raw : pandas.Series
        The source column as read (text, numbers, dates or mixed Excel cells).
    f : Field
        The dictionary field it feeds.
    rules : Rules
        The field's reading rules from the mapping.
    table, source_column : str
        For the log.
    log : Log
        Receives one count per transformation (rule, from, to, rows).
    spss : SpssMeta, optional
        Value labels and user-missing ranges of the SPSS variable.

    Returns
    -------
    pandas.Series
        Values ready for validation: a categorical of text when every value is text, numbers,
        or the original cells where no rule applied. Same length and order as ``raw``.

    Examples
    --------
    >>> from kow_research.data import get_schema
    >>> log = Log()
    >>> out = transform_column(pd.Series(["3-2-2020", "-9", "31-02-2020"]),
    ...                        get_schema("participants").field("start_date"),
    ...                        Rules(date_format=("%d-%m-%Y",), missing=("-9",)),
    ...                        table="participants", source_column="Start", log=log)
    >>> out.astype(object).where(out.notna(), None).tolist()
    ['2020-02-03', None, '31-02-2020']
    >>> log.frame()[["rule", "from", "to", "rows"]].values.tolist()
    [['missing_code', '-9', '', 1], ['date_format', '%d-%m-%Y', 'YYYY-MM-DD', 1]]
    """
    raw = raw.reset_index(drop=True)
    if spss is not None and spss.missing_ranges and rules.spss_user_missing == "missing":
        mask = spss_user_missing(raw, spss.missing_ranges)
        if mask.any():
            for value, n in pd.Series(raw[mask]).value_counts(sort=False).items():
                log.add(table, f.name, "spss_user_missing", text_key(value), "", n)
            raw = raw.where(~mask)
    use_labels = spss is not None and bool(spss.value_labels) and (
        rules.spss_values == "labels" or (rules.spss_values == "auto" and f.type == "string"))
    codes, uniques = _factorize(raw)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)) if len(uniques) else (
        np.zeros(0, dtype=np.int64))
    text_only = pd.api.types.infer_dtype(pd.Series(uniques, dtype=object)) in ("string", "empty")
    if text_only and not use_labels:
        out, changed = _text_rules(pd.Series(uniques, dtype=object), counts, f, rules, table, log)
        if not changed:
            cats = pd.Index(uniques, dtype=object)
            return pd.Series(pd.Categorical.from_codes(codes, categories=cats))
        return _rebuild(list(out.to_numpy(dtype=object)), codes, len(raw))
    recode = rules.recode
    if recode == "dictionary":
        recode_map, rule_name = _dictionary_recode(f), "recode_dictionary"
    else:
        recode_map = {k.casefold(): str(v) for k, v in (
            recode.items() if isinstance(recode, dict) else ())}
        rule_name = "recode"
    missing = {m.casefold() for m in rules.missing}
    true_words = {w.casefold() for w in (*f.true_values, *rules.true_words)}
    false_words = {w.casefold() for w in (*f.false_values, *rules.false_words)}
    new: list[Any] = []
    pending_dates: list[tuple[int, str]] = []
    for i, v in enumerate(uniques):
        n = int(counts[i])
        if _is_missing(v):
            new.append(None)
            continue
        if use_labels and spss is not None and not isinstance(v, str):
            label = spss.value_labels.get(v, spss.value_labels.get(float(v)) if isinstance(
                v, int | float | np.number) else None)
            if label is not None:
                log.add(table, f.name, "spss_label", text_key(v), label, n)
                v = label
        key = text_key(v) if rules.strip or not isinstance(v, str) else v
        if isinstance(v, str) and key != v:
            log.add(table, f.name, "strip", "surrounding spaces", "removed", n)
        if key.casefold() in missing:
            log.add(table, f.name, "missing_code", key, "", n)
            new.append(None)
            continue
        if key.casefold() in recode_map:
            target = recode_map[key.casefold()]
            if target != key:
                log.add(table, f.name, rule_name, key, target, n)
            new.append(target)
            continue
        if f.type == "date":
            if isinstance(v, np.datetime64 | _dt.date):
                text = _date_text(v)
                new.append(text if text is not None else v)
            elif isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_):
                serial = _excel_serial(float(v)) if "excel" in rules.date_format else None
                if serial is not None:
                    log.add(table, f.name, "date_format", "excel serial number", "YYYY-MM-DD", n)
                new.append(serial if serial is not None else v)
            else:
                pending_dates.append((len(new), key))
                new.append(key)
            continue
        if f.type in ("integer", "number") and isinstance(v, str):
            if rules.decimal == "," and "," in key and "." not in key:
                log.add(table, f.name, "decimal_comma", ",", ".", n)
                key = key.replace(",", ".")
            new.append(key)
            continue
        if f.type == "boolean" and not isinstance(v, bool | np.bool_):
            word = key.casefold()
            if word in true_words or word in false_words:
                target = "true" if word in true_words else "false"
                if key not in ("true", "false"):
                    log.add(table, f.name, "boolean", key, target, n)
                new.append(target)
            else:
                new.append(v)
            continue
        if f.type == "string" and not isinstance(v, str):
            if isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_) and (
                    float(v).is_integer()):
                log.add(table, f.name, "number_to_text", "whole number", "text", n)
                new.append(key)
            else:
                new.append(v)
            continue
        new.append(key if isinstance(v, str) else v)
    if pending_dates:
        positions, texts = zip(*pending_dates, strict=True)
        parsed, used = _parse_dates(pd.Series(list(texts), dtype=object), rules.date_format)
        for pos, text, iso, fmt in zip(positions, texts, parsed.tolist(), used.tolist(),
                                       strict=True):
            if iso is not None:
                if fmt != "iso":
                    n = int(counts[pos])
                    log.add(table, f.name, "date_format",
                            "excel serial number" if fmt == "excel" else fmt, "YYYY-MM-DD", n)
                new[pos] = iso
            else:
                new[pos] = text
    return _rebuild(new, codes, len(raw))


def _rebuild(new: list[Any], codes: np.ndarray, n: int) -> pd.Series:
    """The column from its transformed distinct values: categorical text when all are text."""
    present = [v for v in new if v is not None]
    if all(isinstance(v, str) for v in present):
        values = pd.Series(new, dtype=object)
        cat_codes, cats = pd.factorize(values)  # two source values may now be the same
        row_codes = np.append(np.asarray(cat_codes, dtype=np.int64), -1)[codes]
        return pd.Series(pd.Categorical.from_codes(row_codes, categories=pd.Index(
            cats, dtype=object)))
    if all(isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
           for v in present):
        arr = np.append(np.asarray([np.nan if v is None else float(v) for v in new], dtype=float),
                        np.nan)
        return pd.Series(arr[codes])
    arr_obj = np.empty(len(new) + 1, dtype=object)
    arr_obj[:-1] = new
    arr_obj[-1] = None
    return pd.Series(arr_obj[codes] if n else np.empty(0, dtype=object), dtype=object)
