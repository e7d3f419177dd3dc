"""Manifests and collect: the 3-run sweep fixture, layout detection and every refusal."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io import read_scores
from plw_stats.io.detect import find_results_files, read_results_file
from plw_stats.io.manifest import collect, manifest_from_pattern, read_manifest

SWEEP = Path(__file__).parents[1] / "fixtures" / "io" / "sweep"
BENCHMARKS = [
    "alpaca_eval",
    "arc_challenge",
    "pandalm",
    "piqa",
    "truthfulqa_mc1",
    "truthfulqa_mc2",
    "winogrande",
    "wmt16-en-de",
]


@pytest.fixture
def sweep(tmp_path):
    """A writable copy of the sweep fixture."""
    return Path(shutil.copytree(SWEEP, tmp_path / "sweep"))


def score(frame, plw, benchmark, column="score"):
    match = frame[(frame["plw"] == plw) & (frame["benchmark"] == benchmark)]
    assert len(match) == 1
    return match[column].iloc[0]


def test_collect_sweep_numbers():
    scores = collect(SWEEP / "manifest.csv").scores
    assert scores.shape[0] == 24
    assert sorted(scores["benchmark"].unique()) == BENCHMARKS
    assert score(scores, 0.0, "arc_challenge") == pytest.approx(0.41)
    assert score(scores, 0.1, "arc_challenge") == pytest.approx(0.45)
    assert score(scores, 1.0, "arc_challenge") == pytest.approx(0.43)  # v0.3 acc_norm
    assert score(scores, 1.0, "truthfulqa_mc2", "metric") == "mc2"
    assert score(scores, 1.0, "truthfulqa_mc2") == pytest.approx(0.42)
    assert score(scores, 0.1, "truthfulqa_mc2", "metric") == "acc"
    assert score(scores, 0.0, "wmt16-en-de") == pytest.approx(0.185)
    assert score(scores, 0.0, "wmt16-en-de", "raw_score") == pytest.approx(18.5)
    assert score(scores, 1.0, "wmt16-en-de", "scale") == 100
    assert score(scores, 0.1, "alpaca_eval") == pytest.approx(0.30)
    assert score(scores, 0.1, "alpaca_eval", "stderr") == pytest.approx(0.016)
    assert score(scores, 0.0, "pandalm") == pytest.approx(60 / 170)  # 50 win, 20 tie, 100 lose
    assert score(scores, 0.1, "pandalm") == pytest.approx(5 / 8)  # verdicts 1,1,0,2,1,2,0,1
    assert score(scores, 1.0, "pandalm") == pytest.approx(80 / 170)
    assert set(scores["ratio"]) == {0.0816}
    assert dict(scores.groupby("benchmark")["task_type"].first()) == {
        "alpaca_eval": "GL",
        "arc_challenge": "MC",
        "pandalm": "GL",
        "piqa": "MC",
        "truthfulqa_mc1": "MC",
        "truthfulqa_mc2": "MC",
        "winogrande": "MC",
        "wmt16-en-de": "GS",
    }


def test_collect_provenance_names_every_file():
    collection = collect(SWEEP / "manifest.csv")
    sources = collection.provenance["source"].tolist()
    assert len(sources) == 10
    assert "runs/plw1/lm-eval-old/results.json" in sources
    assert collection.provenance["n_rows"].sum() == 24
    assert set(collection.scores["source"]) <= set(sources)


def test_collected_table_round_trips_through_read_scores(tmp_path):
    scores = collect(SWEEP / "manifest.csv").scores
    scores.to_csv(tmp_path / "scores.csv", index=False)
    table = read_scores(tmp_path / "scores.csv")
    assert table.shape[0] == 24
    assert {"metric", "stderr", "source", "task_type", "ratio"} <= set(table.columns)


def test_collect_tasks_and_metric_override():
    scores = collect(
        SWEEP / "manifest.csv", tasks=["arc_challenge", "piqa"], metrics={"arc_challenge": "acc"}
    ).scores
    assert sorted(scores["benchmark"].unique()) == ["arc_challenge", "piqa"]
    assert score(scores, 1.0, "arc_challenge") == pytest.approx(0.40)
    assert score(scores, 0.0, "arc_challenge") == pytest.approx(0.38)


def test_manifest_from_pattern(sweep):
    table = manifest_from_pattern(
        sweep / "runs", "plw{plw}/**/results*.json", constants={"dataset": "D", "model": "M"}
    )
    assert sorted(table["plw"]) == [0.0, 0.1, 1.0, 1.0]
    assert set(table["dataset"]) == {"D"}


def test_pattern_with_dataset_and_model(tmp_path):
    target = tmp_path / "AlpacaData" / "llama1-7b" / "plw-0.05" / "eval"
    target.mkdir(parents=True)
    shutil.copy(SWEEP / "runs" / "plw0.1" / "results.json", target / "results.json")
    table = manifest_from_pattern(tmp_path, "{dataset}/{model}/plw-{plw}/**/results*.json")
    row = table.iloc[0]
    assert (row["dataset"], row["model"], row["plw"]) == ("AlpacaData", "llama1-7b", 0.05)
    scores = collect(table).scores
    assert score(scores, 0.05, "piqa") == pytest.approx(0.79)


def test_pattern_needs_placeholders(tmp_path):
    with pytest.raises(DataSchemaError, match=r"lacks \{dataset\}"):
        manifest_from_pattern(tmp_path, "{model}/plw{plw}/results.json")


def test_folder_scan_skips_annotations(sweep):
    (sweep / "runs" / "plw1" / "annotations.json").write_text("[]")
    names = [p.name for p in find_results_files(sweep / "runs" / "plw1")]
    assert names == ["results.json", "pandalm.json", "results_2024-05-02T09-30-00.000000.json"]


def edit_manifest(sweep, old, new):
    path = sweep / "manifest.csv"
    path.write_text(path.read_text().replace(old, new))
    return path


def test_run_path_missing(sweep):
    path = edit_manifest(sweep, "runs/plw0.1,", "runs/plw0.2,")
    with pytest.raises(DataSchemaError, match=r"manifest line 5: .*runs/plw0\.2 does not exist"):
        collect(path)


def test_run_folder_without_results(sweep):
    shutil.rmtree(sweep / "runs" / "plw0.1")
    (sweep / "runs" / "plw0.1").mkdir()
    (sweep / "runs" / "plw0.1" / "notes.txt").write_text("crashed")
    with pytest.raises(DataSchemaError, match=r"run folder .*plw0\.1 holds no results file"):
        collect(sweep / "manifest.csv")


def test_benchmark_missing_from_a_run(sweep):
    (sweep / "runs" / "plw1" / "wmt" / "results_2024-05-02T09-30-00.000000.json").unlink()
    with pytest.raises(
        DataSchemaError,
        match=r"run \(dataset=AlpacaDataShort, model=llama2-7b, plw=1\) has no wmt16-en-de that "
        r"other runs have; .*--tasks",
    ):
        collect(sweep / "manifest.csv")


def test_two_files_claim_same_benchmark(sweep):
    extra = sweep / "runs" / "plw0.1" / "results_again.json"
    shutil.copy(sweep / "runs" / "plw0.1" / "results.json", extra)
    with pytest.raises(DataSchemaError, match=r"gets benchmark 'arc_challenge' from more than one"):
        collect(sweep / "manifest.csv")


def test_unknown_layout(sweep):
    (sweep / "runs" / "plw0.1" / "results.json").write_text(json.dumps({"accuracy": 0.4}))
    with pytest.raises(DataSchemaError, match=r"results\.json: unknown layout"):
        collect(sweep / "manifest.csv")


def test_malformed_json(sweep):
    (sweep / "runs" / "plw0.1" / "results.json").write_text('{"results": {"piqa": ')
    with pytest.raises(DataSchemaError, match=r"results\.json: malformed JSON at line 1"):
        collect(sweep / "manifest.csv")


def test_missing_metric(sweep):
    with pytest.raises(DataSchemaError, match=r"task 'piqa' has no metric 'exact_match,none'"):
        collect(sweep / "manifest.csv", metrics={"piqa": "exact_match"})


def test_unknown_task_requested():
    with pytest.raises(DataSchemaError, match=r"task 'hellaswag' matches no benchmark"):
        collect(SWEEP / "manifest.csv", tasks=["piqa", "hellaswag"])


def test_run_with_no_rows_for_tasks(sweep):
    path = edit_manifest(sweep, "runs/plw1,", "runs/plw1/pandalm.json,")
    with pytest.raises(DataSchemaError, match=r"plw=1\) has no results for the tasks piqa"):
        collect(path, tasks=["piqa"])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("path,dataset", "file,dataset", r"missing column\(s\) path"),
        ("llama2-7b,0.1,", "llama2-7b,high,", r"line 5: plw 'high' is not a number in \[0, 1\]"),
        (",0.0816\nruns/plw0.1", ",-1\nruns/plw0.1", r"line 4: ratio '-1' is not a positive"),
        ("runs/plw1,AlpacaDataShort", "runs/plw1,", r"line 7: column 'dataset' is empty"),
    ],
)
def test_bad_manifests(sweep, old, new, message):
    with pytest.raises(DataSchemaError, match=message):
        read_manifest(edit_manifest(sweep, old, new))


def test_unknown_task_type_drops_column_with_note(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps({"results": {"boolq": {"acc,none": 0.7}}}))
    (tmp_path / "manifest.csv").write_text("path,dataset,model,plw\nresults.json,d,m,0\n")
    collection = collect(tmp_path / "manifest.csv")
    assert "task_type" not in collection.scores.columns
    assert "--task-type boolq=MC" in collection.notes[0]
    typed = collect(tmp_path / "manifest.csv", task_types={"boolq": "mc"}).scores
    assert typed["task_type"].tolist() == ["MC"]


def test_read_results_file_rejects_other_csv(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(
        DataSchemaError, match=r"x\.csv: unknown layout, a CSV that is neither an AlpacaEval"
    ):
        read_results_file(tmp_path / "x.csv")


def test_annotations_named_explicitly_are_read():
    path = Path(__file__).parents[1] / "fixtures" / "io" / "alpacaeval" / "annotations.json"
    frame = read_results_file(path, entry="llama2-7b-plw0.1")
    assert frame.loc[0, "benchmark"] == "alpaca_eval"
    assert frame.loc[0, "score"] == pytest.approx(0.6)
    assert frame.loc[0, "layout"] == "alpacaeval-annotations"


def test_other_file_types_are_unknown(tmp_path):
    (tmp_path / "scores.txt").write_text("0.5")
    with pytest.raises(DataSchemaError, match=r"scores\.txt: unknown layout \(file type '\.txt'\)"):
        read_results_file(tmp_path / "scores.txt")


def test_manifest_with_byte_order_mark(sweep):
    path = sweep / "manifest.csv"
    path.write_text("\ufeff" + path.read_text(), encoding="utf-8")
    assert len(read_manifest(path)) == 7


def test_collect_plain_dataframe_manifest():
    table = pd.DataFrame(
        {
            "path": ["runs/plw0.1/results.json", "runs/plw1/lm-eval-old/results.json"],
            "dataset": ["D", "D"],
            "model": ["m", "m"],
            "plw": [0.1, 1.0],
        }
    )
    scores = collect(table, base=SWEEP, tasks=["piqa"]).scores
    assert scores["score"].tolist() == pytest.approx([0.79, 0.78])
    assert scores["source"].tolist() == table["path"].tolist()
