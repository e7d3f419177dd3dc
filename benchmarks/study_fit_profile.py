"""Where the time of one calibration fit goes, before and after the studies' fast path.

Usage::

    .venv/bin/python benchmarks/study_fit_profile.py [--fits 10] [--draws 1000] [--tune 1000]

Simulates sweeps of the paper's design at the paper's truth and, for each, times (CPU seconds of
this process, one core, chains one after another as in a study):

* ``simulate``: draw the sweep and build the model's design;
* ``sampling (DataTree)``: the dispatch's full path — nutpie, the DataTree, the named posterior;
* ``diagnose (DataTree)``: R-hat, ESS and divergences from the DataTree;
* ``sampling (arrays)``: the studies' fast path — nutpie's raw trace, scalar draws as arrays;
* ``diagnose (arrays)``: the same diagnostics from the arrays;
* ``summaries``: intervals, PLW*, ranks of the truth;
* ``ML LRT``: the GLMM by maximum likelihood and its null model (``--ml`` of calibrate).

Both sampling paths use the same seed, so they sample the same draws; the difference is the
per-fit overhead the fast path removes.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np

from plw_stats.glmm.backends.dispatch import ReusableSampler
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.healing import diagnose_arrays
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.posterior import diagnose
from plw_stats.simulation.fits import posterior_columns
from plw_stats.simulation.sources import StudySetup, simulate, template_design


def timed(clock: dict, name: str, function, *args, **kwargs):
    start = time.process_time()
    result = function(*args, **kwargs)
    clock[name].append(time.process_time() - start)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=10)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    args = parser.parse_args()
    settings = SamplerSettings(chains=4, draws=args.draws, tune=args.tune, cores=1)
    setup = StudySetup(settings=settings)
    sampler = ReusableSampler(template_design(setup), settings)
    clock: dict[str, list[float]] = defaultdict(list)
    for i in range(args.fits + 1):  # the first fit warms the caches and is not counted
        rng = np.random.default_rng([7, i])
        data = timed(clock, "simulate", simulate, setup, rng)
        full = timed(clock, "sampling (DataTree)", sampler.sample, data.design, 100 + i)
        names = data.design.parameter_names()
        timed(clock, "diagnose (DataTree)", diagnose, full.idata, names)
        raw, _ = timed(clock, "sampling (arrays)", sampler.sample_arrays, data.design, 100 + i)
        timed(clock, "diagnose (arrays)", diagnose_arrays, raw.draws, raw.divergences)
        timed(clock, "summaries", posterior_columns, setup, raw.draws, data.truth)
        timed(clock, "ML LRT", fit_ml_design, data.design)
        if i == 0:
            clock.clear()
    print(f"{args.fits} fits, 4 chains x {args.draws} draws + {args.tune} warm-up, one core")
    print(f"{'phase':<22} {'CPU ms per fit':>15}")
    for name, values in clock.items():
        print(f"{name:<22} {1000 * np.mean(values):>15.0f}")
    old = sum(np.mean(clock[k]) for k in ("simulate", "sampling (DataTree)", "diagnose (DataTree)"))
    new = sum(np.mean(clock[k]) for k in ("simulate", "sampling (arrays)", "diagnose (arrays)"))
    print(f"study fit without ML: {1000 * old:.0f} ms (DataTree path) -> {1000 * new:.0f} ms")


if __name__ == "__main__":
    main()
