"""Make the figures of docs/surface.md.

The prior predictive check, the fitted demo, and one simulated proportion-scale sweep fitted on
relative scores and with ``--scale unit``.

Run from the repository root:  python docs/make_surface_figures.py [NAME ...]
(about a minute: it fits the bundled simulated demo as ``plw-stats surface`` does, seed 0, and
the proportion sweep twice); NAME (``prior``, ``demo``, ``scales``) makes only those figures.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import plw_stats as plw
from plw_stats.plots.style import use_style
from plw_stats.plots.surface import plot_prior_predictive
from plw_stats.simulation.surface_sweeps import SurfaceTruth
from plw_stats.surface.priors import SurfacePriors, prior_predictive_frame

OUT = Path(__file__).parent / "img"


#: The proportion sweep: a peak near the CLW edge (PLW 0.18, CLW 0.88), mean scores in a band
#: of [0, 1], benchmarks at their own levels (as tests/surface/test_recovery.py's EDGE).
EDGE = SurfaceTruth.from_peak(
    0.6, 0.88, height=0.3, curvature=(3.0, 4.0, 0.5), kappa=30.0, sd_benchmark=0.7
)


def prior_figure() -> None:
    """Draw 4,000 surfaces from the priors alone and summarise them."""
    frame = prior_predictive_frame(SurfacePriors(), n_draws=4000, seed=0)
    plot_prior_predictive(frame).savefig(OUT / "surface_prior_predictive.png", dpi=110)


def demo_figure() -> None:
    """Fit the bundled demo as ``plw-stats surface`` does (seed 0) and draw every dataset."""
    sweep = plw.fit_surface(plw.load_surface_demo_scores(), seed=0)
    sweep.plot().savefig(OUT / "surface_demo.png", dpi=110)


def scales_figure() -> None:
    """Fit the same proportions on relative scores (left) and with ``scale="unit"`` (right)."""
    table = plw.simulate_surface_sweep({"edge": EDGE}, seed=15, raw_scale=False)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    for ax, scale in zip(axes, ("relative", "unit"), strict=True):
        plw.fit_surface(plw.validate_scores(table), "edge", seed=5, scale=scale).plot(ax=ax)
        ax.set_title(f"--scale {scale}", loc="left", pad=10)
    fig.savefig(OUT / "surface_scales.png", dpi=110)


FIGURES = {"prior": prior_figure, "demo": demo_figure, "scales": scales_figure}


def main(names: list[str]) -> None:
    """Write the figures named (all by default) into docs/img/."""
    OUT.mkdir(exist_ok=True)
    with use_style():
        for name in names or FIGURES:
            FIGURES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
