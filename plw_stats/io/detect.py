"""Find results files in a run folder and read any of them by detecting its layout.

Recognised layouts, detected from the content (not the name) of a file:

========================  =====================================================================
``lm-eval-v0.4``/``v0.3``  lm-evaluation-harness results JSON (:mod:`plw_stats.io.lmeval`)
``alpacaeval-leaderboard`` AlpacaEval ``leaderboard.csv`` (:mod:`plw_stats.io.alpacaeval`)
``alpacaeval-annotations`` AlpacaEval ``annotations.json``
``pandalm``                PandaLM counts or verdicts (:mod:`plw_stats.io.pandalm`)
========================  =====================================================================

In a run folder, only files named ``results*.json`` (lm-eval), ``leaderboard.csv`` and
``*pandalm*.json`` are picked up, at any depth; ``annotations.json`` sits next to the
leaderboard it produced, so it is read only when a manifest names it explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io import alpacaeval, lmeval, pandalm
from plw_stats.io._common import read_json

#: Glob patterns of the files a run folder is searched for.
FOLDER_PATTERNS: tuple[str, ...] = ("results*.json", "leaderboard.csv", "*pandalm*.json")

_SUPPORTED = (
    "an lm-evaluation-harness results JSON, an AlpacaEval leaderboard.csv or annotations.json, "
    "or PandaLM win/tie/lose counts or verdicts"
)


def find_results_files(folder: str | Path) -> list[Path]:
    """Return the results files under a run folder, sorted, searching every depth.

    Parameters
    ----------
    folder : str or Path
        A run folder.

    Returns
    -------
    list of Path
        Files matching :data:`FOLDER_PATTERNS` (hidden files and folders are skipped).
    """
    folder = Path(folder)
    found = {
        path
        for pattern in FOLDER_PATTERNS
        for path in folder.rglob(pattern)
        if path.is_file() and not _hidden(path.relative_to(folder))
    }
    return sorted(found)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def read_results_file(
    path: str | Path,
    *,
    entry: str | None = None,
    metrics: Mapping[str, str] | None = None,
    tasks: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read one results file of any supported layout into score rows.

    Parameters
    ----------
    path : str or Path
        The file.
    entry : str, optional
        Row of a leaderboard, generator of annotations or comparison of PandaLM results.
    metrics : mapping, optional
        Benchmark → metric overrides (lm-eval metrics; ``alpaca_eval`` may be
        ``"length_controlled_winrate"``).
    tasks : iterable of str, optional
        Keep only these benchmarks.

    Returns
    -------
    pandas.DataFrame
        Rows with at least ``benchmark, score, task_type, metric, stderr, raw_score, scale,
        layout``; empty if ``tasks`` excludes everything in the file.

    Raises
    ------
    DataSchemaError
        On an unknown layout or any error of the layout's reader.
    """
    path = Path(path)
    metrics = dict(metrics or {})
    wanted = None if tasks is None else set(tasks)
    if path.suffix.lower() in {".csv", ".tsv"}:
        frame = _read_table(path, entry, metrics)
    elif path.suffix.lower() == ".json":
        frame = _read_json_file(path, entry, metrics, wanted)
    else:
        raise DataSchemaError(f"{path}: unknown layout (file type {path.suffix!r}); {_hint()}")
    if wanted is not None:
        frame = frame[frame["benchmark"].isin(wanted)]
    return frame.reset_index(drop=True)


def _read_table(path: Path, entry: str | None, metrics: dict[str, str]) -> pd.DataFrame:
    try:
        header = pd.read_csv(path, nrows=0).columns
    except (ValueError, pd.errors.ParserError, OSError) as err:
        raise DataSchemaError(f"{path}: cannot be read as CSV ({err}); {_hint()}") from err
    if not alpacaeval.is_leaderboard(header):
        raise DataSchemaError(
            f"{path}: unknown layout, a CSV without win_rate and standard_error columns; {_hint()}"
        )
    metric = metrics.get(alpacaeval.BENCHMARK, "win_rate")
    return alpacaeval.read_leaderboard(path, entry=entry, metric=metric)


def _read_json_file(
    path: Path, entry: str | None, metrics: dict[str, str], wanted: set[str] | None
) -> pd.DataFrame:
    data = read_json(path)
    if lmeval.detect_layout(data) is not None:
        return lmeval.read_lmeval(path, metrics=metrics, tasks=wanted)
    if alpacaeval.is_annotations(data):
        return alpacaeval.read_annotations(path, entry=entry)
    if pandalm.is_pandalm(data):
        return pandalm.read_pandalm(path, entry=entry)
    raise DataSchemaError(f"{path}: unknown layout; {_hint()}")


def _hint() -> str:
    return f"plw-stats reads {_SUPPORTED}"
