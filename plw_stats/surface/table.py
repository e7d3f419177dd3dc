"""From a score table to the rows a surface is fitted to.

A surface needs the completion loss weight: a table without a ``clw`` column (every run at the
default CLW 1) or with a single CLW value is refused with a one-line error.  The (0, 0) cell —
PLW 0 and CLW 0, no loss at all, i.e. the base model — is left out (the caller notes how many
rows), and scores are then min-max scaled within each benchmark over every remaining row, as
``fit`` does.
"""

from __future__ import annotations

import pandas as pd

from plw_stats.errors import DataSchemaError
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
    scores: pd.DataFrame, *, source: str = "score table"
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Relative-score rows without the (0, 0) cell, and the rows left out per dataset.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table with a ``clw`` column.
    source : str
        Name used in error messages (the file path).

    Returns
    -------
    relative : pandas.DataFrame
        Every row except PLW = CLW = 0, ``score`` min-max scaled within each benchmark over
        them (``raw_score`` keeps the original).
    base_rows : dict of str to int
        Rows of the (0, 0) cell left out, per dataset that had some.
    """
    check_two_knobs(scores, source=source)
    base = (scores["plw"] == 0) & (scores["clw"] == 0)
    counts = scores.loc[base, "dataset"].value_counts()
    kept = scores.loc[~base]
    if kept.empty:
        raise DataSchemaError(f"{source}: every row is at plw = 0, clw = 0 (no training)")
    return relative_scores(kept), {str(k): int(v) for k, v in counts.items()}
