"""Section 7, training-loss stability: the relative standard deviation of the loss per PLW."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report import numbers as fmt
from plw_stats.report.document import Figure, Paragraph, Section, Table

EXPLANATION = (
    "How steady training was at each PLW (paper Section 5.3): the relative standard deviation "
    "(std / mean) of the training loss over windows of 5 logged steps, averaged per run. "
    "Higher values mean a noisier loss. The table gives the mean over runs per dataset and "
    "PLW level."
)


def rsd_table(rsd) -> Table:
    """Mean loss RSD per PLW level (rows) and dataset (columns), with the number of runs."""
    means = rsd.groupby(["plw", "dataset"])["rsd"].agg(["mean", "size"]).reset_index()
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
    return Table(("PLW", *datasets), rows, caption="Mean training-loss RSD (runs).")


def rsd_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the loss-RSD section (or say that no trainer logs were given)."""
    title = "Training-loss stability"
    if analysis.rsd is None:
        text = (
            "Not included: no trainer logs were given. Pass `--trainer-logs MANIFEST` (a CSV "
            "with columns path, dataset, model, plw) to add it."
        )
        return Section("rsd", title, EXPLANATION, (Paragraph(text, kind="note"),))
    blocks: list = [rsd_table(analysis.rsd)]
    if "loss_rsd" in figures:
        spec = figures["loss_rsd"]
        blocks.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("rsd", title, EXPLANATION, tuple(blocks))
