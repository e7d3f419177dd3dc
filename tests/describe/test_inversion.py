"""Prompt inversion (Appendix A): the rewrite, which items are chosen, the files written."""

import json

import pandas as pd
import pytest

from plw_stats.describe.inversion import (
    INSTRUCTION_NO_INPUT,
    invert_file,
    invert_instructions,
    invert_item,
)
from plw_stats.errors import DataSchemaError, ModelSpecError

LONG = "The sea is wide and deep and blue and it goes on forever and ever and ever."


@pytest.fixture
def items():
    return pd.DataFrame(
        {
            "instruction": [
                "Write a poem about the sea.",
                "Name a color.",
                "Continue",
                "Summarize",
            ],
            "input": ["", "", "Once upon a time", "A long text about many things, on and on."],
            "output": [LONG, "Red.", LONG, "Things."],
        }
    )


def test_invert_item_without_input():
    assert invert_item("Write a poem.", "", "Roses are red.") == (
        "Predict the prompt that generated the following AI output.",
        "Roses are red.",
        "Write a poem.",
    )


def test_invert_item_with_input_keeps_it_as_context():
    instruction, new_input, output = invert_item("Continue", "Once upon a time", "there was")
    assert instruction == (
        "Predict the prompt that generated the below AI output given the following context. "
        "Context: Once upon a time"
    )
    assert (new_input, output) == ("there was", "Continue")


def test_threshold_inverts_long_completions_only(items):
    result, report = invert_instructions(items)
    assert result["inverted"].tolist() == [True, False, True, False]
    assert result.loc[0, "instruction"] == INSTRUCTION_NO_INPUT
    assert result.loc[0, "output"] == "Write a poem about the sea."
    assert result.loc[1].tolist()[:3] == items.loc[1].tolist()
    assert report.n_inverted == 2
    assert report.ratio_after < 1 < report.ratio_before
    assert report.tokenizer == "regex-words"
    again, _ = invert_instructions(items)
    pd.testing.assert_frame_equal(result, again)


def test_input_is_not_modified(items):
    before = items.copy()
    invert_instructions(items, target_ratio=0.5)
    pd.testing.assert_frame_equal(items, before)


def test_target_ratio_inverts_the_longest_first_until_reached(items):
    result, report = invert_instructions(items, target_ratio=1.0)
    assert report.mode == "target_ratio"
    assert report.ratio_after <= 1.0
    assert report.n_inverted == 1
    # item 2 (prompt "Continue" + "Once upon a time", 5 tokens) has a larger ratio than item 0
    # (7 prompt tokens) for the same completion, so it goes first
    assert result["inverted"].tolist() == [False, False, True, False]
    unchanged, report = invert_instructions(items, target_ratio=50.0)
    assert report.n_inverted == 0
    assert not unchanged["inverted"].any()


def test_bad_settings_and_columns(items):
    with pytest.raises(ModelSpecError, match="threshold must be a positive number"):
        invert_instructions(items, threshold=0)
    with pytest.raises(ModelSpecError, match="target_ratio must be a positive number"):
        invert_instructions(items, target_ratio=float("nan"))
    with pytest.raises(DataSchemaError, match="lack column"):
        invert_instructions(items.drop(columns="output"))


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_invert_file_round_trip(items, tmp_path, suffix):
    source = tmp_path / "data.json"
    source.write_text(json.dumps(items.to_dict(orient="records")), encoding="utf-8")
    out = tmp_path / f"short{suffix}"
    result, report = invert_file(source, out)
    text = out.read_text(encoding="utf-8")
    records = (
        json.loads(text) if suffix == ".json" else [json.loads(line) for line in text.splitlines()]
    )
    assert len(records) == 4
    assert set(records[0]) == {"instruction", "input", "output"}
    assert records[0]["output"] == "Write a poem about the sea."
    assert report.n_inverted == int(result["inverted"].sum()) == 2
