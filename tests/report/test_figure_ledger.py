"""Counts printed in figures and in the summary report go through the policy and the ledger.

Hand-made cases: a flow of 20 (3 excluded, 17 analysed, 9 + 8 outcomes), a heat map of 8
people (6 stay at rung 2, 2 climb to 3), and the ledger recovering what plain (one-partition)
suppression would leave.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import kow_research as kr  # noqa: E402
from kow_research.data import Study  # noqa: E402
from kow_research.outcomes import ladder_by_wave, ladder_transitions  # noqa: E402
from kow_research.report.figures import transition_figure  # noqa: E402
from kow_research.report.flow import flow_diagram, suppress_attrition  # noqa: E402
from kow_research.report.ledger_sidecar import (  # noqa: E402
    attached_ledger,
    ledger_from,
    read_registrations,
    record_table,
    with_ledger,
)
from kow_research.report.policy import DisclosurePolicy  # noqa: E402
from kow_research.report.recovery import Partition  # noqa: E402

FLOW = pd.DataFrame({
    "cohort": "KOW",
    "stage": ["entered", "excluded", "excluded", "analysed", "outcome", "outcome"],
    "reason": ["entered", "in_paid_work_at_origin", "zero_followup", "analysed", "event_0",
               "event_1"],
    "label_en": ["entered", "in paid work at the origin", "no follow-up", "analysed",
                 "censored", "paid work"],
    "label_nl": ["ingestroomd", "al betaald werk", "geen follow-up", "geanalyseerd",
                 "gecensureerd", "betaald werk"],
    "n": [20, 3, 0, 17, 9, 8]})


def _check(frames, policy, folder):
    for name, frame in frames:
        record_table(frame, file="results/x.svg", table=name, directory=folder, source="x")
    return ledger_from(read_registrations(folder), policy=policy).check()


def test_flow_diagram_hides_what_the_outcomes_would_give_back(tmp_path):
    policy = DisclosurePolicy.default()
    ax = flow_diagram(FLOW, policy=policy)
    texts = "\n".join(t.get_text() for t in ax.texts)
    # 3 -> <5; 17 = 20 - 3 hidden (×); 9 + 8 = 17 would give it back: 8 (smallest) hidden
    assert "(n = ×)" in texts and "paid work: ×" in texts and "censored: 9" in texts
    assert "Excluded (n = <5)" in texts and ": 3" not in texts
    assert _check(attached_ledger(ax), policy, tmp_path).empty
    plt.close(ax.figure)


def test_the_ledger_catches_the_flow_one_partition_suppression_leaves(tmp_path):
    policy = DisclosurePolicy.default()
    # what the reasons/analysed partition alone gives: 20, <5, 0, ×, 9, 8
    plain = pd.DataFrame({"n": [20, "<5", 0, "×", 9, 8]})
    plain = with_ledger(plain, rows=["entered", "r1", "r2", "analysed", "o0", "o1"],
                        counts=["n"], figure=True, partitions=[
                            Partition([("r1", "n"), ("r2", "n"), ("analysed", "n")],
                                      ("entered", "n")),
                            Partition([("o0", "n"), ("o1", "n")], ("analysed", "n"))])
    problems = _check([("flow", plain)], policy, tmp_path)
    assert sorted(problems["recovered"].tolist()) == [3, 17]   # 9 + 8 = 17; 20 - 17 = 3
    nested = suppress_attrition(FLOW, policy=policy)["n"].tolist()
    assert nested == [20, "<5", 0, "×", 9, "×"]


def _transitions():
    people = pd.DataFrame({"participant_id": list("ABCDEFGH"), "cohort": "KOW",
                           "start_date": pd.Timestamp("2020-01-01")})
    ladder = pd.DataFrame({"participant_id": list("ABCDEFGH") * 2,
                           "assessment_date": pd.to_datetime(["2020-01-01"] * 8
                                                             + ["2020-07-01"] * 8),
                           "rung": [2] * 8 + [2] * 6 + [3] * 2})
    bw = ladder_by_wave(Study.from_frames(participants=people, ladder=ladder), waves=[0, 6])
    return ladder_transitions(bw, from_wave="T0", to_wave="T6")


@pytest.mark.parametrize("policy", [DisclosurePolicy.default(), DisclosurePolicy.strict()],
                         ids=["k5", "k10"])
def test_heat_map_counts_through_the_policy_and_the_ledger(tmp_path, policy):
    ax = transition_figure(_transitions(), policy=policy)
    cells = {t.get_text() for t in ax.texts}
    # k 5: 2 -> <5 and 6 (= 8 - 2) -> ×; k 10: both <10
    assert cells == ({"0", "<5", "×"} if policy.k == 5 else {"0", "<10"})
    assert "6" not in cells and "2" not in cells
    assert _check(attached_ledger(ax), policy, tmp_path).empty
    plt.close(ax.figure)


def test_printed_at_risk_and_dose_counts_are_attached_and_small_ones_hidden(tmp_path):
    study = kr.simulate_studies({"KOW": 32, "TAU": 25}, seed=3)
    design = kr.synthetic.simulation_design(study).resolve(study.participants, study.ladder,
                                                           study.sessions)
    policy = DisclosurePolicy.strict()
    df = kr.outcomes.time_to_paid_work(study)
    curve = kr.survival.cumulative_incidence(df, cause=1, by="cohort")
    printed = {}
    for p in (DisclosurePolicy.default(), policy):
        ax = kr.report.incidence_plot(curve, policy=p)
        (name, risk), = attached_ledger(ax)
        assert name == "number at risk"
        printed[p.k] = risk["n"].tolist()
        plt.close(ax.figure)
    # TAU has 8 at risk at the last tick: printed with k 5, not with k 10 (the curve and
    # its risk table end where fewer than k remain)
    assert printed[5][-1] == "8" and printed[10] == printed[5][:-1]
    assert all(v in ("<10", "0") or int(v) >= 10 for v in printed[10])
    dose = kr.outcomes.training_dose(study)
    ax = kr.report.dose_plot(dose, design=design, policy=policy)
    assert [n for n, _ in attached_ledger(ax)] == ["bands"]
    frames = [("risk", risk), *attached_ledger(ax)]
    assert _check(frames, policy, tmp_path).empty
    plt.close(ax.figure)


def test_summary_ladder_hides_the_number_assessed_like_tables(tmp_path):
    study = kr.simulate_studies({"KOW": 32, "TAU": 25}, seed=3)
    design = kr.synthetic.simulation_design(study).resolve(study.participants, study.ladder,
                                                           study.sessions)
    policy = DisclosurePolicy.default()
    from kow_research.report.summary import disclosed_tables
    from kow_research.report.summary_report import ladder_table

    summary = ladder_table(study, design=design, policy=policy)
    tables = disclosed_tables(study, policy=policy, design=design)["ladder_by_wave"]
    for (_, row), (_, t) in zip(summary.iterrows(), tables.iterrows(), strict=True):
        # the same cell, the same text: a number shown in one and hidden in the other
        # would give the hidden one back (assessed + not assessed = the cohort)
        assert str(row["Assessed"]) == str(t["assessed"]), (row.tolist(), t.tolist())
