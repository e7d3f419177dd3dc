"""The whole set of figures of an analysis, drawn (never saved) in the paper style."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from plw_stats.plots.aggregates import plot_aggregates
from plw_stats.plots.benchmarks import plot_benchmark_grid
from plw_stats.plots.critical import plot_critical_posteriors
from plw_stats.plots.fitted import plot_fitted_curves
from plw_stats.plots.gam import plot_gam_surfaces
from plw_stats.plots.rsd import plot_loss_rsd
from plw_stats.plots.style import use_style
from plw_stats.plots.weights import plot_weight_distance


@dataclass(frozen=True)
class FigureSpec:
    """Name (the file stem), caption and figure of one entry of the set."""

    name: str
    caption: str
    figure: Figure


#: Captions of the set, by file stem, in drawing order.
CAPTIONS: dict[str, str] = {
    "aggregates": (
        "Simple (top) and relative (bottom) aggregate of each run against wp, one line per "
        "fine-tuning dataset and one column per pretrained model (paper Fig. 1)."
    ),
    "benchmarks": (
        "Relative score of every benchmark against wp, one row per task type; colour is the "
        "dataset, line style the pretrained model (paper Appendix B)."
    ),
    "fitted_curves": (
        "Fitted mean relative score (black: population; colours: pretrained models) with its "
        "pointwise HDI, the observed relative aggregates, and the critical wp (dashed) with "
        "its HDI (shaded); the top axis is in PLW."
    ),
    "critical_plw": (
        "Posterior of the critical PLW for each dataset, over the draws with an interior "
        "maximum: histogram, density, mean (dashed) and HDI (bar)."
    ),
    "gam_surface": (
        "Tensor-smooth GAM surface over (PLW, R_g) for each benchmark group with the PLW "
        "maximising it at each ratio (line) and the optimal-PLW table (hollow: flat, max - min "
        "under 5% of the score range); dotted lines mark the fitted datasets (Appendix D)."
    ),
    "loss_rsd": (
        "Mean training-loss relative standard deviation per PLW level and dataset, one point "
        "per run (paper Section 5.3)."
    ),
    "surfaces": (
        "Two-knob response surface of each dataset: observed relative scores on the (PLW, CLW) "
        "grid, the posterior mean surface (contours), the optimum's credible region (shaded), "
        "the recommended setting (star) and the baseline cell (cross)."
    ),
    "weight_distance": (
        "Mean per-tensor distance of the fine-tuned weights from the pretrained ones against "
        "wp, one line per dataset and pretrained model (paper Fig. 2b); the top axis is in PLW."
    ),
}


def figure_set(
    scores: pd.DataFrame,
    *,
    fits=None,
    gam=None,
    rsd: pd.DataFrame | None = None,
    weights: pd.DataFrame | None = None,
    surfaces=None,
    power: float | None = None,
) -> list[FigureSpec]:
    """Draw every figure the inputs allow, in the shipped style.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table (aggregates and benchmark grid).
    fits : SweepResult, optional
        Beta mixed model fits (fitted curves and critical-PLW posteriors).
    gam : GamResult, optional
        A fitted tensor-smooth GAM (surface contours).
    rsd : pandas.DataFrame, optional
        Loss-RSD table with columns ``dataset, plw, rsd`` (box plot).
    weights : pandas.DataFrame, optional
        Weight distances per run (``plw-stats weight-distance -o``).
    surfaces : SurfaceSweep, optional
        Two-knob response surfaces (heatmap and contours per dataset).
    power : float, optional
        Exponent of ``wp = plw ** power``; defaults to the fits' power, else the paper's.

    Returns
    -------
    list of FigureSpec
        In the order of :data:`CAPTIONS`; entries whose input is None are left out.  The caller
        owns the figures: save them inside :func:`use_style` (it sets the PDF font type and
        the tight bounding box), then :func:`close_all`.
    """
    options = {} if power is None and fits is None else {"power": power or fits.power}
    drawers = {
        "aggregates": lambda: plot_aggregates(scores, **options),
        "benchmarks": lambda: plot_benchmark_grid(scores, **options),
    }
    if fits is not None and fits.groups:
        drawers["fitted_curves"] = lambda: plot_fitted_curves(fits)
        drawers["critical_plw"] = lambda: plot_critical_posteriors(fits)
    if gam is not None:
        drawers["gam_surface"] = lambda: plot_gam_surfaces(gam)
    if rsd is not None:
        drawers["loss_rsd"] = lambda: plot_loss_rsd(rsd).figure
    if weights is not None:
        drawers["weight_distance"] = lambda: plot_weight_distance(weights, **options).figure
    if surfaces is not None:
        drawers["surfaces"] = lambda: surfaces.plot()
    drawn: list[FigureSpec] = []
    try:
        with use_style():
            for name, draw in drawers.items():
                drawn.append(FigureSpec(name, CAPTIONS[name], draw()))
    except BaseException:
        close_all(drawn)
        raise
    return drawn


def close_all(figures: list[FigureSpec]) -> None:
    """Close every figure of a set (free their memory)."""
    for entry in figures:
        plt.close(entry.figure)
