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
    "paper_appendix_d.csv": "c27b82b0f0c0d7300a0b5901d9356294149e90c1ddff46a6fef2a3937bfcb3a8",
    "surface_demo_scores.csv": "5f26fc79169bb192c7b30108eb30a57e5519322594d62f182287f0aaf05643d3",
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
    benchmark's raw scale.  It is drawn by :func:`plw_stats.simulation.sweeps.demo_sweep` from
    the beta mixed model with known coefficients (AlpacaDataShort uses the paper's b1 = 5.590,
    b2 = −4.284).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, model, plw, benchmark, score, task_type, ratio``; for example
        ``AlpacaData, llama1-7b, 0.0, arc_challenge, 0.4847, MC, 3.27``.
    """
    path = data_path("demo_scores.csv")
    return validate_scores(pd.read_csv(path), source=str(path))


#: Columns of the paper's Appendix D table as shipped.
APPENDIX_D_COLUMNS: tuple[str, ...] = ("ratio", "group", "plw", "flat", "source")


def load_paper_optimal_plw() -> pd.DataFrame:
    """Load the optimal-PLW table of the paper's Appendix D, exactly as printed.

    Huerta-Enochian & Ko (2024), "Instruction Fine-Tuning: Does Prompt Loss Matter?", EMNLP 2024
    (arXiv:2401.13586), Appendix D: the PLW maximising an mgcv GAM
    ``score ~ te(w, r, k=3) + factor(b)`` fitted on relative scores of five Alpaca-derived
    datasets, for completion/prompt ratios 0.5, 1.0 … 8.0 and three benchmark groups.  ``flat``
    is the paper's asterisk: the predicted max − min at that ratio is under 5% of the score
    range, so PLW hardly matters there.  The paper gives no uncertainty for these values.

    Returns
    -------
    pandas.DataFrame
        48 rows (16 ratios × groups ``All``, ``MC``, ``Gen``) in the printed order (ratio 8.0
        first), columns ``ratio`` (float), ``group`` (str), ``plw`` (float), ``flat`` (bool) and
        ``source`` (str); for example ``2.0, All, 0.239, False, Huerta-Enochian and Ko …``.
    """
    path = data_path("paper_appendix_d.csv")
    table = pd.read_csv(path, dtype={"group": str, "source": str})
    if tuple(table.columns) != APPENDIX_D_COLUMNS or table.shape[0] != 48:
        raise DataSchemaError(f"{path}: unexpected layout; reinstall plw-stats")
    return table.assign(flat=table["flat"].astype(bool))


def load_surface_demo_scores() -> pd.DataFrame:
    """Load the simulated two-knob (PLW × CLW) demo sweep (clearly not real results).

    A WIT-shaped grid: 3 fine-tuning datasets × 5 models × 6 PLW levels (0, 0.001, 0.01, 0.05,
    0.2, 1) × 6 CLW levels (0, 0.2 … 1) × 4 benchmarks = 2,160 rows, the (0, 0) base-model
    cell included, each score on its benchmark's raw scale.  It is drawn by
    :func:`plw_stats.simulation.surface_sweeps.surface_demo_sweep` from known surfaces:
    ``Interior`` peaks at PLW 0.05, CLW 0.8; ``Conventional`` is best at PLW 0, CLW 1;
    ``Flat`` does not depend on the weights.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, model, plw, benchmark, score, clw, task_type``; for example
        ``Interior, gemma-7b, 0.05, alpaca_eval, 29.7903, 0.8, GL``.
    """
    path = data_path("surface_demo_scores.csv")
    return validate_scores(pd.read_csv(path), source=str(path))
