"""AlpacaEval leaderboards and annotations, PandaLM verdicts: numbers checked against the files."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.alpacaeval import read_annotations, read_leaderboard
from plw_stats.io.manifest import collect
from plw_stats.io.pandalm import read_pandalm

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io"
AE = FIXTURES / "alpacaeval"
PANDA = FIXTURES / "pandalm"


def test_leaderboard_row_selected_by_name():
    row = read_leaderboard(AE / "leaderboard.csv", entry="llama2-7b-plw0.1").iloc[0]
    assert row["benchmark"] == "alpaca_eval"
    assert row["task_type"] == "GL"
    assert row["raw_score"] == pytest.approx(38.75776397515528)
    assert row["score"] == pytest.approx(0.3875776397515528)
    assert row["stderr"] == pytest.approx(0.017113485409318125)
    assert row["scale"] == 100
    assert (row["n_total"], row["avg_length"]) == (805, 1123)


def test_leaderboard_old_column_order_single_row():
    row = read_leaderboard(AE / "leaderboard_2023.csv").iloc[0]
    assert row["entry"] == "llama1-7b-plw0"
    assert row["score"] == pytest.approx(0.2124223602484472)
    assert row["stderr"] == pytest.approx(0.014400837582963395)
    assert math.isnan(row["avg_length"])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            None,
            r"the leaderboard has 3 rows \(gpt4, llama2-7b-plw0\.1, alpaca-7b\); name the model",
        ),
        (
            "llama2-7b-plw0.2",
            r"no row named 'llama2-7b-plw0\.2' \(did you mean 'llama2-7b-plw0\.1'",
        ),
    ],
)
def test_leaderboard_entry_errors(entry, message):
    with pytest.raises(DataSchemaError, match=message):
        read_leaderboard(AE / "leaderboard.csv", entry=entry)


def test_leaderboard_missing_metric():
    with pytest.raises(DataSchemaError, match=r"has no length_controlled_winrate"):
        read_leaderboard(AE / "leaderboard.csv", entry="gpt4", metric="length_controlled_winrate")


def test_annotations_win_rate():
    row = read_annotations(AE / "annotations.json", entry="llama2-7b-plw0.1").iloc[0]
    items = np.array([1, 0, 0.5, 0.5, 1])  # preferences 2, 1, 0, 1.5, 2 (one null left out)
    assert row["score"] == pytest.approx(0.6)
    assert row["stderr"] == pytest.approx(items.std(ddof=1) / math.sqrt(5))
    assert (row["n_total"], row["n_wins"], row["n_draws"], row["n_missing"]) == (5, 2, 2, 1)
    assert row["scale"] == 1


def test_annotations_need_entry_with_two_generators():
    with pytest.raises(DataSchemaError, match=r"has 2 rows"):
        read_annotations(AE / "annotations.json")


def test_pandalm_counts():
    row = read_pandalm(PANDA / "counts.json").iloc[0]
    items = np.repeat([1.0, 0.5, 0.0], [61, 20, 89])
    assert row["score"] == pytest.approx((61 + 0.5 * 20) / 170)
    assert row["stderr"] == pytest.approx(items.std(ddof=1) / math.sqrt(170))
    assert (row["n_wins"], row["n_ties"], row["n_losses"], row["n_total"]) == (61, 20, 89, 170)
    assert (row["benchmark"], row["metric"], row["task_type"]) == (
        "pandalm",
        "win_tie_score",
        "GL",
    )


@pytest.mark.parametrize(("side", "score"), [(1, 2.5 / 4), (2, 1.5 / 4)])
def test_pandalm_items_and_side(side, score):
    row = read_pandalm(PANDA / "items.json", side=side).iloc[0]
    assert row["score"] == pytest.approx(score)
    assert row["n_ties"] == 1


def test_pandalm_comparison_mapping():
    first = read_pandalm(PANDA / "comparisons.json", entry="llama2-7b-plw0.1_vs_llama2-7b-plw0")
    assert first.loc[0, "score"] == pytest.approx(3.5 / 5)
    second = read_pandalm(PANDA / "comparisons.json", entry="llama2-7b-plw0.1_vs_llama2-7b-plw1")
    assert second.loc[0, "score"] == pytest.approx(3.5 / 5)
    assert second.loc[0, "n_losses"] == 1
    with pytest.raises(DataSchemaError, match=r"name one in the manifest's 'entry' column"):
        read_pandalm(PANDA / "comparisons.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"win": 1, "tie": -1, "lose": 0}, r"count 'tie' is -1"),
        ([1, 3, 0], r"verdict 3 is not 0"),
        ({"a": 1}, r"unknown layout, not PandaLM results"),
        ([{"pandalm_result": 4}], r"verdict 4 is not 0"),
        ({"win": 0, "tie": 0, "lose": 0}, r"no judgements"),
    ],
)
def test_pandalm_bad_files(tmp_path, data, message):
    path = tmp_path / "pandalm.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataSchemaError, match=message):
        read_pandalm(path)


def test_alpacaeval2_uses_length_controlled_win_rate():
    row = read_leaderboard(AE / "leaderboard_ae2.csv", entry="llama2-7b-plw0.1").iloc[0]
    assert row["metric"] == "length_controlled_winrate"
    assert row["raw_score"] == pytest.approx(7.852390142857143)
    assert row["score"] == pytest.approx(0.07852390142857143)
    assert row["stderr"] == pytest.approx(0.004705518329915283)  # lc_standard_error / 100


def test_alpacaeval2_win_rate_on_request():
    row = read_leaderboard(AE / "leaderboard_ae2.csv", entry="llama2-7b-plw0", metric="win_rate")
    assert row.iloc[0]["score"] == pytest.approx(0.04121827411167513)
    assert row.iloc[0]["stderr"] == pytest.approx(0.006912331541234501)


def test_alpacaeval1_keeps_win_rate_although_it_has_an_lc_column():
    row = read_leaderboard(AE / "leaderboard.csv", entry="llama2-7b-plw0.1").iloc[0]
    assert row["metric"] == "win_rate"


def test_alpacaeval2_row_without_lc_value():
    with pytest.raises(
        DataSchemaError,
        match=r"entry 'llama2-7b-plw1' has no length_controlled_winrate; choose --metric "
        r"alpaca_eval=win_rate$",
    ):
        read_leaderboard(AE / "leaderboard_ae2.csv", entry="llama2-7b-plw1")


def test_alpacaeval2_collect_default_and_switch():
    scores = collect(AE / "manifest_ae2.csv").scores.set_index("plw")
    assert set(scores["metric"]) == {"length_controlled_winrate"}
    assert scores["score"].to_dict() == pytest.approx(
        {0.0: 0.06314285714285714, 0.1: 0.07852390142857143}
    )
    switched = collect(AE / "manifest_ae2.csv", metrics={"alpaca_eval": "win_rate"}).scores
    assert switched["score"].tolist() == pytest.approx([0.04121827411167513, 0.05031055900621118])
