"""The fitted quadratic on the response scale with its credible band and the critical PLW."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from plw_stats.plots.style import (
    MARKERS,
    add_plw_axis,
    color_map,
    cycle_map,
    format_plw,
    grid_shape,
    hide_unused,
    new_axes,
    new_grid,
    wp_axis,
)

#: Label of the population-level curve in ``BetaFitResult.curve()``.
POPULATION = "population"
CRITICAL_COLOR = "#D55E00"


def plot_fitted_curve(
    result,
    *,
    prob: float | None = None,
    show_models: bool = True,
    show_data: bool = True,
    show_critical: bool = True,
    plw_axis: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw the fitted mean relative score against wp with its band and the critical PLW.

    Parameters
    ----------
    result : BetaFitResult
        A fitted dataset.
    prob : float, optional
        Mass of the credible band and of the critical-PLW interval; defaults to
        ``result.hdi_prob``.
    show_models : bool
        Also draw each pretrained model's posterior mean curve (thin, coloured).
    show_data : bool
        Draw the observed relative aggregate of each run (one marker per model).
    show_critical : bool
        Mark the critical point: a vertical line at its posterior mean, a shaded HDI and, in
        the top-left corner, PLW* with its HDI and the probability of an interior maximum.
    plw_axis : bool
        Add a secondary x axis labelled in PLW on top.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    prob = result.hdi_prob if prob is None else prob
    curves = result.curve(prob=prob)
    ax = new_axes(ax)
    models = [c for c in curves["curve"].unique() if c != POPULATION]
    colors = color_map(models)
    population = curves[curves["curve"] == POPULATION]
    ax.fill_between(
        population["wp"],
        population["hdi_low"],
        population["hdi_high"],
        color="0.6",
        alpha=0.35,
        linewidth=0,
        label=f"{prob:.0%} HDI",
    )
    ax.plot(population["wp"], population["mean"], color="black", label="population mean")
    if show_models:
        for model in models:
            rows = curves[curves["curve"] == model]
            ax.plot(rows["wp"], rows["mean"], color=colors[model], linewidth=0.9, alpha=0.9)
    if show_data:
        _draw_data(ax, result.observed(), colors)
    if show_critical:
        _draw_critical(ax, result, prob)
    wp_axis(ax)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("relative score")
    ax.set_title(result.name, loc="left")
    if plw_axis:
        add_plw_axis(ax, power=result.spec.power)
    return ax


def _draw_data(ax: Axes, observed: pd.DataFrame, colors: dict[str, str]) -> None:
    markers = cycle_map(observed["model"], MARKERS)
    for model, rows in observed.groupby("model", sort=True):
        ax.scatter(
            rows["wp"],
            rows["relative"],
            s=14,
            marker=markers[model],
            color=colors.get(model, "0.3"),
            label=model,
            zorder=3,
        )


def _draw_critical(ax: Axes, result, prob: float) -> None:
    critical = result.critical
    text = f"P(interior max) = {critical.prob_interior_max:.2f}"
    if critical.wp is not None and critical.plw is not None:
        ax.axvspan(
            critical.wp.hdi_low,
            critical.wp.hdi_high,
            color=CRITICAL_COLOR,
            alpha=0.12,
            linewidth=0,
            label=f"critical wp {prob:.0%} HDI",
        )
        ax.axvline(
            critical.wp.mean,
            color=CRITICAL_COLOR,
            linestyle="--",
            linewidth=1.2,
            label="critical wp (mean)",
        )
        plw = critical.plw
        text = (
            f"PLW* = {format_plw(plw.mean)} [{format_plw(plw.hdi_low)}, "
            f"{format_plw(plw.hdi_high)}]\n{text}"
        )
    else:
        text = f"no interior maximum\n{text}"
    ax.text(
        0.02,
        0.97,
        text,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=7,
        color=CRITICAL_COLOR,
    )


def plot_fitted_curves(
    results,
    *,
    prob: float | None = None,
    ncols: int = 3,
    panel_size: tuple[float, float] = (3.4, 2.9),
) -> Figure:
    """Draw :func:`plot_fitted_curve` for every fitted dataset, one panel each.

    Parameters
    ----------
    results : SweepResult or mapping of str to BetaFitResult
        The fits to draw, in order.
    prob : float, optional
        Mass of the bands; defaults to each result's ``hdi_prob``.
    ncols : int
        Panels per row.
    panel_size : (float, float)
        Width and height of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    groups = dict(getattr(results, "groups", results))
    n_rows, n_cols = grid_shape(len(groups), ncols)
    fig, axes = new_grid(n_rows, n_cols, panel_size=panel_size)
    for ax, fit in zip(axes.ravel(), groups.values(), strict=False):
        plot_fitted_curve(fit, prob=prob, ax=ax)
    hide_unused(axes, len(groups))
    labelled = {}
    for ax in axes.ravel()[: len(groups)]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            labelled.setdefault(label, handle)
    fig.legend(
        labelled.values(), labelled.keys(), loc="outside lower center", ncols=min(len(labelled), 6)
    )
    return fig
