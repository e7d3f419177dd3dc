"""Post-processing of posterior draws: interval summaries, the critical PLW, diagnostics.

These functions take plain arrays (or a DataTree for diagnostics) and never run a sampler, so
they are tested on synthetic draws.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr

from plw_stats import mcmc_stats
from plw_stats.config import ESS_BULK_MIN, HDI_PROB, PLW_POWER, RHAT_MAX
from plw_stats.critical import critical_wp, interior_maximum
from plw_stats.transforms import wp_to_plw


@dataclass(frozen=True)
class Interval:
    """Posterior mean, standard deviation and highest-density interval of one quantity."""

    mean: float
    sd: float
    hdi_low: float
    hdi_high: float

    def to_dict(self) -> dict[str, float]:
        """Plain-dict form, the ``S`` object of the JSON contract."""
        return asdict(self)


def summarize(draws, prob: float = HDI_PROB) -> Interval:
    """Summarise draws (any shape, flattened) by mean, sd and the ``prob`` HDI."""
    values = np.asarray(draws, dtype=float).ravel()
    if values.size == 0:
        raise ValueError("cannot summarise an empty set of draws")
    low, high = mcmc_stats.hdi(values, prob)
    return Interval(
        mean=float(values.mean()),
        sd=float(values.std(ddof=1)) if values.size > 1 else 0.0,
        hdi_low=float(low),
        hdi_high=float(high),
    )


@dataclass(frozen=True)
class CriticalSummary:
    """The critical point over posterior draws.

    Attributes
    ----------
    prob_b2_negative : float
        Share of draws with ``b2 < 0`` (a concave curve).
    prob_interior_max : float
        Share of draws whose maximum lies strictly inside wp ∈ (0, 1).
    wp, plw : Interval or None
        Summaries of wp* and PLW* over the draws with an interior maximum (None if there are
        fewer than two such draws).
    """

    prob_b2_negative: float
    prob_interior_max: float
    wp: Interval | None
    plw: Interval | None


def critical_draws(b1, b2, power: float = PLW_POWER) -> dict[str, np.ndarray]:
    """Per-draw vertex, interior-maximum flag and PLW* (NaN where not an interior maximum)."""
    vertex = critical_wp(b1, b2)
    interior = interior_maximum(b1, b2)
    plw = np.full(np.shape(vertex), np.nan)
    plw[interior] = wp_to_plw(vertex[interior], power)
    return {"critical_wp": vertex, "interior_max": interior, "critical_plw": plw}


def summarize_critical(b1, b2, power: float = PLW_POWER, prob: float = HDI_PROB) -> CriticalSummary:
    """Summarise the critical point over paired draws of ``b1`` and ``b2``."""
    b1 = np.asarray(b1, dtype=float).ravel()
    b2 = np.asarray(b2, dtype=float).ravel()
    per_draw = critical_draws(b1, b2, power)
    interior = per_draw["interior_max"]
    enough = interior.sum() >= 2
    return CriticalSummary(
        prob_b2_negative=float(np.mean(b2 < 0)),
        prob_interior_max=float(np.mean(interior)),
        wp=summarize(per_draw["critical_wp"][interior], prob) if enough else None,
        plw=summarize(per_draw["critical_plw"][interior], prob) if enough else None,
    )


@dataclass(frozen=True)
class Diagnostics:
    """Convergence diagnostics of one fit, over the model's named parameters."""

    rhat_max: float
    ess_bulk_min: float
    divergences: int
    rhat_threshold: float = RHAT_MAX
    ess_threshold: float = ESS_BULK_MIN

    @property
    def converged(self) -> bool:
        """No divergences, R-hat within and bulk ESS above their thresholds."""
        return (
            self.divergences == 0
            and self.rhat_max <= self.rhat_threshold
            and self.ess_bulk_min >= self.ess_threshold
        )

    def problems(self) -> list[str]:
        """Human-readable list of what went wrong (empty when converged)."""
        found = []
        if self.divergences:
            found.append(f"{self.divergences} divergent transitions")
        if self.rhat_max > self.rhat_threshold:
            found.append(f"R-hat {self.rhat_max:.3f} > {self.rhat_threshold}")
        if self.ess_bulk_min < self.ess_threshold:
            found.append(f"bulk ESS {self.ess_bulk_min:.0f} < {self.ess_threshold:.0f}")
        return found

    def to_dict(self) -> dict:
        """Return the ``diagnostics`` object of the JSON contract."""
        return {
            "rhat_max": self.rhat_max,
            "ess_bulk_min": self.ess_bulk_min,
            "divergences": self.divergences,
            "converged": self.converged,
        }


def diagnose(idata: xr.DataTree, var_names: list[str]) -> Diagnostics:
    """R-hat (max), bulk ESS (min) over ``var_names`` and the number of divergences."""
    posterior = idata["posterior"].to_dataset()[var_names]
    rhat = [float(np.nanmax(mcmc_stats.rhat(_chain_draw(posterior[v])))) for v in var_names]
    ess = [float(np.nanmin(mcmc_stats.ess(_chain_draw(posterior[v])))) for v in var_names]
    diverging = idata["sample_stats"]["diverging"].to_numpy()
    return Diagnostics(
        rhat_max=max(rhat), ess_bulk_min=min(ess), divergences=int(np.sum(diverging))
    )


def _chain_draw(array: xr.DataArray) -> np.ndarray:
    """Array with the parameter dims first and (chain, draw) last, as mcmc_stats expects."""
    extra = [d for d in array.dims if d not in ("chain", "draw")]
    return array.transpose(*extra, "chain", "draw").to_numpy()
