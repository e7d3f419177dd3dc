"""Section 2, the data: what was fitted, per fine-tuning dataset."""

from __future__ import annotations

from plw_stats.analysis import Analysis
from plw_stats.report import numbers as fmt
from plw_stats.report.document import Paragraph, Section
from plw_stats.report.tables import data_summary, formatted

EXPLANATION = (
    "What was fitted. Each row of the score table is one benchmark score of one fine-tuned "
    "run (fine-tuning dataset, pretrained model, PLW). Scores are min-max scaled within each "
    "benchmark over all rows (relative scores) and modelled on that scale. R_g is the "
    "dataset's completion/prompt length ratio, used by the GAM."
)

COLUMNS = {
    "n_rows": ("rows", "integer"),
    "n_models": ("pretrained models", "integer"),
    "n_benchmarks": ("benchmarks", "integer"),
    "n_plw_levels": ("PLW levels", "integer"),
    "plw_min|plw_max": ("PLW range", "plw"),
    "ratio": ("R_g", "number"),
}


def data_section(analysis: Analysis) -> Section:
    """Build the data section: the summary table and the models and benchmarks by name."""
    scores = analysis.scores
    table = formatted(data_summary(scores), COLUMNS, index="dataset")
    models = sorted(scores["model"].astype(str).unique())
    benchmarks = sorted(scores["benchmark"].astype(str).unique())
    levels = ", ".join(fmt.plw(v) for v in sorted(scores["plw"].unique()))
    lines = [
        f"Source: {analysis.source}; {fmt.integer(len(scores))} rows.",
        f"Pretrained models ({len(models)}): {', '.join(models)}.",
        f"Benchmarks ({len(benchmarks)}): {', '.join(benchmarks)}.",
        f"PLW levels: {levels}.",
    ]
    if "task_type" in scores.columns:
        counts = scores.groupby("task_type")["benchmark"].nunique()
        kinds = ", ".join(f"{kind} {n}" for kind, n in counts.items())
        lines.append(f"Benchmarks by task type: {kinds} (MC multiple choice, GS/GL generation).")
    return Section("data", "Data", EXPLANATION, (table, *(Paragraph(line) for line in lines)))
