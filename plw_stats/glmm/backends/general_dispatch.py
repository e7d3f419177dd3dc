"""The one place that chooses the MCMC backend of a general beta GLMM (``eta = X·b + Z·r``).

The counterpart of :mod:`.dispatch` (the one-knob model) for models given as a
:class:`~.general_spec.GeneralGlmm`, such as the two-knob response surfaces of
:mod:`plw_stats.surface`.  Backends, by ``SamplerSettings.sampler``:

``native`` (default)
    nutpie's NUTS on the hand-written log density (:mod:`.general_kernel`) through C callbacks
    (:mod:`.general_callbacks`); compiled once into numba's disk cache.
``nutpie``
    nutpie on the compiled PyMC graph (:mod:`.general_graph`); compiled once per process and
    shape.
``pymc``
    PyMC's own NUTS on the same graph.

The native kernel implements every parameterisation of :mod:`.general_terms`, so it serves every
model this module takes.  When nutpie's C-callback interface is missing, the native log density
runs as a Python callback; that fallback raises a :class:`~plw_stats.errors.SamplerFallbackWarning`
once per process and is recorded in the returned notes.
"""

from __future__ import annotations

import dataclasses

from plw_stats.glmm.backends.dispatch import Draws, warn_once
from plw_stats.glmm.backends.general_callbacks import compile_general, python_callback_model
from plw_stats.glmm.backends.general_draws import expand_draws
from plw_stats.glmm.backends.general_spec import GeneralGlmm, GeneralProblem
from plw_stats.glmm.backends.native import PYTHON_CALLBACK_NOTE
from plw_stats.glmm.backends.nutpie_model import NativeUnavailable
from plw_stats.glmm.backends.run import run_nutpie, sample_theta
from plw_stats.glmm.backends.settings import SamplerSettings


def sample_general(
    glmm: GeneralGlmm, settings: SamplerSettings, seed: int, *, progress: bool = False
) -> Draws:
    """Sample the posterior of ``glmm`` with the backend ``settings`` asks for.

    The same model, settings and seed give identical draws.  The posterior has the variables of
    :func:`.general_graph.build_general_model` whichever backend ran.
    """
    notes: tuple[str, ...] = ()
    if settings.sampler == "native":
        idata, fallback = _sample_native(glmm, settings, int(seed), progress=progress)
        notes += (fallback,) if fallback else ()
    else:
        idata = _sample_graph(glmm, settings, int(seed), progress=progress)
    warn_once(notes)
    return Draws(idata=idata, backend=settings.sampler, notes=notes)


def _sample_native(glmm: GeneralGlmm, settings: SamplerSettings, seed: int, *, progress: bool):

    problem = GeneralProblem.from_glmm(glmm)
    fallback = None
    try:
        compiled = compile_general(problem)
    except NativeUnavailable:
        compiled = python_callback_model(problem)
        fallback = PYTHON_CALLBACK_NOTE
    trace = sample_theta(compiled, settings, seed, progress=progress)
    return trace.datatree(expand_draws(problem, trace.theta, seed)), fallback


def _sample_graph(glmm: GeneralGlmm, settings: SamplerSettings, seed: int, *, progress: bool):
    from plw_stats.glmm.backends.general_graph import build_general_model
    from plw_stats.glmm.backends.pymc_graph import compile_nutpie, relabel, sample_pymc

    model = build_general_model(glmm)
    if settings.sampler == "pymc":
        return sample_pymc(model, settings, seed, progress=progress)
    compiled = compile_nutpie(model, key=("general", *glmm.graph_key()))
    chosen = dataclasses.replace(settings, sampler="nutpie")
    return relabel(run_nutpie(compiled, chosen, seed, progress=progress), model)
