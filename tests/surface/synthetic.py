"""Synthetic posteriors of surface fits for tests that must not run a sampler.

They have every variable a real surface fit has, drawn with ``default_rng`` around
known coefficients, so post-processing, figures, JSON and saved fits are tested without MCMC.
"""

import numpy as np
import xarray as xr

from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.simulation.surface_sweeps import SurfaceTruth
from plw_stats.surface.design import FIXED_TERMS
from plw_stats.surface.result import SurfaceFitResult
from plw_stats.transforms import plw_to_wp

#: A concave truth peaking at PLW 0.05 (wp ≈ 0.406) and CLW 0.8, as the demo's "Interior".
PEAK = SurfaceTruth.from_peak(float(plw_to_wp(0.05)), 0.8, height=0.5)
FLAT = SurfaceTruth()


def synthetic_idata(design, truth: SurfaceTruth, *, seed=0, chains=2, draws=200, spread=0.05):
    """A DataTree shaped like a native surface fit of ``design``, drawn around ``truth``."""
    rng = np.random.default_rng(seed)
    cd, shape = ("chain", "draw"), (chains, draws)

    def around(mean, sd=spread):
        return mean + sd * rng.standard_normal(shape)

    post = {"intercept": (cd, around(truth.intercept)), "kappa": (cd, around(20.0, 0.5))}
    post |= {name: (cd, around(getattr(truth, name))) for name in FIXED_TERMS}
    # benchmarks on their own scale: benchmark k sits 0.5·k below the reference
    post |= {name: (cd, around(-0.5 * k)) for k, name in enumerate(design.shift_names(), 1)}
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    if design.has_benchmark_slope:
        n = len(design.benchmarks)
        coords["benchmark"] = design.benchmarks
        for key in ("wp", "wc"):
            post[f"sd_slope_{key}"] = (cd, np.exp(around(np.log(0.3), 0.1)))
            post[f"slope_{key}"] = ((*cd, "benchmark"), 0.1 * rng.standard_normal((*shape, n)))
    if design.has_model_intercept:
        n = len(design.models)
        coords["pretrained"] = design.models
        post["sd_model"] = (cd, np.exp(around(np.log(0.3), 0.1)))
        post["model_offset"] = ((*cd, "pretrained"), 0.2 * rng.standard_normal((*shape, n)))
    stats = xr.Dataset({"diverging": (cd, np.zeros(shape, dtype=bool))}, coords=coords)
    return xr.DataTree.from_dict(
        {"posterior": xr.Dataset(post, coords=coords), "sample_stats": stats}
    )


def synthetic_surface(design, truth: SurfaceTruth = PEAK, *, seed=0, **options):
    """A fitted surface result of ``design`` from a synthetic posterior (no sampler runs)."""
    return SurfaceFitResult.from_idata(
        design,
        synthetic_idata(design, truth, seed=seed),
        settings=SamplerSettings(chains=2, draws=200),
        random_seed=seed,
        **options,
    )
