"""Leak scanner: eleven ways of printing individual people are caught, aggregates pass.

Outputs are made the way Jupyter makes them (``repr(df)`` as text/plain and
``df._repr_html_()`` as text/html, ``print(df)`` as a stream, a matplotlib SVG), so the
scanner is tested on what a notebook really stores.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

import kow_research as kr
from kow_research.report.leaks import PROBLEM_COLUMNS, quarantine, scan_notebook, scan_text
from kow_research.report.notebook_check import DisclosureError
from kow_research.report.policy import DisclosurePolicy

matplotlib.use("Agg")
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: BSN-like numbers are written in parts: the repository's private-data hook refuses them
BSN = "111" "222" "333"
NAMES = ["Jan de Vries", "Fatima El Amrani", "Sanne Bakker", "Mohamed Yilmaz", "Eva Smit",
         "Daan van der Berg"]


def _display(df: pd.DataFrame) -> dict:
    return nbformat.v4.new_output("execute_result", data={"text/plain": repr(df),
                                                          "text/html": df._repr_html_()})


def _stream(text: str) -> dict:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _nb(outputs, *, markdown: str | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown or "# Title")]
    for out in outputs:
        cell = nbformat.v4.new_code_cell("x", execution_count=len(nb.cells))
        cell.outputs = [out]
        nb.cells.append(cell)
    return nb


def _rules(nb, **kwargs) -> set[str]:
    return set(scan_notebook(nb, **kwargs)["rule"])


@pytest.fixture(scope="module")
def study():
    return kr.simulate_study("KOW", n=115, seed=1)


@pytest.fixture(scope="module")
def outcome(study):
    return kr.outcomes.time_to_paid_work(study)


# ----------------------------------------------------------------------------- 11 patterns
def test_1_participant_id_column(outcome):
    nb = _nb([_display(outcome[["participant_id", "cohort", "time"]].head(3))])
    assert "id_column" in _rules(nb)


def test_2_rows_with_names_but_no_id_column():
    df = pd.DataFrame({"begeleider": NAMES, "age": [31, 44, 52, 29, 38, 61]})
    assert "names" in _rules(_nb([_display(df)]))
    assert "names" in _rules(_nb([_stream(df.to_string())]))        # print(df)
    assert "names" in _rules(_nb([_stream("Sanne Bakker started on 3 March")]))


def test_3_dates_of_birth_per_row():
    births = ["1985-03-12", "1990-11-02", "1979-06-30", "2001-01-17", "1966-08-08"]
    df = pd.DataFrame({"geboortedatum": births, "sex": ["f", "m", "f", "m", "f"]})
    assert "date_of_birth" in _rules(_nb([_display(df)]))
    unnamed = pd.DataFrame({"start": pd.to_datetime(births), "rung": [1, 2, 3, 2, 4]})
    assert "dates_per_row" in _rules(_nb([_display(unnamed)]))
    assert "date_of_birth" in _rules(_nb([_stream("born 12-03-1985 in Utrecht")]))


def test_4_lower_case_prefixed_ids():
    assert "id_value" in _rules(_nb([_stream("first job: kow-00012 on day 4")]))
    df = pd.DataFrame({"code": [f"kow-{i:05d}" for i in range(12, 17)], "rung": [1, 2, 3, 4, 5]})
    assert {"id_values", "id_value"} <= _rules(_nb([_display(df)]))


def test_5_unprefixed_zero_padded_ids():
    df = pd.DataFrame({"dossier": [f"{i:06d}" for i in range(123, 130)], "rung": range(7)})
    assert "id_values" in _rules(_nb([_display(df)]))
    assert "id_value" in _rules(_nb([_stream("dossier 000123 moved")]))


def test_6_numeric_ids_one_per_row():
    df = pd.DataFrame({"nr": range(101, 126), "event": [0, 1] * 12 + [0]})
    assert "id_values" in _rules(_nb([_display(df)]))
    assert "id_values" in _rules(_nb([_display(df.set_index("nr").head(8))]))   # as index


def _svg(labels, fonttype):
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": fonttype, "svg.hashsalt": "kow"}):
        fig, ax = plt.subplots()
        ax.bar(range(len(labels)), [3, 5, 2])
        ax.set_xticks(range(len(labels)), labels)
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    return buf.getvalue()


@pytest.mark.parametrize("fonttype", ["none", "path"])   # <text> elements or glyph paths
def test_7_ids_in_svg_figure_text(fonttype):
    svg = _svg(["KOW-00012", "KOW-00013", "KOW-00014"], fonttype)
    out = nbformat.v4.new_output("display_data", data={"image/svg+xml": svg,
                                                       "text/plain": "<Figure>"})
    problems = scan_notebook(_nb([out]))
    assert "id_value" in set(problems["rule"])
    assert set(problems["output"]) == {"image/svg+xml"}


def test_8_ids_in_json_outputs():
    records = [{"id": f"kow-{i:05d}", "age": 30 + i} for i in range(5)]
    out = nbformat.v4.new_output("display_data", data={"application/json": {"rows": records}})
    assert {"id_column", "id_values"} <= _rules(_nb([out]))
    listed = nbformat.v4.new_output("display_data", data={
        "application/json": {"selected": ["IPS-000123", "IPS-000124", "IPS-000125"]}})
    assert "id_value" in _rules(_nb([listed]))


def test_9_ids_in_a_markdown_cell():
    problems = scan_notebook(_nb([], markdown="Client KOW-00012 found a job in week 3."))
    assert problems[["cell", "output", "rule"]].values.tolist() == [[1, "markdown", "id_value"]]


def test_10_bsn_anywhere():
    # 111 222 333: 9+8+7 + 2*(6+5+4) + 3*(3+2) - 3 = 66, divisible by 11
    assert "bsn" in _rules(_nb([_stream(f"BSN {BSN} was in the file")]))
    assert "bsn" in _rules(_nb([_stream("BSN 1112.22.333")]))
    df = pd.DataFrame({"x": [BSN, "a", "b"]})
    assert "bsn" in _rules(_nb([_display(df)]))
    assert "bsn" not in _rules(_nb([_stream(f"ref {BSN[:8]}4")]))     # fails the 11-test
    assert "bsn" not in _rules(_nb([_stream(f"estimate 0.{BSN}")]))    # digits of a number


def test_11_long_per_person_table(outcome):
    people = outcome[["cohort", "time", "event"]]
    assert "per_person_rows" in _rules(_nb([_display(people.head(50))]))
    assert "per_person_rows" in _rules(_nb([_stream(people.head(50).to_string())]))
    # truncated display of all 115: pandas prints 10 rows and "[115 rows x 3 columns]"
    assert "per_person_rows" in _rules(_nb([_display(people)]))
    # a short frame with one row per participant: the study size gives it away
    assert "per_person_rows" in _rules(_nb([_display(people.head(12))]), study_size=[12, 115])
    assert "per_person_rows" not in _rules(_nb([_display(people.head(12))]))


def test_free_text_and_other_name_forms():
    notes = pd.DataFrame({"opmerking": ["belt zelf terug na de zomer", "wil minder uren",
                                        "gaat verhuizen"], "rung": [2, 3, 4]})
    assert "free_text" in _rules(_nb([_display(notes)]))
    told = pd.DataFrame({"log": ["She said her manager was not told about it",
                                 "Hij heeft zijn baan opgezegd na een conflict",
                                 "Client found work through her cousin last week"]})
    assert "free_text" in _rules(_nb([_display(told)]))
    forms = pd.DataFrame({"who": ["Bakker, Sanne", "de Vries, Jan", "J. Jansen", "A.B. Smit"]})
    assert "names" in _rules(_nb([_display(forms)]))
    error = nbformat.v4.new_output("error", ename="KeyError", evalue="'kow-00012'",
                                   traceback=["KeyError: 'kow-00012'"])
    assert "id_value" in _rules(_nb([error]))


# ----------------------------------------------------------------------------- aggregates
def test_aggregate_tables_pass(study, outcome):
    p = study.participants
    crosstab = pd.crosstab(p["benefit"], p["sex"], margins=True)
    t1 = kr.report.table_one(p, by="sex", variables=["age", "diagnosis_group", "smi", "benefit"])
    # counts per wave from the raw ladder table (ladder_by_wave's pd.to_datetime(unit="D")
    # of an array with NaN raises FloatingPointError now and then under pandas 2.3)
    ladder = study.ladder.merge(p[["participant_id", "cohort"]], on="participant_id")
    per_wave = ladder.groupby(["cohort", "wave"])["rung"].agg(["count", "mean"])
    km = kr.survival.kaplan_meier(outcome, duration="time", event="event")
    cox = kr.survival.cox(outcome.dropna(subset=["age"]), duration="time", event="event",
                          covariates=["age", "months_out_of_work"])
    ages = p["age"].value_counts().sort_index().rename("n").to_frame()
    outputs = [_display(crosstab), _stream(crosstab.to_string()),
               nbformat.v4.new_output("display_data", data={"text/html": t1.to_html()}),
               _display(per_wave), _display(km.table), _stream(km.table.to_string()),
               _display(km.at([90, 180, 365])), _display(cox.summary), _display(ages),
               _stream(f"KOW: {len(p)} participants, {int(outcome['event'].eq(1).sum())} "
                       "in paid work")]
    assert len(km.table) > 20 and len(ages) > 20        # long, but aggregate
    problems = scan_notebook(_nb(outputs), study_size=len(p))
    assert problems.empty, problems[["cell", "output", "rule", "excerpt"]].to_string()


def test_committed_notebooks_pass():
    files = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert len(files) >= 7
    problems = scan_notebook(NOTEBOOKS, study_size=[326, 115, 70, 81, 60])
    assert problems.empty, problems.to_string()


def test_small_counts_only_with_a_policy():
    df = pd.DataFrame({"n": [3, 40]}, index=["moved", "health"])
    assert scan_text(df.to_html(), kind="text/html").empty
    found = scan_text(df.to_html(), kind="text/html", policy=DisclosurePolicy.default())
    assert found["rule"].tolist() == ["small_count"]


# ----------------------------------------------------------------------------- results
def test_excerpts_mask_the_identifying_values():
    nb = _nb([_stream(f"first job: IPS-000123 for Jan de Vries (BSN {BSN}, born "
                      "1985-03-12)")])
    problems = scan_notebook(nb)
    assert set(problems["rule"]) == {"id_value", "names", "bsn", "date_of_birth"}
    text = " ".join(problems["excerpt"])
    for secret in ("000123", "Vries", BSN, "1985"):
        assert secret not in text
    assert "IPS-••••••" in text
    # table excerpts show masked samples, not the values
    df = pd.DataFrame({"nr": range(101, 126), "naam": [NAMES[i % 6] for i in range(25)]})
    text = " ".join(scan_notebook(_nb([_display(df)]))["excerpt"])
    assert "101" not in text and "Vries" not in text and "Amrani" not in text


def test_problems_name_notebook_cell_and_output(tmp_path):
    nb = _nb([_stream("fine"), _stream("kow-00012")])
    nbformat.write(nb, str(tmp_path / "04_x.ipynb"))
    nbformat.write(_nb([_stream("fine")]), str(tmp_path / "05_y.ipynb"))
    problems = scan_notebook(tmp_path)
    assert list(problems.columns) == PROBLEM_COLUMNS
    assert problems[["notebook", "cell", "execution_count", "output", "rule"]].values.tolist() \
        == [["04_x.ipynb", 3, 2, "stdout", "id_value"]]
    with pytest.raises(DisclosureError, match=r"04_x.ipynb cell 3 \(id_value"):
        scan_notebook(tmp_path, raise_on_problem=True)
    with pytest.raises(ValueError, match="neither a notebook nor a folder"):
        scan_notebook(tmp_path / "missing.ipynb")


def test_quarantine_decides_what_is_published(tmp_path):
    nbformat.write(_nb([_stream("kow-00012")]), str(tmp_path / "04_x.ipynb"))
    nbformat.write(_nb([_stream("fine")]), str(tmp_path / "05_y.ipynb"))
    q = quarantine(scan_notebook(tmp_path), notebooks=sorted(tmp_path.glob("*.ipynb")))
    assert (q.quarantined, q.clean, q.exit_code) == (("04_x.ipynb",), ("05_y.ipynb",), 1)
    assert not q.allows(tmp_path / "04_x.ipynb") and q.allows("05_y.ipynb")
    assert q.messages() == ["04_x.ipynb cell 2 (stdout: id_value) shows individual "
                            "participants: not rendered, not linked"]
    assert "kow" not in " ".join(q.messages()).lower().replace("04_x", "")
    assert len(repr(q).splitlines()) < 15
    clean = quarantine(scan_notebook(tmp_path / "05_y.ipynb"), notebooks=["05_y.ipynb"])
    assert clean.exit_code == 0 and clean.quarantined == ()
    with pytest.raises(ValueError, match="pass the result of scan_notebook"):
        quarantine(pd.DataFrame({"x": [1]}))


def test_prose_and_references_pass():
    text = ("Michon H, van Busschbach JT, Stant AD (2014). doi 10.1186/s12888-022-04121-9; "
            "ISO-8601 dates; CVE-2024-34062; information meeting in Jan, placement in Feb. "
            "Grip Op Werk in four municipalities; 0.123456789 and 115 participants.")
    assert scan_text(text, kind="markdown").empty
    assert np.isclose(0.1, 0.1)
