r"""Token counting for length statistics, with an optional real tokenizer.

Two counters exist:

* **The default, ``regex-words``**, needs nothing beyond the standard library and no download:
  a token is a run of word characters (``\w+``, Unicode aware) or a single other non-space
  character (punctuation, symbols).  ``"Hello, world!"`` has 4 tokens.  It does not split words into
  sub-word pieces the way an LLM tokenizer does, so absolute lengths are not comparable with
  the paper's Table 1 (which used the LLaMA tokenizer); compare like with like.
* **A Hugging Face tokenizer file** (``tokenizer.json``, or a folder holding one, as written
  by ``save_pretrained``), read with the optional ``tokenizers`` package
  (``pip install tokenizers``).  Special tokens (BOS/EOS) are not counted.  Nothing is ever
  downloaded: the file must be on disk.

Every statistic built on these counters reports the counter's ``name``.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from plw_stats.errors import DataSchemaError

#: Name under which the default counter is reported.
DEFAULT_TOKENIZER: str = "regex-words"

_WORD_OR_SYMBOL = re.compile(r"\w+|[^\w\s]")


class TokenCounter(Protocol):
    """Anything with a ``name`` and a ``count(texts)`` returning one count per text."""

    name: str

    def count(self, texts: Sequence[str]) -> np.ndarray:
        """Return the number of tokens of each text as an integer array."""
        ...


@dataclass(frozen=True)
class RegexCounter:
    """The default counter: words and single punctuation marks (see the module docstring)."""

    name: str = DEFAULT_TOKENIZER

    def count(self, texts: Sequence[str]) -> np.ndarray:
        """Return the number of regex tokens of each text."""
        return np.array([len(_WORD_OR_SYMBOL.findall(t)) for t in texts], dtype=np.int64)


@dataclass(frozen=True)
class HFTokenizerCounter:
    """Counts tokens with a ``tokenizers.Tokenizer`` loaded from a local file."""

    name: str
    tokenizer: object

    def count(self, texts: Sequence[str]) -> np.ndarray:
        """Return the number of tokens of each text, special tokens excluded."""
        if not texts:
            return np.zeros(0, dtype=np.int64)
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return np.array([len(e.ids) for e in encodings], dtype=np.int64)


def get_counter(tokenizer: str | Path | None = None) -> TokenCounter:
    """Return the token counter for a user's choice.

    Parameters
    ----------
    tokenizer : str, Path or None
        ``None`` (or ``"regex-words"``) for the default counter; otherwise the path of a
        ``tokenizer.json`` file or of a folder that contains one.

    Returns
    -------
    TokenCounter
        An object with ``name`` and ``count(texts)``.

    Raises
    ------
    DataSchemaError
        If the file does not exist or cannot be read, or the ``tokenizers`` package is not
        installed (the message says to install it or to drop the option).
    """
    if tokenizer is None or str(tokenizer) == DEFAULT_TOKENIZER:
        return RegexCounter()
    path = _tokenizer_file(Path(tokenizer))
    if importlib.util.find_spec("tokenizers") is None:
        raise DataSchemaError(
            f"tokenizer {path}: reading it needs the optional package 'tokenizers'; run "
            f"'pip install tokenizers' or leave the tokenizer out to use the default "
            f"{DEFAULT_TOKENIZER!r} counter"
        )
    from tokenizers import Tokenizer

    try:
        loaded = Tokenizer.from_file(str(path))
    except Exception as err:  # the Rust bindings raise plain Exception subclasses
        raise DataSchemaError(
            f"tokenizer {path}: cannot be loaded ({str(err).splitlines()[0]}); give a "
            "tokenizer.json written by the 'tokenizers' or 'transformers' library"
        ) from err
    return HFTokenizerCounter(name=f"tokenizers:{path}", tokenizer=loaded)


def _tokenizer_file(path: Path) -> Path:
    candidate = path / "tokenizer.json" if path.is_dir() else path
    if not candidate.is_file():
        raise DataSchemaError(
            f"tokenizer {path}: no such file (expected a tokenizer.json or a folder holding "
            f"one); leave the tokenizer out to use the default {DEFAULT_TOKENIZER!r} counter"
        )
    return candidate
