"""Generation lengths and memorisation BLEU, checked against hand-computed BLEU."""

import json
import math
from pathlib import Path

import pytest

from plw_stats.describe.generations import generation_lengths, memorisation_bleu
from plw_stats.errors import DataSchemaError
from plw_stats.io.generations import read_generations

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io"
GENS = FIXTURES / "generations" / "plw0.jsonl"
TRAIN = FIXTURES / "instructions" / "alpaca_small.json"


def test_lengths():
    lengths = generation_lengths(GENS)
    # "Eat well, exercise and sleep." 7, "Bonjour" 1, "A fox sleeps." 4 regex tokens
    assert (lengths.n, lengths.mean, lengths.median) == (3, 4.0, 4.0)
    assert lengths.tokenizer == "regex-words"


def test_memorisation_bleu_matches_hand_computation():
    result = memorisation_bleu(GENS, TRAIN)
    # 13a tokens: two exact copies plus "A fox sleeps ." vs "A fox jumps .".
    # n-gram precisions 11/12, 7/9, 5/7, 4/5; equal lengths so no brevity penalty.
    expected = 100 * math.exp(
        (math.log(11 / 12) + math.log(7 / 9) + math.log(5 / 7) + math.log(4 / 5)) / 4
    )
    assert result.bleu == pytest.approx(expected)
    assert result.signature.startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert (result.n_sampled, result.n_available, result.seed) == (3, 3, 0)


def test_memorisation_uses_reference_field():
    result = memorisation_bleu(FIXTURES / "generations" / "with_reference.jsonl")
    # precisions 4/5, 3/4, 2/3, 1/2 → BLEU = 100 * 0.2 ** 0.25
    assert result.bleu == pytest.approx(100 * 0.2**0.25)


def test_sample_is_seeded():
    first = memorisation_bleu(GENS, TRAIN, n=2, seed=7)
    again = memorisation_bleu(GENS, TRAIN, n=2, seed=7)
    assert first == again
    assert first.n_sampled == 2


def test_read_generations_columns():
    frame = read_generations(GENS)
    assert frame.shape == (3, 3)
    assert frame["reference"].isna().all()


@pytest.mark.parametrize(
    ("records", "train", "message"),
    [
        ([{"prompt": "x"}], TRAIN, r"record 0 has no text 'generation'"),
        (
            [{"prompt": "Unknown prompt", "generation": "y"}],
            TRAIN,
            r"prompt 'Unknown prompt' is not",
        ),
        ([{"prompt": "x", "generation": "y"}], None, r"give the training data file"),
    ],
)
def test_bad_generations(tmp_path, records, train, message):
    path = tmp_path / "gens.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    with pytest.raises(DataSchemaError, match=message):
        memorisation_bleu(path, train)
