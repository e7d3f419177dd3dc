"""Section 6, the GAM: optimal PLW by completion/prompt ratio, the fit, the surface."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from plw_stats.analysis import Analysis
from plw_stats.gam.result import GamResult
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report import numbers as fmt
from plw_stats.report.document import Figure, Paragraph, Section, Table
from plw_stats.report.tables import formatted

EXPLANATION = (
    "A second view that needs no quadratic shape: a generalized additive model with a tensor "
    "smooth over (PLW, R_g) and a benchmark factor, fitted to the relative scores of all "
    "datasets together, per benchmark group (All, multiple choice, generation; paper "
    "Appendix D). The table gives the PLW that maximises the fitted surface at each "
    "completion/prompt ratio within the fitted range; flat marks ratios where the surface's "
    "max - min over PLW is under 5% of the score range, so the optimum there means little. "
    "These are point estimates; `plw-stats gam` adds bootstrap intervals over runs."
)

SUMMARY_COLUMNS = {
    "n_obs": ("scores", "integer"),
    "n_benchmarks": ("benchmarks", "integer"),
    "n_datasets": ("datasets", "integer"),
    "ratio_min|ratio_max": ("R_g range", "number"),
    "edof": ("effective df", "number"),
    "pseudo_r2": ("deviance explained", "probability"),
    "gcv": ("GCV", "number"),
}


def optimal_cell(row) -> str:
    """One cell of the optimal-PLW table: the PLW, its interval when known, flat flagged."""
    text = fmt.plw(row.plw)
    if not pd.isna(row.plw_low) and not pd.isna(row.plw_high):
        text += f" {fmt.interval(row.plw_low, row.plw_high, kind='plw')}"
    return f"{text} (flat)" if row.flat else text


def optimal_table(gam: GamResult) -> Table:
    """Optimal PLW by ratio (rows, largest first) and group (columns), fitted range only."""
    table = gam.optimal_table()
    table = table[~table["extrapolated"]]
    cells = {(row.ratio, row.group): optimal_cell(row) for row in table.itertuples()}
    ratios = sorted(table["ratio"].unique(), reverse=True)
    rows = tuple(
        (fmt.number(r), *(cells.get((r, g), fmt.MISSING) for g in gam.groups)) for r in ratios
    )
    return Table(("R_g", *gam.groups), rows, caption="Optimal PLW by completion/prompt ratio.")


def gam_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the GAM section (or say why there is no GAM)."""
    gam = analysis.gam
    if gam is None:
        reason = next((n for n in analysis.notes if n.startswith("GAM skipped")), "not fitted")
        blocks: tuple = (Paragraph(f"No GAM in this report: {reason}.", kind="note"),)
        return Section("gam", "GAM: optimal PLW by length ratio", EXPLANATION, blocks)
    summary = formatted(
        gam.summary(), SUMMARY_COLUMNS, index="group", caption="The GAM fit of each group."
    )
    parts: list = [optimal_table(gam), summary]
    if "gam_surface" in figures:
        spec = figures["gam_surface"]
        parts.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("gam", "GAM: optimal PLW by length ratio", EXPLANATION, tuple(parts))
