"""Options shared by the commands that analyse a whole sweep (``figures`` and ``report``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from plw_stats.cli.sampler_options import add_sampler_options, sampler_settings
from plw_stats.config import HDI_PROB

if TYPE_CHECKING:
    from plw_stats.analysis import Analysis


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
    parser.add_argument(
        "--weights",
        type=Path,
        metavar="TABLE",
        help="weight distances per run, the CSV of `plw-stats weight-distance -o` (Fig. 2b)",
    )
    add_sampler_options(parser.add_argument_group("sampling (ignored with --fit)"))
    parser.add_argument(
        "--power",
        type=float,
        default=None,
        help="p in wp = plw^p (default: the paper's; with --fit, the saved fits' own)",
    )
    parser.add_argument("--hdi-prob", type=float, default=HDI_PROB)
    parser.add_argument("--quiet", action="store_true", help="no progress messages")


def analysis_from_args(args: argparse.Namespace) -> Analysis:
    """Read the inputs, then fit or load every model (all inputs are checked first)."""
    from plw_stats.analysis import analyse
    from plw_stats.datasets import load_demo_scores
    from plw_stats.describe.rsd import rsd_from_manifest
    from plw_stats.describe.weight_table import read_weight_table
    from plw_stats.io.tables import read_scores

    scores = read_scores(args.data) if args.data else load_demo_scores()
    source = str(args.data) if args.data else "bundled demo data (simulated)"
    rsd = rsd_from_manifest(args.trainer_logs) if args.trainer_logs else None
    weights = read_weight_table(args.weights) if args.weights else None
    settings = sampler_settings(args)
    reporting = args.command == "report"  # figures need neither evidence nor checks
    evidence = reporting and not getattr(args, "no_evidence", False)
    if not args.fit:
        progress(
            args,
            f"fitting {scores['dataset'].nunique()} dataset(s): {settings.chains} "
            f"chains x {settings.draws} draws"
            + (" (and each null model, for the evidence)" if evidence else "")
            + "; pass --fit DIR to reuse saved fits",
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
        weights=weights,
        on_fit=lambda fit: progress(args, f"{fit.name}: fitted"),
        evidence=evidence,
        checks=reporting,
        data_file=args.data,
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
