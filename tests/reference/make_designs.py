"""Write the input tables of the glmmTMB reference fits (``glmmtmb/<design>.csv``).

Each CSV holds one dataset's rows as the ML route sees them: ``y`` (relative score, squeezed by
Smithson & Verkuilen's ``(y·(n−1) + 0.5)/n`` with ``n`` the dataset's rows), ``wp``
(``plw ** PLW_POWER``), ``benchmark`` and ``model``.  ``glmmtmb_beta.R`` fits them.

Run from the repository root::

    python tests/reference/make_designs.py && Rscript tests/reference/glmmtmb_beta.R
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from plw_stats.simulate import PAPER_BENCHMARKS, PAPER_MODELS, PAPER_PLW_LEVELS
from scipy.special import expit

from plw_stats.config import PLW_POWER
from plw_stats.datasets import load_demo_scores
from plw_stats.transforms import plw_to_wp, relative_scores, squeeze_unit

OUT = Path(__file__).parent / "glmmtmb"
COLUMNS = ["y", "wp", "benchmark", "model"]


def _model_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Squeeze the relative ``score`` of one dataset and add ``wp``."""
    return pd.DataFrame(
        {
            "y": squeeze_unit(frame["score"].to_numpy(float)),
            "wp": plw_to_wp(frame["plw"].to_numpy(float), PLW_POWER),
            "benchmark": frame["benchmark"].to_numpy(),
            "model": frame["model"].to_numpy(),
        }
    )


def demo_designs() -> dict[str, pd.DataFrame]:
    """Each dataset of the bundled demo sweep, relative scores over the whole table."""
    relative = relative_scores(load_demo_scores())
    return {
        f"demo_{name}": _model_rows(group) for name, group in relative.groupby("dataset", sort=True)
    }


def simulate(
    seed: int,
    *,
    b: tuple[float, float, float],
    n_benchmarks: int = 13,
    n_models: int = 2,
    n_seeds: int = 1,
    sd_slope: float = 0.8,
    sd_model: float = 0.3,
    kappa: float = 15.0,
) -> pd.DataFrame:
    """Simulate one dataset from the beta GLMM; every seed shares the random effects."""
    rng = np.random.default_rng(seed)
    benchmarks = [spec.name for spec in PAPER_BENCHMARKS[:n_benchmarks]]
    models = list(PAPER_MODELS[:n_models])
    u = rng.normal(0.0, sd_slope, n_benchmarks)
    v = rng.normal(0.0, sd_model, n_models)
    grid = pd.MultiIndex.from_product(
        [range(n_models), range(n_benchmarks), PAPER_PLW_LEVELS, range(n_seeds)],
        names=["m", "b", "plw", "seed"],
    ).to_frame(index=False)
    wp = plw_to_wp(grid["plw"].to_numpy(float), PLW_POWER)
    eta = b[0] + (b[1] + u[grid["b"]]) * wp + b[2] * wp**2 + v[grid["m"]]
    mu = expit(eta)
    frame = pd.DataFrame(
        {
            "model": np.asarray(models)[grid["m"]],
            "benchmark": np.asarray(benchmarks)[grid["b"]],
            "plw": grid["plw"].to_numpy(float),
            "score": rng.beta(mu * kappa, (1.0 - mu) * kappa),
        }
    )
    return _model_rows(relative_scores(frame))


def simulated_designs() -> dict[str, pd.DataFrame]:
    """Single benchmark, single model, repeated seeds, no effect, a zero SD and harder cases.

    The last two were found by fitting 40 random designs: their null models stop L-BFGS-B
    short of the optimum unless it is restarted.
    """
    return {
        "single_benchmark": simulate(11, b=(-0.5, 2.5, -2.0), n_benchmarks=1, n_seeds=3),
        "single_model": simulate(12, b=(-0.5, 2.5, -2.0), n_models=1),
        "seeds": simulate(13, b=(-1.0, 3.0, -2.5), n_seeds=3),
        "no_effect": simulate(14, b=(0.0, 0.0, 0.0)),
        "zero_slope_sd": simulate(15, b=(-0.5, 2.5, -2.0), n_benchmarks=4, sd_slope=0.0),
        "four_benchmarks_one_model": simulate(
            135, b=(1.338, -4.03, -0.443), n_benchmarks=4, n_models=1, sd_slope=1.0, kappa=60.0
        ),
        "convex_precise_seeds": simulate(
            126, b=(0.847, -0.522, 7.953), n_seeds=2, sd_slope=1.0, sd_model=0.0, kappa=300.0
        ),
    }


def main() -> None:
    """Write every design's CSV beside the fixtures."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, frame in {**demo_designs(), **simulated_designs()}.items():
        frame[COLUMNS].to_csv(OUT / f"{name}.csv", index=False, float_format="%.17g")
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main()
