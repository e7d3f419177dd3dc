"""Full-size calibration study of the beta mixed model: coverage, rank uniformity, healing cost.

Usage::

    .venv/bin/python benchmarks/calibration.py [--sims 200] [--source fixed|prior|pipeline]
        [--jobs 2] [--scheduler ADDRESS] [--draws 500] [--tune 500] [--priors default|legacy]

Simulates sweeps of the paper's design (2 models x 13 benchmarks x 10 PLW levels) from the
chosen source (see ``plw_stats.simulation.sources``), fits each with 4 chains (and the healing
retries), and prints the coverage table, the rank-uniformity tests (prior source), what the
retries did and cost, the wall time and the summed per-fit sampling time.  ``--csv`` saves the
per-simulation table, ``--json`` the summaries.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from plw_stats.glmm.backends.settings import SAMPLERS, SamplerSettings
from plw_stats.glmm.priors import PRESETS, preset
from plw_stats.progress import Progress
from plw_stats.simulation import calibration
from plw_stats.simulation.sources import SOURCES, StudySetup


def main() -> None:
    """Run the study and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=200)
    parser.add_argument("--source", choices=SOURCES, default="fixed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scheduler", help="Dask scheduler address (default: local processes)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--target-accept", type=float, default=0.95)
    parser.add_argument("--priors", choices=PRESETS, default="default")
    parser.add_argument("--max-retries", type=int)
    parser.add_argument("--sampler", choices=SAMPLERS, default=SamplerSettings().sampler)
    parser.add_argument("--csv", type=Path, help="save the per-simulation table here")
    parser.add_argument("--json", type=Path, help="save the summaries here")
    args = parser.parse_args()
    settings = SamplerSettings(
        chains=4,
        draws=args.draws,
        tune=args.tune,
        target_accept=args.target_accept,
        sampler=args.sampler,
    )
    setup = StudySetup(
        source=args.source,
        settings=settings,
        priors=preset(args.priors),
        max_retries=args.max_retries,
    )
    start = time.perf_counter()
    with Progress(args.sims, "calibration") as bar:
        table = calibration.run_study(
            setup,
            args.sims,
            seed=args.seed,
            n_jobs=args.jobs,
            scheduler=args.scheduler,
            progress=bar,
        )
    elapsed = time.perf_counter() - start
    if args.csv:
        table.to_csv(args.csv, index=False)
    coverage = calibration.coverage_table(table)
    healing = calibration.healing_summary(table)
    ranks = calibration.rank_summary(table, setup.rank_draws) if args.source == "prior" else None
    where = args.scheduler or f"{args.jobs} local jobs"
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(
            f"{args.sims} fits ({args.source} truth, {args.priors} priors, sampler {args.sampler}, "
            f"4 x {args.draws} draws + {args.tune} warm-up, target_accept {args.target_accept}), "
            f"{where}: {elapsed:.0f} s wall"
        )
        print("90% HDI coverage:")
        print(coverage.to_string())
        if ranks is not None:
            print("rank uniformity:")
            print(ranks.to_string())
        print(
            f"fits with divergences: {healing['fits_with_divergences']} after retries, "
            f"{healing['fits_with_divergences_first']} before; retries {healing['retries']} in "
            f"{healing['retried_fits']} fits; retry time {healing['retry_seconds']:.0f} s of "
            f"{healing['fit_seconds']:.0f} s summed fit time; R-hat max {healing['rhat_max']:.3f} "
            f"(median {table['rhat_max'].median():.3f}); bulk ESS min "
            f"{healing['ess_bulk_min']:.0f} (median {table['ess_bulk_min'].median():.0f}); "
            f"redraws {healing['redraws']}"
        )
    if args.json:
        payload = {
            "coverage": coverage.to_dict(orient="index"),
            "ranks": None if ranks is None else ranks.to_dict(orient="index"),
            "healing": healing,
            "wall_seconds": elapsed,
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        }
        args.json.write_text(json.dumps(payload, indent=1, default=float))


if __name__ == "__main__":
    main()
