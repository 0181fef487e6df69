"""Delta-adjusted (tipping-point) analysis of the ladder outcome after multiple imputation."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import kow_research as kr
from kow_research.missing import impute, ordinal_model, pool, tipping_point
from kow_research.missing.tipping import _tipping

matplotlib.use("Agg")
COVARIATES = ["arm", "base", "age"]


@pytest.fixture(scope="module")
def ladder() -> pd.DataFrame:
    """A two-arm ladder study: the rung at follow-up is higher in arm 1 (log-OR about 0.7)
    and missing more often in arm 1 and for low baseline rungs (MAR given both)."""
    study = kr.simulate_studies({"KOW": 150, "IPS": 150}, seed=11)
    wide = kr.outcomes.ladder_by_wave(study).pivot(index="participant_id", columns="wave",
                                                   values="rung")
    people = study.participants.set_index("participant_id")
    d = pd.DataFrame({"arm": (people["cohort"] == "KOW").astype(int),
                      "age": people["age"].astype(float),
                      "base": wide["T0"].astype(float)}, index=people.index)
    rng = np.random.default_rng(3)
    d["rung"] = np.clip(d["base"] + rng.integers(0, 3, len(d))
                        + d["arm"] * (rng.random(len(d)) < 0.55), 1, 6)
    d.loc[rng.random(len(d)) < np.where(d["base"] <= 2, 0.3, 0.1) + 0.15 * d["arm"],
          "rung"] = np.nan
    return d


def _analysis(frame: pd.DataFrame) -> kr.outcomes.OrdinalResult:
    return ordinal_model(frame, outcome="rung", covariates=COVARIATES)


def test_interpolation_by_hand() -> None:
    """Significant and positive at 0 (lower limit 0.2). Going down: 0.1 at -1, -0.1 at -2,
    so the lower limit reaches 0 at -1 + (-1)(0.1 - 0)/(0.1 + 0.1) = -1.5. Going up it
    stays significant: no tipping point."""
    t = pd.DataFrame({"delta": [-2.0, -1.0, 0.0, 1.0], "coef": [0.3, 0.5, 0.6, 0.8],
                      "significant": [False, True, True, True],
                      "lo": [-0.1, 0.1, 0.2, 0.4], "hi": [0.7, 0.9, 1.0, 1.2]})
    tip = _tipping(t, "coef").set_index("direction")
    assert_allclose(tip.loc["negative", "delta"], -1.5)
    assert tip.loc["negative", "between"] == "-1 to -2"
    assert np.isnan(tip.loc["positive", "delta"])
    # not significant at 0: the first bound to leave the null tips it
    t2 = t.assign(significant=[False, False, False, True], lo=[-0.9, -0.5, -0.2, 0.1])
    tip2 = _tipping(t2, "coef").set_index("direction")
    assert_allclose(tip2.loc["positive", "delta"], 0 + 1 * 0.2 / 0.3)
    assert np.isnan(tip2.loc["negative", "delta"])


def test_tipping_point_of_the_arm_effect(ladder: pd.DataFrame) -> None:
    imp = impute(ladder, columns=["arm", "age", "base", "rung"], m=10, iterations=5, seed=4,
                 methods={"rung": "polr"})
    res = tipping_point(imp, analysis=_analysis, term="arm", deltas=[-3, -2, -1, 0, 1],
                        treatment="arm", treated=1)
    t = res.table.set_index("delta")
    # delta = 0 is the MAR analysis itself
    mar = pool(imp.analyse(_analysis)).table.loc["arm"]
    assert_allclose(t.loc[0.0, ["coef", "se", "p"]].astype(float),
                    mar[["coef", "se", "p"]].astype(float), rtol=1e-12)
    # lower rungs imputed in arm 1 can only lower its odds ratio
    assert (np.diff(t["coef"].to_numpy()) > 0).all()
    assert bool(t.loc[0.0, "significant"])
    tip = res.tipping.set_index("direction")
    d = tip.loc["negative", "delta"]
    assert -3 <= d < 0 and np.isfinite(res.tipping_point) and res.tipping_point == d
    lo_d, hi_d = sorted(float(v) for v in tip.loc["negative", "between"].split(" to "))
    assert lo_d <= d <= hi_d
    assert not t.loc[lo_d, "significant"] and t.loc[hi_d, "significant"]
    assert (t["estimate"] == np.exp(t["coef"])).all()
    assert "arm == 1" in res.attrs["note"] and res.attrs["scale"] == "odds ratio"
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    matplotlib.pyplot.close("all")


def test_errors(ladder: pd.DataFrame) -> None:
    imp = impute(ladder, columns=["arm", "age", "base", "rung"], m=2, iterations=1, seed=1,
                 methods={"rung": "polr"})
    with pytest.raises(ValueError, match="was not imputed"):
        tipping_point(imp, analysis=_analysis, term="arm", column="age")
    with pytest.raises(ValueError, match="term 'cohort' is not in"):
        tipping_point(imp, analysis=_analysis, term="cohort", deltas=[0])
    with pytest.raises(ValueError, match="treated="):
        tipping_point(imp, analysis=_analysis, term="arm",
                      treatment="age", deltas=[0])
