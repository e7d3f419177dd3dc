"""The saved form of a fit: what a netCDF posterior must carry to be read back correctly.

A fit saved by :meth:`~plw_stats.glmm.result.BetaFitResult.save` is one netCDF file holding the
posterior, the sample stats, the fitted rows (group ``fit_data``: model, benchmark, plw, score
and seed when present) and, in the root's attributes, a JSON record of everything else that fixes
its meaning: dataset name, PLW power, priors, squeeze, parameterisation, sampler settings, seed,
interval mass, notes, evidence, a checksum of the fitted rows and the plw-stats version.
:mod:`plw_stats.glmm.store` reads it back with nothing else needed.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import xarray as xr

from plw_stats.config import __version__

#: Root attribute holding the JSON record.
RECORD_ATTR = "plw_stats_fit"
#: Version of the record layout; bumped when fields change meaning.
RECORD_FORMAT = 1
#: Columns of the fitted rows kept in the saved file.
DATA_COLUMNS = ("model", "benchmark", "plw", "score", "seed")


def data_checksum(data: pd.DataFrame) -> str:
    """sha256 of the fitted rows (model, benchmark, plw, score[, seed]) in a canonical order."""
    columns = [c for c in DATA_COLUMNS if c in data.columns]
    frame = data[columns].astype({"model": str, "benchmark": str})
    frame = frame.sort_values(columns[:3] + (["seed"] if "seed" in columns else []))
    text = frame.to_csv(index=False, float_format="%.12g")
    return hashlib.sha256(text.encode()).hexdigest()


def data_group(data: pd.DataFrame) -> xr.Dataset:
    """Return the fitted rows as a Dataset with one ``row`` dimension (strings stay strings)."""
    columns = [c for c in DATA_COLUMNS if c in data.columns]
    values = {c: ("row", _column(data[c])) for c in columns}
    return xr.Dataset(values, coords={"row": np.arange(len(data))})


def _column(series: pd.Series) -> np.ndarray:
    if series.name in ("plw", "score"):
        return series.to_numpy(float)
    return series.astype(str).to_numpy(dtype=object).astype(str)


def encode(record: dict) -> str:
    """Encode a record as JSON text, with the layout version and the package version added."""
    full = {"format": RECORD_FORMAT, "plw_stats_version": __version__} | record
    return json.dumps(full, sort_keys=True, allow_nan=True)


def decode(text: str, *, source: str) -> dict:
    """Parse a record; raise ``ValueError`` naming ``source`` when it is not one."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{source}: the saved fit record is not valid JSON ({err})") from err
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise ValueError(
            f"{source}: saved by a plw-stats with another record format "
            f"({record.get('format') if isinstance(record, dict) else '?'}); refit and save again"
        )
    return record


def data_frame(group: xr.Dataset) -> pd.DataFrame:
    """Return the fitted rows as a DataFrame (the inverse of :func:`data_group`)."""
    frame = group.to_dataframe().reset_index(drop=True)
    return frame.astype({c: str for c in frame.columns if c not in ("plw", "score")})
