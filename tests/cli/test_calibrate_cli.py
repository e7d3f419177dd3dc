"""``plw-stats calibrate`` end to end: tables, JSON contract, plot, scheduler errors."""

import builtins
import json

import pytest

from plw_stats.cli.main import main
from plw_stats.workers import SCHEDULER_ENV

FAST = ["--chains", "2", "--draws", "60", "--tune", "10", "--rank-draws", "19", "--jobs", "1"]


def test_prior_source_json_has_ranks_and_divergences(fake_sampler, tmp_path, capsys):
    out, plot = tmp_path / "cal.json", tmp_path / "ranks.png"
    args = ["calibrate", "--source", "prior", "--sims", "6", *FAST, "--quiet"]
    assert (
        main([*args, "--json", str(out), "--plot", str(plot), "--csv", str(tmp_path / "r.csv")])
        == 0
    )
    printed = capsys.readouterr().out
    assert "== calibration: 6 simulated sweeps (prior truth)" in printed
    assert "== rank uniformity (19 thinned draws" in printed
    assert "fits with divergences: " in printed and "retries: " in printed
    payload = json.loads(out.read_text())
    assert set(payload["ranks"]) == {"intercept", "b1", "b2", "kappa", "sd_slope", "sd_model"}
    assert 0 <= payload["ranks"]["b1"]["uniformity_p"] <= 1
    assert isinstance(payload["fits_with_divergences"], int)
    assert payload["healing"]["fits"] == 6
    assert payload["settings"]["priors"]["intercept_sd"] == 1.0
    assert {"b1", "b2", "plw", "kappa"} <= set(payload["coverage"])
    assert plot.stat().st_size > 1000 and (tmp_path / "r.csv").is_file()


def test_fixed_source_has_no_rank_table(fake_sampler, tmp_path, capsys):
    out = tmp_path / "cal.json"
    args = ["calibrate", "--sims", "3", *FAST, "--priors", "legacy", "--json", str(out)]
    assert main(args) == 0
    assert "rank uniformity" not in capsys.readouterr().out
    payload = json.loads(out.read_text())
    assert "ranks" not in payload and payload["fits_with_divergences"] >= 0
    assert payload["settings"]["priors"]["intercept_sd"] == 2.5
    assert payload["settings"]["sampler"]["tune"] == 10


def test_scheduler_without_dask_is_a_one_line_error(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("distributed"):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:8786")
    assert main(["calibrate", "--sims", "2", *FAST]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("plw-stats calibrate: error: a Dask scheduler was given but dask")


def test_bad_options_are_usage_errors(capsys):
    with pytest.raises(SystemExit):
        main(["calibrate", "--source", "posterior"])
    with pytest.raises(SystemExit):
        main(["calibrate", "--priors", "wide"])
    assert main(["calibrate", "--sims", "2", "--chains", "1", "--draws", "50"]) == 2
    assert "rank_draws (99) exceeds the draws of a fit (50)" in capsys.readouterr().err


@pytest.mark.slow
def test_calibrate_runs_real_fits(tmp_path, capsys):
    out = tmp_path / "cal.json"
    args = ["calibrate", "--sims", "2", "--jobs", "2", "--chains", "2", "--draws", "150"]
    assert main([*args, "--json", str(out), "--quiet"]) == 0
    assert "== calibration: 2 simulated sweeps (fixed truth)" in capsys.readouterr().out
    payload = json.loads(out.read_text())
    assert payload["coverage"]["b1"]["n"] == 2 and payload["healing"]["fits"] == 2
