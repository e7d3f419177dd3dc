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

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = "AlpacaDataShort"


def child_plw(draws: int, tune: int, scale: int) -> dict:
    t0 = time.perf_counter()
    from plw_stats.models.sampling import SamplerSettings, compile_nutpie, sample_compiled

    spec = _spec(scale)
    t1 = time.perf_counter()
    compiled = compile_nutpie(spec.build())
    t2 = time.perf_counter()
    idata = sample_compiled(compiled, SamplerSettings(draws=draws, tune=tune), 1, progress=False)
    t3 = time.perf_counter()
    names = {"b0": "intercept", "b1": "b_wp", "b2": "b_wp2"}
    return _report(
        idata, names, rows=len(spec.data), imports=t1 - t0, compile=t2 - t1, sampling=t3 - t2
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


def _spec(scale: int):
    import pandas as pd

    from plw_stats.datasets import load_demo_scores
    from plw_stats.models.beta_glmm import BetaMixedModel

    base = BetaMixedModel.from_table(load_demo_scores(), DATASET).data
    if scale == 1:
        return BetaMixedModel(base, name=DATASET)
    copies = []
    for i in range(scale):  # more benchmarks and models: each copy is a new (model, benchmark)
        copies.append(
            base.assign(
                benchmark=base["benchmark"] + f"~{i % 10}", model=base["model"] + f"~{i // 10}"
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
    args = parser.parse_args()
    if args.child:
        run = child_plw if args.child == "plw" else child_bambi
        print(json.dumps(run(args.draws, args.tune, args.scale)))
        return

    cold = dict(os.environ, PYTENSOR_FLAGS=f"compiledir={tempfile.mkdtemp(prefix='pt-cold-')}")
    print(
        "| case | rows | wall s | imports s | compile s | sampling s | min bulk ESS b0-b2 "
        "| ESS/s | divergences | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    results = {"cold": run_case("plw", args.draws, args.tune, env=cold)}
    print(row("plw-stats, cold compile cache", results["cold"]), flush=True)
    results["warm"] = run_case("plw", args.draws, args.tune, env=cold)
    print(row("plw-stats, warm compile cache", results["warm"]), flush=True)
    if not args.skip_bambi:
        results["bambi"] = run_case("bambi", args.draws, args.tune)
        print(
            row("bambi 0.21 + nutpie, tight priors, target_accept 0.95", results["bambi"]),
            flush=True,
        )
    if not args.skip_scaling:
        for scale in (10, 100):
            r = run_case("plw", args.draws, args.tune, scale=scale)
            print(row(f"plw-stats, {scale}x rows (warm)", r), flush=True)
    print()
    print(
        f"whole `plw-stats fit --dataset {DATASET}` process (warm cache): "
        f"{run_cli(['fit', '--dataset', DATASET, '--quiet']):.1f} s"
    )
    fresh = dict(os.environ, PYTENSOR_FLAGS="compiledir=" + tempfile.mkdtemp(prefix="pt-"))
    demo = run_cli(["fit", "--quiet"], env=fresh)
    print(f"whole `plw-stats fit` on the demo (3 datasets), cold cache: {demo:.1f} s")
    if "bambi" in results:
        speedup = results["bambi"]["wall"] / results["warm"]["wall"]
        print(f"plw-stats (warm) is {speedup:.1f}x faster than bambi in wall time")


if __name__ == "__main__":
    main()
