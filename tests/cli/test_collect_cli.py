"""``plw-stats collect`` and ``plw-stats describe`` end to end, including their one-line errors."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from plw_stats.cli.main import main
from plw_stats.glmm.specify import specify_all
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


def test_collect_lmeval_tree_without_options(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert (
        main(["collect", str(FIXTURES / "lmeval" / "tree" / "manifest.csv"), "-o", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "wrote 34 rows (2 runs x 17 benchmarks, 2 files)" in printed
    assert "note: mmlu: the group's aggregated score stands for its 57 tasks" in printed
    assert "note: lambada_openai: perplexity is lower-is-better" in printed
    table = read_scores(out)
    assert table["task_type"].notna().all() and table.shape[0] == 34
    mmlu = table[table["benchmark"] == "mmlu"].set_index("plw")["score"]
    assert mmlu.to_dict() == pytest.approx({0.0: 0.5821316479134027, 0.1: 0.5800854080615296})


def test_collect_level_subgroups(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    manifest = str(FIXTURES / "lmeval" / "tree" / "manifest.csv")
    assert main(["collect", manifest, "-o", str(out), "--level", "subgroups", "--quiet"]) == 0
    assert capsys.readouterr().out.endswith(
        "wrote 40 rows (2 runs x 20 benchmarks, 2 files) to " + f"{out}\n"
    )


@pytest.mark.parametrize(
    ("manifest", "rows", "layout"),
    [
        ("mtbench/manifest.csv", "wrote 2 rows (2 runs x 1 benchmarks", "mtbench-single"),
        ("opencompass/manifest.csv", "wrote 14 rows (2 runs x 7 benchmarks", "opencompass-summary"),
        ("lighteval/manifest.csv", "wrote 8 rows (2 runs x 4 benchmarks", "lighteval"),
        ("inspect/manifest.csv", "wrote 4 rows (2 runs x 2 benchmarks", "inspect-log"),
        (
            "alpacaeval/manifest_ae2.csv",
            "wrote 2 rows (2 runs x 1 benchmarks",
            "alpacaeval-leaderboard",
        ),
    ],
)
def test_each_source_collects_from_its_manifest(tmp_path, capsys, manifest, rows, layout):
    out = tmp_path / "scores.csv"
    assert main(["collect", str(FIXTURES / manifest), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert rows in printed and f"[{layout}]" in printed
    table = read_scores(out)
    assert "task_type" in table.columns and table["task_type"].notna().all()


def copy_source(tmp_path, name):
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


OC_HEADER = "dataset,version,metric,mode,llama2-7b-plw0,llama2-7b-plw0.1\n"
LIGHTEVAL = "results/runs/llama2-7b-plw0/results_2024-06-01T09-15-30.123456.json"
BROKEN = [
    (
        "mtbench",
        "model_judgment/gpt-4_single.jsonl",
        '{"question_id": 81,\n',
        "malformed JSON Lines at line 1",
    ),
    (
        "opencompass",
        "summary/summary_20250301_120000.csv",
        OC_HEADER + "gsm8k,1,accuracy,gen,12\n",
        "line 2 has 5 fields, the header 6",
    ),
    (
        "lighteval",
        LIGHTEVAL,
        '{"config_general": {}, "results": {"gsm8k|5": {}}}',
        "task 'gsm8k|5' reports no metric",
    ),
    (
        "inspect",
        "logs/plw0/2025-03-01T10-45-00+00-00_gsm8k_P3rT9w.json",
        '{"status": "error", "eval": {"task": "gsm8k"}}',
        "has status 'error', not 'success'",
    ),
]


@pytest.mark.parametrize(("source", "relative", "text", "message"), BROKEN)
def test_malformed_file_of_each_source(tmp_path, capsys, source, relative, text, message):
    root = copy_source(tmp_path, source)
    (root / relative).write_text(text)
    out = tmp_path / "scores.csv"
    assert main(["collect", str(root / "manifest.csv"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plw-stats collect: error: ") and err.count("\n") == 1
    assert message in err
    assert not out.exists()


def test_collect_prints_seed_and_clw_of_runs(sweep, tmp_path, capsys):
    manifest = sweep / "seeds.csv"
    manifest.write_text(
        "path,dataset,model,plw,clw,seed\n"
        "runs/plw0.1/results.json,D,m,0.1,0.5,a\n"
        "runs/plw1/lm-eval-old/results.json,D,m,1,0.5,a\n"
    )
    out = tmp_path / "scores.csv"
    assert main(["collect", str(manifest), "-o", str(out), "--tasks", "piqa"]) == 0
    printed = capsys.readouterr().out
    assert "-> D/m/plw=0.1/clw=0.5/seed=a: piqa" in printed
    assert "wrote 2 rows (2 runs x 1 benchmarks, 2 files)" in printed
    assert read_scores(out)[["clw", "seed"]].values.tolist() == [[0.5, "a"], [0.5, "a"]]
