import pandas as pd
import pytest

from plw_stats.errors import DataSchemaError
from plw_stats.io.tables import read_scores, validate_scores

LONG = """dataset,model,plw,benchmark,score
d,m1,0.0,arc,0.40
d,m1,0.1,arc,0.45
d,m1,1.0,arc,0.42
d,m1,0.0,bleu,10
d,m1,0.1,bleu,14
d,m1,1.0,bleu,12
"""


def write(tmp_path, text, name="scores.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_long_csv_round_trip(tmp_path):
    table = read_scores(write(tmp_path, LONG))
    assert list(table.columns) == ["dataset", "model", "plw", "benchmark", "score"]
    assert table.shape == (6, 5)
    assert table["score"].dtype == float and table["plw"].dtype == float


def test_wide_csv_is_melted_to_long(tmp_path):
    wide = "dataset,model,plw,ratio,arc,bleu\nd,m1,0,3.2,0.4,10\nd,m1,0.1,3.2,0.45,14\n"
    table = read_scores(write(tmp_path, wide))
    assert sorted(table["benchmark"].unique()) == ["arc", "bleu"]
    assert table.shape[0] == 4 and "ratio" in table.columns
    got = table.set_index(["plw", "benchmark"])["score"]
    assert got[(0.1, "bleu")] == 14


def test_parquet_is_read(tmp_path):
    frame = validate_scores(pd.read_csv(write(tmp_path, LONG)))
    path = tmp_path / "scores.parquet"
    frame.to_parquet(path)
    pd.testing.assert_frame_equal(read_scores(path), frame)


def test_optional_columns_kept_and_normalised(tmp_path):
    text = LONG.replace("score\n", "score,task_type\n", 1)
    text = "\n".join(
        line + (",mc" if "arc" in line else ",GS") if i else line
        for i, line in enumerate(text.strip().splitlines())
    )
    table = read_scores(write(tmp_path, text + "\n"))
    assert set(table["task_type"]) == {"MC", "GS"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("dataset,model,plw,benchmark,score\n", "no rows"),
        (LONG.replace("score\n", "scores\n", 1), r"missing column\(s\) 'score' \(found 'scores'"),
        (LONG.replace("benchmark", "bench", 1), r"'benchmark' \(found 'bench'"),
        (LONG.replace("0.45", "n/a"), r"non-numeric value 'n/a' at line\(s\) 3"),
        (LONG.replace("0.45", ""), r"'score' is missing \(NaN\) at line\(s\) 3"),
        (LONG.replace("d,m1,1.0,arc", "d,m1,1.5,arc"), r"'plw' has 1.5 at line\(s\) 4.*\[0, 1\]"),
        (LONG + "d,m1,0.1,arc,0.46\n", r"more than one score for .*plw=0.1.*line\(s\) 3, 8"),
        (LONG.replace("d,m1,0.0,arc", ",m1,0.0,arc"), r"'dataset' is empty at line\(s\) 2"),
    ],
    ids=[
        "empty-file",
        "header-only",
        "misspelt-score",
        "misspelt-benchmark",
        "non-numeric",
        "nan",
        "plw-range",
        "duplicate",
        "blank-id",
    ],
)
def test_bad_tables_get_clear_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataSchemaError, match=message) as info:
        read_scores(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_task_type(tmp_path):
    text = "dataset,model,plw,benchmark,score,task_type\nd,m,0,a,0.1,XX\n"
    with pytest.raises(DataSchemaError, match=r"'task_type' has 'XX'.*MC, GS, GL"):
        read_scores(write(tmp_path, text))


def test_ratio_must_be_constant_within_dataset(tmp_path):
    text = "dataset,model,plw,benchmark,score,ratio\nd,m,0,a,0.1,1.0\nd,m,1,a,0.2,2.0\n"
    with pytest.raises(DataSchemaError, match="'ratio' takes several values"):
        read_scores(write(tmp_path, text))


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(DataSchemaError, match="no such file"):
        read_scores(tmp_path / "nope.csv")
    with pytest.raises(DataSchemaError, match=r"unknown file type '\.xlsx'"):
        read_scores(write(tmp_path, "x", name="scores.xlsx"))


def test_demo_table_is_valid(demo_scores):
    assert demo_scores.shape == (780, 7)
    assert demo_scores.groupby("dataset").size().tolist() == [260, 260, 260]
    assert demo_scores["plw"].nunique() == 10 and demo_scores["benchmark"].nunique() == 13
