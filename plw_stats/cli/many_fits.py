"""Options shared by the commands that run many fits: where they run, and their progress bar."""

from __future__ import annotations

import argparse

from plw_stats.cli.arguments import positive_int
from plw_stats.progress import Progress
from plw_stats.workers import SCHEDULER_ENV, scheduler_address


def add_parallel_options(parser: argparse.ArgumentParser, *, jobs_help: str = "") -> None:
    """Add ``--jobs``, ``--scheduler`` and ``--quiet``."""
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=2,
        help=jobs_help or "local worker processes (default 2; ignored with --scheduler)",
    )
    add_scheduler_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_scheduler_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--scheduler ADDRESS`` (default: the environment variable)."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=(
            "run the fits on a Dask cluster, e.g. tcp://10.0.0.5:8786 (default: "
            f"${SCHEDULER_ENV}, else on this machine); needs plw-stats[distributed]"
        ),
    )


def scheduler_of(args: argparse.Namespace) -> str | None:
    """Return the scheduler address of ``--scheduler`` or the environment variable, if any."""
    return scheduler_address(getattr(args, "scheduler", None))


def progress_for(args: argparse.Namespace, total: int, label: str) -> Progress:
    """Return a progress bar on standard error (drawn only on a terminal and without --quiet)."""
    return Progress(total, label, enabled=False if args.quiet else None)
