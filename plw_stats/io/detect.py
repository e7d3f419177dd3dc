"""Find results files in a run folder and read any of them by detecting its layout.

Recognised layouts, detected from the content (not the name) of a file:

==========================  ===================================================================
``lm-eval-v0.4``/``v0.3``    lm-evaluation-harness results JSON (:mod:`plw_stats.io.lmeval`)
``alpacaeval-leaderboard``   AlpacaEval ``leaderboard.csv`` (:mod:`plw_stats.io.alpacaeval`)
``alpacaeval-annotations``   AlpacaEval ``annotations.json``
``pandalm``                  PandaLM counts or verdicts (:mod:`plw_stats.io.pandalm`)
``mtbench-single``           FastChat MT-Bench ``*_single.jsonl`` (:mod:`plw_stats.io.mtbench`)
``opencompass-summary``      OpenCompass ``summary_*.csv`` (:mod:`plw_stats.io.opencompass`)
``lighteval``                lighteval ``results_*.json`` (:mod:`plw_stats.io.lighteval`)
``inspect-log``              inspect_ai ``.eval``/``.json`` logs (:mod:`plw_stats.io.inspect_logs`)
==========================  ===================================================================

In a run folder, files named ``results*.json`` (lm-eval, lighteval), ``leaderboard.csv``,
``*pandalm*.json``, ``summary_*.csv``, ``*_single.jsonl`` and ``*.eval`` are picked up, at any
depth.  ``annotations.json`` sits next to the leaderboard it produced and inspect_ai ``.json``
logs have no telling name, so those are read only when a manifest names them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io import (
    alpacaeval,
    inspect_logs,
    lighteval,
    lmeval,
    mtbench,
    opencompass,
    pandalm,
)
from plw_stats.io._common import notes_of, read_json, read_json_records, with_notes

#: Glob patterns of the files a run folder is searched for.
FOLDER_PATTERNS: tuple[str, ...] = (
    "results*.json",
    "leaderboard.csv",
    "*pandalm*.json",
    "summary_*.csv",
    "*_single.jsonl",
    "*.eval",
)

#: File names lm-eval and lighteval give their results: ``results_<ISO time>.json``.
TIMESTAMPED = re.compile(r"results_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.json")

_SUPPORTED = (
    "an lm-evaluation-harness or lighteval results JSON, an AlpacaEval leaderboard.csv or "
    "annotations.json, PandaLM win/tie/lose counts or verdicts, FastChat MT-Bench "
    "*_single.jsonl judgments, an OpenCompass summary_*.csv or an inspect_ai .eval/.json log"
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
    level: str = "groups",
) -> pd.DataFrame:
    """Read one results file of any supported layout into score rows.

    Parameters
    ----------
    path : str or Path
        The file.
    entry : str, optional
        Which model or comparison of the file is this run: the row of a leaderboard, the
        generator of annotations, the comparison of PandaLM results, the judged model of
        MT-Bench judgments, the model column of an OpenCompass summary; lighteval and
        inspect_ai files are checked against it.
    metrics : mapping, optional
        Benchmark → metric overrides (``alpaca_eval`` may be ``"win_rate"``).
    tasks : iterable of str, optional
        Keep only these benchmarks.
    level : {"groups", "subgroups", "tasks"}
        Level of lm-eval group trees, lighteval averages and MT-Bench turns.

    Returns
    -------
    pandas.DataFrame
        Rows with at least ``benchmark, score, task_type, metric, stderr, raw_score, scale,
        layout``; empty if ``tasks`` excludes everything in the file.  The reader's remarks
        are kept (:func:`plw_stats.io._common.notes_of`).

    Raises
    ------
    DataSchemaError
        On an unknown layout or any error of the layout's reader.
    """
    path = Path(path)
    metrics = dict(metrics or {})
    wanted = None if tasks is None else set(tasks)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        frame = _read_table(path, entry, metrics)
    elif suffix == ".json":
        frame = _read_json_file(path, entry, metrics, wanted, level)
    elif suffix == ".jsonl":
        frame = _read_jsonl_file(path, entry, metrics, level)
    elif suffix == ".eval":
        frame = inspect_logs.read_inspect_log(path, entry=entry, metrics=metrics)
    else:
        raise DataSchemaError(f"{path}: unknown layout (file type {path.suffix!r}); {_hint()}")
    notes = notes_of(frame)
    if wanted is not None and not frame.empty:
        frame = frame[frame["benchmark"].isin(wanted)]
    return with_notes(frame.reset_index(drop=True), notes)


def _read_table(path: Path, entry: str | None, metrics: dict[str, str]) -> pd.DataFrame:
    try:
        header = pd.read_csv(path, nrows=0).columns
    except (ValueError, pd.errors.ParserError, OSError) as err:
        raise DataSchemaError(f"{path}: cannot be read as CSV ({err}); {_hint()}") from err
    if opencompass.is_summary(header):
        return opencompass.read_opencompass(path, entry=entry, metrics=metrics)
    if not alpacaeval.is_leaderboard(header):
        raise DataSchemaError(
            f"{path}: unknown layout, a CSV that is neither an AlpacaEval leaderboard (win_rate, "
            f"standard_error) nor an OpenCompass summary (dataset,version,metric,mode); {_hint()}"
        )
    metric = metrics.get(alpacaeval.BENCHMARK)
    return alpacaeval.read_leaderboard(path, entry=entry, metric=metric)


def _read_json_file(
    path: Path, entry: str | None, metrics: dict[str, str], wanted: set[str] | None, level: str
) -> pd.DataFrame:
    data = read_json(path)
    if lighteval.is_lighteval(data):
        return lighteval.read_lighteval(
            path, entry=entry, metrics=metrics, tasks=wanted, level=level
        )
    if inspect_logs.is_inspect_log(data):
        return inspect_logs.read_inspect_log(path, entry=entry, metrics=metrics)
    if lmeval.detect_layout(data) is not None:
        return lmeval.read_lmeval(path, metrics=metrics, tasks=wanted, level=level)
    if alpacaeval.is_annotations(data):
        return alpacaeval.read_annotations(path, entry=entry)
    if pandalm.is_pandalm(data):
        return pandalm.read_pandalm(path, entry=entry)
    raise DataSchemaError(f"{path}: unknown layout; {_hint()}")


def _read_jsonl_file(
    path: Path, entry: str | None, metrics: dict[str, str], level: str
) -> pd.DataFrame:
    if mtbench.is_mtbench(read_json_records(path)):
        return mtbench.read_mtbench(path, entry=entry, metrics=metrics, level=level)
    raise DataSchemaError(
        f"{path}: unknown layout, JSON Lines that are not MT-Bench judgments; {_hint()}"
    )


def _hint() -> str:
    return f"plw-stats reads {_SUPPORTED}"
