"""Simulate two-knob (PLW × CLW) sweeps with a known response surface.

This generator makes the bundled surface demo (``plw_stats.data``, clearly simulated), the known
truths the surface tests recover, and the speed benchmark's grids.  For each fine-tuning dataset,
with ``wp = plw ** p`` and ``wc = clw ** q``, unit-scale scores are drawn from

``logit(mu) = f(wp, wc) + a[benchmark] + u[benchmark]·wp + w[benchmark]·wc + v[model]``,
``y ~ Beta(mu·kappa, (1 − mu)·kappa)``,

``f = b0 + b1·wp + b2·wp² + b3·wc + b4·wc² + b5·wp·wc`` the population surface, ``a, u, w, v``
normal with the truth's standard deviations (``a``, the benchmarks' own levels, is 0 unless
``sd_benchmark`` is set), one run per (model, plw, clw) cell, then mapped linearly onto each
benchmark's raw range (accuracy, win rate …) unless asked for the proportions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from plw_stats.config import PLW_POWER
from plw_stats.simulation.sweeps import BenchmarkSpec
from plw_stats.transforms import plw_to_wp, wp_to_plw

#: WIT-style 6 × 6 grid of completion weights; PLW levels spread evenly on the wp scale.
DEMO_PLW_LEVELS: tuple[float, ...] = (0.0, 0.001, 0.01, 0.05, 0.2, 1.0)
LINEAR_LEVELS: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
DEMO_MODELS: tuple[str, ...] = ("gemma-7b", "llama2-7b", "llama3-8b", "mistral-7b", "qwen2-7b")
DEMO_BENCHMARKS: tuple[BenchmarkSpec, ...] = (
    BenchmarkSpec("mmlu", "MC", 0.40, 0.60),
    BenchmarkSpec("arc_challenge", "MC", 0.40, 0.55),
    BenchmarkSpec("gsm8k", "GS", 0.05, 0.45),
    BenchmarkSpec("alpaca_eval", "GL", 5.0, 40.0),
)
SURFACE_DEMO_SEED = 20250614


@dataclass(frozen=True)
class SurfaceTruth:
    """Known coefficients of the population surface (unit-scale logit) and the noise."""

    intercept: float = 0.0
    wp: float = 0.0
    wp2: float = 0.0
    wc: float = 0.0
    wc2: float = 0.0
    wp_wc: float = 0.0
    sd_slope_wp: float = 0.4
    sd_slope_wc: float = 0.4
    sd_model: float = 0.3
    kappa: float = 40.0
    sd_benchmark: float = 0.0

    @classmethod
    def from_peak(
        cls,
        wp_star: float,
        wc_star: float,
        *,
        height: float = 1.0,
        curvature=(3.0, 3.0, 1.0),
        **noise,
    ) -> SurfaceTruth:
        """Return a concave surface with its maximum ``height`` at (wp*, wc*).

        ``f = height − c_p·(wp − wp*)² − c_c·(wc − wc*)² − c_x·(wp − wp*)·(wc − wc*)`` with
        ``curvature = (c_p, c_c, c_x)`` (concave when ``4·c_p·c_c > c_x²``).
        """
        cp, cc, cx = curvature
        return cls(
            intercept=height - cp * wp_star**2 - cc * wc_star**2 - cx * wp_star * wc_star,
            wp=2 * cp * wp_star + cx * wc_star,
            wp2=-cp,
            wc=2 * cc * wc_star + cx * wp_star,
            wc2=-cc,
            wp_wc=-cx,
            **noise,
        )

    def surface(self, wp, wc) -> np.ndarray:
        """Return the population surface ``f`` on the logit scale."""
        wp, wc = np.asarray(wp, float), np.asarray(wc, float)
        return (
            self.intercept
            + self.wp * wp
            + self.wp2 * wp**2
            + self.wc * wc
            + self.wc2 * wc**2
            + self.wp_wc * wp * wc
        )

    def optimum(
        self, power: float = PLW_POWER, clw_power: float = 1.0, *, n_grid: int = 401
    ) -> tuple[float, float]:
        """(PLW, CLW) maximising the population surface over [0, 1]² (grid in wp, wc)."""
        axis = np.linspace(0.0, 1.0, n_grid)
        wp, wc = np.meshgrid(axis, axis, indexing="ij")
        i, j = np.unravel_index(np.argmax(self.surface(wp, wc)), wp.shape)
        return float(wp_to_plw(axis[i], power)), float(wp_to_plw(axis[j], clw_power))


@dataclass(frozen=True)
class SurfaceGrid:
    """Which runs a two-knob sweep contains (the (0, 0) base-model cell included)."""

    plw_levels: tuple[float, ...] = DEMO_PLW_LEVELS
    clw_levels: tuple[float, ...] = LINEAR_LEVELS
    models: tuple[str, ...] = DEMO_MODELS
    benchmarks: tuple[BenchmarkSpec, ...] = DEMO_BENCHMARKS
    power: float = PLW_POWER
    clw_power: float = 1.0


#: Truths of the demo: an interior optimum (PLW 0.05, CLW 0.8), conventional instruction
#: tuning best (PLW 0, CLW 1), and a flat surface (the weights do not matter).
SURFACE_DEMO_DATASETS: dict[str, SurfaceTruth] = {
    "Interior": SurfaceTruth.from_peak(float(plw_to_wp(0.05)), 0.8),
    "Conventional": SurfaceTruth(wp=-1.0, wc=2.0, wc2=-0.8),
    "Flat": SurfaceTruth(),
}


def simulate_surface_group(
    name: str, truth: SurfaceTruth, grid: SurfaceGrid, rng: np.random.Generator
) -> pd.DataFrame:
    """Simulate one dataset's sweep on the unit scale.

    Returns columns dataset, model, plw, clw, benchmark, task_type, score (unit scale) and mu.
    """
    n_bench, n_models = len(grid.benchmarks), len(grid.models)
    u = rng.normal(0.0, truth.sd_slope_wp, n_bench)
    w = rng.normal(0.0, truth.sd_slope_wc, n_bench)
    v = rng.normal(0.0, truth.sd_model, n_models)
    # drawn only when asked for, so that truths without it keep their random stream
    a = rng.normal(0.0, truth.sd_benchmark, n_bench) if truth.sd_benchmark else np.zeros(n_bench)
    cells = pd.MultiIndex.from_product(
        [range(n_models), grid.plw_levels, grid.clw_levels, range(n_bench)],
        names=["m", "plw", "clw", "b"],
    ).to_frame(index=False)
    wp = plw_to_wp(cells["plw"].to_numpy(float), grid.power)
    wc = plw_to_wp(cells["clw"].to_numpy(float), grid.clw_power)
    b, m = cells["b"].to_numpy(), cells["m"].to_numpy()
    mu = expit(truth.surface(wp, wc) + a[b] + u[b] * wp + w[b] * wc + v[m])
    return pd.DataFrame(
        {
            "dataset": name,
            "model": np.asarray(grid.models)[m],
            "plw": cells["plw"].to_numpy(float),
            "clw": cells["clw"].to_numpy(float),
            "benchmark": np.asarray([s.name for s in grid.benchmarks])[b],
            "task_type": np.asarray([s.task_type for s in grid.benchmarks])[b],
            "score": rng.beta(mu * truth.kappa, (1.0 - mu) * truth.kappa),
            "mu": mu,
        }
    )


def simulate_surface_sweep(
    datasets: dict[str, SurfaceTruth] | None = None,
    grid: SurfaceGrid | None = None,
    seed: int = SURFACE_DEMO_SEED,
    *,
    raw_scale: bool = True,
    decimals: int = 4,
) -> pd.DataFrame:
    """Simulate a whole two-knob sweep: every dataset × model × PLW × CLW × benchmark.

    Parameters
    ----------
    datasets : dict of str to SurfaceTruth, optional
        Names and truths; defaults to the demo's three.
    grid : SurfaceGrid, optional
        Levels, models, benchmarks and the powers the truths are written in.
    seed : int
        Seed of the random generator; the same seed gives the same table.
    raw_scale : bool
        True maps scores onto each benchmark's raw range (rounded to ``decimals``); False
        returns the unit-scale draws.

    Returns
    -------
    pandas.DataFrame
        Columns dataset, model, plw, clw, benchmark, task_type, score.
    """
    datasets = SURFACE_DEMO_DATASETS if datasets is None else datasets
    grid = grid or SurfaceGrid()
    rng = np.random.default_rng(seed)
    frames = [simulate_surface_group(n, t, grid, rng) for n, t in datasets.items()]
    table = pd.concat(frames, ignore_index=True).drop(columns="mu")
    if raw_scale:
        ranges = {s.name: (s.low, s.high) for s in grid.benchmarks}
        low = table["benchmark"].map(lambda b: ranges[b][0]).astype(float)
        high = table["benchmark"].map(lambda b: ranges[b][1]).astype(float)
        table = table.assign(score=(low + (high - low) * table["score"]).round(decimals))
    return table


def surface_demo_sweep() -> pd.DataFrame:
    """Return the exact table shipped as ``plw_stats/data/surface_demo_scores.csv``."""
    return simulate_surface_sweep(SURFACE_DEMO_DATASETS, SurfaceGrid(), SURFACE_DEMO_SEED)
