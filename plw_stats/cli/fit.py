"""``plw-stats fit``: the beta mixed model per dataset, with the critical PLW."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from plw_stats.cli.sampler_options import add_sampler_options, sampler_settings
from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.datasets import load_demo_scores
from plw_stats.io.tables import read_scores
from plw_stats.output import ensure_folder, write_json

if TYPE_CHECKING:
    from plw_stats.glmm.result import BetaFitResult
    from plw_stats.glmm.sweep import SweepResult

EXIT_NOT_CONVERGED = 3


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
    from plw_stats.glmm.sweep import fit_specs, specify_all

    warnings.simplefilter("ignore", ConvergenceWarning)  # reported below, once per dataset

    scores = read_scores(args.data) if args.data else load_demo_scores()
    settings = sampler_settings(args)
    specs = specify_all(scores, args.dataset, power=args.power)  # fail fast, before sampling
    if args.out:
        ensure_folder(args.out)
    source = str(args.data) if args.data else "bundled demo data (simulated)"
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
    )
    print(format_sweep(result))
    _warn_problems(result)
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


def _warn_problems(result: SweepResult) -> None:
    for name, problems in result.problems().items():
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


def format_sweep(result: SweepResult) -> str:
    """Readable multi-line summary of every dataset's fit."""
    return "\n\n".join(format_fit(fit) for fit in result.groups.values())


def format_fit(fit: BetaFitResult) -> str:
    """Readable summary of one dataset's fit."""
    pct = round(fit.hdi_prob * 100)
    spec, crit, diag = fit.spec, fit.critical, fit.diagnostics
    lines = [
        f"== {fit.name}: {len(spec.data)} rows, {len(spec.benchmarks)} benchmarks, "
        f"{len(spec.models)} models",
        f"   {'':<10}{'mean':>9}{'sd':>8}   {pct}% HDI",
    ]
    for key, interval in fit.coefficients.items():
        lines.append(
            f"   {key:<10}{interval.mean:9.3f}{interval.sd:8.3f}   "
            f"[{interval.hdi_low:.3f}, {interval.hdi_high:.3f}]"
        )
    lines.append(
        f"   P(b2 < 0) = {crit.prob_b2_negative:.3f}   "
        f"P(interior maximum) = {crit.prob_interior_max:.3f}"
    )
    for label, interval in (("critical wp ", crit.wp), ("critical PLW", crit.plw)):
        text = (
            f"{interval.mean:.3f}  [{interval.hdi_low:.3f}, {interval.hdi_high:.3f}]"
            if interval
            else "none (too few draws with an interior maximum)"
        )
        lines.append(f"   {label} = {text}")
    status = "converged" if diag.converged else "NOT converged: " + "; ".join(diag.problems())
    lines.append(
        f"   diagnostics: R-hat max {diag.rhat_max:.3f}, bulk ESS min "
        f"{diag.ess_bulk_min:.0f}, divergences {diag.divergences} ({status})"
    )
    if fit.evidence is not None:
        lines.append(format_evidence(fit.evidence))
    lines.extend(f"   note: {note}" for note in fit.all_notes())
    return "\n".join(lines)


def format_evidence(evidence) -> str:
    """One summary line of the evidence for the wp terms."""
    return (
        f"   evidence: ELPD(quadratic) - ELPD(null) = {evidence.elpd_diff:.1f} "
        f"(SE {evidence.elpd_diff_se:.1f}), Pareto k > 0.7: {evidence.pareto_k_bad}; "
        f"ML likelihood-ratio p = {evidence.ml_p_value:.3g}"
    )
