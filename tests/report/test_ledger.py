"""DisclosureLedger: planted recoverable tables are caught, protected ones pass.

Each planted table is small enough to solve by hand; the comment above it does so, and the
test checks that the ledger finds the same cell and the same value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kow_research.report.ledger import SMD, Cell, DisclosureLedger, Mean, Partition, Percent
from kow_research.report.notebook_check import DisclosureError
from kow_research.report.policy import DisclosurePolicy
from kow_research.report.table_one import smd_categorical

POLICY = DisclosurePolicy.default()


def _ledger() -> DisclosureLedger:
    return DisclosureLedger(policy=POLICY)


def _found(problems: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in problems[["file", "row", "column", "mechanism",
                                        "recovered"]].itertuples(index=False)]


# ----------------------------------------------------------------------------- (a) margins
def test_differencing_within_one_table_and_its_protected_version():
    # entered 40 = reason 1 + reason 2 + analysed 25; reason 2 (12) is shown, so the hidden
    # reason 1 is 40 - 12 - 25 = 3.
    flow = pd.DataFrame({"n": [40, "<5", 12, 25]},
                        index=["entered", "reason 1", "reason 2", "analysed"])
    part = Partition([("reason 1", "n"), ("reason 2", "n"), ("analysed", "n")],
                     ("entered", "n"))
    ledger = _ledger()
    ledger.register(flow, file="tables/attrition.csv", table="attrition", partitions=[part])
    assert _found(ledger.check()) == [("tables/attrition.csv", "reason 1", "n",
                                       "differencing", 3)]
    # the policy hides 12 as well ("×"): 3 + 12 = 15 could be 1 + 14, ..., 4 + 11
    protected = POLICY.suppress_columns(
        pd.DataFrame({"n": [40, 3, 12, 25]}, index=flow.index), counts="n",
        partitions=[None, "s", "s", "s"])
    assert protected["n"].tolist() == [40, "<5", "×", 25]
    ledger = _ledger()
    ledger.register(protected, file="tables/attrition.csv", table="attrition",
                    partitions=[part])
    assert ledger.check().empty


def test_differencing_across_two_tables_that_share_a_margin():
    # tables/cohorts.csv prints KOW n = 20; tables/ladder.csv hides 'assessed' (<5) but shows
    # 17 not assessed: assessed = 20 - 17 = 3.
    cohorts = pd.DataFrame({"n": [20]}, index=["KOW"])
    names = pd.DataFrame({"n": ["KOW n"]}, index=["KOW"])
    ladder = pd.DataFrame({"assessed": ["<5"], "not_assessed": [17]}, index=["KOW T6"])
    ledger = _ledger()
    ledger.register(cohorts, file="tables/cohorts.csv", table="cohorts", quantities=names)
    ledger.register(ladder, file="tables/ladder.csv", table="ladder",
                    row_totals={"KOW T6": "KOW n"})
    problems = ledger.check()
    assert _found(problems) == [("tables/ladder.csv", "KOW T6", "assessed", "differencing", 3)]
    assert "with its total from tables/cohorts.csv" in problems.loc[0, "detail"]
    # the same through a Cell reference instead of a quantity name
    ledger = _ledger()
    ledger.register(cohorts, file="tables/cohorts.csv", table="cohorts")
    ledger.register(ladder, file="tables/ladder.csv", table="ladder",
                    row_totals={"KOW T6": Cell("tables/cohorts.csv", "cohorts", "KOW", "n")})
    assert _found(ledger.check())[0][3:] == ("differencing", 3)


def test_a_hidden_cell_printed_elsewhere():
    # the attrition CSV hides 3 exclusions; the flow diagram prints them
    ledger = _ledger()
    ledger.register(pd.DataFrame({"n": ["<5"]}, index=["moved"]), file="tables/attrition.csv",
                    table="attrition", quantities=pd.DataFrame({"n": ["KOW moved"]},
                                                                index=["moved"]))
    ledger.register(pd.DataFrame({"n": [3]}, index=["moved"]), file="figures/flow.svg",
                    table="flow", figure=True,
                    quantities=pd.DataFrame({"n": ["KOW moved"]}, index=["moved"]))
    problems = ledger.check()
    assert set(problems["mechanism"]) == {"shown_elsewhere", "small_count"}
    row = problems[problems["mechanism"] == "shown_elsewhere"].iloc[0]
    assert (row["file"], row["recovered"]) == ("tables/attrition.csv", 3)
    assert "figures/flow.svg" in row["detail"]


# ----------------------------------------------------------------------------- (d) systems
def _two_by_two(x, y, z, w):
    """Hidden 2x2 block with published row and column totals."""
    cells = pd.DataFrame({"work": ["<5", "×"], "no work": ["×", "×"]}, index=["KOW", "IPS"])
    ledger = _ledger()
    ledger.register(cells, file="tables/work.csv", table="work",
                    row_totals={"KOW": x + y, "IPS": z + w},
                    col_totals={"work": x + z, "no work": y + w})
    return ledger


def test_integer_linear_system_pins_a_cell_no_single_margin_gives():
    # x (<5) + y = 14, z + w = 6, x + z = 10, y + w = 10. With x = t: y = 14 - t,
    # z = 10 - t, w = t - 4 >= 0, so t >= 4; and t <= 4 ("<5"): t = 4, then y = 10, z = 6,
    # w = 0 — every cell recovered, although each margin has two hidden cells.
    problems = _two_by_two(4, 10, 6, 0).check()
    got = {(r["row"], r["column"]): (r["mechanism"], r["recovered"])
           for _, r in problems.iterrows()}
    assert got == {("KOW", "work"): ("linear_system", 4), ("KOW", "no work"): ("linear_system", 10),
                   ("IPS", "work"): ("linear_system", 6), ("IPS", "no work"): ("linear_system", 0)}


def test_integer_linear_system_with_freedom_passes():
    # x = 2, y = 12, z = 8, w = 5: t >= 10 - 13 = -3, so t = 1..4 all fit
    assert _two_by_two(2, 12, 8, 5).check().empty


def test_linked_tables_form_one_system():
    # the same 2x2 split over three files: each publishes one margin
    ledger = _ledger()
    q = {"x": "KOW work", "y": "KOW no work", "z": "IPS work", "w": "IPS no work"}
    ledger.register(pd.DataFrame({"n": ["<5", "×"]}, index=["work", "no work"]),
                    file="a.csv", table="KOW", col_totals={"n": 14},
                    quantities=pd.DataFrame({"n": [q["x"], q["y"]]}, index=["work", "no work"]))
    ledger.register(pd.DataFrame({"n": ["×", "×"]}, index=["work", "no work"]),
                    file="b.csv", table="IPS", col_totals={"n": 6},
                    quantities=pd.DataFrame({"n": [q["z"], q["w"]]}, index=["work", "no work"]))
    ledger.register(pd.DataFrame({"KOW": ["×"], "IPS": ["×"]}, index=["work"]), file="c.html",
                    table="work", row_totals={"work": 10},
                    quantities=pd.DataFrame({"KOW": [q["x"]], "IPS": [q["z"]]}, index=["work"]))
    problems = ledger.check()
    kow_work = problems[(problems["file"] == "a.csv") & (problems["row"] == "work")]
    assert kow_work["recovered"].tolist() == [4]
    assert set(problems["file"]) == {"a.csv", "b.csv", "c.html"}


def test_old_secondary_labels_make_the_system_inconsistent():
    # the bug this replaces: 53 men labelled "<5" next to 61 women and 1 "other" (<5) of
    # 115: male + other = 54 cannot be two cells of 1..4 -> every cell is reported
    cells = pd.DataFrame({"KOW": [61, "<5", "<5"]}, index=["female", "male", "other"])
    ledger = _ledger()
    ledger.register(cells, file="tables/table_1.csv", table="table 1", blocks=["sex"] * 3,
                    block_totals={"KOW": 115})
    assert ledger.check()["mechanism"].tolist() == ["inconsistent", "inconsistent"]
    # with the true counts the false marker itself is named
    ledger = _ledger()
    ledger.register(cells, file="tables/table_1.csv", table="table 1", blocks=["sex"] * 3,
                    block_totals={"KOW": 115},
                    truth=pd.DataFrame({"KOW": [61, 53, 1]}, index=cells.index))
    problems = ledger.check()
    assert problems.loc[problems["mechanism"] == "false_marker", "row"].tolist() == ["male"]


# ----------------------------------------------------------------------------- (b) mean x n
def test_mean_at_full_precision_gives_the_denominator_away():
    # 3.0588235294117645 = 52/17 = 104/34 = ...; the wave has 20 people (assessed + not
    # assessed), so only 17 fits: assessed = 17 and then not assessed = 20 - 17 = 3.
    cells = pd.DataFrame({"assessed": ["×"], "not_assessed": ["<5"]}, index=["KOW T6"])

    def check(mean):
        ledger = _ledger()
        ledger.register(cells, file="tables/ladder_by_wave.csv", table="ladder",
                        row_totals={"KOW T6": 20},
                        means=[Mean(mean, n=("KOW T6", "assessed"))])
        return ledger.check()

    got = {r["column"]: (r["mechanism"], r["recovered"]) for _, r in
           check(3.0588235294117645).iterrows()}
    assert got == {"assessed": ("mean_times_n", 17), "not_assessed": ("combined", 3)}
    # one decimal: 3.1 is s/n for n = 16 (49/16 = 3.06), 17, 18 (56/18 = 3.11), ...
    assert check("3.1").empty


def test_rounding_alone_does_not_protect_a_small_denominator():
    # a mean of 4 people printed as 2.8: n = 1: 3.0; n = 2: 2.5 or 3.0; n = 3: 2.67 or 3.0;
    # n = 4: 11/4 = 2.75 -> only n = 4. Hence the policy hides means of fewer than k people.
    ledger = _ledger()
    ledger.register(pd.DataFrame({"n": ["<5"]}, index=["GOW T12"]), file="t.csv", table="t",
                    means=[Mean("2.8", n=("GOW T12", "n"))])
    assert _found(ledger.check()) == [("t.csv", "GOW T12", "n", "mean_times_n", 4)]
    assert POLICY.mean(2.75, n=4) == "<5"


# ----------------------------------------------------------------------------- percentages
def test_percentage_of_a_hidden_count():
    # "male <5" printed with 2.6% of 115: 100 x / 115 within 2.55..2.65 -> x = 3 (2.61%);
    # rounded to whole numbers ("3%": 2.5..3.5) x = 3 (2.61%) and x = 4 (3.48%) both fit.
    def check(pct):
        ledger = _ledger()
        ledger.register(pd.DataFrame({"KOW": ["<5"]}, index=["male"]), file="t1.csv",
                        table="t1", percents=[Percent(pct, numerator=("male", "KOW"),
                                                      denominator=115)])
        return ledger.check()

    assert _found(check("2.6")) == [("t1.csv", "male", "KOW", "percent_times_n", 3)]
    assert check("3").empty


def test_percentages_reveal_a_hidden_missing_count():
    # N = 120, missing <5 (3), so 117 have a value; 20 of them (17.1%) gives
    # n in 20/0.1715 .. 20/0.1705 = 116.6 .. 117.3 -> 117, and missing = 120 - 117 = 3.
    cells = pd.DataFrame({"KOW": [20, "<5"]}, index=["yes", "missing"])

    def check(pct):
        ledger = _ledger()
        ledger.register(cells, file="t1.csv", table="t1",
                        partitions=[Partition(["KOW known", ("missing", "KOW")], 120)],
                        percents=[Percent(pct, numerator=("yes", "KOW"),
                                          denominator="KOW known")])
        return ledger.check()

    assert _found(check("17.1")) == [("t1.csv", "missing", "KOW", "combined", 3)]
    assert check("17").empty       # 116..119 all fit 16.5..17.5%


# ----------------------------------------------------------------------------- (c) SMD
def test_smd_of_a_binary_characteristic_inverted():
    # SMI: x of 115 KOW (hidden <5) against 60 of 70 IPS. The SMD for x = 1..4 (tableone's
    # formula, computed by table_one.smd_categorical): 3.314, 3.179, 3.057, 2.944 — the
    # printed 3.057 is x = 3.
    ipss = pd.Series([True] * 60 + [False] * 10)
    values = [smd_categorical(pd.Series([True] * x + [False] * (115 - x)), ipss, [False, True])
              for x in range(1, 5)]
    assert [f"{v:.3f}" for v in values] == ["3.314", "3.179", "3.057", "2.944"]
    ledger = _ledger()
    ledger.register(pd.DataFrame({"KOW": ["<5"], "IPS": [60]}, index=["smi"]), file="nb06.html",
                    table="balance", smds=[SMD(f"{values[2]:.3f}", counts=[[("smi", "KOW")],
                                                                            [("smi", "IPS")]],
                                                n=[115, 70])])
    assert _found(ledger.check()) == [("nb06.html", "smi", "KOW", "smd_inversion", 3)]


def test_smd_of_a_three_level_characteristic_inverted_and_hidden():
    # Table 1 sex, KOW: female 61, male × , other <5 (n = 115); IPS: 40, 30, 0. male + other
    # = 54, other = 1..4; the Yang-Dalton SMD for other = 1..4 is 0.151, 0.199, 0.238,
    # 0.272 — distinct even at two decimals, so a printed SMD must go with the counts.
    lv = ["female", "male", "other"]
    ips = pd.Series(["female"] * 40 + ["male"] * 30)
    smds = [smd_categorical(pd.Series(["female"] * 61 + ["male"] * (54 - o) + ["other"] * o),
                            ips, lv) for o in range(1, 5)]
    assert [f"{v:.2f}" for v in smds] == ["0.15", "0.20", "0.24", "0.27"]
    cells = pd.DataFrame({"KOW": [61, "×", "<5"], "IPS": [40, 30, 0]}, index=lv)

    def check(record):
        ledger = _ledger()
        ledger.register(cells, file="tables/table_1.csv", table="table 1", blocks=["sex"] * 3,
                        block_totals={"KOW": 115, "IPS": 70}, smds=record)
        return ledger.check()

    record = [SMD(f"{smds[0]:.2f}", counts=[[(lv_, "KOW") for lv_ in lv],
                                            [(lv_, "IPS") for lv_ in lv]])]
    got = {r["row"]: (r["mechanism"], r["recovered"]) for _, r in check(record).iterrows()}
    assert got == {"male": ("smd_inversion", 53), "other": ("smd_inversion", 1)}
    assert check([]).empty          # the policy hides that SMD: nothing to invert


def test_records_too_large_to_enumerate_are_listed_not_guessed():
    ledger = DisclosureLedger(policy=POLICY, max_combinations=100)
    ledger.register(pd.DataFrame({"A": ["×"], "B": ["×"]}, index=["x"]), file="t.csv",
                    table="t", smds=[SMD("0.5", counts=[[("x", "A")], [("x", "B")]],
                                         n=[500, 500])])
    problems = ledger.check()
    assert problems.empty and "too many combinations" in problems.attrs["not_checked"][0]


# ----------------------------------------------------------------------------- the rest
def test_small_visible_counts_and_figures():
    ledger = _ledger()
    ledger.register(pd.DataFrame({"n": [3, 12]}), file="tables/dropout.csv", table="reasons")
    assert ledger.check()[["file", "mechanism", "recovered"]].values.tolist() == [
        ["tables/dropout.csv", "small_count", 3]]
    lenient = DisclosureLedger(policy=DisclosurePolicy(small_counts_in_figures=True))
    lenient.register(pd.DataFrame({"n": [3, 12]}), file="figs/heat.svg", table="heat",
                     figure=True)
    assert lenient.check().empty


def test_raise_names_file_and_cell_but_not_the_value():
    ledger = _ledger()
    ledger.register(pd.DataFrame({"n": [40, "<5", 37]}, index=["entered", "moved", "analysed"]),
                    file="tables/attrition.csv", table="attrition",
                    partitions=[([("moved", "n"), ("analysed", "n")], ("entered", "n"))])
    with pytest.raises(DisclosureError, match=r"tables/attrition.csv \(attrition\) row 'moved', "
                                              r"column 'n' by differencing") as err:
        ledger.check(raise_on_problem=True)
    assert " 3 " not in str(err.value) and err.value.problems.loc[0, "recovered"] == 3


def test_registration_errors_are_explained():
    ledger = _ledger()
    ledger.register(pd.DataFrame({"n": [5, 6]}), file="a.csv", table="a",
                    partitions=[([(0, "n")], (1, "n"))])
    with pytest.raises(ValueError, match="do not add up to its total"):
        ledger.check()
    with pytest.raises(ValueError, match="already registered"):
        ledger.register(pd.DataFrame({"n": [1]}), file="a.csv", table="a")
    with pytest.raises(ValueError, match="cannot read '37.2 \\(9.9\\)' as a count"):
        _ledger().register(pd.DataFrame({"age": ["37.2 (9.9)"]}), file="b.csv", table="b")
    bad = _ledger()
    bad.register(pd.DataFrame({"n": ["<5"]}), file="c.csv", table="c",
                 partitions=[([(0, "n")], Cell("d.csv", "d", 0, "n"))])
    with pytest.raises(ValueError, match="not registered"):
        bad.check()
    wrong = _ledger()
    wrong.register(pd.DataFrame({"n": ["<5", 10]}), file="e.csv", table="e",
                   col_totals={"n": 13}, truth=pd.DataFrame({"n": [4, 10]}))
    with pytest.raises(ValueError, match="with the true counts"):
        wrong.check()


def test_quantity_names_link_hidden_cells_without_leaking():
    # the same two hidden exclusions in a CSV and in the flow diagram: still two unknowns
    names = pd.DataFrame({"n": ["a", "b"]}, index=["r1", "r2"])
    ledger = _ledger()
    for file in ("tables/attrition.csv", "figures/flow.svg"):
        ledger.register(pd.DataFrame({"n": ["<5", "×"]}, index=["r1", "r2"]), file=file,
                        table="flow", quantities=names, col_totals={"n": 15})
    assert ledger.check().empty
    assert ledger.tables == [("tables/attrition.csv", "flow"), ("figures/flow.svg", "flow")]


# ----------------------------------------------------------------------------- Table 1
def _register_table_one(ledger, t1, shown, file):
    """Register a published Table 1: its count cells, the partitions (levels + missing add up
    to the group size in the header; a yes/no row's "no" is an unpublished count), the
    printed percentages (of the non-missing persons) and SMDs."""
    count_rows = [i for i, b in enumerate(t1.blocks) if b is not None]
    groups = [c for c in t1.table.columns if c != "SMD"]
    sizes = {g: int(g.split("n = ")[1].rstrip(")")) for g in groups}
    cells = shown.iloc[count_rows][groups]
    cells = cells.map(lambda v: v.split(" (")[0] if isinstance(v, str) else v)
    rows = list(cells.index)
    by_var: dict[str, list] = {}
    for r, i in zip(rows, count_rows, strict=True):
        by_var.setdefault(t1.blocks[i], []).append(r)
    parts, percents, smds = [], [], []
    for var, var_rows in by_var.items():
        levels = [r for r in var_rows if not r[1].startswith("missing")]
        missing = [r for r in var_rows if r[1].startswith("missing")]
        for g in groups:
            known = f"{var}|{g}|known"
            level_refs = [(r, g) for r in levels] + ([f"{var}|{g}|no"] if var == "smi" else [])
            parts.append(Partition(level_refs, known))
            parts.append(Partition([known] + [(r, g) for r in missing], sizes[g]))
            for r in levels:
                text = shown.loc[r, g]
                if isinstance(text, str) and text.endswith("%)"):
                    percents.append(Percent(text.split("(")[1].rstrip("%)"), numerator=(r, g),
                                            denominator=known))
        smd_text = shown.loc[var_rows[0], "SMD"] if "SMD" in shown.columns else ""
        if isinstance(smd_text, str) and smd_text and smd_text[0].isdigit():
            counts = [[(r, g) for r in levels] + ([f"{var}|{g}|no"] if var == "smi" else [])
                      for g in groups]
            if var == "smi":
                counts = [c[::-1] for c in counts]       # levels (no, yes): p of "yes"
            smds.append(SMD(smd_text, counts=counts))
    ledger.register(cells, file=file, table="table 1", partitions=parts, percents=percents,
                    smds=smds)


def _study():
    import kow_research as kr
    from kow_research.synthetic.combine import combine_studies

    return combine_studies(kr.simulate_study("KOW", n=30, seed=3),
                           kr.simulate_study("IPS", n=25, seed=4))


def test_table_one_old_labels_leak_and_the_policy_does_not():
    from kow_research.report.table_one import table_one

    t1 = table_one(_study().participants, by="cohort")
    # before (the old disclosed(), rebuilt from the legacy suppress_small): secondary cells
    # labelled "<5", SMDs to three decimals, percentages to one
    from kow_research.report.disclosure import suppress_small

    stat = t1.table.index.get_level_values(1)
    old_counted = pd.DataFrame(True, index=t1.counts.index, columns=t1.counts.columns)
    old_counted.loc[[s.startswith(("mean", "median")) for s in stat], :] = False
    old = suppress_small(t1.table, counts=t1.counts, k=5, blocks=list(t1.blocks),
                         counted=old_counted)
    ledger = _ledger()
    _register_table_one(ledger, t1, old, "tables/table_1.csv")
    before = ledger.check()
    assert len(before) >= 3 and {"inconsistent", "smd_inversion"} & set(before["mechanism"])
    # after: cells formatted by the policy (whole percentages, two-decimal SMDs), the SMD
    # and the percentages of a characteristic hidden with its counts
    lv_rows = [i for i, b in enumerate(t1.blocks) if b is not None]
    groups = [c for c in t1.table.columns if c != "SMD"]
    shown = t1.table.copy()
    for i in lv_rows:
        r = t1.table.index[i]
        var = t1.blocks[i]
        for g in groups:
            n = t1.counts.loc[r, g]
            size = int(g.split("n = ")[1].rstrip(")"))
            known = size - sum(t1.counts.loc[q, g] for j, q in enumerate(t1.table.index)
                               if t1.blocks[j] == var and q[1].startswith("missing"))
            shown.loc[r, g] = (str(int(n)) if r[1].startswith("missing")
                               else POLICY.n_percent(n, known))
    for v, value in t1.smd.items():
        first = [r for r in t1.table.index if r[0] == v][0]
        shown.loc[first, "SMD"] = POLICY.smd(value)
    counted = pd.DataFrame(np.isfinite(t1.counts.to_numpy()), index=t1.counts.index,
                           columns=t1.counts.columns)
    derived = {}
    for i, r in enumerate(t1.table.index):
        var = t1.blocks[i]
        mates = [q for j, q in enumerate(t1.table.index) if t1.blocks[j] == var]
        if var is None:
            counted.loc[[r], :] = False
            continue
        if r == mates[0]:
            derived[(r, "SMD")] = [(q, g) for q in mates for g in groups]
        for g in groups:
            derived[(r, g)] = [(q, g) for q in mates if q[1].startswith("missing")]
    published = POLICY.suppress(shown, counts=t1.counts, blocks=list(t1.blocks),
                                counted=counted, derived_from=derived)
    ledger = _ledger()
    _register_table_one(ledger, t1, published, "tables/table_1.csv")
    after = ledger.check()
    assert after.empty, after[["row", "column", "mechanism"]]
    assert after.attrs["not_checked"] == []
