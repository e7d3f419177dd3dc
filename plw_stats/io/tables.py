"""Read and validate the tidy score table (CSV or Parquet, long or wide).

The long layout has one row per (dataset, model, plw, benchmark) with its ``score``; the wide
layout has the identifying columns plus one numeric column per benchmark.  Both come out as the
same validated long table.

Two optional columns refine what one run is: ``clw`` (the completion loss weight, a number in
[0, 1]; absent means 1 and the column is then not added) and ``seed`` (any label, kept as text).
Rows are unique per (dataset, model, plw, [clw,] benchmark[, seed]): several seeds of the same
run are accepted, the same seed twice is not.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from plw_stats.config import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TASK_TYPES
from plw_stats.errors import DataSchemaError

_ID_COLUMNS = ("dataset", "model", "plw")
_RUN_LEVEL_COLUMNS = ("ratio",)
_MAX_LISTED = 5


def read_scores(path: str | Path) -> pd.DataFrame:
    """Read a score table from CSV or Parquet and validate it.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (or ``.csv.gz``) or ``.parquet`` file, long or wide layout.

    Returns
    -------
    pandas.DataFrame
        The long table with columns ``dataset, model, plw, benchmark, score`` and whichever
        of ``task_type, ratio, metric, stderr, source`` the file had.

    Raises
    ------
    DataSchemaError
        If the file is missing, empty, unreadable or fails any check of :func:`validate_scores`.
    """
    path = Path(path)
    frame = _read_frame(path)
    return validate_scores(frame, source=str(path))


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataSchemaError(f"{path}: no such file; give the path of a CSV or Parquet table")
    if path.stat().st_size == 0:
        raise DataSchemaError(f"{path}: the file is empty; it needs a header row and score rows")
    suffixes = "".join(path.suffixes).lower()
    try:
        if suffixes.endswith(".parquet") or suffixes.endswith(".pq"):
            return pd.read_parquet(path)
        if ".csv" in suffixes or ".tsv" in suffixes or ".txt" in suffixes:
            # Only blank cells are missing: "NA" or "n/a" in a score column is reported as text.
            return pd.read_csv(
                path,
                sep=None,
                engine="python",
                keep_default_na=False,
                na_values=[""],
                dtype={"seed": str},
            )
    except (ValueError, OSError, pd.errors.ParserError) as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataSchemaError(f"{path}: cannot be read as a table ({first_line})") from err
    raise DataSchemaError(
        f"{path}: unknown file type {suffixes or '(none)'!r}; use .csv or .parquet"
    )


def validate_scores(frame: pd.DataFrame, *, source: str = "score table") -> pd.DataFrame:
    """Check a score table and return a clean long copy of it.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long or wide score table; it is not modified.
    source : str
        Name used in error messages, usually the file path.

    Returns
    -------
    pandas.DataFrame
        Long table sorted by dataset, model, plw, clw, benchmark and seed (where present), with
        string identifiers, float ``plw``, ``score`` and ``clw``, and ``seed`` as text (blank
        cells become missing).

    Raises
    ------
    DataSchemaError
        On an empty table, missing columns, non-numeric or missing values, PLW or CLW outside
        [0, 1], duplicated (dataset, model, plw, [clw,] benchmark[, seed]) rows, unknown task
        types or a ratio that differs within a dataset.
    """
    if frame.shape[0] == 0:
        raise DataSchemaError(f"{source}: the table has no rows; add one row per score")
    frame = frame.rename(columns=lambda c: str(c).strip())
    frame = _to_long(frame, source)
    _check_identifiers(frame, source)
    frame = frame.assign(
        dataset=frame["dataset"].astype(str).str.strip(),
        model=frame["model"].astype(str).str.strip(),
        benchmark=frame["benchmark"].astype(str).str.strip(),
        plw=_numeric_column(frame, "plw", source),
        score=_numeric_column(frame, "score", source),
    )
    frame = _run_columns(frame, source)
    _check_duplicates(frame, source)
    frame = _check_optional(frame, source)
    keep = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in frame.columns)]
    return frame[keep].sort_values(key_columns(frame)).reset_index(drop=True)


def key_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns that identify one score: dataset, model, plw, [clw,] benchmark[, seed].

    Parameters
    ----------
    frame : pandas.DataFrame
        A score table (only its column names are looked at).

    Returns
    -------
    list of str
        ``clw`` and ``seed`` are included only when the table has them.
    """
    optional = {c: c in frame.columns for c in ("clw", "seed")}
    return [
        *_ID_COLUMNS,
        *(["clw"] if optional["clw"] else []),
        "benchmark",
        *(["seed"] if optional["seed"] else []),
    ]


def _to_long(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = set(frame.columns)
    if {"benchmark", "score"} <= columns:
        _require(frame, REQUIRED_COLUMNS, source)
        return frame.assign(_line=_line_numbers(frame))
    if not ({"benchmark", "score"} & columns):
        _require(frame, _ID_COLUMNS, source)
        benchmarks = [c for c in frame.columns if c not in (*_ID_COLUMNS, *OPTIONAL_COLUMNS)]
        if benchmarks:
            ids = [c for c in frame.columns if c not in benchmarks]
            wide = frame.assign(_line=_line_numbers(frame))
            return wide.melt(
                id_vars=[*ids, "_line"],
                value_vars=benchmarks,
                var_name="benchmark",
                value_name="score",
            )
    _require(frame, REQUIRED_COLUMNS, source)
    return frame  # pragma: no cover - _require raised


def _line_numbers(frame: pd.DataFrame) -> np.ndarray:
    """File line of each row, counting the header as line 1."""
    return np.arange(2, frame.shape[0] + 2)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1, cutoff=0.6)
        hints.append(f"{name!r} (found {close[0]!r}: rename it?)" if close else repr(name))
    raise DataSchemaError(
        f"{source}: missing column(s) {', '.join(hints)}; a score table needs the columns "
        f"{', '.join(REQUIRED_COLUMNS)} (long layout) or dataset, model, plw plus one column per "
        f"benchmark (wide layout); found {', '.join(map(str, frame.columns))}"
    )


def _where(frame: pd.DataFrame, mask: pd.Series) -> str:
    lines = frame.loc[mask, "_line"].drop_duplicates().tolist() if "_line" in frame else []
    shown = ", ".join(str(v) for v in lines[:_MAX_LISTED])
    more = f" and {len(lines) - _MAX_LISTED} more" if len(lines) > _MAX_LISTED else ""
    return f"line(s) {shown}{more}"


def _check_identifiers(frame: pd.DataFrame, source: str) -> None:
    for column in ("dataset", "model", "benchmark"):
        values = frame[column]
        blank = values.isna() | (values.astype(str).str.strip() == "")
        if blank.any():
            raise DataSchemaError(
                f"{source}: column {column!r} is empty at {_where(frame, blank)}; "
                f"fill in the {column} name or delete those rows"
            )


def _numeric_column(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    values = frame[column]
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = numbers.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise DataSchemaError(
            f"{source}: column {column!r} has non-numeric value {example!r} at "
            f"{_where(frame, bad)}; write plain numbers such as 0.42"
        )
    missing = ~np.isfinite(numbers)
    if missing.any():
        what = "missing (NaN)" if numbers[missing].isna().any() else "infinite"
        raise DataSchemaError(
            f"{source}: column {column!r} is {what} at {_where(frame, missing)}; "
            f"fill in a finite number or delete those rows"
        )
    return numbers


_WEIGHTS = {
    "plw": "the prompt loss weight must lie in [0, 1] (0 = prompt masked, 1 = full-sequence loss)",
    "clw": "the completion loss weight must lie in [0, 1] (1 = full completion loss, the default)",
}


def _run_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check the loss weights and normalise ``clw`` and ``seed`` where present."""
    if "clw" in frame.columns:
        frame = frame.assign(clw=_numeric_column(frame, "clw", source))
    for column in ("plw", "clw"):
        if column in frame.columns:
            _check_weight_range(frame, column, source)
    if "seed" in frame.columns:
        frame = frame.assign(seed=seed_labels(frame["seed"]))
    return frame


def seed_labels(values: pd.Series) -> pd.Series:
    """Turn seed values into text labels: ``3``, ``3.0`` and ``"3"`` all become ``"3"``.

    Blank and missing values become ``None`` (no seed).
    """
    return pd.Series([_seed_label(v) for v in values], index=values.index, dtype=object)


def _seed_label(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    label = str(value).strip()
    return label or None


def _check_weight_range(frame: pd.DataFrame, column: str, source: str) -> None:
    outside = (frame[column] < 0) | (frame[column] > 1)
    if outside.any():
        value = frame.loc[outside, column].iloc[0]
        raise DataSchemaError(
            f"{source}: column {column!r} has {value:g} at {_where(frame, outside)}; "
            f"{_WEIGHTS[column]}"
        )


def _check_duplicates(frame: pd.DataFrame, source: str) -> None:
    key = key_columns(frame)
    duplicated = frame.duplicated(subset=key, keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, key].iloc[0].to_dict()
        described = ", ".join(f"{k}={v}" for k, v in first.items())
        one_per = ", ".join(c for c in key if c != "benchmark")
        hint = "" if "seed" in key else " (average repeated seeds first, or add a seed column)"
        raise DataSchemaError(
            f"{source}: more than one score for ({described}) at {_where(frame, duplicated)}; "
            f"keep one row per {one_per} and benchmark{hint}"
        )


def _check_optional(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    if "task_type" in frame.columns:
        types = frame["task_type"].astype(str).str.strip().str.upper()
        unknown = ~types.isin(TASK_TYPES)
        if unknown.any():
            value = frame.loc[unknown, "task_type"].iloc[0]
            raise DataSchemaError(
                f"{source}: column 'task_type' has {value!r} at {_where(frame, unknown)}; "
                f"use one of {', '.join(TASK_TYPES)} (multiple choice, short or long generation)"
            )
        frame = frame.assign(task_type=types)
    if "ratio" in frame.columns:
        frame = frame.assign(ratio=_numeric_column(frame, "ratio", source))
        _check_run_level(frame, "ratio", source)
        if (frame["ratio"] <= 0).any():
            raise DataSchemaError(
                f"{source}: column 'ratio' must be positive (completion/prompt length ratio) "
                f"but is {frame['ratio'].min():g} at {_where(frame, frame['ratio'] <= 0)}"
            )
    for column in ("stderr",):
        if column in frame.columns:
            frame = frame.assign(**{column: pd.to_numeric(frame[column], errors="coerce")})
    return frame


def _check_run_level(frame: pd.DataFrame, column: str, source: str) -> None:
    spread = frame.groupby("dataset")[column].nunique()
    varying = spread[spread > 1]
    if not varying.empty:
        name = varying.index[0]
        values = sorted(frame.loc[frame["dataset"] == name, column].unique())
        raise DataSchemaError(
            f"{source}: column {column!r} takes several values {values[:_MAX_LISTED]} within "
            f"dataset {name!r}; it describes the fine-tuning dataset, so give it one value"
        )
