"""``plw-stats plan``: power and PLW* precision of a proposed sweep, by simulation.

The assumed truth is the paper's AlpacaDataShort estimates with the simulator's noise, or the
posterior means of a pilot fit (``--from-fit``, a netCDF written by ``plw-stats fit --out``);
single values can be overridden (``--b1``, ``--kappa`` …).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from plw_stats.cli.arguments import non_negative_int, positive_int
from plw_stats.cli.many_fits import add_parallel_options, progress_for, scheduler_of
from plw_stats.errors import DataSchemaError
from plw_stats.output import write_csv, write_json
from plw_stats.simulation.sweeps import PAPER_PLW_LEVELS

#: Truth fields that can be overridden on the command line.
TRUTH_OPTIONS = ("intercept", "b1", "b2", "sd_slope", "sd_model", "kappa")


def _levels(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from err


def register(subparsers) -> None:
    """Add the ``plan`` sub-command."""
    parser = subparsers.add_parser(
        "plan",
        help="power to detect the quadratic effect and PLW* interval width of a proposed sweep",
        description=(
            "Simulate sweeps of a proposed design (PLW levels, models, benchmarks, seeds) from "
            "an assumed truth, fit each, and report the power to detect the quadratic effect "
            "and the expected width of the PLW* interval.  Defaults: the paper's design and "
            "its AlpacaDataShort estimates."
        ),
    )
    default_levels = ",".join(f"{v:g}" for v in PAPER_PLW_LEVELS)
    parser.add_argument(
        "--levels", type=_levels, default=PAPER_PLW_LEVELS, help=f"PLW levels ({default_levels})"
    )
    parser.add_argument(
        "--models", type=positive_int, default=2, help="pretrained models (default 2)"
    )
    parser.add_argument(
        "--benchmarks", type=positive_int, default=13, help="benchmarks (default 13)"
    )
    parser.add_argument(
        "--seeds", type=positive_int, default=1, help="training seeds per run (default 1)"
    )
    parser.add_argument("--from-fit", type=Path, metavar="NC", help="pilot fit (netCDF) as truth")
    for name in TRUTH_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, help=f"override {name}")
    parser.add_argument(
        "--sims", type=positive_int, default=40, help="simulated sweeps (default 40)"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--chains", type=positive_int, default=2)
    parser.add_argument(
        "--draws", type=positive_int, default=500, help="draws and warm-up per chain"
    )
    parser.add_argument("--prob", type=float, default=0.9, help="PLW* interval mass")
    parser.add_argument("--threshold", type=float, default=0.975, help="P(b2<0) that detects")
    parser.add_argument("--alpha", type=float, default=0.05, help="level of the ML test")
    add_parallel_options(parser)
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the result as JSON")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write per-simulation rows")
    parser.set_defaults(run=run)


def assumed_truth(args: argparse.Namespace):
    """Return the paper's truth or a pilot fit's posterior means, with overrides applied."""
    from plw_stats.simulation.calibration import PAPER_TRUTH
    from plw_stats.simulation.planning import truth_from_posterior

    truth = PAPER_TRUTH
    if args.from_fit:
        import xarray as xr

        if not args.from_fit.is_file():
            raise DataSchemaError(f"{args.from_fit}: no such file; pass a netCDF from fit --out")
        with xr.open_datatree(args.from_fit, engine="h5netcdf") as tree:
            truth = truth_from_posterior(tree["posterior"].to_dataset().load())
    overrides = {k: getattr(args, k) for k in TRUTH_OPTIONS if getattr(args, k) is not None}
    return dataclasses.replace(truth, **overrides)


def run(args: argparse.Namespace) -> int:
    """Simulate, fit, print the plan and write the requested files."""
    from plw_stats.glmm.backends.settings import SamplerSettings
    from plw_stats.simulation.planning import SweepDesign, plan_sweep

    design = SweepDesign(
        plw_levels=args.levels,
        n_models=args.models,
        n_benchmarks=args.benchmarks,
        n_seeds=args.seeds,
    )
    settings = SamplerSettings(chains=args.chains, draws=args.draws, tune=args.draws)
    truth = assumed_truth(args)
    start = time.perf_counter()
    with progress_for(args, args.sims, "plan") as bar:
        result = plan_sweep(
            design,
            truth,
            n_sims=args.sims,
            seed=args.seed,
            n_jobs=args.jobs,
            scheduler=scheduler_of(args),
            progress=bar,
            settings=settings,
            prob=args.prob,
            threshold=args.threshold,
            alpha=args.alpha,
        )
    print(format_plan(result))
    print(f"plw-stats plan: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if args.json:
        write_json(args.json, result.to_dict())
    if args.csv:
        write_csv(args.csv, result.table, index=False)
    return 0


def format_plan(result) -> str:
    """Readable summary of a :class:`~plw_stats.simulation.planning.PlanResult`."""
    d, t, s = result.design, result.truth, result.settings
    levels = ", ".join(f"{v:g}" for v in d.plw_levels)
    pct = round(s["prob"] * 100)
    return "\n".join(
        [
            f"== plan: {len(d.plw_levels)} PLW levels ({levels})",
            f"   {d.n_models} models x {d.n_benchmarks} benchmarks x {d.n_seeds} seed(s): "
            f"{d.n_runs} fine-tuning runs, {d.n_rows} scores",
            f"   assumed truth: b1 {t.b1:.3f}, b2 {t.b2:.3f}, intercept {t.intercept:.3f}, "
            f"kappa {t.kappa:.1f}, sd_slope {t.sd_slope:.2f}, sd_model {t.sd_model:.2f}",
            f"   {result.n_sims} simulated sweeps",
            f"   power, P(b2 < 0) >= {s['threshold']:g}: {result.power_bayes:.2f} "
            f"(+/- {result.power_bayes_se:.2f})",
            f"   power, ML likelihood-ratio p < {s['alpha']:g}: {result.power_ml:.2f} "
            f"(+/- {result.power_ml_se:.2f})",
            f"   PLW* {pct}% interval width: median {result.plw_width_median:.3f} "
            f"(quartiles {result.plw_width_q25:.3f}-{result.plw_width_q75:.3f}), "
            f"covers the true PLW* in {result.plw_coverage:.0%}",
        ]
    )
