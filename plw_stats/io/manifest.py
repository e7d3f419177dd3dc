"""Run manifests and ``collect``: from folders of evaluation outputs to the tidy score table.

A manifest is a CSV with the columns ``path, dataset, model, plw`` and optionally ``entry``
(which row of a leaderboard, generator of annotations or comparison of PandaLM results is this
run) and ``ratio`` (the dataset's R_g, copied to the table).  ``path`` is a results file or a
run folder, absolute or relative to the manifest's folder; a run may span several rows, one per
file.  Instead of a manifest, :func:`manifest_from_pattern` builds one from paths such as
``"{dataset}/{model}/plw-{plw}/**/results*.json"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plw_stats.config import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TASK_TYPES
from plw_stats.errors import DataSchemaError
from plw_stats.io.detect import FOLDER_PATTERNS, find_results_files, read_results_file
from plw_stats.io.tables import validate_scores

_MANIFEST_COLUMNS = ("path", "dataset", "model", "plw")
_RUN = ("dataset", "model", "plw")
_PLACEHOLDERS = ("dataset", "model", "plw", "entry")
_MAX_LISTED = 5


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
        Remarks for the user, e.g. why a ``task_type`` column was left out.
    """

    scores: pd.DataFrame
    provenance: pd.DataFrame
    notes: tuple[str, ...] = ()


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read and check a manifest CSV; paths are resolved against the manifest's folder.

    Returns
    -------
    pandas.DataFrame
        Columns ``path`` (absolute :class:`~pathlib.Path`), ``dataset``, ``model``, ``plw``
        (float), ``entry`` (str or None), ``line`` (line in the file) and ``ratio`` if given.

    Raises
    ------
    DataSchemaError
        On a missing file or column, a blank cell, or a PLW that is not a number in [0, 1].
    """
    path = Path(path)
    if not path.is_file():
        raise DataSchemaError(f"{path}: no such manifest; give a CSV with {_columns()}")
    try:
        table = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig"
        )
    except (ValueError, pd.errors.ParserError) as err:
        raise DataSchemaError(f"{path}: cannot be read as CSV ({err})") from err
    return _check_manifest(table.rename(columns=str.strip), path.parent, str(path))


def manifest_from_pattern(
    root: str | Path, pattern: str, *, constants: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Build a manifest by matching file paths under ``root`` against a pattern.

    Parameters
    ----------
    root : str or Path
        Folder searched recursively.
    pattern : str
        Path relative to ``root`` with placeholders ``{dataset}``, ``{model}`` and ``{plw}``
        (required) and ``{entry}`` (optional); each matches one path component or part of it
        (no ``/``).  ``*`` matches within a component and ``**/`` any number of folders.
        Example: ``"{dataset}/{model}/plw-{plw}/**/results*.json"``.
    constants : mapping, optional
        Values of placeholders the pattern lacks, e.g. ``{"dataset": "AlpacaData"}``.

    Returns
    -------
    pandas.DataFrame
        A checked manifest as :func:`read_manifest` returns, one row per matching file.

    Raises
    ------
    DataSchemaError
        If a placeholder is missing or no file matches.
    """
    root = Path(root)
    constants = {k: v for k, v in (constants or {}).items() if v is not None}
    missing = [n for n in _RUN if f"{{{n}}}" not in pattern and n not in constants]
    if missing:
        raise DataSchemaError(
            f"pattern {pattern!r} lacks {', '.join('{' + n + '}' for n in missing)}; add it "
            "(e.g. '{dataset}/{model}/plw-{plw}/**/results*.json') or give a fixed value"
        )
    regex = _pattern_regex(pattern)
    rows = [
        {"path": str(p), **constants, **m.groupdict()}
        for p in sorted(root.rglob("*"))
        if p.is_file() and (m := regex.fullmatch(p.relative_to(root).as_posix()))
    ]
    if not rows:
        raise DataSchemaError(f"{root}: no file matches pattern {pattern!r}; check the pattern")
    return _check_manifest(pd.DataFrame(rows), root, f"pattern {pattern!r}")


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    tokens = re.split(r"(\{\w+\}|\*\*/|\*|\?)", pattern)
    parts = []
    for token in tokens:
        name = token[1:-1] if token.startswith("{") and token.endswith("}") else None
        if name is not None and name not in _PLACEHOLDERS:
            raise DataSchemaError(
                f"pattern placeholder {token!r} is unknown; use {', '.join(_PLACEHOLDERS)}"
            )
        special = {"**/": "(?:.*/)?", "*": "[^/]*", "?": "[^/]"}
        parts.append(f"(?P<{name}>[^/]+?)" if name else special.get(token, re.escape(token)))
    return re.compile("".join(parts))


def _columns() -> str:
    return ", ".join(_MANIFEST_COLUMNS) + " (and optionally entry, ratio)"


def _check_manifest(table: pd.DataFrame, base: Path, source: str) -> pd.DataFrame:
    missing = [c for c in _MANIFEST_COLUMNS if c not in table.columns]
    if missing:
        raise DataSchemaError(
            f"{source}: missing column(s) {', '.join(missing)}; a manifest needs {_columns()}"
        )
    if table.empty:
        raise DataSchemaError(f"{source}: the manifest has no rows; add one row per file")
    table = table.assign(line=range(2, len(table) + 2))
    for column in _MANIFEST_COLUMNS:
        blank = table[column].astype(str).str.strip() == ""
        if blank.any():
            line = table.loc[blank, "line"].iloc[0]
            raise DataSchemaError(f"{source}: line {line}: column {column!r} is empty; fill it in")
    plw = pd.to_numeric(table["plw"], errors="coerce")
    bad = plw.isna() | (plw < 0) | (plw > 1)
    if bad.any():
        line, value = table.loc[bad, "line"].iloc[0], table.loc[bad, "plw"].iloc[0]
        raise DataSchemaError(
            f"{source}: line {line}: plw {value!r} is not a number in [0, 1]; write e.g. 0.1"
        )
    entry = table["entry"] if "entry" in table else pd.Series([""] * len(table))
    if "ratio" in table:
        table = table.assign(ratio=_ratio(table, source))
    return table.assign(
        path=[_resolve(base, p) for p in table["path"]],
        dataset=table["dataset"].astype(str).str.strip(),
        model=table["model"].astype(str).str.strip(),
        plw=plw.astype(float),
        entry=[str(e).strip() or None for e in entry],
    )


def _ratio(table: pd.DataFrame, source: str) -> pd.Series:
    ratio = pd.to_numeric(table["ratio"], errors="coerce")
    bad = ratio.isna() | (ratio <= 0)
    if bad.any():
        line, value = table.loc[bad, "line"].iloc[0], table.loc[bad, "ratio"].iloc[0]
        raise DataSchemaError(
            f"{source}: line {line}: ratio {value!r} is not a positive number; give the "
            "dataset's R_g (plw-stats describe DATASET.json prints it) or drop the column"
        )
    return ratio.astype(float)


def _resolve(base: Path, value: str) -> Path:
    path = Path(str(value).strip()).expanduser()
    return path if path.is_absolute() else base / path


def collect(
    manifest: str | Path | pd.DataFrame,
    *,
    tasks: Iterable[str] | None = None,
    metrics: Mapping[str, str] | None = None,
    task_types: Mapping[str, str] | None = None,
    base: str | Path | None = None,
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
        Benchmark → metric overrides of the paper's defaults.
    task_types : mapping, optional
        Benchmark → ``MC``/``GS``/``GL`` for benchmarks plw-stats does not know.
    base : str or Path, optional
        Folder that ``source`` paths are shown relative to; defaults to the manifest's folder
        (absolute paths when ``manifest`` is a table).

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
    if isinstance(manifest, pd.DataFrame):
        name = "manifest"
        checked = "line" in manifest.columns
        table = manifest if checked else _check_manifest(manifest, Path(base or "."), name)
    else:
        table, name = read_manifest(manifest), str(manifest)
        base = Path(manifest).parent if base is None else base
    base = None if base is None else Path(base)
    wanted = None if tasks is None else [t.strip() for t in tasks if t.strip()]
    frames, provenance = [], []
    for _, rows in table.groupby(list(_RUN), sort=False):
        run_frames = [f for row in rows.itertuples() for f in _read_row(row, wanted, metrics, base)]
        _check_run_has_rows(rows, run_frames, wanted, name)
        frames.extend(run_frames)
        provenance.extend(_provenance(f) for f in run_frames)
    scores = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    _check_duplicates(scores, name)
    _check_requested(scores, wanted, metrics, name)
    _check_complete(scores, name)
    scores, notes = _add_task_types(scores, task_types)
    validate_scores(scores, source=name)
    return Collection(_order(scores), pd.DataFrame(provenance), notes)


def _read_row(row, wanted, metrics, base: Path | None) -> list[pd.DataFrame]:
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
            read_results_file(f, entry=row.entry, metrics=metrics, tasks=wanted),
            row,
            _shown(f, base),
        )
        for f in files
    ]


def _with_run(frame: pd.DataFrame, row, source: str) -> pd.DataFrame:
    extra = {"ratio": row.ratio} if hasattr(row, "ratio") else {}
    frame = frame.assign(dataset=row.dataset, model=row.model, plw=row.plw, source=source, **extra)
    frame.attrs = {"source": source, "run": (row.dataset, row.model, row.plw)}
    return frame


def _shown(path: Path, base: Path | None) -> str:
    if base is not None and path.resolve().is_relative_to(base.resolve()):
        return path.resolve().relative_to(base.resolve()).as_posix()
    return str(path)


def _run_name(row) -> str:
    return f"(dataset={row['dataset']}, model={row['model']}, plw={row['plw']:g})"


def _check_run_has_rows(rows: pd.DataFrame, frames: list[pd.DataFrame], wanted, name) -> None:
    if sum(len(f) for f in frames) == 0:
        which = f" for the tasks {', '.join(wanted)}" if wanted else ""
        lines = ", ".join(str(v) for v in rows["line"])
        raise DataSchemaError(
            f"{name}: run {_run_name(rows.iloc[0])} has no results{which} (manifest line(s) "
            f"{lines}); add its results files or remove the run"
        )


def _provenance(frame: pd.DataFrame) -> dict[str, object]:
    return {
        "source": frame.attrs["source"],
        "layout": ",".join(frame["layout"].unique()),
        "dataset": frame.attrs["run"][0],
        "model": frame.attrs["run"][1],
        "plw": frame.attrs["run"][2],
        "benchmarks": ",".join(frame["benchmark"]),
        "n_rows": len(frame),
    }


def _check_duplicates(scores: pd.DataFrame, name: str) -> None:
    key = [*_RUN, "benchmark"]
    twice = scores[scores.duplicated(subset=key, keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        same = twice[(twice[key] == first[key]).all(axis=1)]
        raise DataSchemaError(
            f"{name}: run {_run_name(first)} gets benchmark {first['benchmark']!r} from more "
            f"than one file ({' and '.join(same['source'])}); keep one file per run and "
            "benchmark (e.g. delete the older lm-eval results)"
        )


def _check_requested(scores: pd.DataFrame, wanted, metrics, name: str) -> None:
    found = set(scores["benchmark"])
    for what, names in (("task", wanted or []), ("metric override for", list(metrics or {}))):
        absent = [t for t in names if t not in found]
        if absent:
            raise DataSchemaError(
                f"{name}: {what} {', '.join(map(repr, absent))} matches no benchmark in the files; "
                f"found {_listed(sorted(found))}"
            )


def _check_complete(scores: pd.DataFrame, name: str) -> None:
    everything = set(scores["benchmark"])
    for _, run in scores.groupby(list(_RUN), sort=True):
        missing = sorted(everything - set(run["benchmark"]))
        if missing:
            raise DataSchemaError(
                f"{name}: run {_run_name(run.iloc[0])} has no {_listed(missing)} that other runs "
                "have; add the missing results or leave the benchmark out with --tasks"
            )


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return ", ".join(names[:_MAX_LISTED]) + more


def _add_task_types(scores: pd.DataFrame, task_types) -> tuple[pd.DataFrame, tuple[str, ...]]:
    given = {k: str(v).strip().upper() for k, v in (task_types or {}).items()}
    bad = {k: v for k, v in given.items() if v not in TASK_TYPES}
    if bad:
        first = next(iter(bad))
        raise DataSchemaError(
            f"task type {bad[first]!r} for {first!r} is unknown; use one of {', '.join(TASK_TYPES)}"
        )
    types = pd.Series(
        [given.get(b) or t for b, t in zip(scores["benchmark"], scores["task_type"], strict=True)],
        index=scores.index,
        dtype=object,
    )
    unknown = sorted(scores.loc[types.isna(), "benchmark"].unique())
    if unknown:
        note = (
            f"task_type column left out: no type known for {_listed(unknown)}; give one with "
            f"--task-type {unknown[0]}=MC (or GS, GL)"
        )
        return scores.drop(columns="task_type"), (note,)
    return scores.assign(task_type=types), ()


def _order(scores: pd.DataFrame) -> pd.DataFrame:
    first = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in scores.columns]
    rest = [c for c in scores.columns if c not in first]
    ordered = scores[first + rest].sort_values([*_RUN, "benchmark"])
    return ordered.reset_index(drop=True)
