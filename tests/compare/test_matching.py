"""kow_research.compare.match and balance against R's MatchIt on the lalonde data.

Reference: ``reference/lalonde/matchit_reference.R`` (MatchIt 4.5.1 with upstream's abs() fix,
see the script and ``matchit_abs_probe.R``): the pairs of four specifications of
``matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, method = "nearest",
distance = "glm")`` -- the propensity score or its logit (``link = "linear.logit"``), without
and with ``caliper = 0.2`` -- the unmatched counts, the matched re78 difference and
cobalt-style SMDs (in base R). Chosen because lalonde is the data MatchIt's own documentation
matches, with treated and controls far apart (a caliper bites) and covariates of every kind.
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kow_research import compare
from kow_research.compare.matching import _greedy
from tests.r_support import require_r, run_r_script

REF = Path(__file__).parent / "reference" / "lalonde"
COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
SPECS = {"ps": ("ps", None), "ps_cal": ("ps", 0.2), "logit": ("logit", None),
         "logit_cal": ("logit", 0.2)}


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(REF / "lalonde.csv").set_index("id")


def _pairs() -> pd.DataFrame:
    return pd.read_csv(REF / "matchit_pairs.csv", keep_default_na=False,
                       float_precision="round_trip")


def _summary() -> pd.DataFrame:
    return pd.read_csv(REF / "matchit_summary.csv", float_precision="round_trip").set_index("spec")


def _match(df: pd.DataFrame, spec: str, **kw: object) -> compare.MatchResult:
    distance, caliper = SPECS[spec]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return compare.match(df, treatment="treat", covariates=COVS, distance=distance,
                             caliper=caliper, **kw)


@pytest.mark.parametrize("spec", list(SPECS))
def test_pairs_equal_matchit_pair_by_pair(lalonde: pd.DataFrame, spec: str) -> None:
    ref = _pairs()
    ref = ref[ref["spec"] == spec].set_index("treated")
    m = _match(lalonde, spec)
    ours = pd.Series(m.pairs["control"].to_numpy(), index=m.pairs["treated"])
    got = ours.reindex(ref.index).fillna("")
    assert (got == ref["control"]).all(), got[got != ref["control"]]
    assert len(ref) == 185 and m.n_treated == 185
    assert m.n_unmatched == int((ref["control"] == "").sum()) == _summary().loc[spec, "n_unmatched"]
    assert sorted(m.unmatched) == sorted(ref.index[ref["control"] == ""])
    # the distance MatchIt matched on (glm's fitted values or linear predictor): glm stops at a
    # relative deviance change of 1e-8, our Newton-Raphson at 1e-10 in beta
    d = ref["distance_treated"]
    ps = m.propensity.table["ps"].reindex(d.index)
    ours_d = np.log(ps / (1 - ps)) if SPECS[spec][0] == "logit" else ps
    np.testing.assert_allclose(ours_d, d, rtol=1e-6)


@pytest.mark.parametrize("spec", list(SPECS))
def test_matched_re78_difference_and_caliper_equal_matchit(lalonde: pd.DataFrame,
                                                           spec: str) -> None:
    ref = _summary().loc[spec]
    m = _match(lalonde, spec)
    t = lalonde["treat"] == 1
    w = m.weights
    diff = (np.average(lalonde.loc[t, "re78"], weights=w[t])
            - np.average(lalonde.loc[~t, "re78"], weights=w[~t]))
    # the same pairs give the same means: only summation order differs (1e-6 dollars)
    np.testing.assert_allclose(diff, ref["re78_difference"], rtol=0, atol=1e-6)
    if np.isnan(ref["caliper_width"]):
        assert m.caliper == np.inf
    else:  # 0.2 * sd(distance) over all 614; the distance agrees to ~1e-8 (glm's tolerance)
        np.testing.assert_allclose(m.caliper, ref["caliper_width"], rtol=1e-7)


def test_no_caliper_difference_is_894() -> None:
    """MatchIt 4.5.1 as packaged gives 770.39 without a caliper (179 of 185 pairs as ours):
    its integer abs() makes the lower neighbour win every choice. The nearest-neighbour
    answer, MatchIt's after the fix, is 894.37."""
    np.testing.assert_allclose(_summary().loc[["ps", "logit"], "re78_difference"], 894.36748,
                               atol=1e-5)


def test_caliper_warns_how_many_treated_were_dropped(lalonde: pd.DataFrame) -> None:
    with pytest.warns(UserWarning, match=r"left 68 of 185 treated without a control; the "
                      r"matched comparison estimates the effect among the 117 matchable "
                      r"treated, no longer the ATT of all treated"):
        m = compare.match(lalonde, treatment="treat", covariates=COVS)
    assert m.attrs["n_unmatched"] == 68 and m.attrs["distance"] == "logit"
    assert "117 matched of 185 treated, 68 unmatched" in repr(m)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # no caliper: nobody dropped, no warning
        compare.match(lalonde, treatment="treat", covariates=COVS, caliper=None)


@pytest.mark.parametrize("denominator", ["treated", "pooled", "control"])
def test_smd_denominators_equal_r(lalonde: pd.DataFrame, denominator: str) -> None:
    # race = white: -1.882 with the treated SD (MatchIt/cobalt for the ATT), -1.408 pooled
    ref = pd.read_csv(REF / "matchit_smd.csv", float_precision="round_trip").set_index("covariate")
    m = _match(lalonde, "ps", denominator=denominator)
    tab = m.balance.table
    # same data, same formula: only rounding (1e-12); after: the same pairs
    np.testing.assert_allclose(tab.loc[ref.index, "smd_before"],
                               ref[f"smd_before_{denominator}"], rtol=1e-10)
    np.testing.assert_allclose(tab.loc[ref.index, "smd_after"],
                               ref[f"smd_after_{denominator}"], rtol=1e-10)
    assert m.balance.attrs["denominator"] == denominator
    white = {"treated": -1.882, "pooled": -1.408, "control": -1.173}[denominator]
    assert round(float(tab.loc["race=white", "smd_before"]), 3) == white


def test_ties_and_rounds_by_hand() -> None:
    """MatchIt's kernel on distances given exactly (dyadic fractions: ties are exact). Treated at
    0.875 (largest, first) lies 0.0625 from both 0.8125 and 0.9375: the left (smaller) wins, as
    MatchIt's ``<=``; treated 0.5 is 0.25 from 0.25 and 0.75: left again. With k = 2 every
    treated person gets a first control before any gets a second: 0.875 then takes 0.9375
    (0.0625 against 0.75's 0.125) and 0.5 the last, 0.75. A caliper of 0.2 leaves 0.5 out."""
    d = np.array([0.5, 0.25, 0.75, 0.875, 0.8125, 0.9375])
    t = np.array([1, 0, 0, 1, 0, 0])
    one = _greedy(d, t, k=1, width=np.inf, seq=None)
    assert [(a, b) for a, b, _ in one] == [(3, 4), (0, 1)]
    two = _greedy(d, t, k=2, width=np.inf, seq=None)
    assert [(a, b, c) for a, b, c in two] == [(3, 4, 0.0625), (0, 1, 0.25), (3, 5, 0.0625),
                                              (0, 2, 0.25)]
    cal = _greedy(d, t, k=1, width=0.2, seq=None)
    assert [(a, b) for a, b, _ in cal] == [(3, 4)]
    # ties among the treated: equal distances go in data order (R's order(decreasing = TRUE))
    tie = _greedy(np.array([0.5, 0.5, 0.25, 0.625]), np.array([1, 1, 0, 0]), k=1,
                  width=np.inf, seq=None)
    assert [(a, b) for a, b, _ in tie] == [(0, 3), (1, 2)]


def test_k2_weights_through_match() -> None:
    d = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0, 0],
                      "x": [2.0, 1.0, 3.0, 6.0, 5.0, 7.0, 9.5]})
    two = compare.match(d, treatment="t", covariates=["x"], caliper=None, k=2)
    assert two.pairs.groupby("treated").size().tolist() == [2, 2]
    assert two.weights[two.pairs["control"]].tolist() == [0.5] * 4
    assert two.weights[[0, 3]].tolist() == [1.0, 1.0]


def test_bad_arguments_are_named() -> None:
    d = pd.DataFrame({"t": [1, 0, 0], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="distance"):
        compare.match(d, treatment="t", covariates=["x"], distance="mahalanobis")
    with pytest.raises(ValueError, match="caliper must be a positive"):
        compare.match(d, treatment="t", covariates=["x"], caliper=0)
    with pytest.raises(ValueError, match="denominator"):
        compare.balance(d, treatment="t", covariates=["x"], denominator="both")


@pytest.mark.r_reference
def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    require_r("MatchIt")
    probe = subprocess.run(["Rscript", str(REF / "matchit_abs_probe.R")], capture_output=True,
                           text=True, timeout=120)
    if probe.stdout.strip() != "TRUE":
        pytest.skip("the installed MatchIt compares distances with integer abs() (MatchIt < "
                    "4.5.4 on Linux, see matchit_abs_probe.R): install MatchIt >= 4.5.4 or a "
                    "build with upstream commit 4b5b2f8 first on R_LIBS")
    run_r_script(REF / "matchit_reference.R", tmp_path, ("MatchIt",))
    for f in sorted(REF.glob("*.csv")):
        new = pd.read_csv(tmp_path / f.name, keep_default_na=False, float_precision="round_trip")
        old = pd.read_csv(f, keep_default_na=False, float_precision="round_trip")
        assert list(new.columns) == list(old.columns), f.name
        if f.name == "matchit_versions.csv":
            continue
        for col in old.columns:
            if pd.api.types.is_numeric_dtype(old[col]):
                np.testing.assert_allclose(new[col], old[col], rtol=1e-9, atol=1e-12,
                                           err_msg=f.name)
            else:
                assert (new[col] == old[col]).all(), f.name
