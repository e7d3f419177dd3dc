"""``plw-stats gam``, ``recommend`` and ``invert`` end to end, including their one-line errors."""

import json
from pathlib import Path

import pandas as pd
import pytest

from plw_stats.cli.main import main
from plw_stats.simulation.ratio_sweeps import RatioTruth, simulate_ratio_sweep

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io"
TRUTH = RatioTruth(opt_intercept=0.4, opt_slope=0.05, curvature=0.4, scale="wp")


@pytest.fixture(scope="module")
def sweep_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("gam") / "sweep.csv"
    simulate_ratio_sweep((0.1, 0.5, 1.0, 2.0, 4.0, 8.0), TRUTH, seed=3).to_csv(path, index=False)
    return path


def test_gam_json_contract(sweep_csv, tmp_path, capsys):
    out, surface = tmp_path / "gam.json", tmp_path / "surface.csv"
    args = ["gam", str(sweep_csv), "--json", str(out), "--surface", str(surface)]
    status = main([*args, "--bootstrap", "20", "--jobs", "1", "--ratios", "0.5,2,8"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "[All]" in printed and "[Gen]" in printed
    payload = json.loads(out.read_text())
    assert set(payload["groups"]) == {"All", "MC", "Gen"}
    rows = payload["groups"]["All"]["optimal"]
    assert [r["ratio"] for r in rows] == [0.5, 2.0, 8.0]
    for row in rows:
        assert set(row) == {"ratio", "plw", "flat", "plw_low", "plw_high"}
        assert row["plw_low"] <= row["plw"] <= row["plw_high"]
        assert row["flat"] is False
    assert payload["settings"]["bootstrap"]["n_boot"] == 20
    assert pd.read_csv(surface).shape == (2500, 6)
    assert not list(tmp_path.glob(".*tmp"))


def test_gam_without_bootstrap_has_null_intervals(sweep_csv, tmp_path):
    out = tmp_path / "gam.json"
    assert main(["gam", str(sweep_csv), "--json", str(out), "--bootstrap", "0"]) == 0
    rows = json.loads(out.read_text())["groups"]["MC"]["optimal"]
    assert len(rows) == 16
    assert rows[0]["plw_low"] is None and rows[0]["plw_high"] is None


def test_gam_on_single_ratio_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "one.csv"
    simulate_ratio_sweep((2.0,), TRUTH, seed=1).to_csv(path, index=False)
    assert main(["gam", str(path), "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("plw-stats gam: error: group 'All': column 'ratio' has 1 distinct")


def test_gam_bad_group_option_is_a_usage_error(sweep_csv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["gam", str(sweep_csv), "--group", "nogroup"])
    assert exit_info.value.code == 2
    assert "NAME=benchmark" in capsys.readouterr().err


def test_recommend_from_instruction_file(tmp_path, capsys):
    out = tmp_path / "rec.json"
    data = FIXTURES / "instructions" / "alpaca_small.json"
    assert main(["recommend", str(data), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "R_g = 0.444" in printed
    assert "source: paper, Appendix D table (read at ratio 0.5)" in printed
    payload = json.loads(out.read_text())
    assert payload["source"] == "paper" and payload["plw"] == 0.155
    assert payload["extrapolated"] is True


def test_recommend_from_scores(sweep_csv, capsys):
    args = ["recommend", "--ratio", "2", "--scores", str(sweep_csv), "--scale", "wp"]
    assert main([*args, "--bootstrap", "20", "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert f"source: GAM fitted on {sweep_csv}" in printed
    assert "interval: " in printed and "none" not in printed


def test_recommend_needs_exactly_one_ratio_source(capsys):
    assert main(["recommend"]) == 2
    assert main(["recommend", "x.json", "--ratio", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("give either an instruction dataset file or --ratio R") == 2


def test_invert_cli(tmp_path, capsys):
    source = tmp_path / "long.json"
    items = [{"instruction": "Write.", "input": "", "output": "A long answer " * 5}]
    source.write_text(json.dumps(items), encoding="utf-8")
    out = tmp_path / "short.json"
    assert main(["invert", str(source), str(out)]) == 0
    assert "inverted 1 of 1 items" in capsys.readouterr().out
    assert json.loads(out.read_text())[0]["output"] == "Write."


def test_gam_bootstrap_on_a_dask_cluster_gives_the_local_intervals(sweep_csv, tmp_path):
    distributed = pytest.importorskip("distributed")
    args = ["gam", str(sweep_csv), "--bootstrap", "24", "--seed", "5", "--ratios", "0.5,4"]
    assert main([*args, "--jobs", "2", "--json", str(tmp_path / "local.json")]) == 0
    options = dict(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.LocalCluster(**options) as cluster:
        address = cluster.scheduler_address
        assert main([*args, "--scheduler", address, "--json", str(tmp_path / "dask.json")]) == 0
    local = json.loads((tmp_path / "local.json").read_text())["groups"]
    clustered = json.loads((tmp_path / "dask.json").read_text())["groups"]
    assert local == clustered
