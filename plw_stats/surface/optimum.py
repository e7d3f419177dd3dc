"""Where the fitted surface peaks, per posterior draw, and what that implies.

Everything here is vectorised NumPy on draws of the coefficients (``b0`` and ``b = (b1 … b5)``),
so it is tested on synthetic draws without a sampler.  The surface is the population one
(random effects at zero)::

    f(wp, wc) = b0 + b1·wp + b2·wp² + b3·wc + b4·wc² + b5·wp·wc,   mean score = expit(f)

When scores are fitted on their own scale each benchmark has its own intercept: ``b0`` is then
a (draws × benchmarks) array and the mean score is the average of ``expit`` over benchmarks.
Those intercepts are constants in (wp, wc), so they move no maximiser.

evaluated on a fine grid, uniform in (wp, wc) over [0, 1]² (so uniform in the model's own
coordinates, and fine near PLW 0 where the default power stretches it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter
from scipy.special import expit

from plw_stats.config import HDI_PROB
from plw_stats.glmm.posterior import Interval, summarize
from plw_stats.transforms import wp_to_plw

#: Points per axis of the grid on which each draw's surface is maximised.
GRID_POINTS = 101
#: Draws evaluated at once (bounds memory: chunk × GRID_POINTS² floats).
CHUNK = 400
#: Bins per axis and smoothing (in bins) of the optimum's credible region.
REGION_BINS = 51
REGION_SMOOTHING = 1.0


def basis(wp, wc) -> np.ndarray:
    """Return the columns (wp, wp², wc, wc², wp·wc) of the surface at the given points."""
    wp, wc = np.asarray(wp, float).ravel(), np.asarray(wc, float).ravel()
    return np.column_stack([wp, wp**2, wc, wc**2, wp * wc])


@dataclass(frozen=True)
class SurfaceGrid:
    """The evaluation grid: ``n`` points per axis, uniform in (wp, wc) over [0, 1]².

    Points are ordered wp-major: point ``k`` is ``(wp[k // n], wc[k % n])``.
    """

    power: float
    clw_power: float
    n: int = GRID_POINTS

    @property
    def axis(self) -> np.ndarray:
        """The wp (and wc) values of one axis."""
        return np.linspace(0.0, 1.0, self.n)

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (wp, wc) of every grid point, flat."""
        wp, wc = np.meshgrid(self.axis, self.axis, indexing="ij")
        return wp.ravel(), wc.ravel()

    def to_plw(self, wp) -> np.ndarray:
        """Map wp to PLW."""
        return wp_to_plw(np.asarray(wp, float), self.power)

    def to_clw(self, wc) -> np.ndarray:
        """Map wc to CLW."""
        return wp_to_plw(np.asarray(wc, float), self.clw_power)


def _levels(b0) -> np.ndarray:
    """Return the intercept draws as (draws, levels): one column, or one per benchmark."""
    b0 = np.asarray(b0, float)
    return b0.reshape(b0.shape[0], -1)


def mean_score(b0: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """Mean score ``expit(b0 + eta)`` of draws × points, averaged over the intercepts' columns.

    ``b0`` is (draws,) or (draws, levels); ``eta`` (draws, points) holds ``b·basis``.
    """
    levels = _levels(b0)
    if levels.shape[1] == 1:
        return expit(levels + eta)
    return expit(levels[:, :, None] + eta[:, None, :]).mean(axis=1)


def _chunk(b0: np.ndarray) -> int:
    """Draws per chunk so that draws × levels × points stays bounded."""
    return max(1, CHUNK // _levels(b0).shape[1])


def argmax_draws(b: np.ndarray, grid: SurfaceGrid) -> tuple[np.ndarray, np.ndarray]:
    """Grid point maximising each draw's surface: (wp, wc) per draw.

    ``b`` holds one row (b1 … b5) per draw; b0 does not move the maximum.
    """
    points = basis(*grid.points())
    best = np.empty(b.shape[0], dtype=np.int64)
    for start in range(0, b.shape[0], CHUNK):
        best[start : start + CHUNK] = np.argmax(b[start : start + CHUNK] @ points.T, axis=1)
    axis = grid.axis
    return axis[best // grid.n], axis[best % grid.n]


@dataclass(frozen=True)
class Optimum:
    """Posterior of the surface's maximum over [0, 1]².

    Attributes
    ----------
    plw, clw : Interval
        Mean, sd and HDI of the maximising PLW and CLW over draws.
    wp, wc : numpy.ndarray
        The maximising (wp, wc) of every draw (chains concatenated).
    """

    plw: Interval
    clw: Interval
    wp: np.ndarray
    wc: np.ndarray

    def to_dict(self) -> dict:
        """Return the ``optimum`` object of the JSON contract."""
        return {"plw": self.plw.to_dict(), "clw": self.clw.to_dict()}


def summarize_optimum(b: np.ndarray, grid: SurfaceGrid, prob: float = HDI_PROB) -> Optimum:
    """Summarise the per-draw maximum of the surface (see :func:`argmax_draws`)."""
    wp, wc = argmax_draws(b, grid)
    return Optimum(
        plw=summarize(grid.to_plw(wp), prob),
        clw=summarize(grid.to_clw(wc), prob),
        wp=wp,
        wc=wc,
    )


def cell_probabilities(b: np.ndarray, cells: pd.DataFrame, wp, wc) -> pd.DataFrame:
    """Probability that each observed (plw, clw) cell is the best of the observed cells.

    Parameters
    ----------
    b : numpy.ndarray
        Draws × (b1 … b5).
    cells : pandas.DataFrame
        The observed cells, columns ``plw`` and ``clw``.
    wp, wc : array_like
        The cells' transformed weights.

    Returns
    -------
    pandas.DataFrame
        ``plw, clw, prob_best`` (summing to one), in the order of ``cells``.
    """
    values = b @ basis(wp, wc).T
    counts = np.bincount(np.argmax(values, axis=1), minlength=len(cells))
    frame = cells[["plw", "clw"]].reset_index(drop=True).astype(float)
    return frame.assign(prob_best=counts / b.shape[0])


@dataclass(frozen=True)
class BaselineComparison:
    """The recommended setting against a baseline cell, on the mean relative score.

    Attributes
    ----------
    plw, clw : float
        The baseline (default: conventional instruction tuning, PLW 0 and CLW 1).
    recommended_plw, recommended_clw : float
        The grid point with the highest *posterior mean* score — the setting to pick.
    prob_beats : float
        Posterior probability that the recommended setting scores higher than the baseline.
    gain : Interval
        Its score minus the baseline's (mean relative score, population level).
    """

    plw: float
    clw: float
    recommended_plw: float
    recommended_clw: float
    prob_beats: float
    gain: Interval


def compare_baseline(
    b0: np.ndarray,
    b: np.ndarray,
    grid: SurfaceGrid,
    baseline: tuple[float, float],
    prob: float = HDI_PROB,
) -> BaselineComparison:
    """Compare the setting of highest posterior mean score with ``baseline`` (plw, clw).

    Per draw, the maximum of that draw's surface always beats the baseline (or ties): the
    comparison would be optimistic by construction.  So one setting is fixed first — the
    maximiser of the posterior mean of ``expit(f)``, the Bayes choice under the mean score —
    and then compared with the baseline draw by draw.
    """
    points = basis(*grid.points())
    mean = np.zeros(points.shape[0])
    step = _chunk(b0)
    for start in range(0, b.shape[0], step):
        rows = slice(start, start + step)
        mean += mean_score(b0[rows], b[rows] @ points.T).sum(axis=0)
    k = int(np.argmax(mean))
    wp, wc = grid.axis[k // grid.n], grid.axis[k % grid.n]
    base = basis(
        float(np.power(baseline[0], grid.power)), float(np.power(baseline[1], grid.clw_power))
    )
    pair = np.column_stack([b @ points[k], b @ base[0]])
    scores = mean_score(b0, pair)
    gain = scores[:, 0] - scores[:, 1]
    return BaselineComparison(
        plw=float(baseline[0]),
        clw=float(baseline[1]),
        recommended_plw=float(grid.to_plw(wp)),
        recommended_clw=float(grid.to_clw(wc)),
        prob_beats=float(np.mean(gain > 0)),
        gain=summarize(gain, prob),
    )


def mean_surface(b0: np.ndarray, b: np.ndarray, grid: SurfaceGrid) -> pd.DataFrame:
    """Posterior mean of the mean relative score on the grid (columns wp, wc, plw, clw, mean)."""
    wp, wc = grid.points()
    points = basis(wp, wc)
    total = np.zeros(points.shape[0])
    step = _chunk(b0)
    for start in range(0, b.shape[0], step):
        rows = slice(start, start + step)
        total += mean_score(b0[rows], b[rows] @ points.T).sum(axis=0)
    return pd.DataFrame(
        {
            "wp": wp,
            "wc": wc,
            "plw": grid.to_plw(wp),
            "clw": grid.to_clw(wc),
            "mean": total / b.shape[0],
        }
    )


def optimum_region(optimum: Optimum, grid: SurfaceGrid, prob: float = HDI_PROB) -> pd.DataFrame:
    """Smoothed density of the per-draw maximum and its ``prob`` highest-density region.

    The maxima are binned on a coarser grid (:data:`REGION_BINS` per axis) and smoothed by a
    Gaussian of :data:`REGION_SMOOTHING` bins, so a region is drawable even when every draw
    peaks in the same corner.

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``wp, wc, plw, clw`` (bin centres), ``density`` (summing to one),
        ``in_region`` (the highest-density bins holding ``prob`` of the mass) and
        ``threshold`` (the density at the region's edge, the same in every row).
    """
    edges = np.linspace(0.0, 1.0, REGION_BINS + 1)
    counts, _, _ = np.histogram2d(optimum.wp, optimum.wc, bins=[edges, edges])
    density = gaussian_filter(counts, REGION_SMOOTHING, mode="constant")
    density /= density.sum()
    order = np.sort(density.ravel())[::-1]
    at = min(int(np.searchsorted(np.cumsum(order), prob)), order.size - 1)
    threshold = order[at]
    centres = 0.5 * (edges[:-1] + edges[1:])
    wp, wc = np.meshgrid(centres, centres, indexing="ij")
    return pd.DataFrame(
        {
            "wp": wp.ravel(),
            "wc": wc.ravel(),
            "plw": grid.to_plw(wp.ravel()),
            "clw": grid.to_clw(wc.ravel()),
            "density": density.ravel(),
            "in_region": density.ravel() >= threshold,
            "threshold": threshold,
        }
    )
