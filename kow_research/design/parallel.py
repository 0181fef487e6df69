"""Run independent simulation tasks with joblib (one machine) or on a Dask cluster, results in
task order.

The tasks carry their own seeds (one ``SeedSequence`` child per simulated trial), so what a
task returns does not depend on where, when or next to which other task it runs: the
reassembled results are identical for any backend and any number of workers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from kow_research.core.checks import check_choice

BACKENDS = ("joblib", "dask")


def _dask_client(client: Any) -> tuple[Any, bool]:
    """(client, whether we created it and must close it)."""
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise ImportError("backend='dask' needs the packages dask and distributed "
                          "(pip install dask distributed)") from exc
    if client is None:
        try:
            return distributed.get_client(), False
        except ValueError:
            raise ValueError("backend='dask' needs a cluster: pass client= a "
                             "dask.distributed.Client or a scheduler address such as "
                             "'tcp://10.0.0.5:8786' (or create a Client first)") from None
    if isinstance(client, str):
        return distributed.Client(client), True
    if isinstance(client, distributed.Client):
        return client, False
    raise TypeError(f"client must be a dask.distributed.Client or a scheduler address; got "
                    f"{type(client).__name__}")


def run_tasks(fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], *,
              weights: Sequence[int] | None = None, backend: str = "joblib", n_jobs: int = 1,
              client: Any = None, progress: bool = False, desc: str = "simulating",
              unit: str = "trial") -> list[Any]:
    """``[fn(*task) for task in tasks]``, computed with ``backend``.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    tasks : sequence of tuple
        The arguments of each call.
    weights : sequence of int, optional
        What each task counts for in the progress bar (e.g. its number of trials).
    backend : {"joblib", "dask"}
        ``"joblib"``: ``joblib.Parallel(n_jobs=n_jobs)`` (loky processes; ``n_jobs=1`` runs
        in this process). ``"dask"``: one future per task on ``client``.
    n_jobs : int, default 1
        joblib workers (-1: one per core).
    client : dask.distributed.Client or str, optional
        The Dask client, or the address of a scheduler (a client is then opened and closed
        here); None uses the current default client.
    progress : bool, default False
        A tqdm progress bar on stderr.
    desc, unit : str
        Progress bar labels.

    Returns
    -------
    list
        The results in the order of ``tasks``.
    """
    from tqdm import tqdm

    check_choice("backend", backend, BACKENDS)
    w = list(weights) if weights is not None else [1] * len(tasks)
    bar = tqdm(total=sum(w), desc=desc, unit=unit, file=sys.stderr, disable=not progress)
    try:
        if backend == "joblib":
            from joblib import Parallel, delayed

            out = []
            results = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(fn)(*task) for task in tasks)
            for weight, result in zip(w, results, strict=True):
                out.append(result)
                bar.update(weight)
            return out
        import distributed

        dask_client, own = _dask_client(client)
        try:
            futures = [dask_client.submit(fn, *task, pure=False) for task in tasks]
            position = {f.key: i for i, f in enumerate(futures)}
            collected: list[Any] = [None] * len(tasks)
            for future in distributed.as_completed(futures):
                i = position[future.key]
                collected[i] = future.result()
                bar.update(w[i])
            return collected
        finally:
            if own:
                dask_client.close()
    finally:
        bar.close()
