"""Bootstrap intervals for the GAM's optimal PLW: resample runs, refit, read off the optimum.

The paper's Appendix D gives point values only.  Here, each bootstrap replicate resamples whole
*runs* (one fine-tuning run = dataset × pretrained model × PLW, with all its benchmark scores)
with replacement *within each dataset*, so every replicate keeps the design's ratios and number
of runs per dataset while the scores of a run stay together (they share the run's noise).  The
GAM is refitted at the smoothing parameters chosen on the full data (the interval is therefore
conditional on λ, like mgcv's default intervals) and the optimal PLW and flat flag are read off
at every ratio of the grid.  The interval is the equal-tailed percentile interval of the
replicate optima.

Refitting does not go through pygam: with λ fixed, pygam's ``LinearGAM`` solves the penalised
least-squares problem ``(XᵀX + P + √ε·I) β = Xᵀy`` (``P`` its λ-weighted penalty matrix, ``√ε``
the ridge it adds for conditioning).  The spline bases have edge knots fixed by the
specification and a replicate only repeats or drops whole rows, so its model matrix is a row
selection of the full one; :class:`GroupSolver` builds ``X``, ``P`` and the grid basis once and
solves that 20-odd-coefficient system per replicate (well under a millisecond), which the tests
check against a pygam refit (:func:`plw_stats.gam.model.refit_fixed`).  Replicates run in
joblib threads (numpy releases the GIL in these solves), so there is no process start-up cost,
or — given a scheduler address — in chunks on a Dask cluster (:mod:`plw_stats.workers`).

Relative scores are computed once on the full table; replicates reuse them.  Replicates are
seeded from ``numpy.random.SeedSequence(seed).spawn(n_boot)``, so the result depends on the
seed only, not on the number of parallel jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
from threadpoolctl import threadpool_limits

from plw_stats.config import HDI_PROB
from plw_stats.errors import ModelSpecError
from plw_stats.gam.design import GamDesign, GroupDesign, GroupFit, OptimumSettings
from plw_stats.gam.optimum import grid_basis, read_optimum
from plw_stats.gam.result import GamResult
from plw_stats.workers import run_tasks

#: Parallel worker threads used by default (the project's machines have 2 cores).
N_JOBS: int = 2
#: Chunks of replicates sent to a Dask cluster.
CLUSTER_CHUNKS: int = 16


def bootstrap_optimal(
    result: GamResult,
    n_boot: int = 200,
    *,
    seed: int = 0,
    n_jobs: int = N_JOBS,
    ci_prob: float = HDI_PROB,
    scheduler=None,
) -> GamResult:
    """Add bootstrap percentile intervals of the optimal PLW to a fitted GAM result.

    Parameters
    ----------
    result : GamResult
        A fit from :meth:`plw_stats.gam.model.TensorGam.fit`; it is not modified.
    n_boot : int
        Number of bootstrap replicates (at least 20).
    seed : int
        Non-negative seed; the same seed gives the same intervals whatever ``n_jobs`` is.
    n_jobs : int
        Worker threads (joblib, threading backend); 1 runs serially.
    ci_prob : float
        Mass of the equal-tailed interval; defaults to ``config.HDI_PROB``.
    scheduler : str or dask.distributed.Client, optional
        A Dask scheduler address (or client): the replicates run on its workers, in chunks;
        the intervals are the same as locally.

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
    draws, n_failed = bootstrap_draws(result, n_boot, seed=seed, n_jobs=n_jobs, scheduler=scheduler)
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
    result: GamResult, n_boot: int, *, seed: int = 0, n_jobs: int = N_JOBS, scheduler=None
) -> tuple[pd.DataFrame, int]:
    """Optimal PLW and flat flag of every replicate, group and ratio.

    Replicates run in ``n_jobs`` local threads, or in chunks on the Dask ``scheduler``; each
    is seeded on its own, so the draws do not depend on where they ran.

    Returns
    -------
    tuple of (pandas.DataFrame, int)
        The draws (columns ``replicate``, ``group``, ``ratio``, ``plw``, ``flat``) and the
        number of replicates that failed to fit.
    """
    _check_args(n_boot, seed, n_jobs, HDI_PROB)
    solvers = [
        GroupSolver.from_fit(fit, result.spec, result.settings) for fit in result.fits.values()
    ]
    children = np.random.SeedSequence(seed).spawn(n_boot)
    jobs = list(enumerate(children))
    n_chunks = n_jobs if scheduler is None else min(CLUSTER_CHUNKS, n_boot)
    tasks = [(jobs[k::n_chunks], solvers, result.spec, result.settings) for k in range(n_chunks)]
    with threadpool_limits(limits=1, user_api="blas"):
        parts = run_tasks(_run_chunk, tasks, n_jobs=n_jobs, scheduler=scheduler, backend="threads")
    rows = [row for part in parts for row in part[0]]
    failed = sum(part[1] for part in parts)
    return _draws_frame(rows, result.settings.ratio_grid), failed


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


@dataclass(frozen=True, eq=False)
class GroupSolver:
    """One group's penalised least-squares problem at fixed λ, set up once for all replicates.

    Attributes
    ----------
    design : GroupDesign
        The full data of the group (runs and strata drive the resampling).
    model : numpy.ndarray
        Dense model matrix of the full data, as pygam builds it (intercept included).
    penalty : numpy.ndarray
        pygam's λ-weighted penalty matrix plus its ``√ε`` ridge.
    tensor : numpy.ndarray
        Indices of the tensor term's coefficients.
    basis : numpy.ndarray
        Tensor basis on the (ratio × PLW or wp) search grid.
    score_range : float
        Range of the full data's scores, the reference of the flat flag.
    """

    design: GroupDesign
    model: np.ndarray
    penalty: np.ndarray
    tensor: np.ndarray
    basis: np.ndarray
    score_range: float

    @classmethod
    def from_fit(cls, fit: GroupFit, spec: GamDesign, settings: OptimumSettings) -> GroupSolver:
        """Build the solver from a group fitted on the full data."""
        terms = fit.gam.terms
        model = terms.build_columns(fit.design.X)
        penalty = terms.build_penalties()
        ridge = np.sqrt(np.finfo(float).eps) * np.eye(penalty.shape[0])
        basis = grid_basis(fit.gam, fit.design, settings.ratio_grid, settings.n_points)
        return cls(
            design=fit.design,
            model=_dense(model),
            penalty=_dense(penalty) + ridge,
            tensor=np.asarray(terms.get_coef_indices(0)),
            basis=_dense(basis),
            score_range=fit.design.score_range,
        )

    def coefficients(self, rows: np.ndarray) -> np.ndarray:
        """Coefficients fitted to the given rows (with repeats) at the fixed λ."""
        x = self.model[rows]
        gram = x.T @ x + self.penalty
        return scipy.linalg.solve(gram, x.T @ self.design.y[rows], assume_a="pos")

    def surface(self, rows: np.ndarray, n_points: int) -> np.ndarray:
        """Tensor effect of the refit on the search grid, shape (ratios, n_points)."""
        beta = self.coefficients(rows)
        return (self.basis @ beta[self.tensor]).reshape(-1, n_points)


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix, dtype=float)


def _run_chunk(task) -> tuple[list[tuple], int]:
    """Fit one chunk of replicates: (chunk, solvers, spec, settings) -> (rows, failures)."""
    chunk, solvers, spec, settings = task
    rows, failed = [], 0
    with threadpool_limits(limits=1, user_api="blas"):
        for replicate, child in chunk:
            rng = np.random.default_rng(child)
            try:
                rows.extend(_one_replicate(replicate, rng, solvers, spec, settings))
            except (ValueError, np.linalg.LinAlgError):
                failed += 1
    return rows, failed


def _one_replicate(replicate, rng, solvers, spec: GamDesign, settings) -> list[tuple]:
    found = []
    for solver in solvers:
        surface = solver.surface(resample_rows(solver.design, rng), settings.n_points)
        plw, _, fraction = read_optimum(spec, surface, solver.score_range)
        found.append((replicate, solver.design.name, plw, fraction < settings.flat_fraction))
    return found


def _draws_frame(rows: list[tuple], ratios) -> pd.DataFrame:
    columns = ["replicate", "group", "ratio", "plw", "flat"]
    if not rows:
        return pd.DataFrame(columns=columns)
    n = len(ratios)
    frame = pd.DataFrame(
        {
            "replicate": np.repeat([r[0] for r in rows], n),
            "group": np.repeat([r[1] for r in rows], n),
            "ratio": np.tile(np.asarray(ratios, dtype=float), len(rows)),
            "plw": np.concatenate([r[2] for r in rows]),
            "flat": np.concatenate([r[3] for r in rows]),
        }
    )
    return frame.sort_values(["replicate", "group", "ratio"], kind="stable").reset_index(drop=True)


def _check_args(n_boot, seed, n_jobs, ci_prob) -> None:
    if not isinstance(n_boot, int | np.integer) or n_boot < 20:
        raise ModelSpecError(f"n_boot must be an integer >= 20, got {n_boot!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ModelSpecError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(n_jobs, int | np.integer) or n_jobs < 1:
        raise ModelSpecError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
    if not 0 < ci_prob < 1:
        raise ModelSpecError(f"ci_prob must lie in (0, 1), got {ci_prob!r}")
