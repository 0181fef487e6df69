"""Tiny cases with expected values derived by hand, and clear errors for bad input."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kow_research import survival as sv

# five people: events of cause 1 at 1, 2 and 3; censored at 2 and 4
KM = pd.DataFrame({"time": [1, 2, 2, 3, 4], "event": [1, 1, 0, 1, 0]})
# four people: cause 1 at 1, cause 2 at 2, cause 1 at 3, censored at 4
CR = pd.DataFrame({"time": [1.0, 2, 3, 4], "event": [1, 2, 1, 0], "g": ["a", "a", "b", "b"]})


def test_kaplan_meier_by_hand() -> None:
    res = sv.kaplan_meier(KM)
    tab = res.table
    # S(1) = 4/5, S(2) = 0.8 * 3/4 = 0.6 (censoring at 2 still at risk), S(3) = 0.6 * 1/2
    assert tab["estimate"].tolist() == pytest.approx([0.8, 0.6, 0.3])
    assert tab["n_risk"].tolist() == [5, 4, 2]
    # Greenwood: var log S(3) = 1/(5*4) + 1/(4*3) + 1/(2*1)
    assert tab["se"].iloc[-1] == pytest.approx(0.3 * math.sqrt(1 / 20 + 1 / 12 + 1 / 2))
    assert res.median["median"].iloc[0] == 3.0
    at = res.at([0.5, 2.5, 10])
    assert at["estimate"].tolist() == pytest.approx([1.0, 0.6, 0.3])
    assert list(at.columns) == ["time", "estimate", "se", "lower", "upper"]


def test_km_weights_equal_replication() -> None:
    w = KM.assign(w=[2, 1, 3, 1, 1])
    rep = KM.loc[KM.index.repeat(w["w"])]
    a, b = sv.kaplan_meier(w, weights="w").table, sv.kaplan_meier(rep).table
    np.testing.assert_allclose(a["estimate"], b["estimate"])
    np.testing.assert_allclose(a["se"], b["se"])


def test_left_truncation_by_hand() -> None:
    df = KM.assign(entry=[0, 0, 0, 2.5, 0])   # person with time 3 enters at 2.5
    tab = sv.kaplan_meier(df, entry="entry").table
    # at 1 and 2 the late entrant is not at risk: S(1) = 3/4, S(2) = 3/4 * 2/3 (Y = 3);
    # at 3 Y = 2 (the entrant and the person censored at 4): S(3) = 1/2 * 1/2
    assert tab["n_risk"].tolist() == [4, 3, 2]
    assert tab["estimate"].tolist() == pytest.approx([0.75, 0.5, 0.25])


def test_cumulative_incidence_by_hand() -> None:
    f1 = sv.cumulative_incidence(CR, cause=1).table
    # F1(1) = 1/4 ; S = 3/4 ; F2(2) = 3/4 * 1/3 ; S = 1/2 ; F1(3) = 1/4 + 1/2 * 1/2
    assert f1["time"].tolist() == [1, 2, 3]
    assert f1["estimate"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    assert f1["se"].iloc[0] == pytest.approx(math.sqrt(0.25 * 0.75 / 4))
    f2 = sv.cumulative_incidence(CR, cause=2).table
    assert f2["estimate"].tolist() == pytest.approx([0.0, 0.25, 0.25])


def test_cif_plus_survival_is_one_and_time_zero_counts() -> None:
    df = pd.DataFrame({"time": [0, 0, 1, 2, 2, 3, 5], "event": [1, 2, 1, 0, 2, 1, 0]})
    f1 = sv.cumulative_incidence(df, cause=1).at([0, 1, 2, 3, 5])["estimate"]
    f2 = sv.cumulative_incidence(df, cause=2).at([0, 1, 2, 3, 5])["estimate"]
    s = sv.kaplan_meier(df.assign(any=(df.event > 0).astype(int)), event="any")
    total = f1 + f2 + s.at([0, 1, 2, 3, 5])["estimate"]
    np.testing.assert_allclose(total, 1.0)
    assert f1.iloc[0] == pytest.approx(1 / 7)


def test_rmst_by_hand() -> None:
    # S = 1 on [0,1), 0.8 on [1,2), 0.6 on [2,3), 0.3 on [3,4): area to tau = 4
    res = sv.rmst(KM, tau=4)
    assert res.table["rmst"].iloc[0] == pytest.approx(1 + 0.8 + 0.6 + 0.3)
    lost = sv.rmst(CR, tau=4, cause=1, estimand="time_lost")
    assert lost.table["rmst"].iloc[0] == pytest.approx(0.25 * 2 + 0.5 * 1)
    free = sv.rmst(CR, tau=4, cause=1, estimand="event_free_competing")
    assert free.table["rmst"].iloc[0] == pytest.approx(4 - (0.25 * 2 + 0.5 * 1))
    with pytest.warns(FutureWarning, match="competing"):
        old = sv.rmst(CR, tau=4, cause=1, competing=True)
    assert old.estimand == "time_lost"
    two = sv.rmst(CR, tau=4, cause=1, estimand="time_lost", by="g")
    assert two.difference is not None and len(two.difference) == 1


def test_fine_gray_without_censoring_is_cox_with_competing_kept() -> None:
    rng = np.random.default_rng(3)
    n = 200
    x = rng.normal(size=n)
    t = np.round(rng.exponential(1 / np.exp(0.5 * x)), 1) + 0.1
    e = rng.choice([1, 2], n, p=[0.6, 0.4])
    df = pd.DataFrame({"time": t, "event": e, "x": x})
    # nobody is censored: the codes 1/2 are two causes, which event_codes must confirm
    # (codes without a 0 are refused by default: they look like R's Surv coding)
    with pytest.raises(ValueError, match="Surv coding"):
        sv.fine_gray(df, covariates=["x"], ties="efron")
    fg = sv.fine_gray(df, covariates=["x"], ties="efron", event_codes={1: 1, 2: 2})
    # no censoring: G = 1, so people with cause 2 stay at risk forever
    kept = df.assign(time=np.where(e == 2, t.max() + 1, t), event=np.where(e == 2, 0, 1))
    cx = sv.cox(kept, covariates=["x"], ties="efron")
    assert fg.summary["coef"].iloc[0] == pytest.approx(cx.summary["coef"].iloc[0], rel=1e-9)


def test_weighted_fine_gray_integer_weights_equal_replication() -> None:
    d = pd.read_csv(Path(__file__).parents[1] / "reference" / "trial.csv")
    w = (d.index % 3 + 1).to_numpy()
    a = sv.fine_gray(d.assign(k=w), covariates=["x1", "x2"], weights="k")
    b = sv.fine_gray(d.loc[d.index.repeat(w)], covariates=["x1", "x2"])
    np.testing.assert_allclose(a.summary["coef"], b.summary["coef"], rtol=1e-8)


@pytest.mark.parametrize(("frame", "message"), [
    (KM.assign(time=[1, -2, 2, 3, 4]), "negative durations"),
    (KM.assign(time=[1, np.nan, 2, 3, 4]), "non-finite"),
    (KM.assign(event=[1, 1.5, 0, 1, 0]), "integers"),
    (KM.assign(event=[0, 0, 0, 0, 0]), "no events"),
])
def test_bad_input_errors(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sv.kaplan_meier(frame)


def test_weights_and_causes_and_groups_errors() -> None:
    with pytest.raises(ValueError, match="weights must be finite and > 0"):
        sv.cumulative_incidence(CR.assign(w=[1, 0, 1, 1]), weights="w")
    with pytest.raises(ValueError, match="only one group"):
        sv.gray_test(CR.assign(g="x"), by="g")
    with pytest.warns(FutureWarning, match=r"group=\.\.\.\) is deprecated"):
        with pytest.raises(ValueError, match="only one group"):
            sv.gray_test(CR.assign(g="x"), group="g")
    with pytest.raises(ValueError, match="no events with code 3"):
        sv.fine_gray(CR.assign(x=[1.0, 2, 3, 4]), covariates=["x"], cause=3)
    with pytest.raises(ValueError, match="only one level"):
        sv.cox(CR.assign(g="x"), covariates=["g"])
    with pytest.raises(ValueError, match="missing values"):
        sv.cox(CR.assign(x=[1.0, None, 3, 4]), covariates=["x"])
    with pytest.raises(ValueError, match="ties must be"):
        sv.fine_gray(CR.assign(x=[1.0, 2, 3, 4]), covariates=["x"], ties="exact")
    with pytest.raises(ValueError, match=r"codes \[2\] are not among the declared causes"):
        sv.cumulative_incidence(CR, causes=[1])
    with pytest.raises(ValueError, match="tau"):
        sv.rmst(KM, tau=0)


def test_results_keep_definition_and_plot() -> None:
    df = CR.copy()
    df.attrs["definition_text"] = "paid work; dropout competing"
    res = sv.cumulative_incidence(df, by="g")
    assert res.attrs["definition_text"] == {"en": "paid work; dropout competing"}
    ax = res.plot(risk_table=True, language="nl")
    assert ax.get_xlabel() == "Tijd" and "paid work" in ax.get_title(loc="left")
    plt.close("all")
    assert "<table" in res._repr_html_()
    assert set(res.at([1, 2]).columns) == {"group", "time", "estimate", "se", "lower", "upper"}


def test_text_covariates_become_indicators_against_the_first_level() -> None:
    """A text column enters as 0/1 indicators (first sorted level = reference): the same fit
    as the hand-made dummy."""
    rng = np.random.default_rng(5)
    n = 120
    grp = rng.choice(["a", "b", "c"], n)
    t = rng.exponential(1.0, n) * np.where(grp == "b", 0.5, 1.0)
    e = (rng.random(n) < 0.8).astype(int)
    df = pd.DataFrame({"time": t, "event": e, "grp": grp})
    auto = sv.cox(df, covariates=["grp"]).summary
    manual = sv.cox(df.assign(b=(grp == "b").astype(float), c=(grp == "c").astype(float)),
                    covariates=["b", "c"]).summary
    assert list(auto.index) == ["grp=b", "grp=c"]
    np.testing.assert_allclose(auto["coef"].to_numpy(), manual["coef"].to_numpy(), rtol=1e-10)
