"""Checks and tidying that :func:`plw_stats.io.manifest.collect` applies to the rows it read.

Kept apart from the reading loop: newer lm-eval/lighteval results superseding older ones in the
same folder, duplicate and missing benchmarks, requested names found nowhere, task types, and
merging the notes of many files into a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from plw_stats.config import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TASK_TYPES
from plw_stats.errors import DataSchemaError
from plw_stats.io._common import listed, notes_of
from plw_stats.io.detect import TIMESTAMPED


def run_name(row, run: list[str]) -> str:
    """``(dataset=…, model=…, plw=…[, clw=…][, seed=…])`` for messages."""
    parts = [f"{c}={row[c]:g}" if c in ("plw", "clw") else f"{c}={row[c]}" for c in run]
    return "(" + ", ".join(parts) + ")"


def supersede(frames: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], list[str]]:
    """Within one run, let the newest ``results_<time>.json`` of a folder win each benchmark.

    lm-eval and lighteval write a new ``results_<ISO time>.json`` next to the old one each time
    a run is evaluated again.  For every benchmark found in several such files of the same
    folder, the row of the newest file is kept; a note names each older file that lost rows.

    Parameters
    ----------
    frames : list of pandas.DataFrame
        The frames read for one run, each with ``attrs["path"]`` and ``attrs["source"]``.

    Returns
    -------
    frames, notes
        The frames with superseded rows removed, and one note per older file.
    """
    stamped: dict[Path, list[tuple[str, int]]] = {}
    for i, frame in enumerate(frames):
        match = TIMESTAMPED.fullmatch(frame.attrs["path"].name)
        if match:
            stamped.setdefault(frame.attrs["path"].parent, []).append((match.group(1), i))
    kept, notes = list(frames), []
    for group in stamped.values():
        seen: set[str] = set()
        for _, i in sorted(group, reverse=True):
            frame = kept[i]
            old = frame["benchmark"].isin(seen)
            if old.any():
                newer = kept[sorted(group, reverse=True)[0][1]].attrs["source"]
                notes.append(
                    f"{frame.attrs['source']}: older than {newer}; not used for "
                    f"{listed(frame.loc[old, 'benchmark'])}"
                )
                kept[i] = _keep_attrs(frame[~old], frame)
            seen |= set(frame["benchmark"])
    return kept, notes


def _keep_attrs(part: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    part = part.reset_index(drop=True)
    part.attrs = dict(frame.attrs)
    return part


def merge_notes(frames: Iterable[pd.DataFrame]) -> list[str]:
    """Each reader note once, with the files it came from (``a.json and 3 more``)."""
    sources: dict[str, list[str]] = {}
    for frame in frames:
        for note in notes_of(frame):
            sources.setdefault(note, []).append(frame.attrs["source"])
    merged = []
    for note, where in sources.items():
        where = list(dict.fromkeys(where))
        more = f" and {len(where) - 1} more file(s)" if len(where) > 1 else ""
        merged.append(f"{note} [{where[0]}{more}]")
    return merged


def check_duplicates(scores: pd.DataFrame, run: list[str], name: str) -> None:
    """Refuse two files giving the same (run, benchmark)."""
    key = [*run, "benchmark"]
    twice = scores[scores.duplicated(subset=key, keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        same = twice[(twice[key] == first[key]).all(axis=1)]
        raise DataSchemaError(
            f"{name}: run {run_name(first, run)} gets benchmark {first['benchmark']!r} from "
            f"more than one file ({' and '.join(same['source'])}); keep one file per run and "
            "benchmark (e.g. delete the older lm-eval results)"
        )


def check_requested(scores: pd.DataFrame, wanted, metrics, name: str) -> None:
    """Refuse ``--tasks`` or ``--metric`` names that match no benchmark."""
    found = set(scores["benchmark"])
    for what, names in (("task", wanted or []), ("metric override for", list(metrics or {}))):
        absent = [t for t in names if t not in found]
        if absent:
            raise DataSchemaError(
                f"{name}: {what} {', '.join(map(repr, absent))} matches no benchmark in the "
                f"files; found {listed(sorted(found))}"
            )


def check_complete(scores: pd.DataFrame, run: list[str], name: str) -> None:
    """Refuse a benchmark that some runs have and others lack."""
    everything = set(scores["benchmark"])
    for _, rows in scores.groupby(run, sort=True, dropna=False):
        missing = sorted(everything - set(rows["benchmark"]))
        if missing:
            raise DataSchemaError(
                f"{name}: run {run_name(rows.iloc[0], run)} has no {listed(missing)} that other "
                "runs have; add the missing results or leave the benchmark out with --tasks"
            )


def add_task_types(
    scores: pd.DataFrame, task_types: Mapping[str, str] | None
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Give every row its benchmark's task type, or drop the column with a note.

    ``--task-type`` overrides win; otherwise a benchmark takes the type its files state, and
    rows from files that state none (an older lighteval file, say) take it from the others.

    Raises
    ------
    DataSchemaError
        On an unknown type name, or files giving one benchmark different types.
    """
    given = {k: str(v).strip().upper() for k, v in (task_types or {}).items()}
    bad = {k: v for k, v in given.items() if v not in TASK_TYPES}
    if bad:
        first = next(iter(bad))
        raise DataSchemaError(
            f"task type {bad[first]!r} for {first!r} is unknown; use one of {', '.join(TASK_TYPES)}"
        )
    known = {b: given.get(b) or _file_type(rows, b) for b, rows in scores.groupby("benchmark")}
    types = pd.Series([known[b] for b in scores["benchmark"]], index=scores.index, dtype=object)
    unknown = sorted(scores.loc[types.isna(), "benchmark"].unique())
    if unknown:
        note = (
            f"task_type column left out: no type known for {listed(unknown)}; give one with "
            f"--task-type {unknown[0]}=MC (or GS, GL)"
        )
        return scores.drop(columns="task_type"), (note,)
    return scores.assign(task_type=types), ()


def _file_type(rows: pd.DataFrame, benchmark: str) -> str | None:
    stated = sorted({t for t in rows["task_type"] if isinstance(t, str)})
    if len(stated) > 1:
        raise DataSchemaError(
            f"benchmark {benchmark!r} is typed {' and '.join(stated)} by different files; "
            f"choose one with --task-type {benchmark}=TYPE"
        )
    return stated[0] if stated else None


def order(scores: pd.DataFrame, run: list[str]) -> pd.DataFrame:
    """Tidy columns first, then the extras; rows by run and benchmark."""
    first = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in scores.columns]
    rest = [c for c in scores.columns if c not in first]
    ordered = scores[first + rest].sort_values([*run, "benchmark"], na_position="first")
    return ordered.reset_index(drop=True)
