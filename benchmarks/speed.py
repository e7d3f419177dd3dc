"""Speed of plw-stats' fit against the peer a user would pick (bambi), on the same data.

Usage: python benchmarks/speed.py [--quick] [--skip-bambi] [--skip-scaling]

Each case runs in its own Python process (so imports and compilation count, and caches can be
cold or warm) and reports wall time split into phases, bulk ESS of b0, b1, b2 and its rate per
second of sampling, divergences and peak RSS.  The data are one paper-shaped group (260 rows:
10 PLW x 2 models x 13 benchmarks) of the demo sweep, relative and squeezed exactly as
``plw-stats fit`` does; bambi gets the same response vector.  Results print as Markdown tables.
Run on an otherwise idle machine.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = "AlpacaDataShort"


def child_plw(draws: int, tune: int, scale: int) -> dict:
    t0 = time.perf_counter()
    from plw_stats.glmm.backends.pymc_graph import compile_nutpie
    from plw_stats.glmm.backends.run import run_nutpie
    from plw_stats.glmm.backends.settings import SamplerSettings

    spec = _spec(scale)
    t1 = time.perf_counter()
    compiled = compile_nutpie(spec.build())
    t2 = time.perf_counter()
    idata = run_nutpie(compiled, SamplerSettings(draws=draws, tune=tune), 1, progress=False)
    t3 = time.perf_counter()
    names = {"b0": "intercept", "b1": "wp", "b2": "wp2"}
    return _report(
        idata, names, rows=len(spec.data), imports=t1 - t0, compile=t2 - t1, sampling=t3 - t2
    )


def child_fit(sampler: str, draws: int, tune: int, scale: int) -> dict:
    """plw-stats' own fit through ``spec.fit`` with the given backend ("native" or "pymc").

    Compilation (or loading numba's disk cache) happens inside sampling for these backends, so
    "compile" is NaN and counted in "sampling".
    """
    t0 = time.perf_counter()
    from plw_stats.glmm.backends.settings import SamplerSettings

    spec = _spec(scale)
    t1 = time.perf_counter()
    settings = SamplerSettings(draws=draws, tune=tune, sampler=sampler)
    fit = spec.fit(settings, random_seed=1, heal=False)
    t2 = time.perf_counter()
    names = {"b0": "intercept", "b1": "wp", "b2": "wp2"}
    return _report(
        fit.idata,
        names,
        rows=len(spec.data),
        imports=t1 - t0,
        compile=float("nan"),
        sampling=t2 - t1,
    )


def child_bambi(draws: int, tune: int, scale: int) -> dict:
    t0 = time.perf_counter()
    import bambi as bmb

    spec = _spec(scale)
    frame = spec.data.assign(wp=spec.wp(), y=spec.response())
    tight = bmb.Prior("Normal", mu=0, sigma=bmb.Prior("HalfNormal", sigma=0.5))
    priors = {"1|model": tight, "wp|benchmark": tight}
    model = bmb.Model(
        "y ~ wp + I(wp**2) + (0 + wp | benchmark) + (1 | model)",
        frame,
        family="beta",
        priors=priors,
    )
    t1 = time.perf_counter()
    idata = model.fit(
        draws=draws,
        tune=tune,
        chains=4,
        cores=2,
        inference_method="nutpie",
        nuts={"target_accept": 0.95},
        random_seed=1,
        progressbar=False,
    )
    t2 = time.perf_counter()
    names = {"b0": "Intercept", "b1": "wp", "b2": "I(wp ** 2)"}
    return _report(
        idata, names, rows=len(frame), imports=t1 - t0, compile=float("nan"), sampling=t2 - t1
    )


#: How each scale multiplies the design: (benchmark copies, model copies, seeds).
SCALES = {1: (1, 1, 1), 10: (5, 1, 2), 100: (5, 2, 10), 1000: (10, 10, 1)}


def _spec(scale: int):
    """The demo group, or a larger design with more benchmarks, models and repeated seeds.

    Scale 1000 here means "100x rows, all distinct cells" (10x benchmarks x 10x models, no
    repeated seeds): the worst case, in which every row needs its own likelihood term.
    """
    import numpy as np
    import pandas as pd

    from plw_stats.datasets import load_demo_scores
    from plw_stats.glmm.model import BetaMixedModel

    base = BetaMixedModel.from_table(load_demo_scores(), DATASET).data
    n_bench, n_model, n_seed = SCALES[scale]
    rng = np.random.default_rng(scale)
    copies = []
    for b in range(n_bench):
        for m in range(n_model):
            for _ in range(n_seed):
                noise = rng.normal(0, 0.05, len(base))
                copies.append(
                    base.assign(
                        benchmark=base["benchmark"] + f"~{b}",
                        model=base["model"] + f"~{m}",
                        score=np.clip(base["score"] + noise, 0, 1),
                    )
                )
    return BetaMixedModel(pd.concat(copies, ignore_index=True), name=f"{DATASET}x{scale}")


def _report(idata, names, **timing) -> dict:
    import resource

    import numpy as np
    from arviz_stats.base import array_stats

    posterior = idata["posterior"]
    ess = {
        k: float(array_stats.ess(posterior[v].transpose("chain", "draw").to_numpy()))
        for k, v in names.items()
    }
    return {
        **timing,
        "ess": ess,
        "divergences": int(np.sum(idata["sample_stats"]["diverging"].to_numpy())),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_case(kind: str, draws: int, tune: int, scale: int = 1, env=None) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--draws",
            str(draws),
            "--tune",
            str(tune),
            "--scale",
            str(scale),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def run_cli(args: list[str], env=None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "plw_stats.cli.main", *args],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def row(label: str, r: dict) -> str:
    min_ess = min(r["ess"].values())
    rate = min_ess / r["sampling"]
    return (
        f"| {label} | {r['rows']} | {r['wall']:.1f} | {r['imports']:.1f} | "
        f"{r['compile']:.1f} | {r['sampling']:.1f} | {min_ess:.0f} | {rate:.0f} | "
        f"{r['divergences']} | {r['peak_rss_mb']:.0f} |"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--skip-bambi", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--with-pymc", action="store_true", help="also time PyMC's NUTS (slow)")
    args = parser.parse_args()
    if args.child:
        children = {
            "plw": child_plw,
            "native": partial(child_fit, "native"),
            "pymc": partial(child_fit, "pymc"),
            "bambi": child_bambi,
        }
        run = children[args.child]
        print(json.dumps(run(args.draws, args.tune, args.scale)))
        return

    cold_graph = dict(os.environ, PYTENSOR_FLAGS=f"compiledir={tempfile.mkdtemp(prefix='pt-')}")
    cold_native = dict(os.environ, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="numba-"))
    print(
        "| case | rows | wall s | imports s | compile s | sampling s | min bulk ESS b0-b2 "
        "| ESS/s | divergences | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    results = {}
    cases = [
        ("native_cold", "native", cold_native, "plw-stats native (default), cold numba cache"),
        ("native", "native", cold_native, "plw-stats native (default), warm numba cache"),
        ("graph_cold", "plw", cold_graph, "plw-stats nutpie on the PyMC graph, cold cache"),
        ("graph", "plw", cold_graph, "plw-stats nutpie on the PyMC graph, warm cache"),
    ]
    if args.with_pymc:
        cases.append(("pymc", "pymc", cold_graph, "plw-stats, PyMC's own NUTS (cores=2)"))
    if not args.skip_bambi:
        cases.append(("bambi", "bambi", None, "bambi 0.21 + nutpie, tight priors, ta 0.95"))
    for key, kind, env, label in cases:
        results[key] = run_case(kind, args.draws, args.tune, env=env)
        print(row(label, results[key]), flush=True)
    if not args.skip_scaling:
        labels = {
            10: "10x rows (5x benchmarks, 2 seeds)",
            100: "100x rows (5x benchmarks, 2x models, 10 seeds)",
            1000: "100x rows, all distinct (10x benchmarks, 10x models)",
        }
        for scale, label in labels.items():
            r = run_case("native", args.draws, args.tune, scale=scale, env=cold_native)
            print(row(f"plw-stats native, {label}", r), flush=True)
    print()
    fit = ["fit", "--dataset", DATASET, "--quiet"]
    print(f"whole `plw-stats {' '.join(fit)}` process: {run_cli(fit, env=cold_native):.1f} s")
    demo = run_cli(["fit", "--quiet"], env=cold_native)
    print(f"whole `plw-stats fit --quiet` on the demo (3 datasets): {demo:.1f} s")
    if "bambi" in results:
        speedup = results["bambi"]["wall"] / results["native"]["wall"]
        print(f"plw-stats native (warm) is {speedup:.1f}x faster than bambi in wall time")


if __name__ == "__main__":
    main()
