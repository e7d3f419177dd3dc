"""The frozen result of one dataset's surface fit and its JSON (per-dataset ``surface`` object).

Numbers stay numbers: ``summary()`` and the frames for figures are DataFrames of floats,
``to_dict()`` the JSON-ready structure.  Names are those of the posterior variables:
``intercept, wp, wp2, wc, wc2, wp_wc, kappa, sd_slope_wp, sd_slope_wc, sd_model``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from plw_stats import mcmc_stats
from plw_stats.config import HDI_PROB
from plw_stats.glmm import record
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.posterior import Diagnostics, Interval, diagnose, summarize
from plw_stats.output import ensure_folder, safe_filename, write_netcdf
from plw_stats.surface import optimum as opt
from plw_stats.surface.design import COEFFICIENTS, FIXED_TERMS, SurfaceDesign
from plw_stats.surface.evidence import SurfaceEvidence, compute_evidence
from plw_stats.surface.ml import SurfaceMLFit

SUMMARY_COLUMNS = ["mean", "sd", "hdi_low", "hdi_high", "ess_bulk", "r_hat"]
#: Baseline cell of the comparison: conventional instruction tuning (prompt masked).
CONVENTIONAL = (0.0, 1.0)


@dataclass(frozen=True, eq=False)
class SurfaceFitResult:
    """Posterior of the response surface for one fine-tuning dataset.

    Attributes
    ----------
    design : SurfaceDesign
        The specification that was fitted (it holds the data snapshot).
    idata : xarray.DataTree
        Posterior and sample stats.
    settings : SamplerSettings
        How the sampler ran (of the last attempt, when a fit was retried).
    random_seed : int
        Seed of the run.
    coefficients : dict of str to Interval
        ``intercept, wp, wp2, wc, wc2, wp_wc`` on the logit scale.
    optimum : Optimum
        Posterior of the surface's maximiser (PLW, CLW).
    cells : pandas.DataFrame
        ``plw, clw, prob_best`` of every observed cell.
    baseline : BaselineComparison
        The recommended setting against the baseline cell.
    diagnostics : Diagnostics
        R-hat, bulk ESS and divergences.
    hdi_prob : float
        Mass of the reported highest-density intervals.
    evidence : SurfaceEvidence or None
        PSIS-LOO and likelihood-ratio evidence, when computed.
    ml : SurfaceMLFit or None
        The maximum-likelihood fit, when computed.
    notes : tuple of str
        What the fit had to do besides the plain request: fallbacks, retries.
    """

    design: SurfaceDesign
    idata: xr.DataTree
    settings: SamplerSettings
    random_seed: int
    coefficients: dict[str, Interval]
    optimum: opt.Optimum
    cells: pd.DataFrame
    baseline: opt.BaselineComparison
    diagnostics: Diagnostics
    hdi_prob: float = HDI_PROB
    evidence: SurfaceEvidence | None = None
    ml: SurfaceMLFit | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def from_idata(
        cls,
        design: SurfaceDesign,
        idata: xr.DataTree,
        *,
        settings: SamplerSettings,
        random_seed: int,
        hdi_prob: float = HDI_PROB,
        baseline: tuple[float, float] = CONVENTIONAL,
        notes: tuple[str, ...] = (),
    ) -> SurfaceFitResult:
        """Summarise a sampled DataTree of the surface into a result (no sampling)."""
        posterior = idata["posterior"].to_dataset()
        b0, b = coefficient_draws(posterior, design.shift_names())
        grid = opt.SurfaceGrid(design.power, design.clw_power)
        cells = design.cells()
        return cls(
            design=design,
            idata=idata,
            settings=settings,
            random_seed=int(random_seed),
            coefficients={
                name: summarize(posterior[name].to_numpy(), hdi_prob) for name in COEFFICIENTS
            },
            optimum=opt.summarize_optimum(b, grid, hdi_prob),
            cells=opt.cell_probabilities(
                b, cells, design.wp(cells["plw"]), design.wc(cells["clw"])
            ),
            baseline=opt.compare_baseline(b0, b, grid, baseline, hdi_prob),
            diagnostics=diagnose(idata, design.parameter_names()),
            hdi_prob=hdi_prob,
            notes=tuple(notes),
        )

    @property
    def name(self) -> str:
        """Name of the fitted dataset."""
        return self.design.name

    @property
    def grid(self) -> opt.SurfaceGrid:
        """The evaluation grid of the optimum."""
        return opt.SurfaceGrid(self.design.power, self.design.clw_power)

    def all_notes(self) -> list[str]:
        """Return the design's simplifications, then what the fit had to do."""
        null = self.evidence.null_notes if self.evidence is not None else ()
        return [*self.design.notes(), *self.notes, *(f"null model: {n}" for n in null)]

    def problems(self) -> list[str]:
        """Convergence problems of the (last) fit and of the null model; empty when fine."""
        found = self.diagnostics.problems()
        if self.evidence is not None and not self.evidence.null_converged:
            found.append("the null model's fit did not converge (its LOO is unreliable)")
        return found

    def summary(self) -> pd.DataFrame:
        """Posterior summary of the scalar parameters (floats; index = parameter names)."""
        rows = {}
        posterior = self.idata["posterior"]
        for var in self.design.parameter_names():
            values = posterior[var].transpose("chain", "draw").to_numpy()
            rows[var] = {
                **summarize(values, self.hdi_prob).to_dict(),
                "ess_bulk": float(mcmc_stats.ess(values)),
                "r_hat": float(mcmc_stats.rhat(values)),
            }
        return pd.DataFrame.from_dict(rows, orient="index", columns=SUMMARY_COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """Return the per-dataset object of the ``surface --json`` contract."""
        base = self.baseline
        out = {
            "n_rows": len(self.design.data),
            "n_benchmarks": len(self.design.benchmarks),
            "n_models": len(self.design.models),
            "coefficients": {k: v.to_dict() for k, v in self.coefficients.items()},
            "optimum": self.optimum.to_dict(),
            "prob_beats_baseline": base.prob_beats,
            "baseline": {"plw": base.plw, "clw": base.clw},
            "recommended": {"plw": base.recommended_plw, "clw": base.recommended_clw},
            "gain_over_baseline": base.gain.to_dict(),
            "cell_probabilities": self.cells.to_dict(orient="records"),
            "diagnostics": self.diagnostics.to_dict(),
            "notes": self.all_notes(),
            "problems": self.problems(),
        }
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        if self.ml is not None:
            out["ml"] = self.ml.to_dict()
        return out

    def with_evidence(self, settings: SamplerSettings | None = None) -> SurfaceFitResult:
        """Return a copy with the LOO evidence (samples the null model; uses ``ml`` if set)."""
        p_value = self.ml.lrt.p_value if self.ml is not None else np.nan
        evidence = compute_evidence(
            self.design, self.idata, settings or self.settings, self.random_seed, p_value
        )
        return replace(self, evidence=evidence)

    def observed(self) -> pd.DataFrame:
        """Mean relative score of every observed cell (plw, clw, wp, wc, relative, n_rows)."""
        data = self.design.data
        cells = data.groupby(["plw", "clw"], sort=True)["score"].agg(["mean", "size"])
        cells = cells.reset_index().rename(columns={"mean": "relative", "size": "n_rows"})
        return cells.assign(wp=self.design.wp(cells["plw"]), wc=self.design.wc(cells["clw"]))

    def observed_by_model(self) -> pd.DataFrame:
        """As :meth:`observed`, per pretrained model (with a ``model`` column)."""
        data = self.design.data
        cells = data.groupby(["model", "plw", "clw"], sort=True)["score"].mean()
        cells = cells.reset_index().rename(columns={"score": "relative"})
        return cells.assign(wp=self.design.wp(cells["plw"]), wc=self.design.wc(cells["clw"]))

    def mean_surface(self, *, n_points: int = 61) -> pd.DataFrame:
        """Posterior mean of the mean relative score on an ``n_points``² grid over [0, 1]²."""
        posterior = self.idata["posterior"].to_dataset()
        b0, b = coefficient_draws(posterior, self.design.shift_names())
        grid = opt.SurfaceGrid(self.design.power, self.design.clw_power, n_points)
        return opt.mean_surface(b0, b, grid)

    def optimum_region(self, prob: float | None = None) -> pd.DataFrame:
        """Density of the per-draw maximiser and its highest-density region (``hdi_prob``)."""
        return opt.optimum_region(self.optimum, self.grid, prob or self.hdi_prob)

    def marked_points(self) -> pd.DataFrame:
        """Return the recommended setting and the baseline (kind, plw, clw, wp, wc)."""
        base = self.baseline
        frame = pd.DataFrame(
            {
                "kind": ["recommended", "baseline"],
                "plw": [base.recommended_plw, base.plw],
                "clw": [base.recommended_clw, base.clw],
            }
        )
        return frame.assign(wp=self.design.wp(frame["plw"]), wc=self.design.wc(frame["clw"]))

    def plot(self, *, ax=None, **options):
        """Heatmap of the observed cells, mean-surface contours, optimum region, baseline.

        Options are those of :func:`plw_stats.plots.surface.plot_surface`; returns the Axes.
        """
        from plw_stats.plots.surface import plot_surface  # matplotlib only when drawing

        return plot_surface(self, ax=ax, **options)

    def record(self) -> dict[str, Any]:
        """Everything besides the draws that fixes this fit's meaning (saved with it)."""
        return {
            "kind": "surface",
            "dataset": self.name,
            "model": self.design.settings_dict(),
            "sampler": self.settings.to_dict(),
            "random_seed": self.random_seed,
            "hdi_prob": self.hdi_prob,
            "baseline": [self.baseline.plw, self.baseline.clw],
            "notes": list(self.notes),
            "base_rows": int(self.design.base_rows),
            "evidence": self.evidence.to_record() if self.evidence is not None else None,
            "ml": self.ml.to_record() if self.ml is not None else None,
            "data_checksum": data_checksum(self.design.data),
        }

    def save(self, folder: str | Path) -> Path:
        """Write this fit to ``folder/<dataset>.nc`` (posterior, sample stats, rows, record).

        :func:`plw_stats.load_surface` reads it back with nothing else needed.
        """
        path = ensure_folder(folder) / f"{safe_filename(self.name)}.nc"
        rows = record.data_group(self.design.data)
        rows["clw"] = ("row", self.design.data["clw"].to_numpy(float))
        tree = xr.DataTree.from_dict(
            {
                "posterior": self.idata["posterior"].to_dataset(),
                "sample_stats": self.idata["sample_stats"].to_dataset(),
                "fit_data": rows,
            }
        )
        tree.attrs[record.RECORD_ATTR] = record.encode(self.record())
        return write_netcdf(path, tree)

    def __repr__(self) -> str:
        opt_ = self.optimum
        return (
            f"<SurfaceFitResult {self.name!r}: {len(self.design.data)} rows, optimum PLW "
            f"{opt_.plw.mean:.3g}, CLW {opt_.clw.mean:.3g}; P(beats baseline) "
            f"{self.baseline.prob_beats:.2f}>"
        )


def coefficient_draws(
    posterior: xr.Dataset, shift_names: tuple[str, ...] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Draws of b0 and of (b1 … b5), chains concatenated: shapes (draws,) and (draws, 5).

    With benchmark shifts (``design.shift_names()``, scores on their own scale) b0 is
    (draws, benchmarks): each benchmark's intercept, the reference benchmark first.
    """

    def flat(name: str) -> np.ndarray:
        return posterior[name].transpose("chain", "draw").to_numpy().ravel()

    b0 = flat("intercept")
    if shift_names:
        b0 = np.column_stack([b0, *(b0 + flat(n) for n in shift_names)])
    return b0, np.column_stack([flat(name) for name in FIXED_TERMS])


def data_checksum(data: pd.DataFrame) -> str:
    """sha256 of the fitted rows (model, benchmark, plw, clw, score[, seed]), canonical order."""
    columns = [c for c in ("model", "benchmark", "plw", "clw", "seed", "score") if c in data]
    frame = data[columns].astype({c: str for c in ("model", "benchmark", "seed") if c in columns})
    frame = frame.sort_values(columns[:-1])
    text = frame.to_csv(index=False, float_format="%.12g")
    return hashlib.sha256(text.encode()).hexdigest()
