"""Session fixtures for the figure, report and figures/report CLI tests: one tiny fit, one GAM."""

import json

import numpy as np
import pandas as pd
import pytest

from plw_stats.models.gam import TensorGam
from plw_stats.models.sampling import SamplerSettings
from plw_stats.output import safe_filename, write_netcdf
from plw_stats.sweep import fit_sweep

#: Two datasets are enough to exercise every multi-panel figure.
FIT_DATASETS = ["AlpacaData", "AlpacaDataShort"]
#: The default (native) sampler compiles once into numba's disk cache.
TINY = SamplerSettings(chains=2, draws=100, tune=100)


@pytest.fixture(scope="session")
def sweep_fit(demo_scores):
    """The beta mixed model on two demo datasets, far too few draws for inference."""
    return fit_sweep(demo_scores, FIT_DATASETS, settings=TINY, seed=1)


@pytest.fixture(scope="session")
def gam_fit(demo_scores):
    return TensorGam(demo_scores).fit()


@pytest.fixture(scope="session")
def fit_dir(sweep_fit, tmp_path_factory):
    """A folder laid out as `plw-stats fit --out` writes it."""
    folder = tmp_path_factory.mktemp("fit")
    for name, fit in sweep_fit.groups.items():
        write_netcdf(folder / f"{safe_filename(name)}.nc", fit.idata)
    sweep_fit.summary().to_csv(folder / "summary.csv", index=False)
    return folder


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
