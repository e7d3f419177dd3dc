"""A stand-in for the study sampler: draws that depend on (data, seed) only, no MCMC.

Use the ``fake_sampler`` fixture (re-exported by the conftest of tests/simulation and tests/cli).
"""

import numpy as np
import pytest

from plw_stats.glmm.backends.native import RawDraws
from plw_stats.simulation import fits

MEANS = {"intercept": -1.0, "wp": 5.5, "wp2": -4.3, "kappa": 15.0, "sd_slope": 0.8, "sd_model": 0.3}


class FakeSampler:
    """Answers ``sample_arrays`` like a ReusableSampler, from the data's mean and the seed.

    Odd seeds report two divergences, so the healing retries run (with derived seeds).
    """

    def __init__(self, settings):
        self.settings = settings
        self.calls = []

    def sample_arrays(self, design, seed, *, settings=None):
        chosen = settings or self.settings
        self.calls.append((seed, chosen.target_accept))
        rng = np.random.default_rng([seed, int(1e6 * design.response().mean())])
        shape = (chosen.chains, chosen.draws)
        draws = {
            name: MEANS[name] * np.exp(0.05 * rng.standard_normal(shape))
            if name in ("kappa", "sd_slope", "sd_model")
            else MEANS[name] + 0.4 * rng.standard_normal(shape)
            for name in design.parameter_names()
        }
        return RawDraws(draws=draws, divergences=2 * (seed % 2)), ()


@pytest.fixture
def fake_sampler(monkeypatch):
    """Route every study fit of this process through :class:`FakeSampler`."""
    made = {}

    def sampler(setup):
        return made.setdefault(setup.settings, FakeSampler(setup.settings))

    monkeypatch.setattr(fits, "study_sampler", sampler)
    return made
