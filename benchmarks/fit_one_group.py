"""Time one dataset's fit: imports, model build, nutpie compile and sampling, separately.

Usage: python benchmarks/fit_one_group.py [DATASET] [--draws N] [--tune N] [--chains N]

Prints one table row per phase plus the diagnostics (bulk ESS of b0, b1, b2, divergences) and
ESS per second of sampling.  Run it on an otherwise idle machine: timings under load mean little.
"""

import argparse
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
from arviz_stats.base import array_stats  # noqa: E402

from plw_stats.datasets import load_demo_scores  # noqa: E402
from plw_stats.glmm.backends.pymc_graph import compile_nutpie  # noqa: E402
from plw_stats.glmm.backends.run import run_nutpie  # noqa: E402
from plw_stats.glmm.backends.settings import SamplerSettings  # noqa: E402
from plw_stats.glmm.model import BetaMixedModel  # noqa: E402

t_imports = time.perf_counter() - t_start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", nargs="?", default="AlpacaDataShort")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    settings = SamplerSettings(chains=args.chains, draws=args.draws, tune=args.tune)

    t0 = time.perf_counter()
    spec = BetaMixedModel.from_table(load_demo_scores(), args.dataset)
    model = spec.build()
    t1 = time.perf_counter()
    compiled = compile_nutpie(model)
    t2 = time.perf_counter()
    idata = run_nutpie(compiled, settings, args.seed, progress=False)
    t3 = time.perf_counter()

    posterior = idata["posterior"]
    ess = {
        v: float(array_stats.ess(posterior[v].transpose("chain", "draw").to_numpy()))
        for v in ("intercept", "wp", "wp2")
    }
    divergences = int(np.sum(idata["sample_stats"]["diverging"].to_numpy()))
    sampling = t3 - t2
    print("| phase | seconds |\n|---|---|")
    print(f"| imports | {t_imports:.2f} |")
    print(f"| data + build | {t1 - t0:.2f} |")
    print(f"| nutpie compile | {t2 - t1:.2f} |")
    print(f"| sampling ({settings.chains}x{settings.draws}+{settings.tune}) | {sampling:.2f} |")
    print(f"| total | {t3 - t_start:.2f} |")
    print(f"\ndataset {args.dataset}: {len(spec.data)} rows, divergences {divergences}")
    for name, value in ess.items():
        print(f"  bulk ESS {name}: {value:.0f} ({value / sampling:.0f} per second of sampling)")


if __name__ == "__main__":
    main()
