"""Simulation studies of the beta mixed model: interval coverage, rank calibration, healing cost.

A study (:class:`~plw_stats.simulation.sources.StudySetup`) simulates many sweeps of one design
from a source of truth — the paper's estimates (``fixed``), the priors (``prior``: simulation-
based calibration) or the whole raw-score pipeline (``pipeline``) — fits each
(:mod:`plw_stats.simulation.fits`) and records per simulation the posterior intervals, the rank
of every true parameter among thinned posterior draws, the sampler's diagnostics and retries.

:func:`run_study` runs the simulations in this process, on local worker processes or on a Dask
cluster (:mod:`plw_stats.workers`).  Each simulation's data and sampler seed come from
``SeedSequence(seed).spawn``, so the table (timing columns aside) depends on the seed alone,
not on where it was computed.  :func:`coverage_table`, :func:`rank_summary` and
:func:`healing_summary` turn the table into the numbers the ``calibrate`` command reports.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from plw_stats.errors import ModelSpecError
from plw_stats.progress import Progress
from plw_stats.simulation.fits import QUANTITIES, TIMING_COLUMNS, fit_simulation
from plw_stats.simulation.ranks import rank_ecdf, uniformity_table
from plw_stats.simulation.sources import (
    PAPER_TRUTH,
    PARAMETERS,
    SOURCES,
    StudySetup,
    prior_truth,
    simulate_scores,
)
from plw_stats.workers import run_tasks

__all__ = [
    "PAPER_TRUTH",
    "SOURCES",
    "TIMING_COLUMNS",
    "StudySetup",
    "coverage_table",
    "healing_summary",
    "prior_truth",
    "rank_ecdf_table",
    "rank_summary",
    "run_study",
    "simulate_scores",
]


def run_study(
    setup: StudySetup,
    n_sims: int,
    *,
    seed: int = 0,
    n_jobs: int = 1,
    scheduler=None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Simulate and fit ``n_sims`` sweeps; return the per-simulation table.

    Parameters
    ----------
    setup : StudySetup
        Design, truth source, sampler settings and interval mass.
    n_sims : int
        Number of simulated sweeps (one fit each, plus its retries).
    seed : int
        Seed of the whole study; the same seed gives the same table (timings aside) on one
        core, on local workers and on a cluster.
    n_jobs : int
        Local worker processes when there is no scheduler; each runs its chains one after
        another on one core.
    scheduler : str or dask.distributed.Client, optional
        A Dask scheduler address (or client): the fits run on its workers.
    progress : Progress, optional
        Advanced once per finished simulation.

    Returns
    -------
    pandas.DataFrame
        One row per simulation: ``simulation``, ``redraws``; ``true_*``, ``*_mean``, ``*_low``,
        ``*_high`` and ``rank_*`` of intercept, b1, b2, kappa, sd_slope, sd_model (and the
        first four of plw); ``prob_b2_negative``, ``prob_interior_max``, ``ml_p_value``; the
        final ``divergences``, ``divergences_first`` (first attempt), ``rhat_max``,
        ``ess_bulk_min``, ``attempts``, ``noncentred_slopes`` (the retries made the benchmark
        slopes non-centred); and the timings ``fit_seconds``, ``retry_seconds``,
        ``ml_seconds``.
    """
    if not isinstance(n_sims, int) or n_sims < 1:
        raise ModelSpecError(f"n_sims must be a positive integer, got {n_sims!r}")
    total = setup.settings.chains * setup.settings.draws
    if setup.rank_draws > total:
        raise ModelSpecError(
            f"rank_draws ({setup.rank_draws}) exceeds the draws of a fit ({total}); "
            "lower rank_draws or draw more"
        )
    # parallel over simulations, chains sequential in each worker (also for one worker, so
    # that the table does not depend on where it runs)
    setup = dataclasses.replace(setup, settings=dataclasses.replace(setup.settings, cores=1))
    seqs = np.random.SeedSequence(seed).spawn(n_sims)
    tasks = [(setup, i, seq) for i, seq in enumerate(seqs)]
    rows = run_tasks(fit_simulation, tasks, n_jobs=n_jobs, scheduler=scheduler, progress=progress)
    return pd.DataFrame(rows)


def coverage_table(table: pd.DataFrame) -> pd.DataFrame:
    """Interval coverage of every quantity whose truth is known.

    Returns
    -------
    pandas.DataFrame
        Index: ``b1, b2, plw`` then ``intercept, kappa, sd_slope, sd_model`` where the table
        has a truth for them; columns ``n`` (simulations counted; for PLW*, those whose truth
        has an interior maximum), ``coverage`` (share of intervals containing the truth; a
        missing PLW* interval counts as a miss), ``mc_se`` (its binomial Monte Carlo standard
        error), ``mean_width`` (over existing intervals) and ``bias`` (mean of posterior mean
        minus truth).
    """
    rows = {}
    order = ["b1", "b2", "plw", *(q for q in QUANTITIES if q not in ("b1", "b2", "plw"))]
    for name in order:
        if f"true_{name}" not in table:
            continue
        truth = table[f"true_{name}"]
        valid = truth.notna()
        if not valid.any() and name not in ("b1", "b2", "plw"):
            continue
        low, high = table.loc[valid, f"{name}_low"], table.loc[valid, f"{name}_high"]
        covered = ((low <= truth[valid]) & (truth[valid] <= high)).to_numpy(float)
        n = int(valid.sum())
        share = float(covered.mean()) if n else np.nan
        rows[name] = {
            "n": n,
            "coverage": share,
            "mc_se": float(np.sqrt(share * (1 - share) / n)) if n else np.nan,
            "mean_width": float((high - low).mean()) if n else np.nan,
            "bias": float((table.loc[valid, f"{name}_mean"] - truth[valid]).mean()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def rank_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Return the ranks of the truth, one column per parameter with any known truth."""
    columns = {name: table[f"rank_{name}"] for name in PARAMETERS if f"rank_{name}" in table}
    return pd.DataFrame({k: v for k, v in columns.items() if v.notna().any()})


def rank_summary(table: pd.DataFrame, rank_draws: int, prob: float = 0.95) -> pd.DataFrame:
    """Rank-uniformity tests per parameter (see :func:`~.ranks.uniformity_table`)."""
    return uniformity_table(rank_columns(table), rank_draws, prob)


def rank_ecdf_table(table: pd.DataFrame, rank_draws: int, prob: float = 0.95) -> pd.DataFrame:
    """ECDF differences of the ranks with their simultaneous bands, ready to plot."""
    return rank_ecdf(rank_columns(table), rank_draws, prob)


def healing_summary(table: pd.DataFrame) -> dict:
    """Summarise what the retries did: divergent fits before and after, retries, their time.

    Returns
    -------
    dict
        ``fits``, ``fits_with_divergences`` (final), ``fits_with_divergences_first`` (before
        any retry), ``divergences`` (final, total), ``retried_fits``, ``retries``,
        ``noncentred_fits`` (fits that ended with non-centred benchmark slopes),
        ``retry_seconds`` and ``fit_seconds`` (summed over fits: the retries' share of the
        sampling time), ``rhat_max``, ``ess_bulk_min`` and ``redraws``.
    """
    return {
        "fits": len(table),
        "fits_with_divergences": int((table["divergences"] > 0).sum()),
        "fits_with_divergences_first": int((table["divergences_first"] > 0).sum()),
        "divergences": int(table["divergences"].sum()),
        "retried_fits": int((table["attempts"] > 1).sum()),
        "retries": int((table["attempts"] - 1).sum()),
        "noncentred_fits": int(table["noncentred_slopes"].sum()),
        "retry_seconds": float(table["retry_seconds"].sum()),
        "fit_seconds": float(table["fit_seconds"].sum()),
        "rhat_max": float(table["rhat_max"].max()),
        "ess_bulk_min": float(table["ess_bulk_min"].min()),
        "redraws": int(table["redraws"].sum()),
    }
