"""Prior predictive check of the default and the legacy priors on the paper's design.

Usage::

    .venv/bin/python benchmarks/prior_predictive.py [--sims 1000] [--figure FILE.png]

Simulates sweeps (2 models x 13 benchmarks x 10 PLW levels) with every parameter drawn from
each prior set and scores from the model's likelihood, prints the summary of
``plw_stats.simulation.prior_predictive.prior_predictive_summary`` and draws the figure shown in
docs/inference.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from plw_stats.glmm.priors import PRESETS, preset
from plw_stats.plots.calibration import plot_prior_predictive
from plw_stats.plots.style import use_style
from plw_stats.simulation.prior_predictive import (
    prior_predictive,
    prior_predictive_summary,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", type=Path, help="write the figure here (PNG or SVG)")
    args = parser.parse_args()
    scores = prior_predictive(
        {name: preset(name) for name in PRESETS}, n_sims=args.sims, seed=args.seed
    )
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(f"{args.sims} simulated sweeps per prior set")
        print(prior_predictive_summary(scores).to_string())
    if args.figure:
        with use_style():
            axes = plot_prior_predictive(scores)
            axes[0].figure.savefig(args.figure, dpi=110)
            plt.close(axes[0].figure)


if __name__ == "__main__":
    main()
