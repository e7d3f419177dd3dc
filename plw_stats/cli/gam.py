"""``plw-stats gam``: the tensor-smooth GAM of Appendix D and its optimal-PLW table.

JSON written with ``--json PATH`` (atomically)::

    {"groups": {"All": {"optimal": [{"ratio": 0.5, "plw": 0.155, "flat": false,
                                      "plw_low": 0.1, "plw_high": 0.3}, ...],
                        "fit": {...}, "benchmarks": [...]}, "MC": ..., "Gen": ...},
     "settings": {...}}

``plw_low``/``plw_high`` are ``null`` with ``--bootstrap 0``.
"""

from __future__ import annotations

import argparse

from plw_stats.cli.arguments import non_negative_int, positive_int
from plw_stats.cli.many_fits import add_scheduler_option, scheduler_of
from plw_stats.config import HDI_PROB
from plw_stats.datasets import load_demo_scores
from plw_stats.errors import ModelSpecError
from plw_stats.gam.bootstrap import N_JOBS, bootstrap_optimal
from plw_stats.gam.groups import TRANSLATION_PATTERN, parse_group_option
from plw_stats.gam.model import DEFAULT_RATIO_GRID, FLAT_FRACTION, TensorGam
from plw_stats.io.tables import read_scores
from plw_stats.output import write_csv, write_json

DEFAULT_BOOTSTRAP = 200


def register(subparsers) -> None:
    """Add the ``gam`` sub-command."""
    parser = subparsers.add_parser(
        "gam",
        help="optimal PLW per completion/prompt ratio from the tensor-smooth GAM (Appendix D)",
        description=(
            "Fit score ~ te(PLW, ratio) + factor(benchmark) on relative scores for the All, MC "
            "and Gen benchmark groups and print the PLW maximising the fitted surface at each "
            "ratio, with a bootstrap interval over runs."
        ),
    )
    parser.add_argument(
        "data",
        nargs="?",
        help="score table (CSV or Parquet) with a ratio column; default: the bundled demo sweep",
    )
    parser.add_argument("--json", metavar="PATH", help="write the table as JSON to PATH")
    parser.add_argument("--surface", metavar="PATH", help="write the All surface grid as CSV")
    add_bootstrap_options(parser)
    add_scheduler_option(parser)
    add_model_options(parser)
    parser.add_argument(
        "--ratios",
        type=_ratio_list,
        default=DEFAULT_RATIO_GRID,
        metavar="R1,R2,...",
        help="ratios at which to read off the optimum (default 0.5,1.0,...,8.0)",
    )
    parser.add_argument(
        "--flat-fraction",
        type=float,
        default=FLAT_FRACTION,
        help="flag a ratio flat when max - min < this share of the score range (default 0.05)",
    )
    parser.set_defaults(run=run)


def add_bootstrap_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--bootstrap``, ``--seed``, ``--jobs`` and ``--ci-prob``."""
    parser.add_argument(
        "--bootstrap",
        type=non_negative_int,
        default=DEFAULT_BOOTSTRAP,
        metavar="N",
        help=f"bootstrap replicates over runs; 0 skips intervals (default {DEFAULT_BOOTSTRAP})",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="bootstrap seed (default 0)"
    )
    parser.add_argument(
        "--jobs", type=positive_int, default=N_JOBS, help="parallel worker threads (default 2)"
    )
    parser.add_argument(
        "--ci-prob", type=float, default=HDI_PROB, help=f"interval mass (default {HDI_PROB})"
    )


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Add the GAM specification options shared with ``recommend``."""
    parser.add_argument(
        "--scale",
        choices=("plw", "wp"),
        default="plw",
        help="axis of the PLW margin: raw PLW as in the paper, or wp = PLW^p (default plw)",
    )
    parser.add_argument(
        "--n-splines", type=int, default=3, help="basis size per margin (default 3 ~ mgcv k=3)"
    )
    parser.add_argument("--spline-order", type=int, default=2, help="spline order (default 2)")
    parser.add_argument(
        "--group",
        action="append",
        type=_group,
        metavar="NAME=B1,B2",
        help="replace the default All/MC/Gen groups (repeatable)",
    )
    parser.add_argument(
        "--translation-pattern",
        default=TRANSLATION_PATTERN,
        help=f"regex of translation benchmarks left out of Gen (default {TRANSLATION_PATTERN!r})",
    )


def spec_from_args(args: argparse.Namespace) -> TensorGam:
    """Read the score table and build the GAM specification from parsed options."""
    scores = read_scores(args.data) if args.data else load_demo_scores()
    return TensorGam(
        scores,
        n_splines=args.n_splines,
        spline_order=args.spline_order,
        scale=args.scale,
        groups=dict(args.group) if args.group else None,
        translation_pattern=args.translation_pattern,
    )


def run(args: argparse.Namespace) -> int:
    """Fit, optionally bootstrap, print the table and write the requested files."""
    spec = spec_from_args(args)
    result = spec.fit(ratio_grid=args.ratios, flat_fraction=args.flat_fraction)
    if args.bootstrap:
        result = bootstrap_optimal(
            result,
            args.bootstrap,
            seed=args.seed,
            n_jobs=args.jobs,
            ci_prob=args.ci_prob,
            scheduler=scheduler_of(args),
        )
    _print_table(result)
    if args.json:
        write_json(args.json, result.to_dict())
    if args.surface:
        write_csv(args.surface, result.surface(result.groups[0]), index=False)
    return 0


def _print_table(result) -> None:
    table = result.optimal_table()
    print(f"optimal PLW by ratio ({result.spec.scale} scale; * = flat, ~ = extrapolated)")
    for group in result.groups:
        rows = table[table["group"] == group]
        print(f"\n[{group}]\n  ratio    plw    interval")
        for row in rows.itertuples(index=False):
            mark = ("*" if row.flat else " ") + ("~" if row.extrapolated else " ")
            interval = "" if row.plw_low != row.plw_low else f"{row.plw_low:.3f}-{row.plw_high:.3f}"
            print(f"  {row.ratio:5.2f}   {row.plw:.3f}{mark} {interval}")


def _ratio_list(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers separated by commas") from err
    if not values:
        raise argparse.ArgumentTypeError("empty; give numbers separated by commas")
    return values


def _group(text: str) -> tuple[str, tuple[str, ...]]:
    try:
        return parse_group_option(text)
    except ModelSpecError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
