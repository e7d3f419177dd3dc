"""``plw-stats weight-distance`` end to end, its one-line errors, and the Fig. 2b drawing."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from plw_stats.cli.main import main
from plw_stats.config import PLW_POWER
from plw_stats.describe.weights import weight_distances
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.plots.weights import plot_weight_distance

# -- a minimal safetensors writer (the format: 8-byte length, JSON header, data) ----------------

NUMPY_DTYPES = {"F32": "<f4", "F16": "<f2"}


def write_file(path, tensors, dtype="F32", header_edit=None):
    header, blobs, offset = {}, [], 0
    for name, values in tensors.items():
        data = np.asarray(values, dtype=NUMPY_DTYPES[dtype]).tobytes()
        span = [offset, offset + len(data)]
        header[name] = {"dtype": dtype, "shape": list(np.shape(values)), "data_offsets": span}
        blobs.append(data)
        offset += len(data)
    if header_edit:
        header_edit(header)
    text = json.dumps(header).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def write_sharded(folder, tensors, shards):
    weight_map = {}
    for i, names in enumerate(shards, start=1):
        shard = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        write_file(folder / shard, {n: tensors[n] for n in names})
        weight_map.update(dict.fromkeys(names, shard))
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))


def weights(seed, step=0.0, base=None):
    rng = np.random.default_rng(seed)
    shapes = {
        "model.embed_tokens.weight": (10, 4),
        "model.layers.0.mlp.up_proj.weight": (8, 4),
        "model.layers.1.mlp.up_proj.weight": (8, 4),
        "lm_head.weight": (10, 4),
    }
    if base is None:
        return {n: rng.normal(0, 0.05, s).astype(np.float32) for n, s in shapes.items()}
    return {
        n: (w + step * rng.standard_normal(w.shape)).astype(np.float32) for n, w in base.items()
    }


LEVELS = {0.0: 3e-3, 0.1: 1e-3, 1.0: 2e-3}


@pytest.fixture
def sweep(tmp_path):
    """Two pretrained models, three PLW runs each (the second model's runs sharded)."""
    lines = ["path,dataset,model,plw,base"]
    arrays = {}
    for m, model in enumerate(("tiny-a", "tiny-b")):
        base = weights(m)
        write_file(tmp_path / model / "model.safetensors", base)
        for plw, step in LEVELS.items():
            run = weights(100 + m, step, base)
            folder = tmp_path / "runs" / model / f"plw{plw}"
            if m:
                write_sharded(folder, run, [list(run)[:1], list(run)[1:]])
            else:
                write_file(folder / "model.safetensors", run)
            arrays[model, plw] = (run, base)
            lines.append(f"runs/{model}/plw{plw},ShortData,{model},{plw},{model}")
    (tmp_path / "weights.csv").write_text("\n".join(lines) + "\n")
    return tmp_path, arrays


def test_writes_the_table_json_and_layers(sweep, capsys):
    folder, arrays = sweep
    out, js = folder / "distances.csv", folder / "distances.json"
    argv = ["weight-distance", str(folder / "weights.csv"), "-o", str(out), "--json", str(js)]
    assert main([*argv, "--per-layer"]) == 0
    printed = capsys.readouterr()
    assert "Minkowski distance to the pretrained weights, p = 2" in printed.out
    assert (
        f"wrote {out}" in printed.out and f"wrote {folder / 'distances.layers.csv'}" in printed.out
    )
    assert "[6/6] ShortData tiny-b plw=1: 144 parameters in" in printed.err
    table = pd.read_csv(out)
    assert len(table) == 6 and (table["p"] == 2.0).all()
    for row in table.itertuples():
        run, base = arrays[row.model, row.plw]
        diffs = [(run[n].astype(float) - base[n]).ravel() for n in run]
        assert row.mean_tensor_distance == pytest.approx(
            np.mean([np.linalg.norm(d) for d in diffs])
        )
        assert row.distance == pytest.approx(np.linalg.norm(np.concatenate(diffs)))
        base_norm = np.linalg.norm(np.concatenate([w.ravel() for w in base.values()]))
        assert row.relative_distance == pytest.approx(row.distance / base_norm)
    layers = pd.read_csv(folder / "distances.layers.csv")
    assert len(layers) == 6 * 4
    assert set(layers["group"]) == {
        "model.embed_tokens",
        "model.layers.0",
        "model.layers.1",
        "lm_head",
    }
    payload = json.loads(js.read_text())
    assert payload["p"] == 2.0 and len(payload["runs"]) == 6 and len(payload["layers"]) == 24
    assert payload["runs"][0]["distance"] == pytest.approx(table["distance"].iloc[0], rel=1e-12)


def test_p_inf_and_quiet(sweep, capsys):
    folder, _ = sweep
    js = folder / "inf.json"
    assert (
        main(
            [
                "weight-distance",
                str(folder / "weights.csv"),
                "--p",
                "inf",
                "--quiet",
                "--json",
                str(js),
            ]
        )
        == 0
    )
    printed = capsys.readouterr()
    assert printed.err == ""
    assert "p = inf" in printed.out
    payload = json.loads(js.read_text())
    assert payload["p"] == "inf" and payload["layers"] is None
    assert all(r["distance"] == r["max_abs_difference"] for r in payload["runs"])


def corrupt(kind, folder):
    """Spoil the first run of the sweep (tiny-a, plw 0.0) in one way."""
    run = folder / "runs" / "tiny-a" / "plw0.0" / "model.safetensors"
    tensors = weights(9)
    if kind == "missing tensor":
        tensors.pop("lm_head.weight")
    elif kind == "shape mismatch":
        tensors["lm_head.weight"] = np.zeros((10, 5), dtype=np.float32)
    write_file(
        run,
        tensors,
        header_edit={
            "unknown dtype": lambda h: h["lm_head.weight"].update(dtype="F8_E4M3"),
            "offsets outside": lambda h: h["lm_head.weight"].update(data_offsets=[0, 10**6]),
        }.get(kind),
    )
    if kind == "bad header length":
        data = bytearray(run.read_bytes())
        data[:8] = (10**12).to_bytes(8, "little")
        run.write_bytes(bytes(data))
    if kind == "missing shard":
        (folder / "runs" / "tiny-b" / "plw1.0" / "model-00002-of-00002.safetensors").unlink()


BAD = {
    "missing tensor": r"plw0.0/model.safetensors: tensor 'lm_head.weight' of .*tiny-a/model",
    "shape mismatch": r"plw0.0/model.safetensors: tensor 'lm_head.weight' has shape \[10, 5\]",
    "unknown dtype": r"plw0.0/model.safetensors: tensor 'lm_head.weight': dtype 'F8_E4M3'",
    "offsets outside": r"plw0.0/model.safetensors: tensor 'lm_head.weight': data_offsets",
    "bad header length": r"plw0.0/model.safetensors: header length 1000000000000 is impossible",
    "missing shard": r"plw1.0/model.safetensors.index.json: tensor 'model.layers.0.mlp.up_proj",
}


@pytest.mark.parametrize("kind", BAD, ids=list(BAD))
def test_bad_checkpoints_exit_2_with_one_line_and_write_nothing(sweep, capsys, kind):
    folder, _ = sweep
    corrupt(kind, folder)
    out, js = folder / "d.csv", folder / "d.json"
    argv = ["weight-distance", str(folder / "weights.csv"), "-o", str(out), "--json", str(js)]
    assert main([*argv, "--per-layer"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plw-stats weight-distance: error: ")
    assert err.count("\n") == 1
    assert re.search(BAD[kind], err)
    assert sorted(p.name for p in folder.iterdir()) == ["runs", "tiny-a", "tiny-b", "weights.csv"]
    with pytest.raises(DataSchemaError, match=BAD[kind]):
        weight_distances(folder / "weights.csv")


def test_bad_settings_stop_before_reading(sweep, capsys):
    folder, _ = sweep
    manifest = str(folder / "weights.csv")
    assert main(["weight-distance", manifest, "--p", "0.5"]) == 2
    assert "p must be a number ≥ 1 or inf, got 0.5" in capsys.readouterr().err
    assert main(["weight-distance", manifest, "-o", str(folder / "nowhere" / "d.csv")]) == 2
    err = capsys.readouterr().err
    assert "folder" in err and "nowhere does not exist" in err and "[1/6]" not in err


def test_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "weight-distance" in capsys.readouterr().out


# -- the figure drawn from the table the command writes -----------------------------------------


def test_figure_from_the_written_table(sweep):
    folder, _ = sweep
    out = folder / "d.csv"
    assert main(["weight-distance", str(folder / "weights.csv"), "-o", str(out), "--quiet"]) == 0
    table = pd.read_csv(out)
    ax = plot_weight_distance(table)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["ShortData · tiny-a", "ShortData · tiny-b"]
    wp = np.power(sorted(LEVELS), PLW_POWER)
    np.testing.assert_allclose(lines[0].get_xdata(), wp)
    means = table[table["model"] == "tiny-a"].sort_values("plw")["mean_tensor_distance"]
    np.testing.assert_allclose(lines[0].get_ydata(), means)
    assert "_{2}" in ax.get_ylabel()
    assert any(child.get_xlabel() == "PLW" for child in ax.child_axes)
    ax.figure.canvas.draw()  # the mathtext labels render


def test_figure_means_repeated_runs_and_draws_their_points():
    table = pd.DataFrame(
        {
            "dataset": ["D"] * 4,
            "model": ["m"] * 4,
            "plw": [0.0, 0.0, 1.0, 1.0],
            "relative_distance": [1.0, 3.0, 2.0, 2.0],
            "p": [math.inf] * 4,
        }
    )
    ax = plot_weight_distance(table, metric="relative_distance", plw_axis=False, log_scale=True)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [2.0, 2.0])
    assert len(ax.collections) == 1  # the individual runs
    assert r"\infty" in ax.get_ylabel() and ax.get_yscale() == "log"
    ax.figure.canvas.draw()


def test_figure_refuses_bad_tables():
    with pytest.raises(ModelSpecError, match=r"metric must be one of mean_tensor_distance"):
        plot_weight_distance(pd.DataFrame(), metric="norm")
    with pytest.raises(DataSchemaError, match=r"missing column\(s\) plw, mean_tensor_distance"):
        plot_weight_distance(pd.DataFrame({"dataset": ["D"], "model": ["m"]}))
    table = pd.DataFrame({"dataset": ["D"], "model": ["m"], "plw": ["x"], "distance": [1.0]})
    with pytest.raises(DataSchemaError, match=r"column 'plw' has missing or non-numeric"):
        plot_weight_distance(table, metric="distance")
