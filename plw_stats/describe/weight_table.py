"""The table of weight distances per run, as ``plw-stats weight-distance -o`` writes it.

Computed by :func:`plw_stats.describe.weights.weight_distances`; read back here for figures and
the report (``--weights TABLE.csv``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from plw_stats.errors import DataSchemaError, ModelSpecError

#: Columns of a weight-distance table that can be drawn, with their axis labels.
WEIGHT_METRICS: dict[str, str] = {
    "mean_tensor_distance": r"mean per-tensor $\Vert W - W_0 \Vert_{{{p}}}$",
    "distance": r"$\Vert W - W_0 \Vert_{{{p}}}$ over all weights",
    "relative_distance": r"$\Vert W - W_0 \Vert_{{{p}}} \,/\, \Vert W_0 \Vert_{{{p}}}$",
    "max_abs_difference": r"$\max\,|W - W_0|$",
}
KEYS = ("dataset", "model", "plw")


def read_weight_table(path: str | Path) -> pd.DataFrame:
    """Read and check a weight-distance CSV (``plw-stats weight-distance -o TABLE.csv``).

    Raises
    ------
    DataSchemaError
        If the file is missing or unreadable, or fails :func:`check_weight_table`.
    """
    path = Path(path)
    if not path.is_file():
        raise DataSchemaError(
            f"{path}: no such weight-distance table; write it with "
            "`plw-stats weight-distance MANIFEST -o TABLE.csv`"
        )
    try:
        table = pd.read_csv(path)
    except (ValueError, OSError) as err:
        raise DataSchemaError(f"{path}: cannot be read as CSV ({err})") from err
    try:
        return check_weight_table(table)
    except DataSchemaError as err:
        raise DataSchemaError(f"{path}: {err}") from err


def check_weight_table(table: pd.DataFrame, metric: str = "mean_tensor_distance") -> pd.DataFrame:
    """Check a weight-distance table and return a copy with float ``plw`` and ``metric``.

    Raises
    ------
    ModelSpecError
        If ``metric`` is not a key of :data:`WEIGHT_METRICS`.
    DataSchemaError
        If a column is missing, the table is empty or ``plw``/``metric`` is not numeric.
    """
    if metric not in WEIGHT_METRICS:
        raise ModelSpecError(f"metric must be one of {', '.join(WEIGHT_METRICS)}, got {metric!r}")
    missing = [c for c in (*KEYS, metric) if c not in table.columns]
    if missing:
        raise DataSchemaError(
            f"weight-distance table: missing column(s) {', '.join(missing)}; build it with "
            "plw-stats weight-distance -o or plw_stats.describe.weights.weight_distances"
        )
    if table.empty:
        raise DataSchemaError("weight-distance table: no rows; give one row per fine-tuned run")
    numbers = {c: pd.to_numeric(table[c], errors="coerce") for c in ("plw", metric)}
    for column, values in numbers.items():
        if values.isna().any():
            raise DataSchemaError(
                f"weight-distance table: column {column!r} has missing or non-numeric values"
            )
    return table.assign(
        **numbers, dataset=table["dataset"].astype(str), model=table["model"].astype(str)
    )
