"""Section: how far fine-tuning moved the weights from the pretrained ones (paper Fig. 2b)."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report import numbers as fmt
from plw_stats.report.document import Figure, Paragraph, Section, Table

EXPLANATION = (
    "The paper's weight-regularisation check (Section 5.3.2): the mean over weight tensors of "
    "the Minkowski distance between each fine-tuned tensor and the pretrained one. Smaller "
    "values mean the fine-tuned model stayed closer to its pretrained weights. The table gives "
    "the mean over runs per dataset and PLW level."
)


def weights_table(weights) -> Table:
    """Mean per-tensor distance per PLW level (rows) and dataset (columns), with the run count."""
    grouped = weights.groupby(["plw", "dataset"])["mean_tensor_distance"]
    means = grouped.agg(["mean", "size"]).reset_index()
    datasets = sorted(means["dataset"].astype(str).unique())
    cells = {
        (row.plw, str(row.dataset)): f"{fmt.number(row.mean)} (n = {row.size})"
        for row in means.itertuples()
    }
    levels = sorted(means["plw"].unique())
    rows = tuple(
        (fmt.plw(level), *(cells.get((level, d), fmt.MISSING) for d in datasets))
        for level in levels
    )
    return Table(("PLW", *datasets), rows, caption="Mean per-tensor weight distance (runs).")


def weights_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the weight-distance section (or say that no table was given)."""
    title = "Distance from the pretrained weights"
    if analysis.weights is None:
        text = (
            "Not included: no weight-distance table was given. Compute it with "
            "`plw-stats weight-distance MANIFEST -o TABLE.csv` and pass `--weights TABLE.csv`."
        )
        return Section("weights", title, EXPLANATION, (Paragraph(text, kind="note"),))
    blocks: list = [weights_table(analysis.weights)]
    if "weight_distance" in figures:
        spec = figures["weight_distance"]
        blocks.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("weights", title, EXPLANATION, tuple(blocks))
