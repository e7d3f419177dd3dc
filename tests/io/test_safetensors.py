"""The safetensors reader on small checkpoints written here, and every corrupt-input error."""

import json

import numpy as np
import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.safetensors import (
    INDEX_FILE,
    SINGLE_FILE,
    iter_blocks,
    open_checkpoint,
    pair_tensors,
    read_header,
    read_tensor,
)

# -- a minimal writer of the documented format (8-byte length, JSON header, data) ---------------


def bf16_bits(values):
    """Round float32 to bfloat16 (nearest, ties to even) and return the 16-bit patterns."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")


def encode(values, dtype):
    if dtype == "BF16":
        return bf16_bits(values).tobytes()
    return np.asarray(values, dtype={"F32": "<f4", "F16": "<f2"}[dtype]).tobytes()


def stored(values, dtype):
    """What a reader must return for ``values`` saved as ``dtype``, computed with numpy."""
    if dtype == "BF16":
        return (bf16_bits(values).astype(np.uint32) << 16).view(np.float32)
    return np.asarray(values, dtype={"F32": np.float32, "F16": np.float16}[dtype]).astype(
        np.float32
    )


def write_file(path, tensors, dtype="F32", metadata=None):
    header, blobs, offset = {}, [], 0
    for name, values in tensors.items():
        data = encode(values, dtype)
        span = [offset, offset + len(data)]
        header[name] = {"dtype": dtype, "shape": list(np.shape(values)), "data_offsets": span}
        blobs.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    write_raw(path, json.dumps(header).encode(), b"".join(blobs))
    return path


def write_raw(path, header: bytes, data: bytes, length=None):
    header += b" " * (-len(header) % 8)  # save_pretrained pads the header with spaces
    size = len(header) if length is None else length
    path.write_bytes(size.to_bytes(8, "little") + header + data)
    return path


def write_sharded(folder, tensors, dtype, shards):
    folder.mkdir(parents=True, exist_ok=True)
    weight_map = {}
    for i, names in enumerate(shards, start=1):
        shard = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        write_file(folder / shard, {n: tensors[n] for n in names}, dtype)
        weight_map.update(dict.fromkeys(names, shard))
    index = {"metadata": {"total_size": 0}, "weight_map": weight_map}
    (folder / INDEX_FILE).write_text(json.dumps(index))
    return folder


def model_tensors(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "model.embed_tokens.weight": rng.normal(0, 0.02, (11, 6)),
        "model.layers.0.self_attn.q_proj.weight": rng.normal(0, 0.05, (6, 6)),
        "model.layers.0.input_layernorm.weight": 1 + rng.normal(0, 0.01, 6),
        "model.layers.1.mlp.up_proj.weight": rng.normal(0, 0.05, (9, 6)),
        "lm_head.weight": rng.normal(0, 0.02, (11, 6)),
    }


# -- reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["F32", "F16", "BF16"])
def test_single_file_reads_back_every_tensor(tmp_path, dtype):
    tensors = model_tensors()
    write_file(tmp_path / SINGLE_FILE, tensors, dtype, metadata={"format": "pt"})
    checkpoint = open_checkpoint(tmp_path)
    assert checkpoint.source == tmp_path / SINGLE_FILE
    assert checkpoint.metadata == {"format": "pt"}
    assert set(checkpoint.tensors) == set(tensors)
    for name, values in tensors.items():
        info = checkpoint.tensors[name]
        assert (info.dtype, info.shape) == (dtype, np.shape(values))
        got = read_tensor(info)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, stored(values, dtype))


def test_bf16_bits_become_the_upper_half_of_float32(tmp_path):
    patterns = np.array([0x3F80, 0xC000, 0x3E20, 0x0000, 0x8000, 0x7F80, 0x4049], dtype="<u2")
    header = {"x": {"dtype": "BF16", "shape": [7], "data_offsets": [0, 14]}}
    write_raw(tmp_path / "x.safetensors", json.dumps(header).encode(), patterns.tobytes())
    info = open_checkpoint(tmp_path / "x.safetensors").tensors["x"]
    expected = [1.0, -2.0, 0.15625, 0.0, -0.0, np.inf, 3.140625]
    np.testing.assert_array_equal(read_tensor(info), np.array(expected, dtype=np.float32))


def test_scalars_empty_tensors_and_unpadded_headers(tmp_path):
    header = {
        "scale": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},
        "nothing": {"dtype": "F16", "shape": [0, 3], "data_offsets": [4, 4]},
    }
    raw = json.dumps(header).encode()
    data = np.float32(2.5).tobytes()
    path = tmp_path / "odd.safetensors"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data)
    tensors, metadata = read_header(path)
    assert metadata == {}
    assert read_tensor(tensors["scale"]) == np.float32(2.5)
    assert read_tensor(tensors["nothing"]).shape == (0, 3)
    assert list(iter_blocks(tensors["nothing"])) == []


@pytest.mark.parametrize("block", [1, 7, 36, 10_000])
def test_blocks_concatenate_to_the_tensor_in_c_order(tmp_path, block):
    values = np.arange(66, dtype=np.float32).reshape(11, 6) / 7
    info = open_checkpoint(write_file(tmp_path / "m.safetensors", {"w": values})).tensors["w"]
    blocks = [b.copy() for b in iter_blocks(info, block)]
    assert all(b.size == min(block, 66) for b in blocks[:-1])
    np.testing.assert_array_equal(np.concatenate(blocks), values.ravel())


def test_sharded_checkpoint_by_folder_and_by_index(tmp_path):
    tensors = model_tensors()
    names = list(tensors)
    folder = write_sharded(tmp_path / "run", tensors, "BF16", [names[:2], names[2:]])
    for where in (folder, folder / INDEX_FILE):
        checkpoint = open_checkpoint(where)
        assert checkpoint.source == folder / INDEX_FILE
        assert checkpoint.metadata == {"total_size": 0}
        assert checkpoint.tensors[names[0]].file.name == "model-00001-of-00002.safetensors"
        assert checkpoint.tensors[names[-1]].file.name == "model-00002-of-00002.safetensors"
        for name, values in tensors.items():
            np.testing.assert_array_equal(
                read_tensor(checkpoint.tensors[name]), stored(values, "BF16")
            )
    assert checkpoint.nbytes == sum(2 * np.size(v) for v in tensors.values())


def test_pairs_by_name_across_shard_layouts(tmp_path):
    tensors = model_tensors()
    names = list(tensors)
    run = open_checkpoint(write_sharded(tmp_path / "run", tensors, "F16", [names[3:], names[:3]]))
    base = open_checkpoint(write_file(tmp_path / "base.safetensors", tensors, "F32"))
    pairs = pair_tensors(run, base)
    assert sorted(r.name for r, _ in pairs) == sorted(names)
    assert all(r.name == b.name and r.shape == b.shape for r, b in pairs)
    # in the run's file order: first shard's tensors first
    assert [r.name for r, _ in pairs] == names[3:] + names[:3]


# -- bad input: one-line errors naming the file and the tensor ----------------------------------

ENTRY = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
DATA = np.zeros(2, dtype="<f4").tobytes()


def raw_case(header, data=DATA, length=None):
    payload = header if isinstance(header, bytes) else json.dumps(header).encode()
    return lambda path: write_raw(path, payload, data, length)


CORRUPT = {
    "too short": (lambda path: path.write_bytes(b"\x01\x00") and path, r"for a 2-byte file"),
    "length past the end": (raw_case({"w": ENTRY}, length=10**6), r"header length 1000000"),
    "length zero": (raw_case({"w": ENTRY}, length=0), r"header length 0 is impossible"),
    "bad JSON": (raw_case(b'{"w": {"dtype": '), r"header is not valid JSON"),
    "not UTF-8": (raw_case(b'{"\xff": 1}'), r"header is not valid JSON"),
    "not an object": (raw_case([1, 2]), r"header is not a JSON object"),
    "name twice": (raw_case(b'{"w": 1, "w": 2}'), r"names tensor 'w' twice"),
    "entry lacks a key": (raw_case({"w": {"dtype": "F32"}}), r"tensor 'w'.*lacks dtype/shape"),
    "negative shape": (raw_case({"w": {**ENTRY, "shape": [-2]}}), r"tensor 'w'.*shape \[-2\]"),
    "offsets outside": (
        raw_case({"w": {**ENTRY, "shape": [4], "data_offsets": [0, 16]}}),
        r"tensor 'w': data_offsets \[0, 16\] lie outside the file's 8 data bytes",
    ),
    "offsets vs shape": (
        raw_case({"w": {**ENTRY, "shape": [3]}}),
        r"tensor 'w': data_offsets hold 8 bytes but F32 of shape \[3\] needs 12",
    ),
    "overlap": (
        raw_case({"a": ENTRY, "b": {**ENTRY, "shape": [1], "data_offsets": [4, 8]}}),
        r"tensor 'b' overlaps tensor 'a'",
    ),
    "unknown dtype": (raw_case({"w": {**ENTRY, "dtype": "Q4_K"}}), r"tensor 'w'.*'Q4_K'"),
    "integer dtype": (raw_case({"w": {**ENTRY, "dtype": "I64", "shape": [1]}}), r"'I64' is not"),
    "metadata": (raw_case({"__metadata__": [1], "w": ENTRY}), r"__metadata__ is not a JSON"),
    "no tensors": (raw_case({"__metadata__": {}}, data=b""), r"holds no tensors"),
}


@pytest.mark.parametrize("case", CORRUPT, ids=list(CORRUPT))
def test_corrupt_files_are_refused_with_the_file_named(tmp_path, case):
    make, message = CORRUPT[case]
    path = make(tmp_path / "bad.safetensors")
    with pytest.raises(DataSchemaError, match=message) as caught:
        open_checkpoint(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


def test_missing_checkpoints_are_refused(tmp_path):
    with pytest.raises(DataSchemaError, match=r"no such checkpoint"):
        open_checkpoint(tmp_path / "absent")
    with pytest.raises(DataSchemaError, match=rf"holds neither {SINGLE_FILE} nor {INDEX_FILE}"):
        open_checkpoint(tmp_path)


def sharded(tmp_path):
    tensors = model_tensors()
    names = list(tensors)
    return write_sharded(tmp_path / "run", tensors, "F32", [names[:2], names[2:]]), names


def edit_index(folder, change):
    index = json.loads((folder / INDEX_FILE).read_text())
    change(index["weight_map"])
    (folder / INDEX_FILE).write_text(json.dumps(index))


def test_index_naming_a_missing_shard(tmp_path):
    folder, names = sharded(tmp_path)
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(
        DataSchemaError,
        match=rf"index.json: tensor '{names[2]}' is in shard 'model-00002-of-00002.safetensors'"
        r", which does not exist",
    ):
        open_checkpoint(folder)


def test_index_not_matching_its_shards(tmp_path):
    folder, names = sharded(tmp_path)
    edit_index(folder, lambda wm: wm.update({"extra.weight": wm[names[0]]}))
    with pytest.raises(DataSchemaError, match=r"puts tensor 'extra.weight' in model-00001"):
        open_checkpoint(folder)
    edit_index(folder, lambda wm: [wm.pop("extra.weight"), wm.pop(names[0])])
    with pytest.raises(DataSchemaError, match=rf"tensor '{names[0]}' of shard model-00001"):
        open_checkpoint(folder)


def test_index_without_weight_map_or_valid_json(tmp_path):
    folder, _ = sharded(tmp_path)
    (folder / INDEX_FILE).write_text(json.dumps({"metadata": {}}))
    with pytest.raises(DataSchemaError, match=r"index.json: no 'weight_map'"):
        open_checkpoint(folder)
    (folder / INDEX_FILE).write_text("{not json")
    with pytest.raises(DataSchemaError, match=r"index.json: malformed JSON at line 1"):
        open_checkpoint(folder)


def test_pairing_refuses_missing_tensors_and_shape_mismatches(tmp_path):
    tensors = model_tensors()
    base = open_checkpoint(write_file(tmp_path / "base.safetensors", tensors))
    fewer = {k: v for k, v in tensors.items() if k != "lm_head.weight"}
    run = open_checkpoint(write_file(tmp_path / "run.safetensors", fewer))
    with pytest.raises(
        DataSchemaError,
        match=r"run.safetensors: tensor 'lm_head.weight' of .*base.safetensors is missing from "
        "this run checkpoint",
    ):
        pair_tensors(run, base)
    with pytest.raises(DataSchemaError, match=r"run.safetensors: .* from this base checkpoint"):
        pair_tensors(base, run)
    wider = tensors | {"lm_head.weight": np.zeros((11, 7))}
    run = open_checkpoint(write_file(tmp_path / "wide.safetensors", wider))
    with pytest.raises(
        DataSchemaError, match=r"wide.safetensors: tensor 'lm_head.weight' has shape \[11, 7\]"
    ):
        pair_tensors(run, base)


def test_a_file_truncated_after_opening_is_refused_while_reading(tmp_path):
    path = write_file(tmp_path / "m.safetensors", {"w": np.ones(100)})
    info = open_checkpoint(path).tensors["w"]
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DataSchemaError, match=r"m.safetensors: tensor 'w' ends before its data"):
        read_tensor(info)
