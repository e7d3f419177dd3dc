"""``plw-stats report``: the report of a whole analysis, as one HTML page or as Markdown."""

from __future__ import annotations

import argparse
from pathlib import Path

from plw_stats.cli.analysis_options import add_analysis_options, analysis_from_args
from plw_stats.cli.figures import positive_int
from plw_stats.output import ensure_folder

#: File written into ``--out``, by format.
REPORT_NAMES = {"html": "report.html", "md": "report.md"}
REPORT_NAME = REPORT_NAMES["html"]


def register(subparsers) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser(
        "report",
        description=(
            "Fit (or load with --fit) every model and write the report: first the answer "
            "(does PLW matter, and the critical PLW of each dataset), then the data, the fits "
            "with their diagnostics, the evidence (PSIS-LOO, likelihood-ratio test), model "
            "checks, the GAM, the training-loss RSD, the figures and what it takes to "
            f"reproduce it. --format html writes DIR/{REPORT_NAMES['html']}, one "
            f"self-contained page; --format md writes DIR/{REPORT_NAMES['md']} and its "
            "figures in DIR/figures/. Without DATA, uses the bundled (simulated) demo sweep."
        ),
    )
    add_analysis_options(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="output folder, created if needed"
    )
    parser.add_argument(
        "--format",
        choices=tuple(REPORT_NAMES),
        default="html",
        help="html: one self-contained page (default); md: Markdown plus image files",
    )
    parser.add_argument(
        "--image-format",
        choices=("svg", "png"),
        default="svg",
        help="image files of --format md (default: svg)",
    )
    parser.add_argument(
        "--dpi", type=positive_int, default=150, help="resolution of PNG images (default: 150)"
    )
    parser.add_argument(
        "--no-evidence",
        action="store_true",
        help="when fitting, skip the evidence for the wp terms (PSIS-LOO needs the null "
        "model sampled too); the likelihood-ratio test is still shown",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the output folder, analyse, then write the report atomically."""
    if args.out.exists() and not args.out.is_dir():
        ensure_folder(args.out)  # raises the one-line error before any fitting
    from plw_stats.report import write_report

    analysis = analysis_from_args(args)
    path = write_report(
        analysis,
        ensure_folder(args.out) / REPORT_NAMES[args.format],
        format=args.format,
        image_format=args.image_format,
        dpi=args.dpi,
    )
    print(path)
    return 0
