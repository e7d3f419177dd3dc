"""Section: how far fine-tuning moved the weights from the pretrained ones (paper Fig. 2b)."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report.document import Figure, Paragraph, Section
from plw_stats.report.tables import level_by_dataset

EXPLANATION = (
    "The paper's weight-regularisation check (Section 5.3.2): the mean over weight tensors of "
    "the Minkowski distance between each fine-tuned tensor and the pretrained one. Smaller "
    "values mean the fine-tuned model stayed closer to its pretrained weights. The table gives "
    "the mean over runs per dataset and PLW level."
)


def weights_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the weight-distance section (or say that no table was given)."""
    title = "Distance from the pretrained weights"
    if analysis.weights is None:
        text = (
            "Not included: no weight-distance table was given. Compute it with "
            "`plw-stats weight-distance MANIFEST -o TABLE.csv` and pass `--weights TABLE.csv`."
        )
        return Section("weights", title, EXPLANATION, (Paragraph(text, kind="note"),))
    blocks: list = [
        level_by_dataset(
            analysis.weights, "mean_tensor_distance", "Mean per-tensor weight distance (runs)."
        )
    ]
    if "weight_distance" in figures:
        spec = figures["weight_distance"]
        blocks.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("weights", title, EXPLANATION, tuple(blocks))
