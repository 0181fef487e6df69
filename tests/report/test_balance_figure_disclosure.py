"""The balance figure leaves out binary columns whose counts fall below the threshold."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import kow_research as kr  # noqa: E402
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
