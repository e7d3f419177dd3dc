"""From a score table to the rows a surface is fitted to.

A surface needs the completion loss weight: a table without a ``clw`` column (every run at the
default CLW 1) or with a single CLW value is refused with a one-line error.  The (0, 0) cell —
PLW 0 and CLW 0, no loss at all, i.e. the base model — is left out (the caller notes how many
rows), and scores are then min-max scaled within each benchmark over every remaining row, as
``fit`` does — or, with ``scale="unit"``, kept as they are when every one is a proportion in
[0, 1].
"""

from __future__ import annotations

import pandas as pd

from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.surface.design import SCALES
from plw_stats.transforms import relative_scores


def check_two_knobs(scores: pd.DataFrame, *, source: str = "score table") -> None:
    """Raise a :class:`DataSchemaError` unless the table sweeps the completion loss weight."""
    if "clw" not in scores.columns:
        raise DataSchemaError(
            f"{source} has no clw column, so every run has completion loss weight 1 and there is "
            "no surface to fit; add a clw column (completion loss weight in [0, 1]) or use "
            "plw-stats fit"
        )
    levels = sorted(scores["clw"].unique())
    if len(levels) < 2:
        raise DataSchemaError(
            f"{source} has a single completion loss weight (clw = {levels[0]:g}), so there is "
            "no surface to fit; sweep clw as well or use plw-stats fit"
        )


def surface_rows(
    scores: pd.DataFrame, *, source: str = "score table", scale: str = "relative"
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows to fit without the (0, 0) cell, and the rows left out per dataset.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table with a ``clw`` column.
    source : str
        Name used in error messages (the file path).
    scale : {"relative", "unit"}
        Min-max scale each benchmark (the paper's relative scores), or keep the scores, which
        must then all lie in [0, 1].

    Returns
    -------
    rows : pandas.DataFrame
        Every row except PLW = CLW = 0; with ``scale="relative"`` its ``score`` min-max scaled
        within each benchmark over them (``raw_score`` keeps the original).
    base_rows : dict of str to int
        Rows of the (0, 0) cell left out, per dataset that had some.

    Raises
    ------
    DataSchemaError
        Without a clw sweep, when every row is the (0, 0) cell, or with ``scale="unit"`` and a
        score outside [0, 1] (named with its benchmark).
    """
    if scale not in SCALES:
        raise ModelSpecError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    check_two_knobs(scores, source=source)
    base = (scores["plw"] == 0) & (scores["clw"] == 0)
    counts = scores.loc[base, "dataset"].value_counts()
    kept = scores.loc[~base]
    if kept.empty:
        raise DataSchemaError(f"{source}: every row is at plw = 0, clw = 0 (no training)")
    counts = {str(k): int(v) for k, v in counts.items()}
    if scale == "relative":
        return relative_scores(kept), counts
    check_proportions(kept, source)
    return kept.assign(raw_score=kept["score"]), counts


def check_proportions(rows: pd.DataFrame, source: str) -> None:
    """Raise unless every score is a proportion in [0, 1] (what ``scale="unit"`` fits)."""
    outside = rows[(rows["score"] < 0) | (rows["score"] > 1)]
    if outside.empty:
        return
    first = outside.iloc[0]
    raise DataSchemaError(
        f"{source}: benchmark {first['benchmark']!r} has score {first['score']:g} outside [0, 1] "
        f"({len(outside)} row(s) in all); scale unit fits proportions, so divide percentages by "
        "100 or use scale relative"
    )
