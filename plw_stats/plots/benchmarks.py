"""Relative score against wp for every benchmark, grouped by task type (paper Appendix B)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError
from plw_stats.io.benchmarks import task_type
from plw_stats.plots.style import (
    LINESTYLES,
    TASK_TYPE_NAMES,
    add_plw_axis,
    color_map,
    cycle_map,
    new_axes,
    new_grid,
    wp_axis,
)
from plw_stats.transforms import plw_to_wp, relative_scores

#: Order of task-type rows; unknown benchmarks come last under "other".
TYPE_ORDER: tuple[str, ...] = ("MC", "GS", "GL", "other")


def benchmark_frame(
    scores: pd.DataFrame,
    *,
    datasets: Sequence[str] | None = None,
    power: float = PLW_POWER,
) -> pd.DataFrame:
    """Relative scores with their wp and task type.

    Scores are min-max scaled within each benchmark over the whole table (as in the paper),
    before ``datasets`` are selected.

    Returns
    -------
    pandas.DataFrame
        The relative score table (``score`` in [0, 1], ``raw_score``) plus ``wp`` and
        ``task_type`` (the table's column, else the known type of the benchmark, else
        ``"other"``).
    """
    table = relative_scores(scores)
    if datasets is not None:
        missing = sorted(set(datasets) - set(table["dataset"]))
        if missing:
            raise DataSchemaError(
                f"no dataset {missing[0]!r} in the table; available: "
                f"{', '.join(sorted(table['dataset'].unique()))}"
            )
        table = table[table["dataset"].isin(list(datasets))]
    if "task_type" in table.columns:
        types = table["task_type"].astype(str)
    else:
        types = table["benchmark"].map(lambda b: task_type(b) or "other")
    return table.assign(wp=plw_to_wp(table["plw"].to_numpy(float), power), task_type=types)


def benchmark_layout(table: pd.DataFrame, *, ncols: int = 4) -> list[tuple[str, list[str]]]:
    """Rows of the grid: ``(task type, benchmarks)`` with at most ``ncols`` benchmarks each."""
    layout = []
    present = table[["benchmark", "task_type"]].drop_duplicates()
    for kind in sorted(present["task_type"].unique(), key=_type_rank):
        names = sorted(present.loc[present["task_type"] == kind, "benchmark"])
        layout.extend((kind, names[i : i + ncols]) for i in range(0, len(names), ncols))
    return layout


def plot_benchmark(
    table: pd.DataFrame,
    benchmark: str,
    *,
    colors: dict[str, str] | None = None,
    linestyles: dict[str, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw one benchmark's relative score against wp, a line per (dataset, model).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`benchmark_frame`.
    benchmark : str
        Benchmark to draw.
    colors, linestyles : dict, optional
        Dataset → colour and model → line style.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = table[table["benchmark"] == benchmark]
    if rows.empty:
        raise DataSchemaError(f"no benchmark {benchmark!r} in the table")
    colors = colors or color_map(table["dataset"])
    linestyles = linestyles or cycle_map(table["model"], LINESTYLES)
    ax = new_axes(ax)
    for (dataset, model), run in rows.groupby(["dataset", "model"], sort=True):
        run = run.sort_values("wp")
        ax.plot(
            run["wp"],
            run["score"],
            color=colors[dataset],
            linestyle=linestyles[model],
            marker="o",
            markersize=2.5,
            linewidth=1.0,
            label=f"{dataset} / {model}",
        )
    wp_axis(ax, label="wp")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(benchmark, loc="left")
    return ax


def plot_benchmark_grid(
    scores: pd.DataFrame,
    *,
    datasets: Sequence[str] | None = None,
    power: float = PLW_POWER,
    ncols: int = 4,
    panel_size: tuple[float, float] = (2.4, 1.9),
) -> Figure:
    """Draw every benchmark's relative score against wp, one row of panels per task type.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table.
    datasets : sequence of str, optional
        Fine-tuning datasets to draw; all by default.
    power : float
        Exponent of ``wp = plw ** power``.
    ncols : int
        Panels per row; a task type with more benchmarks continues on the next row.
    panel_size : (float, float)
        Width and height of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Colour encodes the dataset and line style the pretrained model; the first panel of each
        row names its task type, and the top row has a secondary PLW axis.
    """
    table = benchmark_frame(scores, datasets=datasets, power=power)
    layout = benchmark_layout(table, ncols=ncols)
    width = max(len(names) for _, names in layout)
    fig, axes = new_grid(len(layout), width, panel_size=panel_size, sharex=True, sharey=True)
    colors = color_map(table["dataset"])
    styles = cycle_map(table["model"], LINESTYLES)
    for row, (kind, names) in enumerate(layout):
        for col in range(width):
            ax = axes[row, col]
            if col >= len(names):
                ax.set_visible(False)
                continue
            plot_benchmark(table, names[col], colors=colors, linestyles=styles, ax=ax)
            ax.set_ylabel(f"{TASK_TYPE_NAMES.get(kind, kind)}\nrelative score" if col == 0 else "")
            if row == 0:
                add_plw_axis(ax, power=power, ticks=(0.0, 0.01, 0.1, 1.0))
    _label_column_bottoms(axes)
    fig.legend(
        handles=_legend_handles(colors, styles),
        loc="outside lower center",
        ncols=min(len(colors) + len(styles), 6),
    )
    return fig


def _label_column_bottoms(axes) -> None:
    """Tick labels on every panel; the wp label only under the lowest panel of each column."""
    for col in range(axes.shape[1]):
        shown = [ax for ax in axes[:, col] if ax.get_visible()]
        for ax in shown:
            ax.tick_params(labelbottom=True)
            ax.set_xlabel("wp = PLW$^{p}$" if ax is shown[-1] else "")


def _legend_handles(colors: dict[str, str], styles: dict[str, str]) -> list[Line2D]:
    handles = [Line2D([], [], color=c, label=name) for name, c in colors.items()]
    handles += [Line2D([], [], color="0.3", linestyle=s, label=name) for name, s in styles.items()]
    return handles


def _type_rank(kind: str) -> int:
    return TYPE_ORDER.index(kind) if kind in TYPE_ORDER else len(TYPE_ORDER)
