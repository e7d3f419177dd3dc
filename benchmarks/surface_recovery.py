"""Does ``plw-stats surface`` find a known optimum, and call a flat truth flat?

Usage: python benchmarks/surface_recovery.py [--sweeps N] [--seed S] [--height H]

Simulates N one-dataset two-knob sweeps (the demo's grid: 6 PLW x 6 CLW levels, 5 models,
4 benchmarks, one run per cell) with a concave truth peaking at a random interior point
(wp* in [0.15, 0.85], CLW* in [0.3, 0.9], random curvature, peak ``--height`` on the logit
scale), and N with a flat truth, the benchmarks at their own levels (logit sd 0.7).  Each is
fitted as ``plw-stats surface`` does by default (Bayes with evidence: relative scores, min-max
scaled within each benchmark) and as ``plw-stats surface --scale unit`` does (the scores on
the proportion scale they were simulated on, a fixed intercept per benchmark: the simulating
model plus those intercepts).  Prints, as Markdown: how often the 94% HDI of the optimum's PLW
and CLW covers the truth (each and both), the median interval widths, how often the flat call
is right, and the share of fits with clean diagnostics.
"""

import argparse
import time

import numpy as np

from plw_stats.io.tables import validate_scores
from plw_stats.simulation.surface_sweeps import SurfaceGrid, SurfaceTruth, simulate_surface_sweep
from plw_stats.surface.sweep import fit_surface

#: Spread of the benchmarks' own levels (logit scale): gsm8k is not at mmlu's level.
BENCHMARK_SD = 0.7


def random_truth(rng: np.random.Generator, height: float = 0.3) -> SurfaceTruth:
    """A concave truth peaking at a random interior point, ``height`` on the logit scale."""
    curvature = (rng.uniform(2.0, 5.0), rng.uniform(2.0, 5.0), rng.uniform(-1.0, 1.0))
    wp, wc = rng.uniform(0.15, 0.85), rng.uniform(0.3, 0.9)
    return SurfaceTruth.from_peak(
        wp, wc, height=height, curvature=curvature, kappa=30.0, sd_benchmark=BENCHMARK_SD
    )


def fit_one(truth: SurfaceTruth, seed: int, *, scale: str = "relative"):
    """Fit one simulated sweep (on the proportion scale) as ``surface --scale SCALE`` does."""
    table = validate_scores(
        simulate_surface_sweep({"d": truth}, SurfaceGrid(), seed=seed, raw_scale=False)
    )
    return fit_surface(table, "d", seed=seed, scale=scale)


def covers(fit, truth: SurfaceTruth) -> tuple[bool, bool]:
    plw, clw = truth.optimum()
    opt = fit.optimum
    return (
        bool(opt.plw.hdi_low <= plw <= opt.plw.hdi_high),
        bool(opt.clw.hdi_low <= clw <= opt.clw.hdi_high),
    )


def widths(fit) -> tuple[float, float]:
    opt = fit.optimum
    return opt.plw.hdi_high - opt.plw.hdi_low, opt.clw.hdi_high - opt.clw.hdi_low


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweeps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--height",
        type=float,
        default=0.3,
        help="peak of the truths (logit scale): 0.3 keeps mean scores below 0.6, 2 makes them "
        "span most of [0, 1] as relative scores do",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    rows = {"relative": ([], []), "unit": ([], [])}
    called = {(kind, scale): [] for kind in ("peaked", "flat") for scale in rows}
    clean = []
    for k in range(args.sweeps):
        truth = random_truth(rng, args.height)
        for scale in rows:
            fit = fit_one(truth, args.seed + k, scale=scale)
            rows[scale][0].append(covers(fit, truth))
            rows[scale][1].append(widths(fit))
            clean.append(not fit.problems())
            called["peaked", scale].append(not fit.evidence.flat)
            flat_truth = SurfaceTruth(kappa=30.0, sd_benchmark=BENCHMARK_SD)
            flat = fit_one(flat_truth, args.seed + 1000 + k, scale=scale)
            called["flat", scale].append(flat.evidence.flat)
            clean.append(not flat.problems())
        optimum = ", ".join(f"{v:.3g}" for v in truth.optimum())
        hits = {scale: rows[scale][0][-1] for scale in rows}
        print(f"sweep {k + 1}/{args.sweeps}: truth ({optimum}) covered {hits}", flush=True)
    n = args.sweeps
    print()
    print("| fitted to | covers PLW* | covers CLW* | both | median HDI width PLW*, CLW* |")
    print("|---|---|---|---|---|")
    labels = {"relative": "relative scores (default)", "unit": "`--scale unit`"}
    for scale, (hits, width) in rows.items():
        hits, width = np.array(hits), np.median(np.array(width), axis=0)
        print(
            f"| {labels[scale]} | {hits[:, 0].mean():.0%} | {hits[:, 1].mean():.0%} | "
            f"{hits.all(axis=1).mean():.0%} | {width[0]:.3f}, {width[1]:.3f} |"
        )
    print()
    for scale in rows:
        print(
            f"- {labels[scale]}: peaked truth called not flat "
            f"{np.mean(called['peaked', scale]):.0%} of {n}, flat truth called flat "
            f"{np.mean(called['flat', scale]):.0%} of {n}"
        )
    print(f"- fits with clean diagnostics (after retries): {np.mean(clean):.0%} of {len(clean)}")
    print(f"- total time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
