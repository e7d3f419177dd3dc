"""Make the figures of docs/surface.md: the prior predictive check and the fitted demo.

Run from the repository root:  python docs/make_surface_figures.py
(about half a minute: it fits the bundled simulated demo as ``plw-stats surface`` does, seed 0).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import plw_stats as plw
from plw_stats.plots.style import use_style
from plw_stats.plots.surface import plot_prior_predictive
from plw_stats.surface.priors import SurfacePriors, prior_predictive_frame

OUT = Path(__file__).parent / "img"


def main() -> None:
    """Write both figures into docs/img/."""
    OUT.mkdir(exist_ok=True)
    with use_style():
        frame = prior_predictive_frame(SurfacePriors(), n_draws=4000, seed=0)
        plot_prior_predictive(frame).savefig(OUT / "surface_prior_predictive.png", dpi=110)
        sweep = plw.fit_surface(plw.load_surface_demo_scores(), seed=0)
        sweep.plot().savefig(OUT / "surface_demo.png", dpi=110)


if __name__ == "__main__":
    main()
