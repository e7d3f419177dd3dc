"""Simulate PLW sweeps from the beta mixed model with known truth.

This generator makes the bundled demo data (``plw_stats.data``), the known truths the tests
recover, and the designs that planning tools evaluate.  Scores are drawn on the unit scale from

``logit(mu) = b0 + (b1 + u_benchmark)·wp + b2·wp² + v_model``,  ``y ~ Beta(mu·kappa, (1−mu)·kappa)``

with ``u_benchmark ~ N(0, sd_slope)`` and ``v_model ~ N(0, sd_model)``, then mapped linearly onto
each benchmark's own raw range (accuracy, BLEU, win rate …).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from plw_stats.config import PLW_POWER
from plw_stats.transforms import plw_to_wp

#: The paper's ten PLW levels (see ../shared/paper/NOTES.md).
PAPER_PLW_LEVELS: tuple[float, ...] = (
    0.0,
    5e-4,
    2.236e-3,
    0.01,
    0.02463,
    0.05,
    0.1,
    0.2463,
    0.5,
    1.0,
)
PAPER_MODELS: tuple[str, ...] = ("llama1-7b", "llama2-7b")


@dataclass(frozen=True)
class BenchmarkSpec:
    """A benchmark's name, task type and the raw range its unit-scale scores are mapped onto."""

    name: str
    task_type: str
    low: float
    high: float


#: The paper's 13 benchmarks with plausible raw ranges for 7B models.
PAPER_BENCHMARKS: tuple[BenchmarkSpec, ...] = (
    BenchmarkSpec("arc_challenge", "MC", 0.40, 0.55),
    BenchmarkSpec("piqa", "MC", 0.76, 0.81),
    BenchmarkSpec("truthfulqa_mc2", "MC", 0.33, 0.50),
    BenchmarkSpec("winogrande", "MC", 0.66, 0.74),
    BenchmarkSpec("truthfulqa_gen", "GS", 5.0, 25.0),
    BenchmarkSpec("wmt14_en_fr", "GS", 10.0, 36.0),
    BenchmarkSpec("wmt14_fr_en", "GS", 12.0, 36.0),
    BenchmarkSpec("wmt16_en_de", "GS", 6.0, 24.0),
    BenchmarkSpec("wmt16_de_en", "GS", 12.0, 34.0),
    BenchmarkSpec("wmt16_en_ro", "GS", 4.0, 22.0),
    BenchmarkSpec("wmt16_ro_en", "GS", 12.0, 32.0),
    BenchmarkSpec("alpaca_eval", "GL", 10.0, 60.0),
    BenchmarkSpec("pandalm", "GL", 0.20, 0.70),
)


@dataclass(frozen=True)
class Truth:
    """Known parameters of the beta mixed model on the unit (relative) scale."""

    intercept: float
    b1: float
    b2: float
    sd_slope: float = 0.8
    sd_model: float = 0.3
    kappa: float = 15.0


@dataclass(frozen=True)
class Design:
    """Which runs a sweep contains."""

    plw_levels: tuple[float, ...] = PAPER_PLW_LEVELS
    models: tuple[str, ...] = PAPER_MODELS
    benchmarks: tuple[BenchmarkSpec, ...] = PAPER_BENCHMARKS
    power: float = PLW_POWER


@dataclass(frozen=True)
class DatasetSpec:
    """A simulated fine-tuning dataset: its name, truth and completion/prompt ratio."""

    name: str
    truth: Truth
    ratio: float


#: Truths behind the demo data.  AlpacaDataShort uses the paper's Table 3 coefficients; the other
#: two have weak, illustrative effects (the paper found none significant for them).
DEMO_DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec("AlpacaData", Truth(intercept=0.0, b1=0.8, b2=-0.6), ratio=3.27),
    DatasetSpec("AlpacaDataCleaned", Truth(intercept=0.1, b1=1.2, b2=-1.1), ratio=7.83),
    DatasetSpec("AlpacaDataShort", Truth(intercept=-1.043, b1=5.590, b2=-4.284), ratio=0.08),
)
DEMO_SEED = 20240113


@dataclass(frozen=True)
class SimulatedGroup:
    """One simulated dataset: the unit-scale scores and the random effects actually drawn."""

    scores: pd.DataFrame
    slopes: dict[str, float] = field(default_factory=dict)
    model_offsets: dict[str, float] = field(default_factory=dict)


def simulate_group(
    name: str, truth: Truth, design: Design, rng: np.random.Generator
) -> SimulatedGroup:
    """Simulate one fine-tuning dataset's sweep on the unit scale.

    Returns
    -------
    SimulatedGroup
        ``scores`` has columns dataset, model, plw, benchmark, task_type, unit_score, mu.
    """
    slopes = rng.normal(0.0, truth.sd_slope, len(design.benchmarks))
    offsets = rng.normal(0.0, truth.sd_model, len(design.models))
    grid = pd.MultiIndex.from_product(
        [range(len(design.models)), range(len(design.benchmarks)), design.plw_levels],
        names=["m", "b", "plw"],
    ).to_frame(index=False)
    wp = plw_to_wp(grid["plw"].to_numpy(float), design.power)
    eta = (
        truth.intercept
        + (truth.b1 + slopes[grid["b"]]) * wp
        + truth.b2 * wp**2
        + offsets[grid["m"]]
    )
    mu = expit(eta)
    y = rng.beta(mu * truth.kappa, (1 - mu) * truth.kappa)
    names = [b.name for b in design.benchmarks]
    frame = pd.DataFrame(
        {
            "dataset": name,
            "model": np.asarray(design.models)[grid["m"]],
            "plw": grid["plw"].to_numpy(float),
            "benchmark": np.asarray(names)[grid["b"]],
            "task_type": np.asarray([b.task_type for b in design.benchmarks])[grid["b"]],
            "unit_score": y,
            "mu": mu,
        }
    )
    return SimulatedGroup(
        scores=frame,
        slopes=dict(zip(names, slopes.tolist(), strict=True)),
        model_offsets=dict(zip(design.models, offsets.tolist(), strict=True)),
    )


def to_raw_scale(unit: pd.DataFrame, design: Design, decimals: int = 4) -> pd.DataFrame:
    """Map unit-scale scores onto each benchmark's raw range and return a score table."""
    ranges = {b.name: (b.low, b.high) for b in design.benchmarks}
    low = unit["benchmark"].map(lambda b: ranges[b][0]).astype(float)
    high = unit["benchmark"].map(lambda b: ranges[b][1]).astype(float)
    raw = (low + (high - low) * unit["unit_score"]).round(decimals)
    return unit.drop(columns=["unit_score", "mu"]).assign(score=raw)


def simulate_sweep(
    datasets: tuple[DatasetSpec, ...] = DEMO_DATASETS,
    design: Design | None = None,
    seed: int = DEMO_SEED,
    *,
    raw_scale: bool = True,
) -> pd.DataFrame:
    """Simulate a whole sweep: every dataset × model × PLW level × benchmark.

    Parameters
    ----------
    datasets : tuple of DatasetSpec
        Names, truths and ratios; defaults to the demo datasets.
    design : Design, optional
        PLW levels, models and benchmarks; defaults to the paper's design.
    seed : int
        Seed of the random generator; the same seed gives the same table.
    raw_scale : bool
        If True, return scores on each benchmark's raw scale (column ``score``); if False,
        return the unit-scale draws as ``score``.

    Returns
    -------
    pandas.DataFrame
        Columns dataset, model, plw, benchmark, task_type, ratio, score.
    """
    design = design or Design()
    rng = np.random.default_rng(seed)
    frames = []
    for spec in datasets:
        group = simulate_group(spec.name, spec.truth, design, rng).scores.assign(ratio=spec.ratio)
        if raw_scale:
            frames.append(to_raw_scale(group, design))
        else:
            frames.append(group.drop(columns=["mu"]).rename(columns={"unit_score": "score"}))
    columns = ["dataset", "model", "plw", "benchmark", "task_type", "ratio", "score"]
    return pd.concat(frames, ignore_index=True)[columns]


def demo_sweep() -> pd.DataFrame:
    """Return the exact table shipped as ``plw_stats/data/demo_scores.csv``."""
    return simulate_sweep(DEMO_DATASETS, Design(), DEMO_SEED)
