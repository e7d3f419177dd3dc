"""Small helpers shared by the file loaders: JSON reading with clear errors, numbers, SEM, rows.

Every loader returns a table with one row per benchmark built by :func:`score_row`, and may
attach remarks for the user with :func:`with_notes` (read back with :func:`notes_of`).
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


#: Levels of a benchmark hierarchy a loader can report (lm-eval groups, lighteval averages,
#: MT-Bench turns): one score per aggregated group, per sub-group, or per leaf task.
LEVELS: tuple[str, ...] = ("groups", "subgroups", "tasks")


def check_level(level: str) -> str:
    """Return ``level`` if it is one of :data:`LEVELS`, else raise :class:`DataSchemaError`."""
    if level not in LEVELS:
        raise DataSchemaError(f"level {level!r} is unknown; use one of {', '.join(LEVELS)}")
    return level


def score_row(
    benchmark: str,
    raw: float,
    *,
    metric: str,
    scale: float,
    stderr: float,
    task_type: str | None,
    layout: str,
    higher_is_better: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """Build one score row; ``score = raw_score / scale`` always holds.

    Parameters
    ----------
    benchmark : str
        Benchmark name in the tidy table.
    raw : float
        The number as the tool reported it.
    metric : str
        Metric name (lm-eval keeps a non-default filter as ``"metric,filter"``).
    scale : float
        Positive divisor mapping the metric onto its natural proportion (100 for 0-100
        metrics, 10 for MT-Bench ratings, else 1).
    stderr : float
        Standard error on the raw scale (NaN if not reported).
    task_type : str or None
        ``MC``, ``GS``, ``GL`` or ``None`` when unknown.
    layout : str
        Name of the file layout the row came from.
    higher_is_better : bool
        ``False`` for metrics such as perplexity or TER: the stored ``scale`` is then negative,
        so ``score = -raw / |scale|`` grows as the model improves, as every model assumes.
    **extra
        Further columns (``task``, ``n_shot``, counts ...).

    Returns
    -------
    dict
        ``benchmark, score, task_type, metric, stderr, raw_score, scale, layout`` and ``extra``.
    """
    signed = scale if higher_is_better else -scale
    return {
        "benchmark": benchmark,
        "score": raw / signed,
        "task_type": task_type,
        "metric": metric,
        "stderr": stderr / scale,
        "raw_score": raw,
        "scale": signed,
        "layout": layout,
        **extra,
    }


def with_notes(frame: pd.DataFrame, notes: Iterable[str]) -> pd.DataFrame:
    """Attach remarks for the user to a loader's table (kept in ``frame.attrs["notes"]``)."""
    frame.attrs["notes"] = tuple(notes)
    return frame


def notes_of(frame: pd.DataFrame) -> tuple[str, ...]:
    """Return the remarks a loader attached with :func:`with_notes` (empty if none)."""
    return tuple(frame.attrs.get("notes", ()))


def listed(names: Iterable[str], limit: int = 5) -> str:
    """Join names with commas, shortening long lists to ``limit`` names and a count."""
    names = list(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def pick_entry(path: str | Path, names: list[str], entry: str | None, what: str) -> str:
    """Choose the model a multi-model file is read for, from the manifest's ``entry``.

    Parameters
    ----------
    path : str or Path
        The file, for messages.
    names : list of str
        Models present in the file, in file order.
    entry : str or None
        The manifest's ``entry``; may be omitted when the file holds one model.
    what : str
        What a name is, e.g. ``"model column"``.

    Raises
    ------
    DataSchemaError
        If the entry is needed but missing, or names no model of the file.
    """
    if entry is None:
        if len(names) == 1:
            return names[0]
        raise DataSchemaError(
            f"{path}: the file has {len(names)} {what}s ({listed(names)}); name one in the "
            "manifest's 'entry' column"
        )
    if entry not in names:
        raise DataSchemaError(
            f"{path}: no {what} named {entry!r} (found {listed(names)}); fix the 'entry' column"
        )
    return entry


def lower_is_better_note(benchmark: str, metric: str, scale: float) -> str | None:
    """Return the note for a row whose lower-is-better metric was turned around (``scale < 0``)."""
    if scale >= 0:
        return None
    divisor = "" if scale == -1 else f"/{-scale:g}"
    return (
        f"{benchmark}: {metric} is lower-is-better, so score = -{metric}{divisor} "
        "(higher is better)"
    )
