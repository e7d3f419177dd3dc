"""FastChat MT-Bench single-answer judgments: numbers checked against the fixture by hand.

``fixtures/io/mtbench/model_judgment/gpt-4_single.jsonl`` judges questions 81, 82 and 101 over
two turns.  llama2-7b-plw0: question 81 turn 1 was judged 6 and later (newer tstamp) 8; question
82 turn 1 was judged 7 and, in an older line appended out of order, 2; question 82 turn 2 failed
(-1).  So its ratings are 8, 7, 3 (turn 1) and 5, 4 (turn 2): mean 27/5 = 5.4.
llama2-7b-plw0.1: 7, 8, 4 and 6.5, 7, 5: mean 37.5/6 = 6.25.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import notes_of
from plw_stats.io.detect import read_results_file
from plw_stats.io.manifest import collect
from plw_stats.io.mtbench import read_mtbench

ROOT = Path(__file__).parents[1] / "fixtures" / "io" / "mtbench"
FILE = ROOT / "model_judgment" / "gpt-4_single.jsonl"


def test_mean_rating_latest_judgment_and_failed_left_out():
    frame = read_mtbench(FILE, entry="llama2-7b-plw0")
    row = frame.iloc[0]
    assert row["benchmark"] == "mt_bench"
    assert row["raw_score"] == pytest.approx(5.4)
    assert row["score"] == pytest.approx(0.54)
    assert row["scale"] == 10
    assert row["stderr"] == pytest.approx(np.std([8, 7, 3, 5, 4], ddof=1) / math.sqrt(5) / 10)
    assert (row["n_ratings"], row["n_questions"], row["n_repeats"], row["n_failed"]) == (5, 3, 2, 1)
    assert (row["task_type"], row["metric"], row["judge"]) == ("GL", "score", "gpt-4")
    assert notes_of(frame) == (
        "MT-Bench llama2-7b-plw0: 2 repeated judgment(s) of the same question and turn; the "
        "latest (by tstamp) counts",
        "MT-Bench llama2-7b-plw0: 1 failed rating(s) (-1) left out",
    )


def test_clean_model_has_no_notes():
    frame = read_mtbench(FILE, entry="llama2-7b-plw0.1")
    assert frame.loc[0, "raw_score"] == pytest.approx(6.25)
    assert frame.loc[0, "n_repeats"] == 0 and frame.loc[0, "n_failed"] == 0
    assert notes_of(frame) == ()


def test_per_turn_benchmarks():
    frame = read_mtbench(FILE, entry="llama2-7b-plw0", level="tasks").set_index("benchmark")
    assert frame.index.tolist() == ["mt_bench_turn1", "mt_bench_turn2"]
    assert frame.loc["mt_bench_turn1", "raw_score"] == pytest.approx(6.0)  # 8, 7, 3
    assert frame.loc["mt_bench_turn2", "raw_score"] == pytest.approx(4.5)  # 5, 4


def test_detected_from_content():
    frame = read_results_file(FILE, entry="llama2-7b-plw0.1")
    assert frame.loc[0, "layout"] == "mtbench-single"


def test_collect_from_the_manifest_alone():
    collection = collect(ROOT / "manifest.csv")
    scores = collection.scores.set_index("plw")
    assert scores["score"].to_dict() == pytest.approx({0.0: 0.54, 0.1: 0.625})
    assert set(scores["task_type"]) == {"GL"}
    assert len(collection.notes) == 2


def write(tmp_path, records):
    path = tmp_path / "gpt-4_single.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def record(**change):
    base = {"question_id": 81, "model": "m", "judge": ["gpt-4", "single-v1"], "score": 7.0}
    return base | {"turn": 1, "tstamp": 1.0} | change


@pytest.mark.parametrize(
    ("records", "entry", "message"),
    [
        ('{"question_id": 81,', None, r"gpt-4_single\.jsonl: malformed JSON Lines at line 1"),
        ([{"question_id": 81, "model": "m"}], None, r"not FastChat MT-Bench single judgments"),
        ([record(), record(model="n")], None, r"the file has 2 judged models \(m, n\); name one"),
        ([record()], "x", r"no judged model named 'x' \(found m\); fix the 'entry' column"),
        ([record(score=11)], None, r"rating 11 for question 81 turn 1 is outside 1-10"),
        ([record(score=-1)], None, r"no usable rating for 'm'; re-run the judge"),
        (
            [record(), record(turn=2, judge=["gpt-4o", "single-v1-multi-turn"])],
            None,
            r"judgments by 2 judge models \(gpt-4, gpt-4o\); keep one judge per file",
        ),
        ([record(score="high")], None, r"judgment 0 score: expected a number, got 'high'"),
    ],
)
def test_malformed_files_get_one_line_errors(tmp_path, records, entry, message):
    if isinstance(records, str):
        path = tmp_path / "gpt-4_single.jsonl"
        path.write_text(records)
    else:
        path = write(tmp_path, records)
    with pytest.raises(DataSchemaError, match=message) as info:
        read_mtbench(path, entry=entry)
    assert "\n" not in str(info.value)


def test_only_the_mean_rating_is_a_metric():
    with pytest.raises(DataSchemaError, match=r"MT-Bench has no metric 'win_rate'"):
        read_mtbench(FILE, entry="llama2-7b-plw0", metrics={"mt_bench": "win_rate"})
