"""``plw-stats fit``: the beta mixed model per dataset, with the critical PLW."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from plw_stats.cli.fit_text import format_ml_sweep, format_sweep
from plw_stats.cli.sampler_options import add_sampler_options, sampler_settings
from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.datasets import load_demo_scores
from plw_stats.errors import PlwStatsError
from plw_stats.io.tables import read_scores
from plw_stats.output import ensure_folder, write_json

if TYPE_CHECKING:
    from plw_stats.glmm.result import BetaFitResult
    from plw_stats.glmm.sweep import SweepResult

EXIT_NOT_CONVERGED = 3
METHODS = ("bayes", "ml")


def register(subparsers) -> None:
    """Add the ``fit`` sub-command."""
    parser = subparsers.add_parser(
        "fit",
        description=(
            "Fit logit(mu) = b0 + b1*wp + b2*wp^2 + (wp | benchmark) + (1 | model) with a beta "
            "likelihood to each fine-tuning dataset's relative scores, and report the posterior "
            "of the critical PLW.  Without DATA, fits the bundled (simulated) demo sweep."
        ),
    )
    parser.add_argument("data", nargs="?", type=Path, help="score table (.csv or .parquet)")
    parser.add_argument(
        "--dataset",
        action="append",
        metavar="NAME",
        help="fit only this dataset (repeatable); default: all",
    )
    add_sampler_options(parser)
    parser.add_argument("--hdi-prob", type=float, default=HDI_PROB)
    parser.add_argument("--power", type=float, default=PLW_POWER, help="p in wp = plw^p")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="save each fit (netCDF with its settings and data) and the summary (CSV) here",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_NOT_CONVERGED} if any fit has convergence problems",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="bayes",
        help="bayes (default): the posterior, with the ML fit beside it; ml: maximum "
        "likelihood alone (Laplace, as glmmTMB), no sampling, about a second per dataset",
    )
    parser.add_argument(
        "--no-evidence",
        dest="evidence",
        action="store_false",
        help="skip the evidence for the wp terms (null-model fit, PSIS-LOO, ML test)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything, fit, print the summary, then write the requested files."""
    import warnings

    from plw_stats.errors import ConvergenceWarning
    from plw_stats.glmm.specify import specify_all

    warnings.simplefilter("ignore", ConvergenceWarning)  # reported below, once per dataset

    scores = read_scores(args.data) if args.data else load_demo_scores()
    settings = sampler_settings(args)
    specs = specify_all(scores, args.dataset, power=args.power)  # fail fast, before sampling
    if args.out:
        ensure_folder(args.out)
    source = str(args.data) if args.data else "bundled demo data (simulated)"
    if args.method == "ml":
        return run_ml(args, specs, source)
    from plw_stats.glmm.model import BetaMixedModel
    from plw_stats.glmm.sweep import fit_specs

    specs = [BetaMixedModel(**spec.fields()) for spec in specs]
    _progress(
        args,
        f"fitting {len(specs)} dataset(s) from {source}: {settings.chains} chains x "
        f"{settings.draws} draws ({settings.tune} tune), sampler {settings.sampler}",
    )
    result = fit_specs(
        specs,
        settings=settings,
        seed=args.seed,
        hdi_prob=args.hdi_prob,
        progress=False,
        on_fit=lambda fit: _progress(args, _done(fit)),
        evidence=args.evidence,
        retries=args.retries,
    )
    print(format_sweep(result))
    _warn_problems(result.problems())
    _write_outputs(args, result)
    if args.strict and result.problems():
        return EXIT_NOT_CONVERGED
    return 0


def _progress(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"plw-stats fit: {message}", file=sys.stderr, flush=True)


def _done(fit: BetaFitResult) -> str:
    status = "ok" if fit.diagnostics.converged else "CHECK DIAGNOSTICS"
    return f"{fit.name}: done ({status})"


def run_ml(args: argparse.Namespace, specs, source: str) -> int:
    """Fit every dataset by maximum likelihood, print, write the JSON; no sampling."""
    from plw_stats.glmm.ml_sweep import fit_ml_specs

    if args.out:
        raise PlwStatsError(
            "--out saves posteriors, which --method ml has none of; use --json PATH instead"
        )
    _progress(args, f"fitting {len(specs)} dataset(s) from {source} by maximum likelihood")
    result = fit_ml_specs(specs, on_fit=lambda group: _progress(args, f"{group.name}: done"))
    print(format_ml_sweep(result))
    _warn_problems(result.problems())
    if args.json:
        write_json(args.json, result.to_dict())
    if args.strict and result.problems():
        return EXIT_NOT_CONVERGED
    return 0


def _warn_problems(found: dict[str, list[str]]) -> None:
    for name, problems in found.items():
        print(
            f"plw-stats fit: warning: {name}: {'; '.join(problems)}; rerun with more --tune/"
            f"--draws or a higher --target-accept",
            file=sys.stderr,
        )


def _write_outputs(args: argparse.Namespace, result: SweepResult) -> None:
    if args.json:
        write_json(args.json, result.to_dict())
    if args.out:
        result.save(args.out)
