"""lm-eval 0.4 as written today: defaults from the file, the group tree, direction, timestamps.

The fixtures in ``fixtures/io/lmeval/tree`` (written by ``make_tree_fixtures.py``) hold 17
common tasks and the MMLU tree (mmlu → 4 categories → 57 subjects) for two runs; every number
below is in those files.
"""

import json
import shutil
from pathlib import Path

import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import notes_of
from plw_stats.io.lmeval import read_lmeval
from plw_stats.io.manifest import collect

TREE = Path(__file__).parents[1] / "fixtures" / "io" / "lmeval" / "tree"
PLW0 = TREE / "plw0" / "runs__llama2-7b-plw0" / "results_2025-03-01T10-00-00.000000.json"
PLW01 = TREE / "plw0.1" / "runs__llama2-7b-plw0.1" / "results_2025-03-02T11-30-00.000000.json"
SEVENTEEN = [
    "arc_easy", "arc_challenge", "hellaswag", "lambada_openai", "sciq", "mrpc", "qqp", "piqa",
    "winogrande", "boolq", "openbookqa", "rte", "wnli", "cola", "sst2", "gsm8k", "mmlu",
]  # fmt: skip
CATEGORIES = ["mmlu_humanities", "mmlu_other", "mmlu_social_sciences", "mmlu_stem"]


def rows(frame):
    return frame.set_index("benchmark")


def test_seventeen_benchmarks_with_mmlu_as_one():
    frame = read_lmeval(PLW0)
    assert frame["benchmark"].tolist() == SEVENTEEN
    mmlu = rows(frame).loc["mmlu"]
    assert mmlu["score"] == pytest.approx(0.5821316479134027)  # the file's groups.mmlu
    assert mmlu["score"] == json.loads(PLW0.read_text())["groups"]["mmlu"]["acc,none"]
    assert (mmlu["metric"], mmlu["task_type"], mmlu["task_version"]) == ("acc", "MC", "2")
    assert mmlu["n_shot"] == 0  # every subject's n-shot
    assert "mmlu: the group's aggregated score stands for its 57 tasks" in notes_of(frame)[1]


def test_every_benchmark_is_typed_from_output_type():
    types = rows(read_lmeval(PLW0))["task_type"]
    assert types.notna().all()
    assert types["gsm8k"] == "GS"  # generate_until
    assert types["lambada_openai"] == "MC"  # loglikelihood
    assert set(types.drop("gsm8k")) == {"MC"}


def test_default_metric_is_the_first_of_metric_list_with_its_filter():
    frame = rows(read_lmeval(PLW0))
    assert (frame.loc["hellaswag", "metric"], frame.loc["hellaswag", "score"]) == ("acc", 0.738)
    assert frame.loc["mrpc", "metric"] == "acc"
    assert frame.loc["cola", "score"] == pytest.approx(0.1765)  # mcc, the only metric
    gsm8k = frame.loc["gsm8k"]
    assert gsm8k["metric"] == "exact_match,strict-match"
    assert gsm8k["score"] == pytest.approx(0.4802)
    assert gsm8k["stderr"] == pytest.approx(0.013761681753105182)
    assert gsm8k["n_shot"] == 5
    # the paper's default wins over metric_list: arc_challenge lists acc first
    assert frame.loc["arc_challenge", "metric"] == "acc_norm"


def test_lower_is_better_metric_is_turned_around_with_a_note():
    frame = read_lmeval(PLW0)
    lambada = rows(frame).loc["lambada_openai"]
    assert lambada["metric"] == "perplexity"
    assert (lambada["raw_score"], lambada["scale"]) == (4.8986, -1.0)
    assert lambada["score"] == pytest.approx(-4.8986)
    assert lambada["stderr"] == pytest.approx(0.1594)
    assert notes_of(frame)[0] == (
        "lambada_openai: perplexity is lower-is-better, so score = -perplexity (higher is better)"
    )


def test_metric_overrides_with_and_without_filter():
    metrics = {"gsm8k": "exact_match", "lambada_openai": "acc", "hellaswag": "acc_norm"}
    frame = rows(read_lmeval(PLW0, metrics=metrics))
    assert frame.loc["gsm8k", "metric"] == "exact_match,strict-match"
    assert frame.loc["lambada_openai", "score"] == pytest.approx(0.5762)
    assert frame.loc["lambada_openai", "scale"] == 1
    assert frame.loc["hellaswag", "score"] == pytest.approx(0.7977)
    flexible = read_lmeval(PLW0, metrics={"gsm8k": "exact_match,flexible-extract"})
    assert rows(flexible).loc["gsm8k", "score"] == pytest.approx(0.4922)


def test_level_subgroups_gives_the_four_categories():
    frame = rows(read_lmeval(PLW01, level="subgroups"))
    assert frame.index.tolist() == [*SEVENTEEN[:-1], *CATEGORIES]
    assert frame.loc["mmlu_stem", "score"] == pytest.approx(0.5786300348874088)
    assert frame.loc["mmlu_humanities", "score"] == pytest.approx(0.5762229968119023)


def test_level_tasks_gives_the_57_subjects():
    frame = read_lmeval(PLW0, level="tasks")
    assert len(frame) == 16 + 57
    assert not set(frame["benchmark"]) & {"mmlu", *CATEGORIES}
    subjects = frame[frame["benchmark"].str.startswith("mmlu_")]
    assert len(subjects) == 57 and set(subjects["task_type"]) == {"MC"}
    assert not any("aggregated" in note for note in notes_of(frame))


def test_named_tasks_are_kept_whatever_the_level():
    frame = read_lmeval(PLW0, tasks=["mmlu_stem", "mmlu_anatomy", "sciq"])
    assert frame["benchmark"].tolist() == ["sciq", "mmlu_stem", "mmlu_anatomy"]
    assert rows(frame).loc["mmlu_stem", "score"] == pytest.approx(0.609130225182366)


def write(tmp_path, data, name="results.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_tree_from_aliases_in_files_before_group_subtasks(tmp_path):
    results = {
        "mmlu": {"acc,none": 0.45, "acc_stderr,none": 0.004, "alias": "mmlu"},
        "mmlu_stem": {"acc,none": 0.40, "acc_stderr,none": 0.008, "alias": " - stem"},
        "mmlu_anatomy": {"acc,none": 0.38, "acc_stderr,none": 0.04, "alias": "  - anatomy"},
        "mmlu_other": {"acc,none": 0.50, "acc_stderr,none": 0.008, "alias": " - other"},
        "mmlu_virology": {"acc,none": 0.49, "acc_stderr,none": 0.04, "alias": "  - virology"},
        "piqa": {"acc,none": 0.78, "acc_norm,none": 0.79, "alias": "piqa"},
    }
    groups = {k: results[k] for k in ("mmlu", "mmlu_stem", "mmlu_other")}
    path = write(tmp_path, {"results": results, "groups": groups, "n-shot": {"piqa": 0}})
    assert read_lmeval(path)["benchmark"].tolist() == ["mmlu", "piqa"]
    assert read_lmeval(path, level="subgroups")["benchmark"].tolist() == [
        "mmlu_stem",
        "mmlu_other",
        "piqa",
    ]
    assert read_lmeval(path, level="tasks")["benchmark"].tolist() == [
        "mmlu_anatomy",
        "mmlu_virology",
        "piqa",
    ]


def test_group_without_aggregate_is_not_a_benchmark(tmp_path):
    data = {
        "results": {
            "glue": {"alias": "glue"},
            "rte": {"acc,none": 0.6, "alias": " - rte"},
            "sst2": {"acc,none": 0.9, "alias": " - sst2"},
        },
        "group_subtasks": {"glue": ["rte", "sst2"], "rte": [], "sst2": []},
        "n-shot": {"rte": 0, "sst2": 0},
    }
    assert read_lmeval(write(tmp_path, data))["benchmark"].tolist() == ["rte", "sst2"]


def test_direction_from_the_file_or_the_metric_name(tmp_path):
    data = {
        "results": {
            "wikitext": {"word_perplexity,none": 21.5, "bits_per_byte,none": 0.66},
            "custom": {"loss,none": 1.25},
            "judged": {"error_rate,none": 0.2},
        },
        "configs": {"wikitext": {"output_type": "loglikelihood_rolling"}},
        "higher_is_better": {"judged": {"error_rate": False}},
        "n-shot": {"wikitext": 0, "custom": 0, "judged": 0},
    }
    frame = rows(read_lmeval(write(tmp_path, data), metrics={"wikitext": "word_perplexity"}))
    assert frame.loc["wikitext", "score"] == -21.5
    assert frame.loc["wikitext", "task_type"] is None  # loglikelihood_rolling stays untyped
    assert frame.loc["custom", "score"] == -1.25  # by name
    assert frame.loc["judged", "score"] == -0.2  # the file's higher_is_better


def test_metric_list_naming_a_missing_metric_is_refused(tmp_path):
    data = {
        "results": {"mrpc": {"acc,none": 0.7, "alias": "mrpc"}},
        "configs": {"mrpc": {"metric_list": [{"metric": "f1"}], "output_type": "multiple_choice"}},
        "n-shot": {"mrpc": 0},
    }
    with pytest.raises(
        DataSchemaError,
        match=r"task 'mrpc' has no metric 'f1,none' \(it reports acc,none\); choose one with "
        r"--metric mrpc=NAME$",
    ):
        read_lmeval(write(tmp_path, data))


def test_unknown_level_is_refused():
    with pytest.raises(DataSchemaError, match=r"level 'all' is unknown; use one of groups"):
        read_lmeval(PLW0, level="all")


def test_collect_two_runs_without_options():
    collection = collect(TREE / "manifest.csv")
    scores = collection.scores
    assert scores.shape[0] == 34
    assert sorted(scores["benchmark"].unique()) == sorted(SEVENTEEN)
    assert scores["task_type"].notna().all()
    mmlu = scores[scores["benchmark"] == "mmlu"].set_index("plw")["score"]
    assert mmlu.to_dict() == {0.0: 0.5821316479134027, 0.1: 0.5800854080615296}
    assert any(n.startswith("lambada_openai: perplexity") for n in collection.notes)
    assert any("and 1 more file(s)" in n for n in collection.notes)


def test_collect_level_subgroups():
    scores = collect(TREE / "manifest.csv", level="subgroups").scores
    assert scores["benchmark"].nunique() == 20
    stem = scores[scores["benchmark"] == "mmlu_stem"].set_index("plw")["score"]
    assert stem.to_dict() == {0.0: 0.609130225182366, 0.1: 0.5786300348874088}


@pytest.fixture
def tree(tmp_path):
    return Path(shutil.copytree(TREE, tmp_path / "tree"))


def test_newest_results_file_of_a_folder_wins(tree):
    older = {
        "results": {"arc_easy": {"acc,none": 0.11, "acc_norm,none": 0.12, "alias": "arc_easy"}},
        "configs": {"arc_easy": {"metric_list": [{"metric": "acc"}, {"metric": "acc_norm"}]}},
        "n-shot": {"arc_easy": 0},
    }
    folder = tree / "plw0" / "runs__llama2-7b-plw0"
    (folder / "results_2025-02-27T08-00-00.000000.json").write_text(json.dumps(older))
    collection = collect(tree / "manifest.csv")
    arc = collection.scores.query("benchmark == 'arc_easy' and plw == 0")
    assert arc["score"].tolist() == [0.6322]
    assert collection.notes[-1] == (
        "plw0/runs__llama2-7b-plw0/results_2025-02-27T08-00-00.000000.json: older than "
        "plw0/runs__llama2-7b-plw0/results_2025-03-01T10-00-00.000000.json; not used for arc_easy"
    )


def test_newer_file_adds_tasks_the_older_lacks(tree):
    newer = {
        "results": {"arc_easy": {"acc,none": 0.66, "acc_norm,none": 0.70, "alias": "arc_easy"}},
        "configs": {"arc_easy": {"metric_list": [{"metric": "acc"}, {"metric": "acc_norm"}]}},
        "n-shot": {"arc_easy": 0},
    }
    folder = tree / "plw0" / "runs__llama2-7b-plw0"
    (folder / "results_2025-03-05T08-00-00.000000.json").write_text(json.dumps(newer))
    scores = collect(tree / "manifest.csv").scores
    run = scores[scores["plw"] == 0].set_index("benchmark")
    assert len(run) == 17
    assert run.loc["arc_easy", "score"] == 0.66
    assert run.loc["hellaswag", "score"] == 0.738  # still from the older file
