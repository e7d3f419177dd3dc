"""inspect_ai logs (``.eval`` zip and ``.json``) read without inspect_ai: numbers checked against
``fixtures/io/inspect/logs`` (written by ``make_logs.py``)."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.detect import find_results_files, read_results_file
from plw_stats.io.inspect_logs import read_inspect_log
from plw_stats.io.manifest import collect

ROOT = Path(__file__).parents[1] / "fixtures" / "io" / "inspect"
LOGS = ROOT / "logs" / "plw0"
EVAL = LOGS / "2025-03-01T10-00-00+00-00_arc-challenge_X7kQ2m.eval"
JSON = LOGS / "2025-03-01T10-45-00+00-00_gsm8k_P3rT9w.json"


def test_eval_zip_first_scorer_first_metric():
    row = read_inspect_log(EVAL).iloc[0]
    assert row["benchmark"] == "arc_challenge"
    assert (row["score"], row["stderr"], row["scale"]) == (0.4471, 0.0145, 1.0)
    assert (row["metric"], row["task_type"]) == ("choice/accuracy", "MC")
    assert (row["task"], row["entry"], row["n_samples"]) == (
        "inspect_evals/arc_challenge",
        "hf/runs/llama2-7b-plw0",
        1172,
    )


def test_json_log():
    row = read_inspect_log(JSON).iloc[0]
    assert (row["benchmark"], row["score"], row["stderr"]) == ("gsm8k", 0.1432, 0.0096)
    assert (row["metric"], row["task_type"]) == ("match/accuracy", "GS")


def test_metric_override_by_name_or_scorer(tmp_path):
    assert read_inspect_log(JSON, metrics={"gsm8k": "stderr"}).loc[0, "score"] == 0.0096
    frame = read_inspect_log(JSON, metrics={"gsm8k": "match/accuracy"})
    assert frame.loc[0, "score"] == 0.1432
    with pytest.raises(DataSchemaError, match=r"has no metric 'choice/accuracy' \(it reports"):
        read_inspect_log(JSON, metrics={"gsm8k": "choice/accuracy"})


def test_eval_logs_are_found_in_run_folders():
    assert [p.name for p in find_results_files(LOGS)] == [EVAL.name]
    assert read_results_file(EVAL).loc[0, "layout"] == "inspect-log"
    assert read_results_file(JSON).loc[0, "layout"] == "inspect-log"


def test_collect_from_the_manifest_alone():
    scores = collect(ROOT / "manifest.csv").scores
    assert scores.shape[0] == 4
    arc = scores[scores["benchmark"] == "arc_challenge"].set_index("plw")["score"]
    assert arc.to_dict() == {0.0: 0.4471, 0.1: 0.4684}
    assert scores["task_type"].notna().all()


def rewrite_header(tmp_path, change, drop_header=False):
    path = tmp_path / EVAL.name
    with zipfile.ZipFile(EVAL) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "header.json":
                if drop_header:
                    continue
                data = json.dumps(change(json.loads(data)))
            target.writestr(name, data)
    return path


def test_unfinished_logs_are_refused(tmp_path):
    path = rewrite_header(tmp_path, lambda h: h | {"status": "error"})
    with pytest.raises(
        DataSchemaError,
        match=r"log of task 'inspect_evals/arc_challenge' has status 'error', not 'success'; "
        r"finish it \(inspect eval-retry\) or leave the log out$",
    ):
        read_inspect_log(path)
    started = rewrite_header(tmp_path, None, drop_header=True)
    with pytest.raises(DataSchemaError, match=r"has status 'started', not 'success'"):
        read_inspect_log(started)


def test_other_model_than_entry_is_refused():
    with pytest.raises(DataSchemaError, match=r"the log is for model 'hf/runs/llama2-7b-plw0'"):
        read_inspect_log(EVAL, entry="hf/runs/llama2-7b-plw1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h | {"results": {"scores": []}}, r"the log has no results\.scores"),
        (
            lambda h: h | {"results": {"scores": [{"name": "s", "metrics": {"stderr": 0.1}}]}},
            r"scorer 's' reports no metric",
        ),
        (
            lambda h: (
                h
                | {"results": {"scores": [{"name": "s", "metrics": {"accuracy": {"value": "x"}}}]}}
            ),
            r"metric 'accuracy': expected a number, got 'x'",
        ),
    ],
)
def test_malformed_logs_get_one_line_errors(tmp_path, change, message):
    with pytest.raises(DataSchemaError, match=message) as info:
        read_inspect_log(rewrite_header(tmp_path, change))
    assert "\n" not in str(info.value)


def test_not_a_zip_or_not_a_log(tmp_path):
    broken = tmp_path / "x.eval"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DataSchemaError, match=r"x\.eval: not a readable \.eval log"):
        read_inspect_log(broken)
    other = tmp_path / "x.json"
    shutil.copy(JSON, other)
    other.write_text(json.dumps({"status": "success", "eval": {}}))
    with pytest.raises(DataSchemaError, match=r"not an inspect_ai log"):
        read_inspect_log(other)
