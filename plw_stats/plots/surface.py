"""Two-knob response surfaces: observed cells, fitted contours, the optimum and the baseline.

Draw only.  :func:`plot_surface` takes a fitted surface result duck-typed — anything with
``name``, ``observed()`` (or ``observed_by_model()``), ``mean_surface()``, ``optimum_region()``,
``marked_points()`` (``kind, wp, wc``: the recommended setting and the baseline), ``cells``
(``plw, clw, prob_best``) and ``baseline.prob_beats`` — such as
:class:`plw_stats.surface.result.SurfaceFitResult`.
Axes are in the model's coordinates (wp = PLW^p across, wc = CLW^q up) with ticks labelled by the
observed PLW and CLW values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from plw_stats.errors import ModelSpecError
from plw_stats.plots.style import format_plw, grid_shape, hide_unused, new_axes, new_grid

REGION_COLOR = "#D55E00"
BASELINE_COLOR = "#FFFFFF"
#: Cells whose probability of being the best reaches this are annotated.
ANNOTATE_MIN = 0.05


def _edges(levels: np.ndarray) -> np.ndarray:
    """Cell edges half-way between sorted levels, the outer ones clipped to [0, 1]."""
    middle = (levels[:-1] + levels[1:]) / 2
    first = levels[0] - (middle[0] - levels[0]) if levels.size > 1 else levels[0] - 0.05
    last = levels[-1] + (levels[-1] - middle[-1]) if levels.size > 1 else levels[-1] + 0.05
    return np.clip(np.concatenate([[first], middle, [last]]), 0.0, 1.0)


def _heatmap(ax: Axes, observed: pd.DataFrame, cmap: str):
    grid = observed.pivot_table(index="wc", columns="wp", values="relative")
    mesh = ax.pcolormesh(
        _edges(grid.columns.to_numpy(float)),
        _edges(grid.index.to_numpy(float)),
        np.ma.masked_invalid(grid.to_numpy(float)),
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        shading="flat",
    )
    return mesh, grid


def _ticks(ax: Axes, observed: pd.DataFrame) -> None:
    for axis, (scale, label) in ((ax.xaxis, ("wp", "plw")), (ax.yaxis, ("wc", "clw"))):
        pairs = observed[[scale, label]].drop_duplicates().sort_values(scale)
        axis.set_ticks(pairs[scale].to_numpy(float))
        axis.set_ticklabels([format_plw(v) for v in pairs[label]])
    ax.set_xlabel("PLW (axis: wp = PLW$^p$)")
    ax.set_ylabel("CLW (axis: wc = CLW$^q$)")


def _contours(ax: Axes, surface: pd.DataFrame, levels: int) -> None:
    grid = surface.pivot_table(index="wc", columns="wp", values="mean")
    lines = ax.contour(
        grid.columns, grid.index, grid.to_numpy(), levels=levels, colors="black", linewidths=0.6
    )
    ax.clabel(lines, fontsize=6, fmt="%.2f")


def _region(ax: Axes, region: pd.DataFrame) -> None:
    density = region.pivot_table(index="wc", columns="wp", values="density")
    threshold = float(region["threshold"].iloc[0])
    values = density.to_numpy()
    ax.contourf(
        density.columns,
        density.index,
        values,
        levels=[threshold, values.max() + 1.0],
        colors=[REGION_COLOR],
        alpha=0.35,
    )
    ax.contour(
        density.columns,
        density.index,
        values,
        levels=[threshold],
        colors=[REGION_COLOR],
        linewidths=1.4,
    )


def _cell_labels(ax: Axes, cells: pd.DataFrame, observed: pd.DataFrame) -> None:
    """Write P(best) beside the centre of each likely cell (markers sit on centres).

    Below the centre in the upper half of the square, above it in the lower half, so labels on
    the edges stay inside the axes.
    """
    where = observed.set_index(["plw", "clw"])[["wp", "wc"]]
    box = {"facecolor": "black", "alpha": 0.45, "pad": 0.8, "linewidth": 0}
    for row in cells[cells["prob_best"] >= ANNOTATE_MIN].itertuples():
        wp, wc = where.loc[(row.plw, row.clw)]
        ax.annotate(
            f"{row.prob_best:.2f}",
            (wp, wc),
            xytext=(0, -9 if wc > 0.5 else 9),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=6.5,
            color="white",
            bbox=box,
            zorder=7,
        )


def _points(ax: Axes, points: pd.DataFrame) -> None:
    styles = {
        "recommended": {"marker": "*", "s": 150, "color": REGION_COLOR, "linewidths": 0.6},
        "baseline": {"marker": "X", "s": 90, "color": BASELINE_COLOR, "linewidths": 0.8},
    }
    for row in points.itertuples():
        ax.scatter(
            [row.wp],
            [row.wc],
            edgecolors="black",
            zorder=6,
            clip_on=False,
            label=row.kind,
            **styles[row.kind],
        )


def plot_surface(
    result,
    *,
    model: str | None = None,
    levels: int = 8,
    cmap: str = "viridis",
    region: bool = True,
    annotate: bool = True,
    colorbar: bool = True,
    show_prob: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw one dataset's surface: observed cells, fitted contours, optimum, baseline.

    Parameters
    ----------
    result : SurfaceFitResult
        A fitted surface (duck-typed, see the module docstring).
    model : str, optional
        Colour the cells by this pretrained model's mean relative score instead of the mean
        over models (the contours stay the population surface).
    levels : int
        Number of contour levels of the posterior mean surface.
    cmap : str
        Colour map of the observed mean relative scores (fixed to [0, 1]).
    region : bool
        Shade the optimum's highest-density region (``result.hdi_prob``).
    annotate : bool
        Write each cell's probability of being the best observed cell (when ≥ 0.05).
    colorbar : bool
        Add a colour bar.
    show_prob : bool
        Write P(recommended > baseline) as the right-hand title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The recommended setting is a star, the baseline a white cross.
    """
    observed = result.observed()
    cells = observed
    if model is not None:
        by_model = result.observed_by_model()
        if model not in set(by_model["model"]):
            known = ", ".join(sorted(set(by_model["model"])))
            raise ModelSpecError(f"no model {model!r} in dataset {result.name!r}; known: {known}")
        cells = by_model[by_model["model"] == model]
    ax = new_axes(ax, figsize=(5.2, 4.2))
    mesh, _ = _heatmap(ax, cells, cmap)
    _contours(ax, result.mean_surface(), levels)
    if region:
        _region(ax, result.optimum_region())
    if annotate and model is None:
        _cell_labels(ax, result.cells, observed)
    _points(ax, result.marked_points())
    _ticks(ax, observed)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.grid(False)
    ax.set_title(result.name if model is None else f"{result.name}: {model}", loc="left")
    if show_prob:
        ax.set_title(
            f"P(recommended > baseline) {result.baseline.prob_beats:.2f}",
            loc="right",
            fontsize=6.5,
            fontweight="normal",
        )
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=result.design.score_label)
    return ax


def plot_surfaces(
    results: Sequence,
    *,
    by_model: bool = False,
    ncols: int = 3,
    panel_size: tuple[float, float] = (4.4, 3.8),
    **options,
) -> Figure:
    """Draw :func:`plot_surface` for several datasets in a panel grid.

    Parameters
    ----------
    results : sequence of SurfaceFitResult
        One per dataset.
    by_model : bool
        One row per dataset and one column per pretrained model (cells coloured by that
        model's scores) instead of one panel per dataset.
    ncols : int
        Panels per row (without ``by_model``).
    panel_size : tuple of float
        Width and height of one panel, in inches.
    **options
        Passed to :func:`plot_surface`.

    Returns
    -------
    matplotlib.figure.Figure
        With one shared colour bar and legend.
    """
    results = list(results)
    if not results:
        raise ModelSpecError("no fitted surface to draw")
    if by_model:
        models = sorted({m for r in results for m in r.observed_by_model()["model"]})
        fig, axes = new_grid(len(results), len(models), panel_size=panel_size)
        pairs = [
            (ax, r, m)
            for row, r in zip(axes, results, strict=True)
            for ax, m in zip(row, models, strict=True)
        ]
    else:
        n_rows, n_cols = grid_shape(len(results), ncols)
        fig, axes = new_grid(n_rows, n_cols, panel_size=panel_size)
        pairs = [(ax, r, None) for ax, r in zip(axes.ravel(), results, strict=False)]
        hide_unused(axes, len(results))
    for ax, result, model in pairs:
        options.setdefault("show_prob", not by_model)
        plot_surface(result, model=model, ax=ax, colorbar=False, **options)
    for ax in axes[:-1].ravel():
        ax.set_xlabel("")
    for ax in axes[:, 1:].ravel():
        ax.set_ylabel("")
    mesh = pairs[0][0].collections[0]
    fig.colorbar(mesh, ax=axes, label=pairs[0][1].design.score_label, shrink=0.8)
    handles, labels = pairs[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig


def plot_prior_predictive(frame: pd.DataFrame, *, panel_size=(3.3, 2.8)) -> Figure:
    """Draw the prior predictive check of the surface priors (three panels).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per prior draw with ``range`` (max − min of the mean relative score over
        [0, 1]²), ``at_baseline`` (the score at the baseline cell), ``optimum_plw`` and
        ``optimum_clw`` (the draw's maximiser), as made by
        :func:`plw_stats.surface.priors.prior_predictive_frame`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_grid(1, 3, panel_size=panel_size)
    left, middle, right = axes[0]
    left.hist(frame["range"], bins=40, range=(0, 1), color="#0072B2")
    left.set_xlabel("max - min of the mean relative score")
    left.set_title("surface range", loc="left")
    middle.hist(frame["at_baseline"], bins=40, range=(0, 1), color="#009E73")
    middle.set_xlabel("mean relative score at the baseline")
    middle.set_title("level", loc="left")
    right.hist2d(
        frame["optimum_wp"],
        frame["optimum_wc"],
        bins=21,
        range=[[0, 1], [0, 1]],
        cmap="Greys",
        norm=LogNorm(),
    )
    right.set_xlabel("wp = PLW$^p$ of the maximum")
    right.set_ylabel("wc = CLW$^q$ of the maximum")
    right.set_title("where the maximum falls (log counts)", loc="left")
    for ax in (left, middle):
        ax.set_ylabel("prior draws")
    return fig
