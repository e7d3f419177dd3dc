"""Validated specifications of every dataset of a score table, before any fitting starts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.priors import BetaPriors
from plw_stats.transforms import relative_scores


def select_datasets(scores: pd.DataFrame, datasets: Sequence[str] | None) -> list[str]:
    """Return the datasets to fit, in table order; check that requested names exist."""
    available = sorted(scores["dataset"].unique())
    if not datasets:
        return available
    unknown = [name for name in datasets if name not in available]
    if unknown:
        raise DataSchemaError(
            f"no dataset {unknown[0]!r} in the table; available: {', '.join(available)}"
        )
    return list(dict.fromkeys(datasets))


def specify_all(
    scores: pd.DataFrame,
    datasets: Sequence[str] | None = None,
    *,
    power: float = PLW_POWER,
    priors: BetaPriors | None = None,
    squeeze_epsilon: float | None = None,
    model_class: type[BetaDesign] = BetaDesign,
) -> list[BetaDesign]:
    """Validate and specify every model before any sampling starts (fail fast).

    Scores are min-max scaled once, over every row of ``scores`` (the paper's relative scores),
    as ``BetaMixedModel.from_table`` does for a single dataset.  ``model_class`` is the class
    built: :class:`BetaDesign` (enough for the maximum-likelihood route, and light to import) or
    :class:`~plw_stats.glmm.model.BetaMixedModel` (which can ``fit()``).
    """
    names = select_datasets(scores, datasets)
    scores, note = conventional_slice(scores)
    relative = relative_scores(scores)
    return [
        model_class(
            relative[relative["dataset"] == name],
            name=name,
            power=power,
            priors=priors or BetaPriors(),
            squeeze_epsilon=squeeze_epsilon,
            selection=(note,) if note else (),
        )
        for name in names
    ]


def conventional_slice(scores: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Keep the rows with full completion loss (``clw`` = 1), the one-knob model's data.

    A table without a ``clw`` column, or whose rows all have clw = 1, is returned as it is.
    Otherwise the other rows are left out (before min-max scaling) and a note says how many.

    Raises
    ------
    DataSchemaError
        If no row has clw = 1.
    """
    if "clw" not in scores.columns or (scores["clw"] == 1).all():
        return scores, None
    kept = scores[scores["clw"] == 1]
    if kept.empty:
        levels = ", ".join(f"{v:g}" for v in sorted(scores["clw"].unique()))
        raise DataSchemaError(
            f"no row has clw = 1 (the table's clw levels: {levels}); the one-knob fit uses the "
            "full-completion-loss slice: fit the two-knob grid with `plw-stats surface`"
        )
    note = (
        f"the table has {scores['clw'].nunique()} completion-loss weights: fitted the clw = 1 "
        f"slice ({len(kept)} of {len(scores)} rows); `plw-stats surface` fits the whole grid"
    )
    return kept, note
