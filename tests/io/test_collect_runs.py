"""Manifest columns ``seed`` and ``clw``: repeated runs and completion loss weights in collect."""

import json
import shutil
from pathlib import Path

import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io import read_scores
from plw_stats.io.manifest import collect, manifest_from_pattern, read_manifest

SWEEP = Path(__file__).parents[1] / "fixtures" / "io" / "sweep"


@pytest.fixture
def runs(tmp_path):
    """plw 0.1 and 1 results, each also as a second seed with another piqa score."""
    root = tmp_path / "runs"
    for plw, source, piqa in (
        ("0.1", "plw0.1/results.json", 0.80),
        ("1", "plw1/lm-eval-old/results.json", 0.77),
    ):
        for seed in ("1", "2"):
            target = root / f"plw{plw}" / f"seed{seed}" / "results.json"
            target.parent.mkdir(parents=True)
            shutil.copy(SWEEP / "runs" / source, target)
        second = root / f"plw{plw}" / "seed2" / "results.json"
        data = json.loads(second.read_text())
        key = "acc,none" if "acc,none" in data["results"]["piqa"] else "acc"
        data["results"]["piqa"][key] = piqa
        second.write_text(json.dumps(data))
    return root


def manifest(root, lines, header="path,dataset,model,plw,seed"):
    path = root / "manifest.csv"
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    return path


SEEDS = [
    "plw0.1/seed1/results.json,D,m,0.1,1",
    "plw0.1/seed2/results.json,D,m,0.1,2",
    "plw1/seed1/results.json,D,m,1,1",
    "plw1/seed2/results.json,D,m,1,2",
]


def test_two_seeds_per_run_are_kept(runs, tmp_path):
    scores = collect(manifest(runs, SEEDS), tasks=["piqa"]).scores
    assert scores[["plw", "seed", "score"]].values.tolist() == [
        [0.1, "1", 0.79],
        [0.1, "2", 0.80],
        [1.0, "1", 0.78],
        [1.0, "2", 0.77],
    ]
    scores.to_csv(tmp_path / "scores.csv", index=False)
    assert read_scores(tmp_path / "scores.csv")["seed"].tolist() == ["1", "2", "1", "2"]


def test_same_seed_twice_is_refused(runs):
    lines = [*SEEDS[:1], SEEDS[1].replace(",2", ",1"), *SEEDS[2:]]
    with pytest.raises(
        DataSchemaError,
        match=r"run \(dataset=D, model=m, plw=0\.1, seed=1\) gets benchmark 'piqa' from more than "
        r"one file \(plw0\.1/seed1/results\.json and plw0\.1/seed2/results\.json\)",
    ):
        collect(manifest(runs, lines), tasks=["piqa"])


def test_a_seed_missing_a_benchmark_is_named(runs):
    data = json.loads((runs / "plw1" / "seed2" / "results.json").read_text())
    del data["results"]["winogrande"]
    (runs / "plw1" / "seed2" / "results.json").write_text(json.dumps(data))
    with pytest.raises(DataSchemaError, match=r"run \(dataset=D, model=m, plw=1, seed=2\) has no"):
        collect(manifest(runs, SEEDS), tasks=["piqa", "winogrande"])


def test_clw_runs_are_distinct(runs):
    lines = [
        "plw0.1/seed1/results.json,D,m,0.1,1",
        "plw0.1/seed2/results.json,D,m,0.1,0.5",
        "plw1/seed1/results.json,D,m,1,1",
        "plw1/seed2/results.json,D,m,1,0.5",
    ]
    scores = collect(
        manifest(runs, lines, header="path,dataset,model,plw,clw"), tasks=["piqa"]
    ).scores
    assert list(scores.columns[:5]) == ["dataset", "model", "plw", "benchmark", "score"]
    assert scores[["plw", "clw", "score"]].values.tolist() == [
        [0.1, 0.5, 0.80],
        [0.1, 1.0, 0.79],
        [1.0, 0.5, 0.77],
        [1.0, 1.0, 0.78],
    ]


def test_without_clw_no_clw_column(runs):
    scores = collect(manifest(runs, SEEDS), tasks=["piqa"]).scores
    assert "clw" not in scores.columns


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2", r"line 2: clw '2' is not a number in \[0, 1\]; write 1 for the full completion"),
        ("", r"line 2: clw '' is not a number in \[0, 1\]"),
        ("most", r"line 2: clw 'most' is not a number"),
    ],
)
def test_bad_clw_in_manifest(runs, value, message):
    lines = [f"plw0.1/seed1/results.json,D,m,0.1,{value}"]
    with pytest.raises(DataSchemaError, match=message):
        read_manifest(manifest(runs, lines, header="path,dataset,model,plw,clw"))


def test_blank_seed_is_no_seed(runs):
    table = read_manifest(manifest(runs, ["plw0.1/seed1/results.json,D,m,0.1,"]))
    assert table["seed"].tolist() == [None]


def test_seed_from_a_path_pattern(runs):
    table = manifest_from_pattern(
        runs, "plw{plw}/seed{seed}/results.json", constants={"dataset": "D", "model": "m"}
    )
    assert sorted(zip(table["plw"], table["seed"], strict=True)) == [
        (0.1, "1"),
        (0.1, "2"),
        (1.0, "1"),
        (1.0, "2"),
    ]
    assert len(collect(table, tasks=["piqa"]).scores) == 4
