"""``plw-stats report``: one self-contained HTML report of a whole analysis."""

from __future__ import annotations

import argparse
from pathlib import Path

from plw_stats.cli.analysis_options import add_analysis_options, analysis_from_args
from plw_stats.output import ensure_folder

REPORT_NAME = "report.html"


def register(subparsers) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report",
        description=(
            f"Fit (or load with --fit) every model and write DIR/{REPORT_NAME}: a data summary, "
            "each dataset's fit with diagnostics, the critical PLW, the GAM's optimal-PLW table "
            "and every figure, embedded so that the file stands alone. Without DATA, uses the "
            "bundled (simulated) demo sweep."
        ),
    )
    add_analysis_options(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="output folder, created if needed"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the output folder, analyse, then write the report atomically."""
    if args.out.exists() and not args.out.is_dir():
        ensure_folder(args.out)  # raises the one-line error before any fitting
    from plw_stats.report import write_report

    analysis = analysis_from_args(args)
    path = write_report(analysis, ensure_folder(args.out) / REPORT_NAME)
    print(path)
    return 0
