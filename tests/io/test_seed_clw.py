"""Optional score-table columns ``seed`` and ``clw``: what they allow and what they refuse."""

import pandas as pd
import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.tables import key_columns, read_scores, validate_scores

SEEDS = """dataset,model,plw,benchmark,score,seed
d,m,0.0,arc,0.40,1
d,m,0.0,arc,0.42,2
d,m,1.0,arc,0.45,1
d,m,1.0,arc,0.47,2
"""

CLW = """dataset,model,plw,clw,benchmark,score
d,m,0.0,1,arc,0.40
d,m,0.0,0.5,arc,0.38
d,m,1.0,1,arc,0.45
d,m,1.0,0.5,arc,0.44
"""


def write(tmp_path, text, name="scores.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rows_differing_only_by_seed_are_kept(tmp_path):
    table = read_scores(write(tmp_path, SEEDS))
    assert table.shape[0] == 4
    assert table["seed"].tolist() == ["1", "2", "1", "2"]
    assert table.groupby("plw")["score"].mean().to_dict() == pytest.approx({0.0: 0.41, 1.0: 0.46})


def test_seed_labels_are_text(tmp_path):
    text = SEEDS.replace(",1\n", ",01\n", 1).replace(",2\n", ",run-b\n", 1)
    table = read_scores(write(tmp_path, text))
    assert table["seed"].tolist() == ["01", "run-b", "1", "2"]


def test_integer_seeds_from_parquet_become_labels(tmp_path):
    frame = pd.read_csv(write(tmp_path, SEEDS))
    assert frame["seed"].dtype.kind == "i"
    path = tmp_path / "scores.parquet"
    frame.to_parquet(path)
    assert read_scores(path)["seed"].tolist() == ["1", "2", "1", "2"]


def test_same_seed_twice_is_refused(tmp_path):
    text = SEEDS + "d,m,1.0,arc,0.48,2\n"
    with pytest.raises(
        DataSchemaError,
        match=r"more than one score for \(dataset=d, model=m, plw=1\.0, benchmark=arc, seed=2\) "
        r"at line\(s\) 5, 6; keep one row per dataset, model, plw, seed and benchmark$",
    ):
        read_scores(write(tmp_path, text))


def test_duplicates_without_seed_column_suggest_one(tmp_path):
    text = "dataset,model,plw,benchmark,score\nd,m,0,arc,0.4\nd,m,0,arc,0.5\n"
    with pytest.raises(DataSchemaError, match=r"or add a seed column\)$"):
        read_scores(write(tmp_path, text))


def test_blank_seeds_count_as_the_same_run(tmp_path):
    text = SEEDS.replace(",1\n", ",\n").replace(",2\n", ",\n")
    with pytest.raises(DataSchemaError, match=r"seed=None\) at line\(s\) 2, 3"):
        read_scores(write(tmp_path, text))


def test_clw_makes_rows_distinct(tmp_path):
    table = read_scores(write(tmp_path, CLW))
    assert table["clw"].dtype == float
    assert table[["plw", "clw", "score"]].values.tolist() == [
        [0.0, 0.5, 0.38],
        [0.0, 1.0, 0.40],
        [1.0, 0.5, 0.44],
        [1.0, 1.0, 0.45],
    ]


def test_clw_is_not_added_when_absent(tmp_path):
    table = read_scores(write(tmp_path, SEEDS))
    assert "clw" not in table.columns
    assert key_columns(table) == ["dataset", "model", "plw", "benchmark", "seed"]


def test_clw_and_seed_in_the_wide_layout(tmp_path):
    wide = "dataset,model,plw,clw,seed,arc,bleu\nd,m,0,0.5,1,0.4,0.1\nd,m,0,0.5,2,0.5,0.2\n"
    table = read_scores(write(tmp_path, wide))
    assert sorted(table["benchmark"].unique()) == ["arc", "bleu"]
    assert table.shape[0] == 4
    assert set(table["clw"]) == {0.5}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("0.0,0.5,arc", "0.0,1.5,arc", r"column 'clw' has 1\.5 at line\(s\) 3; the completion"),
        ("0.0,0.5,arc", "0.0,-0.1,arc", r"column 'clw' has -0\.1 at line\(s\) 3"),
        ("0.0,0.5,arc", "0.0,half,arc", r"column 'clw' has non-numeric value 'half' at line"),
        ("0.0,0.5,arc", "0.0,,arc", r"column 'clw' is missing \(NaN\) at line\(s\) 3"),
        ("1.0,0.5,arc,0.44", "1.0,1,arc,0.44", r"more than one score for .*clw=1\.0"),
    ],
)
def test_bad_clw_gets_one_line_error(tmp_path, old, new, message):
    path = write(tmp_path, CLW.replace(old, new))
    with pytest.raises(DataSchemaError, match=message) as info:
        read_scores(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_validate_does_not_modify_its_argument():
    frame = pd.DataFrame(
        {"dataset": "d", "model": "m", "plw": [0.0, 0.0], "benchmark": "a"}
        | {"score": [0.1, 0.2], "seed": [1.0, 2.0]}
    )
    before = frame.copy()
    assert validate_scores(frame)["seed"].tolist() == ["1", "2"]
    pd.testing.assert_frame_equal(frame, before)
