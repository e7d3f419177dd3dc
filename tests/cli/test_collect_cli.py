"""``plw-stats collect`` and ``plw-stats describe`` end to end, including their one-line errors."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from plw_stats.cli.main import main
from plw_stats.glmm.sweep import specify_all
from plw_stats.io import read_scores

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io"


@pytest.fixture
def sweep(tmp_path):
    return Path(shutil.copytree(FIXTURES / "sweep", tmp_path / "sweep"))


def test_collect_writes_a_table_fit_accepts(sweep, tmp_path, capsys):
    out, report = tmp_path / "scores.csv", tmp_path / "report.csv"
    status = main(["collect", str(sweep / "manifest.csv"), "-o", str(out), "--report", str(report)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "wrote 24 rows (3 runs x 8 benchmarks, 10 files)" in printed
    assert "runs/plw1/lm-eval-old/results.json [lm-eval-v0.3] -> AlpacaDataShort" in printed
    table = read_scores(out)
    assert table.shape[0] == 24
    assert len(specify_all(table)) == 1  # what `plw-stats fit` checks before sampling
    raw = pd.read_csv(out)
    assert {"raw_score", "scale", "task_version", "layout"} <= set(raw.columns)
    assert pd.read_csv(report)["n_rows"].sum() == 24


def test_collect_tasks_metric_and_quiet(sweep, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    argv = ["collect", str(sweep / "manifest.csv"), "-o", str(out), "--quiet"]
    argv += ["--tasks", "arc_challenge,pandalm", "--metric", "arc_challenge=acc"]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("wrote 6 rows (3 runs x 2 benchmarks")
    table = read_scores(out)
    arc = table[table["benchmark"] == "arc_challenge"].set_index("plw")["score"]
    assert arc.to_dict() == pytest.approx({0.0: 0.38, 0.1: 0.42, 1.0: 0.40})


def test_collect_with_pattern(sweep, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    argv = [
        "collect",
        str(sweep / "runs"),
        "-o",
        str(out),
        "--pattern",
        "plw{plw}/**/results*.json",
    ]
    argv += ["--dataset", "AlpacaData", "--model", "llama2-7b", "--tasks", "piqa,winogrande"]
    assert main(argv) == 0
    table = read_scores(out)
    assert set(table["dataset"]) == {"AlpacaData"}
    assert table.shape[0] == 6
    assert "plw0.1/results.json" in set(table["source"])


def break_file(sweep, name, text):
    (sweep / "runs" / "plw0.1" / name).write_text(text)


@pytest.mark.parametrize(
    ("setup", "extra", "message"),
    [
        (lambda s: break_file(s, "results.json", '{"x": 1}'), [], "results.json: unknown layout"),
        (lambda s: break_file(s, "results.json", "{"), [], "results.json: malformed JSON at line"),
        (lambda s: None, ["--metric", "piqa=f1"], "task 'piqa' has no metric 'f1,none'"),
        (
            lambda s: shutil.rmtree(s / "runs" / "plw0.1"),
            [],
            "manifest line 5: ",
        ),
        (lambda s: None, ["--metric", "piqa"], "--metric 'piqa': write BENCHMARK=VALUE"),
    ],
)
def test_collect_errors_are_one_line_and_keep_old_output(
    sweep, tmp_path, capsys, setup, extra, message
):
    out = tmp_path / "scores.csv"
    out.write_text("old content\n")
    setup(sweep)
    assert main(["collect", str(sweep / "manifest.csv"), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plw-stats collect: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert out.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_collect_missing_run_file_message(sweep, tmp_path, capsys):
    shutil.rmtree(sweep / "runs" / "plw0.1")
    main(["collect", str(sweep / "manifest.csv"), "-o", str(tmp_path / "s.csv")])
    assert "runs/plw0.1 does not exist; fix the 'path' column" in capsys.readouterr().err


def test_describe_prints_table1_row(tmp_path, capsys):
    data = FIXTURES / "instructions" / "alpaca_small.json"
    out = tmp_path / "stats.json"
    assert main(["describe", str(data), "--json", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["dataset", "n", "instruction"]
    assert lines[1].split() == [
        "alpaca_small", "3", "5.00", "(1.73)", "4.00", "(5.29)", "4.00", "(3.00)", "39", "0.4444"
    ]  # fmt: skip
    assert lines[2] == "tokens counted with: regex-words"
    saved = json.loads(out.read_text())
    assert saved[0]["ratio"] == pytest.approx(4 / 9)


def test_describe_bad_file(tmp_path, capsys):
    path = tmp_path / "data.json"
    path.write_text('[{"instruction": "x"}]')
    assert main(["describe", str(path)]) == 2
    assert "record 0 has no output field" in capsys.readouterr().err
