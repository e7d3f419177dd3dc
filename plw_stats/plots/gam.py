"""Contour of the GAM surface over (PLW, R_g) with the optimal-PLW path (paper Appendix D)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from plw_stats.errors import ModelSpecError
from plw_stats.plots.style import add_plw_axis, new_axes, new_grid

AXES: dict[str, str] = {"plw": "PLW", "wp": "wp = PLW$^{p}$"}
PATH_COLOR = "#D55E00"


def surface_grid(result, group: str = "All", *, n_plw: int = 80, n_ratio: int = 60) -> pd.DataFrame:
    """Evaluate the surface on a grid and mark the PLW maximising it at each ratio.

    Returns
    -------
    pandas.DataFrame
        :meth:`GamResult.surface` (columns ``plw, wp, ratio, effect, lower, upper``) with a
        boolean ``optimum`` column marking the argmax over PLW within each ratio.
    """
    surface = result.surface(group, n_plw=n_plw, n_ratio=n_ratio)
    best = surface.groupby("ratio")["effect"].idxmax()
    return surface.assign(optimum=surface.index.isin(best.to_numpy()))


def optimal_path(result, group: str = "All", **grid) -> pd.DataFrame:
    """PLW maximising the surface at each ratio of the grid (columns ``ratio, plw, wp``)."""
    surface = surface_grid(result, group, **grid)
    return surface.loc[surface["optimum"], ["ratio", "plw", "wp"]].reset_index(drop=True)


def plot_gam_surface(
    result,
    group: str = "All",
    *,
    x: str = "plw",
    levels: int = 12,
    cmap: str = "viridis",
    show_table: bool = True,
    show_datasets: bool = True,
    colorbar: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw the fitted surface of one benchmark group as filled contours over (PLW, ratio).

    Parameters
    ----------
    result : GamResult
        A fitted tensor-smooth GAM.
    group : str
        Benchmark group (``All``, ``MC``, ``Gen`` or a user group).
    x : {"plw", "wp"}
        Scale of the horizontal axis; with ``"wp"`` a secondary axis is labelled in PLW.
    levels : int
        Number of contour levels.
    cmap : str
        Colour map of the surface.
    show_table : bool
        Mark the optimal-PLW table's ratios: filled circles, hollow where the surface is flat
        (max − min under the flat threshold), skipping extrapolated ratios.
    show_datasets : bool
        Draw a dotted line at each fitted dataset's ratio, labelled with its name.
    colorbar : bool
        Add a colour bar of the partial effect.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The dense optimal-PLW path is drawn as a line labelled ``optimal PLW``.
    """
    if x not in AXES:
        raise ModelSpecError(f"x must be one of {', '.join(AXES)}, got {x!r}")
    surface = surface_grid(result, group)
    grid = surface.pivot_table(index="ratio", columns=x, values="effect")
    ax = new_axes(ax)
    filled = ax.contourf(grid.columns, grid.index, grid.to_numpy(), levels=levels, cmap=cmap)
    ax.contour(
        grid.columns,
        grid.index,
        grid.to_numpy(),
        levels=filled.levels,
        colors="white",
        linewidths=0.3,
        alpha=0.6,
    )
    _draw_path(ax, surface[surface["optimum"]], x)
    if show_table:
        _draw_table(ax, result.optimal_table(group), x)
    if show_datasets:
        _draw_datasets(ax, result)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(float(grid.index.min()), float(grid.index.max()))
    ax.set_xlabel(AXES[x])
    ax.set_ylabel("completion/prompt ratio $R_g$")
    ax.set_title(f"GAM surface: {group}", loc="left")
    ax.grid(False)
    if x == "wp":
        add_plw_axis(ax, power=result.spec.power)
    if colorbar:
        ax.figure.colorbar(filled, ax=ax, label="partial effect (relative score)")
    return ax


def _draw_path(ax: Axes, path: pd.DataFrame, x: str, *, max_jump: float = 0.15) -> None:
    """Draw the argmax path, broken where it jumps (between the two ends, say)."""
    path = path.sort_values("ratio")
    pieces = (path[x].diff().abs() > max_jump).cumsum()
    for i, (_, piece) in enumerate(path.groupby(pieces)):
        ax.plot(
            piece[x],
            piece["ratio"],
            color=PATH_COLOR,
            linewidth=2.0,
            label="optimal PLW" if i == 0 else None,
        )


def _draw_table(ax: Axes, table: pd.DataFrame, x: str) -> None:
    table = table[~table["extrapolated"]]
    for flat, rows in table.groupby("flat"):
        ax.scatter(
            rows[x],
            rows["ratio"],
            s=18,
            zorder=4,
            edgecolors=PATH_COLOR,
            linewidths=1.0,
            clip_on=False,
            facecolors="white" if flat else PATH_COLOR,
            label="table, flat (<5% range)" if flat else "table",
        )


def _draw_datasets(ax: Axes, result) -> None:
    ratios = result.spec.scores.groupby("dataset")["ratio"].first().sort_values()
    middle = (ratios.min() + ratios.max()) / 2
    for name, ratio in ratios.items():
        ax.axhline(ratio, color="white", linestyle=":", linewidth=0.9)
        ax.text(
            0.06,
            ratio,
            f"{name} ({ratio:g})",
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="bottom" if ratio <= middle else "top",
            fontsize=6.5,
            color="white",
            bbox={"facecolor": "black", "alpha": 0.35, "linewidth": 0, "pad": 1},
        )


def plot_gam_surfaces(
    result,
    groups: Sequence[str] | None = None,
    *,
    x: str = "plw",
    panel_size: tuple[float, float] = (3.6, 3.0),
) -> Figure:
    """Draw :func:`plot_gam_surface` for several groups side by side (paper Fig. 10).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per group with its own colour bar and a shared legend below.
    """
    groups = list(groups) if groups is not None else result.groups
    fig, axes = new_grid(1, len(groups), panel_size=panel_size)
    for ax, group in zip(axes[0], groups, strict=True):
        plot_gam_surface(result, group, x=x, ax=ax)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig
