"""Sampler options shared by every command that fits the beta mixed model."""

from __future__ import annotations

import argparse

from plw_stats.cli.arguments import non_negative_int, positive_int
from plw_stats.glmm.backends.settings import ADAPTATIONS, SAMPLERS, SamplerSettings


def add_sampler_options(parser, defaults: SamplerSettings | None = None) -> None:
    """Add ``--seed --chains --draws --tune --target-accept --sampler --adaptation --cores``.

    Their defaults are the fields of ``defaults`` (``SamplerSettings()`` if None).
    """
    defaults = defaults or SamplerSettings()
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default: 0)")
    parser.add_argument("--chains", type=positive_int, default=defaults.chains)
    parser.add_argument("--draws", type=positive_int, default=defaults.draws)
    parser.add_argument("--tune", type=non_negative_int, default=defaults.tune)
    parser.add_argument("--target-accept", type=float, default=defaults.target_accept)
    parser.add_argument("--sampler", choices=SAMPLERS, default=defaults.sampler)
    parser.add_argument(
        "--adaptation",
        choices=ADAPTATIONS,
        default=defaults.adaptation,
        help=f"nutpie mass-matrix adaptation (default: {defaults.adaptation})",
    )
    parser.add_argument(
        "--cores", type=positive_int, default=None, help="default: all, at most chains"
    )
    parser.add_argument(
        "--retries",
        type=non_negative_int,
        default=2,
        help="retries of a fit with divergences or R-hat trouble, each with a remedy and a "
        "note (default 2; 0 samples once)",
    )


def sampler_settings(args: argparse.Namespace) -> SamplerSettings:
    """Build (and so validate) the sampler settings from parsed options."""
    return SamplerSettings(
        chains=args.chains,
        draws=args.draws,
        tune=args.tune,
        target_accept=args.target_accept,
        sampler=args.sampler,
        cores=args.cores,
        adaptation=args.adaptation,
    )
