"""Posterior of the critical PLW per dataset: histogram, density and highest-density interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from plw_stats import mcmc_stats
from plw_stats.errors import ModelSpecError
from plw_stats.plots.style import color_map, format_plw, new_axes, new_grid

SCALES: dict[str, str] = {"plw": "critical PLW", "wp": "critical wp"}
#: Fewest interior draws for which a density is drawn.
MIN_DRAWS = 10


def critical_frame(results) -> pd.DataFrame:
    """Every posterior draw of the critical point, all datasets stacked.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``chain``, ``draw``, ``critical_wp``, ``critical_plw`` (NaN where
        the draw has no interior maximum) and ``interior_max`` (bool).
    """
    frames = [
        fit.to_frame()[["chain", "draw", "critical_wp", "critical_plw", "interior_max"]].assign(
            dataset=name
        )
        for name, fit in _groups(results).items()
    ]
    table = pd.concat(frames, ignore_index=True)
    return table[["dataset", "chain", "draw", "critical_wp", "critical_plw", "interior_max"]]


def plot_critical_posterior(
    result,
    *,
    scale: str = "plw",
    prob: float | None = None,
    bins: int = 30,
    color: str = "#0072B2",
    ax: Axes | None = None,
) -> Axes:
    """Draw the posterior of one dataset's critical point.

    Only draws with an interior maximum (``b2 < 0`` and the vertex inside (0, 1)) have a
    critical point; their share is printed in the panel.

    Parameters
    ----------
    result : BetaFitResult
        A fitted dataset.
    scale : {"plw", "wp"}
        Draw PLW* or wp*.
    prob : float, optional
        Mass of the highest-density interval; defaults to ``result.hdi_prob``.
    bins : int
        Histogram bins over [0, 1].
    color : str
        Colour of the histogram and density.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The histogram (density-normalised), a density line, the HDI as a thick bar at the bottom
        and the posterior mean as a dashed line.
    """
    if scale not in SCALES:
        raise ModelSpecError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    prob = result.hdi_prob if prob is None else prob
    values = result.draws(f"critical_{scale}")
    values = values[np.isfinite(result.draws("critical_plw"))]
    ax = new_axes(ax)
    share = values.size / result.draws("wp").size
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(SCALES[scale])
    ax.set_ylabel("posterior density")
    ax.set_title(result.name, loc="left")
    note = f"P(interior max) = {share:.2f}"
    if values.size >= MIN_DRAWS:
        _draw_density(ax, values, prob, color, bins)
        low, high = mcmc_stats.hdi(values, prob)
        note += f"\n{prob:.0%} HDI [{format_plw(low)}, {format_plw(high)}]"
    else:
        note += "\ntoo few interior draws to draw"
    ax.text(0.98, 0.96, note, transform=ax.transAxes, ha="right", va="top", fontsize=7)
    return ax


def _draw_density(ax: Axes, values: np.ndarray, prob: float, color: str, bins: int) -> None:
    from arviz_stats.base import array_stats  # here, not at module level: it imports scipy.stats

    ax.hist(
        values,
        bins=np.linspace(0.0, 1.0, bins + 1),
        density=True,
        color=color,
        alpha=0.35,
        edgecolor="white",
        linewidth=0.4,
        label="draws",
    )
    grid, pdf, _ = array_stats.kde(values, bound_correction=True)
    ax.plot(grid, pdf, color=color, linewidth=1.3, label="density")
    low, high = mcmc_stats.hdi(values, prob)
    ax.plot(
        [low, high],
        [0.0, 0.0],
        color="black",
        linewidth=4,
        solid_capstyle="butt",
        label=f"{prob:.0%} HDI",
        clip_on=False,
        zorder=4,
    )
    ax.axvline(
        float(values.mean()),
        color="black",
        linestyle="--",
        linewidth=1.0,
        label=f"mean {format_plw(values.mean())}",
    )
    ax.set_ylim(bottom=0.0)


def plot_critical_posteriors(
    results,
    *,
    scale: str = "plw",
    prob: float | None = None,
    bins: int = 30,
    panel_size: tuple[float, float] = (5.0, 1.7),
) -> Figure:
    """Draw :func:`plot_critical_posterior` for every dataset, stacked on a shared x axis.

    Returns
    -------
    matplotlib.figure.Figure
        One row per dataset, coloured consistently with the other figures.
    """
    groups = _groups(results)
    colors = color_map(groups)
    fig, axes = new_grid(len(groups), 1, panel_size=panel_size, sharex=True)
    for ax, (name, fit) in zip(axes[:, 0], groups.items(), strict=True):
        plot_critical_posterior(fit, scale=scale, prob=prob, bins=bins, color=colors[name], ax=ax)
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel(SCALES[scale])
    return fig


def _groups(results) -> dict:
    groups = dict(getattr(results, "groups", results))
    if not groups:
        raise ModelSpecError("no fitted datasets to draw; fit at least one dataset first")
    return groups
