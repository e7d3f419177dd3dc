"""The three model-check plots of one fit side by side: residual QQ, residuals vs fitted, PPC."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from plw_stats.plots.checks import plot_ppc, plot_residual_qq, plot_residuals_vs_fitted

#: Size of the three-panel figure in inches (readable at a page's width).
PANELS_SIZE: tuple[float, float] = (9.6, 3.1)


def plot_check_panels(check, *, title: str | None = None) -> Figure:
    """Draw the residual QQ plot, residuals vs fitted rank and the PPC in one row.

    Parameters
    ----------
    check : ResidualCheck
        From :func:`plw_stats.glmm.checks.check_fit`.
    title : str, optional
        Figure title (the dataset's name, say).

    Returns
    -------
    matplotlib.figure.Figure
        Three panels; the test results are left to the caller's text (the panel titles only
        name the plots).
    """
    fig, axes = plt.subplots(1, 3, figsize=PANELS_SIZE, layout="constrained")
    plot_residual_qq(check, ax=axes[0])
    axes[0].set_title("QQ plot of scaled residuals")
    plot_residuals_vs_fitted(check, ax=axes[1])
    axes[1].set_title("residuals vs fitted")
    plot_ppc(check, ax=axes[2])
    axes[2].set_title("posterior predictive check")
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig
