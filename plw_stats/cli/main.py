"""Entry point of ``plw-stats``: builds the sub-command parsers and maps errors to exit codes.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds a parser
and sets ``run`` (a function of the parsed arguments returning an exit status).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from plw_stats import __version__
from plw_stats.cli import (
    calibrate,
    collect,
    critical,
    describe,
    figures,
    fit,
    gam,
    invert,
    plan,
    recommend,
    report,
    weight_distance,
)
from plw_stats.errors import PlwStatsError

#: Modules whose ``register`` adds a sub-command, in the order ``--help`` lists them.
COMMANDS = (
    fit,
    critical,
    collect,
    describe,
    gam,
    recommend,
    invert,
    figures,
    report,
    plan,
    calibrate,
    weight_distance,
)

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="plw-stats",
        description="Statistics and figures for prompt-loss-weight fine-tuning sweeps.",
    )
    parser.add_argument("--version", action="version", version=f"plw-stats {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``plw-stats`` with ``argv`` (defaults to ``sys.argv[1:]``) and return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except PlwStatsError as err:
        print(f"plw-stats {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"plw-stats {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
