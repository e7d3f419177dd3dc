"""Fits that heal their divergences: retry with the remedy the diagnostics point to.

A fit whose last sampler run ends with divergent transitions, or with R-hat beyond its
threshold, is re-run with a remedy, at most ``max_retries`` times:

* **small benchmark-slope SD** → the slopes non-centred (``slope = sd_slope · z``), first,
  whatever the trouble: when the slopes vary less between benchmarks than one benchmark's own
  scores can pin a slope down, the centred slopes and their SD form a funnel that NUTS cannot
  cross (divergences, or chains that do not mix).  "Less" is measured on the troubled run: the
  posterior median of ``sd_slope`` below the typical standard error of a benchmark's slope from
  its own rows (Fisher information of the beta likelihood at the fitted κ);
* **divergences** → a higher target acceptance (smaller steps through the curved regions):
  the next of 0.95, 0.99 and 0.995 above the current one; at the ceiling, a longer warm-up
  instead;
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
from scipy.special import polygamma

from plw_stats import mcmc_stats
from plw_stats.errors import ModelSpecError
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
    """Draws of the last attempt, with the settings, seed and design that made them.

    ``design`` is the one-knob design (its slopes may have been made non-centred) or, for a
    surface, the surface design unchanged.
    """

    idata: xr.DataTree
    settings: SamplerSettings
    seed: int
    diagnostics: Diagnostics
    notes: tuple[str, ...] = ()
    design: BetaDesign | None = None


@dataclass(frozen=True)
class Outcome:
    """What one sampler run gave: its result, diagnostics, notes and the medians remedies read."""

    result: Any
    diagnostics: Diagnostics
    notes: tuple[str, ...] = ()
    sd_slope: float | None = None
    kappa: float | None = None


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


def next_remedy(
    design: BetaDesign, settings: SamplerSettings, outcome: Outcome
) -> tuple[BetaDesign, SamplerSettings, str]:
    """Return the design and settings of the next attempt, and a sentence describing the change.

    Non-centred benchmark slopes when their SD is small (module docstring), else
    :func:`next_settings`.
    """
    if outcome.sd_slope is not None and outcome.kappa and design.benchmark_slope == "centered":
        error = slope_standard_error(design, outcome.kappa)
        if outcome.sd_slope < error:
            change = (
                f"benchmark slopes non-centred (sd_slope {outcome.sd_slope:.2g} is below the "
                f"{error:.2g} to which one benchmark's scores pin its slope)"
            )
            return dataclasses.replace(design, benchmark_slope="noncentered"), settings, change
    remedy, change = next_settings(settings, outcome.diagnostics)
    return design, remedy, change


def slope_standard_error(design: BetaDesign, kappa: float) -> float:
    """Median over benchmarks of the standard error of a benchmark's slope from its own rows.

    From the Fisher information of the beta likelihood for the linear predictor,
    ``κ²·(ψ'(μκ) + ψ'((1 − μ)κ))·μ²(1 − μ)²`` per row (Ferrari & Cribari-Neto 2004), with the
    observed score for μ and wp² for the slope's regressor.
    """
    y = design.response()
    # κ²ψ'(μκ)μ²(1 − μ)² written as [x²ψ'(x)]·(1 − μ)² with x = μκ: finite for any μ in (0, 1)
    information = _x2_trigamma(y * kappa) * (1 - y) ** 2 + _x2_trigamma((1 - y) * kappa) * y**2
    information = information * design.wp() ** 2
    by_benchmark = np.bincount(design.benchmark_codes(), weights=information)
    return float(np.median(1.0 / np.sqrt(by_benchmark[by_benchmark > 0])))


def _x2_trigamma(x: np.ndarray) -> np.ndarray:
    """Return ``x²·ψ'(x)``, which tends to 1 as x → 0 (where ψ'(x) alone overflows)."""
    x = np.asarray(x, dtype=float)
    small = x < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0, safe * safe * polygamma(1, safe))


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

    def run(current_design: BetaDesign, current: SamplerSettings, current_seed: int):
        draws = sample_posterior(current_design, current, current_seed, progress=progress)
        posterior = draws.idata["posterior"]
        return Outcome(
            result=draws.idata,
            diagnostics=diagnose(draws.idata, current_design.parameter_names()),
            notes=draws.notes,
            sd_slope=_median(posterior, "sd_slope"),
            kappa=_median(posterior, "kappa"),
        )

    return retry(run, design, settings, seed, max_retries=max_retries).healed()


def _median(draws, name: str) -> float | None:
    """Posterior median of ``name`` in a posterior group or a dict of arrays (None if absent)."""
    return float(np.median(np.asarray(draws[name]))) if name in draws else None


@dataclass(frozen=True)
class Attempts:
    """What a retry loop ended with, and what it cost.

    Attributes
    ----------
    result : object
        What the last attempt's sampler returned.
    design : BetaDesign
        Design of the last attempt (its benchmark slopes may have been made non-centred).
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
    design: BetaDesign
    settings: SamplerSettings
    seed: int
    diagnostics: Diagnostics
    notes: tuple[str, ...]
    attempts: int
    retry_seconds: float
    history: tuple[Diagnostics, ...] = ()

    def healed(self) -> HealedDraws:
        """Return the last attempt as :class:`HealedDraws` (its ``result`` is a DataTree)."""
        return HealedDraws(
            idata=self.result,
            settings=self.settings,
            seed=self.seed,
            diagnostics=self.diagnostics,
            notes=self.notes,
            design=self.design,
        )


def retry(
    run: Callable[[BetaDesign, SamplerSettings, int], Outcome],
    design: BetaDesign,
    settings: SamplerSettings,
    seed: int,
    *,
    max_retries: int | None = None,
) -> Attempts:
    """Call ``run(design, settings, seed)``, retrying with remedies while there is trouble.

    ``max_retries`` defaults to :data:`MAX_RETRIES`; 0 samples once.
    """
    max_retries = MAX_RETRIES if max_retries is None else max_retries
    if isinstance(max_retries, bool) or not isinstance(max_retries, int | np.integer):
        raise ModelSpecError(f"retries must be a non-negative integer, got {max_retries!r}")
    if max_retries < 0:
        raise ModelSpecError(f"retries must be a non-negative integer, got {max_retries!r}")
    notes: list[str] = []
    history: list[Diagnostics] = []
    current_design, current, current_seed, retry_seconds = design, settings, int(seed), 0.0
    for attempt in range(max_retries + 1):
        start = time.perf_counter()
        outcome = run(current_design, current, current_seed)
        retry_seconds += (time.perf_counter() - start) if attempt else 0.0
        diag = outcome.diagnostics
        history.append(diag)
        notes.extend(n for n in outcome.notes if n not in notes)
        if not needs_retry(diag) or attempt == max_retries:
            break
        current_design, current, change = next_remedy(current_design, current, outcome)
        notes.append(f"attempt {attempt + 1}: {'; '.join(diag.problems())}; retried with {change}")
        current_seed = retry_seed(seed, attempt + 1)
    return Attempts(
        result=outcome.result,
        design=current_design,
        settings=current,
        seed=current_seed,
        diagnostics=diag,
        notes=tuple(notes),
        attempts=attempt + 1,
        retry_seconds=retry_seconds,
        history=tuple(history),
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

    def run(current_design: BetaDesign, current: SamplerSettings, current_seed: int):
        raw, notes = sampler.sample_arrays(current_design, current_seed, settings=current)
        return Outcome(
            result=raw,
            diagnostics=diagnose_arrays(raw.draws, raw.divergences),
            notes=notes,
            sd_slope=_median(raw.draws, "sd_slope"),
            kappa=_median(raw.draws, "kappa"),
        )

    return retry(run, design, sampler.settings, seed, max_retries=max_retries)


def diagnose_arrays(draws: dict[str, np.ndarray], divergences: int) -> Diagnostics:
    """R-hat (max) and bulk ESS (min) over (chain, draw) arrays, as :func:`diagnose` computes."""
    rhat = [float(np.nanmax(mcmc_stats.rhat(d, chain_axis=0, draw_axis=1))) for d in draws.values()]
    ess = [float(np.nanmin(mcmc_stats.ess(d, chain_axis=0, draw_axis=1))) for d in draws.values()]
    return Diagnostics(rhat_max=max(rhat), ess_bulk_min=min(ess), divergences=int(divergences))
