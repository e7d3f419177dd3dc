"""Section 8, the figure set: the paper's figures not already shown in an earlier section."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.plots.gallery import CAPTIONS, FigureSpec
from plw_stats.report.document import Figure, Paragraph, Section

EXPLANATION = (
    "The paper's figures drawn from these scores and fits. The fitted curves are in the "
    "answer, the GAM surface and the loss RSD in their own sections. `plw-stats figures` "
    "writes every figure as a PDF, SVG or PNG file for a paper."
)

#: Figures shown in an earlier section, so not repeated here.
SHOWN_ELSEWHERE = ("fitted_curves", "gam_surface", "loss_rsd", "weight_distance", "surfaces")


def gallery_section(figures: Mapping[str, FigureSpec]) -> Section:
    """Build the figure-set section from the figures not shown elsewhere."""
    names = [n for n in CAPTIONS if n in figures and n not in SHOWN_ELSEWHERE]
    blocks = tuple(Figure(name, figures[name].caption, figures[name].figure) for name in names) or (
        Paragraph("No further figures.", kind="note"),
    )
    return Section("figures", "Figure set", EXPLANATION, blocks)
