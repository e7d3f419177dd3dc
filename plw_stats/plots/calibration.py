"""Figures of simulation studies: rank ECDF differences (SBC) and the prior predictive scores.

Draw only: the tables come from :mod:`plw_stats.simulation` (``rank_ecdf_table`` and
``prior_predictive``); each function returns what it drew on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plw_stats.errors import ModelSpecError
from plw_stats.plots.style import PALETTE, grid_shape, hide_unused, new_grid

#: Panel labels of the study's parameters.
LABELS = {
    "intercept": "intercept",
    "b1": "b1 (wp)",
    "b2": "b2 (wp²)",
    "kappa": "κ",
    "sd_slope": "sd of benchmark slopes",
    "sd_model": "sd of model intercepts",
}
#: Smallest distance to a bound shown by the prior predictive figure (log10).
FLOOR = -16


def plot_rank_ecdf(ecdf: pd.DataFrame, *, ncols: int = 3, axes=None) -> np.ndarray:
    """ECDF of the fractional ranks minus the uniform CDF, one panel per parameter.

    Parameters
    ----------
    ecdf : pandas.DataFrame
        Columns ``parameter, z, ecdf_diff, lower, upper`` (``rank_ecdf_table`` of a study).
    ncols : int
        Panels per row of a new figure.
    axes : array of Axes, optional
        One per parameter; a new figure when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The panels: the difference as a step line inside its simultaneous band (shaded); a
        calibrated sampler stays inside the band.
    """
    missing = {"parameter", "z", "ecdf_diff", "lower", "upper"} - set(ecdf.columns)
    if missing:
        raise ModelSpecError(f"ecdf table lacks column(s) {', '.join(sorted(missing))}")
    names = list(dict.fromkeys(ecdf["parameter"]))
    if axes is None:
        _, axes = new_grid(*grid_shape(len(names), ncols), panel_size=(2.8, 2.2), sharey=True)
    flat = np.asarray(axes).ravel()
    for ax, name in zip(flat, names, strict=False):
        part = ecdf[ecdf["parameter"] == name]
        z = _padded(part["z"], 1.0)
        ax.fill_between(z, _padded(part["lower"]), _padded(part["upper"]), color="0.85", lw=0)
        ax.plot(z, _padded(part["ecdf_diff"]), color=PALETTE[0], linewidth=1.2)
        ax.axhline(0.0, color="0.5", linewidth=0.6)
        ax.set_title(LABELS.get(name, name), fontsize="small")
        ax.set_xlim(0, 1)
        ax.set_xlabel("fractional rank")
    flat[0].set_ylabel("ECDF minus uniform CDF")
    hide_unused(np.asarray(axes), len(names))
    return flat[: len(names)]


def _padded(values: pd.Series, end: float = 0.0) -> np.ndarray:
    """Return the values with 0 before and ``end`` after (both ECDFs agree at 0 and 1)."""
    return np.concatenate([[0.0], values.to_numpy(float), [end]])


def plot_prior_predictive(scores: pd.DataFrame, *, axes=None) -> np.ndarray:
    """Scores the priors imply: their histogram, and how close they come to 0 or 1.

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns ``priors`` (name of the prior set) and ``score`` (simulated scores in [0, 1]).
    axes : pair of Axes, optional
        A new two-panel figure when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        Left: density of the scores per prior set.  Right: share of scores within d of a bound,
        against log10 d (scores at exactly 0 or 1 are drawn at 10^-16).
    """
    missing = {"priors", "score"} - set(scores.columns)
    if missing:
        raise ModelSpecError(f"scores table lacks column(s) {', '.join(sorted(missing))}")
    if axes is None:
        _, axes = new_grid(1, 2, panel_size=(3.6, 2.8))
    left, right = np.asarray(axes).ravel()[:2]
    bins = np.linspace(0, 1, 41)
    for i, (name, part) in enumerate(scores.groupby("priors", sort=False)):
        y = part["score"].to_numpy(float)
        color = PALETTE[i % len(PALETTE)]
        left.hist(y, bins=bins, density=True, histtype="step", color=color, label=str(name))
        distance = np.log10(np.maximum(np.minimum(y, 1 - y), 10.0**FLOOR))
        grid = np.linspace(FLOOR, np.log10(0.5), 200)
        share = np.searchsorted(np.sort(distance), grid, side="right") / y.size
        right.plot(grid, share, color=color)
    left.set_xlabel("simulated relative score")
    left.set_ylabel("density")
    left.legend(fontsize="small", frameon=False)
    right.axvline(np.log10(1e-3), color="0.6", linewidth=0.6, linestyle="--")
    right.set_xlabel("log10 d, distance to 0 or 1")
    right.set_ylabel("share of scores within d")
    return np.array([left, right], dtype=object)
