"""Section 5, model checks: randomized quantile residuals, their tests and plots, the PPC."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report.document import Figure, Paragraph, Section
from plw_stats.report.figures import check_figure_name
from plw_stats.report.tables import checks_table, formatted

EXPLANATION = (
    "Does the model describe the data? For every score, replicated scores are drawn from the "
    "fitted model, and the score's position among them is its scaled residual (a randomized "
    "quantile residual, as in the DHARMa package). If the model is right the residuals are "
    "uniform between 0 and 1: the QQ plot follows the diagonal, the residuals scatter evenly "
    "against the fitted values, and the Kolmogorov-Smirnov test does not reject uniformity. "
    "The dispersion ratio is 1 when the model's spread matches the data's (below 1: the data "
    "vary less than the model expects; above 1: more). Outliers are scores outside all their "
    "replicates. The posterior predictive check overlays the observed scores' histogram on "
    "replicated ones. With hundreds of scores these tests detect small departures: a small "
    "p-value calls for a look at the plots, not for discarding the fit."
)

COLUMNS = {
    "ks_p_value": ("KS uniformity p", "p_value"),
    "dispersion_ratio": ("dispersion ratio", "number"),
    "dispersion_p_value": ("dispersion p", "p_value"),
    "outliers": ("outliers", "integer"),
    "n_observations": ("scores", "integer"),
    "n_replicates": ("replicates", "integer"),
}


def checks_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the model-checks section: the tests' table, then each dataset's three plots."""
    if not analysis.checks:
        return Section(
            "checks",
            "Model checks",
            EXPLANATION,
            (Paragraph("Model checks were not computed for this report.", kind="note"),),
        )
    blocks: list = [
        formatted(
            checks_table(analysis.checks),
            COLUMNS,
            index="dataset",
            caption="Tests of the scaled residuals.",
        )
    ]
    for name in analysis.checks:
        spec = figures.get(check_figure_name(name))
        if spec is not None:
            blocks.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("checks", "Model checks", EXPLANATION, tuple(blocks))
