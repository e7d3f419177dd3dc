"""Prompt inversion (the paper's Appendix A): make a short-completion variant of a dataset.

An Alpaca-format item ``(instruction, input, output)`` is *inverted* into a prompt-prediction
item: the original output becomes the new input, the original instruction becomes the new
output (the completion), and the new instruction is

- ``"Predict the prompt that generated the following AI output."`` when the input is empty;
- ``"Predict the prompt that generated the below AI output given the following context.
  Context: <original input>"`` otherwise.

Which items are inverted (deterministic, order preserved):

- ``threshold`` mode (the paper's AlpacaDataShort): every item whose own completion/prompt
  token ratio exceeds the threshold (default 1, the paper's border between short- and
  long-completion data); an item with an empty prompt and a non-empty output counts as
  infinite.
- ``target_ratio`` mode (the paper's AlpacaDataMedium and AlpacaDataTiny): items are inverted in
  decreasing order of their ratio (ties by position) until the dataset's R_g (a ratio of mean
  token counts, see :mod:`plw_stats.io.instructions`) is at or below the target, or no item is
  left.

Token counts come from :func:`plw_stats.describe.tokens.get_counter`, the same counters as
``describe_instructions``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.describe.tokens import get_counter
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.io.instructions import FIELDS, read_instructions
from plw_stats.output import write_atomic

INSTRUCTION_NO_INPUT = "Predict the prompt that generated the following AI output."
INSTRUCTION_WITH_INPUT = (
    "Predict the prompt that generated the below AI output given the following context. "
    "Context: {input}"
)
DEFAULT_THRESHOLD: float = 1.0
_FIELDS = list(FIELDS)


@dataclass(frozen=True)
class InversionReport:
    """What an inversion did.

    Attributes
    ----------
    n_items, n_inverted : int
        Items in the dataset and items rewritten.
    ratio_before, ratio_after : float
        Dataset R_g (mean completion tokens / mean prompt tokens) before and after.
    mode : {"threshold", "target_ratio"}
        Selection rule used, with its ``value``.
    value : float
        The threshold or the target ratio.
    tokenizer : str
        Name of the token counter.
    """

    n_items: int
    n_inverted: int
    ratio_before: float
    ratio_after: float
    mode: str
    value: float
    tokenizer: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return asdict(self)


def invert_item(instruction: str, input_text: str, output: str) -> tuple[str, str, str]:
    """Return the prompt-inverted ``(instruction, input, output)`` of one item."""
    if input_text.strip():
        new_instruction = INSTRUCTION_WITH_INPUT.format(input=input_text)
    else:
        new_instruction = INSTRUCTION_NO_INPUT
    return new_instruction, output, instruction


def invert_instructions(
    items: pd.DataFrame,
    *,
    threshold: float | None = DEFAULT_THRESHOLD,
    target_ratio: float | None = None,
    tokenizer: str | None = None,
) -> tuple[pd.DataFrame, InversionReport]:
    """Invert the selected items of an instruction dataset.

    Parameters
    ----------
    items : pandas.DataFrame
        Columns ``instruction, input, output`` (as from
        :func:`plw_stats.io.instructions.read_instructions`); not modified.
    threshold : float, optional
        Invert every item whose completion/prompt token ratio exceeds this.
    target_ratio : float, optional
        Instead, invert the longest-completion items until R_g is at most this; when given,
        ``threshold`` is ignored.
    tokenizer : str, optional
        Tokenizer file for token counts (default: the ``regex-words`` counter).

    Returns
    -------
    tuple of (pandas.DataFrame, InversionReport)
        The new items (same order; an extra bool column ``inverted``) and the report.

    Raises
    ------
    ModelSpecError
        If the threshold or target is not a positive number.
    DataSchemaError
        If a column is missing or every prompt is empty.
    """
    missing = [c for c in _FIELDS if c not in items.columns]
    if missing:
        raise DataSchemaError(f"instruction items lack column(s) {', '.join(missing)}")
    counter = get_counter(tokenizer)
    counts = {c: np.asarray(counter.count(items[c].tolist()), dtype=float) for c in _FIELDS}
    if target_ratio is not None:
        mode, value = "target_ratio", _positive("target_ratio", target_ratio)
        chosen = _select_for_target(items, counts, counter, value)
    else:
        mode, value = "threshold", _positive("threshold", threshold)
        chosen = _item_ratios(counts) > value
    result = _apply(items, chosen)
    after = {c: np.asarray(counter.count(result[c].tolist()), dtype=float) for c in _FIELDS}
    report = InversionReport(
        n_items=int(items.shape[0]),
        n_inverted=int(chosen.sum()),
        ratio_before=_dataset_ratio(counts),
        ratio_after=_dataset_ratio(after),
        mode=mode,
        value=value,
        tokenizer=counter.name,
    )
    return result, report


def invert_file(
    path: str | Path, out: str | Path, **options: Any
) -> tuple[pd.DataFrame, InversionReport]:
    """Read an Alpaca-format file, invert it and write the result atomically.

    The output is a JSON array, or JSON Lines when ``out`` ends in ``.jsonl``; each record has
    ``instruction``, ``input`` and ``output`` only.  ``options`` go to
    :func:`invert_instructions`.
    """
    items = read_instructions(path)
    result, report = invert_instructions(items, **options)
    write_instructions(result, out)
    return result, report


def write_instructions(items: pd.DataFrame, out: str | Path) -> Path:
    """Write ``instruction, input, output`` records as JSON (or JSONL), atomically."""
    out = Path(out)
    records = items[_FIELDS].to_dict(orient="records")
    if out.suffix.lower() == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return write_atomic(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _apply(items: pd.DataFrame, chosen: np.ndarray) -> pd.DataFrame:
    rows = []
    for flag, (instruction, input_text, output) in zip(
        chosen, items[_FIELDS].itertuples(index=False), strict=True
    ):
        rows.append(
            invert_item(instruction, input_text, output)
            if flag
            else (instruction, input_text, output)
        )
    frame = pd.DataFrame(rows, columns=_FIELDS, index=items.index)
    return frame.assign(inverted=np.asarray(chosen, dtype=bool))


def _item_ratios(counts: dict[str, np.ndarray]) -> np.ndarray:
    prompt = counts["instruction"] + counts["input"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(prompt > 0, counts["output"] / np.where(prompt > 0, prompt, 1), np.inf)
    return np.where((prompt == 0) & (counts["output"] == 0), 0.0, ratios)


def _dataset_ratio(counts: dict[str, np.ndarray]) -> float:
    prompt = counts["instruction"] + counts["input"]
    if prompt.sum() <= 0:
        raise DataSchemaError("every prompt is empty, so the completion/prompt ratio is undefined")
    return float(counts["output"].sum() / prompt.sum())


def _select_for_target(items, counts, counter, target: float) -> np.ndarray:
    """Greedy choice: invert items by decreasing ratio until the dataset ratio ≤ target."""
    ratios = _item_ratios(counts)
    order = np.lexsort((np.arange(ratios.size), -ratios))
    inverted = _apply(items, np.ones(ratios.size, dtype=bool))
    new = {c: np.asarray(counter.count(inverted[c].tolist()), dtype=float) for c in _FIELDS}
    old_prompt = counts["instruction"] + counts["input"]
    new_prompt = new["instruction"] + new["input"]
    completion = counts["output"].sum() + np.cumsum((new["output"] - counts["output"])[order])
    prompt = old_prompt.sum() + np.cumsum((new_prompt - old_prompt)[order])
    chosen = np.zeros(ratios.size, dtype=bool)
    if old_prompt.sum() > 0 and counts["output"].sum() / old_prompt.sum() <= target:
        return chosen
    reached = np.flatnonzero(completion / np.maximum(prompt, 1e-12) <= target)
    n_invert = int(reached[0]) + 1 if reached.size else ratios.size
    chosen[order[:n_invert]] = True
    return chosen


def _positive(name: str, value: float | None) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise ModelSpecError(f"{name} must be a positive number, got {value!r}") from err
    if not np.isfinite(number) or number <= 0:
        raise ModelSpecError(f"{name} must be a positive number, got {value!r}")
    return number
