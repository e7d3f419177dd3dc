"""Simulation studies of the beta mixed model: interval coverage (calibration) and its engine.

A study simulates many sweeps of one design from known parameters, fits the beta mixed model to
each and records, per simulation, the posterior intervals of b1, b2 and PLW* and whether they
cover the truth.  Two sources of truth:

* ``"fixed"`` – one :class:`~plw_stats.simulation.sweeps.Truth` (the paper's AlpacaDataShort
  estimates by default); benchmark slopes, model offsets and noise are redrawn for every
  simulation, so the coverage is the frequentist coverage at that truth.
* ``"prior"`` – every simulation draws its parameters from the model's own priors
  (simulation-based calibration, Talts et al. 2018): a correct sampler covers the truth with
  exactly the nominal probability.  The PLW* row then only counts simulations whose true curve
  has an interior maximum.

Every simulation uses the same design, so the sampler is set up once per worker
(:class:`~plw_stats.glmm.backends.dispatch.ReusableSampler`) and re-run on new scores.  Work
is split into one chunk per joblib worker; each simulation's data and sampler seed come from
``SeedSequence(seed).spawn``, so results do not depend on the number of workers.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from plw_stats.critical import critical_point
from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.dispatch import ReusableSampler
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.posterior import diagnose, summarize, summarize_critical
from plw_stats.glmm.priors import BetaPriors
from plw_stats.simulation.sweeps import Design, Truth, simulate_group

#: The paper's AlpacaDataShort estimates (Table 3) with the simulator's default noise.
PAPER_TRUTH = Truth(intercept=-1.043, b1=5.590, b2=-4.284)
TRUTH_SOURCES = ("fixed", "prior")
#: Quantities whose coverage is reported, and their columns in the per-simulation table.
TARGETS = ("b1", "b2", "plw")
#: Squeeze used when simulating from the prior, where scores can round to exactly 0 or 1.
PRIOR_SQUEEZE = 1e-9


@dataclass(frozen=True)
class StudySetup:
    """What one simulation study runs.

    Attributes
    ----------
    design : Design
        PLW levels, models and benchmarks of every simulated sweep.
    truth : Truth
        Parameters of the ``"fixed"`` source (ignored for ``"prior"``).
    source : {"fixed", "prior"}
        Where each simulation's parameters come from.
    replicates : int
        Training seeds per (model, benchmark, PLW) cell; replicates share the random effects.
    settings : SamplerSettings
        Sampler settings of every fit.
    prob : float
        Mass of the highest-density intervals whose coverage is measured.
    priors : BetaPriors
        Priors of the fitted model (and of the ``"prior"`` source).
    """

    design: Design = dataclasses.field(default_factory=Design)
    truth: Truth = PAPER_TRUTH
    source: str = "fixed"
    replicates: int = 1
    settings: SamplerSettings = dataclasses.field(
        default_factory=lambda: SamplerSettings(chains=4, draws=1000, tune=1000)
    )
    prob: float = 0.9
    priors: BetaPriors = dataclasses.field(default_factory=BetaPriors)

    def __post_init__(self) -> None:
        if self.source not in TRUTH_SOURCES:
            raise ModelSpecError(
                f"source must be one of {', '.join(TRUTH_SOURCES)}, got {self.source!r}"
            )
        if not isinstance(self.replicates, int) or self.replicates < 1:
            raise ModelSpecError(f"replicates must be a positive integer, got {self.replicates!r}")
        if not 0 < self.prob < 1:
            raise ModelSpecError(f"prob must lie in (0, 1), got {self.prob!r}")

    @property
    def squeeze_epsilon(self) -> float | None:
        """Squeeze of the fitted scores: near-identity for the prior source, else the default."""
        return PRIOR_SQUEEZE if self.source == "prior" else None


def prior_truth(priors: BetaPriors, wp: np.ndarray, rng: np.random.Generator) -> Truth:
    """Draw one set of parameters from the model's priors (see ``BetaPriors``).

    The prior's intercept sits at the mean (wp, wp²) of the design; it is moved to wp = 0.
    """
    b1, b2 = rng.normal(0.0, priors.coef_sd, 2)
    centred = rng.normal(0.0, priors.intercept_sd)
    return Truth(
        intercept=float(centred - b1 * wp.mean() - b2 * (wp**2).mean()),
        b1=float(b1),
        b2=float(b2),
        sd_slope=float(abs(rng.normal(0.0, priors.slope_sd_scale))),
        sd_model=float(rng.gamma(priors.model_sd_shape, 1.0 / priors.model_sd_rate)),
        kappa=float(rng.gamma(priors.kappa_shape, 1.0 / priors.kappa_rate)),
    )


def simulate_scores(
    truth: Truth, design: Design, replicates: int, rng: np.random.Generator
) -> pd.DataFrame:
    """One sweep on the unit scale: columns model, benchmark, plw, replicate, score, mu.

    All replicates of a cell share the benchmark slope and model offset; only the beta noise
    differs between them.
    """
    group = simulate_group("sim", truth, design, rng).scores
    frames = [group.assign(replicate=0, score=group["unit_score"])]
    for r in range(1, replicates):
        mu = group["mu"].to_numpy()
        y = rng.beta(mu * truth.kappa, (1 - mu) * truth.kappa)
        frames.append(group.assign(replicate=r, score=y))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["model", "benchmark", "plw", "replicate", "score", "mu"]]


def _specify(setup: StudySetup, frame: pd.DataFrame) -> BetaDesign:
    return BetaDesign(
        frame,
        name="simulation",
        power=setup.design.power,
        priors=setup.priors,
        squeeze_epsilon=setup.squeeze_epsilon,
    )


def _truth_for(setup: StudySetup, rng: np.random.Generator) -> Truth:
    if setup.source == "fixed":
        return setup.truth
    levels = np.asarray(setup.design.plw_levels, dtype=float)
    template = np.tile(levels, len(setup.design.models) * len(setup.design.benchmarks))
    return prior_truth(setup.priors, template**setup.design.power, rng)


def run_one(fitter: ReusableSampler, setup: StudySetup, seq: np.random.SeedSequence) -> dict:
    """Simulate one sweep, fit it and return one row of the per-simulation table."""
    rng = np.random.default_rng(seq)
    truth = _truth_for(setup, rng)
    spec = _specify(setup, simulate_scores(truth, setup.design, setup.replicates, rng))
    idata = fitter.sample(spec, int(rng.integers(2**31))).idata
    posterior = idata["posterior"]
    b1, b2 = (posterior[v].to_numpy().ravel() for v in ("wp", "wp2"))
    row = {"true_b1": truth.b1, "true_b2": truth.b2, "true_plw": _true_plw(truth, spec.power)}
    for name, draws in (("b1", b1), ("b2", b2)):
        interval = summarize(draws, setup.prob)
        row |= {f"{name}_mean": interval.mean, f"{name}_low": interval.hdi_low}
        row[f"{name}_high"] = interval.hdi_high
    crit = summarize_critical(b1, b2, spec.power, setup.prob)
    row |= {
        "plw_mean": crit.plw.mean if crit.plw else np.nan,
        "plw_low": crit.plw.hdi_low if crit.plw else np.nan,
        "plw_high": crit.plw.hdi_high if crit.plw else np.nan,
        "prob_b2_negative": crit.prob_b2_negative,
        "prob_interior_max": crit.prob_interior_max,
        "ml_p_value": fit_ml_design(spec).lrt.p_value,
    }
    diag = diagnose(idata, spec.parameter_names())
    return row | {
        "divergences": diag.divergences,
        "rhat_max": diag.rhat_max,
        "ess_bulk_min": diag.ess_bulk_min,
    }


def _true_plw(truth: Truth, power: float) -> float:
    if truth.b2 == 0:
        return np.nan
    point = critical_point(truth.b1, truth.b2, power)
    return point.plw if point.interior_max else np.nan


def _run_chunk(setup: StudySetup, seqs: list[np.random.SeedSequence], first: int) -> list[dict]:
    """Fit a chunk of simulations in one process, compiling the model once."""
    template = simulate_scores(
        setup.truth, setup.design, setup.replicates, np.random.default_rng(0)
    )
    fitter = ReusableSampler(_specify(setup, template), setup.settings)
    return [{"simulation": first + i} | run_one(fitter, setup, seq) for i, seq in enumerate(seqs)]


def run_study(setup: StudySetup, n_sims: int, *, seed: int = 0, n_jobs: int = 1) -> pd.DataFrame:
    """Simulate and fit ``n_sims`` sweeps; return the per-simulation table.

    Parameters
    ----------
    setup : StudySetup
        Design, truth source, sampler settings and interval mass.
    n_sims : int
        Number of simulated sweeps (one fit each).
    seed : int
        Seed of the whole study; the same seed gives the same table for any ``n_jobs``.
    n_jobs : int
        Worker processes (joblib); each runs its chains one after another on one core.

    Returns
    -------
    pandas.DataFrame
        One row per simulation: ``simulation``, the truths ``true_b1, true_b2, true_plw``, for
        each of b1, b2, plw the posterior ``*_mean`` and interval ``*_low, *_high``,
        ``prob_b2_negative``, ``prob_interior_max``, ``ml_p_value``, ``divergences``,
        ``rhat_max`` and ``ess_bulk_min``.
    """
    if not isinstance(n_sims, int) or n_sims < 1:
        raise ModelSpecError(f"n_sims must be a positive integer, got {n_sims!r}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ModelSpecError(f"n_jobs must be a positive integer, got {n_jobs!r}")
    seqs = np.random.SeedSequence(seed).spawn(n_sims)
    n_jobs = min(n_jobs, n_sims)
    # parallel over simulations, chains sequential in each worker (also for one worker, so
    # that the table does not depend on n_jobs)
    setup = dataclasses.replace(setup, settings=dataclasses.replace(setup.settings, cores=1))
    bounds = np.linspace(0, n_sims, n_jobs + 1).astype(int)
    chunks = Parallel(n_jobs=n_jobs)(
        delayed(_run_chunk)(setup, seqs[lo:hi], int(lo)) for lo, hi in itertools.pairwise(bounds)
    )
    return pd.DataFrame([row for chunk in chunks for row in chunk])


def coverage_table(table: pd.DataFrame) -> pd.DataFrame:
    """Interval coverage of b1, b2 and PLW* over a per-simulation table.

    Returns
    -------
    pandas.DataFrame
        Index ``b1, b2, plw``; columns ``n`` (simulations counted; for PLW*, those whose truth
        has an interior maximum), ``coverage`` (share of intervals containing the truth; a
        missing PLW* interval counts as a miss), ``mc_se`` (its binomial Monte Carlo standard
        error), ``mean_width`` (over existing intervals) and ``bias`` (mean of posterior mean
        minus truth).
    """
    rows = {}
    for name in TARGETS:
        truth = table[f"true_{name}"]
        valid = truth.notna()
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
