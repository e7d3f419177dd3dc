"""What a simulation study simulates: the study's setup and its three sources of truth.

``"fixed"``
    One known :class:`~plw_stats.simulation.sweeps.Truth` (the paper's AlpacaDataShort
    estimates by default).  Benchmark slopes, model offsets and beta noise are redrawn for every
    simulation, on the model's own unit scale, and fitted as simulated: the frequentist coverage
    of the model at that truth.
``"prior"``
    Simulation-based calibration (Talts et al. 2018; Modrák et al. 2023): every simulation draws
    all parameters from the fitted model's priors and scores from its likelihood, on the unit
    scale, fitted as simulated.  A correct sampler then puts the truth at a uniformly
    distributed rank among the posterior draws, and every interval covers with its nominal
    probability.
``"pipeline"``
    The paper's whole pipeline at a fixed truth: scores mapped onto each benchmark's raw range
    (rounded as evaluation tools print them), min-max scaled per benchmark into relative scores,
    squeezed (Smithson & Verkuilen) and fitted.  Min-max scaling is not part of the model, so
    the fitted b1, b2, κ and SDs estimate other quantities than the simulated ones; the PLW* of
    the curve is what the pipeline is meant to recover.

A score that rounds to exactly 0 or 1 in double precision cannot enter a beta likelihood;
simulations from the model (``fixed``, ``prior``) that produce one are drawn again, and the
number of such redraws is recorded.  Rejecting on the data alone keeps simulation-based
calibration exact: given the data, the truth is still a draw from the posterior.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from plw_stats.critical import critical_point
from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.priors import BetaPriors
from plw_stats.simulation.sweeps import Design, Truth, simulate_group
from plw_stats.transforms import plw_to_wp, relative_scores

#: The paper's AlpacaDataShort estimates (Table 3) with the simulator's default noise.
PAPER_TRUTH = Truth(intercept=-1.043, b1=5.590, b2=-4.284)
SOURCES = ("fixed", "prior", "pipeline")
#: Squeeze of scores simulated from the model: a no-op on every score above ~1e-284 (the
#: data are fitted exactly as simulated; only exact 0 and 1 would move, and they are redrawn).
EXACT_SQUEEZE = 1e-300
#: Redraws allowed per simulation before the priors are declared unusable.
MAX_REDRAWS = 1000
#: Decimals of raw scores in the pipeline source (as evaluation tools print them).
RAW_DECIMALS = 4
#: Scalar parameters: study name → posterior variable.
PARAMETERS = {
    "intercept": "intercept",
    "b1": "wp",
    "b2": "wp2",
    "kappa": "kappa",
    "sd_slope": "sd_slope",
    "sd_model": "sd_model",
}


@dataclass(frozen=True)
class StudySetup:
    """What one simulation study runs.

    Attributes
    ----------
    design : Design
        PLW levels, models and benchmarks of every simulated sweep.
    truth : Truth
        Parameters of the ``"fixed"`` and ``"pipeline"`` sources (ignored for ``"prior"``).
    source : {"fixed", "prior", "pipeline"}
        Where each simulation's parameters and scores come from (module docstring).
    replicates : int
        Training seeds per (model, benchmark, PLW) cell; replicates share the random effects.
    settings : SamplerSettings
        Sampler settings of every fit's first attempt (retries follow
        :mod:`plw_stats.glmm.healing`).
    prob : float
        Mass of the highest-density intervals whose coverage is measured.
    priors : BetaPriors
        Priors of the fitted model (and of the ``"prior"`` source).
    rank_draws : int
        Posterior draws, thinned evenly over the chains, among which the truth is ranked.
    ml_test : bool
        Also fit the GLMM by maximum likelihood and record its likelihood-ratio p-value.
    max_retries : int or None
        Retries of a fit whose diagnostics show trouble (None: the healing default).
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
    rank_draws: int = 99
    ml_test: bool = False
    max_retries: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ModelSpecError(f"source must be one of {', '.join(SOURCES)}, got {self.source!r}")
        if not isinstance(self.replicates, int) or self.replicates < 1:
            raise ModelSpecError(f"replicates must be a positive integer, got {self.replicates!r}")
        if not 0 < self.prob < 1:
            raise ModelSpecError(f"prob must lie in (0, 1), got {self.prob!r}")
        if not isinstance(self.rank_draws, int) or self.rank_draws < 1:
            raise ModelSpecError(f"rank_draws must be a positive integer, got {self.rank_draws!r}")

    @property
    def squeeze_epsilon(self) -> float | None:
        """Squeeze of the fitted scores: none in effect for the model's own scores."""
        return None if self.source == "pipeline" else EXACT_SQUEEZE


@dataclass(frozen=True)
class SimulatedData:
    """One simulated sweep, ready to fit, and the truth behind it.

    Attributes
    ----------
    design : BetaDesign
        The data as the model is fitted to them.
    truth : dict of str to float
        True ``intercept, b1, b2, kappa, sd_slope, sd_model`` and ``plw`` (NaN where the fitted
        scale has no such parameter, or the true curve has no interior maximum).
    redraws : int
        Sweeps drawn again because a score was exactly 0 or 1.
    """

    design: BetaDesign
    truth: dict[str, float]
    redraws: int = 0


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


def simulate(setup: StudySetup, rng: np.random.Generator) -> SimulatedData:
    """Draw one sweep of ``setup``'s source and specify the model fitted to it."""
    if setup.source == "pipeline":
        frame = simulate_scores(setup.truth, setup.design, setup.replicates, rng)
        return SimulatedData(_specify(setup, to_relative(frame, setup.design)), _pipeline(setup))
    for redraws in range(MAX_REDRAWS):
        truth = setup.truth if setup.source == "fixed" else _draw_prior(setup, rng)
        try:
            frame = simulate_scores(truth, setup.design, setup.replicates, rng)
        except ValueError:  # a mean of exactly 0 or 1: the beta is degenerate, so are its scores
            continue
        scores = frame["score"].to_numpy()
        if np.all((scores > 0) & (scores < 1)):
            return SimulatedData(_specify(setup, frame), truth_values(truth, setup), redraws)
    raise ModelSpecError(
        f"{MAX_REDRAWS} simulated sweeps in a row had scores of exactly 0 or 1; the priors "
        "(or the truth) push the mean score against the bounds; narrow them"
    )


def to_relative(frame: pd.DataFrame, design: Design) -> pd.DataFrame:
    """Map unit-scale scores onto each benchmark's raw range, round, and min-max scale them."""
    ranges = {b.name: (b.low, b.high) for b in design.benchmarks}
    low = frame["benchmark"].map(lambda b: ranges[b][0]).astype(float)
    high = frame["benchmark"].map(lambda b: ranges[b][1]).astype(float)
    raw = (low + (high - low) * frame["score"]).round(RAW_DECIMALS)
    return relative_scores(frame.assign(score=raw))


def truth_values(truth: Truth, setup: StudySetup) -> dict[str, float]:
    """Return the true parameters of ``truth`` (SDs of absent random effects are NaN)."""
    values = {
        "intercept": truth.intercept,
        "b1": truth.b1,
        "b2": truth.b2,
        "kappa": truth.kappa,
        "sd_slope": truth.sd_slope if len(setup.design.benchmarks) > 1 else np.nan,
        "sd_model": truth.sd_model if len(setup.design.models) > 1 else np.nan,
    }
    return {k: float(v) for k, v in values.items()} | {"plw": true_plw(truth, setup.design.power)}


def true_plw(truth: Truth, power: float) -> float:
    """PLW at the true curve's maximum, NaN if it has no interior maximum."""
    if truth.b2 == 0:
        return np.nan
    point = critical_point(truth.b1, truth.b2, power)
    return point.plw if point.interior_max else np.nan


def _pipeline(setup: StudySetup) -> dict[str, float]:
    values = truth_values(setup.truth, setup)
    unmapped = ("intercept", "kappa", "sd_slope", "sd_model")
    return values | dict.fromkeys(unmapped, np.nan)


def _draw_prior(setup: StudySetup, rng: np.random.Generator) -> Truth:
    levels = np.asarray(setup.design.plw_levels, dtype=float)
    template = np.tile(levels, len(setup.design.models) * len(setup.design.benchmarks))
    return prior_truth(setup.priors, plw_to_wp(template, setup.design.power), rng)


def _specify(setup: StudySetup, frame: pd.DataFrame) -> BetaDesign:
    return BetaDesign(
        frame,
        name="simulation",
        power=setup.design.power,
        priors=setup.priors,
        squeeze_epsilon=setup.squeeze_epsilon,
    )


def template_design(setup: StudySetup) -> BetaDesign:
    """Return a design of the study's shape (any scores), to set a sampler up once."""
    frame = simulate_scores(
        dataclasses.replace(setup.truth, kappa=50.0),
        setup.design,
        setup.replicates,
        np.random.default_rng(0),
    )
    return _specify(dataclasses.replace(setup, source="fixed"), frame.assign(score=0.5))
