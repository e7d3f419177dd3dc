"""Section 7, training-loss stability: the relative standard deviation of the loss per PLW."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report.document import Figure, Paragraph, Section
from plw_stats.report.tables import level_by_dataset

EXPLANATION = (
    "How steady training was at each PLW (paper Section 5.3): the relative standard deviation "
    "(std / mean) of the training loss over windows of 5 logged steps, averaged per run. "
    "Higher values mean a noisier loss. The table gives the mean over runs per dataset and "
    "PLW level."
)


def rsd_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the loss-RSD section (or say that no trainer logs were given)."""
    title = "Training-loss stability"
    if analysis.rsd is None:
        text = (
            "Not included: no trainer logs were given. Pass `--trainer-logs MANIFEST` (a CSV "
            "with columns path, dataset, model, plw) to add it."
        )
        return Section("rsd", title, EXPLANATION, (Paragraph(text, kind="note"),))
    blocks: list = [level_by_dataset(analysis.rsd, "rsd", "Mean training-loss RSD (runs).")]
    if "loss_rsd" in figures:
        spec = figures["loss_rsd"]
        blocks.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("rsd", title, EXPLANATION, tuple(blocks))
