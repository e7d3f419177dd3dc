"""OpenCompass summary CSVs: numbers checked against ``fixtures/io/opencompass/summary``."""

from pathlib import Path

import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io._common import notes_of
from plw_stats.io.detect import read_results_file
from plw_stats.io.manifest import collect
from plw_stats.io.opencompass import read_opencompass

ROOT = Path(__file__).parents[1] / "fixtures" / "io" / "opencompass"
FILE = ROOT / "summary" / "summary_20250301_120000.csv"
HEADER = "dataset,version,metric,mode,m1,m2\n"


def test_one_model_column():
    frame = read_opencompass(FILE, entry="llama2-7b-plw0.1").set_index("benchmark")
    assert frame.index.tolist() == [
        "gsm8k", "hellaswag", "ARC-c", "piqa", "winogrande", "xsum", "mmlu"
    ]  # fmt: skip
    gsm8k = frame.loc["gsm8k"]
    assert (gsm8k["raw_score"], gsm8k["scale"]) == (14.03, 100)
    assert gsm8k["score"] == pytest.approx(0.1403)
    assert (gsm8k["metric"], gsm8k["mode"], gsm8k["task_version"]) == ("accuracy", "gen", "1d7fe4")
    assert frame.loc["hellaswag", "score"] == pytest.approx(0.714)
    assert frame["stderr"].isna().all()
    assert frame.loc["mmlu", "metric"] == "naive_average"


def test_task_types_from_mode_or_the_paper_table():
    types = read_opencompass(FILE, entry="llama2-7b-plw0").set_index("benchmark")["task_type"]
    assert types.to_dict() == {
        "gsm8k": "GS",
        "hellaswag": "MC",
        "ARC-c": "MC",
        "piqa": "MC",
        "winogrande": "MC",  # ll mode
        "xsum": "GS",
        "mmlu": "MC",
    }


def test_first_metric_of_a_dataset_by_default_and_override():
    frame = read_opencompass(FILE, entry="llama2-7b-plw0").set_index("benchmark")
    assert (frame.loc["xsum", "metric"], frame.loc["xsum", "raw_score"]) == ("rouge1", 24.61)
    other = read_opencompass(FILE, entry="llama2-7b-plw0", metrics={"xsum": "rouge2"})
    xsum = other.set_index("benchmark").loc["xsum"]
    assert (xsum["metric"], xsum["score"]) == ("rouge2", pytest.approx(0.0672))


def test_unfinished_rows_left_out_with_a_note():
    frame = read_opencompass(FILE, entry="llama2-7b-plw1")
    assert "ARC-c" not in set(frame["benchmark"])
    assert "race-high" not in set(frame["benchmark"])
    assert notes_of(frame) == (
        "summary_20250301_120000.csv: 2 unfinished row(s) ('-') for llama2-7b-plw1 left out: "
        "ARC-c, race-high",
    )


def test_collect_from_the_manifest_alone():
    collection = collect(ROOT / "manifest.csv")
    scores = collection.scores
    assert scores.shape[0] == 14
    assert scores["task_type"].notna().all()
    mmlu = scores[scores["benchmark"] == "mmlu"].set_index("plw")["score"]
    assert mmlu.to_dict() == pytest.approx({0.0: 0.4531, 0.1: 0.4602})
    assert any("race-high" in note for note in collection.notes)


def test_single_model_needs_no_entry(tmp_path):
    path = tmp_path / "summary_1.csv"
    path.write_text("dataset,version,metric,mode,only\nbbh,5b92b0,naive_average,gen,35.12\n")
    frame = read_results_file(path)
    assert (frame.loc[0, "entry"], frame.loc[0, "score"]) == ("only", pytest.approx(0.3512))
    assert frame.loc[0, "layout"] == "opencompass-summary"


@pytest.mark.parametrize(
    ("text", "entry", "message"),
    [
        (HEADER + "gsm8k,1d7fe4,accuracy,gen,12.5,high\n", "m2", r"column 'm2': expected a number"),
        (
            HEADER + "gsm8k,1d7fe4,accuracy,gen,12.5,n/a\n",
            "m2",
            r"'n/a' is not a score; OpenCompass",
        ),
        (HEADER + "gsm8k,1d7fe4,accuracy,gen,12.5\n", "m1", r"line 2 has 5 fields, the header 6"),
        (HEADER + "gsm8k,1d7fe4,accuracy,gen,12.5,13\n", None, r"has 2 model columns \(m1, m2\)"),
        (HEADER + "gsm8k,1d7fe4,accuracy,gen,12.5,13\n", "m3", r"no model column named 'm3'"),
        ("dataset,version,metric,m1\ngsm8k,1,acc,12\n", "m1", r"not an OpenCompass summary"),
    ],
)
def test_malformed_summaries_get_one_line_errors(tmp_path, text, entry, message):
    path = tmp_path / "summary_20250301_120000.csv"
    path.write_text(text)
    with pytest.raises(DataSchemaError, match=message) as info:
        read_opencompass(path, entry=entry)
    assert "\n" not in str(info.value)


def test_unknown_metric_override():
    with pytest.raises(DataSchemaError, match=r"dataset 'xsum' has no finished metric 'bleu'"):
        read_opencompass(FILE, entry="llama2-7b-plw0", metrics={"xsum": "bleu"})
