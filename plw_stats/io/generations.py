"""Model generations files: JSON Lines (or a JSON array) of prompt/generation records.

A record is ``{"prompt", "generation"}`` with an optional ``"reference"``.  Length statistics and
the paper's memorisation BLEU are in :mod:`plw_stats.describe.generations`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import read_json_records


def read_generations(path: str | Path) -> pd.DataFrame:
    """Read a generations file.

    Returns
    -------
    pandas.DataFrame
        Columns ``prompt``, ``generation`` and ``reference`` (None where absent).

    Raises
    ------
    DataSchemaError
        On malformed JSON, no records, or a record without text ``prompt`` and ``generation``.
    """
    records = read_json_records(path)
    if not isinstance(records, list) or not records:
        raise DataSchemaError(f"{path}: no records; expected JSON Lines of {{prompt, generation}}")
    rows = [_generation(path, i, r) for i, r in enumerate(records)]
    return pd.DataFrame(rows, columns=["prompt", "generation", "reference"])


def _generation(path: str | Path, index: int, record: object) -> tuple[str, str, str | None]:
    if not isinstance(record, dict):
        raise DataSchemaError(f"{path}: record {index} is not an object with prompt, generation")
    for field in ("prompt", "generation"):
        if not isinstance(record.get(field), str):
            raise DataSchemaError(
                f"{path}: record {index} has no text {field!r} (found "
                f"{', '.join(map(str, record)) or 'nothing'}); each line needs both fields"
            )
    reference = record.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise DataSchemaError(f"{path}: record {index} reference is {reference!r}, not text")
    return record["prompt"], record["generation"], reference
