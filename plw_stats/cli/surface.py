"""``plw-stats surface``: the two-knob (PLW × CLW) response surface per dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from plw_stats.cli.sampler_options import add_sampler_options, sampler_settings
from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import ModelSpecError
from plw_stats.io.tables import read_scores
from plw_stats.output import ensure_folder, safe_filename, write_json
from plw_stats.surface.settings import SURFACE_SAMPLER

if TYPE_CHECKING:
    from plw_stats.surface.sweep import SurfaceSweep

EXIT_NOT_CONVERGED = 3
#: Observed cells listed in the printed summary.
TOP_CELLS = 3


def register(subparsers) -> None:
    """Add the ``surface`` sub-command."""
    parser = subparsers.add_parser(
        "surface",
        description=(
            "Fit logit(mu) = b0 + b1*wp + b2*wp^2 + b3*wc + b4*wc^2 + b5*wp*wc + benchmark "
            "slopes of wp and wc + (1 | model), wp = plw^p and wc = clw^q, to each dataset's "
            "relative scores, and report where the surface peaks, how sure that is, whether it "
            "beats a baseline cell and whether the weights matter at all.  Without DATA, fits "
            "the bundled (simulated) two-knob demo."
        ),
    )
    parser.add_argument("data", nargs="?", type=Path, help="score table with a clw column")
    parser.add_argument(
        "--dataset", action="append", metavar="NAME", help="fit only this dataset (repeatable)"
    )
    parser.add_argument("--method", choices=("bayes", "ml"), default="bayes")
    parser.add_argument("--power", type=float, default=PLW_POWER, help="p in wp = plw^p")
    parser.add_argument("--clw-power", type=float, default=1.0, help="q in wc = clw^q (default: 1)")
    parser.add_argument(
        "--scale",
        choices=("relative", "unit"),
        default="relative",
        help="fit min-max relative scores (default) or scores that are proportions in [0, 1] on "
        "their own scale, with an intercept per benchmark",
    )
    parser.add_argument(
        "--baseline",
        default="0,1",
        metavar="PLW,CLW",
        help="cell the recommended setting is compared with (default: 0,1, conventional IT)",
    )
    add_sampler_options(parser, SURFACE_SAMPLER)
    parser.add_argument("--hdi-prob", type=float, default=HDI_PROB)
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="save fits, summary and figures (PNG) here"
    )
    parser.add_argument(
        "--per-model", action="store_true", help="with --out: also a panel per model"
    )
    parser.add_argument(
        "--no-evidence",
        dest="evidence",
        action="store_false",
        help="skip the null-model fit (PSIS-LOO) and the ML fit",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_NOT_CONVERGED} if any fit has convergence problems",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(run=run)


def parse_baseline(text: str) -> tuple[float, float]:
    """Parse ``PLW,CLW`` (e.g. ``0,1``) into two floats."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        plw, clw = (float(p) for p in parts)
    except ValueError as err:
        raise ModelSpecError(
            f"--baseline must be PLW,CLW such as 0,1 (two numbers in [0, 1]), got {text!r}"
        ) from err
    return plw, clw


def run(args: argparse.Namespace) -> int:
    """Validate everything, fit, print the summary, then write the requested files."""
    import warnings

    from plw_stats.datasets import load_surface_demo_scores
    from plw_stats.errors import ConvergenceWarning
    from plw_stats.surface.model import check_baseline
    from plw_stats.surface.sweep import fit_surfaces, specify_surfaces

    warnings.simplefilter("ignore", ConvergenceWarning)  # reported below, once per dataset
    baseline = check_baseline(parse_baseline(args.baseline))
    settings = sampler_settings(args)
    scores = read_scores(args.data) if args.data else load_surface_demo_scores()
    source = str(args.data) if args.data else "bundled two-knob demo (simulated)"
    specs = specify_surfaces(
        scores,
        args.dataset,
        power=args.power,
        clw_power=args.clw_power,
        scale=args.scale,
        source=source,
    )
    if args.out:
        ensure_folder(args.out)
    _progress(args, f"fitting {len(specs)} surface(s) from {source} by {args.method}")
    result = fit_surfaces(
        specs,
        method=args.method,
        settings=settings,
        seed=args.seed,
        hdi_prob=args.hdi_prob,
        baseline=baseline,
        evidence=args.evidence,
        on_fit=lambda fit: _progress(args, f"{fit.name}: done"),
    )
    print(format_sweep(result))
    for name, problems in result.problems().items():
        print(f"plw-stats surface: warning: {name}: {'; '.join(problems)}", file=sys.stderr)
    _write_outputs(args, result)
    return EXIT_NOT_CONVERGED if args.strict and result.problems() else 0


def _progress(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"plw-stats surface: {message}", file=sys.stderr, flush=True)


def _write_outputs(args: argparse.Namespace, result: SurfaceSweep) -> None:
    if args.json:
        write_json(args.json, result.to_dict())
    if not args.out:
        return
    result.save(args.out)
    if result.method != "bayes":
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from plw_stats.plots.style import use_style

    with use_style():
        for name, fit in result.groups.items():
            ax = fit.plot()
            ax.figure.savefig(args.out / f"surface_{safe_filename(name)}.png")
            plt.close(ax.figure)
        figures = {"surfaces.png": {}}
        if args.per_model:
            figures["surfaces_by_model.png"] = {"by_model": True, "panel_size": (3.4, 3.0)}
        for filename, options in figures.items():
            fig = result.plot(**options)
            fig.savefig(args.out / filename)
            plt.close(fig)


def format_sweep(result: SurfaceSweep) -> str:
    """Readable multi-line summary of every dataset's surface."""
    if result.method == "ml":
        return "\n\n".join(format_ml(fit.name, fit) for fit in result.groups.values())
    return "\n\n".join(format_fit(fit) for fit in result.groups.values())


def _header(name: str, fit, method: str) -> str:
    design = fit.design
    return (
        f"== {name}: {len(design.data)} rows, {len(design.benchmarks)} benchmarks, "
        f"{len(design.models)} models ({method})"
    )


def _interval(i) -> str:
    return f"{i.mean:.3g} [{i.hdi_low:.3g}, {i.hdi_high:.3g}]"


def format_fit(fit) -> str:
    """Readable summary of one dataset's Bayesian surface."""
    pct = round(fit.hdi_prob * 100)
    lines = [_header(fit.name, fit, "bayes"), f"   {'':<10}{'mean':>9}{'sd':>8}   {pct}% HDI"]
    for key, i in fit.coefficients.items():
        lines.append(f"   {key:<10}{i.mean:9.3f}{i.sd:8.3f}   [{i.hdi_low:.3f}, {i.hdi_high:.3f}]")
    base = fit.baseline
    lines += [
        f"   optimum    PLW {_interval(fit.optimum.plw)}   CLW {_interval(fit.optimum.clw)}",
        f"   recommended PLW {base.recommended_plw:.3g}, CLW {base.recommended_clw:.3g} vs "
        f"baseline PLW {base.plw:g}, CLW {base.clw:g}: P(better) = {base.prob_beats:.3f}, gain "
        f"{_interval(base.gain)} ({fit.design.score_label})",
        "   best observed cell: "
        + ", ".join(
            f"({c.plw:g}, {c.clw:g}) {c.prob_best:.3f}"
            for c in fit.cells.nlargest(TOP_CELLS, "prob_best").itertuples()
        ),
    ]
    if fit.evidence is not None:
        ev = fit.evidence
        verdict = "flat: no evidence the weights matter" if ev.flat else "the weights matter"
        lines.append(
            f"   evidence: ELPD(surface) - ELPD(null) = {ev.elpd_diff:.1f} (SE "
            f"{ev.elpd_diff_se:.1f}), Pareto k > 0.7: {ev.pareto_k_bad}; ML likelihood-ratio "
            f"p = {ev.ml_p_value:.3g} -> {verdict}"
        )
    if fit.ml is not None:
        lines.append(f"   ML argmax  PLW {fit.ml.argmax_plw:.3g}, CLW {fit.ml.argmax_clw:.3g}")
    diag = fit.diagnostics
    status = "converged" if diag.converged else "NOT converged: " + "; ".join(diag.problems())
    lines.append(
        f"   diagnostics: R-hat max {diag.rhat_max:.3f}, bulk ESS min {diag.ess_bulk_min:.0f}, "
        f"divergences {diag.divergences} ({status})"
    )
    lines.extend(f"   note: {note}" for note in fit.all_notes())
    return "\n".join(lines)


def format_ml(name: str, fit) -> str:
    """Readable summary of one dataset's maximum-likelihood surface."""
    ml = fit.ml
    lines = [_header(name, fit, "ml"), f"   {'':<10}{'estimate':>10}{'se':>8}{'z':>8}{'p':>10}"]
    for key, c in ml.coefficients.items():
        se, z, p = ("n/a" if v is None else f"{v:.3g}" for v in (c.se, c.z, c.p_value))
        lines.append(f"   {key:<10}{c.estimate:10.3f}{se:>8}{z:>8}{p:>10}")
    lrt = ml.lrt
    lines += [
        f"   argmax     PLW {ml.argmax_plw:.3g}, CLW {ml.argmax_clw:.3g}",
        f"   likelihood-ratio test vs the null model: chi2 = {lrt.statistic:.2f} on {lrt.df} df, "
        f"p = {lrt.p_value:.3g}",
    ]
    lines.extend(f"   problem: {p}" for p in ml.problems)
    lines.extend(f"   note: {note}" for note in fit.design.notes())
    return "\n".join(lines)
