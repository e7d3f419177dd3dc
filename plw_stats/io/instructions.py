"""Alpaca-format instruction datasets: JSON arrays or JSON Lines of instruction records.

An Alpaca-format file is a JSON array (or JSON Lines) of records
``{"instruction": str, "input": str, "output": str}``; ``input`` may be empty or absent.  Their
length statistics and R_g are in :mod:`plw_stats.describe.instructions`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import read_json_records

#: Fields of an instruction record.
FIELDS = ("instruction", "input", "output")


def read_instructions(path: str | Path) -> pd.DataFrame:
    """Read an Alpaca-format JSON or JSONL file.

    Parameters
    ----------
    path : str or Path
        A JSON array or JSON Lines file of ``{instruction, input, output}`` records.

    Returns
    -------
    pandas.DataFrame
        Columns ``instruction, input, output`` (strings; a missing or null ``input`` is "").

    Raises
    ------
    DataSchemaError
        If the file is malformed, holds no records, or a record lacks ``instruction`` or
        ``output`` or has a non-string field.
    """
    records = read_json_records(path)
    if not isinstance(records, list) or not records:
        raise DataSchemaError(
            f"{path}: expected a non-empty JSON array (or JSON Lines) of "
            "{instruction, input, output} records"
        )
    rows = [_record(path, index, record) for index, record in enumerate(records)]
    return pd.DataFrame(rows, columns=list(FIELDS))


def _record(path: str | Path, index: int, record: object) -> tuple[str, str, str]:
    if not isinstance(record, dict):
        raise DataSchemaError(
            f"{path}: record {index} is {type(record).__name__}, not an object with "
            "instruction, input and output"
        )
    missing = [f for f in ("instruction", "output") if f not in record]
    if missing:
        raise DataSchemaError(
            f"{path}: record {index} has no {' or '.join(missing)!s} field; Alpaca format "
            f"needs instruction, input and output (found {', '.join(map(str, record))})"
        )
    values = tuple("" if record.get(f) is None else record.get(f) for f in FIELDS)
    for field, value in zip(FIELDS, values, strict=True):
        if not isinstance(value, str):
            raise DataSchemaError(f"{path}: record {index} field {field!r} is {value!r}, not text")
    return values
