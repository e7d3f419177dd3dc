"""Shared fixtures: the demo table, synthetic fits, a GAM, loss-RSD tables and trainer logs.

Tests not marked ``slow`` must not sample: a guard makes every MCMC call fail in them, so the
fast suite (``-m "not slow"``) stays fast and honest.  Their fits are synthetic posteriors
(:mod:`helpers`).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from helpers import FLAT, PEAKED, synthetic_fit

from plw_stats.datasets import load_demo_scores
from plw_stats.gam.model import TensorGam
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.specify import specify_all
from plw_stats.glmm.sweep import SweepResult

#: Two datasets are enough to exercise every multi-panel figure.
FIT_DATASETS = ["AlpacaData", "AlpacaDataShort"]


class SamplingInFastTest(AssertionError):
    """A test not marked slow tried to run MCMC."""


def _refuse(*args, **kwargs):
    raise SamplingInFastTest("this test samples: mark it @pytest.mark.slow")


@pytest.fixture(autouse=True)
def _no_sampling_unless_slow(request, monkeypatch):
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr("nutpie.sample", _refuse)
        monkeypatch.setattr("plw_stats.glmm.backends.run._sample_callback", _refuse)
        if "pymc" in sys.modules:
            monkeypatch.setattr("pymc.sample", _refuse)
    yield


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def demo_scores():
    return load_demo_scores()


@pytest.fixture(scope="session")
def tiny_settings():
    """Enough draws to exercise the code, far too few for inference (slow tests only)."""
    return SamplerSettings(chains=2, draws=100, tune=100)


@pytest.fixture(scope="session")
def sweep_fit(demo_scores):
    """Synthetic fits of two demo datasets: AlpacaDataShort peaked, AlpacaData convex."""
    specs = specify_all(demo_scores, FIT_DATASETS)
    means = {"AlpacaData": FLAT, "AlpacaDataShort": PEAKED}
    groups = {s.name: synthetic_fit(s, means[s.name], seed=i) for i, s in enumerate(specs)}
    return SweepResult(groups=groups, power=specs[0].power)


@pytest.fixture(scope="session")
def fit_dir(sweep_fit, tmp_path_factory):
    """A folder laid out as `plw-stats fit --out` writes it."""
    return sweep_fit.save(tmp_path_factory.mktemp("fit"))


@pytest.fixture(scope="session")
def gam_fit(demo_scores):
    return TensorGam(demo_scores).fit()


@pytest.fixture(scope="session")
def rsd_table():
    """Loss RSD per run with the paper's shape: a bump at small PLW, then a decline."""
    rng = np.random.default_rng(3)
    levels = [0.0, 0.0005, 0.002236, 0.01, 0.1, 1.0]
    rows = [
        {
            "dataset": d,
            "model": m,
            "plw": p,
            "rsd": 0.05 + 0.05 * (0 < p < 0.05) + rng.normal(0, 0.003),
        }
        for d in ("AlpacaData", "AlpacaDataShort")
        for m in ("llama1-7b", "llama2-7b", "llama3-8b")
        for p in levels
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def trainer_manifest(tmp_path_factory, rsd_table):
    """One trainer_state.json per row of ``rsd_table`` and a manifest listing them."""
    folder = tmp_path_factory.mktemp("trainer")
    steps = 20
    rng = np.random.default_rng(5)
    lines = ["path,dataset,model,plw"]
    for i, row in enumerate(rsd_table.itertuples()):
        run = folder / f"run{i}"
        run.mkdir()
        loss = 1.2 * (1 + rng.normal(0, row.rsd, steps))
        history = [
            {"loss": float(v), "step": s + 1, "epoch": s / steps} for s, v in enumerate(loss)
        ]
        (run / "trainer_state.json").write_text(json.dumps({"log_history": history}))
        lines.append(f"run{i},{row.dataset},{row.model},{row.plw}")
    manifest = folder / "trainer_logs.csv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest
