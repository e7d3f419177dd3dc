"""``plw-stats invert``: prompt inversion (Appendix A) to make a short-completion dataset."""

from __future__ import annotations

import argparse

from plw_stats.describe.inversion import DEFAULT_THRESHOLD, invert_file


def register(subparsers) -> None:
    """Add the ``invert`` sub-command."""
    parser = subparsers.add_parser(
        "invert",
        help="rewrite long-completion items as prompt-prediction items (Appendix A)",
        description=(
            "Prompt inversion: items whose completion/prompt token ratio exceeds --threshold "
            "(or, with --target-ratio, the longest-completion items until the dataset's R_g "
            "reaches the target) become 'Predict the prompt that generated ...' items."
        ),
    )
    parser.add_argument("instructions", help="Alpaca-format JSON or JSONL input")
    parser.add_argument("output", help="where to write the result (.json or .jsonl)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"invert items with ratio above this (default {DEFAULT_THRESHOLD:g})",
    )
    choice.add_argument("--target-ratio", type=float, help="invert until R_g <= this")
    parser.add_argument("--tokenizer", help="tokenizer.json for token counts (default: regex)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Invert, write the file and print what changed."""
    _, report = invert_file(
        args.instructions,
        args.output,
        threshold=args.threshold,
        target_ratio=args.target_ratio,
        tokenizer=args.tokenizer,
    )
    print(
        f"inverted {report.n_inverted} of {report.n_items} items "
        f"({report.mode} {report.value:g}, {report.tokenizer} tokens)"
    )
    print(f"R_g {report.ratio_before:.3f} -> {report.ratio_after:.3f}; wrote {args.output}")
    return 0
