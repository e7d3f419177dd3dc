"""Write the input tables of the glmmTMB surface reference fits (``glmmtmb_surface/*.csv``).

Each CSV holds one dataset's rows as the surface's ML route sees them: ``y`` (relative score over
the table without the (0, 0) cell, squeezed by Smithson & Verkuilen's ``(y·(n−1) + 0.5)/n`` with
``n`` the dataset's rows), ``wp = plw ** p``, ``wc = clw ** q``, ``benchmark`` and ``model``.
Designs named ``unit_*`` are fitted on the scores' own scale (``scale="unit"``: ``y`` is the
squeezed proportion, not a relative score) and glmmTMB adds ``+ benchmark`` to them.
``glmmtmb_surface.R`` fits them.

Run from the repository root::

    python tests/reference/make_surface_designs.py && Rscript tests/reference/glmmtmb_surface.R
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from plw_stats.datasets import load_surface_demo_scores
from plw_stats.io.tables import validate_scores
from plw_stats.simulation.surface_sweeps import (
    DEMO_BENCHMARKS,
    LINEAR_LEVELS,
    SurfaceGrid,
    SurfaceTruth,
    simulate_surface_sweep,
)
from plw_stats.surface.sweep import specify_surfaces

OUT = Path(__file__).parent / "glmmtmb_surface"
COLUMNS = ["y", "wp", "wc", "benchmark", "model"]


def design_rows(scores: pd.DataFrame, **options) -> dict[str, pd.DataFrame]:
    """Each dataset of ``scores`` as the ML route fits it (``options`` of specify_surfaces)."""
    out = {}
    for spec in specify_surfaces(validate_scores(scores), **options):
        out[spec.name] = pd.DataFrame(
            {
                "y": spec.response(),
                "wp": spec.wp(),
                "wc": spec.wc(),
                "benchmark": spec.data["benchmark"].to_numpy(),
                "model": spec.data["model"].to_numpy(),
            }
        )
    return out


def designs() -> dict[str, pd.DataFrame]:
    """The demo's three datasets (default powers), a WIT-like linear grid (powers 1), a
    single-benchmark design with repeated seeds, and a proportion-scale design whose
    benchmarks sit at their own levels."""
    found = {f"demo_{k}": v for k, v in design_rows(load_surface_demo_scores()).items()}
    linear = SurfaceGrid(plw_levels=LINEAR_LEVELS, power=1.0)
    truth = {"wit_linear": SurfaceTruth.from_peak(0.2, 0.8, curvature=(2.0, 2.5, 0.5))}
    wit = simulate_surface_sweep(truth, linear, seed=31, raw_scale=False)
    found |= design_rows(wit, power=1.0, clw_power=1.0)
    one = SurfaceGrid(benchmarks=DEMO_BENCHMARKS[:1])
    seeds = [
        simulate_surface_sweep(
            {"single_benchmark": SurfaceTruth.from_peak(0.4, 0.7)}, one, s
        ).assign(seed=s)
        for s in (41, 42)
    ]
    found |= design_rows(pd.concat(seeds, ignore_index=True))
    levels = SurfaceTruth.from_peak(0.5, 0.7, height=0.3, sd_benchmark=0.7, kappa=30.0)
    unit = simulate_surface_sweep({"unit_levels": levels}, SurfaceGrid(), 51, raw_scale=False)
    found |= design_rows(unit, scale="unit")
    return found


def main() -> None:
    """Write every design's CSV beside the fixtures."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, frame in designs().items():
        frame[COLUMNS].to_csv(OUT / f"{name}.csv", index=False, float_format="%.17g")
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main()
