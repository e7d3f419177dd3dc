"""Weight distances to the pretrained checkpoint, checked against numpy on the same arrays."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from plw_stats.describe.weights import (
    STATISTICS,
    PowerSum,
    checkpoint_distance,
    layer_group,
    read_weight_manifest,
    weight_distances,
)
from plw_stats.errors import DataSchemaError, ModelSpecError

# -- a minimal safetensors writer (the format: 8-byte length, JSON header, data) ----------------


def bf16_bits(values):
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")


def stored(values, dtype):
    """The float32 values a checkpoint holds after saving ``values`` as ``dtype``."""
    if dtype == "BF16":
        return (bf16_bits(values).astype(np.uint32) << 16).view(np.float32)
    return np.asarray(values, dtype={"F32": "<f4", "F16": "<f2"}[dtype]).astype(np.float32)


def write_file(path, tensors, dtype="F32"):
    header, blobs, offset = {}, [], 0
    for name, values in tensors.items():
        raw = bf16_bits(values) if dtype == "BF16" else stored(values, dtype)
        data = raw.astype({"BF16": "<u2", "F16": "<f2", "F32": "<f4"}[dtype]).tobytes()
        span = [offset, offset + len(data)]
        header[name] = {"dtype": dtype, "shape": list(np.shape(values)), "data_offsets": span}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"".join(blobs))
    return path


def write_sharded(folder, tensors, dtype, shards):
    weight_map = {}
    for i, names in enumerate(shards, start=1):
        shard = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        write_file(folder / shard, {n: tensors[n] for n in names}, dtype)
        weight_map.update(dict.fromkeys(names, shard))
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    return folder


def pretrained(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "model.embed_tokens.weight": rng.normal(0, 0.02, (13, 8)),
        "model.layers.0.self_attn.q_proj.weight": rng.normal(0, 0.05, (8, 8)),
        "model.layers.0.input_layernorm.weight": 1 + rng.normal(0, 0.01, 8),
        "model.layers.1.mlp.up_proj.weight": rng.normal(0, 0.05, (12, 8)),
        "model.layers.1.mlp.down_proj.weight": rng.normal(0, 0.05, (8, 12)),
        "model.norm.weight": 1 + rng.normal(0, 0.01, 8),
        "lm_head.weight": rng.normal(0, 0.02, (13, 8)),
    }


def fine_tuned(base, step, seed=1):
    rng = np.random.default_rng(seed)
    return {name: w + step * rng.standard_normal(np.shape(w)) for name, w in base.items()}


def expected(run, base, p, run_dtype="F32", base_dtype="F32"):
    """The statistics computed directly with numpy in float64 on the stored arrays."""
    diffs = {n: stored(run[n], run_dtype) - stored(base[n], base_dtype).astype(float) for n in run}
    flat = np.concatenate([d.ravel() for d in diffs.values()])
    base_flat = np.concatenate([stored(w, base_dtype).ravel() for w in base.values()]).astype(float)
    distance, base_norm = np.linalg.norm(flat, ord=p), np.linalg.norm(base_flat, ord=p)
    return {
        "n_tensors": len(run),
        "n_params": flat.size,
        "mean_tensor_distance": np.mean([np.linalg.norm(d.ravel(), ord=p) for d in diffs.values()]),
        "distance": distance,
        "base_norm": base_norm,
        "relative_distance": distance / base_norm,
        "max_abs_difference": np.abs(flat).max(),
    }


# Differences are formed in float32 (each within 2**-24 of the exact one, so every distance is
# too); the base norm and all sums are float64.
DIFF_RTOL = 1.2e-7


def assert_matches(summary, truth, rtol=DIFF_RTOL):
    assert summary["n_tensors"] == truth["n_tensors"]
    assert summary["n_params"] == truth["n_params"]
    assert summary["base_norm"] == pytest.approx(truth["base_norm"], rel=1e-12)
    for key in ("mean_tensor_distance", "distance", "relative_distance", "max_abs_difference"):
        assert summary[key] == pytest.approx(truth[key], rel=rtol), key


@pytest.mark.parametrize("p", [1, 2, 3, 2.5, math.inf])
def test_single_file_distances_match_numpy(tmp_path, p):
    base = pretrained()
    run = fine_tuned(base, 1e-3)
    write_file(tmp_path / "base" / "model.safetensors", base)
    write_file(tmp_path / "run" / "model.safetensors", run)
    result = checkpoint_distance(tmp_path / "run", tmp_path / "base", p=p)
    assert result.p == p
    assert_matches(result.summary(), expected(run, base, p))


@pytest.mark.parametrize("p", [2, 1.5])
def test_sharded_bf16_run_against_a_single_f32_base(tmp_path, p):
    base = pretrained()
    run = fine_tuned(base, 2e-2)
    names = list(base)
    write_sharded(tmp_path / "run", run, "BF16", [names[4:], names[:2], names[2:4]])
    write_file(tmp_path / "base.safetensors", base, "F32")
    result = checkpoint_distance(tmp_path / "run", tmp_path / "base.safetensors", p=p)
    assert_matches(result.summary(), expected(run, base, p, run_dtype="BF16"))


def test_f16_checkpoints_and_both_sides_sharded_differently(tmp_path):
    base = pretrained()
    run = fine_tuned(base, 5e-3)
    names = list(base)
    write_sharded(tmp_path / "run", run, "F16", [names[:3], names[3:]])
    write_sharded(tmp_path / "base", base, "F16", [names[5:], names[:1], names[1:5]])
    result = checkpoint_distance(tmp_path / "run", tmp_path / "base")
    assert_matches(result.summary(), expected(run, base, 2, "F16", "F16"))


@pytest.mark.parametrize("p", [2, 3, math.inf])
def test_block_size_does_not_change_the_result(tmp_path, p):
    base = pretrained()
    write_file(tmp_path / "b.safetensors", base)
    write_file(tmp_path / "r.safetensors", fine_tuned(base, 1e-2))
    whole = checkpoint_distance(tmp_path / "r.safetensors", tmp_path / "b.safetensors", p=p)
    small = checkpoint_distance(
        tmp_path / "r.safetensors", tmp_path / "b.safetensors", p=p, block_elements=5
    )
    for key, value in whole.summary().items():
        assert small.summary()[key] == pytest.approx(value, rel=1e-12), key


@pytest.mark.parametrize(("c", "p"), [(1e-30, 12.0), (1e30, 12.0), (1e-20, 40.0)])
def test_no_underflow_or_overflow_at_extreme_scales(tmp_path, c, p):
    n = 1000  # |c|^p alone under- or overflows float64 here; ‖c·1‖_p = c·n^(1/p)
    write_file(tmp_path / "b.safetensors", {"w": np.zeros(n)})
    write_file(tmp_path / "r.safetensors", {"w": np.full(n, c)})
    result = checkpoint_distance(
        tmp_path / "r.safetensors", tmp_path / "b.safetensors", p=p, block_elements=64
    )
    summary = result.summary()
    truth = float(np.float32(c)) * n ** (1 / p)
    assert summary["distance"] == pytest.approx(truth, rel=1e-12)
    assert summary["base_norm"] == 0.0
    assert math.isnan(summary["relative_distance"])


def test_identical_checkpoints_are_at_distance_zero(tmp_path):
    base = pretrained()
    write_file(tmp_path / "b.safetensors", base, "BF16")
    write_file(tmp_path / "r.safetensors", base, "BF16")
    summary = checkpoint_distance(tmp_path / "r.safetensors", tmp_path / "b.safetensors").summary()
    assert summary["distance"] == summary["mean_tensor_distance"] == 0.0
    assert summary["relative_distance"] == 0.0


def test_power_sums_combine_like_one_sum():
    rng = np.random.default_rng(7)
    x = rng.normal(0, 3, 1001).astype(np.float32)
    for p in (1.0, 2.0, 3.5):
        parts = [PowerSum.of(x[i : i + 100], p) for i in range(0, x.size, 100)]
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        assert total.count == x.size
        assert total.norm == pytest.approx(np.linalg.norm(x.astype(float), ord=p), rel=1e-13)


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("model.layers.12.self_attn.q_proj.weight", ("model.layers.12", 12)),
        ("transformer.h.3.attn.c_attn.bias", ("transformer.h.3", 3)),
        ("decoder.block.0.layer.1.DenseReluDense.wi.weight", ("decoder.block.0", 0)),
        ("model.embed_tokens.weight", ("model.embed_tokens", None)),
        ("lm_head.weight", ("lm_head", None)),
        ("scale", ("scale", None)),
    ],
)
def test_layer_group_rule(name, group):
    assert layer_group(name) == group


def test_per_layer_rows_match_numpy_on_each_group(tmp_path):
    base = pretrained()
    run = fine_tuned(base, 1e-3)
    write_file(tmp_path / "b.safetensors", base)
    write_file(tmp_path / "r.safetensors", run)
    result = checkpoint_distance(tmp_path / "r.safetensors", tmp_path / "b.safetensors")
    layers = result.layers().set_index("group")
    assert list(layers.index) == [
        "model.embed_tokens",
        "model.layers.0",
        "model.layers.1",
        "model.norm",
        "lm_head",
    ]
    assert layers["layer"].tolist()[1:3] == [0, 1]
    assert layers["layer"].isna().sum() == 3
    for group, row in layers.iterrows():
        names = [n for n in base if layer_group(n)[0] == group]
        truth = expected({n: run[n] for n in names}, {n: base[n] for n in names}, 2)
        assert_matches(row.to_dict(), truth)
    # the global sum of squares is the sum of the groups' sums of squares
    total = np.sqrt((layers["distance"] ** 2).sum())
    assert total == pytest.approx(result.summary()["distance"], rel=1e-12)
    per_tensor = result.to_frame()
    assert len(per_tensor) == len(base)
    assert per_tensor["distance"].mean() == pytest.approx(
        result.summary()["mean_tensor_distance"], rel=1e-12
    )


def test_nan_weights_are_refused_with_the_tensor_named(tmp_path):
    base = pretrained()
    run = fine_tuned(base, 1e-3)
    run["model.norm.weight"][3] = np.nan
    write_file(tmp_path / "b.safetensors", base)
    write_file(tmp_path / "r.safetensors", run)
    with pytest.raises(DataSchemaError, match=r"r.safetensors: tensor 'model.norm.weight' holds"):
        checkpoint_distance(tmp_path / "r.safetensors", tmp_path / "b.safetensors")


@pytest.mark.parametrize("p", [0.5, 0, -1, math.nan, "2", True, None])
def test_p_must_be_at_least_one(tmp_path, p):
    with pytest.raises(ModelSpecError, match=r"p must be a number ≥ 1 or inf"):
        checkpoint_distance(tmp_path / "r", tmp_path / "b", p=p)


# -- manifests ------------------------------------------------------------------------------------


@pytest.fixture
def sweep(tmp_path):
    """A pretrained checkpoint and three runs at growing distance, listed in a manifest."""
    base = pretrained()
    write_file(tmp_path / "pretrained" / "model.safetensors", base, "BF16")
    runs = {0.0: 4e-3, 0.1: 1e-3, 1.0: 2e-3}
    names = list(base)
    lines = ["path,dataset,model,plw,base"]
    for i, (plw, step) in enumerate(runs.items()):
        run = fine_tuned(base, step, seed=10 + i)
        write_sharded(tmp_path / "runs" / f"plw{plw}", run, "BF16", [names[:4], names[4:]])
        lines.append(f"runs/plw{plw},ShortData,tiny,{plw},pretrained")
    (tmp_path / "weights.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_manifest_runs_match_checkpoint_distance(sweep):
    calls = []
    result = weight_distances(
        sweep / "weights.csv", per_layer=True, progress=lambda *a: calls.append(a)
    )
    runs = result.runs
    assert list(runs.columns) == ["dataset", "model", "plw", "path", "base", "p", *STATISTICS]
    assert runs["plw"].tolist() == [0.0, 0.1, 1.0]
    for row in runs.itertuples():
        one = checkpoint_distance(row.path, row.base).summary()
        assert row.distance == pytest.approx(one["distance"], rel=1e-12)
        assert row.mean_tensor_distance == pytest.approx(one["mean_tensor_distance"], rel=1e-12)
    assert runs["distance"].idxmin() == 1  # the run with the smallest step
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert calls[0][2]["plw"] == 0.0
    layers = result.layers
    assert len(layers) == 3 * 5
    assert list(layers.columns[5:8]) == ["p", "group", "layer"]
    payload = result.to_dict()
    assert payload["p"] == 2.0 and "p" not in payload["runs"][0]
    assert payload["layers"][0]["layer"] is None and payload["layers"][1]["layer"] == 0
    json.dumps(payload, allow_nan=False)


def test_p_inf_is_written_as_a_string(sweep):
    result = weight_distances(sweep / "weights.csv", p=math.inf)
    assert result.to_dict()["p"] == "inf"
    assert (result.runs["distance"] == result.runs["max_abs_difference"]).all()


def test_a_bad_run_stops_the_manifest_before_any_data_is_read(sweep):
    shard = sweep / "runs" / "plw1.0" / "model-00002-of-00002.safetensors"
    shard.unlink()
    calls = []
    with pytest.raises(DataSchemaError, match=r"plw1.0/model.safetensors.index.json: tensor"):
        weight_distances(sweep / "weights.csv", progress=lambda *a: calls.append(a))
    assert calls == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("path,dataset,model,plw\nruns/plw0.0,S,m,0\n", r"missing column 'base'"),
        ("path,dataset,model,plw,base\nruns/plw0.0,S,m,0, \n", r"line 2: checkpoint \(empty\)"),
        (
            "path,dataset,model,plw,base\nruns/plw0.0,S,m,0,pretrained\nruns/x,S,m,1,pretrained\n",
            r"line 3: checkpoint .*runs/x in column 'path' does not exist",
        ),
        ("path,dataset,model,plw,base\nruns/plw0.0,S,m,0,nowhere\n", r"'base' does not exist"),
        ("path,dataset,model,plw,base\nruns/plw0.0,S,m,7,pretrained\n", r"plw '7' is not"),
    ],
)
def test_bad_manifests(sweep, text, message):
    (sweep / "bad.csv").write_text(text)
    with pytest.raises(DataSchemaError, match=message):
        read_weight_manifest(sweep / "bad.csv")


def test_manifest_table_is_accepted_as_read(sweep):
    table = read_weight_manifest(sweep / "weights.csv")
    assert isinstance(table, pd.DataFrame)
    assert table["base"].iloc[0] == sweep / "pretrained"
    result = weight_distances(table.iloc[:1])
    assert len(result.runs) == 1 and result.layers is None
