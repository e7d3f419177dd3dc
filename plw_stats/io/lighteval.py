"""Hugging Face lighteval results (``<output_dir>/results/<model>/results_<time>.json``).

The file holds ``config_general`` (``model_name`` ...), ``results``, ``versions``,
``config_tasks``, ``summary_tasks`` and ``summary_general``.  ``results`` maps a task key to
``{metric: value, "<metric>_stderr": value}``.  Keys are ``suite|task|fewshot`` up to lighteval
0.12 (``leaderboard|arc:challenge|25``) and ``task|fewshot`` from 0.13 (``arc:challenge|25``).
lighteval adds ``all`` (the mean of every task: not a benchmark) and, for tasks with subsets,
``suite|task:_average|fewshot`` (the mean over ``task:<subset>``).

**Reading**: one benchmark per task, named without suite and few-shot count (``arc:challenge``);
an ``:_average`` entry is one benchmark named after its task (``mmlu``) and its subsets are left
out, unless ``level="tasks"``, which keeps the subsets instead.  The metric is the task's first
metric (``--metric TASK=NAME`` picks another), ``stderr`` is ``<metric>_stderr``.  Direction and
task type come from the task's metric entries in ``config_tasks`` where they are recorded
(``higher_is_better``; category multiple choice → MC, generative → GS, LLM-as-judge → GL), else
from the metric's name (perplexity, TER ... are lower-is-better).  sacreBLEU-style metrics
(``bleu``, ``chrf``, ``ter``) are divided by 100.  The model name is ``config_general``'s
``model_name``; a manifest ``entry`` that names another model is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

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
from plw_stats.io.benchmarks import check_proportion, lower_is_better, metric_scale

LAYOUT = "lighteval"
_AVERAGE = ":_average"
_CATEGORIES = (("LLM_AS_JUDGE", "GL"), ("MULTICHOICE", "MC"), ("GENERATIVE", "GS"))


class TaskKey(NamedTuple):
    """One ``results`` key split into its parts."""

    key: str
    suite: str
    task: str
    fewshot: int | None

    @property
    def benchmark(self) -> str:
        """Benchmark name: the task, or the task an ``:_average`` entry averages."""
        return self.task.removesuffix(_AVERAGE)

    @property
    def is_average(self) -> bool:
        """True for a ``task:_average`` entry."""
        return self.task.endswith(_AVERAGE)


def is_lighteval(data: Any) -> bool:
    """Return True if decoded JSON looks like a lighteval results file."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("config_general"), dict)
        and isinstance(data.get("results"), dict)
    )


def split_key(key: str) -> TaskKey:
    """Split ``suite|task|fewshot`` or ``task|fewshot`` (fewshot ``None`` if absent)."""
    parts = key.split("|")
    fewshot = int(parts[-1]) if len(parts) > 1 and parts[-1].strip().isdigit() else None
    body = parts[:-1] if fewshot is not None else parts
    suite, task = (body[0], "|".join(body[1:])) if len(body) > 1 else ("", body[0])
    return TaskKey(key, suite, task, fewshot)


def read_lighteval(
    path: str | Path,
    *,
    entry: str | None = None,
    metrics: Mapping[str, str] | None = None,
    tasks: Iterable[str] | None = None,
    level: str = "groups",
) -> pd.DataFrame:
    """Read a lighteval ``results_<time>.json`` into score rows.

    Parameters
    ----------
    path : str or Path
        The results file.
    entry : str, optional
        Expected model name; refused if the file names another one in ``config_general``.
    metrics : mapping, optional
        Benchmark → metric overriding the task's first metric.
    tasks : iterable of str, optional
        Benchmarks to keep, whatever ``level`` (``mmlu`` or ``mmlu:anatomy``).
    level : {"groups", "subgroups", "tasks"}
        ``"tasks"`` keeps the subsets of ``:_average`` entries instead of the average.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark: ``score``, ``stderr``, ``raw_score``, ``scale``, ``metric``,
        ``task_type``, ``task`` (the results key), ``task_version``, ``n_shot``, ``entry``.

    Raises
    ------
    DataSchemaError
        On a file that is not lighteval's, another model than ``entry``, a task without
        metrics, an unknown metric override or a non-numeric value.
    """
    data = read_json(path)
    if not is_lighteval(data):
        raise DataSchemaError(
            f"{path}: unknown layout, not a lighteval results file (expected config_general "
            "and results); point to results/<model>/results_<time>.json"
        )
    check_level(level)
    model = _model_name(path, data, entry)
    keys = _select([split_key(k) for k in data["results"] if k != "all"], level, tasks)
    metrics = dict(metrics or {})
    rows = [_row(path, data, key, metrics.get(key.benchmark), model) for key in keys]
    notes = [lower_is_better_note(r["benchmark"], r["metric"], r["scale"]) for r in rows]
    return with_notes(pd.DataFrame(rows), [n for n in notes if n])


def _model_name(path, data: dict, entry: str | None) -> str | None:
    general = data["config_general"]
    name = general.get("model_name") or (general.get("model_config") or {}).get("model_name")
    name = None if name is None else str(name)
    if entry is not None and name is not None and entry != name:
        raise DataSchemaError(
            f"{path}: the file is for model {name!r}, not {entry!r}; fix the 'entry' column "
            "or the path"
        )
    return name


def _select(keys: list[TaskKey], level: str, tasks: Iterable[str] | None) -> list[TaskKey]:
    if tasks is not None:
        wanted = set(tasks)
        return [k for k in keys if k.benchmark in wanted]
    averages = {(k.suite, k.benchmark, k.fewshot) for k in keys if k.is_average}
    if level == "tasks":
        return [k for k in keys if not k.is_average]
    return [k for k in keys if k.is_average or not _in_average(k, averages)]


def _in_average(key: TaskKey, averages: set) -> bool:
    parent = key.task.split(":")[0]
    return ":" in key.task and (key.suite, parent, key.fewshot) in averages


def _row(path, data: dict, key: TaskKey, override: str | None, model: str | None) -> dict:
    values = data["results"][key.key]
    names = _metric_names(values)
    if not names:
        raise DataSchemaError(f"{path}: task {key.key!r} reports no metric; re-run lighteval")
    metric = override or names[0]
    if metric not in values:
        raise DataSchemaError(
            f"{path}: task {key.key!r} has no metric {metric!r} (it reports "
            f"{', '.join(names)}); choose one with --metric {key.benchmark}=NAME"
        )
    where = f"{path}: task {key.key!r} metric {metric!r}"
    raw = as_number(values[metric], where=where)
    check_proportion(raw, metric, where=where)
    info = _metric_info(data, key, metric)
    return score_row(
        key.benchmark,
        raw,
        metric=metric,
        scale=metric_scale(metric),
        stderr=as_number(values.get(f"{metric}_stderr"), where=f"{where} stderr"),
        task_type=info.get("task_type") or _average_type(data, key),
        layout=LAYOUT,
        higher_is_better=info.get("higher_is_better", not lower_is_better(metric)),
        task=key.key,
        task_version=_version(data, key),
        n_shot=float("nan") if key.fewshot is None else float(key.fewshot),
        entry=model,
    )


def _metric_info(data: dict, key: TaskKey, metric: str) -> dict[str, Any]:
    """Direction and task type of a metric from ``config_tasks``, where recorded."""
    configs = data.get("config_tasks") or {}
    config = next(
        (configs[c] for c in (f"{key.suite}|{key.task}", key.task, key.key) if c in configs), {}
    )
    items = (
        (config.get("metric") or config.get("metrics") or []) if isinstance(config, dict) else []
    )
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and metric in _names(item.get("metric_name")):
            return _describe(item, metric)
    return {}


def _names(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _describe(item: dict, metric: str) -> dict[str, Any]:
    info: dict[str, Any] = {}
    better = item.get("higher_is_better")
    better = better.get(metric) if isinstance(better, dict) else better
    if isinstance(better, bool):
        info["higher_is_better"] = better
    category = str(item.get("category", "")).upper()
    info["task_type"] = next((t for name, t in _CATEGORIES if name in category), None)
    return info


def _average_type(data: dict, key: TaskKey) -> str | None:
    """Task type of an ``:_average`` entry: its subsets' common type."""
    if not key.is_average:
        return None
    parent = {(key.suite, key.benchmark, key.fewshot)}
    members = [m for m in map(split_key, data["results"]) if not m.is_average]
    members = [m for m in members if m.key != "all" and _in_average(m, parent)]
    types = {_metric_info(data, m, _first_metric(data, m)).get("task_type") for m in members}
    return types.pop() if len(types) == 1 else None


def _metric_names(values: Any) -> list[str]:
    """Metric names of one ``results`` entry (not the ``_stderr`` keys), in file order."""
    if not isinstance(values, dict):
        return []
    return [str(m) for m in values if not str(m).endswith("_stderr")]


def _first_metric(data: dict, key: TaskKey) -> str:
    names = _metric_names(data["results"][key.key])
    return names[0] if names else ""


def _version(data: dict, key: TaskKey) -> str | None:
    versions = data.get("versions") or {}
    version = next(
        (versions[c] for c in (key.key, f"{key.suite}|{key.task}", key.task) if c in versions),
        None,
    )
    return None if version is None else str(version)
