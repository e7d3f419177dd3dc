"""One sampler dispatch: the backend that runs, its fallbacks, their warnings and notes."""

import dataclasses
import warnings

import numpy as np
import pytest

from plw_stats.errors import SamplerFallbackWarning
from plw_stats.glmm.backends import dispatch
from plw_stats.glmm.backends.native import PYTHON_CALLBACK_NOTE
from plw_stats.glmm.backends.nutpie_model import NativeUnavailable
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel

TINY = SamplerSettings(chains=2, draws=50, tune=50)


@pytest.fixture
def spec(demo_scores):
    return BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch):
    monkeypatch.setattr(dispatch, "_WARNED", set())


def test_native_serves_the_default_specification(spec):
    assert dispatch.resolve_backend(spec, TINY) == ("native", ())
    for sampler in ("nutpie", "pymc"):
        assert dispatch.resolve_backend(spec, dataclasses.replace(TINY, sampler=sampler)) == (
            sampler,
            (),
        )


def test_native_on_non_centred_model_levels_runs_nutpie_and_says_so(spec):
    noncentred = dataclasses.replace(spec, model_intercept="noncentered")
    backend, notes = dispatch.resolve_backend(noncentred, TINY)
    assert backend == "nutpie"
    assert "centred model levels only" in notes[0] and "model_intercept=noncentered" in notes[0]
    slopes = dataclasses.replace(spec, benchmark_slope="noncentered")
    assert dispatch.resolve_backend(slopes, TINY) == ("native", ())


def test_each_fallback_warns_once_per_process():
    with pytest.warns(SamplerFallbackWarning, match="slower"):
        dispatch.warn_once(("slower",))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dispatch.warn_once(("slower",))


@pytest.mark.slow
def test_python_callback_fallback_gives_identical_draws_and_is_noted(spec, monkeypatch):
    fast = spec.fit(TINY, random_seed=4, retries=0)

    def unavailable(problem):
        raise NativeUnavailable("simulated")

    monkeypatch.setattr("plw_stats.glmm.backends.native.compile_native", unavailable)
    with pytest.warns(SamplerFallbackWarning, match="Python callback"):
        slow = spec.fit(TINY, random_seed=4, retries=0)
    np.testing.assert_array_equal(fast.draws("wp"), slow.draws("wp"))
    assert PYTHON_CALLBACK_NOTE in slow.to_dict()["notes"]
    assert PYTHON_CALLBACK_NOTE not in fast.to_dict()["notes"]


@pytest.mark.slow
def test_native_non_centred_request_samples_with_nutpie(spec):
    noncentred = dataclasses.replace(spec, model_intercept="noncentered")
    with pytest.warns(SamplerFallbackWarning, match="sampled by nutpie on the PyMC graph"):
        fit = noncentred.fit(TINY, random_seed=2, retries=0)
    assert fit.idata["posterior"].attrs.get("inference_library", "nutpie") == "nutpie"
    assert "z_model" in fit.idata["posterior"].data_vars  # the graph's non-centred variable
    assert any("sampled by nutpie" in note for note in fit.to_dict()["notes"])
