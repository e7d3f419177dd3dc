"""EleutherAI lm-evaluation-harness results files (v0.4 and the older v0.3 layout).

v0.4 files key each task's metrics as ``"<metric>,<filter>"`` (``"acc_norm,none"``) with
stderr under ``"<metric>_stderr,<filter>"`` and carry ``versions``, ``n-shot`` and ``config``;
v0.3 files use bare keys (``"acc"``, ``"acc_stderr"``), a single ``config.num_fewshot`` and report
TruthfulQA MC as one task ``truthfulqa_mc`` with ``mc1``/``mc2``.  The layout is detected from the
content: ``"n-shot"`` or any metric key containing a comma means v0.4.

Default metrics follow the paper (see :data:`plw_stats.io.benchmarks.BENCHMARKS`): ARC Challenge
``acc_norm``, PIQA ``acc``, WinoGrande ``acc``, TruthfulQA-MC2 ``acc`` of ``truthfulqa_mc2`` in
v0.4 or ``mc2`` of ``truthfulqa_mc`` in v0.3, TruthfulQA-Gen ``bleu_max`` (the maximum BLEU of
the answer against the true reference answers, 0-100) and WMT ``bleu`` (sacreBLEU, 0-100).
0-100 metrics are divided by 100; ``raw_score`` and ``scale`` keep the original.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import as_number, read_json
from plw_stats.io.benchmarks import BENCHMARKS, check_proportion, metric_scale, task_type

V04 = "lm-eval-v0.4"
V03 = "lm-eval-v0.3"

#: Columns of the table :func:`read_lmeval` returns.
COLUMNS = (
    "benchmark",
    "score",
    "task_type",
    "metric",
    "stderr",
    "raw_score",
    "scale",
    "task",
    "task_version",
    "n_shot",
    "layout",
)

#: v0.3 task name → the benchmarks it reports (``truthfulqa_mc`` gives MC1 and MC2).
_OLD_TASKS = {
    task: [b for b in BENCHMARKS.values() if b.old_task == task]
    for task in {b.old_task for b in BENCHMARKS.values()}
}


def detect_layout(data: Any) -> str | None:
    """Return ``"lm-eval-v0.4"``, ``"lm-eval-v0.3"`` or ``None`` for a decoded JSON value."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        return None
    entries = [e for e in data["results"].values() if isinstance(e, dict)]
    if not entries or len(entries) != len(data["results"]):
        return None
    if "n-shot" in data or any("," in key for entry in entries for key in entry):
        return V04
    return V03


def read_lmeval(
    path: str | Path,
    *,
    metrics: Mapping[str, str] | None = None,
    tasks: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read one lm-evaluation-harness results JSON into score rows.

    Parameters
    ----------
    path : str or Path
        A ``results.json`` / ``results_<timestamp>.json`` (v0.4) or a v0.3 results file.
    metrics : mapping, optional
        Benchmark name → metric overriding the default, e.g. ``{"arc_challenge": "acc"}``; a
        v0.4 filter may be given as ``"exact_match,strict-match"`` (default filter ``none``).
    tasks : iterable of str, optional
        Keep only these benchmarks (names as in the output ``benchmark`` column).

    Returns
    -------
    pandas.DataFrame
        One row per benchmark with the columns in :data:`COLUMNS`: ``score`` (a proportion),
        ``stderr`` (same scale as ``score``, NaN if not reported), ``raw_score`` and ``scale``
        (``score = raw_score / scale``), the lm-eval ``task``, ``task_version`` and ``n_shot``.
        Group aggregates (``groups`` / ``group_subtasks`` in v0.4) are not benchmarks and are
        skipped.

    Raises
    ------
    DataSchemaError
        On malformed JSON, a file that is not an lm-eval results file, or a missing,
        ambiguous or non-numeric metric.
    """
    data = read_json(path)
    layout = detect_layout(data)
    if layout is None:
        raise DataSchemaError(
            f"{path}: unknown layout, not an lm-evaluation-harness results file (expected a "
            "'results' object of task → metrics); point to the results*.json lm-eval wrote"
        )
    metrics = dict(metrics or {})
    wanted = None if tasks is None else set(tasks)
    rows = [
        _row(path, data, layout, task, benchmark, metrics.get(benchmark))
        for task, benchmark in _benchmarks(data, layout)
        if wanted is None or benchmark in wanted
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _benchmarks(data: dict, layout: str) -> list[tuple[str, str]]:
    """List (lm-eval task, benchmark name) pairs found in the file."""
    groups = set(data.get("groups") or {}) | {
        name for name, members in (data.get("group_subtasks") or {}).items() if members
    }
    pairs = []
    for task in data["results"]:
        if layout == V04 and task in groups:
            continue
        known = _OLD_TASKS.get(task, []) if layout == V03 else []
        names = [b.name for b in known] or [task]
        pairs.extend((task, name) for name in names)
    return pairs


def _row(
    path: str | Path, data: dict, layout: str, task: str, benchmark: str, override: str | None
) -> dict[str, Any]:
    entry = data["results"][task]
    key = _metric_key(path, entry, layout, task, benchmark, override)
    where = f"{path}: task {task!r} metric {key!r}"
    raw = as_number(entry[key], where=where)
    if math.isnan(raw):
        raise DataSchemaError(f"{where} has no value; re-run the evaluation or pick --metric")
    check_proportion(raw, key, where=where)
    scale = metric_scale(key)
    stderr = as_number(entry.get(_stderr_key(key, layout)), where=f"{where} stderr")
    return {
        "benchmark": benchmark,
        "score": raw / scale,
        "task_type": task_type(benchmark),
        "metric": key.removesuffix(",none"),
        "stderr": stderr / scale,
        "raw_score": raw,
        "scale": scale,
        "task": task,
        "task_version": _version(data, task),
        "n_shot": _n_shot(data, layout, task),
        "layout": layout,
    }


def _metric_key(
    path: str | Path, entry: dict, layout: str, task: str, benchmark: str, override: str | None
) -> str:
    """Pick the key of the metric to report and check that the file has it."""
    metric = override or _default_metric(benchmark, layout)
    available = _metric_names(entry)
    if metric is None:
        if len(available) != 1:
            raise DataSchemaError(
                f"{path}: task {task!r} has no default metric and reports "
                f"{', '.join(available) or 'none'}; choose one with --metric {benchmark}=NAME"
            )
        return available[0]
    key = metric if layout == V03 or "," in metric else f"{metric},none"
    if key not in entry:
        raise DataSchemaError(
            f"{path}: task {task!r} has no metric {key!r} (it reports "
            f"{', '.join(available) or 'nothing'}); choose one with --metric {benchmark}=NAME"
        )
    return key


def _default_metric(benchmark: str, layout: str) -> str | None:
    known = BENCHMARKS.get(benchmark)
    if known is None:
        return None
    return known.old_metric if layout == V03 else known.metric


def _metric_names(entry: dict) -> list[str]:
    return [k for k in entry if k != "alias" and "_stderr" not in k.split(",")[0]]


def _stderr_key(key: str, layout: str) -> str:
    if layout == V03:
        return f"{key}_stderr"
    metric, _, filt = key.partition(",")
    return f"{metric}_stderr,{filt}"


def _version(data: dict, task: str) -> str | None:
    version = (data.get("versions") or {}).get(task)
    return None if version is None else str(version)


def _n_shot(data: dict, layout: str, task: str) -> float:
    if layout == V04:
        value = (data.get("n-shot") or {}).get(task)
    else:
        value = (data.get("config") or {}).get("num_fewshot")
    return float("nan") if value is None else float(value)
