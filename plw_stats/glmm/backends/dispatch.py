"""The one place that chooses the MCMC backend of a fit, and says when it had to fall back.

Every fit — a user's, the null model of the evidence, each simulation of a calibration or a plan
— samples through :func:`sample_posterior` (one dataset) or :class:`ReusableSampler` (many
datasets of one design).  Backends:

``native`` (default)
    nutpie's NUTS on the hand-written log density (:mod:`.native`); covers centred model levels
    (the default) with centred or non-centred benchmark slopes, quadratic or null, any design.
``nutpie``
    nutpie on the compiled PyMC graph (:mod:`.pymc_graph`); every parameterisation.
``pymc``
    PyMC's own NUTS on the same graph.

A request the native backend cannot serve (non-centred model levels) runs on ``nutpie``;
a missing C-callback interface in nutpie makes the native backend use a Python callback.  Each
fallback raises a :class:`~plw_stats.errors.SamplerFallbackWarning` once per process and is
recorded in the returned notes, which fits keep in their ``notes``.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from dataclasses import dataclass

import xarray as xr

from plw_stats.errors import SamplerFallbackWarning
from plw_stats.glmm.backends.kernel import supports
from plw_stats.glmm.backends.native import RawDraws, sample_native, sample_native_arrays
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign

_WARNED: set[str] = set()


@dataclass(frozen=True)
class Draws:
    """Posterior draws of one fit and how they were obtained.

    Attributes
    ----------
    idata : xarray.DataTree
        Posterior and sample stats.
    backend : str
        The backend that actually ran (``native``, ``nutpie`` or ``pymc``).
    notes : tuple of str
        Fallbacks taken, in plain words (empty when the request ran as asked).
    """

    idata: xr.DataTree
    backend: str
    notes: tuple[str, ...] = ()


def resolve_backend(design: BetaDesign, settings: SamplerSettings) -> tuple[str, tuple[str, ...]]:
    """Backend that will sample ``design`` under ``settings``, and the note of any fallback."""
    if settings.sampler == "native" and not supports(design):
        note = (
            f"sampler 'native' implements centred model levels only; dataset "
            f"{design.name!r} (model_intercept={design.model_intercept}, "
            f"benchmark_slope={design.benchmark_slope}) was sampled by nutpie on the PyMC graph"
        )
        return "nutpie", (note,)
    return settings.sampler, ()


def sample_posterior(
    design: BetaDesign, settings: SamplerSettings, seed: int, *, progress: bool = False
) -> Draws:
    """Sample the posterior of ``design`` with the backend ``settings`` asks for (or its fallback).

    The same design, settings and seed give identical draws.
    """
    backend, notes = resolve_backend(design, settings)
    if backend == "native":
        result = sample_native(design, settings, int(seed), progress=progress)
        idata = result.idata
        notes += (result.fallback,) if result.fallback else ()
    else:
        from plw_stats.glmm.backends.pymc_graph import sample_graph

        chosen = dataclasses.replace(settings, sampler=backend)
        idata = sample_graph(design, chosen, int(seed), progress=progress)
    warn_once(notes)
    return Draws(idata=idata, backend=backend, notes=notes)


class ReusableSampler:
    """A sampler for many datasets of one design, set up once (simulation studies).

    The native backend needs no set-up; the graph backends compile the PyMC model once per
    parameterisation and re-run it on each dataset's scores.

    Parameters
    ----------
    design : BetaDesign
        A design of the studies' shape (any scores); later calls only swap the scores (or, for a
        retry, the benchmark slopes' parameterisation).
    settings : SamplerSettings
        Sampler settings of every fit.
    """

    def __init__(self, design: BetaDesign, settings: SamplerSettings) -> None:
        self.settings = settings
        self.backend, self.notes = resolve_backend(design, settings)
        self._graphs: dict[tuple, object] = {}
        if self.backend != "native":
            self._graph_for(design)

    def _graph_for(self, design: BetaDesign):
        """Return the compiled graph of the shape and parameterisation of ``design``."""
        key = design.graph_key()
        if key not in self._graphs:
            from plw_stats.glmm.backends.pymc_graph import GraphReuser

            chosen = dataclasses.replace(self.settings, sampler=self.backend)
            self._graphs[key] = GraphReuser(design, chosen)
        return self._graphs[key]

    def sample(self, design: BetaDesign, seed: int) -> Draws:
        """Posterior of ``design`` (same shape as the set-up design, new scores)."""
        if self.backend != "native":
            idata = self._graph_for(design).sample(design, int(seed))
            notes = self.notes
        else:
            result = sample_native(design, self.settings, int(seed), progress=False)
            idata = result.idata
            notes = self.notes + ((result.fallback,) if result.fallback else ())
        warn_once(notes)
        return Draws(idata=idata, backend=self.backend, notes=notes)

    def sample_arrays(
        self, design: BetaDesign, seed: int, *, settings: SamplerSettings | None = None
    ) -> tuple[RawDraws, tuple[str, ...]]:
        """Draws of the scalar parameters as arrays, and the fallback notes (studies' fast path).

        ``settings`` overrides the set-up settings for this fit only (a retry's higher target
        acceptance or longer warm-up); the graph stays compiled.  The native backend skips the
        DataTree; the same seed gives the same draws as :meth:`sample`.
        """
        chosen = settings or self.settings
        if self.backend == "native":
            raw = sample_native_arrays(design, chosen, int(seed))
            notes = self.notes + ((raw.fallback,) if raw.fallback else ())
        else:
            graph = self._graph_for(design)
            if chosen != self.settings:
                graph = copy.copy(graph)
                graph.settings = dataclasses.replace(chosen, sampler=self.backend)
            idata = graph.sample(design, int(seed))
            posterior = idata["posterior"]
            names = design.parameter_names()
            raw = RawDraws(
                draws={n: posterior[n].transpose("chain", "draw").to_numpy() for n in names},
                divergences=int(idata["sample_stats"]["diverging"].sum()),
            )
            notes = self.notes
        warn_once(notes)
        return raw, notes


def warn_once(notes: tuple[str, ...]) -> None:
    """Warn about each fallback note once per process."""
    for note in notes:
        if note not in _WARNED:
            _WARNED.add(note)
            warnings.warn(note, SamplerFallbackWarning, stacklevel=3)
