"""Byte-reproducible files: the same inputs, lock and seed give the same bytes.

File formats stamp the time they were written: the members of a zip container (XLSX, DOCX),
the document properties inside them, the SPSS header, papermill's run times in an executed
notebook. Every writer of the package passes its files through these functions, which put
:func:`fixed_time` in those places — ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds
convention), else 1980-01-01 00:00 UTC (the earliest time a zip member can carry).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: the time written into files when ``SOURCE_DATE_EPOCH`` is not set
DEFAULT_TIME = datetime(1980, 1, 1, tzinfo=UTC)
#: papermill/nbclient metadata that record when or how long a notebook ran
_VOLATILE_METADATA = ("start_time", "end_time", "duration", "exception", "execution")


def fixed_time() -> datetime:
    """The time to write into files: ``SOURCE_DATE_EPOCH`` if set, else 1980-01-01 UTC.

    Returns
    -------
    datetime.datetime

    Examples
    --------
    >>> fixed_time().year >= 1980
    True
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return max(datetime.fromtimestamp(int(epoch), tz=UTC), DEFAULT_TIME)
    return DEFAULT_TIME


def normalize_zip(path: str | Path, *, when: datetime | None = None) -> Path:
    """Rewrite a zip container (XLSX, DOCX) with fixed member times, a fixed member order and
    fixed ``dcterms:created``/``modified`` document properties.

    Parameters
    ----------
    path : str or pathlib.Path
        The file, rewritten in place.
    when : datetime.datetime, optional
        Default :func:`fixed_time`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, zipfile
    >>> f = Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(f, "w") as z:
    ...     z.writestr("b.txt", "b")
    >>> first = normalize_zip(f).read_bytes()
    >>> normalize_zip(f).read_bytes() == first
    True
    """
    p = Path(path)
    t = when or fixed_time()
    stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(p) as z:
        members = [(info, z.read(info.filename)) for info in z.infolist()]
    tmp = p.with_name(p.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as out:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{stamp}\g<3>", text)
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=t.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, data)
    tmp.replace(p)
    return p


def normalize_sav(path: str | Path, *, when: datetime | None = None) -> Path:
    """Put a fixed creation date and time into an SPSS ``.sav`` header (in place).

    The header holds ``creation_date`` ("dd Mmm yy", 9 bytes at offset 92) and
    ``creation_time`` ("hh:mm:ss", 8 bytes at offset 101); nothing else in the file depends on
    the time of writing.

    Parameters
    ----------
    path : str or pathlib.Path
    when : datetime.datetime, optional
        Default :func:`fixed_time`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        The file is not an SPSS system file.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.sav"
    >>> _ = f.write_bytes(b"$FL2" + b" " * 120)
    >>> normalize_sav(f).read_bytes()[92:109]
    b'01 Jan 8000:00:00'
    """
    p = Path(path)
    t = when or fixed_time()
    data = bytearray(p.read_bytes())
    if data[:4] not in (b"$FL2", b"$FL3") or len(data) < 109:
        raise ValueError(f"{p.name} is not an SPSS system file")
    data[92:101] = t.strftime("%d %b %y").encode("ascii")
    data[101:109] = t.strftime("%H:%M:%S").encode("ascii")
    p.write_bytes(bytes(data))
    return p


def clean_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """An executed notebook without run times, durations or random cell ids.

    Removes papermill's and nbclient's timing metadata (notebook and cells) and gives cells
    whose id papermill invented (the injected parameters, and the error banners it adds to a
    notebook that failed) an id derived from their position and source.

    Parameters
    ----------
    nb : dict
        The notebook JSON.

    Returns
    -------
    dict
        A cleaned copy.

    Examples
    --------
    >>> nb = {"metadata": {"papermill": {"start_time": "x", "parameters": {}}}, "cells": [
    ...     {"cell_type": "code", "id": "f00", "source": "a = 1",
    ...      "metadata": {"papermill": {"duration": 0.1}, "tags": ["injected-parameters"]}}]}
    >>> out = clean_notebook(nb)
    >>> out["metadata"]["papermill"], out["cells"][0]["metadata"]["papermill"]
    ({'parameters': {}}, {})
    """
    out = copy.deepcopy(nb)
    pm = out.get("metadata", {}).get("papermill")
    if isinstance(pm, dict):
        for key in _VOLATILE_METADATA:
            pm.pop(key, None)
    for i, cell in enumerate(out.get("cells", [])):
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        if isinstance(meta.get("papermill"), dict):
            for key in _VOLATILE_METADATA + ("status",):
                meta["papermill"].pop(key, None)
        if {"injected-parameters", "papermill-error-cell-tag"} & set(meta.get("tags", [])):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            cell["id"] = hashlib.sha256(f"{i}:{src}".encode()).hexdigest()[:8]
    return out
