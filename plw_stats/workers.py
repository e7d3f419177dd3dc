"""Where many independent tasks run: this process, local worker processes, or a Dask cluster.

Calibration, planning and the GAM bootstrap are many small independent fits.  They hand a
function and a list of tasks to :func:`run_tasks`, which runs them

* in this process, one after another (``n_jobs=1``);
* on ``n_jobs`` local workers (joblib: processes, or threads for work that releases the GIL);
* on a Dask distributed cluster, when given a scheduler address (``tcp://host:8786``), a
  ``dask.distributed.Client``, or the environment variable :data:`SCHEDULER_ENV`.

Results come back in task order whatever finished first, so a study seeded per task gives the
same table on one core, on local workers and on a cluster.  Dask is an optional dependency
(``pip install "plw-stats[distributed]"``), imported only when a scheduler is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from plw_stats.errors import ModelSpecError, PlwStatsError
from plw_stats.progress import Progress

#: Environment variable holding the default scheduler address of many-fit commands.
SCHEDULER_ENV = "PLW_STATS_SCHEDULER"
#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT = 20
INSTALL_HINT = 'pip install "plw-stats[distributed]"'
BACKENDS = ("processes", "threads")


class MissingDependencyError(PlwStatsError, ImportError):
    """An optional dependency that the requested feature needs is not installed."""


def scheduler_address(option: str | None = None) -> str | None:
    """Return the scheduler: ``option`` if given, else ``$PLW_STATS_SCHEDULER``, else None."""
    chosen = option if option else os.environ.get(SCHEDULER_ENV, "").strip()
    return chosen or None


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Sequence,
    *,
    n_jobs: int = 1,
    scheduler=None,
    progress: Progress | None = None,
    backend: str = "processes",
) -> list:
    """Return ``[function(task) for task in tasks]``, computed where the options say.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled by reference for worker processes and clusters).
    tasks : sequence
        Its arguments, one per call.
    n_jobs : int
        Local workers when there is no scheduler; 1 runs in this process.
    scheduler : str or dask.distributed.Client, optional
        Address of a Dask scheduler (or a connected client); the tasks then run on its
        workers and ``n_jobs`` is ignored.
    progress : Progress, optional
        Advanced by one as each task finishes.
    backend : {"processes", "threads"}
        Kind of local worker.

    Returns
    -------
    list
        The results, in the order of ``tasks``.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ModelSpecError(f"n_jobs must be a positive integer, got {n_jobs!r}")
    if backend not in BACKENDS:
        raise ModelSpecError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    tick = progress.advance if progress is not None else (lambda: None)
    if scheduler is not None:
        return _on_cluster(function, list(tasks), scheduler, tick)
    if n_jobs == 1 or len(tasks) <= 1:
        return [_ticked(function(task), tick) for task in tasks]
    return _on_local_workers(function, list(tasks), n_jobs, backend, tick)


def _ticked(result, tick):
    tick()
    return result


def _indexed(function, index: int, task):
    return index, function(task)


def _on_local_workers(function, tasks: list, n_jobs: int, backend: str, tick) -> list:
    from joblib import Parallel, delayed

    prefer = "threads" if backend == "threads" else "processes"
    parallel = Parallel(
        n_jobs=min(n_jobs, len(tasks)), prefer=prefer, return_as="generator_unordered"
    )
    results: dict[int, Any] = {}
    for index, result in parallel(delayed(_indexed)(function, i, t) for i, t in enumerate(tasks)):
        results[index] = result
        tick()
    return [results[i] for i in range(len(tasks))]


def _on_cluster(function, tasks: list, scheduler, tick) -> list:
    distributed = import_distributed()
    own = not isinstance(scheduler, distributed.Client)
    client = connect(scheduler) if own else scheduler
    try:
        futures = [
            client.submit(function, task, pure=False, key=f"plw-stats-task-{i}-{id(tasks)}")
            for i, task in enumerate(tasks)
        ]
        order = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, Any] = {}
        for future in distributed.as_completed(futures):
            results[order[future.key]] = future.result()
            tick()
        return [results[i] for i in range(len(tasks))]
    finally:
        if own:
            client.close()


def import_distributed():
    """Import ``dask.distributed`` or say in one line how to install it."""
    try:
        import distributed
    except ImportError as err:
        raise MissingDependencyError(
            f"a Dask scheduler was given but dask.distributed is not installed; {INSTALL_HINT}"
        ) from err
    return distributed


def connect(address: str):
    """Connect a ``dask.distributed.Client`` to ``address`` or say why it failed, in one line."""
    distributed = import_distributed()
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        raise PlwStatsError(
            f"could not reach the Dask scheduler at {address!r} ({err}); start one with "
            "'dask scheduler' and workers with 'dask worker ADDRESS', or unset "
            f"{SCHEDULER_ENV} to run locally"
        ) from err
