"""Bundled data sets, read through ``importlib.resources`` and checked against their checksums.

Provenance of every file is in ``data/README.md`` (installed as ``plw_stats/data/README.md``).
"""

from __future__ import annotations

import hashlib
import importlib.resources
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io.tables import validate_scores

#: File name → sha256 of every bundled data file.
REGISTRY: dict[str, str] = {
    "demo_scores.csv": "ab900cabea8430ad8161c7a89282325045c9d46d8dc2fe05e39212e73da9cd71",
}


def data_path(name: str) -> Path:
    """Path of a bundled data file, after checking that it is registered and intact.

    Raises
    ------
    DataSchemaError
        If the name is unknown or the file's checksum does not match the registry.
    """
    if name not in REGISTRY:
        raise DataSchemaError(
            f"no bundled data file {name!r}; the available ones are {', '.join(sorted(REGISTRY))}"
        )
    path = Path(str(importlib.resources.files("plw_stats.data").joinpath(name)))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != REGISTRY[name]:
        raise DataSchemaError(
            f"{path}: checksum {digest[:12]}… does not match the registry; reinstall plw-stats"
        )
    return path


def load_demo_scores() -> pd.DataFrame:
    """Load the simulated demo sweep (clearly not real results).

    A paper-shaped sweep: 3 fine-tuning datasets (AlpacaData, AlpacaDataCleaned,
    AlpacaDataShort) × 2 models × 10 PLW levels × 13 benchmarks = 780 rows, each score on its
    benchmark's raw scale.  It is drawn by :func:`plw_stats.simulate.demo_sweep` from the beta
    mixed model with known coefficients (AlpacaDataShort uses the paper's b1 = 5.590,
    b2 = −4.284).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, model, plw, benchmark, score, task_type, ratio``; for example
        ``AlpacaData, llama1-7b, 0.0, arc_challenge, 0.4847, MC, 3.27``.
    """
    path = data_path("demo_scores.csv")
    return validate_scores(pd.read_csv(path), source=str(path))
