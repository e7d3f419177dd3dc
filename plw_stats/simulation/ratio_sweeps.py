"""Simulate PLW sweeps over many fine-tuning datasets whose optimal PLW depends on the ratio.

This is the known truth behind the tensor-smooth GAM's tests and benchmarks.  Each simulated
dataset has a completion/prompt ratio ``r``; on the unit scale a run's score on a benchmark is

``y = base[benchmark] + offset[model] + ratio_effect·r − curvature·(x − x*(r))² + noise``

where ``x`` is PLW or wp (``truth.scale``), ``x*(r) = opt_intercept + opt_slope·r`` and the noise
is normal with standard deviation ``noise_sd``.  Because the curve in ``x`` is a concave
parabola, the true score-maximising ``x`` on [0, 1] is ``clip(x*(r), 0, 1)``; with
``curvature = 0`` PLW has no effect at all.  Different truths can be given per task type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from plw_stats.config import PLW_POWER
from plw_stats.errors import ModelSpecError
from plw_stats.simulation.sweeps import Design
from plw_stats.transforms import plw_to_wp, wp_to_plw

_SCALES = ("plw", "wp")


@dataclass(frozen=True)
class RatioTruth:
    """Known ratio-dependent PLW effect on the unit scale.

    Attributes
    ----------
    opt_intercept, opt_slope : float
        The unclipped optimum ``x*(r) = opt_intercept + opt_slope · r`` on the ``scale`` axis.
    curvature : float
        Depth of the parabola in ``x``; 0 means PLW has no effect.
    ratio_effect : float
        Slope of the score in ``r`` (a main effect of the dataset, not of PLW).
    noise_sd : float
        Standard deviation of the normal noise of each score.
    scale : {"plw", "wp"}
        Axis on which the parabola is quadratic.
    """

    opt_intercept: float = 0.4
    opt_slope: float = 0.05
    curvature: float = 0.4
    ratio_effect: float = 0.0
    noise_sd: float = 0.03
    scale: str = "wp"

    def __post_init__(self) -> None:
        if self.scale not in _SCALES:
            raise ModelSpecError(f"scale must be one of {_SCALES}, got {self.scale!r}")
        if self.curvature < 0 or self.noise_sd < 0:
            raise ModelSpecError(
                f"curvature and noise_sd must be >= 0, got {self.curvature!r}, {self.noise_sd!r}"
            )

    def optimum_x(self, ratio) -> np.ndarray:
        """Return the true optimum on the ``scale`` axis at each ratio, clipped to [0, 1]."""
        ratio = np.asarray(ratio, dtype=float)
        return np.clip(self.opt_intercept + self.opt_slope * ratio, 0.0, 1.0)

    def optimum_plw(self, ratio, power: float = PLW_POWER) -> np.ndarray:
        """Return the true optimal PLW at each ratio."""
        x = self.optimum_x(ratio)
        return x if self.scale == "plw" else wp_to_plw(x, power)

    def mean(self, plw, ratio, power: float = PLW_POWER) -> np.ndarray:
        """Noise-free PLW and ratio part of the score."""
        plw = np.asarray(plw, dtype=float)
        ratio = np.asarray(ratio, dtype=float)
        x = plw if self.scale == "plw" else plw_to_wp(plw, power)
        centre = self.opt_intercept + self.opt_slope * ratio
        return self.ratio_effect * ratio - self.curvature * (x - centre) ** 2


def simulate_ratio_sweep(
    ratios: Sequence[float],
    truth: RatioTruth | Mapping[str, RatioTruth] | None = None,
    design: Design | None = None,
    seed: int = 0,
    *,
    benchmark_sd: float = 0.1,
    model_sd: float = 0.05,
) -> pd.DataFrame:
    """Simulate a sweep over datasets with the given ratios and a known optimal PLW.

    Parameters
    ----------
    ratios : sequence of float
        Completion/prompt ratio of each simulated dataset (one dataset per value).
    truth : RatioTruth or mapping of task type to RatioTruth, optional
        The PLW effect; a mapping gives each task type (``MC``, ``GS``, ``GL``) its own.
        Defaults to ``RatioTruth()``.
    design : Design, optional
        PLW levels, models and benchmarks; defaults to the paper's design.
    seed : int
        Seed of the random generator; the same seed gives the same table.
    benchmark_sd, model_sd : float
        Standard deviations of the benchmark baselines and of the model offsets.

    Returns
    -------
    pandas.DataFrame
        Columns dataset, model, plw, benchmark, task_type, ratio, score (unit scale), with
        datasets named ``sim_r<ratio>``.
    """
    design = design or Design()
    truths = _truth_by_type(truth, design)
    rng = np.random.default_rng(seed)
    base = dict(
        zip(_names(design), rng.normal(0.5, benchmark_sd, len(design.benchmarks)), strict=True)
    )
    frames = [_one_dataset(float(r), truths, base, design, rng, model_sd) for r in ratios]
    return pd.concat(frames, ignore_index=True)


def _names(design: Design) -> list[str]:
    return [b.name for b in design.benchmarks]


def _truth_by_type(truth, design: Design) -> dict[str, RatioTruth]:
    types = {b.task_type for b in design.benchmarks}
    if truth is None or isinstance(truth, RatioTruth):
        return dict.fromkeys(types, truth or RatioTruth())
    missing = sorted(types - set(truth))
    if missing:
        raise ModelSpecError(
            f"truth has no entry for task type(s) {', '.join(missing)}; give one RatioTruth "
            "per task type in the design or a single RatioTruth for all"
        )
    return dict(truth)


def _one_dataset(ratio, truths, base, design: Design, rng, model_sd: float) -> pd.DataFrame:
    offsets = rng.normal(0.0, model_sd, len(design.models))
    grid = pd.MultiIndex.from_product(
        [range(len(design.models)), range(len(design.benchmarks)), design.plw_levels],
        names=["m", "b", "plw"],
    ).to_frame(index=False)
    bench = [design.benchmarks[i] for i in grid["b"]]
    plw = grid["plw"].to_numpy(float)
    types = np.array([b.task_type for b in bench])
    mean, sd = np.zeros(plw.size), np.zeros(plw.size)
    for task_type, truth in truths.items():
        rows = types == task_type
        mean[rows] = truth.mean(plw[rows], ratio, design.power)
        sd[rows] = truth.noise_sd
    score = np.array([base[b.name] for b in bench]) + offsets[grid["m"]] + mean
    return pd.DataFrame(
        {
            "dataset": f"sim_r{ratio:g}",
            "model": np.asarray(design.models)[grid["m"]],
            "plw": plw,
            "benchmark": [b.name for b in bench],
            "task_type": types,
            "ratio": ratio,
            "score": score + rng.normal(0.0, 1.0, len(grid)) * sd,
        }
    )
