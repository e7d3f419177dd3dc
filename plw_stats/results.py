"""Frozen results of fitted models and their serialisation (the JSON contract of ``fit``).

A :class:`BetaFitResult` holds one dataset's posterior; a :class:`SweepResult` holds the fits of
every dataset in a score table.  Both keep numbers as numbers: ``summary()`` and ``to_frame()``
return DataFrames of floats, ``to_dict()`` the JSON-ready structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr
from arviz_stats.base import array_stats

from plw_stats.config import HDI_PROB
from plw_stats.models.posterior import (
    CriticalSummary,
    Diagnostics,
    Interval,
    critical_draws,
    diagnose,
    summarize,
    summarize_critical,
)

if TYPE_CHECKING:
    from plw_stats.models.beta_glmm import BetaMixedModel
    from plw_stats.models.evidence import Evidence
    from plw_stats.models.sampling import SamplerSettings

#: JSON coefficient name → posterior variable.
COEFFICIENT_VARS = {"intercept": "intercept", "wp": "b_wp", "wp2": "b_wp2"}
_SUMMARY_COLUMNS = ["mean", "sd", "hdi_low", "hdi_high", "ess_bulk", "r_hat"]


@dataclass(frozen=True)
class BetaFitResult:
    """Posterior of the beta mixed model for one fine-tuning dataset.

    Attributes
    ----------
    spec : BetaMixedModel
        The specification that was fitted (it holds the data snapshot).
    idata : xarray.DataTree
        Posterior, sample stats and observed data; the posterior also carries the per-draw
        ``critical_wp`` and ``critical_plw`` (NaN where the draw has no interior maximum).
    settings : SamplerSettings
        How the sampler ran.
    random_seed : int
        Seed of the run.
    coefficients : dict of str to Interval
        ``intercept``, ``wp`` and ``wp2`` on the logit scale.
    critical : CriticalSummary
        Probabilities of a concave curve and of an interior maximum, and wp*/PLW* summaries.
    diagnostics : Diagnostics
        R-hat, bulk ESS and divergences.
    hdi_prob : float
        Mass of the reported highest-density intervals.
    evidence : Evidence or None
        PSIS-LOO and ML evidence for the wp terms, when computed
        (:func:`plw_stats.models.evidence.compute_evidence`).
    """

    spec: BetaMixedModel
    idata: xr.DataTree
    settings: SamplerSettings
    random_seed: int
    coefficients: dict[str, Interval]
    critical: CriticalSummary
    diagnostics: Diagnostics
    hdi_prob: float = HDI_PROB
    evidence: Evidence | None = None

    @classmethod
    def from_idata(
        cls,
        spec: BetaMixedModel,
        idata: xr.DataTree,
        *,
        settings: SamplerSettings,
        random_seed: int,
        hdi_prob: float = HDI_PROB,
    ) -> BetaFitResult:
        """Summarise a sampled DataTree into a result."""
        posterior = idata["posterior"].to_dataset()
        b1, b2 = posterior["b_wp"], posterior["b_wp2"]
        per_draw = critical_draws(b1.to_numpy(), b2.to_numpy(), spec.power)
        extra = {
            name: xr.DataArray(per_draw[name], dims=b1.dims, coords=b1.coords)
            for name in ("critical_wp", "critical_plw")
        }
        idata = idata.copy()
        idata["posterior"] = xr.DataTree(dataset=posterior.assign(extra))
        return cls(
            spec=spec,
            idata=idata,
            settings=settings,
            random_seed=int(random_seed),
            coefficients={
                key: summarize(posterior[var].to_numpy(), hdi_prob)
                for key, var in COEFFICIENT_VARS.items()
            },
            critical=summarize_critical(b1.to_numpy(), b2.to_numpy(), spec.power, hdi_prob),
            diagnostics=diagnose(idata, spec.parameter_names()),
            hdi_prob=hdi_prob,
        )

    @property
    def name(self) -> str:
        """Name of the fitted dataset."""
        return self.spec.name

    def draws(self, var_name: str) -> np.ndarray:
        """All draws of a scalar posterior variable, chains concatenated."""
        return self.idata["posterior"][var_name].to_numpy().ravel()

    def summary(self) -> pd.DataFrame:
        """Posterior summary of the scalar parameters and the critical point.

        Returns
        -------
        pandas.DataFrame
            Index: ``intercept, wp, wp2, kappa, [sd_slope, sd_model], critical_wp,
            critical_plw``; columns ``mean, sd, hdi_low, hdi_high, ess_bulk, r_hat`` (floats;
            the critical rows summarise only draws with an interior maximum and have NaN
            diagnostics).
        """
        rows: dict[str, dict[str, float]] = {}
        posterior = self.idata["posterior"]
        for var in self.spec.parameter_names():
            label = {v: k for k, v in COEFFICIENT_VARS.items()}.get(var, var)
            values = posterior[var].transpose("chain", "draw").to_numpy()
            rows[label] = {
                **summarize(values, self.hdi_prob).to_dict(),
                "ess_bulk": float(array_stats.ess(values)),
                "r_hat": float(array_stats.rhat(values)),
            }
        for label, interval in (
            ("critical_wp", self.critical.wp),
            ("critical_plw", self.critical.plw),
        ):
            values = interval.to_dict() if interval else dict.fromkeys(_SUMMARY_COLUMNS[:4], np.nan)
            rows[label] = {**values, "ess_bulk": np.nan, "r_hat": np.nan}
        return pd.DataFrame.from_dict(rows, orient="index", columns=_SUMMARY_COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """One row per posterior draw: chain, draw, coefficients, kappa and the critical point."""
        posterior = self.idata["posterior"]
        columns = ["intercept", "b_wp", "b_wp2", "kappa", "critical_wp", "critical_plw"]
        frame = posterior.to_dataset()[columns].to_dataframe().reset_index()
        frame = frame.rename(columns={"b_wp": "wp", "b_wp2": "wp2"})
        return frame.assign(interior_max=frame["critical_plw"].notna())

    def to_dict(self) -> dict[str, Any]:
        """Return the per-dataset object of the ``fit --json`` contract."""
        data = self.spec.data
        crit = self.critical
        evidence = {"evidence": self.evidence.to_dict()} if self.evidence is not None else {}
        return {
            "n_rows": len(data),
            "n_benchmarks": len(self.spec.benchmarks),
            "n_models": len(self.spec.models),
            "coefficients": {k: v.to_dict() for k, v in self.coefficients.items()},
            "prob_b2_negative": crit.prob_b2_negative,
            "prob_interior_max": crit.prob_interior_max,
            "critical_wp": crit.wp.to_dict() if crit.wp else None,
            "critical_plw": crit.plw.to_dict() if crit.plw else None,
            "diagnostics": self.diagnostics.to_dict(),
            "problems": self.diagnostics.problems(),
            "notes": self.spec.notes(),
            **evidence,
        }


@dataclass(frozen=True)
class SweepResult:
    """Fits of every fine-tuning dataset of a score table."""

    groups: dict[str, BetaFitResult]
    power: float
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """All groups' summaries stacked, with ``dataset`` and ``parameter`` columns."""
        frames = [
            fit.summary().rename_axis("parameter").reset_index().assign(dataset=name)
            for name, fit in self.groups.items()
        ]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["dataset", "parameter", *_SUMMARY_COLUMNS]]

    def problems(self) -> dict[str, list[str]]:
        """Convergence problems per dataset (only datasets that have some)."""
        found = {name: fit.diagnostics.problems() for name, fit in self.groups.items()}
        return {name: items for name, items in found.items() if items}

    def to_dict(self) -> dict[str, Any]:
        """Return the whole ``fit --json`` contract (no timings: equal seeds, equal JSON)."""
        return {
            "plw_power": self.power,
            "groups": {name: fit.to_dict() for name, fit in self.groups.items()},
            "settings": self.settings,
        }
