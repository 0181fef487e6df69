"""Figures: built from small frames, labelled in the chosen language, saved as PNG and SVG."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kow_research.report import (  # noqa: E402
    flow_diagram,
    forest_plot,
    ladder_plot,
    save_figure,
)


def _texts(fig):
    fig = getattr(fig, "figure", fig)   # the plotting functions return Axes
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts) + " " + " ".join(
        t.get_text() for t in fig.texts)


@pytest.fixture
def flow():
    f = pd.DataFrame({
        "cohort": ["KOW"] * 6, "stage": ["entered", "excluded", "excluded", "analysed",
                                         "outcome", "outcome"],
        "reason": ["", "working", "no_followup", "", "paid_work", "censored"],
        "label_en": ["entered", "already in paid work", "no follow-up", "analysed",
                     "paid work", "censored"],
        "label_nl": ["ingestroomd", "al betaald werk", "geen follow-up", "geanalyseerd",
                     "betaald werk", "gecensureerd"],
        "n": [40, 3, 0, 37, 12, 25]})
    f.attrs["definition_text"] = {"en": "Time to paid work (regular).",
                                  "nl": "Tijd tot betaald werk (regulier)."}
    return f


def test_flow_diagram_counts_caption_and_disclosure(flow, tmp_path):
    fig = flow_diagram(flow, language="nl")
    words = _texts(fig)
    assert "Ingestroomd (n = 40)" in words and "al betaald werk: 3" in words
    assert "geen follow-up" not in words                  # reasons with n = 0 are not drawn
    assert "Tijd tot betaald werk (regulier)." in words  # the definition is the caption
    paths = save_figure(fig, stem="flow", output_dir=tmp_path)
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size for p in paths)
    plt.close("all")
    fig = flow_diagram(flow, k=5)
    words = _texts(fig)
    assert "already in paid work: <5" in words and "Excluded (n = <5)" in words
    plt.close("all")
    with pytest.raises(ValueError, match="lacks columns"):
        flow_diagram(flow.drop(columns="label_nl"))


def test_forest_plot_from_coef_and_se():
    s = pd.DataFrame({"coef": [np.log(2.0), 0.0], "se": [0.1, 0.2], "p": [0.0001, 1.0]},
                     index=["kow", "age"])
    ax = forest_plot(s, caption="Cause-specific Cox")
    fig = ax.figure
    line = ax.lines[0]
    assert np.allclose(line.get_xdata(), [2.0, 1.0])
    words = _texts(fig)
    # exp(log 2 ± 1.959964 × 0.1) = 1.644 and 2.433
    assert "2.00 (1.64–2.43)  p<0.001" in words and "1.00 (0.68–1.48)  p=1.000" in words
    assert fig.axes[0].get_xlabel() == "Hazard ratio (95% CI, log scale)"
    plt.close("all")
    with pytest.raises(ValueError, match="columns hr, lower, upper"):
        forest_plot(pd.DataFrame({"beta": [1.0]}))


def test_ladder_plot_counts_people_without_assessment():
    by_wave = pd.DataFrame({"cohort": ["KOW"] * 4, "wave_month": [0, 0, 6, 6],
                            "rung": pd.array([1, 2, 3, pd.NA], dtype="Int64")})
    ax = ladder_plot(by_wave, language="nl", caption="venster 45 dagen")
    fig = ax.figure
    heights = [p.get_height() for p in ax.patches]
    # wave 0: rungs 1 and 2 at 50 % each; wave 6: rung 3 at 100 % (the missing one is "niet
    # gemeten")
    assert sorted(h for h in heights if h > 0) == [50.0, 50.0, 100.0]
    # the number not assessed stands under each wave; the axis label says what it counts
    assert [t.get_text() for t in ax.get_xticklabels()] == ["T0\n(0)", "T6\n(1)"]
    assert ax.get_xlabel() == "Meetmoment (maanden na start)\n(niet gemeten)"
    assert "venster 45 dagen" in _texts(fig)
    plt.close("all")


def test_save_figure_none_and_bad_stem(tmp_path):
    fig, _ = plt.subplots()
    assert save_figure(fig, stem="x", output_dir=None) == []
    with pytest.raises(ValueError, match="plain file name"):
        save_figure(fig, stem="../x", output_dir=tmp_path)
    plt.close("all")


def test_ladder_plot_with_a_threshold_merges_small_rungs():
    """k = 3. Wave 0: rungs 1 (5 people), 2 (4), 4 (1): rung 4 alone is small, so the next
    smallest held rung (2) is merged with it: 5/10 = 50 % drawn for rung 1, 5/10 = 50 %
    merged. Wave 6: rungs 3 (2) and 5 (2) both small, rung 6 (6): 60 % drawn, 40 % merged.
    No number not assessed is printed (two people at wave 6 are not assessed)."""
    rungs = [1] * 5 + [2] * 4 + [4] + [3] * 2 + [5] * 2 + [6] * 6 + [pd.NA] * 2
    by_wave = pd.DataFrame({"cohort": "KOW", "wave_month": [0] * 10 + [6] * 12,
                            "rung": pd.array(rungs, dtype="Int64")})
    ax = ladder_plot(by_wave, language="en", caption="", min_count=3)
    drawn = {r + 1: [b.get_height() for b in c] for r, c in enumerate(ax.containers[:6])}
    assert drawn[1] == [50.0, 0.0] and drawn[2] == [0.0, 0.0] and drawn[4] == [0.0, 0.0]
    assert drawn[3] == [0.0, 0.0] and drawn[5] == [0.0, 0.0] and drawn[6] == [0.0, 60.0]
    assert [b.get_height() for b in ax.containers[6]] == [50.0, 40.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["T0", "T6"]
    names = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert "rungs held by fewer than 3, merged" in names
    plt.close("all")


def test_forest_plot_in_dutch_writes_decimal_commas():
    s = pd.DataFrame({"coef": [np.log(2.0)], "se": [0.1], "p": [0.0123]}, index=["kow"])
    ax = forest_plot(s, caption="", language="nl")
    words = _texts(ax.figure)
    # exp(log 2 ± 1.959964 × 0.1) = 1.644 and 2.433, as in English but with commas
    assert "2,00 (1,64–2,43)  p=0,012" in words
    plt.close("all")
