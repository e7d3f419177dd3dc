"""Table-1 length statistics of an instruction dataset and its generation ratio R_g.

The *prompt* of a record is its instruction plus its input and the *completion* is its output,
so the generation ratio is ``R_g = mean(completion tokens) / mean(prompt tokens)`` -- a ratio
of means, as in the paper's Table 1 (14.62 / (16.93 + 162.34) = 0.0816 for AlpacaDataShort).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from plw_stats.describe.tokens import get_counter
from plw_stats.errors import DataSchemaError
from plw_stats.io.instructions import FIELDS, read_instructions
from plw_stats.transforms import length_ratio


@dataclass(frozen=True)
class InstructionStats:
    """Length statistics of one instruction dataset (one row of the paper's Table 1).

    Token means and standard deviations are per record; standard deviations use ``ddof=1``
    (NaN for a single record).  ``prompt_*`` counts instruction plus input tokens, counted
    separately and added.  ``total_tokens`` sums instruction, input and output tokens over
    all records.  ``ratio`` is R_g (ratio of means).  ``tokenizer`` names the token counter.
    """

    name: str
    n_items: int
    instruction_mean: float
    instruction_std: float
    input_mean: float
    input_std: float
    completion_mean: float
    completion_std: float
    prompt_mean: float
    prompt_std: float
    total_tokens: int
    ratio: float
    tokenizer: str

    def to_dict(self) -> dict[str, object]:
        """Return the statistics as a plain dict (numbers stay numbers)."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame indexed by the dataset name."""
        return pd.DataFrame([self.to_dict()]).set_index("name")


def describe_instructions(path: str | Path, *, tokenizer: str | None = None) -> InstructionStats:
    """Compute Table-1 length statistics and R_g for an instruction dataset.

    Parameters
    ----------
    path : str or Path
        Alpaca-format JSON or JSONL file.
    tokenizer : str, optional
        Path of a ``tokenizer.json`` (needs the optional ``tokenizers`` package); ``None``
        uses the default ``regex-words`` counter (see :mod:`plw_stats.describe.tokens`).

    Returns
    -------
    InstructionStats
        Frozen statistics; ``name`` is the file name without its suffix.

    Raises
    ------
    DataSchemaError
        On a malformed file, or if every prompt is empty (R_g undefined).

    Examples
    --------
    >>> stats = describe_instructions("alpaca_data.json")  # doctest: +SKIP
    >>> round(stats.ratio, 2)  # doctest: +SKIP
    3.27
    """
    frame = read_instructions(path)
    counter = get_counter(tokenizer)
    counts = {f: counter.count(frame[f].tolist()) for f in FIELDS}
    prompt = counts["instruction"] + counts["input"]
    try:
        ratio = length_ratio(counts["output"], prompt)
    except DataSchemaError as err:
        raise DataSchemaError(f"{path}: {err}; check that instructions are not empty") from err
    return InstructionStats(
        name=Path(path).name.split(".")[0],
        n_items=int(frame.shape[0]),
        instruction_mean=_mean(counts["instruction"]),
        instruction_std=_std(counts["instruction"]),
        input_mean=_mean(counts["input"]),
        input_std=_std(counts["input"]),
        completion_mean=_mean(counts["output"]),
        completion_std=_std(counts["output"]),
        prompt_mean=_mean(prompt),
        prompt_std=_std(prompt),
        total_tokens=int(sum(int(c.sum()) for c in counts.values())),
        ratio=ratio,
        tokenizer=counter.name,
    )


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values))


def _std(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else float("nan")
