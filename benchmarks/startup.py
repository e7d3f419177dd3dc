"""Whole-process times of the everyday commands, beside bambi's fit alone, in one run.

Usage: python benchmarks/startup.py [--repeats N] [--skip-bambi] [--importtime]

Each command runs as its own process (a new interpreter, warm numba disk cache: one warm-up run
first), ``--repeats`` times; the table gives the minimum and the median wall time.  bambi's time
is its fit alone (data prepared, model built and sampled in a child process, imports excluded),
measured by ``benchmarks/speed.py --child bambi`` at its best settings.  ``--importtime`` also
prints the modules that cost most to import on the default fit path (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASET = "AlpacaDataShort"
COMMANDS = {
    "plw-stats --help": ["--help"],
    "plw-stats critical --b1 5.590 --b2 -4.284": ["critical", "--b1", "5.590", "--b2", "-4.284"],
    f"plw-stats fit --method ml --dataset {DATASET}": [
        "fit",
        "--method",
        "ml",
        "--dataset",
        DATASET,
    ],
    f"plw-stats fit --dataset {DATASET} --no-evidence": [
        "fit",
        "--dataset",
        DATASET,
        "--no-evidence",
    ],
    f"plw-stats fit --dataset {DATASET} (default, evidence on)": ["fit", "--dataset", DATASET],
    "plw-stats fit (demo, 3 datasets)": ["fit"],
}


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "plw_stats.cli.main",
            *args,
            *(["--quiet"] if "fit" in args else []),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def bambi_fit() -> float:
    out = subprocess.run(
        [sys.executable, str(HERE / "speed.py"), "--child", "bambi"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["sampling"]


def importtime(top: int = 12) -> list[tuple[float, str]]:
    """Top-level packages the default fit command imports, by cumulative import time."""
    with tempfile.TemporaryDirectory() as out_dir:
        fit = ["fit", "--dataset", DATASET, "--quiet", "--out", out_dir]
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "plw_stats.cli.main", *fit],
            capture_output=True,
            text=True,
        )
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if name.count(".") == 0 and not name.startswith("_"):
            rows.append((int(cumulative) / 1e6, name))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-bambi", action="store_true")
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    wall(["fit", "--dataset", DATASET, "--no-evidence"])  # warm numba's disk cache
    print("| command | min s | median s |\n|---|---|---|")
    times = {}
    for label, command in COMMANDS.items():
        runs = [wall(command) for _ in range(args.repeats)]
        times[label] = runs
        print(f"| `{label}` | {min(runs):.2f} | {statistics.median(runs):.2f} |", flush=True)
    if not args.skip_bambi:
        runs = [bambi_fit() for _ in range(max(1, args.repeats // 2))]
        print(
            f"| bambi 0.21 fit alone (build + sample, imports excluded) | {min(runs):.2f} | "
            f"{statistics.median(runs):.2f} |"
        )
        default = times[f"plw-stats fit --dataset {DATASET} (default, evidence on)"]
        best = min(runs) / min(default)
        typical = statistics.median(runs) / statistics.median(default)
        print(
            f"\nbambi's fit alone / plw-stats' whole default fit process: {best:.1f}x best "
            f"against best, {typical:.1f}x median against median"
        )
    if args.importtime:
        print("\n| top-level package | cumulative import s |\n|---|---|")
        for seconds, name in importtime():
            print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
