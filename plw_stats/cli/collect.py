"""``plw-stats collect``: evaluation outputs named by a manifest → the tidy score table."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import LEVELS
from plw_stats.io.manifest import Collection, collect, manifest_from_pattern
from plw_stats.output import write_csv


def register(subparsers) -> None:
    """Add the ``collect`` sub-command."""
    parser = subparsers.add_parser(
        "collect",
        help="build the score table from evaluation outputs (lm-eval, AlpacaEval, PandaLM, "
        "MT-Bench, OpenCompass, lighteval, inspect_ai)",
        description=(
            "Read every results file a manifest names (CSV: path, dataset, model, plw "
            "[, entry, ratio, clw, seed]), detect each file's layout, and write the tidy score "
            "table with metric, stderr and source columns.  Refuses runs without results, "
            "benchmarks missing from some runs and two files giving the same (run, benchmark)."
        ),
    )
    parser.add_argument(
        "manifest", type=Path, help="manifest CSV (or a root folder with --pattern)"
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="score table to write")
    parser.add_argument("--tasks", help="comma-separated benchmarks to keep (default: all)")
    parser.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="BENCHMARK=METRIC",
        help="override a default metric, e.g. arc_challenge=acc (repeatable)",
    )
    parser.add_argument(
        "--level",
        choices=LEVELS,
        default="groups",
        help="benchmarks of grouped tasks: one per aggregated group such as mmlu (default), "
        "per sub-group (mmlu's four categories), or per task (57 subjects); also lighteval "
        "averages and MT-Bench turns",
    )
    parser.add_argument(
        "--task-type",
        action="append",
        default=[],
        metavar="BENCHMARK=TYPE",
        help="task type MC, GS or GL of a benchmark, overriding the files (repeatable)",
    )
    parser.add_argument(
        "--pattern",
        help="build the manifest from paths under MANIFEST, e.g. "
        "'{dataset}/{model}/plw-{plw}/**/results*.json'",
    )
    parser.add_argument("--dataset", help="with --pattern: dataset of every run")
    parser.add_argument("--model", help="with --pattern: pretrained model of every run")
    parser.add_argument("--report", type=Path, help="also write the file → rows report as CSV")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Collect, write the table and report which files fed which rows."""
    result = collect(
        _manifest(args),
        tasks=args.tasks.split(",") if args.tasks else None,
        metrics=_pairs(args.metric, "--metric"),
        task_types=_pairs(args.task_type, "--task-type"),
        base=args.manifest if args.pattern else None,
        level=args.level,
    )
    write_csv(args.output, result.scores, index=False)
    if args.report:
        write_csv(args.report, result.provenance, index=False)
    if not args.quiet:
        _print_provenance(result)
    _print_summary(result, args.output)
    return 0


def _manifest(args: argparse.Namespace) -> Path | pd.DataFrame:
    if args.pattern is None:
        if args.dataset or args.model:
            raise DataSchemaError(
                "--dataset and --model go with --pattern; put them in the manifest"
            )
        return args.manifest
    constants = {"dataset": args.dataset, "model": args.model}
    return manifest_from_pattern(args.manifest, args.pattern, constants=constants)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip() or not setting.strip():
            raise DataSchemaError(f"{option} {value!r}: write BENCHMARK=VALUE, e.g. piqa=acc_norm")
        pairs[name.strip()] = setting.strip()
    return pairs


def _print_provenance(result: Collection) -> None:
    for row in result.provenance.to_dict("records"):
        run = f"{row['dataset']}/{row['model']}/plw={row['plw']:g}"
        run += f"/clw={row['clw']:g}" if "clw" in row else ""
        run += f"/seed={row['seed']}" if row.get("seed") is not None else ""
        benchmarks = row["benchmarks"] or "(superseded)"
        print(f"{row['source']} [{row['layout']}] -> {run}: {benchmarks}")


def _print_summary(result: Collection, output: Path) -> None:
    scores = result.scores
    key = [c for c in ("dataset", "model", "plw", "clw", "seed") if c in scores.columns]
    runs = scores.groupby(key, dropna=False).ngroups
    benchmarks = scores["benchmark"].nunique()
    for note in result.notes:
        print(f"note: {note}")
    print(
        f"wrote {len(scores)} rows ({runs} runs x {benchmarks} benchmarks, "
        f"{len(result.provenance)} files) to {output}"
    )
