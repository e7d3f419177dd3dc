"""Recommend a PLW for an instruction dataset from its completion/prompt ratio R_g.

Two sources:

- ``"paper"`` (the default): the optimal-PLW table of the paper's Appendix D, shipped as
  ``plw_stats/data/paper_appendix_d.csv``.  Its ratios are 0.5, 1.0, …, 8.0; the row with the
  nearest ratio is used (a tie goes to the smaller ratio) and a ratio outside [0.5, 8.0] is
  marked as extrapolated.  The paper published no uncertainty, so there is no interval, and it
  calls these models "an exercise rather than an authoritative reference".
- ``"gam"``: a tensor-smooth GAM fitted on the user's own score table, read off at exactly R_g,
  with a bootstrap percentile interval.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.config import HDI_PROB
from plw_stats.datasets import load_paper_optimal_plw
from plw_stats.errors import ModelSpecError
from plw_stats.gam.bootstrap import bootstrap_optimal
from plw_stats.gam.model import TensorGam

PAPER_GROUPS: tuple[str, ...] = ("All", "MC", "Gen")
_PAPER_NOTE = (
    "from the paper's Appendix D table (Huerta-Enochian & Ko 2024), fitted on AlpacaData, "
    "AlpacaDataCleaned and prompt-inverted versions of it; the authors call it an exercise "
    "rather than an authoritative reference, and it has no published uncertainty"
)


@dataclass(frozen=True)
class Recommendation:
    """A recommended PLW for one ratio and benchmark group.

    Attributes
    ----------
    ratio : float
        The dataset's completion/prompt ratio R_g.
    group : str
        Benchmark group the recommendation optimises (``All``, ``MC``, ``Gen`` …).
    plw : float
        Recommended prompt loss weight.
    plw_low, plw_high : float or None
        Interval of the recommendation (None for the paper's table).
    flat : bool
        True when PLW hardly matters at this ratio (predicted max − min under 5% of the range).
    source : {"paper", "gam"}
        Where the recommendation comes from.
    table_ratio : float
        Ratio at which the table or fit was read (the nearest paper row, or R_g itself).
    extrapolated : bool
        True when R_g lies outside the ratios the table or fit covers.
    note : str
        Plain-language provenance and caveats.
    """

    ratio: float
    group: str
    plw: float
    plw_low: float | None
    plw_high: float | None
    flat: bool
    source: str
    table_ratio: float
    extrapolated: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return asdict(self)


def recommend_from_paper(ratio: float, *, group: str = "All") -> Recommendation:
    """Recommend a PLW from the paper's Appendix D table.

    Parameters
    ----------
    ratio : float
        Positive completion/prompt ratio R_g of the instruction dataset.
    group : {"All", "MC", "Gen"}
        Benchmark group to optimise for.

    Returns
    -------
    Recommendation

    Raises
    ------
    ModelSpecError
        If ``ratio`` is not a positive number or ``group`` is not in the table.

    Examples
    --------
    >>> recommend_from_paper(1.1).plw
    0.155
    """
    ratio = _check_ratio(ratio)
    if group not in PAPER_GROUPS:
        raise ModelSpecError(
            f"group {group!r} is not in the paper's table; choose one of {', '.join(PAPER_GROUPS)}"
        )
    table = load_paper_optimal_plw()
    rows = table[table["group"] == group].sort_values("ratio").reset_index(drop=True)
    row = rows.iloc[int(np.argmin(np.abs(rows["ratio"].to_numpy() - ratio)))]
    low, high = float(rows["ratio"].min()), float(rows["ratio"].max())
    extrapolated = not low <= ratio <= high
    note = _PAPER_NOTE
    if extrapolated:
        note += f"; R_g = {ratio:g} is outside the table's ratios {low:g} to {high:g}"
    return Recommendation(
        ratio=ratio,
        group=group,
        plw=float(row["plw"]),
        plw_low=None,
        plw_high=None,
        flat=bool(row["flat"]),
        source="paper",
        table_ratio=float(row["ratio"]),
        extrapolated=extrapolated,
        note=note,
    )


def recommend_from_scores(
    scores: pd.DataFrame,
    ratio: float,
    *,
    group: str = "All",
    n_boot: int = 200,
    seed: int = 0,
    n_jobs: int = 2,
    ci_prob: float = HDI_PROB,
    **gam_options: Any,
) -> Recommendation:
    """Fit the tensor-smooth GAM on a score table and recommend the PLW that maximises it at R_g.

    Parameters
    ----------
    scores : pandas.DataFrame
        Score table with a ``ratio`` column (at least 3 distinct ratios for the default basis).
    ratio : float
        R_g of the instruction dataset.
    group : str
        Benchmark group (``All``, ``MC``, ``Gen`` or a user group in ``gam_options``).
    n_boot, seed, n_jobs, ci_prob
        Bootstrap settings, see :func:`plw_stats.gam.bootstrap.bootstrap_optimal`;
        ``n_boot=0`` skips the bootstrap (no interval).
    **gam_options
        Passed to :class:`plw_stats.gam.model.TensorGam` (``scale``, ``groups`` …).

    Returns
    -------
    Recommendation
    """
    ratio = _check_ratio(ratio)
    spec = TensorGam(scores, **gam_options)
    if group not in spec.group_members:
        raise ModelSpecError(
            f"group {group!r} was not formed from this table; available: "
            f"{', '.join(spec.group_members)} (MC and Gen need a task_type column)"
        )
    result = spec.fit(ratio_grid=[ratio])
    if n_boot:
        result = bootstrap_optimal(result, n_boot, seed=seed, n_jobs=n_jobs, ci_prob=ci_prob)
    return recommend_from_result(result, ratio, group=group)


def recommend_from_result(result, ratio: float, *, group: str = "All") -> Recommendation:
    """Read a recommendation off a fitted :class:`~plw_stats.gam.result.GamResult`.

    Raises
    ------
    ModelSpecError
        If ``ratio`` is not on the result's ratio grid.
    """
    table = result.optimal_table(group)
    match = table[np.isclose(table["ratio"], ratio)]
    if match.empty:
        raise ModelSpecError(
            f"ratio {ratio:g} is not on the fitted ratio grid; refit with ratio_grid=[{ratio:g}]"
        )
    row = match.iloc[0]
    lo, hi = result.spec.ratio_range
    note = f"from a GAM fitted on the given scores (ratios {lo:g} to {hi:g})"
    if result.bootstrap:
        boot = result.bootstrap
        note += f"; {boot['ci_prob']:.0%} bootstrap interval over {boot['n_boot']} replicates"
    return Recommendation(
        ratio=float(ratio),
        group=group,
        plw=float(row["plw"]),
        plw_low=_optional(row["plw_low"]),
        plw_high=_optional(row["plw_high"]),
        flat=bool(row["flat"]),
        source="gam",
        table_ratio=float(ratio),
        extrapolated=bool(row["extrapolated"]),
        note=note,
    )


def _optional(value: float) -> float | None:
    return None if math.isnan(float(value)) else float(value)


def _check_ratio(ratio: float) -> float:
    try:
        value = float(ratio)
    except (TypeError, ValueError) as err:
        raise ModelSpecError(f"ratio must be a number, got {ratio!r}") from err
    if not math.isfinite(value) or value <= 0:
        raise ModelSpecError(
            f"ratio must be a positive completion/prompt length ratio, got {ratio!r}"
        )
    return value


def compare_with_paper(result) -> pd.DataFrame:
    """Put a fitted optimal-PLW table beside the paper's Appendix D table.

    Parameters
    ----------
    result : GamResult
        A fit (optionally bootstrapped) whose groups and ratios overlap the paper's.

    Returns
    -------
    pandas.DataFrame
        One row per (group, ratio) present in both, sorted by group and ratio: ``plw_paper``,
        ``flat_paper`` (the paper's values), ``plw``, ``flat``, ``plw_low``, ``plw_high`` (the
        fit's) and ``paper_in_interval`` (bool; False without bootstrap intervals).
    """
    paper = load_paper_optimal_plw().drop(columns="source")
    paper = paper.rename(columns={"plw": "plw_paper", "flat": "flat_paper"})
    fitted = result.optimal_table()[["group", "ratio", "plw", "flat", "plw_low", "plw_high"]]
    both = paper.merge(fitted, on=["group", "ratio"], how="inner")
    inside = (both["plw_low"] <= both["plw_paper"]) & (both["plw_paper"] <= both["plw_high"])
    both = both.assign(paper_in_interval=inside.fillna(False).astype(bool))
    return both.sort_values(["group", "ratio"]).reset_index(drop=True)
