"""Speed-up of a calibration study on a local Dask cluster of 1 and 2 single-thread workers.

Usage::

    pip install -e ".[distributed]"
    .venv/bin/python benchmarks/dask_scaling.py [--sims 40] [--workers 1 2] [--draws 1000]

For each cluster size N, starts ``LocalCluster(n_workers=N, threads_per_worker=1,
processes=True)``, lets every worker load plw-stats and the numba-cached kernel once (one short
warm-up fit each, timed separately), then times the study.  Prints the wall time, the speed-up
over the smallest cluster, its ratio to the ideal N-fold speed-up, and checks that every cluster
produced the same table (timings aside).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from distributed import Client, LocalCluster

from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.simulation.calibration import TIMING_COLUMNS, StudySetup, run_study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup = StudySetup(settings=SamplerSettings(chains=4, draws=args.draws, tune=args.tune))
    warm = StudySetup(settings=SamplerSettings(chains=4, draws=100, tune=100))
    rows, tables = [], []
    for n in args.workers:
        options = dict(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        with LocalCluster(**options) as cluster, Client(cluster) as client:
            start = time.perf_counter()
            run_study(warm, n, seed=1, scheduler=client)  # each worker loads the kernel once
            warm_up = time.perf_counter() - start
            start = time.perf_counter()
            table = run_study(setup, args.sims, seed=args.seed, scheduler=client)
            wall = time.perf_counter() - start
        tables.append(table.drop(columns=list(TIMING_COLUMNS)))
        rows.append({"workers": n, "warm_up_s": warm_up, "wall_s": wall})
    frame = pd.DataFrame(rows)
    base = frame.iloc[0]
    frame["speed_up"] = base["wall_s"] / frame["wall_s"]
    frame["ideal"] = frame["workers"] / base["workers"]
    frame["wall_vs_ideal"] = frame["wall_s"] / (base["wall_s"] / frame["ideal"])
    print(f"{args.sims} fits, 4 x {args.draws} draws + {args.tune} warm-up per fit")
    print(frame.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    same = all(t.equals(tables[0]) for t in tables[1:])
    print(f"same table on every cluster: {same}")


if __name__ == "__main__":
    main()
