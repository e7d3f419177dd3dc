"""lighteval results files, both key styles: numbers checked against ``fixtures/io/lighteval``.

``results/runs/llama2-7b-plw0/…json`` uses ``suite|task|fewshot`` keys (lighteval ≤ 0.12) and
records metrics by name only; ``results/runs/llama2-7b-plw0.1/…json`` uses ``task|fewshot``
keys (0.13) and records each metric's category and direction.
"""

import json
from pathlib import Path

import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.detect import read_results_file
from plw_stats.io.lighteval import read_lighteval, split_key
from plw_stats.io.manifest import collect

ROOT = Path(__file__).parents[1] / "fixtures" / "io" / "lighteval"
OLD = ROOT / "results" / "runs" / "llama2-7b-plw0" / "results_2024-06-01T09-15-30.123456.json"
NEW = ROOT / "results" / "runs" / "llama2-7b-plw0.1" / "results_2025-12-01T08-00-00.000000.json"


def rows(frame):
    return frame.set_index("benchmark")


def test_split_key_both_styles():
    assert split_key("leaderboard|arc:challenge|25")[1:] == ("leaderboard", "arc:challenge", 25)
    assert split_key("arc:challenge|25")[1:] == ("", "arc:challenge", 25)
    assert split_key("all")[1:] == ("", "all", None)


def test_old_keys_first_metric_and_stderr():
    frame = rows(read_lighteval(OLD))
    assert frame.index.tolist() == ["arc:challenge", "hellaswag", "gsm8k", "mmlu"]  # no 'all'
    arc = frame.loc["arc:challenge"]
    assert (arc["metric"], arc["score"], arc["stderr"]) == ("acc", 0.4514, 0.0145)
    assert (arc["task"], arc["n_shot"], arc["task_version"]) == (
        "leaderboard|arc:challenge|25",
        25,
        "0",
    )
    assert arc["entry"] == "runs/llama2-7b-plw0"
    assert (frame.loc["gsm8k", "metric"], frame.loc["gsm8k", "score"]) == ("qem", 0.1425)
    assert frame["task_type"].isna().all()  # metrics recorded by name only


def test_new_keys_with_types_from_config_tasks():
    frame = rows(read_lighteval(NEW))
    assert frame.index.tolist() == ["arc:challenge", "hellaswag", "gsm8k", "mmlu"]
    assert frame.loc["hellaswag", "score"] == 0.5711
    assert frame["task_type"].to_dict() == {
        "arc:challenge": "MC",
        "hellaswag": "MC",
        "gsm8k": "GS",
        "mmlu": "MC",  # the subsets' common type
    }


def test_average_stands_for_its_subsets_unless_level_tasks():
    mmlu = rows(read_lighteval(NEW)).loc["mmlu"]
    assert (mmlu["score"], mmlu["stderr"], mmlu["task"]) == (0.3735, 0.04465, "mmlu:_average|5")
    leaves = rows(read_lighteval(NEW, level="tasks"))
    assert "mmlu" not in leaves.index
    assert leaves.loc["mmlu:anatomy", "score"] == 0.437
    assert leaves.loc["mmlu:abstract_algebra", "score"] == 0.31


def test_metric_override_and_task_filter():
    frame = read_lighteval(OLD, metrics={"arc:challenge": "acc_norm"}, tasks=["arc:challenge"])
    assert frame["benchmark"].tolist() == ["arc:challenge"]
    assert frame.loc[0, "score"] == 0.4898


def test_detected_before_lm_eval():
    assert read_results_file(NEW).loc[0, "layout"] == "lighteval"


def test_collect_from_the_manifest_alone():
    collection = collect(ROOT / "manifest.csv")
    scores = collection.scores
    assert scores.shape[0] == 8
    # the older file states no types; they come from the newer file of the same benchmarks
    assert scores["task_type"].notna().all()
    gsm8k = scores[scores["benchmark"] == "gsm8k"].set_index("plw")["score"]
    assert gsm8k.to_dict() == {0.0: 0.1425, 0.1: 0.1592}


def write(tmp_path, results, **extra):
    data = {"config_general": {"model_name": "m"}, "results": results} | extra
    path = tmp_path / "results_2025-01-01T00-00-00.000000.json"
    path.write_text(json.dumps(data))
    return path


def test_lower_is_better_from_config_tasks(tmp_path):
    metric = {"metric_name": "ppl", "higher_is_better": False, "category": "PERPLEXITY"}
    path = write(
        tmp_path,
        {"wikitext|0": {"ppl": 12.5}},
        config_tasks={"wikitext": {"metrics": [metric]}},
    )
    row = read_lighteval(path).iloc[0]
    assert (row["score"], row["scale"], row["task_type"]) == (-12.5, -1.0, None)


@pytest.mark.parametrize(
    ("results", "kwargs", "message"),
    [
        ({"gsm8k|5": {}}, {}, r"task 'gsm8k\|5' reports no metric"),
        (
            {"gsm8k|5": {"qem": 0.1}},
            {"metrics": {"gsm8k": "em"}},
            r"has no metric 'em' \(it reports qem\)",
        ),
        ({"gsm8k|5": {"qem": "x"}}, {}, r"metric 'qem': expected a number, got 'x'"),
        ({"arc|25": {"acc": 45.1}}, {}, r"metric 'acc' is 45\.1 but must lie in \[0, 1\]"),
        ({"gsm8k|5": {"qem": 0.1}}, {"entry": "other"}, r"the file is for model 'm', not 'other'"),
    ],
)
def test_malformed_files_get_one_line_errors(tmp_path, results, kwargs, message):
    with pytest.raises(DataSchemaError, match=message) as info:
        read_lighteval(write(tmp_path, results), **kwargs)
    assert "\n" not in str(info.value)


def test_not_lighteval(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"config_general": {}, "scores": {}}))
    with pytest.raises(DataSchemaError, match=r"not a lighteval results file"):
        read_lighteval(path)
