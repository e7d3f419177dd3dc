"""Bootstrap intervals for the GAM's optimal PLW: resample runs, refit, read off the optimum.

The paper's Appendix D gives point values only.  Here, each bootstrap replicate resamples whole
*runs* (one fine-tuning run = dataset × pretrained model × PLW, with all its benchmark scores)
with replacement *within each dataset*, so every replicate keeps the design's ratios and number
of runs per dataset while the scores of a run stay together (they share the run's noise).  The
GAM is refitted at the smoothing parameters chosen on the full data (the interval is therefore
conditional on λ, like mgcv's default intervals; this also keeps a replicate at ~10 ms) and the
optimal PLW and flat flag are read off at every ratio of the grid.  The interval is the
equal-tailed percentile interval of the replicate optima.

Relative scores are computed once on the full table; replicates reuse them.  Replicates are
seeded from ``numpy.random.SeedSequence(seed).spawn(n_boot)``, so the result depends on the
seed only, not on the number of parallel jobs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from plw_stats.config import HDI_PROB
from plw_stats.errors import ModelSpecError
from plw_stats.models.gam import GroupDesign, TensorGam, grid_basis, optimum_frame, refit_fixed
from plw_stats.models.gam_result import GamResult

#: Parallel workers used by default (the project's machines have 2 cores).
N_JOBS: int = 2


def bootstrap_optimal(
    result: GamResult,
    n_boot: int = 200,
    *,
    seed: int = 0,
    n_jobs: int = N_JOBS,
    ci_prob: float = HDI_PROB,
) -> GamResult:
    """Add bootstrap percentile intervals of the optimal PLW to a fitted GAM result.

    Parameters
    ----------
    result : GamResult
        A fit from :meth:`plw_stats.models.gam.TensorGam.fit`; it is not modified.
    n_boot : int
        Number of bootstrap replicates (at least 20).
    seed : int
        Non-negative seed; the same seed gives the same intervals whatever ``n_jobs`` is.
    n_jobs : int
        Worker processes (joblib); 1 runs in this process.
    ci_prob : float
        Mass of the equal-tailed interval; defaults to ``config.HDI_PROB``.

    Returns
    -------
    GamResult
        A copy whose ``optimal_table()`` has ``plw_low``, ``plw_high`` and ``flat_share`` (the
        share of replicates in which the ratio was flagged flat).

    Raises
    ------
    ModelSpecError
        On an invalid ``n_boot``, ``seed``, ``n_jobs`` or ``ci_prob``, or if fewer than half of
        the replicates could be fitted.
    """
    _check_args(n_boot, seed, n_jobs, ci_prob)
    draws, n_failed = bootstrap_draws(result, n_boot, seed=seed, n_jobs=n_jobs)
    if n_failed > n_boot // 2:
        raise ModelSpecError(
            f"{n_failed} of {n_boot} bootstrap replicates could not be fitted; the data are too "
            "thin for the tensor basis (add runs or lower n_splines)"
        )
    intervals = percentile_intervals(draws, ci_prob)
    return result.with_intervals(
        intervals, n_boot=int(n_boot), seed=int(seed), ci_prob=float(ci_prob), n_failed=n_failed
    )


def bootstrap_draws(
    result: GamResult, n_boot: int, *, seed: int = 0, n_jobs: int = N_JOBS
) -> tuple[pd.DataFrame, int]:
    """Optimal PLW and flat flag of every replicate, group and ratio.

    Returns
    -------
    tuple of (pandas.DataFrame, int)
        The draws (columns ``replicate``, ``group``, ``ratio``, ``plw``, ``flat``) and the
        number of replicates that failed to fit.
    """
    children = np.random.SeedSequence(seed).spawn(n_boot)
    jobs = [(i, child) for i, child in enumerate(children)]
    chunks = [jobs[k::n_jobs] for k in range(n_jobs)] if n_jobs > 1 else [jobs]
    lams = {name: fit.gam.lam for name, fit in result.fits.items()}
    designs = {name: fit.design for name, fit in result.fits.items()}
    grid = (result.settings.ratio_grid, result.settings.n_points)
    bases = {name: grid_basis(fit.gam, fit.design, *grid) for name, fit in result.fits.items()}
    args = (result.spec, designs, lams, bases, result.settings)
    if n_jobs > 1:
        parts = Parallel(n_jobs=n_jobs)(delayed(_run_chunk)(chunk, *args) for chunk in chunks)
    else:
        parts = [_run_chunk(chunks[0], *args)]
    frames = [frame for part in parts for frame in part[0]]
    failed = sum(part[1] for part in parts)
    if not frames:
        return pd.DataFrame(columns=["replicate", "group", "ratio", "plw", "flat"]), failed
    draws = pd.concat(frames, ignore_index=True).sort_values(["replicate", "group", "ratio"])
    return draws.reset_index(drop=True), failed


def percentile_intervals(draws: pd.DataFrame, ci_prob: float) -> pd.DataFrame:
    """Equal-tailed percentile interval of ``plw`` and share of flat draws per group and ratio."""
    tail = (1.0 - ci_prob) / 2.0
    grouped = draws.groupby(["group", "ratio"], sort=False)
    return pd.DataFrame(
        {
            "plw_low": grouped["plw"].quantile(tail),
            "plw_high": grouped["plw"].quantile(1.0 - tail),
            "flat_share": grouped["flat"].mean().astype(float),
        }
    ).reset_index()


def resample_rows(design: GroupDesign, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one bootstrap sample: runs drawn with replacement within each dataset."""
    order = np.argsort(design.runs, kind="stable")
    bounds = np.searchsorted(design.runs[order], np.arange(design.strata.size + 1))
    drawn = []
    for stratum in np.unique(design.strata):
        members = np.flatnonzero(design.strata == stratum)
        drawn.append(rng.choice(members, size=members.size, replace=True))
    picks = np.concatenate(drawn)
    return np.concatenate([order[bounds[run] : bounds[run + 1]] for run in picks])


def _run_chunk(chunk, spec: TensorGam, designs, lams, bases, settings):
    frames, failed = [], 0
    # Multithreaded BLAS on these small matrices is several times slower than one thread.
    with threadpool_limits(limits=1, user_api="blas"):
        for replicate, child in chunk:
            rng = np.random.default_rng(child)
            try:
                frames.extend(_one_replicate(replicate, rng, spec, designs, lams, bases, settings))
            except (ValueError, np.linalg.LinAlgError):
                failed += 1
    return frames, failed


def _one_replicate(replicate, rng, spec, designs, lams, bases, settings) -> list[pd.DataFrame]:
    frames = []
    for name, design in designs.items():
        rows = resample_rows(design, rng)
        sample = GroupDesign(
            name=name,
            X=design.X[rows],
            y=design.y[rows],
            benchmarks=design.benchmarks,
            runs=design.runs[rows],
            strata=design.strata,
        )
        gam = refit_fixed(spec, sample, lams[name])
        # The flat flag is judged against the full data's score range, as in the point fit.
        table = optimum_frame(
            spec, gam, sample, settings, score_range=design.score_range, basis=bases[name]
        )
        frames.append(table[["group", "ratio", "plw", "flat"]].assign(replicate=replicate))
    return frames


def _check_args(n_boot, seed, n_jobs, ci_prob) -> None:
    if not isinstance(n_boot, int | np.integer) or n_boot < 20:
        raise ModelSpecError(f"n_boot must be an integer >= 20, got {n_boot!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ModelSpecError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(n_jobs, int | np.integer) or n_jobs < 1:
        raise ModelSpecError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
    if not 0 < ci_prob < 1:
        raise ModelSpecError(f"ci_prob must lie in (0, 1), got {ci_prob!r}")
