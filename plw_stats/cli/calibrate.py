"""``plw-stats calibrate``: interval coverage of b1, b2 and PLW* on simulated sweeps."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from plw_stats.output import write_csv, write_json


def register(subparsers) -> None:
    """Add the ``calibrate`` sub-command."""
    parser = subparsers.add_parser(
        "calibrate",
        help="simulation-based calibration: interval coverage of b1, b2 and PLW*",
        description=(
            "Simulate sweeps of the paper's design from the paper's AlpacaDataShort estimates "
            "(--source fixed) or from the model's priors (--source prior), fit each, and "
            "report how often the intervals cover the truth."
        ),
    )
    parser.add_argument("--sims", type=int, default=100, help="simulated sweeps (default 100)")
    parser.add_argument("--source", choices=("fixed", "prior"), default="fixed")
    parser.add_argument("--prob", type=float, default=0.9, help="interval mass (default 0.9)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--draws", type=int, default=1000, help="draws and warm-up per chain")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the table as JSON")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write per-simulation rows")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the study, print the coverage table and write the requested files."""
    from plw_stats.glmm.backends.settings import SamplerSettings
    from plw_stats.simulation.calibration import StudySetup, coverage_table, run_study

    settings = SamplerSettings(chains=args.chains, draws=args.draws, tune=args.draws)
    setup = StudySetup(source=args.source, settings=settings, prob=args.prob)
    start = time.perf_counter()
    table = run_study(setup, args.sims, seed=args.seed, n_jobs=args.jobs)
    coverage = coverage_table(table)
    print(
        f"== calibration: {args.sims} simulated sweeps ({args.source} truth), "
        f"{round(args.prob * 100)}% highest-density intervals"
    )
    print(coverage.to_string(float_format=lambda v: f"{v:.3f}"))
    print(
        f"   divergences {int(table['divergences'].sum())} in "
        f"{int((table['divergences'] > 0).sum())} fit(s); R-hat max {table['rhat_max'].max():.3f}"
    )
    print(f"plw-stats calibrate: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if args.json:
        payload = {
            "coverage": coverage.to_dict(orient="index"),
            "settings": {"sims": args.sims, "source": args.source, "prob": args.prob}
            | {"seed": args.seed, "sampler": settings.to_dict()},
        }
        write_json(args.json, payload)
    if args.csv:
        write_csv(args.csv, table, index=False)
    return 0
