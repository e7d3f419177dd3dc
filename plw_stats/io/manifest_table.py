"""Run manifests: the table that says which results file belongs to which fine-tuning run.

A manifest is a CSV with the columns ``path, dataset, model, plw`` and optionally ``entry``
(which model or comparison of a multi-model file is this run: a leaderboard row, the generator
of annotations, a PandaLM comparison, the judged model of MT-Bench judgments, an OpenCompass
model column), ``ratio`` (the dataset's R_g, copied to the table), ``clw`` (the completion loss
weight in [0, 1]) and ``seed`` (any label telling repeated runs apart).  ``path`` is a results
file or a run folder, absolute or relative to the manifest's folder; a run may span several
rows, one per file.  Instead of a manifest, :func:`manifest_from_pattern` builds one from paths
such as ``"{dataset}/{model}/plw-{plw}/**/results*.json"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io.tables import seed_labels

_MANIFEST_COLUMNS = ("path", "dataset", "model", "plw")
_RUN = ("dataset", "model", "plw")
_PLACEHOLDERS = ("dataset", "model", "plw", "entry", "clw", "seed")


def run_columns(table: pd.DataFrame) -> list[str]:
    """Columns naming one run: dataset, model, plw and, where the manifest has them, clw, seed."""
    return [*_RUN, *(c for c in ("clw", "seed") if c in table.columns)]


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read and check a manifest CSV; paths are resolved against the manifest's folder.

    Returns
    -------
    pandas.DataFrame
        Columns ``path`` (absolute :class:`~pathlib.Path`), ``dataset``, ``model``, ``plw``
        (float), ``entry`` (str or None), ``line`` (line in the file) and, if given, ``ratio``
        (float), ``clw`` (float) and ``seed`` (str, None where blank).

    Raises
    ------
    DataSchemaError
        On a missing file or column, a blank cell, a PLW or CLW that is not a number in [0, 1]
        or a ratio that is not positive.
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
    return check_manifest(table.rename(columns=str.strip), path.parent, str(path))


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
        (required) and ``{entry}``, ``{clw}``, ``{seed}`` (optional); each matches one path
        component or part of it
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
    return check_manifest(pd.DataFrame(rows), root, f"pattern {pattern!r}")


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
    return ", ".join(_MANIFEST_COLUMNS) + " (and optionally entry, ratio, clw, seed)"


def check_manifest(table: pd.DataFrame, base: Path, source: str) -> pd.DataFrame:
    """Check a manifest table and return it with resolved paths and typed columns.

    Parameters
    ----------
    table : pandas.DataFrame
        Raw manifest rows (strings).
    base : Path
        Folder that relative paths start at.
    source : str
        Name used in error messages.

    Raises
    ------
    DataSchemaError
        As :func:`read_manifest`.
    """
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
    entry = table["entry"] if "entry" in table else pd.Series([""] * len(table))
    if "ratio" in table:
        table = table.assign(ratio=_ratio(table, source))
    if "clw" in table:
        table = table.assign(clw=_weight(table, "clw", source, "1 for the full completion loss"))
    if "seed" in table:
        table = table.assign(seed=seed_labels(table["seed"]).to_numpy())
    return table.assign(
        path=[_resolve(base, p) for p in table["path"]],
        dataset=table["dataset"].astype(str).str.strip(),
        model=table["model"].astype(str).str.strip(),
        plw=_weight(table, "plw", source, "e.g. 0.1"),
        entry=[str(e).strip() or None for e in entry],
    )


def _weight(table: pd.DataFrame, column: str, source: str, example: str) -> pd.Series:
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() | (values < 0) | (values > 1)
    if bad.any():
        line, value = table.loc[bad, "line"].iloc[0], table.loc[bad, column].iloc[0]
        raise DataSchemaError(
            f"{source}: line {line}: {column} {value!r} is not a number in [0, 1]; write {example}"
        )
    return values.astype(float)


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
