"""``collect``: from the files a run manifest names to one checked tidy score table.

Manifests themselves (columns, paths, ``--pattern``) are read in
:mod:`plw_stats.io.manifest_table`; :func:`read_manifest` and :func:`manifest_from_pattern` are
re-exported here.  Each file's layout is detected and read by :mod:`plw_stats.io.detect`, and the
rows are checked in :mod:`plw_stats.io.collect_checks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io import collect_checks as checks
from plw_stats.io._common import check_level
from plw_stats.io.detect import FOLDER_PATTERNS, find_results_files, read_results_file
from plw_stats.io.manifest_table import (
    check_manifest,
    manifest_from_pattern,
    read_manifest,
    run_columns,
)
from plw_stats.io.tables import validate_scores

__all__ = ["Collection", "collect", "manifest_from_pattern", "read_manifest"]


@dataclass(frozen=True)
class Collection:
    """What :func:`collect` found.

    Attributes
    ----------
    scores : pandas.DataFrame
        The tidy score table (accepted by :func:`plw_stats.io.read_scores`) with the extra
        columns ``raw_score``, ``scale``, ``layout`` and, where the sources have them, ``task``,
        ``task_version``, ``n_shot``, ``entry`` and counts such as ``n_total``.
    provenance : pandas.DataFrame
        One row per file read: ``source, layout, dataset, model, plw, benchmarks, n_rows``.
    notes : tuple of str
        Remarks for the user: metrics turned around, groups standing for their tasks, older
        results superseded, ratings or rows left out, why a ``task_type`` column was left out.
    """

    scores: pd.DataFrame
    provenance: pd.DataFrame
    notes: tuple[str, ...] = ()


def collect(
    manifest: str | Path | pd.DataFrame,
    *,
    tasks: Iterable[str] | None = None,
    metrics: Mapping[str, str] | None = None,
    task_types: Mapping[str, str] | None = None,
    base: str | Path | None = None,
    level: str = "groups",
) -> Collection:
    """Read every file of a manifest into one checked score table.

    Parameters
    ----------
    manifest : str, Path or pandas.DataFrame
        A manifest CSV, a table from :func:`read_manifest` / :func:`manifest_from_pattern`, or
        a plain table with the manifest's columns (relative paths start at ``base``).
    tasks : iterable of str, optional
        Benchmarks to keep (``benchmark`` names, e.g. ``arc_challenge``); default all.
    metrics : mapping, optional
        Benchmark → metric overrides of the default metrics (docs/loaders.md lists them).
    task_types : mapping, optional
        Benchmark → ``MC``/``GS``/``GL``, overriding the type the files imply.
    base : str or Path, optional
        Folder that ``source`` paths are shown relative to; defaults to the manifest's folder
        (absolute paths when ``manifest`` is a table).
    level : {"groups", "subgroups", "tasks"}
        Level of lm-eval group trees (MMLU as one benchmark, its 4 categories or its 57
        subjects), lighteval ``:_average`` entries and MT-Bench turns.

    Returns
    -------
    Collection
        The score table, the file → rows provenance and notes.

    Raises
    ------
    DataSchemaError
        On a run path that does not exist or holds no results, an unreadable or unknown file,
        a run left with no rows, two files giving the same (run, benchmark), a benchmark
        missing from some runs, or a requested task or metric override found nowhere.
    """
    check_level(level)
    if isinstance(manifest, pd.DataFrame):
        name = "manifest"
        checked = "line" in manifest.columns
        table = manifest if checked else check_manifest(manifest, Path(base or "."), name)
    else:
        table, name = read_manifest(manifest), str(manifest)
        base = Path(manifest).parent if base is None else base
    base = None if base is None else Path(base)
    wanted = None if tasks is None else [t.strip() for t in tasks if t.strip()]
    run = run_columns(table)
    frames, notes = [], []
    for _, rows in table.groupby(run, sort=False, dropna=False):
        read = [
            f for row in rows.itertuples() for f in _read_row(row, wanted, metrics, base, level)
        ]
        read, superseded = checks.supersede(read)
        _check_run_has_rows(rows, read, wanted, name, run)
        frames.extend(read)
        notes.extend(superseded)
    scores = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    checks.check_duplicates(scores, run, name)
    checks.check_requested(scores, wanted, metrics, name)
    checks.check_complete(scores, run, name)
    scores, typed = checks.add_task_types(scores, task_types)
    validate_scores(scores, source=name)
    notes = [*checks.merge_notes(frames), *notes, *typed]
    provenance = pd.DataFrame([_provenance(f, run) for f in frames])
    return Collection(checks.order(scores, run), provenance, tuple(notes))


def _read_row(row, wanted, metrics, base: Path | None, level: str) -> list[pd.DataFrame]:
    path = Path(row.path)
    if path.is_dir():
        files = find_results_files(path)
        if not files:
            raise DataSchemaError(
                f"manifest line {row.line}: run folder {path} holds no results file (looked for "
                f"{', '.join(FOLDER_PATTERNS)}); point 'path' at the file itself"
            )
    elif path.is_file():
        files = [path]
    else:
        raise DataSchemaError(
            f"manifest line {row.line}: {path} does not exist; fix the 'path' column (relative "
            "paths start at the manifest's folder)"
        )
    return [
        _with_run(
            read_results_file(f, entry=row.entry, metrics=metrics, tasks=wanted, level=level),
            row,
            f,
            _shown(f, base),
        )
        for f in files
    ]


def _with_run(frame: pd.DataFrame, row, path: Path, source: str) -> pd.DataFrame:
    run = {
        c: getattr(row, c) for c in ("dataset", "model", "plw", "clw", "seed") if hasattr(row, c)
    }
    extra = {"ratio": row.ratio} if hasattr(row, "ratio") else {}
    notes = frame.attrs.get("notes", ())
    frame = frame.assign(**run, source=source, **extra)
    frame.attrs = {"source": source, "path": path, "run": run, "notes": notes}
    return frame


def _shown(path: Path, base: Path | None) -> str:
    if base is not None and path.resolve().is_relative_to(base.resolve()):
        return path.resolve().relative_to(base.resolve()).as_posix()
    return str(path)


def _check_run_has_rows(rows: pd.DataFrame, frames, wanted, name, run: list[str]) -> None:
    if sum(len(f) for f in frames) == 0:
        which = f" for the tasks {', '.join(wanted)}" if wanted else ""
        lines = ", ".join(str(v) for v in rows["line"])
        raise DataSchemaError(
            f"{name}: run {checks.run_name(rows.iloc[0], run)} has no results{which} (manifest "
            f"line(s) {lines}); add its results files or remove the run"
        )


def _provenance(frame: pd.DataFrame, run: list[str]) -> dict[str, object]:
    layout = ",".join(frame["layout"].unique()) if "layout" in frame else ""
    return {
        "source": frame.attrs["source"],
        "layout": layout,
        **{c: frame.attrs["run"][c] for c in run},
        "benchmarks": ",".join(frame["benchmark"]) if "benchmark" in frame else "",
        "n_rows": len(frame),
    }
