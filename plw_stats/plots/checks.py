"""Figures of the posterior-predictive checks: residual QQ plot, residuals vs fitted, PPC.

Each function takes a :class:`~plw_stats.glmm.checks.ResidualCheck` (from
:func:`plw_stats.glmm.checks.check_fit`), draws on ``ax`` (a new figure when None) and returns
the Axes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from plw_stats.errors import ModelSpecError
from plw_stats.plots.style import PALETTE, new_axes

#: Quantiles marked on the residuals-vs-fitted plot.
REFERENCE_QUANTILES: tuple[float, ...] = (0.25, 0.5, 0.75)


def plot_residual_qq(check, *, ax: Axes | None = None) -> Axes:
    """Uniform QQ plot of the scaled residuals, with the KS and dispersion tests in the title.

    Returns
    -------
    matplotlib.axes.Axes
        Sorted residuals against uniform plotting positions and the identity line.
    """
    ax = new_axes(ax, figsize=(4.0, 4.0))
    residuals = np.sort(check.residuals)
    expected = (np.arange(1, residuals.size + 1) - 0.5) / residuals.size
    ax.plot([0, 1], [0, 1], color="0.5", linewidth=1)
    ax.scatter(expected, residuals, s=8, color=PALETTE[0])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("expected (uniform)")
    ax.set_ylabel("scaled residual")
    ax.set_title(
        f"KS p = {check.ks_p_value:.3f}, dispersion {check.dispersion_ratio:.2f} "
        f"(p = {check.dispersion_p_value:.3f})",
        fontsize="small",
    )
    return ax


def plot_residuals_vs_fitted(check, *, ax: Axes | None = None) -> Axes:
    """Scaled residuals against the rank of the fitted mean, with running quantiles.

    Returns
    -------
    matplotlib.axes.Axes
        Points, horizontal reference lines at 0.25, 0.5, 0.75 and the residuals' quantiles over
        five bins of the fitted rank (they should follow the reference lines).
    """
    ax = new_axes(ax, figsize=(5.0, 4.0))
    n = check.residuals.size
    rank = (np.argsort(np.argsort(check.fitted)) + 0.5) / n
    ax.scatter(rank, check.residuals, s=8, color=PALETTE[0], alpha=0.7)
    edges = np.linspace(0, 1, 6)
    centres = (edges[:-1] + edges[1:]) / 2
    bins = np.clip(np.digitize(rank, edges) - 1, 0, edges.size - 2)
    for q in REFERENCE_QUANTILES:
        ax.axhline(q, color="0.5", linestyle=":", linewidth=1)
        running = [_quantile(check.residuals[bins == b], q) for b in range(centres.size)]
        ax.plot(centres, running, color=PALETTE[1], linewidth=1.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("fitted mean (rank-transformed)")
    ax.set_ylabel("scaled residual")
    return ax


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if values.size else np.nan


def plot_ppc(check, *, n_replicates: int = 50, bins: int = 30, ax: Axes | None = None) -> Axes:
    """Posterior-predictive check of the scores: observed histogram over replicated ones.

    Parameters
    ----------
    check : ResidualCheck
        Holds the observed and replicated scores.
    n_replicates : int
        Replicated datasets drawn as thin outlines (evenly spaced among those available).
    bins : int
        Histogram bins over [0, 1].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if n_replicates < 1 or bins < 2:
        raise ModelSpecError(
            f"n_replicates must be >= 1 and bins >= 2, got {n_replicates!r} and {bins!r}"
        )
    ax = new_axes(ax, figsize=(5.0, 3.5))
    edges = np.linspace(0, 1, bins + 1)
    pick = np.linspace(0, check.simulated.shape[0] - 1, n_replicates).astype(int)
    for i, row in enumerate(np.unique(pick)):
        ax.hist(
            check.simulated[row],
            bins=edges,
            density=True,
            histtype="step",
            color=PALETTE[5],
            alpha=0.3,
            linewidth=0.8,
            label="replicated" if i == 0 else None,
        )
    ax.hist(
        check.observed,
        bins=edges,
        density=True,
        histtype="step",
        color=PALETTE[7],
        linewidth=2,
        label="observed",
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel("relative score")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    return ax
