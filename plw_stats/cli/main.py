"""Entry point of ``plw-stats``: builds the sub-command parsers and maps errors to exit codes.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds a parser
and sets ``run`` (a function of the parsed arguments returning an exit status).  Only the module
of the command being run is imported: ``plw-stats --help`` and ``plw-stats critical`` start
without loading the statistics or plotting stack.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from plw_stats.cli.arguments import OneLineParser
from plw_stats.config import __version__
from plw_stats.errors import PlwStatsError

#: Sub-command → (module, one-line help), in the order ``--help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "fit": (
        "plw_stats.cli.fit",
        "fit the beta mixed model per dataset and report the critical PLW",
    ),
    "surface": (
        "plw_stats.cli.surface",
        "two-knob (PLW x CLW) response surface: optimum, its certainty, vs a baseline cell",
    ),
    "critical": ("plw_stats.cli.critical", "critical PLW of logit(mu) = b0 + b1*wp + b2*wp^2"),
    "collect": (
        "plw_stats.cli.collect",
        "build the score table from evaluation outputs (lm-eval, AlpacaEval, PandaLM, …)",
    ),
    "describe": (
        "plw_stats.cli.describe",
        "Table-1 token statistics and generation ratio R_g of an instruction dataset",
    ),
    "gam": (
        "plw_stats.cli.gam",
        "optimal PLW per completion/prompt ratio from the tensor-smooth GAM (Appendix D)",
    ),
    "recommend": ("plw_stats.cli.recommend", "recommended PLW for an instruction dataset's R_g"),
    "invert": (
        "plw_stats.cli.invert",
        "rewrite long-completion items as prompt-prediction items (Appendix A)",
    ),
    "figures": (
        "plw_stats.cli.figures",
        "write every figure (aggregates, benchmarks, fits, critical PLW, GAM, loss RSD)",
    ),
    "report": ("plw_stats.cli.report", "write one self-contained HTML report of the analysis"),
    "plan": (
        "plw_stats.cli.plan",
        "power and PLW* precision of a proposed sweep, by simulation",
    ),
    "calibrate": (
        "plw_stats.cli.calibrate",
        "simulation-based calibration: interval coverage of b1, b2 and PLW*",
    ),
    "weight-distance": (
        "plw_stats.cli.weight_distance",
        "how far fine-tuning moved the weights from the pretrained checkpoint (Fig. 2b)",
    ),
}

EXIT_USAGE = 2


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """Return the top-level parser; the sub-command named in ``argv`` gets its full parser."""
    parser = OneLineParser(
        prog="plw-stats",
        description="Statistics and figures for prompt-loss-weight fine-tuning sweeps.",
    )
    parser.add_argument("--version", action="version", version=f"plw-stats {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_text) in COMMANDS.items():
        if name == chosen:
            importlib.import_module(module).register(subparsers)
        else:
            subparsers.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``plw-stats`` with ``argv`` (defaults to ``sys.argv[1:]``) and return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except PlwStatsError as err:
        print(f"plw-stats {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"plw-stats {args.command}: interrupted", file=sys.stderr)
        return 130


def program() -> NoReturn:
    """Run ``plw-stats`` on ``sys.argv`` and exit with its status (the console script).

    Before exiting, the objects still alive are moved out of the garbage collector's reach
    (:func:`gc.freeze`): otherwise the collections of the interpreter's shutdown walk the objects
    of the ~1,600 imported modules, 0.3-0.5 s of a ``fit``, only to free memory the operating
    system takes back anyway.  ``atexit`` handlers still run and open files are still flushed.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    program()
