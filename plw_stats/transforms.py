"""Pure transforms of the score table: the PLW power, relative scores, aggregates, squeezing.

Nothing here fits a model; every function takes and returns plain arrays or DataFrames and never
modifies its argument.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError


def plw_to_wp(plw, power: float = PLW_POWER):
    """Map prompt loss weights to the transformed scale ``wp = plw ** power``.

    Parameters
    ----------
    plw : float or array_like
        Prompt loss weights in [0, 1].
    power : float, optional
        Exponent; defaults to ``config.PLW_POWER`` (``log(0.5)/log(0.1)``, so 0.1 maps to 0.5).

    Returns
    -------
    float or numpy.ndarray
        The transformed weights, in [0, 1].
    """
    _check_power(power)
    return np.power(plw, power)


def wp_to_plw(wp, power: float = PLW_POWER):
    """Invert :func:`plw_to_wp`: ``plw = wp ** (1 / power)``."""
    _check_power(power)
    return np.power(wp, 1.0 / power)


def _check_power(power: float) -> None:
    if not np.isfinite(power) or power <= 0:
        raise ModelSpecError(f"plw power must be a positive number, got {power!r}")


def add_wp(scores: pd.DataFrame, power: float = PLW_POWER) -> pd.DataFrame:
    """Return a copy of ``scores`` with a ``wp`` column."""
    return scores.assign(wp=plw_to_wp(scores["plw"].to_numpy(float), power))


def centred_quadratic(wp) -> tuple[np.ndarray, np.ndarray]:
    """Return the centred columns ``[wp − mean(wp), wp² − mean(wp²)]`` and their means."""
    columns = np.column_stack([wp, np.square(wp)])
    means = columns.mean(axis=0)
    return columns - means, means


def relative_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Min-max scale ``score`` within each benchmark over every row of the table.

    This is the paper's "relative" score: 0 for the worst and 1 for the best run on each
    benchmark.  The raw score is kept as ``raw_score``.

    Raises
    ------
    DataSchemaError
        If a benchmark's scores are all equal, since it then carries no information and cannot
        be scaled.
    """
    by_benchmark = scores.groupby("benchmark")["score"]
    low = by_benchmark.transform("min")
    span = by_benchmark.transform("max") - low
    constant = sorted(scores.loc[span <= 0, "benchmark"].unique())
    if constant:
        value = scores.loc[scores["benchmark"] == constant[0], "score"].iloc[0]
        raise DataSchemaError(
            f"benchmark {constant[0]!r} has the same score ({value:g}) in every row, so it cannot "
            f"be min-max scaled; drop it from the table (constant: {', '.join(constant)})"
        )
    return scores.assign(raw_score=scores["score"], score=(scores["score"] - low) / span)


def aggregates(scores: pd.DataFrame) -> pd.DataFrame:
    """Per-run simple and relative aggregates.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated score table (raw scores).

    Returns
    -------
    pandas.DataFrame
        One row per (dataset, model, plw) with ``simple`` (mean raw score), ``relative`` (mean
        relative score) and ``n_benchmarks``.
    """
    relative = relative_scores(scores)
    runs = relative.groupby(["dataset", "model", "plw"], sort=True)
    return pd.DataFrame(
        {
            "simple": runs["raw_score"].mean(),
            "relative": runs["score"].mean(),
            "n_benchmarks": runs["benchmark"].nunique(),
        }
    ).reset_index()


def squeeze_unit(y, n: int | None = None, *, epsilon: float | None = None) -> np.ndarray:
    """Move scores in [0, 1] strictly inside (0, 1) for a beta likelihood.

    By default applies Smithson & Verkuilen's ``(y·(n−1) + 0.5) / n`` with ``n`` the number of
    values.  With ``epsilon`` it instead maps [0, 1] linearly onto [epsilon, 1 − epsilon].

    Raises
    ------
    DataSchemaError
        If a value lies outside [0, 1].
    """
    y = np.asarray(y, dtype=float)
    if y.size and ((y < 0).any() or (y > 1).any()):
        raise DataSchemaError(
            f"scores must lie in [0, 1] before squeezing, found range [{y.min():g}, {y.max():g}]; "
            "use relative (min-max scaled) scores or rescale percentages to proportions"
        )
    if epsilon is not None:
        if not 0 < epsilon < 0.5:
            raise ModelSpecError(f"squeeze epsilon must lie in (0, 0.5), got {epsilon!r}")
        return epsilon + y * (1 - 2 * epsilon)
    n = y.size if n is None else n
    if n < 1:
        raise ModelSpecError(f"squeeze needs n >= 1, got {n}")
    return (y * (n - 1) + 0.5) / n


def length_ratio(completion_tokens, prompt_tokens) -> float:
    """Completion/prompt length ratio R_g as a ratio of means, as in the paper's Table 1.

    Parameters
    ----------
    completion_tokens, prompt_tokens : array_like
        Token counts per item; the prompt is instruction plus input.

    Returns
    -------
    float
        ``mean(completion_tokens) / mean(prompt_tokens)``.
    """
    completion = np.asarray(completion_tokens, dtype=float)
    prompt = np.asarray(prompt_tokens, dtype=float)
    if completion.size == 0 or prompt.size == 0:
        raise DataSchemaError("length ratio needs at least one item")
    if prompt.mean() <= 0:
        raise DataSchemaError("length ratio is undefined: every prompt has zero tokens")
    return float(completion.mean() / prompt.mean())
