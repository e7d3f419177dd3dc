"""Shared fixtures: the demo table, small known-truth sweeps and tiny sampler settings."""

import matplotlib

matplotlib.use("Agg")

import pytest

from plw_stats.datasets import load_demo_scores
from plw_stats.models.sampling import SamplerSettings


@pytest.fixture(scope="session")
def demo_scores():
    return load_demo_scores()


@pytest.fixture(scope="session")
def tiny_settings():
    """Enough draws to exercise the code, far too few for inference."""
    return SamplerSettings(chains=2, draws=100, tune=100)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
