"""The same simulation on a two-worker Dask LocalCluster gives exactly the numbers of joblib
with one and with two processes: one SeedSequence child per trial, whatever runs it."""

from __future__ import annotations

import pandas as pd
import pytest

from kow_research.design import TrialDesign, power_by_simulation

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as c:
        yield c


def test_dask_gives_the_joblib_numbers(cluster):
    design = TrialDesign(arms={"KOW": 60, "CAU": 60}, hr=0.6)
    kw = {"analysis": ["gray", "fine_gray"], "n_sim": 40, "seed": 11, "truth_n": 1000,
          "truth_blocks": 2, "chunk_size": 7}
    one = power_by_simulation(design, n_jobs=1, **kw)
    two = power_by_simulation(design, n_jobs=2, **kw)
    with distributed.Client(cluster) as client:
        on_dask = power_by_simulation(design, backend="dask", client=client, **kw)
    by_address = power_by_simulation(design, backend="dask", client=cluster.scheduler_address,
                                     **{**kw, "chunk_size": 40})
    for other in (two, on_dask, by_address):
        pd.testing.assert_frame_equal(other.trials, one.trials, check_exact=True)
        pd.testing.assert_frame_equal(other.table, one.table, check_exact=True)
    assert len(one.trials) == 40 * 2 * 2           # trials x (effect, null) x analyses


def test_dask_without_a_cluster_says_what_to_do():
    design = TrialDesign(arms={"KOW": 20, "CAU": 20}, hr=0.6)
    with pytest.raises(ValueError, match="needs a cluster"):
        power_by_simulation(design, analysis="cox", n_sim=2, backend="dask")
