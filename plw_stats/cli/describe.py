"""``plw-stats describe``: Table-1 length statistics and R_g of an instruction dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from plw_stats.describe.instructions import InstructionStats, describe_instructions
from plw_stats.output import write_json


def register(subparsers) -> None:
    """Add the ``describe`` sub-command."""
    parser = subparsers.add_parser(
        "describe",
        help="Table-1 token statistics and generation ratio R_g of an instruction dataset",
        description=(
            "Read an Alpaca-format JSON/JSONL file (instruction, input, output) and print the "
            "mean (std) tokens of each field, the total tokens and R_g = mean completion tokens "
            "/ mean prompt tokens (prompt = instruction + input)."
        ),
    )
    parser.add_argument("dataset", nargs="+", type=Path, help="Alpaca-format JSON or JSONL")
    parser.add_argument(
        "--tokenizer",
        help="tokenizer.json (or its folder) read with the optional 'tokenizers' package; "
        "default: the built-in regex word/punctuation counter",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Describe each dataset and print one Table-1 row per file."""
    stats = [describe_instructions(path, tokenizer=args.tokenizer) for path in args.dataset]
    print(_header())
    for item in stats:
        print(_row(item))
    print(f"tokens counted with: {stats[0].tokenizer}")
    if args.json:
        write_json(args.json, [item.to_dict() for item in stats])
    return 0


def _header() -> str:
    columns = ("dataset", "n", "instruction", "input", "completion", "total tokens", "R_g")
    return "{:<24} {:>8} {:>16} {:>16} {:>16} {:>14} {:>8}".format(*columns)


def _row(stats: InstructionStats) -> str:
    cells = (
        stats.name[:24],
        stats.n_items,
        _mean_std(stats.instruction_mean, stats.instruction_std),
        _mean_std(stats.input_mean, stats.input_std),
        _mean_std(stats.completion_mean, stats.completion_std),
        stats.total_tokens,
        f"{stats.ratio:.4f}",
    )
    return "{:<24} {:>8} {:>16} {:>16} {:>16} {:>14} {:>8}".format(*cells)


def _mean_std(mean: float, std: float) -> str:
    return f"{mean:.2f} ({std:.2f})"
