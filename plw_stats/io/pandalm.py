"""PandaLM pairwise judgements turned into one score per model.

PandaLM's ``EvaluationPipeline.evaluate()`` returns, per candidate pair, a list of per-item
verdicts: 1 = response 1 is better, 2 = response 2 is better, 0 = tie (or unparseable).  Its own
file output is broken, so users save results themselves; these shapes are accepted:

* counts: ``{"win": 61, "tie": 20, "lose": 89}`` (also ``wins``/``ties``/``losses``/``loss``);
* per-item records as in PandaLM's published test-set results:
  ``[{"idx": 0, "pandalm_result": 1, ...}, ...]``, or a plain list ``[1, 0, 2, ...]``;
* a mapping of comparison name to either of the above, e.g. ``{"plw0.1_vs_base": {...}}``,
  from which the manifest's ``entry`` picks one (optional when there is a single comparison).

Per-item verdicts are read from the viewpoint of response 1 (the evaluated run is the first
candidate); pass ``side=2`` to :func:`read_pandalm` when it is the second.

**Score.**  Each item scores 1 for a win, 0.5 for a tie and 0 for a loss; the score is their
mean, ``(wins + 0.5 * ties) / n`` in [0, 1], and ``stderr`` is the standard error of that mean
(``ddof=1``), identical whether counts or per-item verdicts are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import read_json, sem

BENCHMARK = "pandalm"
LAYOUT = "pandalm"
METRIC = "win_tie_score"
_ALIASES = {
    "win": "win",
    "wins": "win",
    "tie": "tie",
    "ties": "tie",
    "draw": "tie",
    "draws": "tie",
    "lose": "lose",
    "loss": "lose",
    "losses": "lose",
}


def is_pandalm(data: Any) -> bool:
    """Return True if decoded JSON has one of the accepted PandaLM shapes."""
    if isinstance(data, Mapping) and data and not _is_counts(data):
        return all(_is_counts(v) or _is_items(v) for v in data.values())
    return _is_counts(data) or _is_items(data)


def _is_counts(data: Any) -> bool:
    return isinstance(data, Mapping) and {_ALIASES.get(str(k)) for k in data} >= {
        "win",
        "tie",
        "lose",
    }


def _is_items(data: Any) -> bool:
    if not isinstance(data, list) or not data:
        return False
    return all(isinstance(d, int) and not isinstance(d, bool) for d in data) or all(
        isinstance(d, Mapping) and "pandalm_result" in d for d in data
    )


def read_pandalm(path: str | Path, *, entry: str | None = None, side: int = 1) -> pd.DataFrame:
    """Read PandaLM results for one run.

    Parameters
    ----------
    path : str or Path
        A JSON file in one of the shapes in the module docstring.
    entry : str, optional
        Which comparison of a mapping to read.
    side : {1, 2}
        Which response of the per-item verdicts is the evaluated run.

    Returns
    -------
    pandas.DataFrame
        One row: ``benchmark`` ("pandalm"), ``score``, ``stderr``, ``metric``
        ("win_tie_score"), ``raw_score`` (= score), ``scale`` (1), ``task_type`` ("GL"),
        ``entry``, ``n_wins``, ``n_ties``, ``n_losses`` and ``n_total``.

    Raises
    ------
    DataSchemaError
        On malformed JSON, an unknown shape, an absent or ambiguous comparison, a verdict
        other than 0, 1 or 2, negative counts or zero judgements.
    """
    if side not in (1, 2):
        raise DataSchemaError(f"{path}: side must be 1 or 2, got {side!r}")
    data = read_json(path)
    if not is_pandalm(data):
        raise DataSchemaError(
            f"{path}: unknown layout, not PandaLM results (expected win/tie/lose counts, a list "
            "of 0/1/2 verdicts or of {pandalm_result}, or a mapping of comparison → either)"
        )
    name, value = _comparison(path, data, entry)
    wins, ties, losses = _counts(path, value) if _is_counts(value) else _tally(path, value, side)
    return pd.DataFrame([_row(path, name, wins, ties, losses)])


def _comparison(path: str | Path, data: Any, entry: str | None) -> tuple[str | None, Any]:
    if not isinstance(data, Mapping) or _is_counts(data):
        return entry, data
    names = [str(k) for k in data]
    if entry is None and len(names) == 1:
        return names[0], data[names[0]]
    if entry not in names:
        raise DataSchemaError(
            f"{path}: holds comparisons {', '.join(names)}; name one in the manifest's 'entry' "
            f"column (got {entry!r})"
        )
    return entry, data[entry]


def _counts(path: str | Path, data: Mapping) -> tuple[int, int, int]:
    found = {_ALIASES[str(k)]: v for k, v in data.items() if str(k) in _ALIASES}
    values = []
    for key in ("win", "tie", "lose"):
        value = found[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DataSchemaError(f"{path}: count {key!r} is {value!r}; use a whole number >= 0")
        values.append(value)
    return values[0], values[1], values[2]


def _tally(path: str | Path, items: list, side: int) -> tuple[int, int, int]:
    verdicts = [d["pandalm_result"] if isinstance(d, Mapping) else d for d in items]
    bad = [v for v in verdicts if isinstance(v, bool) or v not in (0, 1, 2)]
    if bad:
        raise DataSchemaError(f"{path}: verdict {bad[0]!r} is not 0 (tie), 1 or 2")
    wins = sum(v == side for v in verdicts)
    ties = sum(v == 0 for v in verdicts)
    return wins, ties, len(verdicts) - wins - ties


def _row(path: str | Path, name: str | None, wins: int, ties: int, losses: int) -> dict:
    total = wins + ties + losses
    if total == 0:
        raise DataSchemaError(f"{path}: no judgements (win + tie + lose = 0)")
    items = np.repeat([1.0, 0.5, 0.0], [wins, ties, losses])
    score = float(items.mean())
    return {
        "benchmark": BENCHMARK,
        "score": score,
        "task_type": "GL",
        "metric": METRIC,
        "stderr": sem(items),
        "raw_score": score,
        "scale": 1.0,
        "layout": LAYOUT,
        "entry": name,
        "n_wins": float(wins),
        "n_ties": float(ties),
        "n_losses": float(losses),
        "n_total": float(total),
    }
