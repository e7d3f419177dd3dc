"""Synthetic posteriors for tests that must not run a sampler (``-m "not slow"``).

A synthetic fit has every posterior variable a real fit has, drawn with ``default_rng(seed)``
around given means, and sample stats with no divergences, so post-processing, plots, the
report and saved-fit round trips are exercised without MCMC.
"""

import numpy as np
import xarray as xr

from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.result import BetaFitResult

#: Posterior means of the synthetic fits (interior maximum at PLW* ≈ 0.22).
PEAKED = {
    "intercept": -2.0,
    "wp": 8.5,
    "wp2": -6.7,
    "kappa": 6.0,
    "sd_slope": 1.2,
    "sd_model": 0.7,
}
#: Convex curve: no draw has an interior maximum.
FLAT = {"intercept": 0.0, "wp": 0.3, "wp2": 0.4, "kappa": 8.0, "sd_slope": 0.5, "sd_model": 0.3}


def synthetic_idata(spec, means: dict, *, seed: int = 0, chains: int = 2, draws: int = 200):
    """A DataTree shaped like a native fit of ``spec``, drawn around ``means``."""
    rng = np.random.default_rng(seed)
    shape = (chains, draws)
    cd = ("chain", "draw")

    def around(mean, sd):
        return mean + sd * rng.standard_normal(shape)

    post = {
        "intercept": (cd, around(means["intercept"], 0.3)),
        "wp": (cd, around(means["wp"], 0.5)),
        "wp2": (cd, around(means["wp2"], 0.4)),
        "kappa": (cd, np.exp(around(np.log(means["kappa"]), 0.05))),
    }
    if spec.has_benchmark_slope:
        n = len(spec.benchmarks)
        post["sd_slope"] = (cd, np.exp(around(np.log(means["sd_slope"]), 0.1)))
        slopes = means["sd_slope"] * rng.standard_normal(n) + 0.1 * rng.standard_normal((*shape, n))
        post["slope"] = ((*cd, "benchmark"), slopes)
    if spec.has_model_intercept:
        n = len(spec.models)
        post["sd_model"] = (cd, np.exp(around(np.log(means["sd_model"]), 0.1)))
        offsets = means["sd_model"] * rng.standard_normal(n) + 0.1 * rng.standard_normal(
            (*shape, n)
        )
        post["model_offset"] = ((*cd, "pretrained"), offsets)
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    if spec.has_benchmark_slope:
        coords["benchmark"] = spec.benchmarks
    if spec.has_model_intercept:
        coords["pretrained"] = spec.models
    stats = xr.Dataset({"diverging": (cd, np.zeros(shape, dtype=bool))}, coords=coords)
    return xr.DataTree.from_dict(
        {"posterior": xr.Dataset(post, coords=coords), "sample_stats": stats}
    )


def synthetic_fit(spec, means: dict = PEAKED, *, seed: int = 0, **shape) -> BetaFitResult:
    """A fitted result of ``spec`` from a synthetic posterior (no sampler runs)."""
    settings = SamplerSettings(chains=shape.get("chains", 2), draws=shape.get("draws", 200))
    return BetaFitResult.from_idata(
        spec, synthetic_idata(spec, means, seed=seed, **shape), settings=settings, random_seed=seed
    )
