"""The calls into nutpie's NUTS, shared by the native and the PyMC-graph backends.

:func:`run_nutpie` samples a model compiled by nutpie itself (the PyMC graph, a Python callback)
through ``nutpie.sample``.  :func:`sample_theta` samples a C-callback model
(:class:`~.nutpie_model.CallbackModel`) through nutpie's compiled core directly, with the same
settings ``nutpie.sample`` would make (the same seed gives the same draws): importing nutpie's
Python layer imports ArviZ, arviz-plots and matplotlib, about a second of every ``plw-stats fit``
that uses none of them.  Both return the draws as a :class:`ThetaTrace`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np

from plw_stats.glmm.backends.nutpie_model import CallbackModel, nutpie_lib
from plw_stats.glmm.backends.settings import SamplerSettings

#: How often (ms) the terminal progress bar is redrawn; nutpie's own default.
PROGRESS_RATE_MS = 100


@dataclass(frozen=True)
class ThetaTrace:
    """Post-warm-up draws of one flat parameter vector and nutpie's per-draw statistics.

    Attributes
    ----------
    theta : numpy.ndarray
        Draws, shape (chain, draw, parameter).
    stats : dict of str to numpy.ndarray
        nutpie's scalar sample statistics (``diverging``, ``energy``, ``step_size``,
        ``depth``, ...), each of shape (chain, draw).
    """

    theta: np.ndarray
    stats: dict[str, np.ndarray]

    @property
    def divergences(self) -> int:
        """Divergent transitions after warm-up."""
        return int(self.stats["diverging"].sum())

    def sample_stats(self):
        """Return the statistics as an ``xarray.Dataset`` (dimensions ``chain``, ``draw``)."""
        import xarray as xr

        chains, draws = self.theta.shape[:2]
        coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
        variables = {name: (("chain", "draw"), values) for name, values in self.stats.items()}
        return xr.Dataset(variables, coords=coords, attrs={"inference_library": "nutpie"})

    def datatree(self, posterior):
        """Return the fit's DataTree: ``posterior`` (the named draws) and the sample stats."""
        import xarray as xr

        return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": self.sample_stats()})


def run_nutpie(compiled, settings: SamplerSettings, seed: int, *, progress: bool, **extra):
    """Run ``nutpie.sample`` on a model nutpie compiled and return its DataTree.

    ``extra`` options go to ``nutpie.sample`` unchanged (``return_raw_trace=True`` returns
    nutpie's raw trace instead of a DataTree).
    """
    import nutpie

    return nutpie.sample(
        compiled,
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=settings.n_cores,
        seed=seed,
        target_accept=settings.target_accept,
        progress_bar=progress,
        save_warmup=False,
        adaptation=settings.adaptation,
        **extra,
    )


def sample_theta(model, settings: SamplerSettings, seed: int, *, progress: bool) -> ThetaTrace:
    """Sample a flat-vector model (a C or a Python callback) and return its draws.

    In a notebook with a progress bar, ``nutpie.sample`` runs instead (its HTML progress); the
    settings, and so the draws, are the same.
    """
    if isinstance(model, CallbackModel) and not (progress and _in_notebook()):
        trace = _sample_callback(model, settings, seed, progress=progress)
    else:
        trace = run_nutpie(model, settings, seed, progress=progress, return_raw_trace=True)
    return read_raw_trace(trace, settings.chains)


def _sample_callback(model: CallbackModel, settings: SamplerSettings, seed: int, *, progress):
    """Do what ``nutpie.sample(..., return_raw_trace=True)`` does, without its Python layer."""
    lib = nutpie_lib()
    maker = {"low_rank": lib.PyNutsSettings.LowRank, "diag": lib.PyNutsSettings.Diag}
    nuts = maker[settings.adaptation](seed)
    nuts.update(
        {
            "target_accept": settings.target_accept,
            "num_tune": settings.tune,
            "num_draws": settings.draws,
            "num_chains": settings.chains,
        }
    )
    progress_type = (
        lib.ProgressType.indicatif(PROGRESS_RATE_MS) if progress else lib.ProgressType.none()
    )
    sampler = lib.PySampler.from_pymc(
        nuts,
        settings.n_cores,
        model.make_model(),
        progress_type,
        None,
        PROGRESS_RATE_MS,
        lib.PyStorage.arrow(),
    )
    try:
        sampler.wait(None)
    except BaseException:
        sampler.abort()
        raise
    return sampler.take_results()


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules and "PYTEST_CURRENT_TEST" not in os.environ


def read_raw_trace(trace, chains: int) -> ThetaTrace:
    """Post-warm-up draws and scalar statistics of nutpie's raw (Arrow) trace.

    Raises
    ------
    ValueError
        If the trace does not hold ``chains`` chains.
    """
    import pyarrow as pa

    draw_batches, stat_batches = trace.get_arrow_trace()
    if len(draw_batches) != chains or len(stat_batches) != chains:
        raise ValueError(f"raw trace has {len(draw_batches)} chains, expected {chains}")
    thetas, per_chain = [], []
    for draws, stats in zip(draw_batches, stat_batches, strict=True):
        draws, stats = pa.record_batch(draws), pa.record_batch(stats)
        kept = ~stats.column("tuning").to_numpy(zero_copy_only=False)
        theta = draws.column("theta").flatten().to_numpy().reshape(draws.num_rows, -1)
        thetas.append(theta[kept])
        per_chain.append(_scalar_columns(stats, kept))
    names = [name for name in per_chain[0] if all(name in chain for chain in per_chain)]
    stats = {name: np.stack([chain[name] for chain in per_chain]) for name in names}
    return ThetaTrace(theta=np.stack(thetas), stats=stats)


def _scalar_columns(stats, kept: np.ndarray) -> dict[str, np.ndarray]:
    """Return the statistics with one number per draw (nutpie also stores vectors).

    Statistics that are NaN for every kept draw are left out.
    """
    import pyarrow as pa

    out = {}
    for name, column in zip(stats.column_names, stats.columns, strict=True):
        scalar = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
        if name in ("tuning", "chain", "draw") or not (scalar or pa.types.is_boolean(column.type)):
            continue
        values = column.to_numpy(zero_copy_only=False)[kept]
        if values.dtype.kind == "f" and np.isnan(values).all():
            continue  # a statistic of a feature not in use (e.g. normalising-flow updates)
        out[name] = values
    return out
