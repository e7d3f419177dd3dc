"""inspect_ai evaluation logs, read without inspect_ai installed.

``inspect eval`` writes one log per task run to ``./logs/<time>_<task>_<id>.eval``: a zip archive
whose ``header.json`` holds the log without its samples (``version, status, eval, plan, results,
stats, error``); a run still in progress has only ``_journal/start.json``.  Older versions (and
``--log-format json``) write the same log as one ``.json`` file.  ``status`` is ``success``,
``error``, ``cancelled`` or ``started``; ``eval.task`` names the task (``inspect_evals/gpqa``),
``eval.model`` the model; ``results.scores`` lists one entry per scorer with its ``metrics``
(``{"accuracy": {"name": "accuracy", "value": 0.53}, "stderr": {...}}``).

**Reading**: one benchmark per log, named after the task without its registry prefix
(``gpqa``); the score is the first scorer's first metric (``--metric TASK=NAME`` or
``TASK=SCORER/NAME`` picks another), ``stderr`` that scorer's ``stderr`` metric.  A log whose
status is not ``success`` is refused.  Task type from the paper's table (by benchmark name),
else from the scorer: ``choice`` → MC;
``match``, ``includes``, ``exact``, ``f1``, ``pattern``, ``answer`` → GS (scored against reference
answers); ``model_graded_qa``, ``model_graded_fact`` → GL (judged by a model); others untyped.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import (
    as_number,
    lower_is_better_note,
    read_json,
    score_row,
    with_notes,
)
from plw_stats.io.benchmarks import check_proportion, lower_is_better, metric_scale, task_type

LAYOUT = "inspect-log"
HEADER = "header.json"
_JOURNAL = "_journal/start.json"
_SCORERS = {
    "choice": "MC",
    "match": "GS",
    "includes": "GS",
    "exact": "GS",
    "f1": "GS",
    "pattern": "GS",
    "answer": "GS",
    "model_graded_qa": "GL",
    "model_graded_fact": "GL",
}
_SPREAD = frozenset({"stderr", "std", "var"})


def is_inspect_log(data: Any) -> bool:
    """Return True if decoded JSON looks like an inspect_ai log (header)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("eval"), dict)
        and "task" in data["eval"]
        and "status" in data
    )


def read_inspect_log(
    path: str | Path,
    *,
    entry: str | None = None,
    metrics: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read one inspect_ai log (``.eval`` or ``.json``) into a score row.

    Parameters
    ----------
    path : str or Path
        The log file.
    entry : str, optional
        Expected model (``eval.model``, e.g. ``hf/my-org/plw-0.1``); another model is refused.
    metrics : mapping, optional
        Benchmark → ``METRIC`` or ``SCORER/METRIC`` overriding the first scorer's first metric.

    Returns
    -------
    pandas.DataFrame
        One row: ``benchmark``, ``score``, ``stderr``, ``raw_score``, ``scale``, ``metric``
        (``scorer/metric``), ``task_type``, ``task``, ``task_version``, ``entry``, ``n_samples``.

    Raises
    ------
    DataSchemaError
        On an unreadable or foreign file, a status other than ``success``, another model than
        ``entry``, no scores, or an unknown metric.
    """
    log = _read_log(path)
    task = str(log["eval"]["task"])
    status = log.get("status")
    if status != "success":
        raise DataSchemaError(
            f"{path}: inspect_ai log of task {task!r} has status {status!r}, not 'success'; "
            "finish it (inspect eval-retry) or leave the log out"
        )
    model = _model(path, log, entry)
    benchmark = task.rsplit("/", 1)[-1]
    scorer, metric = _choose(path, log, benchmark, (metrics or {}).get(benchmark))
    row = _row(path, log, benchmark, scorer, metric, model)
    note = lower_is_better_note(row["benchmark"], row["metric"], row["scale"])
    return with_notes(pd.DataFrame([row]), [note] if note else [])


def _read_log(path: str | Path) -> dict:
    path = Path(path)
    if path.suffix.lower() == ".eval":
        log = _read_zip(path)
    else:
        log = read_json(path)
    if not is_inspect_log(log):
        raise DataSchemaError(
            f"{path}: unknown layout, not an inspect_ai log (expected 'status' and 'eval.task')"
        )
    return log


def _read_zip(path: Path) -> dict:
    if not path.is_file():
        raise DataSchemaError(f"{path}: no such file; check the path")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if HEADER in names:
                return json.loads(archive.read(HEADER))
            if _JOURNAL in names:
                start = json.loads(archive.read(_JOURNAL))
                return {"status": "started", "eval": start.get("eval") or {"task": "?"}}
    except zipfile.BadZipFile as err:
        raise DataSchemaError(f"{path}: not a readable .eval log (bad zip archive)") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataSchemaError(f"{path}: malformed JSON inside the .eval log ({err})") from err
    raise DataSchemaError(f"{path}: the .eval archive has no {HEADER}; is it an inspect_ai log?")


def _model(path, log: dict, entry: str | None) -> str | None:
    model = log["eval"].get("model")
    model = None if model is None else str(model)
    if entry is not None and model is not None and entry != model:
        raise DataSchemaError(
            f"{path}: the log is for model {model!r}, not {entry!r}; fix the 'entry' column"
        )
    return model


def _scores(path, log: dict) -> list[dict]:
    scores = (log.get("results") or {}).get("scores") or []
    scores = [s for s in scores if isinstance(s, dict) and isinstance(s.get("metrics"), dict)]
    if not scores:
        raise DataSchemaError(f"{path}: the log has no results.scores; was the task scored?")
    return scores


def _choose(path, log: dict, benchmark: str, override: str | None) -> tuple[dict, str]:
    """Return the scorer entry and the metric name to report."""
    scores = _scores(path, log)
    if override is None:
        first = scores[0]
        names = [m for m in first["metrics"] if m not in _SPREAD]
        if not names:
            raise DataSchemaError(f"{path}: scorer {first.get('name')!r} reports no metric")
        return first, names[0]
    scorer_name, _, metric = override.rpartition("/")
    for scorer in scores:
        if (not scorer_name or scorer.get("name") == scorer_name) and metric in scorer["metrics"]:
            return scorer, metric
    found = [f"{s.get('name')}/{m}" for s in scores for m in s["metrics"]]
    raise DataSchemaError(
        f"{path}: task {benchmark!r} has no metric {override!r} (it reports {', '.join(found)}); "
        f"choose one with --metric {benchmark}=SCORER/METRIC"
    )


def _row(path, log: dict, benchmark: str, scorer: dict, metric: str, model) -> dict:
    where = f"{path}: scorer {scorer.get('name')!r} metric {metric!r}"
    raw = as_number(_value(scorer["metrics"].get(metric)), where=where)
    check_proportion(raw, metric, where=where)
    stderr = as_number(_value(scorer["metrics"].get("stderr")), where=f"{where} stderr")
    name = str(scorer.get("scorer") or scorer.get("name") or "")
    results = log.get("results") or {}
    return score_row(
        benchmark,
        raw,
        metric=f"{scorer.get('name')}/{metric}",
        scale=metric_scale(metric),
        stderr=stderr,
        task_type=task_type(benchmark) or _SCORERS.get(name.rsplit("/", 1)[-1]),
        layout=LAYOUT,
        higher_is_better=not lower_is_better(metric),
        task=str(log["eval"]["task"]),
        task_version=str(log["eval"].get("task_version", "")) or None,
        entry=model,
        n_samples=as_number(results.get("completed_samples"), where=f"{path}: completed_samples"),
    )


def _value(metric: Any) -> Any:
    return metric.get("value") if isinstance(metric, dict) else metric
