"""EleutherAI lm-evaluation-harness results files (v0.4 and the older v0.3 layout).

v0.4 files key each task's metrics as ``"<metric>,<filter>"`` (``"acc_norm,none"``) with
stderr under ``"<metric>_stderr,<filter>"`` and carry ``versions``, ``n-shot`` and ``config``;
v0.3 files use bare keys (``"acc"``, ``"acc_stderr"``), a single ``config.num_fewshot`` and report
TruthfulQA MC as one task ``truthfulqa_mc`` with ``mc1``/``mc2``.  The layout is detected from the
content: ``"n-shot"`` or any metric key containing a comma means v0.4.

**Default metric of a task**, first rule that applies:

1. the paper's metric (see :data:`plw_stats.io.benchmarks.BENCHMARKS`): ARC Challenge
   ``acc_norm``, PIQA ``acc``, WinoGrande ``acc``, TruthfulQA-MC2 ``acc`` of ``truthfulqa_mc2`` in
   v0.4 or ``mc2`` of ``truthfulqa_mc`` in v0.3, TruthfulQA-Gen ``bleu_max`` and WMT ``bleu``;
2. the first entry of the task's ``metric_list`` in ``configs`` (the task's primary metric),
   with the first filter of its ``filter_list`` (``none`` without one), e.g. gsm8k's
   ``exact_match,strict-match``;
3. for a group, the first metric of its aggregate (the order of its ``aggregate_metric_list``);
4. the task's only metric.

``--metric TASK=NAME`` overrides all of them.  Which entries are benchmarks (MMLU as one number
or its 57 subjects) is decided in :mod:`plw_stats.io.lmeval_groups`.

**Task type**: the paper's table, else ``output_type`` in ``configs`` mapped by
:data:`plw_stats.io.benchmarks.OUTPUT_TYPES` (a group takes its tasks' common type).

**Direction**: a metric whose ``higher_is_better`` is false in the file (else in the task's
``metric_list``, else by name: perplexity, ``word_perplexity``, ``bits_per_byte``, TER ...) is
turned around: ``scale`` is negative and ``score = -raw_score / |scale|``, so that a higher score
is always better; a note says so.  0-100 metrics are divided by 100; ``raw_score`` and
``scale`` keep the original (``score = raw_score / scale``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import (
    as_number,
    check_level,
    lower_is_better_note,
    read_json,
    score_row,
    with_notes,
)
from plw_stats.io.benchmarks import (
    BENCHMARKS,
    check_proportion,
    lower_is_better,
    metric_scale,
    task_type,
)
from plw_stats.io.lmeval_groups import GroupTree, metric_keys

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
    level: str = "groups",
) -> pd.DataFrame:
    """Read one lm-evaluation-harness results JSON into score rows.

    Parameters
    ----------
    path : str or Path
        A ``results.json`` / ``results_<timestamp>.json`` (v0.4) or a v0.3 results file.
    metrics : mapping, optional
        Benchmark name → metric overriding the default, e.g. ``{"arc_challenge": "acc"}``; a
        v0.4 filter may be given as ``"exact_match,strict-match"``.
    tasks : iterable of str, optional
        Keep only these benchmarks (names as in the output ``benchmark`` column); in v0.4 any
        task or group of the file may be named, whatever ``level``.
    level : {"groups", "subgroups", "tasks"}
        Which entries of the v0.4 group tree are benchmarks (see
        :mod:`plw_stats.io.lmeval_groups`).

    Returns
    -------
    pandas.DataFrame
        One row per benchmark with the columns in :data:`COLUMNS`: ``score`` (a proportion,
        higher is better), ``stderr`` (same scale as ``score``, NaN if not reported),
        ``raw_score`` and ``scale`` (``score = raw_score / scale``), the lm-eval ``task``,
        ``task_version`` and ``n_shot``.  Remarks (turned-around metrics, groups standing for
        their tasks) are in :func:`plw_stats.io._common.notes_of`.

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
    check_level(level)
    metrics = dict(metrics or {})
    if layout == V03:
        pairs = _old_benchmarks(data, tasks)
        tree = None
    else:
        tree = GroupTree(data)
        pairs = [(t, t) for t in tree.select(level, tasks)]
    rows = [_row(path, data, layout, tree, task, name, metrics.get(name)) for task, name in pairs]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return with_notes(frame, _notes(frame, tree, level))


def _old_benchmarks(data: dict, tasks: Iterable[str] | None) -> list[tuple[str, str]]:
    """List (lm-eval task, benchmark name) pairs of a v0.3 file."""
    wanted = None if tasks is None else set(tasks)
    pairs = []
    for task in data["results"]:
        names = [b.name for b in _OLD_TASKS.get(task, [])] or [task]
        pairs.extend((task, n) for n in names if wanted is None or n in wanted)
    return pairs


def _row(path, data, layout, tree, task, benchmark, override) -> dict[str, Any]:
    entry = data["results"][task]
    key = _metric_key(path, data, layout, task, benchmark, override)
    where = f"{path}: task {task!r} metric {key!r}"
    raw = as_number(entry[key], where=where)
    if math.isnan(raw):
        raise DataSchemaError(f"{where} has no value; re-run the evaluation or pick --metric")
    check_proportion(raw, key, where=where)
    stderr = as_number(entry.get(_stderr_key(key, layout)), where=f"{where} stderr")
    return score_row(
        benchmark,
        raw,
        metric=key.removesuffix(",none"),
        scale=metric_scale(key),
        stderr=stderr,
        task_type=task_type(benchmark) or (tree.output_type(task) if tree else None),
        layout=layout,
        higher_is_better=_higher_is_better(data, task, key),
        task=task,
        task_version=_version(data, task),
        n_shot=_n_shot(data, layout, tree, task),
    )


def _metric_key(path, data, layout, task, benchmark, override) -> str:
    """Pick the key of the metric to report and check that the file has it."""
    entry = data["results"][task]
    available = metric_keys(entry)
    if layout == V03:
        metric = override or _paper_metric(benchmark, layout)
        if metric is None and len(available) == 1:
            return available[0]
    else:
        metric = override or _paper_metric(benchmark, layout) or _listed_metric(data, task)
        if metric is None and available and task in (data.get("groups") or {}):
            metric = available[0]
        if metric is None and len(available) == 1:
            return available[0]
    if metric is None:
        raise DataSchemaError(
            f"{path}: task {task!r} has no default metric and reports "
            f"{', '.join(available) or 'none'}; choose one with --metric {benchmark}=NAME"
        )
    key = metric if layout == V03 else _with_filter(entry, metric, _first_filter(data, task))
    if key not in entry:
        raise DataSchemaError(
            f"{path}: task {task!r} has no metric {key!r} (it reports "
            f"{', '.join(available) or 'nothing'}); choose one with --metric {benchmark}=NAME"
        )
    return key


def _paper_metric(benchmark: str, layout: str) -> str | None:
    known = BENCHMARKS.get(benchmark)
    if known is None:
        return None
    return known.old_metric if layout == V03 else known.metric


def _config(data: dict, task: str) -> dict:
    config = (data.get("configs") or {}).get(task)
    return config if isinstance(config, dict) else {}


def _metric_list(data: dict, task: str) -> list[dict]:
    listed = _config(data, task).get("metric_list") or []
    return [m if isinstance(m, dict) else {"metric": m} for m in listed]


def _listed_metric(data: dict, task: str) -> str | None:
    """Return the first metric of the task's ``metric_list``, or None."""
    listed = _metric_list(data, task)
    return str(listed[0].get("metric")) if listed and listed[0].get("metric") else None


def _first_filter(data: dict, task: str) -> str:
    filters = _config(data, task).get("filter_list") or []
    first = filters[0] if filters and isinstance(filters[0], dict) else {}
    return str(first.get("name") or "none")


def _with_filter(entry: dict, metric: str, preferred: str) -> str:
    """``metric,filter``: the filter given, else the preferred one, ``none``, or the first found."""
    if "," in metric:
        return metric
    for key in (f"{metric},{preferred}", f"{metric},none"):
        if key in entry:
            return key
    found = [k for k in metric_keys(entry) if k.split(",")[0] == metric]
    return found[0] if found else f"{metric},none"


def _higher_is_better(data: dict, task: str, key: str) -> bool:
    metric = key.split(",")[0]
    stated = ((data.get("higher_is_better") or {}).get(task) or {}).get(metric)
    if isinstance(stated, bool):
        return stated
    for item in _metric_list(data, task):
        if item.get("metric") == metric and isinstance(item.get("higher_is_better"), bool):
            return item["higher_is_better"]
    return not lower_is_better(metric)


def _notes(frame: pd.DataFrame, tree: GroupTree | None, level: str) -> list[str]:
    oriented = (lower_is_better_note(r.benchmark, r.metric, r.scale) for r in frame.itertuples())
    notes = [note for note in oriented if note]
    if tree is not None and level != "tasks":
        for name in frame["benchmark"]:
            if tree.is_group(name):
                n = len(tree.leaves(name))
                notes.append(
                    f"{name}: the group's aggregated score stands for its {n} tasks "
                    "(--level tasks keeps them)"
                )
    return notes


def _stderr_key(key: str, layout: str) -> str:
    if layout == V03:
        return f"{key}_stderr"
    metric, _, filt = key.partition(",")
    return f"{metric}_stderr,{filt}"


def _version(data: dict, task: str) -> str | None:
    version = (data.get("versions") or {}).get(task)
    return None if version is None else str(version)


def _n_shot(data: dict, layout: str, tree: GroupTree | None, task: str) -> float:
    if layout == V03:
        value = (data.get("config") or {}).get("num_fewshot")
        return float("nan") if value is None else float(value)
    shots = data.get("n-shot") or {}
    names = tree.leaves(task) if tree and task not in shots else {task}
    values = {shots.get(n) for n in names}
    value = values.pop() if len(values) == 1 else None
    return float("nan") if value is None else float(value)
