"""The real analysis notebooks (01-06) run on designs other than the simulated four cohorts.

Each design is one a study team brought or could bring: KOW against care as usual (52 and 41
people, the comparator under its own name, not randomised, few participants with a severe
mental illness in KOW, months out of work missing for two people), an IPS trial against TAU (randomised, two horizons only) and a single
KOW pilot of 30 people (no comparator). Every notebook must run or say why it does not apply;
nothing may fail. The design notebook (08) needs no data and is left out, and the bootstrap
has 50 replicates, to keep this fast.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kow_research as kr
from kow_research.data.io import write_study
from kow_research.report.build import build_report

ROOT = Path(__file__).resolve().parents[2]
#: words that are English and not Dutch: none may appear in the text of a Dutch report
ENGLISH = ("the", "and", "with", "without", "people", "participants", "weighted", "months",
           "before", "after", "count", "score", "at risk", "Caution", "Conclusion", "paid work",
           "dropout", "Programme", "programme", "estimate", "missing", "female", "male",
           "isolated", "unpaid", "difference", "hazard ratio")
ANALYSES = ["01_data_quality", "02_baseline_characteristics", "03_participation_ladder",
            "04_time_to_paid_work", "05_dropout_and_dose", "06_comparison"]

DESIGNS = {
    # cohorts (simulator name -> (name in the study, n)), seed, study.yaml
    "kow_vs_cau": ({"KOW": ("KOW", 52), "TAU": ("CAU", 41)}, 3,
                   {"title": "KOW versus care as usual", "index": "KOW", "comparators": ["CAU"],
                    "randomised": False, "language": "nl", "simulated": True,
                    "n_boot": 50}),
    "ips_trial": ({"IPS": ("IPS", 80), "TAU": ("TAU", 80)}, 4,
                  {"title": "IPS trial", "index": "IPS", "comparators": ["TAU"],
                   "randomised": True, "horizons_months": [6, 12], "language": "en",
                   "simulated": True, "n_boot": 50}),
    "kow_pilot": ({"KOW": ("KOW", 30)}, 5,
                  {"title": "KOW pilot", "index": "KOW", "language": "en", "simulated": True,
                   "n_boot": 50}),
}


def _study_folder(root: Path, name: str) -> Path:
    cohorts, seed, design = DESIGNS[name]
    study = kr.simulate_studies({sim: n for sim, (_, n) in cohorts.items()}, seed=seed)
    rename = {sim: own for sim, (own, _) in cohorts.items() if sim != own}
    if rename:
        people = study.participants.copy()
        people["cohort"] = people["cohort"].astype(str).replace(rename)
        # an optional covariate missing for two people (complete cases: counted, not a crash)
        people.loc[people.index[[3, 60]], "months_out_of_work"] = pd.NA
        study = kr.data.Study.from_frames(participants=people, ladder=study.ladder,
                                          spells=study.spells, sessions=study.sessions)
    folder = root / name
    write_study(study, folder)
    (folder / "study.yaml").write_text(yaml.safe_dump(design, sort_keys=False),
                                       encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", list(DESIGNS))
def test_every_analysis_runs_or_says_why_not(tmp_path: Path, name: str) -> None:
    data = _study_folder(tmp_path, name)
    out = tmp_path / "report"
    result = build_report(out, data=data, notebook_dir=ROOT / "notebooks", only=ANALYSES,
                          echo=lambda line: None)
    status = {Path(r.name).stem: ("ok" if r.ok else "not applicable" if r.not_applicable else "FAILED")
              for r in result.runs}
    assert "FAILED" not in status.values(), (status, result.messages)
    assert result.exit_code == 0
    comparators = DESIGNS[name][2].get("comparators") or []
    if comparators:
        # the comparison notebook runs once per comparator, under the comparator's own name
        assert {f"06_comparison_{c}" for c in comparators} <= set(status)
        assert all(status[f"06_comparison_{c}"] == "ok" for c in comparators)
    else:
        assert status["06_comparison"] == "not applicable"
    # the language of the design reaches the pages
    page = (out / "04_time_to_paid_work.html").read_text(encoding="utf-8")
    lang = DESIGNS[name][2]["language"]
    assert f'lang="{lang}"' in page
    if name == "kow_vs_cau":
        # CAU is not a simulator cohort: it comes from the data and the design alone
        table = pd.read_csv(out / "results" / "02_table1.csv", dtype=str)
        text = " ".join(table.columns) + " " + " ".join(table.fillna("").to_numpy().ravel())
        assert "CAU" in text and "TAU" not in text
        models = (out / "04_time_to_paid_work.html").read_text(encoding="utf-8")
        assert "zonder volledige covariaten niet in het model" in models
        # the caveat follows the effective sample sizes the page prints (fragile below 30),
        # and the page and the summary say how the propensity models were fitted (the
        # default separation "auto": maximum likelihood, Firth where it has no estimate)
        page = _visible((out / "06_comparison_CAU.html").read_text(encoding="utf-8"))
        sizes = re.search(r"Na weging telt KOW als (\d+) en CAU als (\d+) personen", page)
        assert sizes, "effective sample sizes not printed"
        fragile = min(int(sizes.group(1)), int(sizes.group(2))) < 30
        assert ("geen robuust bewijs" in page) == fragile
        summary = _visible((out / "summary.html").read_text(encoding="utf-8"))
        assert "gepenaliseerde methode van Firth" in page
        assert "gepenaliseerde methode van Firth" in summary
    if lang == "nl":
        _assert_no_english(out)
    provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert str(tmp_path) not in json.dumps(provenance)


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def _assert_no_english(out: Path) -> None:
    """Every sentence, header and category of the analysis pages and the summary is Dutch;
    the titles of published studies are proper names and are left out."""
    names = {kr.report.comparison._short_citation(c.citation)
             for c in kr.synthetic.reference_cohorts().values()}
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")
    found = []
    for page in sorted(out.glob("0[1-6]_*.html")) + [out / "summary.html", out / "index.html"]:
        text = _visible(page.read_text(encoding="utf-8"))
        for name in names:
            text = text.replace(name, " ")
        text = re.sub(r"\b[\w.-]+\.(csv|xlsx|sav|parquet|json|ipynb)\b", " ", text)  # files
        found += [f"{page.name}: {m.group(1)!r} in {line.strip()[:100]!r}"
                  for line in text.splitlines() for m in pattern.finditer(line)]
    assert not found, "\n".join(found[:20])
