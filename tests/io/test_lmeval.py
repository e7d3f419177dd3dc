"""lm-evaluation-harness v0.4 and v0.3 results files: every number checked against the file."""

import json
import math
from pathlib import Path

import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.lmeval import V03, V04, detect_layout, read_lmeval

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io" / "lmeval"


def by_benchmark(frame):
    return frame.set_index("benchmark")


def test_v04_layout_defaults():
    frame = by_benchmark(read_lmeval(FIXTURES / "results_v04.json"))
    assert sorted(frame.index) == [
        "arc_challenge",
        "piqa",
        "truthfulqa_gen",
        "truthfulqa_mc1",
        "truthfulqa_mc2",
        "winogrande",
        "wmt16-en-de",
    ]  # the 'truthfulqa' group aggregate is not a benchmark
    arc = frame.loc["arc_challenge"]
    assert arc["score"] == pytest.approx(0.4453924914675768)
    assert arc["stderr"] == pytest.approx(0.014523987638344076)
    assert arc["metric"] == "acc_norm"
    assert arc["task_type"] == "MC"
    assert arc["task_version"] == "1.0"
    assert arc["n_shot"] == 25
    assert arc["scale"] == 1
    assert arc["layout"] == V04
    assert frame.loc["piqa", "score"] == pytest.approx(0.7797606093579978)
    assert frame.loc["winogrande", "score"] == pytest.approx(0.6937647987371744)
    assert frame.loc["winogrande", "n_shot"] == 5


def test_v04_truthfulqa_mc2_is_acc_and_na_stderr_is_nan():
    row = by_benchmark(read_lmeval(FIXTURES / "results_v04.json")).loc["truthfulqa_mc2"]
    assert row["score"] == pytest.approx(0.3896)
    assert row["metric"] == "acc"
    assert math.isnan(row["stderr"])
    assert row["task_version"] == "3.0"


def test_v04_percent_metrics_are_rescaled():
    frame = by_benchmark(read_lmeval(FIXTURES / "results_v04.json"))
    gen = frame.loc["truthfulqa_gen"]
    assert (gen["metric"], gen["task_type"]) == ("bleu_max", "GS")
    assert gen["raw_score"] == pytest.approx(26.48)
    assert gen["score"] == pytest.approx(0.2648)
    assert gen["stderr"] == pytest.approx(0.0079)
    assert gen["scale"] == 100
    wmt = frame.loc["wmt16-en-de"]
    assert (wmt["metric"], wmt["score"], wmt["stderr"]) == (
        "bleu",
        pytest.approx(0.217),
        pytest.approx(0.0061),
    )


def test_v04_metric_override_and_task_filter():
    frame = read_lmeval(
        FIXTURES / "results_v04.json",
        metrics={"arc_challenge": "acc", "truthfulqa_gen": "bleu_acc"},
        tasks=["arc_challenge", "truthfulqa_gen"],
    )
    frame = by_benchmark(frame)
    assert list(frame.index) == ["arc_challenge", "truthfulqa_gen"]
    assert frame.loc["arc_challenge", "score"] == pytest.approx(0.4112627986348123)
    assert frame.loc["truthfulqa_gen", "score"] == pytest.approx(0.3427172582619339)
    assert frame.loc["truthfulqa_gen", "scale"] == 1


def test_v03_layout():
    frame = by_benchmark(read_lmeval(FIXTURES / "results_v03.json"))
    assert sorted(frame.index) == [
        "arc_challenge",
        "truthfulqa_mc1",
        "truthfulqa_mc2",
        "winogrande",
    ]
    assert set(frame["layout"]) == {V03}
    mc2 = frame.loc["truthfulqa_mc2"]
    assert (mc2["task"], mc2["metric"]) == ("truthfulqa_mc", "mc2")
    assert mc2["score"] == pytest.approx(0.3875964544710474)
    assert mc2["stderr"] == pytest.approx(0.01357658420652412)
    assert mc2["task_version"] == "1"
    assert frame.loc["truthfulqa_mc1", "score"] == pytest.approx(0.2484700122399021)
    assert frame.loc["arc_challenge", "score"] == pytest.approx(0.4539249146757679)
    assert frame.loc["arc_challenge", "stderr"] == pytest.approx(0.014549221105171865)
    assert frame.loc["arc_challenge", "n_shot"] == 25  # v0.3 has one num_fewshot for all


def test_detect_layout():
    assert detect_layout({"results": {"a": {"acc": 1}}}) == V03
    assert detect_layout({"results": {"a": {"acc,none": 1}}}) == V04
    assert detect_layout({"results": {}}) is None
    assert detect_layout([1, 2]) is None


def write(tmp_path, data, name="results.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"results": {', r"results\.json: malformed JSON at line 1"),
        ({"scores": {}}, r"unknown layout, not an lm-evaluation-harness results file"),
        (
            {"results": {"piqa": {"acc_norm,none": 0.5}}},
            r"task 'piqa' has no metric 'acc,none' \(it reports acc_norm,none\); "
            r"choose one with --metric piqa=NAME",
        ),
        (
            {"results": {"hellaswag": {"acc,none": 0.5, "acc_norm,none": 0.6}}},
            r"task 'hellaswag' has no default metric and reports acc,none, acc_norm,none",
        ),
        ({"results": {"piqa": {"acc,none": "high"}}}, r"expected a number, got 'high'"),
        ({"results": {"piqa": {"acc,none": None}}}, r"metric 'acc,none' has no value"),
        ({"results": {"piqa": {"acc,none": 77.9}}}, r"is 77\.9 but must lie in \[0, 1\]"),
    ],
)
def test_bad_files_raise_one_line_errors(tmp_path, data, message):
    with pytest.raises(DataSchemaError, match=message) as info:
        read_lmeval(write(tmp_path, data))
    assert "\n" not in str(info.value)


def test_unknown_task_with_single_metric_is_kept(tmp_path):
    frame = read_lmeval(write(tmp_path, {"results": {"boolq": {"acc,none": 0.75}}}))
    assert frame.loc[0, "benchmark"] == "boolq"
    assert frame.loc[0, "score"] == 0.75
    assert frame.loc[0, "task_type"] is None
