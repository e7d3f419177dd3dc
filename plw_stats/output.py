"""Write output files atomically: a temporary file in the target folder, then a rename.

A failure part-way (a full disk, an interrupt) therefore never leaves a half-written file under
the final name.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from plw_stats.errors import PlwStatsError


class OutputError(PlwStatsError, OSError):
    """An output file or folder cannot be written."""


def write_atomic(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``path`` only if it succeeded."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist; create it first")
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        writer(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | Path, payload: Any) -> Path:
    """Write ``payload`` as indented JSON (NaN is written as null)."""
    text = json.dumps(_json_safe(payload), indent=2, allow_nan=False) + "\n"
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_csv(path: str | Path, frame: pd.DataFrame, **options) -> Path:
    """Write a DataFrame as CSV."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, **options))


def write_netcdf(path: str | Path, datatree) -> Path:
    """Write an ArviZ DataTree as netCDF (readable with ``arviz.from_netcdf``)."""
    return write_atomic(path, lambda tmp: datatree.to_netcdf(tmp, engine="h5netcdf"))


def ensure_folder(path: str | Path) -> Path:
    """Create an output folder (and its parents) if needed."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder; choose another --out")
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_filename(name: str) -> str:
    """Return a file-name-safe version of a dataset or benchmark name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned or "unnamed"


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return _json_safe(value.item())
    return value


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
