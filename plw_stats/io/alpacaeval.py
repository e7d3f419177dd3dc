"""AlpacaEval outputs: the ``leaderboard.csv`` and the per-item ``annotations.json``.

``alpaca_eval evaluate`` writes ``<output>/<annotator>/leaderboard.csv``, whose unnamed first
column is the model name and which also holds every precomputed leaderboard row, so one row is
selected by name (the manifest's ``entry``).  Columns are read by name, never by position.
Rates and their standard errors are percentages; they are divided by 100 (``scale`` 100).

**Default metric.**  AlpacaEval 2 leaderboards (recognised by their ``lc_standard_error``
column) report the length-controlled win rate ``length_controlled_winrate`` as the headline
number, so it is read by default, with ``lc_standard_error``; AlpacaEval 1 files (no such column)
keep ``win_rate`` with ``standard_error``, as in the paper.  ``--metric alpaca_eval=win_rate``
(or ``=length_controlled_winrate``) chooses explicitly.

``annotations.json`` is a list of judgements with ``generator_2`` (the evaluated model) and
``preference``: 1 = the reference wins, 2 = the model wins, 0 or 1.5 = a draw; weighted
annotators give floats in [1, 2].  Each item scores ``preference - 1`` (a draw 0.5), and the
win rate is their mean, a proportion (``scale`` 1) with the standard error of the mean.  Items
whose preference is null (failed annotations) are left out and counted in ``n_missing``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import as_number, read_json, sem
from plw_stats.io.benchmarks import metric_scale

BENCHMARK = "alpaca_eval"
LEADERBOARD = "alpacaeval-leaderboard"
ANNOTATIONS = "alpacaeval-annotations"
LC_METRIC = "length_controlled_winrate"
_STDERR = {"win_rate": "standard_error", LC_METRIC: "lc_standard_error"}
_MAX_LISTED = 5


def is_leaderboard(columns) -> bool:
    """Return True if a CSV header looks like an AlpacaEval leaderboard."""
    return {"win_rate", "standard_error"} <= {str(c) for c in columns}


def is_annotations(data: Any) -> bool:
    """Return True if decoded JSON looks like AlpacaEval annotations."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(d, dict) and "preference" in d and "generator_2" in d for d in data)
    )


def default_metric(columns) -> str:
    """``length_controlled_winrate`` for AlpacaEval 2 leaderboards, else ``win_rate``."""
    return LC_METRIC if _STDERR[LC_METRIC] in {str(c) for c in columns} else "win_rate"


def read_leaderboard(
    path: str | Path, *, entry: str | None = None, metric: str | None = None
) -> pd.DataFrame:
    """Read one model's row of an AlpacaEval ``leaderboard.csv``.

    Parameters
    ----------
    path : str or Path
        The leaderboard CSV.
    entry : str, optional
        Model name (first column); may be omitted when the file has a single row.
    metric : str, optional
        ``"win_rate"`` or ``"length_controlled_winrate"``; by default the latter for
        AlpacaEval 2 leaderboards (with ``lc_standard_error``), the former otherwise.

    Returns
    -------
    pandas.DataFrame
        One row: ``benchmark`` ("alpaca_eval"), ``score`` and ``stderr`` as proportions,
        ``raw_score``, ``scale`` (100), ``metric``, ``task_type`` ("GL"), ``entry``, ``n_total``,
        ``avg_length`` (mean characters per output, NaN if the file predates that column).

    Raises
    ------
    DataSchemaError
        If the file cannot be read, lacks the metric, or the entry is ambiguous or absent.
    """
    table = _read_csv(path)
    metric = metric or default_metric(table.columns)
    if metric not in table.columns:
        raise DataSchemaError(
            f"{path}: no column {metric!r} (found {', '.join(map(str, table.columns))}); "
            "is this an AlpacaEval leaderboard.csv?"
        )
    name, row = _select(path, table, entry)
    raw = as_number(row[metric], where=f"{path}: entry {name!r} {metric}")
    if np.isnan(raw):
        other = "win_rate" if metric == LC_METRIC else LC_METRIC
        raise DataSchemaError(
            f"{path}: entry {name!r} has no {metric}; choose --metric {BENCHMARK}={other}"
        )
    scale = metric_scale(metric)
    stderr_column = _STDERR.get(metric, "")
    stderr = as_number(row.get(stderr_column), where=f"{path}: entry {name!r} {stderr_column}")
    return pd.DataFrame(
        [
            _row(LEADERBOARD, metric, raw, scale, stderr / scale, name)
            | {
                "n_total": as_number(row.get("n_total"), where=f"{path}: n_total"),
                "avg_length": as_number(row.get("avg_length"), where=f"{path}: avg_length"),
            }
        ]
    )


def _read_csv(path: str | Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise DataSchemaError(f"{path}: no such file; check the path")
    try:
        table = pd.read_csv(path, index_col=0)
    except (ValueError, pd.errors.ParserError) as err:
        raise DataSchemaError(f"{path}: cannot be read as CSV ({err})") from err
    if table.empty:
        raise DataSchemaError(f"{path}: the leaderboard has no rows")
    table.index = table.index.astype(str)
    return table


def _select(path: str | Path, table: pd.DataFrame, entry: str | None) -> tuple[str, pd.Series]:
    names = list(table.index)
    if entry is None:
        if len(names) == 1:
            return names[0], table.iloc[0]
        raise DataSchemaError(
            f"{path}: the leaderboard has {len(names)} rows ({_listed(names)}); name the model "
            "in the manifest's 'entry' column"
        )
    if names.count(entry) > 1:
        raise DataSchemaError(f"{path}: entry {entry!r} appears more than once; dedupe the file")
    if entry not in names:
        close = difflib.get_close_matches(entry, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; rows are {_listed(names)}"
        raise DataSchemaError(f"{path}: no row named {entry!r}{hint}; fix the 'entry' column")
    return entry, table.loc[entry]


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return ", ".join(names[:_MAX_LISTED]) + more


def read_annotations(path: str | Path, *, entry: str | None = None) -> pd.DataFrame:
    """Compute a model's win rate from an AlpacaEval ``annotations.json``.

    Parameters
    ----------
    path : str or Path
        The annotations JSON (a list of judgements).
    entry : str, optional
        The ``generator_2`` to score; may be omitted when the file holds one generator.

    Returns
    -------
    pandas.DataFrame
        One row as :func:`read_leaderboard`, with ``scale`` 1 and the counts ``n_total``,
        ``n_wins``, ``n_draws``, ``n_missing``.

    Raises
    ------
    DataSchemaError
        On malformed JSON, a non-annotation file, an ambiguous or absent generator, a
        preference outside {0} ∪ [1, 2], or no usable preference at all.
    """
    data = read_json(path)
    if not is_annotations(data):
        raise DataSchemaError(
            f"{path}: unknown layout, not AlpacaEval annotations (expected a list of objects "
            "with 'preference' and 'generator_2')"
        )
    generators = pd.Series([str(d["generator_2"]) for d in data]).value_counts(sort=False)
    name, _ = _select(path, generators.to_frame("n"), entry)
    values = [
        as_number(d["preference"], where=f"{path}: item {i} preference")
        for i, d in enumerate(data)
        if str(d["generator_2"]) == name
    ]
    return pd.DataFrame([_annotation_row(path, name, np.array(values, dtype=float))])


def _annotation_row(path: str | Path, name: str, preference: np.ndarray) -> dict[str, Any]:
    known = preference[~np.isnan(preference)]
    bad = known[(known != 0) & ((known < 1) | (known > 2))]
    if bad.size:
        raise DataSchemaError(
            f"{path}: preference {bad[0]:g} for {name!r} is not 0, 1, 2 or a weight in [1, 2]"
        )
    if known.size == 0:
        raise DataSchemaError(f"{path}: no usable preference for {name!r}; re-run the annotator")
    item = np.where(known == 0, 0.5, known - 1.0)
    score = float(item.mean())
    return _row(ANNOTATIONS, "win_rate", score, 1.0, sem(item), name) | {
        "n_total": float(known.size),
        "n_wins": float((item == 1).sum()),
        "n_draws": float((item == 0.5).sum()),
        "n_missing": float(preference.size - known.size),
    }


def _row(
    layout: str, metric: str, raw: float, scale: float, stderr: float, entry: str
) -> dict[str, Any]:
    return {
        "benchmark": BENCHMARK,
        "score": raw / scale,
        "task_type": "GL",
        "metric": metric,
        "stderr": stderr,
        "raw_score": raw,
        "scale": scale,
        "layout": layout,
        "entry": entry,
    }
