"""Time and peak memory of loading and validating a large study from Parquet.

Target (issue: foundation): 1,000,000 participants with 3,000,000 spell rows load and validate in
under 30 s and under 6 GiB peak memory on the 2-core CI machine. The data are generated here with
numpy (valid, with a realistic mix of ongoing spells); the baseline is a plain
``pandas.read_parquet`` of the same files, so the ratio shows what validation costs.

Run: ``.venv/bin/python benchmarks/bench_data.py [--participants N] [--spells M]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_study(folder: Path, n: int, m: int, seed: int = 20261123) -> None:
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.arange(n).astype(str))
    start = np.datetime64("2020-01-01") + rng.integers(0, 730, n).astype("timedelta64[D]")
    eof = start + rng.integers(180, 900, n).astype("timedelta64[D]")
    drop = rng.random(n) < 0.2
    dropout = np.where(drop, start + ((eof - start) * rng.random(n)).astype("timedelta64[D]"),
                       np.datetime64("NaT"))
    cats = lambda values, size: pd.Categorical(rng.choice(values, size), categories=values)  # noqa: E731
    participants = pd.DataFrame({
        "participant_id": pd.array(ids, dtype="string"),
        "cohort": pd.array(rng.choice(["KOW", "IPS"], n), dtype="string"),
        "region": pd.array(rng.choice(["Utrecht", "Zwolle", "Delft"], n), dtype="string"),
        "intake_date": (start - np.timedelta64(14, "D")).astype("datetime64[ns]"),
        "start_date": start.astype("datetime64[ns]"),
        "end_of_followup": eof.astype("datetime64[ns]"),
        "age": pd.array(rng.integers(18, 61, n), dtype="Int64"),
        "sex": cats(["female", "male", "other"], n),
        "diagnosis_group": cats(["anxiety", "depression", "bipolar", "psychosis", "personality",
                                 "addiction", "burnout", "other"], n),
        "smi": pd.array(rng.random(n) < 0.3, dtype="boolean"),
        "benefit": cats(["none", "ww", "bijstand", "wia_wao", "wajong", "other"], n),
        "education": cats(["low", "middle", "high"], n),
        "months_out_of_work": pd.array(rng.integers(0, 120, n), dtype="Int64"),
        "dropout_date": dropout.astype("datetime64[ns]"),
        "dropout_reason": pd.Categorical(np.where(drop, "health", None),
                                         categories=["health", "motivation", "practical", "moved",
                                                     "other"]),
    })
    # spells follow each other inside each person's follow-up: slot k of c_i equal slots
    owner = np.sort(rng.integers(0, n, m))
    count = np.bincount(owner, minlength=n)
    first = np.r_[0, np.cumsum(count)[:-1]]
    k = np.arange(m) - first[owner]
    slot = ((eof - start).astype(int)[owner] // count[owner]).astype(int)
    s_start = start[owner] + (k * slot + rng.integers(0, np.maximum(slot // 4, 1))).astype(
        "timedelta64[D]")
    s_end = s_start + np.maximum(slot // 2, 0).astype("timedelta64[D]")
    last = k == count[owner] - 1
    s_end = np.where(last & (rng.random(m) < 0.5), np.datetime64("NaT"), s_end)
    spells = pd.DataFrame({
        "participant_id": pd.array(ids[owner], dtype="string"),
        "start_date": s_start.astype("datetime64[ns]"),
        "end_date": s_end.astype("datetime64[ns]"),
        "kind": cats(["regular_paid", "supported_paid", "work_experience", "volunteer"], m),
        "hours_per_week": rng.integers(4, 40, m).astype(float),
    })
    folder.mkdir(parents=True, exist_ok=True)
    participants.to_parquet(folder / "participants.parquet", index=False)
    spells.to_parquet(folder / "spells.parquet", index=False)
    import kow_research as kr

    for table in ("ladder", "sessions"):
        kr.Study.empty_table(table).to_parquet(folder / f"{table}.parquet", index=False)


CHILD = """
import json, resource, sys, time
mode, folder = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "load_study":
    import kow_research as kr
    study = kr.load_study(folder, strict=False)
    report = study.meta["validation"]
    extra = {"errors": len(report.errors), "warnings": len(report.warnings)}
else:
    import pandas as pd
    frames = [pd.read_parquet(f"{folder}/{t}.parquet") for t in
              ("participants", "ladder", "spells", "sessions")]
    extra = {}
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB -> GiB
print(json.dumps({"seconds": seconds, "peak_gib": peak, **extra}))
"""


def run_child(mode: str, folder: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--spells", type=int, default=3_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        t0 = time.perf_counter()
        make_study(folder, args.participants, args.spells)
        print(f"generated {args.participants:,} participants, {args.spells:,} spells "
              f"in {time.perf_counter() - t0:.1f} s")
        base = run_child("read_parquet", folder)
        full = run_child("load_study", folder)
    print(f"pandas.read_parquet only : {base['seconds']:6.1f} s, peak {base['peak_gib']:.2f} GiB")
    print(f"kr.load_study (validated): {full['seconds']:6.1f} s, peak {full['peak_gib']:.2f} GiB "
          f"({full['errors']:.0f} errors, {full['warnings']:.0f} warnings)")
    print(f"ratio load_study / read_parquet: {full['seconds'] / base['seconds']:.1f}x")
    ok = full["seconds"] < 30 and full["peak_gib"] < 6
    print(f"target < 30 s and < 6 GiB: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
