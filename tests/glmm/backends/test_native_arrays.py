"""The studies' fast path of the native backend: draws read from nutpie's raw trace."""

import numpy as np
import pyarrow as pa
import pytest

from plw_stats.glmm.backends.native import raw_theta, sample_native, sample_native_arrays
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
    theta, divergences = raw_theta(RawTrace(), chains=2)
    assert theta.shape == (2, 4, 2)
    np.testing.assert_array_equal(theta[0, 0], [6.0, 7.0])
    np.testing.assert_array_equal(theta[1, -1], [112.0, 113.0])
    assert divergences == 2
    with pytest.raises(ValueError, match="raw trace has 2 chains, expected 4"):
        raw_theta(RawTrace(), chains=4)


@pytest.mark.slow
def test_fast_path_gives_the_datatree_draws(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    settings = SamplerSettings(chains=2, draws=100, tune=100, cores=1)
    full = sample_native(spec, settings, 5, progress=False)
    fast = sample_native_arrays(spec, settings, 5)
    for name in spec.parameter_names():
        np.testing.assert_array_equal(fast.draws[name], full.idata["posterior"][name].to_numpy())
    assert fast.divergences == int(full.idata["sample_stats"]["diverging"].sum())
