"""Generation lengths and the paper's memorisation BLEU, from a generations file.

Generations are read by :mod:`plw_stats.io.generations`.  Lengths are counted in tokens as in
:mod:`plw_stats.describe.tokens` (the default needs no download).

**Memorisation** (paper Section 5.3.3): corpus BLEU of the generations for training prompts
against the training completions, with sacreBLEU's default BLEU (13a tokenisation, exponential
smoothing, one reference); the paper reports it for 10,000 sampled prompts.  Each generation's
reference is its ``reference`` field when every record has one; otherwise the training file is
searched for the prompt, which may be written as the instruction alone (empty input), the
instruction and input joined by one or two newlines, or the full Alpaca prompt template.  The
first training record wins when a prompt occurs more than once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sacrebleu.metrics import BLEU

from plw_stats.describe.tokens import get_counter
from plw_stats.errors import DataSchemaError
from plw_stats.io.generations import read_generations
from plw_stats.io.instructions import read_instructions

_TEMPLATE_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further "
    "context. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
)
_TEMPLATE = (
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:"
)


@dataclass(frozen=True)
class GenerationLengths:
    """Token lengths of the generations of one run."""

    n: int
    mean: float
    median: float
    tokenizer: str

    def to_dict(self) -> dict[str, object]:
        """Return the statistics as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class MemorisationBLEU:
    """Corpus BLEU of sampled generations against their training completions.

    ``bleu`` is on sacreBLEU's 0-100 scale; ``signature`` is sacreBLEU's metric signature;
    ``n_sampled`` prompts were drawn (without replacement, with ``seed``) out of ``n_available``.
    """

    bleu: float
    signature: str
    n_sampled: int
    n_available: int
    seed: int

    def to_dict(self) -> dict[str, object]:
        """Return the result as a plain dict."""
        return asdict(self)


def generation_lengths(path: str | Path, *, tokenizer: str | None = None) -> GenerationLengths:
    """Return the mean and median generation length in tokens.

    Parameters
    ----------
    path : str or Path
        Generations file.
    tokenizer : str, optional
        ``tokenizer.json`` path; default: the built-in ``regex-words`` counter.
    """
    frame = read_generations(path)
    counter = get_counter(tokenizer)
    counts = counter.count(frame["generation"].tolist())
    return GenerationLengths(
        n=int(counts.size),
        mean=float(np.mean(counts)),
        median=float(np.median(counts)),
        tokenizer=counter.name,
    )


def memorisation_bleu(
    generations: str | Path,
    training: str | Path | None = None,
    *,
    n: int = 10_000,
    seed: int = 0,
) -> MemorisationBLEU:
    """Corpus BLEU of generations for training prompts against the training completions.

    Parameters
    ----------
    generations : str or Path
        Generations file of one run.
    training : str or Path, optional
        Alpaca-format training data; needed unless every generation has a ``reference``.
    n : int
        Number of prompts to sample (all of them if fewer are available).
    seed : int
        Seed of the sample (``numpy.random.default_rng``).

    Returns
    -------
    MemorisationBLEU
        BLEU (0-100), sacreBLEU signature, sample size and seed.

    Raises
    ------
    DataSchemaError
        If ``n < 1``, a reference is missing and no training file is given, or a prompt is not
        found in the training data.
    """
    if n < 1:
        raise DataSchemaError(f"n must be at least 1, got {n}")
    frame = read_generations(generations)
    references = _references(generations, frame, training)
    rng = np.random.default_rng(seed)
    size = min(n, len(frame))
    chosen = np.sort(rng.choice(len(frame), size=size, replace=False))
    metric = BLEU(tokenize="13a")
    hypotheses = frame["generation"].iloc[chosen].tolist()
    score = metric.corpus_score(hypotheses, [[references[i] for i in chosen]])
    return MemorisationBLEU(
        bleu=float(score.score),
        signature=str(metric.get_signature()),
        n_sampled=int(size),
        n_available=len(frame),
        seed=seed,
    )


def _references(path: str | Path, frame: pd.DataFrame, training: str | Path | None) -> list[str]:
    if frame["reference"].notna().all():
        return frame["reference"].tolist()
    if training is None:
        raise DataSchemaError(
            f"{path}: some generations have no 'reference'; give the training data file so "
            "their completions can be looked up"
        )
    lookup = _completion_lookup(training)
    references = []
    for index, (prompt, reference) in enumerate(
        zip(frame["prompt"], frame["reference"], strict=True)
    ):
        found = reference if reference is not None else lookup.get(prompt.strip())
        if found is None:
            raise DataSchemaError(
                f"{path}: record {index} prompt {prompt[:60]!r} is not in {training}; generate "
                "from training prompts or add a 'reference'"
            )
        references.append(found)
    return references


def _completion_lookup(training: str | Path) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for item in read_instructions(training).itertuples(index=False):
        for key in _prompt_forms(item.instruction, item.input):
            lookup.setdefault(key.strip(), item.output)
    return lookup


def _prompt_forms(instruction: str, given: str) -> list[str]:
    if not given.strip():
        return [instruction, _TEMPLATE.format(instruction=instruction)]
    return [
        f"{instruction}\n{given}",
        f"{instruction}\n\n{given}",
        _TEMPLATE_INPUT.format(instruction=instruction, input=given),
    ]
