"""Speed of ``plw-stats surface``: the two sampler routes, and whole commands on 6 x 6 grids.

Usage: python benchmarks/surface_speed.py [--dataset NAME] [--skip-graph] [--skip-cli]

1. One dataset's surface (700 rows: 35 (PLW, CLW) cells x 5 models x 4 benchmarks, the bundled
   simulated demo) sampled once, 4 chains x 1000 draws + 1000 tuning, in a new Python process
   per case: (a) nutpie on the PyMC graph of the model (numba compilation of the graph, cold
   and warm pytensor cache) against (b) the hand-written numba log density of the general beta
   GLMM through C callbacks (cold and warm numba cache).  Reported: wall time by phase, the
   smallest bulk ESS of the model's scalar parameters, divergences, peak RSS.
2. Whole ``plw-stats surface`` processes on the demo (3 datasets x 5 models x 6 x 6 grid x 4
   benchmarks) and on a WIT-like linear grid (PLW and CLW in 0, 0.2 ... 1, ``--power 1``):
   Bayesian with evidence (two fits per dataset, the second for the null model of PSIS-LOO,
   and the ML fit), without it, and ML only, at the surface's default settings.  Wall and CPU
   (user + system) seconds: on a shared machine CPU seconds are the steadier number.

Results print as Markdown tables.  Run on an otherwise idle machine.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _design(name: str):
    from plw_stats.datasets import load_surface_demo_scores
    from plw_stats.surface.sweep import specify_surfaces

    return specify_surfaces(load_surface_demo_scores(), [name])[0]


def child(kind: str, dataset: str) -> dict:
    """One sampling run in this process: ``native`` or ``graph``."""
    t0 = time.perf_counter()
    # importing the native callbacks compiles them (cold numba cache) or loads them (warm)
    from plw_stats.glmm.backends.general_dispatch import sample_general

    t1 = time.perf_counter()
    from plw_stats.glmm.backends.run import run_nutpie
    from plw_stats.glmm.backends.settings import SamplerSettings

    design = _design(dataset)
    settings = SamplerSettings()
    t2 = time.perf_counter()
    if kind == "native":
        idata = sample_general(design.glmm(), settings, 1).idata
        phases = {"imports": t2 - t1, "compile": t1 - t0, "sampling": time.perf_counter() - t2}
        return _report(design, idata, **phases)
    from plw_stats.glmm.backends.general_graph import build_general_model
    from plw_stats.glmm.backends.pymc_graph import compile_nutpie

    compiled = compile_nutpie(build_general_model(design.glmm()))
    t3 = time.perf_counter()
    idata = run_nutpie(compiled, settings, 1, progress=False)
    phases = {"imports": t2 - t0, "compile": t3 - t2, "sampling": time.perf_counter() - t3}
    return _report(design, idata, **phases)


def _report(design, idata, **timing) -> dict:
    import numpy as np
    from arviz_stats.base import array_stats

    posterior = idata["posterior"]
    ess = [
        float(array_stats.ess(posterior[v].transpose("chain", "draw").to_numpy()))
        for v in design.parameter_names()
    ]
    stats = idata["sample_stats"]
    return {
        **timing,
        "rows": len(design.data),
        "min_ess": min(ess),
        "divergences": int(np.sum(stats["diverging"].to_numpy())),
        "steps": float(stats["n_steps"].mean()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(kind: str, dataset: str, env) -> dict:
    start = time.perf_counter()
    command = [sys.executable, __file__, "--child", kind, "--dataset", dataset]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def run_cli(args: list[str], env=None) -> tuple[float, float]:
    """Wall and CPU seconds of one ``plw-stats`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "plw_stats.cli.main", *args]
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def wit_linear_table(folder: str) -> str:
    """A WIT-like sweep (linear 6 x 6 grid, 5 models, 3 datasets, 4 benchmarks) as a CSV."""
    from plw_stats.simulation.surface_sweeps import (
        LINEAR_LEVELS,
        SURFACE_DEMO_DATASETS,
        SurfaceGrid,
        SurfaceTruth,
        simulate_surface_sweep,
    )

    truths = dict(SURFACE_DEMO_DATASETS)
    truths["Interior"] = SurfaceTruth.from_peak(0.2, 0.8)
    grid = SurfaceGrid(plw_levels=LINEAR_LEVELS, power=1.0)
    path = os.path.join(folder, "wit_linear.csv")
    simulate_surface_sweep(truths, grid, seed=7).to_csv(path, index=False)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--dataset", default="Interior")
    parser.add_argument("--skip-graph", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.dataset)))
        return
    cold_native = dict(os.environ, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="numba-"))
    cold_graph = dict(os.environ, PYTENSOR_FLAGS=f"compiledir={tempfile.mkdtemp(prefix='pt-')}")
    print(
        "| route | wall s | imports s | compile s | sampling s | min bulk ESS | "
        "leapfrog steps/draw | divergences | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    cases = [
        ("native", cold_native, "(b) native kernel + C callbacks, cold numba cache"),
        ("native", cold_native, "(b) native kernel + C callbacks, warm numba cache"),
    ]
    if not args.skip_graph:
        cases += [
            ("graph", cold_graph, "(a) nutpie on the PyMC graph, cold pytensor cache"),
            ("graph", cold_graph, "(a) nutpie on the PyMC graph, warm pytensor cache"),
        ]
    for kind, env, label in cases:
        r = run_child(kind, args.dataset, env)
        print(
            f"| {label} | {r['wall']:.1f} | {r['imports']:.1f} | {r['compile']:.1f} | "
            f"{r['sampling']:.1f} | {r['min_ess']:.0f} | {r['steps']:.1f} | "
            f"{r['divergences']} | {r['peak_rss_mb']:.0f} |",
            flush=True,
        )
    if args.skip_cli:
        return
    folder = tempfile.mkdtemp(prefix="surface-")
    wit = wit_linear_table(folder)
    commands = {
        "`plw-stats surface` (demo, 3 datasets)": ["surface", "--quiet"],
        "`plw-stats surface --no-evidence` (demo)": ["surface", "--quiet", "--no-evidence"],
        "`plw-stats surface --method ml` (demo)": ["surface", "--quiet", "--method", "ml"],
        "`plw-stats surface WIT.csv --power 1` (linear grid)": ["surface", wit, "--power", "1"],
        "`plw-stats surface --out DIR` (demo, with figures)": [
            "surface",
            "--quiet",
            "--out",
            os.path.join(folder, "out"),
        ],
    }
    print()
    print("| command | wall s | CPU s |")
    print("|---|---|---|")
    for label, command in commands.items():
        wall, cpu = run_cli([*command, "--quiet"] if "--quiet" not in command else command)
        print(f"| {label} | {wall:.1f} | {cpu:.1f} |", flush=True)


if __name__ == "__main__":
    main()
