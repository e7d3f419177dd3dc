"""Fits that heal their divergences: retry with the remedy the diagnostics point to.

A fit whose last sampler run ends with divergent transitions, or with R-hat beyond its
threshold, is re-run with a remedy, at most ``max_retries`` times:

* **divergences** → a higher target acceptance (smaller steps through the curved regions):
  0.95 → 0.99 → 0.995; at the ceiling, a longer warm-up instead;
* **R-hat trouble** without divergences → twice the warm-up and the draws.

A bulk ESS below its threshold alone is not retried: it follows from the number of draws the
user asked for, and is reported with the advice to draw more.

Each retry is recorded in plain words in the fit's notes; a problem is reported only if the last
attempt still has one.  Retries use seeds derived from the fit's seed, so the whole sequence is
reproducible.

:func:`retry` is the loop itself, for any way of sampling; :func:`sample_healed` runs it on one
dataset through the dispatch, :func:`sample_arrays_healed` on the many datasets of a simulation
study through a :class:`~plw_stats.glmm.backends.dispatch.ReusableSampler` (plain arrays, no
DataTree).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from arviz_stats.base import array_stats

from plw_stats.glmm.backends.dispatch import ReusableSampler, sample_posterior
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.posterior import Diagnostics, diagnose

#: Target acceptance rates tried, in order, when divergences remain.
TARGET_LADDER = (0.95, 0.99, 0.995)
#: Retries after the first attempt.
MAX_RETRIES = 2


@dataclass(frozen=True)
class HealedDraws:
    """Draws of the last attempt, with the settings and seed that made them."""

    idata: xr.DataTree
    settings: SamplerSettings
    seed: int
    diagnostics: Diagnostics
    notes: tuple[str, ...] = ()


def next_settings(settings: SamplerSettings, diag: Diagnostics) -> tuple[SamplerSettings, str]:
    """Return the remedy for ``diag``'s trouble and a sentence describing it."""
    if diag.divergences:
        higher = [t for t in TARGET_LADDER if t > settings.target_accept]
        if higher:
            remedy = dataclasses.replace(settings, target_accept=higher[0])
            return remedy, f"target_accept {settings.target_accept:g} -> {higher[0]:g}"
        remedy = dataclasses.replace(settings, tune=settings.tune * 2)
        return remedy, f"warm-up {settings.tune} -> {remedy.tune} draws"
    remedy = dataclasses.replace(settings, tune=settings.tune * 2, draws=settings.draws * 2)
    return remedy, f"warm-up and draws doubled to {remedy.tune} and {remedy.draws}"


def needs_retry(diag: Diagnostics) -> bool:
    """Whether the diagnostics show trouble a retry can remedy (divergences, R-hat)."""
    return diag.divergences > 0 or diag.rhat_max > diag.rhat_threshold


def retry_seed(seed: int, attempt: int) -> int:
    """Seed of retry ``attempt`` (1, 2, …) of a fit seeded with ``seed``."""
    return int(np.random.SeedSequence([int(seed), 11, attempt]).generate_state(1)[0])


def sample_healed(
    design: BetaDesign,
    settings: SamplerSettings,
    seed: int,
    *,
    progress: bool = False,
    max_retries: int | None = None,
) -> HealedDraws:
    """Sample ``design``, retrying with remedies while the diagnostics show trouble.

    ``max_retries`` defaults to :data:`MAX_RETRIES`; 0 samples once.
    """

    def run(current: SamplerSettings, current_seed: int):
        draws = sample_posterior(design, current, current_seed, progress=progress)
        return draws.idata, diagnose(draws.idata, design.parameter_names()), draws.notes

    done = retry(run, settings, seed, max_retries=max_retries)
    return HealedDraws(
        idata=done.result,
        settings=done.settings,
        seed=done.seed,
        diagnostics=done.diagnostics,
        notes=done.notes,
    )


@dataclass(frozen=True)
class Attempts:
    """What a retry loop ended with, and what it cost.

    Attributes
    ----------
    result : object
        What the last attempt's sampler returned.
    settings : SamplerSettings
        Settings of the last attempt.
    seed : int
        Seed of the last attempt.
    diagnostics : Diagnostics
        Diagnostics of the last attempt.
    notes : tuple of str
        Fallbacks and retries in plain words.
    attempts : int
        Sampler runs (1 when the first was fine).
    retry_seconds : float
        Wall time of the runs after the first.
    history : tuple of Diagnostics
        Diagnostics of every attempt, the first one first.
    """

    result: Any
    settings: SamplerSettings
    seed: int
    diagnostics: Diagnostics
    notes: tuple[str, ...]
    attempts: int
    retry_seconds: float
    history: tuple[Diagnostics, ...] = ()


def retry(
    run: Callable[[SamplerSettings, int], tuple[Any, Diagnostics, tuple[str, ...]]],
    settings: SamplerSettings,
    seed: int,
    *,
    max_retries: int | None = None,
) -> Attempts:
    """Call ``run(settings, seed)``, retrying with remedies while its diagnostics show trouble.

    ``run`` returns (result, diagnostics, notes); ``max_retries`` defaults to
    :data:`MAX_RETRIES`; 0 samples once.
    """
    max_retries = MAX_RETRIES if max_retries is None else max_retries
    notes: list[str] = []
    history: list[Diagnostics] = []
    current, current_seed, retry_seconds = settings, int(seed), 0.0
    for attempt in range(max_retries + 1):
        start = time.perf_counter()
        result, diag, run_notes = run(current, current_seed)
        retry_seconds += (time.perf_counter() - start) if attempt else 0.0
        history.append(diag)
        notes.extend(n for n in run_notes if n not in notes)
        if not needs_retry(diag) or attempt == max_retries:
            break
        remedy, change = next_settings(current, diag)
        notes.append(f"attempt {attempt + 1}: {'; '.join(diag.problems())}; retried with {change}")
        current, current_seed = remedy, retry_seed(seed, attempt + 1)
    return Attempts(
        result,
        current,
        current_seed,
        diag,
        tuple(notes),
        attempt + 1,
        retry_seconds,
        tuple(history),
    )


def sample_arrays_healed(
    sampler: ReusableSampler,
    design: BetaDesign,
    seed: int,
    *,
    max_retries: int | None = None,
) -> Attempts:
    """Sample one dataset of a study through ``sampler``'s fast path, with the retries.

    The result is a :class:`~plw_stats.glmm.backends.native.RawDraws` (scalar parameters as
    arrays); the first attempt uses the sampler's settings.
    """

    def run(current: SamplerSettings, current_seed: int):
        raw, notes = sampler.sample_arrays(design, current_seed, settings=current)
        return raw, diagnose_arrays(raw.draws, raw.divergences), notes

    return retry(run, sampler.settings, seed, max_retries=max_retries)


def diagnose_arrays(draws: dict[str, np.ndarray], divergences: int) -> Diagnostics:
    """R-hat (max) and bulk ESS (min) over (chain, draw) arrays, as :func:`diagnose` computes."""
    rhat = [
        float(np.nanmax(array_stats.rhat(d, chain_axis=0, draw_axis=1))) for d in draws.values()
    ]
    ess = [float(np.nanmin(array_stats.ess(d, chain_axis=0, draw_axis=1))) for d in draws.values()]
    return Diagnostics(rhat_max=max(rhat), ess_bulk_min=min(ess), divergences=int(divergences))
