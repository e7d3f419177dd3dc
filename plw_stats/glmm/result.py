"""The frozen result of one dataset's fit, and its JSON (the per-dataset object of ``fit``).

Numbers stay numbers: ``summary()`` and ``to_frame()`` return DataFrames of floats, ``to_dict()``
the JSON-ready structure.  One name per parameter everywhere — posterior variables, summary rows,
draws columns and JSON keys: ``intercept`` (at wp = 0), ``wp`` (b1), ``wp2`` (b2), ``kappa``,
``sd_slope``, ``sd_model``.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from plw_stats import mcmc_stats
from plw_stats.config import HDI_PROB
from plw_stats.glmm import display, record
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.curves import fitted_curve, observed_aggregate
from plw_stats.glmm.design import COEFFICIENTS, BetaDesign
from plw_stats.glmm.evidence import Evidence, compute_evidence
from plw_stats.glmm.healing import MAX_RETRIES
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.ml_result import MLFit
from plw_stats.glmm.posterior import (
    CriticalSummary,
    Diagnostics,
    Interval,
    critical_draws,
    diagnose,
    summarize,
    summarize_critical,
)
from plw_stats.output import ensure_folder, safe_filename, write_netcdf

SUMMARY_COLUMNS = ["mean", "sd", "hdi_low", "hdi_high", "ess_bulk", "r_hat"]


@dataclass(frozen=True, eq=False)
class BetaFitResult:
    """Posterior of the beta mixed model for one fine-tuning dataset.

    Attributes
    ----------
    spec : BetaDesign
        The specification that was fitted (it holds the data snapshot).
    idata : xarray.DataTree
        Posterior, sample stats and observed data; the posterior also carries the per-draw
        ``critical_wp`` and ``critical_plw`` (NaN where the draw has no interior maximum).
    settings : SamplerSettings
        How the sampler ran (of the last attempt, when a fit was retried).
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
        PSIS-LOO and ML evidence for the wp terms, when computed (:meth:`with_evidence`).
    ml : MLFit or None
        The same model fitted by maximum likelihood as glmmTMB does (:meth:`with_ml`).
    notes : tuple of str
        What the fit had to do besides the plain request: backend fallbacks, retries.

    Notes
    -----
    Results hold a DataTree and DataFrames, so they compare (and hash) by identity.
    """

    spec: BetaDesign
    idata: xr.DataTree
    settings: SamplerSettings
    random_seed: int
    coefficients: dict[str, Interval]
    critical: CriticalSummary
    diagnostics: Diagnostics
    hdi_prob: float = HDI_PROB
    evidence: Evidence | None = None
    ml: MLFit | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def from_idata(
        cls,
        spec: BetaDesign,
        idata: xr.DataTree,
        *,
        settings: SamplerSettings,
        random_seed: int,
        hdi_prob: float = HDI_PROB,
        notes: tuple[str, ...] = (),
    ) -> BetaFitResult:
        """Summarise a sampled DataTree into a result."""
        posterior = idata["posterior"].to_dataset()
        b1, b2 = posterior["wp"], posterior["wp2"]
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
                name: summarize(posterior[name].to_numpy(), hdi_prob) for name in COEFFICIENTS
            },
            critical=summarize_critical(b1.to_numpy(), b2.to_numpy(), spec.power, hdi_prob),
            diagnostics=diagnose(idata, spec.parameter_names()),
            hdi_prob=hdi_prob,
            notes=tuple(notes),
        )

    @property
    def name(self) -> str:
        """Name of the fitted dataset."""
        return self.spec.name

    def draws(self, var_name: str) -> np.ndarray:
        """All draws of a scalar posterior variable, chains concatenated."""
        return self.idata["posterior"][var_name].to_numpy().ravel()

    def all_notes(self) -> list[str]:
        """Return the design's simplifications, then what the fit had to do."""
        return [*self.spec.notes(), *self.notes]

    def problems(self) -> list[str]:
        """Convergence problems of the (last) fit; empty when it converged."""
        return self.diagnostics.problems()

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
            values = posterior[var].transpose("chain", "draw").to_numpy()
            rows[var] = {
                **summarize(values, self.hdi_prob).to_dict(),
                "ess_bulk": float(mcmc_stats.ess(values)),
                "r_hat": float(mcmc_stats.rhat(values)),
            }
        for label, interval in (
            ("critical_wp", self.critical.wp),
            ("critical_plw", self.critical.plw),
        ):
            values = interval.to_dict() if interval else dict.fromkeys(SUMMARY_COLUMNS[:4], np.nan)
            rows[label] = {**values, "ess_bulk": np.nan, "r_hat": np.nan}
        return pd.DataFrame.from_dict(rows, orient="index", columns=SUMMARY_COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """One row per posterior draw: chain, draw, coefficients, kappa and the critical point."""
        columns = [*COEFFICIENTS, "kappa", "critical_wp", "critical_plw"]
        frame = self.idata["posterior"].to_dataset()[columns].to_dataframe().reset_index()
        return frame.assign(interior_max=frame["critical_plw"].notna())

    def to_dict(self) -> dict[str, Any]:
        """Return the per-dataset object of the ``fit --json`` contract."""
        crit = self.critical
        evidence = {"evidence": self.evidence.to_dict()} if self.evidence is not None else {}
        ml = {"ml": self.ml.to_dict()} if self.ml is not None else {}
        return {
            "n_rows": len(self.spec.data),
            "n_benchmarks": len(self.spec.benchmarks),
            "n_models": len(self.spec.models),
            "coefficients": {k: v.to_dict() for k, v in self.coefficients.items()},
            "prob_b2_negative": crit.prob_b2_negative,
            "prob_interior_max": crit.prob_interior_max,
            "critical_wp": crit.wp.to_dict() if crit.wp else None,
            "critical_plw": crit.plw.to_dict() if crit.plw else None,
            "diagnostics": self.diagnostics.to_dict(),
            "problems": self.problems(),
            "notes": self.all_notes(),
            **evidence,
            **ml,
        }

    def with_ml(self) -> BetaFitResult:
        """Return a copy with the maximum-likelihood fit (:func:`~plw_stats.glmm.ml.fit_ml`)."""
        return replace(self, ml=fit_ml_design(self.spec))

    def with_evidence(
        self,
        settings: SamplerSettings | None = None,
        *,
        retries: int = MAX_RETRIES,
        null: Future | None = None,
    ) -> BetaFitResult:
        """Return a copy with the evidence for the wp terms (see :mod:`plw_stats.glmm.evidence`).

        The likelihood-ratio test comes from :attr:`ml` (fitted here if absent); ``null`` is
        the null model's fit if already started (:func:`~plw_stats.glmm.evidence.start_null`).
        """
        fit = self if self.ml is not None else self.with_ml()
        evidence = compute_evidence(
            fit.spec,
            fit.idata,
            settings or fit.settings,
            fit.random_seed,
            lrt=fit.ml.lrt,
            retries=retries,
            null=null,
        )
        return replace(fit, evidence=evidence)

    def curve(self, *, n_points: int = 101, prob: float | None = None) -> pd.DataFrame:
        """Posterior mean relative score along wp with its HDI band (population and models)."""
        posterior = self.idata["posterior"].to_dataset()
        prob = self.hdi_prob if prob is None else prob
        return fitted_curve(self.spec, posterior, prob=prob, n_points=n_points)

    def observed(self) -> pd.DataFrame:
        """Mean relative score of each fitted run (model, plw, wp, relative)."""
        return observed_aggregate(self.spec)

    def plot(self, *, ax=None, **options):
        """Draw the fitted curve, its band, the runs and the critical PLW; return the Axes.

        Options are those of :func:`plw_stats.plots.fitted.plot_fitted_curve`.
        """
        from plw_stats.plots.fitted import plot_fitted_curve  # matplotlib only when drawing

        return plot_fitted_curve(self, ax=ax, **options)

    def record(self) -> dict[str, Any]:
        """Everything besides the draws that fixes this fit's meaning (saved with it)."""
        return {
            "dataset": self.name,
            "model": self.spec.settings_dict(),
            "quadratic": self.spec.quadratic,
            "sampler": self.settings.to_dict(),
            "random_seed": self.random_seed,
            "hdi_prob": self.hdi_prob,
            "notes": list(self.notes),
            "evidence": self.evidence.to_record() if self.evidence is not None else None,
            "ml": self.ml.to_dict() if self.ml is not None else None,
            "data_checksum": record.data_checksum(self.spec.data),
        }

    def save(self, folder: str | Path) -> Path:
        """Write this fit to ``folder/<dataset>.nc`` (atomically) and return the path.

        The file holds the posterior, the sample stats, the fitted rows and the record of
        :meth:`record`; :func:`plw_stats.load_fit` reads it back with nothing else needed.
        """
        path = ensure_folder(folder) / f"{safe_filename(self.name)}.nc"
        tree = xr.DataTree.from_dict(
            {
                "posterior": self.idata["posterior"].to_dataset(),
                "sample_stats": self.idata["sample_stats"].to_dataset(),
                "fit_data": record.data_group(self.spec.data),
            }
        )
        tree.attrs[record.RECORD_ATTR] = record.encode(self.record())
        return write_netcdf(path, tree)

    def __repr__(self) -> str:
        return display.short_repr(self)

    def _repr_html_(self) -> str:
        return display.html_card(self)
