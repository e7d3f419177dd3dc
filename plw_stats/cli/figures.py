"""``plw-stats figures``: every figure of the paper's kind for a score table.

The options shared with ``plw-stats report`` (data, saved fits, sampler, trainer logs) are
added by :func:`add_analysis_options` and turned into an analysis by :func:`analysis_from_args`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plw_stats.cli.sampler_options import add_sampler_options, sampler_settings
from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.datasets import load_demo_scores
from plw_stats.io.tables import read_scores
from plw_stats.output import ensure_folder, write_atomic
from plw_stats.plots.gallery import close_all, figure_set
from plw_stats.plots.rsd import rsd_from_manifest
from plw_stats.plots.style import use_style
from plw_stats.report import Analysis, analyse

FORMATS = ("pdf", "svg", "png")


def register(subparsers) -> None:
    """Add the ``figures`` sub-command."""
    parser = subparsers.add_parser(
        "figures",
        help="write every figure (aggregates, benchmarks, fits, critical PLW, GAM, loss RSD)",
        description=(
            "Draw the paper's figures for a score table and write them to --out: aggregates "
            "(Fig. 1), per-benchmark grid (Appendix B), fitted curves, critical-PLW posteriors, "
            "GAM surfaces (Appendix D) and, with --trainer-logs, the loss-RSD box plot. "
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


def positive_int(text: str) -> int:
    """Parse a positive integer option (argparse reports the error)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """Add the data, saved-fit, sampler and trainer-log options."""
    parser.add_argument("data", nargs="?", type=Path, help="score table (.csv or .parquet)")
    parser.add_argument(
        "--fit",
        type=Path,
        metavar="FIT_DIR",
        help="reuse the posteriors saved by `plw-stats fit --out FIT_DIR` instead of sampling",
    )
    parser.add_argument(
        "--trainer-logs",
        type=Path,
        metavar="MANIFEST",
        help="CSV with columns path, dataset, model, plw pointing at trainer_state.json files",
    )
    add_sampler_options(parser.add_argument_group("sampling (ignored with --fit)"))
    parser.add_argument("--power", type=float, default=PLW_POWER, help="p in wp = plw^p")
    parser.add_argument("--hdi-prob", type=float, default=HDI_PROB)
    parser.add_argument("--quiet", action="store_true", help="no progress messages")


def analysis_from_args(args: argparse.Namespace) -> Analysis:
    """Read the inputs, then fit or load every model (all inputs are checked first)."""
    scores = read_scores(args.data) if args.data else load_demo_scores()
    source = str(args.data) if args.data else "bundled demo data (simulated)"
    rsd = rsd_from_manifest(args.trainer_logs) if args.trainer_logs else None
    settings = sampler_settings(args)
    if not args.fit:
        progress(
            args,
            f"fitting {scores['dataset'].nunique()} dataset(s): {settings.chains} "
            f"chains x {settings.draws} draws; pass --fit DIR to reuse saved fits",
        )
    analysis = analyse(
        scores,
        source=source,
        fit_dir=args.fit,
        settings=settings,
        seed=args.seed,
        power=args.power,
        hdi_prob=args.hdi_prob,
        rsd=rsd,
        on_fit=lambda fit: progress(args, f"{fit.name}: fitted"),
    )
    for note in analysis.notes:
        progress(args, f"note: {note}")
    for name, problems in analysis.fits.problems().items():
        progress(args, f"warning: {name}: {'; '.join(problems)}; the figures show this fit anyway")
    return analysis


def progress(args: argparse.Namespace, message: str) -> None:
    """Print a progress message on stderr unless ``--quiet``."""
    if not args.quiet:
        print(f"plw-stats {args.command}: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Draw every figure first, then write each file atomically and list them."""
    if args.out.exists() and not args.out.is_dir():
        ensure_folder(args.out)  # raises the one-line error before any work
    analysis = analysis_from_args(args)
    figures = figure_set(
        analysis.scores, fits=analysis.fits, gam=analysis.gam, rsd=analysis.rsd, power=args.power
    )
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
