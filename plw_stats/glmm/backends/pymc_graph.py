"""Sampling the PyMC graph of the model: nutpie on the compiled graph, or PyMC's own NUTS.

PyMC, pytensor and the graph (:mod:`plw_stats.glmm.graph`) are imported when this module is, so
the default native path never loads them.  nutpie compiles a PyMC graph with numba in 5–10 s per
process; compiled models are cached by graph key, so several datasets of one design (or many
simulated ones) compile once.
"""

from __future__ import annotations

from collections.abc import Hashable

import pymc as pm
import xarray as xr

from plw_stats.glmm.backends.run import run_nutpie
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.graph import build_model

#: Compiled nutpie models by graph key; bounded so long sessions cannot grow without limit.
_COMPILED: dict[Hashable, object] = {}
_COMPILED_MAX = 8


def sample_graph(
    design: BetaDesign, settings: SamplerSettings, seed: int, *, progress: bool
) -> xr.DataTree:
    """Sample ``design``'s PyMC graph with ``settings.sampler`` ("nutpie" or "pymc")."""
    model = build_model(design)
    if settings.sampler == "pymc":
        return sample_pymc(model, settings, seed, progress=progress)
    compiled = compile_nutpie(model, key=design.graph_key())
    return relabel(run_nutpie(compiled, settings, seed, progress=progress), model)


def sample_pymc(model: pm.Model, settings: SamplerSettings, seed: int, *, progress: bool):
    """PyMC's own NUTS (the slowest backend, kept as a reference)."""
    return pm.sample(
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=settings.n_cores,
        random_seed=seed,
        nuts_sampler="pymc",
        target_accept=settings.target_accept,
        progressbar=progress,
        quiet=not progress,
        model=model,
    )


def compile_nutpie(model: pm.Model, *, key: Hashable | None = None):
    """Compile ``model`` for nutpie (numba), or reuse a cached compilation of the same graph.

    A cache hit swaps in ``model``'s data-container values with ``with_data``.
    """
    import nutpie

    if key is not None and key in _COMPILED:
        values = {var.name: var.get_value() for var in model.data_vars}
        return _COMPILED[key].with_data(**values)
    compiled = nutpie.compile_pymc_model(model)
    if key is not None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = compiled
    return compiled


def relabel(idata: xr.DataTree, model: pm.Model) -> xr.DataTree:
    """Give the posterior ``model``'s coordinate labels (a cached compilation keeps its own)."""
    posterior = idata["posterior"].to_dataset()
    labels = {dim: list(values) for dim, values in model.coords.items() if dim in posterior.dims}
    if labels:
        idata = idata.copy()
        idata["posterior"] = posterior.assign_coords(labels)
    return idata


class GraphReuser:
    """One design's PyMC graph, set up once and re-run on new scores (simulation studies)."""

    def __init__(self, design: BetaDesign, settings: SamplerSettings) -> None:
        self.settings = settings
        self.model = build_model(design)
        self.compiled = None if settings.sampler == "pymc" else compile_nutpie(self.model)

    def sample(self, design: BetaDesign, seed: int) -> xr.DataTree:
        """Posterior of ``design`` (same design, new scores)."""
        if self.compiled is None:
            with self.model:
                pm.set_data({"score_obs": design.response()})
            return sample_pymc(self.model, self.settings, seed, progress=False)
        compiled = self.compiled.with_data(score_obs=design.response())
        return run_nutpie(compiled, self.settings, seed, progress=False)
