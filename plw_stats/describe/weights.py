"""How far fine-tuning moved the weights: Minkowski distances to the pretrained checkpoint.

The paper's mechanism check of Section 5.3.2 (its Fig. 2b) and the regulariser of its Section 6.
For a fine-tuned model W and its pretrained base W0, tensors paired by name, with
``‖x‖_p = (Σ|x|^p)^(1/p)`` over a tensor's elements (``max|x|`` for ``p = inf``):

``mean_tensor_distance``
    mean over tensors of ``‖W_t − W0_t‖_p`` (the paper's regulariser);
``distance``
    ``‖W − W0‖_p`` over all parameters, from the per-tensor sums of ``|W − W0|^p``;
``relative_distance``
    ``distance / ‖W0‖_p`` (``base_norm``);
``max_abs_difference``
    ``max |W − W0|``, the ``p = inf`` distance.

Every tensor, embeddings and norms included, counts once.  Checkpoints are streamed a block of
elements at a time (:func:`plw_stats.io.safetensors.iter_blocks`), so memory stays at a few
blocks whatever the model size.  Sums are accumulated in float64 as ``scale^p · scaled`` with
``scale = max|x|`` (:class:`PowerSum`), so no ``p`` under- or overflows.

Per-layer rows group tensors by :func:`layer_group`: the name up to its first all-digit part
(``model.layers.3.mlp.up_proj.weight`` → ``model.layers.3``, layer 3); a name without one is
grouped by itself less its last part (``model.embed_tokens.weight`` → ``model.embed_tokens``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add
from pathlib import Path

import numpy as np
import pandas as pd

from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.io.manifest import read_manifest
from plw_stats.io.safetensors import (
    BLOCK_ELEMENTS,
    Checkpoint,
    TensorInfo,
    iter_blocks,
    open_checkpoint,
    pair_tensors,
)

#: Statistics of a run (or a layer), in the order of the output tables.
STATISTICS: tuple[str, ...] = (
    "n_tensors",
    "n_params",
    "mean_tensor_distance",
    "distance",
    "base_norm",
    "relative_distance",
    "max_abs_difference",
)
_RUN = ("dataset", "model", "plw")


@dataclass(frozen=True)
class PowerSum:
    """``Σ|x|^p`` over some numbers, held as ``scale^p · scaled`` with ``scale = max|x|``.

    Attributes
    ----------
    p : float
        The exponent (``inf`` keeps only the maximum).
    scale : float
        ``max|x|`` (0 for no or only zero numbers).
    scaled : float
        ``Σ(|x| / scale)^p``, in [1, count] when ``scale > 0``.
    count : int
        How many numbers.
    """

    p: float
    scale: float = 0.0
    scaled: float = 0.0
    count: int = 0

    @classmethod
    def of(cls, values: np.ndarray, p: float, work: np.ndarray | None = None) -> PowerSum:
        """Return the power sum of a 1-D float array (``work``: optional float64 scratch)."""
        n = values.size
        scale = float(max(values.max(), -values.min())) if n else 0.0
        if scale == 0.0 or math.isinf(p) or not math.isfinite(scale):
            return cls(p, scale, float(scale > 0.0), n)
        w = np.empty(n) if work is None else work[:n]
        np.multiply(values, 1.0 / scale, out=w, dtype=np.float64)
        if p == 2.0:
            total = np.einsum("i,i->", w, w)
        else:
            np.abs(w, out=w)
            total = (w if p == 1.0 else np.power(w, p, out=w)).sum()
        return cls(p, scale, float(total), n)

    def __add__(self, other: PowerSum) -> PowerSum:
        scale = max(self.scale, other.scale)
        count = self.count + other.count
        if scale == 0.0 or math.isinf(self.p):
            return PowerSum(self.p, scale, float(scale > 0.0), count)
        parts = (s.scaled * (s.scale / scale) ** self.p for s in (self, other) if s.scale > 0.0)
        return PowerSum(self.p, scale, math.fsum(parts), count)

    @property
    def norm(self) -> float:
        """``(Σ|x|^p)^(1/p)``, or ``max|x|`` for ``p = inf``."""
        if math.isinf(self.p) or self.scale == 0.0:
            return self.scale
        return self.scale * self.scaled ** (1.0 / self.p)


@dataclass(frozen=True)
class TensorSums:
    """The power sums of one tensor pair: of the difference and of the base tensor."""

    name: str
    diff: PowerSum
    base: PowerSum


@dataclass(frozen=True)
class CheckpointDistance:
    """Distances between one fine-tuned checkpoint and its base, tensor by tensor.

    Attributes
    ----------
    p : float
        Order of the Minkowski distance.
    tensors : tuple of TensorSums
        Per-tensor power sums, in the run's file order.
    """

    p: float
    tensors: tuple[TensorSums, ...]

    def summary(self) -> dict[str, float]:
        """Return the statistics of :data:`STATISTICS` over all tensors."""
        return summarize(self.tensors)

    def layers(self) -> pd.DataFrame:
        """One row per :func:`layer_group`: ``group, layer`` and :data:`STATISTICS`."""
        groups: dict[str, list[TensorSums]] = {}
        for item in self.tensors:
            groups.setdefault(layer_group(item.name)[0], []).append(item)
        rows = [
            {"group": name, "layer": layer_group(items[0].name)[1], **summarize(items)}
            for name, items in groups.items()
        ]
        return pd.DataFrame(rows).astype({"layer": "Int64"})

    def to_frame(self) -> pd.DataFrame:
        """One row per tensor: ``tensor, group, n_params``, its distance, base norm and max diff."""
        return pd.DataFrame(
            {
                "tensor": [t.name for t in self.tensors],
                "group": [layer_group(t.name)[0] for t in self.tensors],
                "n_params": [t.diff.count for t in self.tensors],
                "distance": [t.diff.norm for t in self.tensors],
                "base_norm": [t.base.norm for t in self.tensors],
                "max_abs_difference": [t.diff.scale for t in self.tensors],
            }
        )


@dataclass(frozen=True)
class WeightDistances:
    """Distances of every run of a weight manifest.

    Attributes
    ----------
    p : float
        Order of the Minkowski distance.
    runs : pandas.DataFrame
        One row per manifest row: ``dataset, model, plw, path, base, p`` and
        :data:`STATISTICS`.
    layers : pandas.DataFrame or None
        With ``per_layer``: ``dataset, model, plw, path, base, p, group, layer`` and
        :data:`STATISTICS`.
    """

    p: float
    runs: pd.DataFrame
    layers: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: ``{"p", "runs": [...], "layers": [...] or null}`` (``p`` ∞ as ``"inf"``)."""
        return {
            "p": "inf" if math.isinf(self.p) else self.p,
            "runs": _records(self.runs.drop(columns="p")),
            "layers": None if self.layers is None else _records(self.layers.drop(columns="p")),
        }


def layer_group(name: str) -> tuple[str, int | None]:
    """Return the per-layer group of a tensor name and its layer number (None outside layers).

    Examples
    --------
    >>> layer_group("model.layers.12.self_attn.q_proj.weight")
    ('model.layers.12', 12)
    >>> layer_group("lm_head.weight")
    ('lm_head', None)
    """
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[: i + 1]), int(part)
    return ".".join(parts[:-1]) or name, None


def summarize(tensors: Sequence[TensorSums]) -> dict[str, float]:
    """Return the statistics of :data:`STATISTICS` over some tensors' power sums."""
    diff = reduce(add, (t.diff for t in tensors))
    base = reduce(add, (t.base for t in tensors))
    distance, base_norm = diff.norm, base.norm
    return {
        "n_tensors": len(tensors),
        "n_params": diff.count,
        "mean_tensor_distance": math.fsum(t.diff.norm for t in tensors) / len(tensors),
        "distance": distance,
        "base_norm": base_norm,
        "relative_distance": distance / base_norm if base_norm > 0 else math.nan,
        "max_abs_difference": diff.scale,
    }


def tensor_sums(
    run: TensorInfo, base: TensorInfo, p: float, *, block_elements: int = BLOCK_ELEMENTS
) -> TensorSums:
    """Stream one tensor pair and return the power sums of ``run − base`` and of ``base``."""
    diff = base_sum = PowerSum(p)
    size = max(1, min(block_elements, run.size))
    buffer, work = np.empty(size, dtype=np.float32), np.empty(size)
    blocks = zip(iter_blocks(run, size), iter_blocks(base, size), strict=True)
    for w, w0 in blocks:
        block_diff = PowerSum.of(np.subtract(w, w0, out=buffer[: w.size]), p, work)
        block_base = PowerSum.of(w0, p, work)
        if not math.isfinite(block_diff.scale + block_base.scale):
            raise DataSchemaError(
                f"{run.file}: tensor {run.name!r} holds NaN or infinite values here or in the "
                f"base {base.file}; such a checkpoint (a diverged run?) cannot be compared"
            )
        diff, base_sum = diff + block_diff, base_sum + block_base
    return TensorSums(run.name, diff, base_sum)


def checkpoint_distance(
    run: str | Path | Checkpoint,
    base: str | Path | Checkpoint,
    *,
    p: float = 2.0,
    block_elements: int = BLOCK_ELEMENTS,
) -> CheckpointDistance:
    """Minkowski distances between a fine-tuned checkpoint and its pretrained base.

    Parameters
    ----------
    run, base : str, Path or Checkpoint
        Checkpoint folders or files (see :func:`plw_stats.io.safetensors.open_checkpoint`);
        their shard layouts and dtypes (F32, F16, BF16) may differ.
    p : float
        Order of the distance, ≥ 1; ``math.inf`` for the largest absolute difference.
    block_elements : int
        Elements read and reduced at a time.

    Returns
    -------
    CheckpointDistance

    Raises
    ------
    DataSchemaError
        On a corrupt checkpoint, a tensor missing from one side, or a shape mismatch.
    ModelSpecError
        If ``p`` is below 1 or not a number.
    """
    p = check_p(p)
    pairs = pair_tensors(_open(run), _open(base))
    return _distance(pairs, p, block_elements)


def _distance(pairs, p: float, block_elements: int) -> CheckpointDistance:
    sums = tuple(tensor_sums(r, b, p, block_elements=block_elements) for r, b in pairs)
    return CheckpointDistance(p, sums)


def check_p(p: float) -> float:
    """Return ``p`` as a float, or raise :class:`ModelSpecError` if it is not ≥ 1."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not p >= 1.0:
        raise ModelSpecError(
            f"p must be a number ≥ 1 or inf, got {p!r} (below 1 the Minkowski distance is not a "
            "norm); use 2 for the Euclidean distance"
        )
    return float(p)


def _open(checkpoint: str | Path | Checkpoint) -> Checkpoint:
    return checkpoint if isinstance(checkpoint, Checkpoint) else open_checkpoint(checkpoint)


def read_weight_manifest(path: str | Path) -> pd.DataFrame:
    """Read a weight manifest: columns ``path, dataset, model, plw, base``.

    ``path`` is a fine-tuned checkpoint and ``base`` its pretrained checkpoint (folders or
    files), absolute or relative to the manifest's folder; the table is that of
    :func:`plw_stats.io.manifest.read_manifest` with ``base`` resolved to a Path too.

    Raises
    ------
    DataSchemaError
        On a missing or blank column, a PLW outside [0, 1], or a checkpoint that does not exist.
    """
    table = read_manifest(path)
    if "base" not in table.columns:
        raise DataSchemaError(
            f"{path}: missing column 'base'; a weight manifest needs path, dataset, model, plw, "
            "base (base = the pretrained checkpoint the run was fine-tuned from)"
        )
    folder = Path(path).parent
    bases = [Path(str(b).strip()).expanduser() if str(b).strip() else None for b in table["base"]]
    table = table.assign(base=[b if b is None or b.is_absolute() else folder / b for b in bases])
    for row in table.itertuples():
        for column in ("path", "base"):
            value = getattr(row, column)
            if value is None or not value.exists():
                raise DataSchemaError(
                    f"{path}: line {row.line}: checkpoint {value or '(empty)'} in column "
                    f"{column!r} does not exist; relative paths start at the manifest's folder"
                )
    return table


def weight_distances(
    manifest: str | Path | pd.DataFrame,
    *,
    p: float = 2.0,
    per_layer: bool = False,
    block_elements: int = BLOCK_ELEMENTS,
    progress: Callable[[int, int, dict], None] | None = None,
) -> WeightDistances:
    """Distances of every run of a weight manifest to its base checkpoint.

    Every checkpoint's headers are read and every run paired with its base before any tensor
    data is read, so a bad checkpoint stops the whole manifest at once.

    Parameters
    ----------
    manifest : str, Path or pandas.DataFrame
        A manifest CSV (see :func:`read_weight_manifest`) or the table it returns.
    p : float
        Order of the distance, ≥ 1 (``math.inf`` allowed).
    per_layer : bool
        Also return one row per run and :func:`layer_group`.
    block_elements : int
        Elements read and reduced at a time.
    progress : callable, optional
        Called as ``progress(i, n, row)`` after run ``i`` (1-based) of ``n`` with its row.

    Returns
    -------
    WeightDistances

    Raises
    ------
    DataSchemaError
        On a bad manifest or checkpoint, a tensor missing from one side or a shape mismatch.
    ModelSpecError
        If ``p`` is below 1.
    """
    p = check_p(p)
    table = manifest if isinstance(manifest, pd.DataFrame) else read_weight_manifest(manifest)
    plans = _plan(table)
    runs, layers = [], []
    for i, (row, pairs) in enumerate(zip(table.itertuples(), plans, strict=True), start=1):
        result = _distance(pairs, p, block_elements)
        keys = {c: getattr(row, c) for c in _RUN} | {"path": str(row.path), "base": str(row.base)}
        keys["p"] = p
        runs.append(keys | result.summary())
        if per_layer:
            layers.append(result.layers().assign(**keys))
        if progress is not None:
            progress(i, len(plans), runs[-1])
    columns = [*_RUN, "path", "base", "p", "group", "layer", *STATISTICS]
    layer_table = pd.concat(layers, ignore_index=True)[columns] if per_layer else None
    return WeightDistances(p, pd.DataFrame(runs), layer_table)


def _plan(table: pd.DataFrame) -> list[list[tuple[TensorInfo, TensorInfo]]]:
    paths = [*table["path"], *table["base"]]
    opened = {path: open_checkpoint(path) for path in dict.fromkeys(map(Path, paths))}
    return [pair_tensors(opened[Path(r.path)], opened[Path(r.base)]) for r in table.itertuples()]


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
