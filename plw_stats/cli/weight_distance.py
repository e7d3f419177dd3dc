"""``plw-stats weight-distance``: how far fine-tuning moved each run's weights from its base."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from plw_stats.describe.weights import WeightDistances, weight_distances
from plw_stats.output import OutputError, write_csv, write_json


def register(subparsers) -> None:
    """Add the ``weight-distance`` sub-command."""
    parser = subparsers.add_parser(
        "weight-distance",
        help="Minkowski distances of fine-tuned checkpoints to their pretrained weights (Fig. 2b)",
        description=(
            "Read the safetensors checkpoints a manifest names (CSV: path, dataset, model, plw, "
            "base; base = the pretrained checkpoint of the run) one tensor pair at a time and "
            "print, per run, the mean over tensors of ||W - W0||_p (the paper's regulariser), "
            "the distance over all parameters and its ratio to ||W0||_p."
        ),
    )
    parser.add_argument("manifest", type=Path, help="CSV: path, dataset, model, plw, base")
    parser.add_argument(
        "--p",
        type=float,
        default=2.0,
        metavar="P",
        help="order of the Minkowski distance, >= 1, or inf for the largest difference (default 2)",
    )
    parser.add_argument(
        "--per-layer",
        action="store_true",
        help="also one row per layer (tensors grouped by the name up to its layer number)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="CSV",
        help="write the run table as CSV (with --per-layer the layers to <stem>.layers.csv)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute the distances of every run, print the table and write the requested files."""
    targets = _targets(args)
    result = weight_distances(
        args.manifest,
        p=args.p,
        per_layer=args.per_layer,
        progress=None if args.quiet else _progress(),
    )
    _print_runs(result)
    for path, write in targets:
        write(path, result)
        print(f"wrote {path}")
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[Path, Callable]]:
    """Output files and their writers, checked before the (long) computation."""
    targets = []
    if args.output:
        targets.append((args.output, lambda path, r: write_csv(path, r.runs, index=False)))
        if args.per_layer:
            layers = args.output.with_suffix(".layers.csv")
            targets.append((layers, lambda path, r: write_csv(path, r.layers, index=False)))
    if args.json:
        targets.append((args.json, lambda path, r: write_json(path, r.to_dict())))
    for path, _ in targets:
        if not path.parent.is_dir():
            raise OutputError(f"{path}: folder {path.parent} does not exist; create it first")
    return targets


def _progress() -> Callable[[int, int, dict], None]:
    start = time.perf_counter()

    def report(i: int, n: int, row: dict) -> None:
        nonlocal start
        now = time.perf_counter()
        print(
            f"[{i}/{n}] {row['dataset']} {row['model']} plw={row['plw']:g}: "
            f"{row['n_params']:,} parameters in {now - start:.1f} s",
            file=sys.stderr,
        )
        start = now

    return report


def _print_runs(result: WeightDistances) -> None:
    p = "inf" if result.p == float("inf") else f"{result.p:g}"
    print(f"Minkowski distance to the pretrained weights, p = {p}")
    columns = ("dataset", "model", "plw", "tensors", "parameters", "mean/tensor", "global")
    print("{:<20} {:<16} {:>8} {:>8} {:>14} {:>12} {:>12} {:>10}".format(*columns, "relative"))
    for row in result.runs.itertuples():
        cells = (
            str(row.dataset)[:20],
            str(row.model)[:16],
            f"{row.plw:g}",
            row.n_tensors,
            row.n_params,
            f"{row.mean_tensor_distance:.5g}",
            f"{row.distance:.5g}",
            f"{row.relative_distance:.4g}",
        )
        print("{:<20} {:<16} {:>8} {:>8} {:>14} {:>12} {:>12} {:>10}".format(*cells))
