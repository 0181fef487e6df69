"""Agreement with R (survival 3.5, cmprsk 2.2) on the fixtures in tests/reference/.

The fixtures were written by tests/reference/survival_reference.R from the seeded data sets
``trial`` (continuous times, weights), ``ties`` (whole months, heavy ties, three groups) and
``three`` (a third cause, events and a censoring at time 0). Tolerance: 1e-6 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kow_research import survival as sv

REF = Path(__file__).parents[1] / "reference"
DATASETS = ["trial", "ties", "three"]
RTOL = 1e-6


def data(ds: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{ds}.csv")


def fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / "fixtures" / f"{name}.csv", float_precision="round_trip")


def close(got: object, want: object) -> None:
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=RTOL,
                               atol=1e-12)


def subsets(d: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [("all", d)] + [(g, d[d.group == g]) for g in sorted(d.group.unique())]


@pytest.mark.parametrize("ds", DATASETS)
@pytest.mark.parametrize(("label", "w", "variance"), [("none", None, "greenwood"),
                                                      ("greenwood", "w", "greenwood"),
                                                      ("ij", "w", "ij"),
                                                      # survfit's default with non-integer
                                                      # weights is the IJ: so is ours
                                                      ("default", "w", None)])
def test_kaplan_meier_matches_survfit(ds: str, label: str, w: str | None, variance: str) -> None:
    """Greenwood against survfit(robust = FALSE); "ij" against survfit's default for case
    weights (robust = TRUE, the infinitesimal jackknife)."""
    d, ref = data(ds), fixture(f"km_{ds}")
    got = pd.concat([sv.kaplan_meier(d, weights=w, variance=variance).table,
                     sv.kaplan_meier(d, by="group", weights=w, variance=variance).table])
    want = ref[ref.weights == label]
    for col in ("time", "n_risk", "n_event", "estimate", "se", "lower", "upper"):
        close(got[col], want[col])
    med = fixture(f"km_median_{ds}")
    med = med[med.weights == label]
    got_med = pd.concat([sv.kaplan_meier(d, weights=w, variance=variance).median,
                         sv.kaplan_meier(d, by="group", weights=w, variance=variance).median])
    for col in ("median", "lower", "upper"):
        close(got_med[col], med[col])


@pytest.mark.parametrize("ds", DATASETS)
@pytest.mark.parametrize(("label", "w"), [("none", None), ("w", "w")])
def test_aalen_johansen_matches_multistate_survfit(ds: str, label: str, w: str | None) -> None:
    d, ref = data(ds), fixture(f"aj_{ds}")
    for g, sub in subsets(d):
        for k in sorted(ref.cause.unique()):
            got = sv.cumulative_incidence(sub, cause=int(k), weights=w).table
            want = ref[(ref.weights == label) & (ref.group == g) & (ref.cause == k)]
            merged = got.merge(want, on="time", suffixes=("", "_r"), how="left")
            assert merged["estimate_r"].notna().all()   # every event time is one of R's
            close(merged["estimate"], merged["estimate_r"])
            close(merged["se"], merged["se_r"])


@pytest.mark.parametrize("ds", DATASETS)
def test_gray_test_matches_cuminc(ds: str) -> None:
    ref = fixture(f"gray_{ds}")
    res = sv.gray_test(data(ds), by="group")
    close(res.table["statistic"], ref["statistic"])
    close(res.table["p"], ref["p"])
    assert res.df == int(ref["df"].iloc[0])
    assert res.statistic == pytest.approx(float(ref["statistic"].iloc[0]), rel=RTOL)


@pytest.mark.parametrize("ds", DATASETS)
def test_logrank_matches_survdiff(ds: str) -> None:
    ref = fixture(f"logrank_{ds}")
    res = sv.logrank(data(ds), by="group")
    close(res.statistic, ref["statistic"].iloc[0])
    assert res.df == int(ref["df"].iloc[0])


@pytest.mark.parametrize("ds", DATASETS)
@pytest.mark.parametrize(("model", "kw"), [("efron", {}), ("breslow", {"ties": "breslow"}),
                                           ("efron_weighted_robust", {"weights": "w"})])
def test_cox_matches_coxph(ds: str, model: str, kw: dict) -> None:
    ref = fixture(f"cox_{ds}")
    want = ref[ref.model == model].set_index("term")
    res = sv.cox(data(ds), covariates=["x1", "x2"], **kw)
    close(res.summary["coef"], want["coef"])
    close(res.summary["se"], want["se"])


@pytest.mark.parametrize("ds", DATASETS)
def test_cox_zph_matches(ds: str) -> None:
    ref = fixture(f"zph_{ds}")
    zph = sv.cox(data(ds), covariates=["x1", "x2"]).zph
    close(zph["chisq"], ref["chisq"].iloc[:2])
    close(zph["p"], ref["p"].iloc[:2])


@pytest.mark.parametrize("ds", DATASETS)
@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_fine_gray_matches_crr_and_finegray(ds: str, ties: str) -> None:
    ref = fixture(f"fg_{ds}")
    want = ref[ref.ties == ties].set_index("term")
    res = sv.fine_gray(data(ds), covariates=["x1", "x2"], ties=ties)
    close(res.summary["coef"], want["coef"])
    close(res.summary["se"], want["se"])


@pytest.mark.parametrize("ds", DATASETS)
def test_rmst_matches(ds: str) -> None:
    d, ref = data(ds), fixture(f"rmst_{ds}")
    tau = float(ref.tau.iloc[0])
    for k in sorted(ref.cause.unique()):
        kw = ({"cause": 1, "estimand": "event_free_censored"} if k == 0
              else {"cause": int(k), "estimand": "time_lost"})
        got = pd.concat([sv.rmst(d, tau=tau, **kw).table,
                         sv.rmst(d, tau=tau, by="group", **kw).table])
        want = ref[ref.cause == k]
        close(got["rmst"], want["estimate"])
        close(got["se"], want["se"])


def _entry_data() -> pd.DataFrame:
    d = data("three")
    d["entry"] = ((np.arange(len(d)) + 1) % 30) / 10
    return d[d.entry < d.time]


def test_left_truncation_matches_survfit() -> None:
    d = _entry_data()
    aj = fixture("aj_entry_three")
    for k in (1, 2, 3):
        got = sv.cumulative_incidence(d, cause=k, entry="entry").table
        merged = got.merge(aj[aj.cause == k], on="time", suffixes=("", "_r"), how="left")
        assert merged["estimate_r"].notna().all()
        close(merged["estimate"], merged["estimate_r"])
        close(merged["se"], merged["se_r"])
    km = fixture("km_entry_three")
    got = sv.kaplan_meier(d, entry="entry").table
    for col in ("time", "n_risk", "estimate", "se", "lower", "upper"):
        close(got[col], km[col])
