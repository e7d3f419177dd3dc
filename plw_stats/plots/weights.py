"""Distance of the fine-tuned weights from the pretrained ones against wp (paper Fig. 2b).

Draws a table computed by :func:`plw_stats.describe.weights.weight_distances` (its ``runs``
frame, or the CSV ``plw-stats weight-distance -o`` writes); nothing is computed here but the
wp of each PLW and the mean of repeated runs.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.axes import Axes

from plw_stats.config import PLW_POWER
from plw_stats.describe.weight_table import WEIGHT_METRICS, check_weight_table
from plw_stats.plots.style import (
    LINESTYLES,
    MARKERS,
    add_plw_axis,
    color_map,
    cycle_map,
    new_axes,
    wp_axis,
)
from plw_stats.transforms import plw_to_wp


def plot_weight_distance(
    table: pd.DataFrame,
    *,
    metric: str = "mean_tensor_distance",
    power: float = PLW_POWER,
    plw_axis: bool = True,
    log_scale: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Draw a weight distance against wp, one line per fine-tuning dataset and pretrained model.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per run with ``dataset, model, plw`` and ``metric`` (and ``p``, used in the
        axis label); repeated runs of a (dataset, model, PLW) are drawn as points around the
        line through their mean.
    metric : str
        A key of :data:`WEIGHT_METRICS`; ``mean_tensor_distance`` is the paper's regulariser.
    power : float
        Exponent of ``wp = plw ** power``.
    plw_axis : bool
        Add a secondary x axis labelled in PLW on top.
    log_scale : bool
        Logarithmic y axis (distances can span orders of magnitude across datasets).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        Colours mark datasets, line styles and markers pretrained models.
    """
    frame = check_weight_table(table, metric)
    frame = frame.assign(wp=plw_to_wp(frame["plw"].to_numpy(float), power))
    colors = color_map(frame["dataset"])
    styles, markers = cycle_map(frame["model"], LINESTYLES), cycle_map(frame["model"], MARKERS)
    ax = new_axes(ax)
    for (dataset, model), rows in frame.groupby(["dataset", "model"], sort=True):
        style = {"color": colors[dataset], "marker": markers[model]}
        means = rows.groupby("wp", sort=True)[metric].mean()
        ax.plot(
            means.index,
            means.to_numpy(),
            linestyle=styles[model],
            label=f"{dataset} · {model}",
            **style,
        )
        if len(rows) > len(means):
            ax.scatter(rows["wp"], rows[metric], s=8, alpha=0.5, color=colors[dataset])
    wp_axis(ax)
    ax.set_ylabel(WEIGHT_METRICS[metric].format(p=_order(frame)))
    ax.set_title("distance from the pretrained weights", loc="left")
    if log_scale:
        ax.set_yscale("log")
    if plw_axis:
        add_plw_axis(ax, power=power)
    ax.legend(title="dataset · model", loc="best")
    return ax


def _order(frame: pd.DataFrame) -> str:
    orders = pd.to_numeric(frame["p"], errors="coerce").unique() if "p" in frame else []
    if len(orders) != 1:
        return "p"
    return r"\infty" if math.isinf(orders[0]) else f"{orders[0]:g}"
