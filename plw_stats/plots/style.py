"""The shipped paper style, colours and axis helpers shared by every figure module.

Nothing here touches the global ``matplotlib.rcParams``: :func:`use_style` is a context manager
that applies ``styles/plw.mplstyle`` only inside its ``with`` block.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import math
from collections.abc import Iterable, Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.style
import numpy as np
from matplotlib.axes import Axes

from plw_stats.config import PLW_POWER
from plw_stats.errors import ModelSpecError

#: Okabe–Ito colours, safe for colour-blind readers and in greyscale print.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Line styles cycled over pretrained models.
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")
#: Markers cycled over pretrained models.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v")
#: PLW values labelled on secondary axes (the paper's levels, thinned to stay readable).
PLW_TICKS: tuple[float, ...] = (0.0, 0.001, 0.01, 0.1, 0.5, 1.0)
#: Readable names of the task types.
TASK_TYPE_NAMES: dict[str, str] = {
    "MC": "multiple choice",
    "GS": "short generation",
    "GL": "long generation",
}


def style_path() -> Path:
    """Path of the shipped ``plw.mplstyle``."""
    return Path(str(importlib.resources.files("plw_stats.plots").joinpath("styles/plw.mplstyle")))


@contextlib.contextmanager
def use_style(*extra: str | dict) -> Iterator[None]:
    """Apply the plw-stats paper style inside a ``with`` block only.

    Parameters
    ----------
    *extra : str or dict
        Further styles or rcParams dictionaries applied on top, e.g. ``{"font.size": 10}``.

    Examples
    --------
    >>> from plw_stats.plots import plot_aggregates, use_style
    >>> with use_style():                                     # doctest: +SKIP
    ...     fig = plot_aggregates(scores)
    ...     fig.savefig("fig1.pdf")
    """
    with matplotlib.style.context([str(style_path()), *extra]):
        yield


def color_map(names: Iterable[str]) -> dict[str, str]:
    """Give each name (in sorted order) a fixed colour of :data:`PALETTE`."""
    ordered = sorted(dict.fromkeys(str(n) for n in names))
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(ordered)}


def cycle_map(names: Iterable[str], values: tuple[str, ...]) -> dict[str, str]:
    """Give each name (in sorted order) one of ``values``, cycling."""
    ordered = sorted(dict.fromkeys(str(n) for n in names))
    return {name: values[i % len(values)] for i, name in enumerate(ordered)}


def new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or the axes of a new figure when it is None."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def new_grid(
    n_rows: int, n_cols: int, *, panel_size: tuple[float, float], **options
) -> tuple[plt.Figure, np.ndarray]:
    """Return a new figure with an ``(n_rows, n_cols)`` array of axes."""
    width, height = panel_size
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(width * n_cols, height * n_rows),
        squeeze=False,
        layout="constrained",
        **options,
    )
    return fig, axes


def _to_plw(power: float):
    return lambda wp: np.power(np.clip(wp, 0.0, None), 1.0 / power)


def _to_wp(power: float):
    return lambda plw: np.power(np.clip(plw, 0.0, None), power)


def add_plw_axis(
    ax: Axes,
    *,
    power: float = PLW_POWER,
    ticks: Iterable[float] = PLW_TICKS,
    location: str = "top",
) -> Axes:
    """Add a secondary x axis labelled in PLW to an axes whose x axis is ``wp = plw ** power``.

    Returns
    -------
    matplotlib.axes.Axes
        The secondary axis.
    """
    if not np.isfinite(power) or power <= 0:
        raise ModelSpecError(f"power must be a positive number, got {power!r}")
    secondary = ax.secondary_xaxis(location, functions=(_to_plw(power), _to_wp(power)))
    ticks = list(ticks)
    secondary.set_xticks(ticks)
    secondary.set_xticklabels([format_plw(t) for t in ticks])
    secondary.set_xlabel("PLW")
    secondary.grid(False)
    return secondary


def format_plw(value: float) -> str:
    """Short label of a PLW value: ``0``, ``<1e-4``, ``5e-4``, ``2.2e-3``, ``0.0246``, ``0.1``."""
    value = float(value)
    if value == 0:
        return "0"
    if 0 < value < 1e-4:
        return "<1e-4"
    if abs(value) < 0.01:
        mantissa, exponent = f"{value:.1e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.3g}"


def wp_axis(ax: Axes, *, label: str = "wp = PLW$^{p}$") -> None:
    """Label and bound an x axis on the wp scale ([0, 1] with a small margin)."""
    ax.set_xlim(-0.03, 1.03)
    ax.set_xticks(np.linspace(0.0, 1.0, 6))
    ax.set_xlabel(label)


def grid_shape(n_panels: int, ncols: int) -> tuple[int, int]:
    """Rows and columns of a grid holding ``n_panels`` panels in at most ``ncols`` columns."""
    cols = max(1, min(ncols, n_panels))
    return math.ceil(n_panels / cols), cols


def hide_unused(axes: np.ndarray, n_used: int) -> None:
    """Hide the panels after the first ``n_used`` of a grid."""
    for ax in axes.ravel()[n_used:]:
        ax.set_visible(False)
