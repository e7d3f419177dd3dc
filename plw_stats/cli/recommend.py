"""``plw-stats recommend``: a PLW for an instruction dataset, from its completion/prompt ratio.

R_g comes from the Alpaca-format file (``describe_instructions``) or from ``--ratio``.  The PLW
comes from a GAM fitted on ``--scores`` (with a bootstrap interval) or, by default, from the
paper's Appendix D table; the output says which.
"""

from __future__ import annotations

import argparse

from plw_stats.cli.gam import _group, add_bootstrap_options
from plw_stats.describe.instructions import describe_instructions
from plw_stats.errors import ModelSpecError
from plw_stats.gam.groups import TRANSLATION_PATTERN
from plw_stats.gam.recommend import Recommendation, recommend_from_paper, recommend_from_scores
from plw_stats.io.tables import read_scores
from plw_stats.output import write_json


def register(subparsers) -> None:
    """Add the ``recommend`` sub-command."""
    parser = subparsers.add_parser(
        "recommend",
        help="recommend a PLW for an instruction dataset from its completion/prompt ratio",
        description=(
            "Compute the completion/prompt ratio R_g of an Alpaca-format dataset (or take "
            "--ratio) and recommend the PLW that maximises a GAM fitted on --scores, or, "
            "without --scores, the PLW of the paper's Appendix D table."
        ),
    )
    parser.add_argument(
        "instructions", nargs="?", help="Alpaca-format JSON or JSONL instruction dataset"
    )
    parser.add_argument("--ratio", type=float, help="use this R_g instead of a dataset file")
    parser.add_argument("--tokenizer", help="tokenizer.json for token counts (default: regex)")
    parser.add_argument("--scores", help="score table to fit the GAM on (default: paper table)")
    parser.add_argument(
        "--group", default="All", help="benchmark group to optimise: All, MC or Gen (default All)"
    )
    parser.add_argument("--scale", choices=("plw", "wp"), default="plw", help="GAM PLW axis")
    parser.add_argument(
        "--define-group",
        action="append",
        type=_group,
        metavar="NAME=B1,B2",
        help="with --scores: replace the default groups (repeatable)",
    )
    parser.add_argument(
        "--translation-pattern", default=TRANSLATION_PATTERN, help="regex of translation tasks"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the recommendation as JSON")
    add_bootstrap_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Work out R_g, recommend a PLW, print it and write the JSON if asked."""
    ratio, described = _ratio(args)
    if args.scores:
        scores = read_scores(args.scores)
        rec = recommend_from_scores(
            scores,
            ratio,
            group=args.group,
            n_boot=args.bootstrap,
            seed=args.seed,
            n_jobs=args.jobs,
            ci_prob=args.ci_prob,
            scale=args.scale,
            groups=dict(args.define_group) if args.define_group else None,
            translation_pattern=args.translation_pattern,
        )
    else:
        rec = recommend_from_paper(ratio, group=args.group)
    print(described)
    _print(rec, args.scores)
    if args.json:
        write_json(args.json, rec.to_dict())
    return 0


def _ratio(args: argparse.Namespace) -> tuple[float, str]:
    if (args.instructions is None) == (args.ratio is None):
        raise ModelSpecError(
            "give either an instruction dataset file or --ratio R (one of them, not both)"
        )
    if args.ratio is not None:
        return args.ratio, f"R_g = {args.ratio:g} (given with --ratio)"
    stats = describe_instructions(args.instructions, tokenizer=args.tokenizer)
    return stats.ratio, (
        f"R_g = {stats.ratio:.3f} ({args.instructions}: {stats.n_items} items, "
        f"{stats.completion_mean:.1f} completion / {stats.prompt_mean:.1f} prompt tokens "
        f"on average, {stats.tokenizer} tokens)"
    )


def _print(rec: Recommendation, scores: str | None) -> None:
    where = f"GAM fitted on {scores}" if rec.source == "gam" else "paper, Appendix D table"
    print(f"recommended PLW ({rec.group} benchmarks) = {rec.plw:.3f}")
    if rec.plw_low is not None:
        print(f"interval: {rec.plw_low:.3f} to {rec.plw_high:.3f}")
    else:
        print("interval: none (the source gives no uncertainty)")
    print(f"source: {where} (read at ratio {rec.table_ratio:g})")
    if rec.flat:
        print("note: PLW hardly matters at this ratio (predicted max - min < 5% of score range)")
    if rec.extrapolated:
        print("note: R_g lies outside the ratios the source covers; treat as extrapolation")
    print(f"provenance: {rec.note}")
