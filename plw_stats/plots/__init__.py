"""Figures of the paper's kind from score tables and fitted results.

Plotting never fits: every ``plot_*`` function takes a table or a fitted result (whose own
methods compute what is drawn), draws on ``ax`` (a new figure when None) and returns the Axes, or
the Figure for multi-panel grids.  This package imports no model module.  None of them shows
or saves a figure, and none changes the global ``rcParams``; wrap calls in :func:`use_style` for
the shipped paper style.
"""

from plw_stats.plots.aggregates import aggregate_frame, plot_aggregate, plot_aggregates
from plw_stats.plots.benchmarks import benchmark_frame, plot_benchmark, plot_benchmark_grid
from plw_stats.plots.critical import (
    critical_frame,
    plot_critical_posterior,
    plot_critical_posteriors,
)
from plw_stats.plots.fitted import plot_fitted_curve, plot_fitted_curves
from plw_stats.plots.gam import optimal_path, plot_gam_surface, plot_gam_surfaces, surface_grid
from plw_stats.plots.rsd import plot_loss_rsd
from plw_stats.plots.style import add_plw_axis, style_path, use_style

__all__ = [
    "add_plw_axis",
    "aggregate_frame",
    "benchmark_frame",
    "critical_frame",
    "optimal_path",
    "plot_aggregate",
    "plot_aggregates",
    "plot_benchmark",
    "plot_benchmark_grid",
    "plot_critical_posterior",
    "plot_critical_posteriors",
    "plot_fitted_curve",
    "plot_fitted_curves",
    "plot_gam_surface",
    "plot_gam_surfaces",
    "plot_loss_rsd",
    "style_path",
    "surface_grid",
    "use_style",
]
