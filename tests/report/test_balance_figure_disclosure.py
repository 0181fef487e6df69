"""The balance figure leaves out binary columns whose counts fall below the threshold, and
its overlap histogram has no bar of fewer than k people."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kow_research as kr  # noqa: E402
from kow_research.compare.plots import merge_small_bins  # noqa: E402
from kow_research.report.comparison import balance_figure, prepare_comparison  # noqa: E402
from kow_research.synthetic import simulation_design  # noqa: E402


def _comparison():
    s = kr.simulate_studies({"KOW": 80, "IPS": 70}, seed=1)
    d = simulation_design(s, covariates=["age", "smi"]).resolve(s.participants)
    return prepare_comparison(s, design=d, comparator="IPS")


def test_smi_row_hidden_when_a_count_is_below_k():
    c = _comparison()
    f = c.frame
    # the smallest of: SMI and not SMI, in either programme (counted from the data)
    smallest = min(int(n) for n in f.groupby("cohort", observed=True)["smi"].agg(
        lambda x: min(int(x.astype(bool).sum()), int((~x.astype(bool)).sum()))))
    assert smallest > 0
    ax = balance_figure(c, language="en", min_count=smallest + 1)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Age"]
    note = " ".join(ax.get_xlabel().split())
    assert (f"1 binary column(s) held by, or missing in, fewer than {smallest + 1} people of a "
            "programme are not shown") in note
    plt.close("all")
    ax = balance_figure(c, language="nl", min_count=smallest)   # nothing below the threshold
    assert len(ax.get_yticklabels()) == 2 and "\n" not in ax.get_xlabel()
    plt.close("all")


def test_overlap_bars_hold_at_least_k_people():
    """Every bar of the overlap panel holds at least k people of its programme: its area
    (height x width x 30 bins) is the number of propensity scores counted under it from the
    data, and the bars of a programme add up to its size."""
    c = _comparison()
    ax = balance_figure(c, language="en", min_count=10).figure.axes[0]
    tab = c.propensity.table
    for sign, treated in ((1, 1), (-1, 0)):
        ps = tab.loc[tab["treated"] == treated, "ps"].to_numpy()
        bars = [p for p in ax.patches if np.sign(p.get_height()) == sign]
        people = []
        for p in bars:
            area = abs(p.get_height()) * p.get_width() * 30
            lo, hi = p.get_x() - 1e-12, p.get_x() + p.get_width() - 1e-12
            under = int(((ps >= lo) & (ps < hi)).sum())
            assert area == pytest.approx(under)
            people.append(under)
        assert min(people) >= 10 and sum(people) == len(ps)
        assert max(p.get_width() for p in bars) > 1 / 30 + 1e-12   # some bins were merged
    assert "bins with fewer than 10 people merged" in ax.get_xlabel()
    assert ax.get_ylabel() == "count per 1/30"
    plt.close("all")
    ax = balance_figure(c, language="nl", min_count=10).figure.axes[0]
    assert "klassen met minder dan 10 personen samengevoegd" in ax.get_xlabel()
    assert ax.get_ylabel() == "aantal per 1/30"
    plt.close("all")


@given(st.lists(st.integers(0, 15), min_size=1, max_size=40), st.integers(1, 12))
def test_merged_runs_cover_every_person_and_hold_k(counts, k):
    counts = np.array(counts)
    runs = merge_small_bins(counts, k)
    if counts.sum() < k:
        assert runs == []
        return
    held = [int(counts[a:b + 1].sum()) for a, b in runs]
    assert min(held) >= k and sum(held) == counts.sum()
    assert all(b0 < a1 for (_, b0), (a1, _) in zip(runs, runs[1:], strict=False))
    assert all(a <= b for a, b in runs)
