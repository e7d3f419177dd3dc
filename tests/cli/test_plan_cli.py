import json

import numpy as np
import pytest
import xarray as xr

from plw_stats.cli.main import main
from plw_stats.errors import ModelSpecError
from plw_stats.simulation.planning import SweepDesign, truth_from_posterior

TINY = ["--sims", "2", "--jobs", "2", "--chains", "2", "--draws", "150"]
SMALL = ["--levels", "0,0.01,0.1,0.5,1", "--benchmarks", "4"]


def test_sweep_design_counts_and_validates():
    design = SweepDesign(n_models=3, n_benchmarks=15, n_seeds=2)
    assert (design.n_runs, design.n_rows) == (10 * 3 * 2, 10 * 3 * 2 * 15)
    simulated = design.to_design()
    assert simulated.models == ("llama1-7b", "llama2-7b", "model3")
    assert len(simulated.benchmarks) == 15 and simulated.benchmarks[-1].name == "benchmark15"
    assert len(SweepDesign(n_benchmarks=4).to_design().benchmarks) == 4
    with pytest.raises(ModelSpecError, match="at least 3 distinct values in"):
        SweepDesign(plw_levels=(0.0, 1.0))
    with pytest.raises(ModelSpecError, match="n_seeds must be a positive integer"):
        SweepDesign(n_seeds=0)


def posterior(**values):
    return xr.Dataset(
        {name: (("chain", "draw"), np.full((2, 3), value)) for name, value in values.items()}
    )


def test_truth_from_a_pilot_posterior(tmp_path):
    values = dict(intercept=-1.0, wp=4.0, wp2=-3.0, kappa=25.0, sd_slope=0.5)
    truth = truth_from_posterior(posterior(**values))
    assert (truth.b1, truth.b2, truth.kappa, truth.sd_slope) == (4.0, -3.0, 25.0, 0.5)
    assert truth.sd_model == 0.0  # single-model pilot: no model intercepts
    with pytest.raises(ModelSpecError, match="posterior lacks wp2"):
        truth_from_posterior(posterior(intercept=0.0, wp=1.0, kappa=3.0))


def test_plan_runs_through_the_study_engine(fake_sampler, capsys, tmp_path):
    args = ["plan", "--sims", "3", "--jobs", "1", "--chains", "2", "--draws", "60", *SMALL]
    assert main([*args, "--quiet", "--json", str(tmp_path / "plan.json")]) == 0
    assert "power, ML likelihood-ratio p < 0.05" in capsys.readouterr().out
    payload = json.loads((tmp_path / "plan.json").read_text())
    assert 0 <= payload["power_ml"] <= 1 and payload["n_sims"] == 3


def test_bad_levels_and_missing_pilot_are_usage_errors(capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["plan", "--levels", "0,a,1"])
    assert main(["plan", "--levels", "0,1"]) == 2
    assert "at least 3 distinct values" in capsys.readouterr().err
    assert main(["plan", "--from-fit", str(tmp_path / "nope.nc")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_plan_prints_and_writes_json(capsys, tmp_path):
    tree = xr.DataTree.from_dict(
        {"posterior": posterior(intercept=-1.0, wp=5.6, wp2=-4.3, kappa=30.0)}
    )
    tree.to_netcdf(tmp_path / "pilot.nc", engine="h5netcdf")
    args = ["plan", *TINY, *SMALL, "--from-fit", str(tmp_path / "pilot.nc"), "--kappa", "20"]
    assert main([*args, "--json", str(tmp_path / "plan.json")]) == 0
    out = capsys.readouterr().out
    assert "5 PLW levels" in out and "2 models x 4 benchmarks x 1 seed(s): 10" in out
    assert "kappa 20.0" in out and "power, P(b2 < 0) >= 0.975" in out
    payload = json.loads((tmp_path / "plan.json").read_text())
    assert payload["design"]["n_rows"] == 40 and payload["truth"]["b1"] == pytest.approx(5.6)
    assert payload["truth"]["sd_slope"] == 0.0
    assert 0 <= payload["power_bayes"] <= 1 and 0 <= payload["power_ml"] <= 1
    assert payload["plw_width_median"] > 0
    assert set(payload["settings"]) == {"seed", "prob", "threshold", "alpha", "sampler"}


@pytest.mark.slow
def test_fit_prints_and_writes_the_evidence(capsys, tmp_path):
    args = ["fit", "--dataset", "AlpacaDataShort", "--chains", "2", "--draws", "150"]
    args += ["--tune", "150", "--quiet", "--seed", "4"]
    assert main([*args, "--json", str(tmp_path / "with.json")]) == 0
    assert "evidence: ELPD(quadratic) - ELPD(null) = " in capsys.readouterr().out
    group = json.loads((tmp_path / "with.json").read_text())["groups"]["AlpacaDataShort"]
    assert {"elpd_diff", "elpd_diff_se", "pareto_k_bad", "ml_p_value"} <= set(group["evidence"])
    assert main([*args, "--no-evidence", "--json", str(tmp_path / "without.json")]) == 0
    assert "evidence:" not in capsys.readouterr().out
    group = json.loads((tmp_path / "without.json").read_text())["groups"]["AlpacaDataShort"]
    assert "evidence" not in group
