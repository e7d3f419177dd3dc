"""Where many tasks run: here, on local workers or on a Dask cluster — same results in order."""

import builtins
import io
import time

import pytest

from plw_stats import workers
from plw_stats.errors import ModelSpecError, PlwStatsError
from plw_stats.progress import Progress
from plw_stats.workers import SCHEDULER_ENV, MissingDependencyError, run_tasks, scheduler_address


def slow_square(x):
    time.sleep(0.02 * (x % 3))  # finish out of order
    return x * x


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_results_come_back_in_task_order(backend):
    tasks = list(range(7))
    assert run_tasks(slow_square, tasks, n_jobs=1) == [t * t for t in tasks]
    assert run_tasks(slow_square, tasks, n_jobs=2, backend=backend) == [t * t for t in tasks]


def test_progress_advances_once_per_task():
    bar = Progress(5, "t", stream=Terminal())
    run_tasks(slow_square, range(5), n_jobs=2, backend="threads", progress=bar)
    assert bar.done == 5


def test_bad_options_are_refused():
    with pytest.raises(ModelSpecError, match="n_jobs must be a positive integer"):
        run_tasks(slow_square, [1], n_jobs=0)
    with pytest.raises(ModelSpecError, match="backend must be one of processes, threads"):
        run_tasks(slow_square, [1], backend="gpu")


def test_the_scheduler_comes_from_the_option_or_the_environment(monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert scheduler_address(None) is None
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://10.0.0.5:8786")
    assert scheduler_address(None) == "tcp://10.0.0.5:8786"
    assert scheduler_address("tcp://other:8786") == "tcp://other:8786"


def test_a_missing_dask_is_one_clear_error(monkeypatch):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("distributed"):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(MissingDependencyError, match=r"pip install \"plw-stats\[distributed\]\""):
        run_tasks(slow_square, [1, 2], scheduler="tcp://127.0.0.1:8786")


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(workers, "CONNECT_TIMEOUT", 1)
    with pytest.raises(PlwStatsError, match="could not reach the Dask scheduler at 'tcp://127"):
        run_tasks(slow_square, [1], scheduler="tcp://127.0.0.1:9")


def test_on_a_local_dask_cluster():
    distributed = pytest.importorskip("distributed")
    options = dict(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    bar = Progress(6, "t", stream=Terminal())
    with distributed.LocalCluster(**options) as cluster:
        # by address, as the command line passes it: connected and closed by run_tasks
        found = run_tasks(slow_square, range(6), scheduler=cluster.scheduler_address, progress=bar)
        assert found == [x * x for x in range(6)]
        with distributed.Client(cluster) as client:
            assert run_tasks(slow_square, range(6), scheduler=client) == [x * x for x in range(6)]
    assert bar.done == 6
