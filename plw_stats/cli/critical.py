"""``plw-stats critical``: the critical PLW for given quadratic coefficients."""

from __future__ import annotations

import argparse

from plw_stats.config import PLW_POWER
from plw_stats.critical import critical_point


def register(subparsers) -> None:
    """Add the ``critical`` sub-command."""
    parser = subparsers.add_parser(
        "critical",
        help="critical PLW of logit(mu) = b0 + b1*wp + b2*wp^2",
        description="Print the vertex wp* = -b1/(2*b2) and PLW* = wp*^(1/p).",
    )
    parser.add_argument("--b1", type=float, required=True, help="coefficient of wp")
    parser.add_argument("--b2", type=float, required=True, help="coefficient of wp^2")
    parser.add_argument(
        "--power",
        type=float,
        default=PLW_POWER,
        help="exponent p of wp = plw^p (default: log(0.5)/log(0.1))",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the critical point; exit 1 when it is not an interior maximum."""
    point = critical_point(args.b1, args.b2, args.power)
    print(f"critical wp  = {point.wp:.3f}")
    if point.plw is None:
        kind = "a minimum" if args.b2 > 0 else "outside (0, 1)"
        print(f"critical PLW = none (the vertex is {kind}, so PLW has no interior optimum)")
        return 1
    print(f"critical PLW = {point.plw:.3f}")
    return 0
