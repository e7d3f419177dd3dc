"""Time the tensor-smooth GAM (``plw-stats gam``) on the demo sweep and on simulated ratio sweeps.

Run with ``.venv/bin/python benchmarks/bench_gam.py [--repeat N] [--boot N]``.  Prints one row per
case: wall-clock seconds (median over repeats) for the fit of all groups (All, MC, Gen), for the
bootstrap with 1 and 2 worker processes, and for the whole command line (new process, including
imports) with and without the bootstrap.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plw_stats.datasets import load_demo_scores
from plw_stats.gam.bootstrap import bootstrap_optimal
from plw_stats.gam.model import TensorGam
from plw_stats.simulation.ratio_sweeps import RatioTruth, simulate_ratio_sweep

SWEEPS = {
    "demo (3 datasets)": None,
    "sim 6 datasets": (0.1, 0.5, 1.0, 2.0, 4.0, 8.0),
    "sim 10 datasets": (0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0),
}


def timed(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_seconds(path: Path, boot: int) -> float:
    exe = Path(sys.executable).with_name("plw-stats")
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "gam", str(path), "--bootstrap", str(boot)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def bench(name: str, scores, repeat: int, boot: int, folder: Path) -> dict:
    spec = TensorGam(scores)
    result = spec.fit()
    path = folder / f"{name.split()[0]}_{len(scores)}.csv"
    scores.to_csv(path, index=False)
    return {
        "case": name,
        "rows": len(scores),
        "fit": timed(spec.fit, repeat),
        "boot_1job": timed(lambda: bootstrap_optimal(result, boot, n_jobs=1), 1),
        "boot_2jobs": timed(lambda: bootstrap_optimal(result, boot, n_jobs=2), 1),
        "cli_noboot": cli_seconds(path, 0),
        "cli_boot": cli_seconds(path, boot),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--boot", type=int, default=200)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, ratios in SWEEPS.items():
            scores = (
                load_demo_scores()
                if ratios is None
                else simulate_ratio_sweep(ratios, RatioTruth(), seed=1)
            )
            rows.append(bench(name, scores, args.repeat, args.boot, Path(folder)))
    print(f"plw-stats gam timings in seconds (bootstrap: {args.boot} replicates, 3 groups)")
    header = ["case", "rows", "fit", "boot_1job", "boot_2jobs", "cli_noboot", "cli_boot"]
    print(" | ".join(header))
    for row in rows:
        cells = [row["case"], str(row["rows"])] + [f"{row[k]:.2f}" for k in header[2:]]
        print(" | ".join(cells))


if __name__ == "__main__":
    main()
