"""The paper's training-stability measure: relative standard deviation of the training loss.

The paper (Section 5.3) measures training stability as the relative standard deviation
(std / mean) of the training loss over 5-step windows, averaged per run.  Here a window is
``window`` consecutive *logged* training entries, so it equals 5 optimizer steps when
``logging_steps=1`` (the Alpaca recipe); a trailing partial window is left out.  Logs are read by
:mod:`plw_stats.io.trainer`; figures by :mod:`plw_stats.plots.rsd`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.io.manifest import read_manifest
from plw_stats.io.trainer import read_trainer_state

#: Columns a loss-RSD table must have.
RSD_COLUMNS: tuple[str, ...] = ("dataset", "plw", "rsd")


def rsd_from_manifest(path: str | Path, *, window: int = 5) -> pd.DataFrame:
    """Training-loss RSD of every run listed in a manifest of trainer logs.

    Parameters
    ----------
    path : str or Path
        A CSV with columns ``path, dataset, model, plw``; ``path`` is a run's
        ``trainer_state.json`` or its run folder, relative to the manifest's folder.
    window : int
        Logged steps per window (the paper uses 5).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, model, plw, rsd, n_steps``, one row per manifest row.

    Raises
    ------
    DataSchemaError
        On a bad manifest, a missing or malformed log, or a log shorter than one window.
    """
    manifest = read_manifest(path)
    runs = {
        f"line {line}": run for line, run in zip(manifest["line"], manifest["path"], strict=True)
    }
    table = loss_rsd_table(runs, window=window)
    return pd.DataFrame(
        {
            "dataset": manifest["dataset"].to_numpy(),
            "model": manifest["model"].to_numpy(),
            "plw": manifest["plw"].to_numpy(float),
            "rsd": table["rsd"].to_numpy(float),
            "n_steps": table["n_steps"].to_numpy(int),
        }
    )


def check_rsd_table(rsd: pd.DataFrame, *, source: str = "loss-RSD table") -> pd.DataFrame:
    """Check a loss-RSD table and return a copy with float ``plw`` and ``rsd``.

    Raises
    ------
    DataSchemaError
        If a column of :data:`RSD_COLUMNS` is missing, empty or not numeric.
    """
    missing = [c for c in RSD_COLUMNS if c not in rsd.columns]
    if missing:
        raise DataSchemaError(
            f"{source}: missing column(s) {', '.join(missing)}; it needs {', '.join(RSD_COLUMNS)} "
            "(build it with plw_stats.describe.rsd.rsd_from_manifest)"
        )
    if rsd.empty:
        raise DataSchemaError(f"{source}: no rows; give one row per training run")
    numbers = {c: pd.to_numeric(rsd[c], errors="coerce") for c in ("plw", "rsd")}
    for column, values in numbers.items():
        if values.isna().any():
            raise DataSchemaError(f"{source}: column {column!r} has missing or non-numeric values")
    return rsd.assign(**numbers, dataset=rsd["dataset"].astype(str))


def loss_rsd(loss, *, window: int = 5, rolling: bool = False, ddof: int = 1) -> float:
    """Return the mean relative standard deviation of a loss series over windows.

    Parameters
    ----------
    loss : array_like
        Training losses in step order.
    window : int
        Entries per window (the paper uses 5).
    rolling : bool
        ``False`` (default): consecutive non-overlapping windows, a partial last window
        dropped; ``True``: every overlapping window.
    ddof : int
        Delta degrees of freedom of the standard deviation (default 1, the sample std).

    Returns
    -------
    float
        Mean over windows of ``std / mean``.

    Raises
    ------
    ModelSpecError
        If ``window < 2`` or ``window <= ddof``.
    DataSchemaError
        If the series is shorter than one window or holds NaN.
    """
    values = np.asarray(loss, dtype=float)
    if window < 2 or window <= ddof:
        raise ModelSpecError(f"window must be at least 2 (and above ddof), got {window}")
    if values.size < window:
        raise DataSchemaError(f"{values.size} loss values are fewer than one window of {window}")
    if not np.isfinite(values).all():
        raise DataSchemaError("the loss series has NaN or infinite values; clean the log first")
    if rolling:
        windows = np.lib.stride_tricks.sliding_window_view(values, window)
    else:
        windows = values[: values.size // window * window].reshape(-1, window)
    return float(np.mean(windows.std(axis=1, ddof=ddof) / windows.mean(axis=1)))


def loss_rsd_table(
    runs: Mapping[str, str | Path], *, window: int = 5, rolling: bool = False
) -> pd.DataFrame:
    """Return the training-loss RSD of several runs.

    Parameters
    ----------
    runs : mapping
        Run name → ``trainer_state.json`` or run folder.
    window, rolling
        As in :func:`loss_rsd`.

    Returns
    -------
    pandas.DataFrame
        Columns ``run, n_steps, window, rsd`` (one row per run, in the given order).
    """
    rows = []
    for name, path in runs.items():
        loss = read_trainer_state(path)["loss"]
        try:
            rsd = loss_rsd(loss, window=window, rolling=rolling)
        except DataSchemaError as err:
            raise DataSchemaError(f"run {name!r} ({path}): {err}") from err
        rows.append({"run": name, "n_steps": len(loss), "window": window, "rsd": rsd})
    return pd.DataFrame(rows, columns=["run", "n_steps", "window", "rsd"])
