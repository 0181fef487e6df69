"""Time and peak memory of importing and validating a large study from CSV.

Target (issue 11): 1,000,000 participants with 3,000,000 spells are imported from CSV with a
mapping and validated in under 30 s and under 3 GiB peak memory on the 2-core CI machine.

The files are written here (seeded) the way Dutch Excel writes them: ``;`` between fields,
Dutch column names, ``d-m-jjjj`` dates, ``WAAR/ONWAAR``, decimal commas and Dutch words for the
categories, so the import exercises renames, date formats, decimal commas, yes/no words and
recodes through the dictionary's labels. Every measurement runs in a fresh process (peak memory
is that process's maximum resident set size, interpreter and libraries included):

* ``pandas.read_csv`` of the same files (every column as text): the naive baseline;
* ``kow_research.data.import_study`` of those files with the mapping: read, transform,
  validate;
* ``kr.load_study`` of the same study written in canonical form: read and validate;
* ``kr.validate`` of the typed study in memory (read from Parquet first, not timed).

Run: ``.venv/bin/python benchmarks/bench_import.py [--participants N] [--spells M] [--profile]``
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

MAPPING = """
kow_research_mapping: 1
defaults:
  delimiter: ";"
  date_format: "%d-%m-%Y"
  decimal: ","
  booleans: {true: [WAAR], false: [ONWAAR]}
tables:
  participants:
    source: deelnemers.csv
    columns: {participant_id: Deelnemer, cohort: Groep, region: Regio, intake_date: Intake,
              start_date: Start, end_of_followup: Einde, age: Leeftijd, sex: Geslacht,
              diagnosis_group: Diagnose, smi: EPA, benefit: Uitkering, education: Opleiding,
              months_out_of_work: Maanden zonder werk, dropout_date: Uitval,
              dropout_reason: Reden uitval}
    recode: {sex: dictionary, diagnosis_group: dictionary, benefit: dictionary,
             education: dictionary, dropout_reason: dictionary}
  spells:
    source: werk.csv
    columns: {participant_id: Deelnemer, start_date: Begin, end_date: Eind, kind: Soort,
              hours_per_week: Uren}
    recode: {kind: dictionary}
"""


def _text(values: pd.Series, fmt: str | None = None) -> np.ndarray:
    """A column as text, formatting each distinct value once (fast for millions of rows)."""
    codes, uniq = pd.factorize(values)
    if fmt is not None:
        words = pd.DatetimeIndex(uniq).strftime(fmt).to_numpy(dtype=object)
    else:
        words = np.asarray([str(u) for u in uniq], dtype=object)
    return np.append(words, "")[codes]


def write_files(folder: Path, n: int, m: int) -> None:
    """Dutch Excel-style CSV files, a canonical study folder and Parquet of the same study."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_data

    import kow_research as kr

    bench_data.make_study(folder / "parquet", n, m)
    study = kr.Study.from_frames(**{t: pd.read_parquet(folder / "parquet" / f"{t}.parquet")
                                    for t in ("participants", "spells")})
    kr.write_study(study, folder / "canonical", format="csv")
    p, s = study.participants, study.spells
    nl = {f: kr.get_schema("participants").field(f).labels("nl") for f in (
        "sex", "diagnosis_group", "benefit", "education", "dropout_reason")}
    dmy = "%-d-%-m-%Y"
    deelnemers = pd.DataFrame({
        "Deelnemer": _text(p["participant_id"]), "Groep": _text(p["cohort"]),
        "Regio": _text(p["region"]), "Intake": _text(p["intake_date"], dmy),
        "Start": _text(p["start_date"], dmy), "Einde": _text(p["end_of_followup"], dmy),
        "Leeftijd": _text(p["age"]),
        **{col: _text(p[f].map(nl[f])) for col, f in (
            ("Geslacht", "sex"), ("Diagnose", "diagnosis_group"), ("Uitkering", "benefit"),
            ("Opleiding", "education"), ("Reden uitval", "dropout_reason"))},
        "EPA": _text(p["smi"].map({True: "WAAR", False: "ONWAAR"})),
        "Maanden zonder werk": _text(p["months_out_of_work"]),
        "Uitval": _text(p["dropout_date"], dmy),
    })
    kinds = kr.get_schema("spells").field("kind").labels("nl")
    werk = pd.DataFrame({
        "Deelnemer": _text(s["participant_id"]), "Begin": _text(s["start_date"], dmy),
        "Eind": _text(s["end_date"], dmy), "Soort": _text(s["kind"].map(kinds)),
        "Uren": _text(s["hours_per_week"].map(lambda h: f"{h:g}".replace(".", ","))),
    })
    dutch = folder / "dutch"
    dutch.mkdir()
    deelnemers.to_csv(dutch / "deelnemers.csv", sep=";", index=False)
    werk.to_csv(dutch / "werk.csv", sep=";", index=False)
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")


CHILD = r"""
import json, resource, sys, time, cProfile, pstats, io
mode, folder, profile = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
import pandas as pd
import kow_research as kr
typed = None
if mode == "validate":
    typed = kr.Study.from_frames(**{t: pd.read_parquet(f"{folder}/parquet/{t}.parquet")
                                    for t in ("participants", "spells")})
prof = cProfile.Profile() if profile else None
if prof: prof.enable()
t0 = time.perf_counter()
extra = {}
if mode == "read_csv":
    frames = [pd.read_csv(f"{folder}/dutch/{f}", sep=";", dtype=str, keep_default_na=False)
              for f in ("deelnemers.csv", "werk.csv")]
elif mode == "import":
    from kow_research.data import import_study
    study = import_study(f"{folder}/dutch", f"{folder}/mapping.yaml", strict=False)
    extra = {"errors": len(study.meta["validation"].errors),
             "log_rows": int(study.meta["import_log"]["rows"].sum())}
elif mode == "load_study":
    study = kr.load_study(f"{folder}/canonical", strict=False)
    extra = {"errors": len(study.meta["validation"].errors)}
else:
    report = kr.validate(typed)
    extra = {"errors": len(report.errors)}
seconds = time.perf_counter() - t0
if prof:
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
    extra["profile"] = out.getvalue()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB -> GiB
print(json.dumps({"seconds": seconds, "peak_gib": peak, **extra}))
"""


def run_child(mode: str, folder: Path, profile: bool = False) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), "1" if profile else "0"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--spells", type=int, default=3_000_000)
    parser.add_argument("--profile", action="store_true", help="print cProfile of the import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_files(folder, args.participants, args.spells)
        size = sum(p.stat().st_size for p in (folder / "dutch").iterdir()) / 1024 ** 2
        print(f"wrote {args.participants:,} participants, {args.spells:,} spells "
              f"({size:.0f} MiB of CSV) in {time.perf_counter() - t0:.1f} s")
        results = {mode: run_child(mode, folder, args.profile and mode == "import")
                   for mode in ("read_csv", "import", "load_study", "validate")}
    base = results["read_csv"]
    names = {"read_csv": "pandas.read_csv (text only, baseline)",
             "import": "kr.import_study (mapping + validation)",
             "load_study": "kr.load_study (canonical CSV, validated)",
             "validate": "kr.validate (typed study in memory)"}
    for mode, r in results.items():
        ratio = float(r["seconds"]) / float(base["seconds"])
        errors = f", {r['errors']} errors" if "errors" in r else ""
        print(f"{names[mode]:42s} {float(r['seconds']):6.1f} s  peak {float(r['peak_gib']):.2f} "
              f"GiB  ({ratio:.1f}x read_csv{errors})")
    imp = results["import"]
    ok = float(imp["seconds"]) < 30 and float(imp["peak_gib"]) < 3
    print(f"target: import + validation < 30 s and < 3 GiB: {'met' if ok else 'NOT met'}")
    if args.profile:
        print(imp["profile"])


if __name__ == "__main__":
    main()
