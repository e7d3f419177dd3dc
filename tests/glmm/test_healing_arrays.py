"""The retry loop for any sampler, and the studies' fast path through it (no MCMC)."""

import numpy as np
import pandas as pd
import pytest
from helpers import synthetic_idata

from plw_stats.glmm import healing
from plw_stats.glmm.backends.native import RawDraws
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.glmm.posterior import Diagnostics, diagnose

MEANS = {"intercept": -1.0, "wp": 5.0, "wp2": -4.0, "kappa": 10.0, "sd_slope": 1, "sd_model": 0.5}
FINE = Diagnostics(rhat_max=1.0, ess_bulk_min=1000, divergences=0)
SICK = Diagnostics(rhat_max=1.0, ess_bulk_min=1000, divergences=3)


def test_retry_climbs_the_ladder_and_times_the_retries(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(healing.time, "perf_counter", lambda: now[0])
    runs = []

    def run(design, settings, seed):
        now[0] += (1.0, 3.0, 4.0)[len(runs)]  # seconds each attempt takes
        runs.append((settings.target_accept, seed))
        diag = SICK if len(runs) < 3 else FINE
        return healing.Outcome(f"draws {len(runs)}", diag, ("a fallback",))

    done = healing.retry(run, "a design", SamplerSettings(), 7)
    assert [r[0] for r in runs] == [0.9, 0.95, 0.99]
    assert [r[1] for r in runs] == [7, healing.retry_seed(7, 1), healing.retry_seed(7, 2)]
    assert done.result == "draws 3" and done.attempts == 3
    assert done.retry_seconds == pytest.approx(3.0 + 4.0)  # the first attempt is not a retry
    assert [d.divergences for d in done.history] == [3, 3, 0]
    assert done.notes[0] == "a fallback" and len(done.notes) == 3


def test_retry_stops_after_max_retries():
    sick = lambda design, settings, seed: healing.Outcome(None, SICK)  # noqa: E731
    done = healing.retry(sick, "a design", SamplerSettings(), 1, max_retries=0)
    assert done.attempts == 1 and done.diagnostics.divergences == 3 and done.notes == ()


def test_array_diagnostics_match_the_datatree_ones(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    idata = synthetic_idata(spec, MEANS, seed=3, chains=4, draws=300)
    names = spec.parameter_names()
    posterior = idata["posterior"]
    arrays = {n: posterior[n].transpose("chain", "draw").to_numpy() for n in names}
    assert healing.diagnose_arrays(arrays, 0) == diagnose(idata, names)


class ScriptedSampler:
    def __init__(self, divergences, sd_slope=1.0):
        self.settings = SamplerSettings(chains=2, draws=100)
        self.divergences = list(divergences)
        self.sd_slope = sd_slope
        self.seen = []

    def sample_arrays(self, design, seed, *, settings=None):
        self.seen.append((settings.target_accept, design.benchmark_slope))
        rng = np.random.default_rng(seed)
        draws = {n: rng.standard_normal((2, 100)) for n in ("wp", "wp2")}
        draws["kappa"] = 6.0 + 0.1 * rng.standard_normal((2, 100))
        draws["sd_slope"] = self.sd_slope * np.exp(0.1 * rng.standard_normal((2, 100)))
        return RawDraws(draws=draws, divergences=self.divergences.pop(0)), ("note",)


def test_study_fits_heal_through_the_fast_path(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    sampler = ScriptedSampler([4, 0])
    done = healing.sample_arrays_healed(sampler, spec, 11)
    assert sampler.seen == [(0.9, "centered"), (0.95, "centered")] and done.attempts == 2
    assert done.diagnostics.divergences == 0 and done.history[0].divergences == 4
    assert done.notes[0] == "note" and done.notes[1].startswith("attempt 1: 4 divergent")


def test_a_small_slope_sd_makes_the_slopes_non_centred_first(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    error = healing.slope_standard_error(spec, 6.0)
    assert 0.05 < error < 0.5  # 20 rows per benchmark pin a slope to a few tenths
    sampler = ScriptedSampler([3, 2, 0], sd_slope=error / 4)
    done = healing.sample_arrays_healed(sampler, spec, 5)
    assert sampler.seen == [(0.9, "centered"), (0.9, "noncentered"), (0.95, "noncentered")]
    assert done.design.benchmark_slope == "noncentered" and spec.benchmark_slope == "centered"
    assert "benchmark slopes non-centred (sd_slope" in done.notes[1]


def test_more_rows_per_benchmark_pin_the_slopes_down_more_tightly(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    doubled = BetaMixedModel(pd.concat([spec.data, spec.data]), name="twice")
    ratio = healing.slope_standard_error(doubled, 6.0) / healing.slope_standard_error(spec, 6.0)
    assert ratio == pytest.approx(1 / np.sqrt(2), rel=0.05)


def test_slope_standard_error_is_finite_for_scores_at_the_bounds(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    extreme = spec.data.assign(score=np.where(spec.data["score"] > 0.5, 1 - 1e-250, 1e-250))
    design = BetaMixedModel(extreme, name="extreme", squeeze_epsilon=1e-300)
    error = healing.slope_standard_error(design, 3.0)
    assert np.isfinite(error) and error > 0
    assert healing._x2_trigamma(np.array([1e-300, 2.0]))[0] == 1.0
