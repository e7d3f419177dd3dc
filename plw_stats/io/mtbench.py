"""FastChat MT-Bench single-answer judgments (``model_judgment/<judge>_single.jsonl``).

``gen_judgment.py --mode single`` appends one JSON line per (model, question, turn):
``question_id, model, judge ([judge model, prompt name]), user_prompt, judgment, score, turn,
tstamp``.  The judge rates each answer from 1 to 10 (halves occur); ``-1`` means its rating
could not be parsed.

**Score** of a model (the manifest's ``entry``): the mean rating over its questions and both
turns, as FastChat's ``show_result.py`` reports it, on the 1-10 scale (``raw_score``), divided by
10 for ``score`` (``scale`` 10); ``stderr`` is the standard error of the mean rating.  Re-running
the judge appends lines, so a (model, question, turn) judged more than once counts once, by its
latest ``tstamp``; failed ratings (-1) are left out.  Both are counted in the row (``n_repeats``,
``n_failed``) and in a note.  ``level="tasks"`` (or ``"subgroups"``) reports the two turns as
separate benchmarks ``mt_bench_turn1`` and ``mt_bench_turn2`` instead of ``mt_bench``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import (
    as_number,
    check_level,
    pick_entry,
    read_json_records,
    score_row,
    sem,
    with_notes,
)

BENCHMARK = "mt_bench"
LAYOUT = "mtbench-single"
METRIC = "score"
SCALE = 10.0
_FIELDS = ("question_id", "model", "score", "turn")


def is_mtbench(records: Any) -> bool:
    """Return True if decoded JSON Lines look like FastChat single-answer judgments."""
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and set(_FIELDS) <= set(r) for r in records)
    )


def read_mtbench(
    path: str | Path,
    *,
    entry: str | None = None,
    metrics: Mapping[str, str] | None = None,
    level: str = "groups",
) -> pd.DataFrame:
    """Score one model from a FastChat MT-Bench ``*_single.jsonl`` judgment file.

    Parameters
    ----------
    path : str or Path
        The judgment file.
    entry : str, optional
        The ``model`` to score; may be omitted when the file judges one model.
    metrics : mapping, optional
        Only ``{"mt_bench": "score"}`` is accepted (the mean rating is the only metric).
    level : {"groups", "subgroups", "tasks"}
        ``"groups"`` gives one ``mt_bench`` row; the other levels one row per turn.

    Returns
    -------
    pandas.DataFrame
        Rows with ``score`` (mean rating / 10), ``raw_score`` (mean rating), ``scale`` 10,
        ``stderr``, ``task_type`` "GL", ``entry``, ``judge`` and the counts ``n_questions``,
        ``n_ratings``, ``n_repeats``, ``n_failed``.

    Raises
    ------
    DataSchemaError
        On malformed JSON Lines, records without the judgment fields, an ambiguous or absent
        model, ratings outside 1-10 (other than -1), several judge models, or no usable rating.
    """
    check_level(level)
    _check_metric(path, metrics)
    records = read_json_records(path)
    if not is_mtbench(records):
        raise DataSchemaError(
            f"{path}: unknown layout, not FastChat MT-Bench single judgments (each line needs "
            f"{', '.join(_FIELDS)}); point to model_judgment/<judge>_single.jsonl"
        )
    models = list(dict.fromkeys(str(r["model"]) for r in records))
    name = pick_entry(path, models, entry, "judged model")
    table = _judgments(path, [r for r in records if str(r["model"]) == name])
    latest, repeats = _latest(table)
    usable = latest[latest["rating"] != -1]
    failed = len(latest) - len(usable)
    if usable.empty:
        raise DataSchemaError(f"{path}: no usable rating for {name!r}; re-run the judge")
    parts = [(BENCHMARK, usable)] if level == "groups" else _turns(usable)
    rows = [_row(bench, part, name, repeats, failed) for bench, part in parts]
    return with_notes(pd.DataFrame(rows), _notes(name, repeats, failed))


def _check_metric(path, metrics) -> None:
    chosen = (metrics or {}).get(BENCHMARK, METRIC)
    if chosen != METRIC:
        raise DataSchemaError(
            f"{path}: MT-Bench has no metric {chosen!r}; its only metric is the mean rating "
            f"{METRIC!r}"
        )


def _judgments(path, records: list[dict]) -> pd.DataFrame:
    rows = []
    for i, r in enumerate(records):
        rating = as_number(r["score"], where=f"{path}: judgment {i} score")
        if rating != -1 and not 1 <= rating <= 10:
            raise DataSchemaError(
                f"{path}: rating {rating:g} for question {r['question_id']} turn {r['turn']} "
                "is outside 1-10 (and not -1 for a failed rating); is this a single-answer file?"
            )
        rows.append(
            {
                "question": str(r["question_id"]),
                "turn": int(as_number(r["turn"], where=f"{path}: judgment {i} turn")),
                "rating": rating,
                "tstamp": as_number(r.get("tstamp"), where=f"{path}: judgment {i} tstamp"),
                "judge": _judge_model(r.get("judge")),
            }
        )
    table = pd.DataFrame(rows)
    judges = sorted({j for j in table["judge"] if j})
    if len(judges) > 1:
        raise DataSchemaError(
            f"{path}: judgments by {len(judges)} judge models ({', '.join(judges)}); keep one "
            "judge per file"
        )
    return table


def _judge_model(judge: Any) -> str:
    if isinstance(judge, list | tuple) and judge:
        return str(judge[0])
    return "" if judge is None else str(judge)


def _latest(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Keep the latest judgment of each (question, turn); return it and how many were dropped."""
    ordered = table.assign(_order=np.arange(len(table)), _t=table["tstamp"].fillna(-np.inf))
    ordered = ordered.sort_values(["_t", "_order"], kind="stable")
    latest = ordered.drop_duplicates(subset=["question", "turn"], keep="last")
    return latest.sort_values("_order").drop(columns=["_order", "_t"]), len(table) - len(latest)


def _turns(usable: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [(f"{BENCHMARK}_turn{t}", part) for t, part in usable.groupby("turn", sort=True)]


def _row(benchmark: str, part: pd.DataFrame, name: str, repeats: int, failed: int) -> dict:
    ratings = part["rating"].to_numpy(dtype=float)
    judge = next((j for j in part["judge"] if j), None)
    return score_row(
        benchmark,
        float(ratings.mean()),
        metric=METRIC,
        scale=SCALE,
        stderr=sem(ratings),
        task_type="GL",
        layout=LAYOUT,
        entry=name,
        judge=judge,
        n_questions=float(part["question"].nunique()),
        n_ratings=float(ratings.size),
        n_repeats=float(repeats),
        n_failed=float(failed),
    )


def _notes(name: str, repeats: int, failed: int) -> list[str]:
    notes = []
    if repeats:
        notes.append(
            f"MT-Bench {name}: {repeats} repeated judgment(s) of the same question and turn; "
            "the latest (by tstamp) counts"
        )
    if failed:
        notes.append(f"MT-Bench {name}: {failed} failed rating(s) (-1) left out")
    return notes
