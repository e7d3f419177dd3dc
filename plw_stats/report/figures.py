"""Draw every figure the report shows: the paper's figure set and each fit's model checks."""

from __future__ import annotations

from plw_stats.analysis import Analysis
from plw_stats.plots.check_panels import plot_check_panels
from plw_stats.plots.gallery import CAPTIONS, FigureSpec, close_all, figure_set
from plw_stats.plots.style import use_style

#: Caption of a dataset's model-check figure.
CHECKS_CAPTION = (
    "Model checks of {name}. Left: scaled residuals against uniform quantiles (they should "
    "follow the diagonal). Middle: scaled residuals against the rank of the fitted mean, with "
    "their 25%, 50% and 75% quantiles in five bins (orange; they should follow the dotted "
    "lines). Right: histogram of the observed relative scores (black) over 50 datasets "
    "replicated from the posterior (blue)."
)


def check_figure_name(dataset: str) -> str:
    """Name of a dataset's model-check figure (an anchor and a file stem)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in dataset)
    return f"checks-{safe}"


def draw_figures(analysis: Analysis, *, only: set[str] | None = None) -> dict[str, FigureSpec]:
    """Draw the report's figures, keyed by name.

    Parameters
    ----------
    analysis : Analysis
        What to draw.
    only : set of str, optional
        Draw just the figures of these names (of the paper's set,
        :data:`~plw_stats.plots.gallery.CAPTIONS`, or ``checks-<dataset>``), e.g. to keep a
        preview or a test fast.

    Returns
    -------
    dict of str to FigureSpec
        The paper's figures under their gallery names, then ``checks-<dataset>`` per checked
        fit.  The caller closes them (:func:`~plw_stats.plots.gallery.close_all`).
    """
    wanted = CAPTIONS.keys() if only is None else only
    drawn = figure_set(
        analysis.scores,
        fits=analysis.fits if {"fitted_curves", "critical_plw"} & set(wanted) else None,
        gam=analysis.gam if "gam_surface" in wanted else None,
        rsd=analysis.rsd if "loss_rsd" in wanted else None,
        weights=analysis.weights if "weight_distance" in wanted else None,
        surfaces=analysis.surfaces if "surfaces" in wanted else None,
        power=analysis.fits.power,
    )
    figures = {entry.name: entry for entry in drawn if only is None or entry.name in only}
    close_all([entry for entry in drawn if entry.name not in figures])
    try:
        with use_style():
            for name, check in analysis.checks.items():
                key = check_figure_name(name)
                if only is None or key in only:
                    figure = plot_check_panels(check, title=name)
                    figures[key] = FigureSpec(key, CHECKS_CAPTION.format(name=name), figure)
    except BaseException:
        close_all(list(figures.values()))
        raise
    return figures


__all__ = ["CAPTIONS", "check_figure_name", "draw_figures"]
