"""``plw-stats calibrate``: interval coverage, rank calibration and healed divergences.

JSON written with ``--json PATH`` (atomically)::

    {"coverage": {"b1": {"n", "coverage", "mc_se", "mean_width", "bias"}, "b2": ..., "plw": ...,
                  "intercept": ..., "kappa": ..., "sd_slope": ..., "sd_model": ...},
     "ranks": {"b1": {"uniformity_p", "ecdf_p", "inside_band", "chi2", "bins", "n"}, ...},
     "fits_with_divergences": 0,
     "healing": {"fits", "fits_with_divergences_first", "retries", "retry_seconds", ...},
     "settings": {...}}

``ranks`` is present for ``--source prior`` only (elsewhere the truth is not a prior draw, so
uniform ranks are not expected).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from plw_stats.cli.arguments import non_negative_int, positive_int
from plw_stats.cli.many_fits import add_parallel_options, progress_for, scheduler_of
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.output import write_atomic, write_csv, write_json

#: Columns of the printed tables.
COVERAGE_FORMAT = {"n": "{:.0f}", "coverage": "{:.3f}", "mc_se": "{:.3f}"}


def register(subparsers) -> None:
    """Add the ``calibrate`` sub-command."""
    parser = subparsers.add_parser(
        "calibrate",
        help="simulation-based calibration: interval coverage, rank uniformity, divergences",
        description=(
            "Simulate sweeps of the paper's design, fit each (with the same retries as a "
            "user's fit) and report how often the intervals cover the truth.  --source fixed: "
            "the paper's AlpacaDataShort estimates, on the model's scale; --source prior: "
            "parameters drawn from the priors and scores from the model's likelihood "
            "(simulation-based calibration, with rank-uniformity tests); --source pipeline: "
            "raw scores, min-max scaled and squeezed as real data are."
        ),
    )
    parser.add_argument(
        "--sims", type=positive_int, default=100, help="simulated sweeps (default 100)"
    )
    parser.add_argument("--source", choices=("fixed", "prior", "pipeline"), default="fixed")
    parser.add_argument("--prob", type=float, default=0.9, help="interval mass (default 0.9)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--chains", type=positive_int, default=4, help="chains per fit (default 4)")
    parser.add_argument(
        "--draws", type=positive_int, default=500, help="draws per chain (default 500)"
    )
    parser.add_argument(
        "--tune", type=non_negative_int, default=500, help="warm-up per chain (default 500)"
    )
    parser.add_argument(
        "--target-accept",
        type=float,
        default=SamplerSettings.target_accept,
        help=f"(default {SamplerSettings.target_accept})",
    )
    parser.add_argument(
        "--priors", choices=("default", "legacy"), default="default", help="prior set"
    )
    parser.add_argument(
        "--rank-draws",
        type=positive_int,
        default=99,
        help="thinned draws the truth is ranked among",
    )
    parser.add_argument(
        "--max-retries", type=non_negative_int, help="retries of a troubled fit (default 2)"
    )
    parser.add_argument("--ml", action="store_true", help="add the ML likelihood-ratio p-value")
    add_parallel_options(parser)
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the tables as JSON")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write per-simulation rows")
    parser.add_argument("--plot", type=Path, metavar="PATH", help="rank ECDF figure (prior)")
    parser.set_defaults(run=run)


def setup_from_args(args: argparse.Namespace):
    """Build the study's setup from parsed options.

    The sampler defaults (4 chains × 500 draws after 500 warm-up steps) are lighter than a
    fit's: coverage and ranks are properties of the model and the sampler, not of the number of
    draws (docs/inference.md compares them on the same simulated sweeps).
    """
    from plw_stats.glmm.priors import preset
    from plw_stats.simulation.calibration import StudySetup

    settings = SamplerSettings(
        chains=args.chains,
        draws=args.draws,
        tune=args.tune,
        target_accept=args.target_accept,
    )
    return StudySetup(
        source=args.source,
        settings=settings,
        prob=args.prob,
        priors=preset(args.priors),
        rank_draws=args.rank_draws,
        ml_test=args.ml,
        max_retries=args.max_retries,
    )


def run(args: argparse.Namespace) -> int:
    """Run the study, print its tables and write the requested files."""
    from plw_stats.simulation import calibration

    setup = setup_from_args(args)
    start = time.perf_counter()
    with progress_for(args, args.sims, "calibrate") as bar:
        table = calibration.run_study(
            setup,
            args.sims,
            seed=args.seed,
            n_jobs=args.jobs,
            scheduler=scheduler_of(args),
            progress=bar,
        )
    elapsed = time.perf_counter() - start
    coverage = calibration.coverage_table(table)
    healing = calibration.healing_summary(table)
    ranks = calibration.rank_summary(table, setup.rank_draws) if args.source == "prior" else None
    print(report(args, coverage, ranks, healing))
    print(f"plw-stats calibrate: {elapsed:.0f} s", file=sys.stderr)
    if args.json:
        write_json(args.json, payload(args, setup, coverage, ranks, healing))
    if args.csv:
        write_csv(args.csv, table, index=False)
    if args.plot and ranks is not None:
        write_rank_plot(args.plot, calibration.rank_ecdf_table(table, setup.rank_draws))
    return 0


def report(args, coverage, ranks, healing: dict) -> str:
    """Return the printed summary: coverage, rank uniformity (prior source), retries."""
    lines = [
        f"== calibration: {args.sims} simulated sweeps ({args.source} truth), "
        f"{round(args.prob * 100)}% highest-density intervals",
        coverage.to_string(float_format=lambda v: f"{v:.3f}"),
    ]
    if ranks is not None:
        lines += [
            f"== rank uniformity ({args.rank_draws} thinned draws; chi-square on binned ranks, "
            "ECDF with a simultaneous 95% band)",
            ranks.to_string(float_format=lambda v: f"{v:.3f}"),
        ]
    share = healing["retry_seconds"] / max(healing["fit_seconds"], 1e-9)
    lines += [
        f"   fits with divergences: {healing['fits_with_divergences']} of {healing['fits']} "
        f"after retries ({healing['fits_with_divergences_first']} before); "
        f"R-hat max {healing['rhat_max']:.3f}",
        f"   retries: {healing['retries']} in {healing['retried_fits']} fit(s) "
        f"({healing['noncentred_fits']} ended with non-centred slopes), "
        f"{healing['retry_seconds']:.0f} s of {healing['fit_seconds']:.0f} s sampling "
        f"({share:.0%})",
    ]
    if healing["redraws"]:
        lines.append(f"   sweeps redrawn for scores of exactly 0 or 1: {healing['redraws']}")
    return "\n".join(lines)


def payload(args, setup, coverage, ranks, healing: dict) -> dict:
    """Return the JSON object (see the module docstring)."""
    body = {"coverage": coverage.to_dict(orient="index")}
    if ranks is not None:
        body["ranks"] = ranks.to_dict(orient="index")
    return body | {
        "fits_with_divergences": healing["fits_with_divergences"],
        "healing": healing,
        "settings": {
            "sims": args.sims,
            "source": args.source,
            "prob": args.prob,
            "seed": args.seed,
            "rank_draws": setup.rank_draws,
            "priors": setup.priors.to_dict(),
            "sampler": setup.settings.to_dict(),
        },
    }


def write_rank_plot(path: Path, ecdf) -> None:
    """Draw the rank ECDF differences and write the figure atomically."""
    import matplotlib.pyplot as plt

    from plw_stats.plots.calibration import plot_rank_ecdf
    from plw_stats.plots.style import use_style

    with use_style():
        axes = plot_rank_ecdf(ecdf)
        figure = axes[0].figure
        suffix = path.suffix.lstrip(".") or "png"
        write_atomic(path, lambda tmp: figure.savefig(tmp, format=suffix))
        plt.close(figure)
