"""OpenCompass summaries (``<work_dir>/<time>/summary/summary_<time>.csv``).

OpenCompass's default summarizer writes one row per (dataset, metric) and one column per model:
``dataset,version,metric,mode,<model abbr>...``.  Values are printed with two decimals on a 0-100
scale; a dataset whose result is missing has ``-`` in its fields (in every field when no model
finished it, only in a model's column when that model did not).

**Reading**: the manifest's ``entry`` names the model column (optional when there is one).  Each
finished dataset is a benchmark named after ``dataset``; its metric is the first row of that
dataset (OpenCompass lists a dataset's metrics most important first), ``--metric DATASET=NAME``
picks another row.  Values are divided by 100 (``scale`` 100).  Rows left at ``-`` for the model
are left out and a note says how many.  Task type from ``mode``: ``ppl`` and ``ll`` (scoring given
answers by likelihood) are multiple choice, ``gen`` (generated answers scored against references)
is short generation; the paper's benchmark table or ``--task-type`` says otherwise.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import (
    as_number,
    listed,
    lower_is_better_note,
    pick_entry,
    read_text,
    score_row,
    with_notes,
)
from plw_stats.io.benchmarks import lower_is_better, task_type

LAYOUT = "opencompass-summary"
HEADER = ("dataset", "version", "metric", "mode")
SCALE = 100.0
MODES = {"ppl": "MC", "ll": "MC", "gen": "GS"}
_MISSING = "-"


def is_summary(columns) -> bool:
    """Return True if a CSV header is an OpenCompass summary header."""
    return tuple(str(c).strip() for c in list(columns)[:4]) == HEADER and len(columns) > 4


def read_opencompass(
    path: str | Path,
    *,
    entry: str | None = None,
    metrics: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read one model's column of an OpenCompass ``summary_*.csv``.

    Parameters
    ----------
    path : str or Path
        The summary CSV.
    entry : str, optional
        Model column (model abbreviation); may be omitted when the file has one model.
    metrics : mapping, optional
        Dataset → metric, choosing another row of a dataset with several metrics.

    Returns
    -------
    pandas.DataFrame
        One row per finished dataset: ``benchmark`` (the dataset), ``score`` (value / 100),
        ``raw_score``, ``scale`` 100, ``metric``, ``task_type``, ``mode``, ``task_version``
        (the prompt hash OpenCompass calls version) and ``entry``; ``stderr`` is not reported.

    Raises
    ------
    DataSchemaError
        On a file that is not a summary, an ambiguous or absent model column, a value that is
        neither a number nor ``-``, or a metric override naming no row.
    """
    table = _read(path)
    name = pick_entry(path, list(table.columns[4:]), entry, "model column")
    metrics = dict(metrics or {})
    finished = table[table[name] != _MISSING]
    rows = [
        _row(path, group, name, metrics.get(dataset))
        for dataset, group in finished.groupby("dataset", sort=False)
    ]
    notes = _notes(path, table, finished, name)
    oriented = [lower_is_better_note(r["benchmark"], r["metric"], r["scale"]) for r in rows]
    return with_notes(pd.DataFrame(rows), [*notes, *(n for n in oriented if n)])


def _read(path: str | Path) -> pd.DataFrame:
    text = read_text(path)
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not rows or not is_summary(rows[0]):
        raise DataSchemaError(
            f"{path}: unknown layout, not an OpenCompass summary (expected the header "
            f"{','.join(HEADER)},<model>...)"
        )
    width = len(rows[0])
    bad = next((i for i, r in enumerate(rows[1:], start=2) if len(r) != width), None)
    if bad is not None:
        raise DataSchemaError(
            f"{path}: line {bad} has {len(rows[bad - 1])} fields, the header {width}; "
            "re-export the summary"
        )
    header = [c.strip() for c in rows[0]]
    return pd.DataFrame([[c.strip() for c in r] for r in rows[1:]], columns=header, dtype=object)


def _row(path, group: pd.DataFrame, name: str, override: str | None) -> dict:
    dataset = str(group["dataset"].iloc[0])
    if override is not None:
        chosen = group[group["metric"] == override]
        if chosen.empty:
            raise DataSchemaError(
                f"{path}: dataset {dataset!r} has no finished metric {override!r} for {name!r} "
                f"(it has {listed(group['metric'])}); fix --metric {dataset}=NAME"
            )
        group = chosen
    line = group.iloc[0]
    where = f"{path}: dataset {dataset!r} column {name!r}"
    raw = as_number(line[name], where=where)
    if math.isnan(raw):
        raise DataSchemaError(
            f"{where}: {line[name]!r} is not a score; OpenCompass writes '-' for unfinished rows"
        )
    mode = str(line["mode"])
    return score_row(
        dataset,
        raw,
        metric=str(line["metric"]),
        scale=SCALE,
        stderr=float("nan"),
        task_type=task_type(dataset) or MODES.get(mode),
        layout=LAYOUT,
        higher_is_better=not lower_is_better(str(line["metric"])),
        mode=mode,
        task_version=str(line["version"]),
        entry=name,
    )


def _notes(path, table: pd.DataFrame, finished: pd.DataFrame, name: str) -> list[str]:
    unfinished = table[table[name] == _MISSING]
    if unfinished.empty:
        return []
    datasets = list(dict.fromkeys(unfinished["dataset"]))
    return [
        f"{Path(path).name}: {len(unfinished)} unfinished row(s) ('-') for {name} left out: "
        f"{listed(datasets)}"
    ]
