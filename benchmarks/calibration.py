"""Full-size calibration study of the beta mixed model: 90% interval coverage of b1, b2, PLW*.

Usage::

    .venv/bin/python benchmarks/calibration.py [--sims 200] [--source fixed|prior] [--jobs 2]

Simulates sweeps of the paper's design (2 models x 13 benchmarks x 10 PLW levels) from the
paper's AlpacaDataShort estimates (``fixed``) or from the model's priors (``prior``), fits each
with 4 chains x 1000 draws (1000 warm-up), prints the coverage table and the sampler
diagnostics, and optionally saves the per-simulation table as CSV.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from plw_stats.glmm.backends.settings import SAMPLERS, SamplerSettings
from plw_stats.simulation.calibration import StudySetup, coverage_table, run_study


def main() -> None:
    """Run the study and print the coverage table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=200)
    parser.add_argument("--source", choices=("fixed", "prior"), default="fixed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--sampler", choices=SAMPLERS, default=SamplerSettings().sampler)
    parser.add_argument("--csv", type=Path, help="save the per-simulation table here")
    args = parser.parse_args()
    settings = SamplerSettings(chains=4, draws=args.draws, tune=args.draws, sampler=args.sampler)
    setup = StudySetup(source=args.source, settings=settings, prob=0.9)
    start = time.perf_counter()
    table = run_study(setup, args.sims, seed=args.seed, n_jobs=args.jobs)
    elapsed = time.perf_counter() - start
    if args.csv:
        table.to_csv(args.csv, index=False)
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(
            f"{args.sims} fits ({args.source} truth, sampler {args.sampler}), "
            f"{args.jobs} jobs, {elapsed:.0f} s"
        )
        print("90% HDI coverage:")
        print(coverage_table(table).to_string())
        print(
            f"divergences: total {int(table['divergences'].sum())}, fits with any "
            f"{int((table['divergences'] > 0).sum())}; R-hat max {table['rhat_max'].max():.3f} "
            f"(median {table['rhat_max'].median():.3f}); bulk ESS min "
            f"{table['ess_bulk_min'].min():.0f} (median {table['ess_bulk_min'].median():.0f})"
        )


if __name__ == "__main__":
    main()
