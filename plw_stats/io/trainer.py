"""Hugging Face Trainer logs (``trainer_state.json``): the per-step training-loss table.

``log_history`` mixes three kinds of entries, told apart by their keys: training logs
(``loss``, ``learning_rate``, ``grad_norm``, ``epoch``, ``step``), evaluation logs
(``eval_loss``, ...) and the final summary (``train_loss``, ``train_runtime``, ...).  Only the
training logs go into the per-step loss table.

The paper's training-loss RSD computed from these tables is in :mod:`plw_stats.describe.rsd`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import as_number, read_json

#: Columns of the per-step loss table.
LOSS_COLUMNS = ("step", "epoch", "loss", "learning_rate", "grad_norm")

_CHECKPOINT = re.compile(r"checkpoint-(\d+)")


def find_trainer_state(path: str | Path) -> Path:
    """Return the ``trainer_state.json`` of a run.

    Parameters
    ----------
    path : str or Path
        The file itself, or a run folder holding ``trainer_state.json`` or, failing that,
        ``checkpoint-N/trainer_state.json`` folders (the highest N is used).

    Raises
    ------
    DataSchemaError
        If no such file exists.
    """
    path = Path(path)
    if path.is_file():
        return path
    if (path / "trainer_state.json").is_file():
        return path / "trainer_state.json"
    checkpoints = [
        (int(m.group(1)), p)
        for p in path.glob("checkpoint-*/trainer_state.json")
        if (m := _CHECKPOINT.fullmatch(p.parent.name))
    ]
    if not checkpoints:
        raise DataSchemaError(
            f"{path}: no trainer_state.json here or in a checkpoint-N folder; give the file's path"
        )
    return max(checkpoints)[1]


def read_trainer_state(path: str | Path) -> pd.DataFrame:
    """Read the training-loss log of one run.

    Parameters
    ----------
    path : str or Path
        A ``trainer_state.json`` or a run folder (see :func:`find_trainer_state`).

    Returns
    -------
    pandas.DataFrame
        One row per logged training step, sorted by step, with :data:`LOSS_COLUMNS`
        (``learning_rate``/``grad_norm`` NaN when not logged).

    Raises
    ------
    DataSchemaError
        On malformed JSON, no ``log_history``, no training-loss entries, an entry without
        ``step`` or with a non-numeric value, or a step logged twice.
    """
    path = find_trainer_state(path)
    data = read_json(path)
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise DataSchemaError(
            f"{path}: unknown layout, no 'log_history' list; give the trainer_state.json that "
            "transformers' Trainer saves"
        )
    rows = [_loss_row(path, i, e) for i, e in enumerate(history) if _is_train_log(e)]
    if not rows:
        raise DataSchemaError(
            f"{path}: log_history has no training-loss entries; was logging disabled?"
        )
    frame = pd.DataFrame(rows, columns=list(LOSS_COLUMNS)).sort_values("step")
    repeated = frame["step"][frame["step"].duplicated()]
    if not repeated.empty:
        raise DataSchemaError(
            f"{path}: step {repeated.iloc[0]:g} has two training-loss entries; keep one log"
        )
    return frame.reset_index(drop=True)


def _is_train_log(entry: Any) -> bool:
    return isinstance(entry, dict) and "loss" in entry


def _loss_row(path: Path, index: int, entry: dict) -> dict[str, float]:
    where = f"{path}: log_history[{index}]"
    if "step" not in entry:
        raise DataSchemaError(f"{where} has a loss but no step; is the file truncated?")
    return {c: as_number(entry.get(c), where=f"{where} {c}") for c in LOSS_COLUMNS}
