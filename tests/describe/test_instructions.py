"""Alpaca-format loading and Table-1 statistics, checked against hand counts of the fixture.

Regex tokens of tests/fixtures/io/instructions/alpaca_small.json (words and punctuation):
instruction [7, 4, 4], input [0, 2, 10], output [7, 1, 4], prompt [7, 6, 14].
"""

import json
import math
from pathlib import Path

import pytest

from plw_stats.describe.instructions import describe_instructions
from plw_stats.describe.tokens import DEFAULT_TOKENIZER, get_counter
from plw_stats.errors import DataSchemaError
from plw_stats.io.instructions import read_instructions

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io" / "instructions"


@pytest.mark.parametrize("name", ["alpaca_small.json", "alpaca_small.jsonl"])
def test_describe_matches_hand_counts(name):
    stats = describe_instructions(FIXTURES / name)
    assert stats.n_items == 3
    assert stats.instruction_mean == pytest.approx(5.0)
    assert stats.instruction_std == pytest.approx(math.sqrt(3))
    assert stats.input_mean == pytest.approx(4.0)
    assert stats.input_std == pytest.approx(math.sqrt(28))
    assert stats.completion_mean == pytest.approx(4.0)
    assert stats.completion_std == pytest.approx(3.0)
    assert stats.prompt_mean == pytest.approx(9.0)
    assert stats.prompt_std == pytest.approx(math.sqrt(19))
    assert stats.total_tokens == 39
    assert stats.ratio == pytest.approx(4 / 9)
    assert stats.tokenizer == DEFAULT_TOKENIZER
    assert stats.name == "alpaca_small"


def test_to_frame_and_dict_keep_numbers():
    stats = describe_instructions(FIXTURES / "alpaca_small.json")
    frame = stats.to_frame()
    assert frame.shape == (1, 12)
    assert frame.loc["alpaca_small", "ratio"] == pytest.approx(4 / 9)
    assert isinstance(stats.to_dict()["total_tokens"], int)


def test_read_instructions_fills_missing_input():
    frame = read_instructions(FIXTURES / "alpaca_small.jsonl")
    assert list(frame.columns) == ["instruction", "input", "output"]
    assert frame.loc[0, "input"] == ""
    assert frame.loc[2, "output"] == "A fox jumps."


def test_regex_counter_counts_words_and_punctuation():
    assert get_counter().count(["Hello, world!", "", "naïve café"]).tolist() == [4, 0, 2]


def test_named_tokenizer_file_is_used(tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    vocab = {"[UNK]": 0, "the": 1, "fox": 2}
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tok.save(str(tmp_path / "tokenizer.json"))
    stats = describe_instructions(FIXTURES / "alpaca_small.json", tokenizer=str(tmp_path))
    # Whitespace pre-tokenizer splits \w+ and punctuation runs, like the default here.
    assert stats.total_tokens == 39
    assert stats.tokenizer == f"tokenizers:{tmp_path / 'tokenizer.json'}"


def test_missing_tokenizer_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataSchemaError, match=r"no such file .*default 'regex-words'"):
        get_counter(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"instruction": "a"', r"malformed JSON at line 1"),
        ("[]", r"non-empty JSON array"),
        ('[{"instruction": "a", "input": ""}]', r"record 0 has no output field"),
        ('[{"instruction": "a", "output": 3}]', r"record 0 field 'output' is 3, not text"),
        ('[{"instruction": "", "input": "", "output": "x"}]', r"every prompt has zero tokens"),
    ],
)
def test_bad_datasets_raise(tmp_path, content, message):
    path = tmp_path / "data.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataSchemaError, match=message):
        describe_instructions(path)


def test_fixture_is_valid_json():
    assert len(json.loads((FIXTURES / "alpaca_small.json").read_text())) == 3
