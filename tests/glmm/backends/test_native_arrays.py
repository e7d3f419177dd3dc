"""The native backend's draws: read from nutpie's raw trace, sampled without its Python layer."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from plw_stats.glmm.backends.callbacks import compile_native
from plw_stats.glmm.backends.kernel import NativeProblem
from plw_stats.glmm.backends.native import sample_native, sample_native_arrays
from plw_stats.glmm.backends.run import read_raw_trace, run_nutpie, sample_theta
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel


class RawTrace:
    """nutpie's raw trace of two chains: warm-up rows first, then draws."""

    def __init__(self, tune=3, draws=4, dim=2):
        self.batches = []
        for chain in range(2):
            n = tune + draws
            theta = np.arange(n * dim, dtype=float).reshape(n, dim) + 100 * chain
            values = pa.array(theta.ravel())
            offsets = pa.array(np.arange(0, n * dim + 1, dim), type=pa.int64())
            lists = pa.LargeListArray.from_arrays(offsets, values)
            tuning = np.arange(n) < tune
            diverging = np.zeros(n, dtype=bool)
            diverging[[0, tune + chain]] = True  # one in warm-up (ignored), one after
            self.batches.append(
                (
                    pa.record_batch({"theta": lists}),
                    pa.record_batch({"tuning": tuning, "diverging": diverging}),
                )
            )

    def get_arrow_trace(self):
        return [b[0] for b in self.batches], [b[1] for b in self.batches]


def test_raw_trace_keeps_the_draws_after_warm_up():
    trace = read_raw_trace(RawTrace(), chains=2)
    assert trace.theta.shape == (2, 4, 2)
    np.testing.assert_array_equal(trace.theta[0, 0], [6.0, 7.0])
    np.testing.assert_array_equal(trace.theta[1, -1], [112.0, 113.0])
    assert trace.divergences == 2
    assert set(trace.stats) == {"diverging"}
    assert trace.sample_stats()["diverging"].dims == ("chain", "draw")
    with pytest.raises(ValueError, match="raw trace has 2 chains, expected 4"):
        read_raw_trace(RawTrace(), chains=4)


@pytest.mark.slow
def test_fast_path_gives_the_datatree_draws(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    settings = SamplerSettings(chains=2, draws=100, tune=100, cores=1)
    full = sample_native(spec, settings, 5, progress=False)
    fast = sample_native_arrays(spec, settings, 5)
    for name in spec.parameter_names():
        np.testing.assert_array_equal(fast.draws[name], full.idata["posterior"][name].to_numpy())
    assert fast.divergences == int(full.idata["sample_stats"]["diverging"].sum())


def test_nutpie_core_loads_without_its_python_layer():
    code = (
        "import sys\n"
        "from plw_stats.glmm.backends.nutpie_model import nutpie_lib\n"
        "lib = nutpie_lib()\n"
        "assert not {'nutpie', 'arviz', 'matplotlib'} & set(sys.modules), sorted(sys.modules)\n"
        "import nutpie\n"
        "assert nutpie._lib is lib\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


@pytest.mark.slow
def test_direct_sampler_gives_nutpie_sample_draws(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    model = compile_native(NativeProblem.from_spec(spec))
    settings = SamplerSettings(chains=2, draws=50, tune=50, cores=1)
    direct = sample_theta(model, settings, 3, progress=False)
    raw = run_nutpie(model, settings, 3, progress=False, return_raw_trace=True)
    through_nutpie = read_raw_trace(raw, chains=2)
    np.testing.assert_array_equal(direct.theta, through_nutpie.theta)
    np.testing.assert_array_equal(direct.stats["energy"], through_nutpie.stats["energy"])
