"""Simple and relative aggregates against wp, one line per fine-tuning dataset (paper Fig. 1)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from plw_stats.config import PLW_POWER
from plw_stats.errors import ModelSpecError
from plw_stats.plots.style import add_plw_axis, color_map, new_axes, new_grid, wp_axis
from plw_stats.transforms import aggregates, plw_to_wp

#: Aggregate kinds and their axis labels.
KINDS: dict[str, str] = {
    "simple": "simple aggregate\n(mean raw score)",
    "relative": "relative aggregate\n(mean min-max score)",
}


def aggregate_frame(scores: pd.DataFrame, *, power: float = PLW_POWER) -> pd.DataFrame:
    """Per-run aggregates with their wp.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table.
    power : float
        Exponent of ``wp = plw ** power``.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, model, plw, simple, relative, n_benchmarks, wp``.
    """
    table = aggregates(scores)
    return table.assign(wp=plw_to_wp(table["plw"].to_numpy(float), power))


def plot_aggregate(
    scores: pd.DataFrame,
    *,
    model: str,
    kind: str = "relative",
    power: float = PLW_POWER,
    colors: dict[str, str] | None = None,
    plw_axis: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw one aggregate of one pretrained model against wp, one line per dataset.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table.
    model : str
        Pretrained model to draw.
    kind : {"simple", "relative"}
        Mean raw score or mean relative (min-max scaled) score of each run.
    power : float
        Exponent of ``wp = plw ** power``.
    colors : dict, optional
        Dataset → colour; by default :func:`~plw_stats.plots.style.color_map` of the datasets.
    plw_axis : bool
        Add a secondary x axis labelled in PLW on top.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_kind(kind)
    table = aggregate_frame(scores, power=power)
    models = sorted(table["model"].unique())
    if model not in models:
        raise ModelSpecError(f"no model {model!r} in the table; the models are {', '.join(models)}")
    colors = colors or color_map(table["dataset"])
    ax = new_axes(ax)
    for dataset, rows in table[table["model"] == model].groupby("dataset", sort=True):
        rows = rows.sort_values("wp")
        ax.plot(rows["wp"], rows[kind], marker="o", color=colors[dataset], label=dataset)
    wp_axis(ax)
    ax.set_ylabel(KINDS[kind])
    ax.set_title(f"{model}: {kind} aggregate", loc="left")
    if plw_axis:
        add_plw_axis(ax, power=power)
    return ax


def plot_aggregates(
    scores: pd.DataFrame,
    *,
    kinds: Sequence[str] = ("simple", "relative"),
    power: float = PLW_POWER,
    panel_size: tuple[float, float] = (3.4, 2.6),
) -> Figure:
    """Draw the paper's Fig. 1: one row per aggregate kind, one column per pretrained model.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table.
    kinds : sequence of {"simple", "relative"}
        Rows of the grid, top to bottom.
    power : float
        Exponent of ``wp = plw ** power``.
    panel_size : (float, float)
        Width and height of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Panels share the y axis within a row; the legend names the datasets.
    """
    for kind in kinds:
        _check_kind(kind)
    models = sorted(scores["model"].unique())
    colors = color_map(scores["dataset"])
    fig, axes = new_grid(len(kinds), len(models), panel_size=panel_size, sharey="row")
    for row, kind in enumerate(kinds):
        for col, model in enumerate(models):
            ax = axes[row, col]
            plot_aggregate(
                scores, model=model, kind=kind, power=power, colors=colors, plw_axis=row == 0, ax=ax
            )
            if col > 0:
                ax.set_ylabel("")
            if row < len(kinds) - 1:
                ax.set_xlabel("")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), title="dataset")
    return fig


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ModelSpecError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
