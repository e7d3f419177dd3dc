"""One simulation of a study: simulate, fit (with the healing retries), summarise in one row.

Fits go through the one sampler dispatch — a :class:`~plw_stats.glmm.backends.dispatch.
ReusableSampler`, created once per worker process and kept (:func:`study_sampler`), so a worker
that runs many simulations loads the native kernel (or compiles the PyMC graph) once — and
through :func:`~plw_stats.glmm.healing.sample_arrays_healed`, which retries a fit whose
diagnostics show trouble exactly as a user's fit is retried.  Only the scalar parameters' draws
are read, as plain arrays: no DataTree, no summary the study does not use.
"""

from __future__ import annotations

import time

import numpy as np

from plw_stats.errors import PlwStatsError
from plw_stats.glmm.backends.dispatch import ReusableSampler
from plw_stats.glmm.healing import sample_arrays_healed
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.posterior import summarize, summarize_critical
from plw_stats.simulation.ranks import rank_of, thin
from plw_stats.simulation.sources import (
    PARAMETERS,
    StudySetup,
    simulate,
    template_design,
)

#: Study quantities with a posterior interval: the scalar parameters and PLW*.
QUANTITIES = (*PARAMETERS, "plw")
#: Per-simulation columns that measure time (they differ between runs of the same seed).
TIMING_COLUMNS = ("fit_seconds", "retry_seconds", "ml_seconds")
#: Reusable samplers of this process, by what fixes them.
_SAMPLERS: dict[tuple, ReusableSampler] = {}
_SAMPLERS_MAX = 4


def study_sampler(setup: StudySetup) -> ReusableSampler:
    """Return the reusable sampler of ``setup``'s design in this process (made on first use)."""
    key = (setup.design, setup.replicates, setup.priors, setup.settings)
    if key not in _SAMPLERS:
        if len(_SAMPLERS) >= _SAMPLERS_MAX:
            _SAMPLERS.pop(next(iter(_SAMPLERS)))
        _SAMPLERS[key] = ReusableSampler(template_design(setup), setup.settings)
    return _SAMPLERS[key]


def fit_simulation(task: tuple[StudySetup, int, np.random.SeedSequence]) -> dict:
    """Simulate one sweep of ``setup``, fit it and return its row of the study table.

    ``task`` is (setup, simulation index, the simulation's own seed sequence); the row depends
    on these alone, wherever it is computed.
    """
    setup, index, seq = task
    rng = np.random.default_rng(seq)
    data = simulate(setup, rng)
    seed = int(rng.integers(2**31))
    start = time.perf_counter()
    healed = sample_arrays_healed(
        study_sampler(setup), data.design, seed, max_retries=setup.max_retries
    )
    fit_seconds = time.perf_counter() - start
    draws = healed.result.draws
    row = {"simulation": index, "redraws": data.redraws}
    row |= {f"true_{name}": data.truth[name] for name in QUANTITIES}
    row |= posterior_columns(setup, draws, data.truth)
    row |= ml_columns(setup, data.design)
    return row | {
        "divergences": healed.diagnostics.divergences,
        "divergences_first": healed.history[0].divergences,
        "rhat_max": healed.diagnostics.rhat_max,
        "ess_bulk_min": healed.diagnostics.ess_bulk_min,
        "attempts": healed.attempts,
        "noncentred_slopes": healed.design.benchmark_slope == "noncentered",
        "fit_seconds": fit_seconds,
        "retry_seconds": healed.retry_seconds,
    }


def posterior_columns(setup: StudySetup, draws: dict, truth: dict) -> dict:
    """Interval, mean and rank of the truth of every study quantity."""
    row = {}
    for name, variable in PARAMETERS.items():
        if variable in draws:
            interval = summarize(draws[variable], setup.prob)
            values = (interval.mean, interval.hdi_low, interval.hdi_high)
            rank = rank_of(truth[name], thin(draws[variable], setup.rank_draws))
        else:
            values, rank = (np.nan,) * 3, np.nan
        row |= dict(zip((f"{name}_mean", f"{name}_low", f"{name}_high"), values, strict=True))
        row[f"rank_{name}"] = rank
    crit = summarize_critical(draws["wp"], draws["wp2"], setup.design.power, setup.prob)
    plw = crit.plw
    return row | {
        "plw_mean": plw.mean if plw else np.nan,
        "plw_low": plw.hdi_low if plw else np.nan,
        "plw_high": plw.hdi_high if plw else np.nan,
        "prob_b2_negative": crit.prob_b2_negative,
        "prob_interior_max": crit.prob_interior_max,
    }


def ml_columns(setup: StudySetup, design) -> dict:
    """Likelihood-ratio p-value of the GLMM's wp terms by maximum likelihood (NaN if skipped)."""
    if not setup.ml_test:
        return {"ml_p_value": np.nan, "ml_seconds": 0.0}
    start = time.perf_counter()
    try:
        p_value = float(fit_ml_design(design).lrt.p_value)
    except (PlwStatsError, ArithmeticError, np.linalg.LinAlgError):
        p_value = np.nan
    return {"ml_p_value": p_value, "ml_seconds": time.perf_counter() - start}
