"""Streaming reader of Hugging Face safetensors checkpoints (no torch, no ``safetensors`` package).

The format: 8 bytes holding the header length N as a little-endian unsigned 64-bit integer, N
bytes of UTF-8 JSON (possibly padded with spaces) mapping each tensor name to ``{"dtype",
"shape", "data_offsets": [begin, end]}`` plus an optional ``"__metadata__"`` object of strings,
then the data: each tensor's bytes, little-endian and in C order, at ``begin``–``end`` counted
from the first byte after the header.

A checkpoint is a folder with ``model.safetensors``, or with ``model.safetensors.index.json``
whose ``weight_map`` names the shard file of every tensor (the layout ``save_pretrained``
writes), or one of those two files itself.  Opening a checkpoint reads and checks the headers
only; tensor data is read later, a block of elements at a time, so no whole model (or whole
tensor, unless asked for) is ever held in memory.  F32, F16 and BF16 tensors are converted to
float32 (BF16 by shifting its 16 bits into the high half of a 32-bit float).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import read_json

#: Storage dtype of every tensor dtype plw-stats reads (BF16 is read as its raw 16 bits).
STORAGE_DTYPES: dict[str, np.dtype] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
}
#: File names ``save_pretrained`` writes: one file, or an index naming the shards.
SINGLE_FILE = "model.safetensors"
INDEX_FILE = "model.safetensors.index.json"
#: Largest header accepted (the reference implementation's limit).
MAX_HEADER_BYTES = 100 * 2**20
#: Elements per block read by :func:`iter_blocks` (512 KB of float32: fits a CPU cache).
BLOCK_ELEMENTS = 1 << 17

_ENTRY_KEYS = ("dtype", "shape", "data_offsets")


@dataclass(frozen=True)
class TensorInfo:
    """Where one tensor lies in a safetensors file.

    Attributes
    ----------
    name : str
        Tensor name, e.g. ``model.layers.0.self_attn.q_proj.weight``.
    dtype : str
        ``F32``, ``F16`` or ``BF16``.
    shape : tuple of int
        Dimensions in C order (``()`` for a scalar).
    file : Path
        The ``.safetensors`` file holding it.
    start, stop : int
        Absolute byte offsets of its data in ``file``.
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    file: Path
    start: int
    stop: int

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes of data in the file."""
        return self.stop - self.start


@dataclass(frozen=True)
class Checkpoint:
    """The checked headers of one checkpoint (a single file or a sharded set).

    Attributes
    ----------
    source : Path
        The file named in messages: ``model.safetensors`` or the index.
    tensors : Mapping[str, TensorInfo]
        Every tensor by name.
    metadata : Mapping[str, object]
        The ``__metadata__`` of the single file, or the index's ``metadata``.
    """

    source: Path
    tensors: Mapping[str, TensorInfo]
    metadata: Mapping[str, object]

    @property
    def nbytes(self) -> int:
        """Bytes of tensor data over all tensors."""
        return sum(info.nbytes for info in self.tensors.values())


def open_checkpoint(path: str | Path) -> Checkpoint:
    """Read and check the headers of a checkpoint.

    Parameters
    ----------
    path : str or Path
        A folder holding ``model.safetensors`` (preferred when both exist) or
        ``model.safetensors.index.json`` and its shards; or a ``.safetensors`` file; or an
        index ``.json`` file.

    Returns
    -------
    Checkpoint

    Raises
    ------
    DataSchemaError
        On a missing path, a folder without a checkpoint, a corrupt header (bad length, bad
        JSON, offsets outside the file or not matching dtype and shape), an unsupported dtype,
        an index naming a missing shard or a tensor its shard lacks, or no tensors at all.
    """
    path = Path(path)
    if path.is_dir():
        path = _checkpoint_file(path)
    elif not path.is_file():
        raise DataSchemaError(f"{path}: no such checkpoint; check the path")
    if path.suffix == ".json":
        checkpoint = _open_index(path)
    else:
        checkpoint = Checkpoint(path, *read_header(path))
    if not checkpoint.tensors:
        raise DataSchemaError(f"{path}: holds no tensors; point at a model's weights")
    return checkpoint


def _checkpoint_file(folder: Path) -> Path:
    for name in (SINGLE_FILE, INDEX_FILE):
        if (folder / name).is_file():
            return folder / name
    raise DataSchemaError(
        f"{folder}: holds neither {SINGLE_FILE} nor {INDEX_FILE}; point at a folder written by "
        "save_pretrained (e.g. run/checkpoint-500; merge LoRA adapters into the model first)"
    )


def read_header(path: str | Path) -> tuple[dict[str, TensorInfo], dict[str, object]]:
    """Read and check the header of one ``.safetensors`` file.

    Returns
    -------
    tensors : dict
        Tensor name → :class:`TensorInfo`, in the order of the data.
    metadata : dict
        The ``__metadata__`` object (empty when absent).

    Raises
    ------
    DataSchemaError
        If the header is corrupt or a tensor has a dtype other than F32, F16 or BF16.
    """
    path = Path(path)
    size = path.stat().st_size
    with path.open("rb") as handle:
        length = int.from_bytes(handle.read(8), "little")
        if size < 8 or not 0 < length <= min(MAX_HEADER_BYTES, size - 8):
            raise DataSchemaError(
                f"{path}: header length {length} is impossible for a {size}-byte file; the file "
                "is truncated or not a safetensors file, save or download it again"
            )
        raw = handle.read(length)
    header = _parse_json(raw, path)
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict):
        raise DataSchemaError(f"{path}: __metadata__ is not a JSON object; the header is corrupt")
    data_start, data_size = 8 + length, size - 8 - length
    tensors = [_tensor_info(n, e, path, data_start, data_size) for n, e in header.items()]
    tensors.sort(key=lambda info: info.start)
    _check_disjoint(tensors, path)
    return {info.name: info for info in tensors}, metadata


def _parse_json(raw: bytes, path: Path) -> dict:
    def no_duplicates(pairs: list[tuple[str, object]]) -> dict:
        seen = dict(pairs)
        if len(seen) != len(pairs):
            twice = next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i]))
            raise DataSchemaError(f"{path}: header names tensor {twice!r} twice; it is corrupt")
        return seen

    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataSchemaError(
            f"{path}: header is not valid JSON ({err}); the file is corrupt, save it again"
        ) from err
    if not isinstance(header, dict):
        raise DataSchemaError(f"{path}: header is not a JSON object; the file is corrupt")
    return header


def _tensor_info(name: str, entry, path: Path, data_start: int, data_size: int) -> TensorInfo:
    where = f"{path}: tensor {name!r}"
    if not isinstance(entry, dict) or any(key not in entry for key in _ENTRY_KEYS):
        raise DataSchemaError(f"{where}: header entry lacks {'/'.join(_ENTRY_KEYS)}; corrupt")
    dtype, shape, offsets = (entry[key] for key in _ENTRY_KEYS)
    if dtype not in STORAGE_DTYPES:
        raise DataSchemaError(
            f"{where}: dtype {dtype!r} is not supported; plw-stats reads "
            f"{', '.join(STORAGE_DTYPES)} weights (convert the checkpoint, e.g. save it in bf16)"
        )
    if not _naturals(shape) or not _naturals(offsets) or len(offsets) != 2:
        raise DataSchemaError(f"{where}: shape {shape!r} or data_offsets {offsets!r} is corrupt")
    begin, end = offsets
    if not begin <= end <= data_size:
        raise DataSchemaError(
            f"{where}: data_offsets [{begin}, {end}] lie outside the file's {data_size} data "
            "bytes; the file is truncated or corrupt"
        )
    needed = math.prod(shape) * STORAGE_DTYPES[dtype].itemsize
    if end - begin != needed:
        raise DataSchemaError(
            f"{where}: data_offsets hold {end - begin} bytes but {dtype} of shape "
            f"{list(shape)} needs {needed}; the header is corrupt"
        )
    return TensorInfo(name, dtype, tuple(shape), path, data_start + begin, data_start + end)


def _naturals(values) -> bool:
    return isinstance(values, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values
    )


def _check_disjoint(tensors: list[TensorInfo], path: Path) -> None:
    for before, after in itertools.pairwise(tensors):
        if after.start < before.stop:
            raise DataSchemaError(
                f"{path}: tensor {after.name!r} overlaps tensor {before.name!r} in the data; "
                "the header is corrupt"
            )


def _open_index(index: Path) -> Checkpoint:
    content = read_json(index)
    weight_map = content.get("weight_map") if isinstance(content, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise DataSchemaError(f"{index}: no 'weight_map' of tensor names to shard files")
    headers = {}
    for name, shard in weight_map.items():
        if not isinstance(shard, str) or shard not in headers:
            headers[shard] = _shard_header(index, name, shard)
        if name not in headers[shard]:
            raise DataSchemaError(
                f"{index}: weight_map puts tensor {name!r} in {shard}, whose header lacks it; "
                "the index does not match the shards"
            )
    _check_all_indexed(index, headers, weight_map)
    tensors = {name: headers[shard][name] for name, shard in weight_map.items()}
    metadata = content.get("metadata") or {}
    return Checkpoint(index, tensors, metadata if isinstance(metadata, dict) else {})


def _shard_header(index: Path, name: str, shard) -> dict[str, TensorInfo]:
    if not isinstance(shard, str) or not (index.parent / shard).is_file():
        raise DataSchemaError(
            f"{index}: tensor {name!r} is in shard {shard!r}, which does not exist in "
            f"{index.parent}; download or copy the missing shard"
        )
    return read_header(index.parent / shard)[0]


def _check_all_indexed(index: Path, headers: dict, weight_map: dict) -> None:
    for shard, tensors in headers.items():
        stray = [name for name in tensors if weight_map.get(name) != shard]
        if stray:
            raise DataSchemaError(
                f"{index}: tensor {stray[0]!r} of shard {shard} is not mapped to it in "
                "weight_map; the index does not match the shards"
            )


def pair_tensors(run: Checkpoint, base: Checkpoint) -> list[tuple[TensorInfo, TensorInfo]]:
    """Pair the tensors of two checkpoints by name, whatever their shard layouts.

    Returns
    -------
    list of (TensorInfo, TensorInfo)
        ``(run tensor, base tensor)`` in the run's file order (sequential reads).

    Raises
    ------
    DataSchemaError
        If a tensor is missing from either side or the two shapes differ.
    """
    for have, lack, side in ((run, base, "base"), (base, run, "run")):
        missing = sorted(set(have.tensors) - set(lack.tensors))
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise DataSchemaError(
                f"{lack.source}: tensor {missing[0]!r}{more} of {have.source} is missing from "
                f"this {side} checkpoint; compare checkpoints of the same architecture"
            )
    pairs = []
    for info in sorted(run.tensors.values(), key=lambda i: (str(i.file), i.start)):
        other = base.tensors[info.name]
        if info.shape != other.shape:
            raise DataSchemaError(
                f"{info.file}: tensor {info.name!r} has shape {list(info.shape)} but "
                f"{list(other.shape)} in {other.file}; compare checkpoints of the same model"
            )
        pairs.append((info, other))
    return pairs


def iter_blocks(info: TensorInfo, block_elements: int = BLOCK_ELEMENTS) -> Iterator[np.ndarray]:
    """Yield a tensor's elements in C order as float32 blocks of ``block_elements``.

    The blocks are views of one reused buffer: each is valid until the next one is requested
    (copy it to keep it).  The last block may be shorter.

    Raises
    ------
    DataSchemaError
        If the file ends early (it changed since its header was read).
    """
    storage = STORAGE_DTYPES[info.dtype]
    block = max(1, min(int(block_elements), info.size))
    out = np.empty(block, dtype=np.float32)
    raw = out if storage == out.dtype else np.empty(block, dtype=storage)  # F32, little-endian
    with info.file.open("rb") as handle:
        handle.seek(info.start)
        for first in range(0, info.size, block):
            n = min(block, info.size - first)
            if handle.readinto(raw[:n]) != n * storage.itemsize:
                raise DataSchemaError(
                    f"{info.file}: tensor {info.name!r} ends before its data_offsets; the file "
                    "is truncated"
                )
            yield _to_float32(raw[:n], info.dtype, out[:n])


def _to_float32(raw: np.ndarray, dtype: str, out: np.ndarray) -> np.ndarray:
    if dtype == "BF16":
        np.left_shift(raw, 16, out=out.view(np.uint32), dtype=np.uint32)
    elif raw.dtype != out.dtype:  # F16, or F32 on a big-endian machine
        np.copyto(out, raw)
    return out


def read_tensor(info: TensorInfo) -> np.ndarray:
    """Return a whole tensor as a new float32 array of its shape (for small tensors)."""
    values = np.empty(info.size, dtype=np.float32)
    first = 0
    for block in iter_blocks(info):
        values[first : first + block.size] = block
        first += block.size
    return values.reshape(info.shape)
