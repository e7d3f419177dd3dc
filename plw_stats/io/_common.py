"""Small helpers shared by the file loaders: JSON reading with clear errors, numbers, SEM."""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import Any

import numpy as np

from plw_stats.errors import DataSchemaError


def read_json(path: str | Path) -> Any:
    """Parse a JSON file, turning every failure into a one-line :class:`DataSchemaError`.

    Parameters
    ----------
    path : str or Path
        The file to read.

    Returns
    -------
    Any
        The decoded JSON value.

    Raises
    ------
    DataSchemaError
        If the file is missing, empty or not valid JSON; the message gives line and column.
    """
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DataSchemaError(
            f"{path}: malformed JSON at line {err.lineno}, column {err.colno} ({err.msg}); "
            "re-export the file or fix it by hand"
        ) from err


def read_json_records(path: str | Path) -> list[Any]:
    """Read a JSON array or a JSON Lines file (one value per line) as a list.

    Raises
    ------
    DataSchemaError
        If the file is missing, empty, or a line is not valid JSON.
    """
    text = read_text(path)
    if text.lstrip().startswith("["):
        return read_json(path)
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise DataSchemaError(
                f"{path}: malformed JSON Lines at line {number}, column {err.colno} ({err.msg}); "
                "each line must hold one JSON object"
            ) from err
    return records


def read_text(path: str | Path) -> str:
    """Return the text of a UTF-8 file, raising :class:`DataSchemaError` if missing or empty."""
    path = Path(path)
    if not path.is_file():
        raise DataSchemaError(f"{path}: no such file; check the path")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise DataSchemaError(f"{path}: the file is empty; point to the tool's output file")
    return text


def as_number(value: Any, *, where: str) -> float:
    """Convert a JSON scalar to float; ``None`` and ``"N/A"`` become NaN.

    Raises
    ------
    DataSchemaError
        If the value is a bool, a non-numeric string or a container.
    """
    if value is None or (isinstance(value, str) and value.strip().upper() in {"N/A", "NA", ""}):
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, numbers.Real | str):
        raise DataSchemaError(f"{where}: expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError as err:
        raise DataSchemaError(f"{where}: expected a number, got {value!r}") from err


def sem(values: np.ndarray) -> float:
    """Return the standard error of the mean (``ddof=1``); NaN for fewer than two values."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return float("nan")
    return float(values.std(ddof=1) / np.sqrt(values.size))
