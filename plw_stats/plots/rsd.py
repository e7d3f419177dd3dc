"""Training-loss relative standard deviation per PLW level and dataset (paper Section 5.3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from plw_stats.errors import DataSchemaError
from plw_stats.io.manifest import read_manifest
from plw_stats.io.trainer import loss_rsd_table
from plw_stats.plots.style import color_map, format_plw, new_axes

#: Columns a loss-RSD table must have.
RSD_COLUMNS: tuple[str, ...] = ("dataset", "plw", "rsd")


def rsd_from_manifest(path: str | Path, *, window: int = 5) -> pd.DataFrame:
    """Training-loss RSD of every run listed in a manifest of trainer logs.

    Parameters
    ----------
    path : str or Path
        A CSV with columns ``path, dataset, model, plw``; ``path`` is a run's
        ``trainer_state.json`` or its run folder, relative to the manifest's folder.
    window : int
        Logged steps per window (the paper uses 5).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, model, plw, rsd, n_steps``, one row per manifest row.

    Raises
    ------
    DataSchemaError
        On a bad manifest, a missing or malformed log, or a log shorter than one window.
    """
    manifest = read_manifest(path)
    runs = {
        f"line {line}": run for line, run in zip(manifest["line"], manifest["path"], strict=True)
    }
    table = loss_rsd_table(runs, window=window)
    return pd.DataFrame(
        {
            "dataset": manifest["dataset"].to_numpy(),
            "model": manifest["model"].to_numpy(),
            "plw": manifest["plw"].to_numpy(float),
            "rsd": table["rsd"].to_numpy(float),
            "n_steps": table["n_steps"].to_numpy(int),
        }
    )


def check_rsd_table(rsd: pd.DataFrame, *, source: str = "loss-RSD table") -> pd.DataFrame:
    """Check a loss-RSD table and return a copy with float ``plw`` and ``rsd``.

    Raises
    ------
    DataSchemaError
        If a column of :data:`RSD_COLUMNS` is missing, empty or not numeric.
    """
    missing = [c for c in RSD_COLUMNS if c not in rsd.columns]
    if missing:
        raise DataSchemaError(
            f"{source}: missing column(s) {', '.join(missing)}; it needs {', '.join(RSD_COLUMNS)} "
            "(build it with plw_stats.plots.rsd_from_manifest)"
        )
    if rsd.empty:
        raise DataSchemaError(f"{source}: no rows; give one row per training run")
    numbers = {c: pd.to_numeric(rsd[c], errors="coerce") for c in ("plw", "rsd")}
    for column, values in numbers.items():
        if values.isna().any():
            raise DataSchemaError(f"{source}: column {column!r} has missing or non-numeric values")
    return rsd.assign(**numbers, dataset=rsd["dataset"].astype(str))


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
