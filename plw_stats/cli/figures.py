"""``plw-stats figures``: every figure of the paper's kind for a score table.

The options shared with ``plw-stats report`` (data, saved fits, sampler, trainer logs) are
added by :func:`add_analysis_options` and turned into an analysis by :func:`analysis_from_args`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from plw_stats.cli.analysis_options import add_analysis_options, analysis_from_args
from plw_stats.cli.arguments import positive_int
from plw_stats.output import ensure_folder, write_atomic

FORMATS = ("pdf", "svg", "png")


def register(subparsers) -> None:
    """Add the ``figures`` sub-command."""
    parser = subparsers.add_parser(
        "figures",
        description=(
            "Draw the paper's figures for a score table and write them to --out: aggregates "
            "(Fig. 1), per-benchmark grid (Appendix B), fitted curves, critical-PLW posteriors, "
            "GAM surfaces (Appendix D), with --trainer-logs the loss-RSD box plot, with "
            "--weights the weight distances, and for a two-knob (PLW x CLW) table the "
            "response surfaces. "
            "Without DATA, uses the bundled (simulated) demo sweep."
        ),
    )
    add_analysis_options(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("figures"),
        metavar="DIR",
        help="output folder, created if needed (default: ./figures)",
    )
    parser.add_argument("--format", choices=FORMATS, default="pdf", help="file format (pdf)")
    parser.add_argument(
        "--dpi", type=positive_int, default=200, help="resolution of PNG output (default: 200)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Draw every figure first, then write each file atomically and list them."""
    if args.out.exists() and not args.out.is_dir():
        ensure_folder(args.out)  # raises the one-line error before any work
    from plw_stats.plots.gallery import close_all
    from plw_stats.plots.style import use_style
    from plw_stats.report.figures import draw_figures

    analysis = analysis_from_args(args)
    # the same set as the report; model-check figures come only with checks, which figures skips
    figures = list(draw_figures(analysis).values())
    try:
        ensure_folder(args.out)
        with use_style():
            for entry in figures:
                path = args.out / f"{entry.name}.{args.format}"
                write_atomic(
                    path,
                    lambda tmp, e=entry: e.figure.savefig(tmp, format=args.format, dpi=args.dpi),
                )
                print(path)
    finally:
        close_all(figures)
    return 0
