"""The default backend: nutpie's NUTS on plw-stats' hand-written log density.

The log density (:mod:`plw_stats.glmm.backends.kernel`) reaches nutpie as C callbacks
(:mod:`plw_stats.glmm.backends.callbacks`), so chains run in parallel without the GIL.  If
nutpie's internals differ from what the callbacks were written against, the log density is handed
over as a Python callback instead — the same draws, several times slower; the caller is told so
(a warning and a note on the result).

Simulation studies fit thousands of datasets and read a few scalar parameters of each:
:func:`sample_native_arrays` returns those draws as plain arrays, skipping the DataTree (the same
draws as :func:`sample_native` for the same seed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from plw_stats.glmm.backends.callbacks import compile_native
from plw_stats.glmm.backends.kernel import NativeProblem, log_density
from plw_stats.glmm.backends.nutpie_model import NativeUnavailable
from plw_stats.glmm.backends.nutpie_model import python_callback_model as _pyfunc_model
from plw_stats.glmm.backends.run import sample_theta
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign

PYTHON_CALLBACK_NOTE = (
    "nutpie's C-callback interface was not available; the native log density ran as a Python "
    "callback (same draws, several times slower)"
)


@dataclass(frozen=True)
class RawDraws:
    """Draws of the scalar parameters as arrays, without a DataTree (simulation studies).

    Attributes
    ----------
    draws : dict of str to numpy.ndarray
        Each of the design's :meth:`~plw_stats.glmm.design.BetaDesign.parameter_names`, shape
        (chain, draw).
    divergences : int
        Divergent transitions after warm-up.
    fallback : str or None
        What the backend had to fall back on, in plain words.
    """

    draws: dict[str, np.ndarray]
    divergences: int
    fallback: str | None = None


@dataclass(frozen=True)
class NativeDraws:
    """A native fit's DataTree and what the backend had to fall back on."""

    idata: xr.DataTree
    fallback: str | None = None


def sample_native(
    design: BetaDesign, settings: SamplerSettings, seed: int, *, progress: bool
) -> NativeDraws:
    """Sample ``design``'s posterior with nutpie on the hand-written log density.

    The posterior has the same variables as the PyMC model's (:mod:`plw_stats.glmm.graph`).
    """
    problem = NativeProblem.from_spec(design)
    compiled, fallback = _compile(problem)
    trace = sample_theta(compiled, settings, seed, progress=progress)
    idata = trace.datatree(expand_draws(problem, trace.theta, seed))
    return NativeDraws(idata=idata, fallback=fallback)


def sample_native_arrays(design: BetaDesign, settings: SamplerSettings, seed: int) -> RawDraws:
    """Sample as :func:`sample_native` does and return only the scalar parameters' draws.

    No DataTree is built: the same draws as :func:`sample_native` for the same seed.
    """
    problem = NativeProblem.from_spec(design)
    compiled, fallback = _compile(problem)
    trace = sample_theta(compiled, settings, seed, progress=False)
    named = draw_arrays(problem, trace.theta, seed)
    draws = {name: named[name][1] for name in design.parameter_names()}
    return RawDraws(draws=draws, divergences=trace.divergences, fallback=fallback)


def _compile(problem: NativeProblem):
    """Return the C-callback model of ``problem``, or the Python-callback one and its note."""
    try:
        return compile_native(problem), None
    except NativeUnavailable:
        return python_callback_model(problem), PYTHON_CALLBACK_NOTE


def python_callback_model(problem: NativeProblem):
    """Wrap the log density as a Python callback (slower: the GIL serialises the chains)."""
    args = (*problem.cell_arrays(), problem.consts, problem.layout)
    return _pyfunc_model(
        problem.n_dim, lambda theta: log_density(theta, *args), problem.initial_point
    )


def expand_draws(problem: NativeProblem, theta: np.ndarray, seed: int) -> xr.Dataset:
    """Name the raw draws (chain, draw, k) as the PyMC model names its posterior variables."""
    coords = {
        "chain": np.arange(theta.shape[0]),
        "draw": np.arange(theta.shape[1]),
        "benchmark": problem.benchmarks,
        "pretrained": problem.models,
    }
    dataset = xr.Dataset(draw_arrays(problem, theta, seed), coords=coords)
    return dataset.drop_vars([c for c in ("benchmark", "pretrained") if c not in dataset.dims])


def draw_arrays(problem: NativeProblem, theta: np.ndarray, seed: int) -> dict[str, tuple]:
    """Posterior variables of the raw draws as ``name -> (dims, array)``, PyMC's names."""
    n_models, n_bench, level_start, slope_start, quadratic, noncentred = (
        int(v) for v in problem.layout
    )
    cd = ("chain", "draw")
    out = {"kappa": (cd, np.exp(theta[..., -1]))}
    if quadratic:
        b = theta[..., :2] @ problem.rotation_inverse.T
        out |= {
            "coef_rotated": ((*cd, "coef_rotated_dim_0"), theta[..., :2]),
            "wp": (cd, b[..., 0]),
            "wp2": (cd, b[..., 1]),
        }
    else:
        b = np.zeros((*theta.shape[:2], 2))
    if n_models > 1:
        out |= _model_levels(problem, theta, level_start, n_models, seed)
        a0 = out["intercept_centred"][1]
    else:
        a0 = theta[..., level_start]
        out["intercept_centred"] = (cd, a0)
    if n_bench > 1:
        coordinates = theta[..., slope_start : slope_start + n_bench]
        sd_slope = np.exp(theta[..., slope_start + n_bench])
        out["sd_slope"] = (cd, sd_slope)
        out["slope"] = (
            (*cd, "benchmark"),
            coordinates * (sd_slope[..., None] if noncentred else 1),
        )
        if noncentred:
            out["z_slope"] = ((*cd, "benchmark"), coordinates)
    means = problem.wp_means
    out["intercept"] = (cd, a0 - b[..., 0] * means[0] - b[..., 1] * means[1])
    return out


def _model_levels(problem: NativeProblem, theta, start: int, n_models: int, seed: int) -> dict:
    """Model levels, their sd, and the grand intercept drawn from its exact conditional."""
    cd = ("chain", "draw")
    levels = theta[..., start : start + n_models]
    sd_model = np.exp(theta[..., start + n_models])
    s0 = problem.intercept_sd
    precision = 1.0 / s0**2 + n_models / sd_model**2
    z0 = np.random.default_rng([seed, 7]).standard_normal(sd_model.shape)
    a0 = levels.sum(axis=-1) / sd_model**2 / precision + z0 / np.sqrt(precision)
    return {
        "model_level": ((*cd, "pretrained"), levels),
        "sd_model": (cd, sd_model),
        "z_intercept": (cd, z0),
        "intercept_centred": (cd, a0),
        "model_offset": ((*cd, "pretrained"), levels - a0[..., None]),
    }
