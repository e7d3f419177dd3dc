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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import xarray as xr

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.dispatch import sample_posterior
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
    max_retries: int = MAX_RETRIES,
) -> HealedDraws:
    """Sample ``design``, retrying with remedies while the diagnostics show trouble.

    ``max_retries`` defaults to :data:`MAX_RETRIES`; 0 samples once.
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int | np.integer):
        raise ModelSpecError(f"retries must be a non-negative integer, got {max_retries!r}")
    if max_retries < 0:
        raise ModelSpecError(f"retries must be a non-negative integer, got {max_retries!r}")
    notes: list[str] = []
    current, current_seed = settings, int(seed)
    for attempt in range(max_retries + 1):
        draws = sample_posterior(design, current, current_seed, progress=progress)
        diag = diagnose(draws.idata, design.parameter_names())
        notes.extend(n for n in draws.notes if n not in notes)
        if not needs_retry(diag) or attempt == max_retries:
            break
        remedy, change = next_settings(current, diag)
        notes.append(f"attempt {attempt + 1}: {'; '.join(diag.problems())}; retried with {change}")
        current, current_seed = remedy, retry_seed(seed, attempt + 1)
    return HealedDraws(
        idata=draws.idata,
        settings=current,
        seed=current_seed,
        diagnostics=diag,
        notes=tuple(notes),
    )
