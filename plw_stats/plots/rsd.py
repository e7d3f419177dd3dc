"""Training-loss relative standard deviation per PLW level and dataset (paper Section 5.3)."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from plw_stats.describe.rsd import check_rsd_table
from plw_stats.plots.style import color_map, format_plw, new_axes


def plot_loss_rsd(
    rsd: pd.DataFrame,
    *,
    show_points: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Box plot of the mean training-loss RSD per PLW level, one box per dataset.

    Parameters
    ----------
    rsd : pandas.DataFrame
        Columns ``dataset, plw, rsd`` (one row per run, e.g. from :func:`rsd_from_manifest`).
    show_points : bool
        Overlay every run as a point (useful with few runs per box).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        PLW levels are equally spaced categories at x = 0, 1, … labelled with their values;
        within a level the datasets' boxes sit side by side in name order.
    """
    table = check_rsd_table(rsd)
    levels = sorted(table["plw"].unique())
    colors = color_map(table["dataset"])
    width = 0.8 / len(colors)
    ax = new_axes(ax, figsize=(min(9.0, max(4.0, 0.22 * len(levels) * (len(colors) + 1))), 3.0))
    for k, (dataset, color) in enumerate(colors.items()):
        rows = table[table["dataset"] == dataset]
        offset = (k - (len(colors) - 1) / 2) * width
        positions, groups = _boxes(rows, levels, offset)
        _draw_boxes(ax, groups, positions, width * 0.85, color, dataset)
        if show_points:
            x = [levels.index(v) + offset for v in rows["plw"]]
            ax.scatter(
                x, rows["rsd"], s=6, color=color, edgecolors="black", linewidths=0.3, zorder=3
            )
    ax.set_xticks(range(len(levels)), [format_plw(v) for v in levels])
    ax.set_xlim(-0.6, len(levels) - 0.4)
    ax.set_xlabel("PLW")
    ax.set_ylabel("mean training-loss RSD")
    ax.set_title("training-loss stability", loc="left")
    ax.legend(title="dataset", loc="best")
    return ax


def _boxes(rows: pd.DataFrame, levels: list[float], offset: float):
    positions, groups = [], []
    for i, level in enumerate(levels):
        values = rows.loc[rows["plw"] == level, "rsd"].to_numpy(float)
        if values.size:
            positions.append(i + offset)
            groups.append(values)
    return positions, groups


def _draw_boxes(ax: Axes, groups, positions, width: float, color: str, label: str) -> None:
    if not groups:
        return
    parts = ax.boxplot(
        groups,
        positions=positions,
        widths=width,
        patch_artist=True,
        showfliers=False,
        manage_ticks=False,
        label=label,
        medianprops={"color": "black", "linewidth": 0.9},
        whiskerprops={"linewidth": 0.7},
        capprops={"linewidth": 0.7},
    )
    for box in parts["boxes"]:
        box.set_facecolor(color)
        box.set_alpha(0.55)
        box.set_linewidth(0.7)
