"""Surface results from synthetic posteriors: JSON contract, summaries, evidence, saved files."""

import json

import numpy as np
import pytest
import xarray as xr
from surface.synthetic import FLAT, PEAK, synthetic_idata, synthetic_surface

from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.surface.evidence import SurfaceEvidence, pointwise_loo
from plw_stats.surface.ml import fit_surface_ml
from plw_stats.surface.result import SurfaceFitResult
from plw_stats.surface.sweep import MLSurfaceResult, SurfaceSweep

S = {"mean", "sd", "hdi_low", "hdi_high"}
GROUP_KEYS = {
    "n_rows",
    "n_benchmarks",
    "n_models",
    "coefficients",
    "optimum",
    "prob_beats_baseline",
    "baseline",
    "recommended",
    "gain_over_baseline",
    "cell_probabilities",
    "diagnostics",
    "notes",
    "problems",
}


def test_group_json_has_the_issues_contract(surface_sweep):
    group = surface_sweep.to_dict()["groups"]["Interior"]
    assert set(group) == GROUP_KEYS
    assert (group["n_rows"], group["n_benchmarks"], group["n_models"]) == (700, 4, 5)
    assert list(group["coefficients"]) == ["intercept", "wp", "wp2", "wc", "wc2", "wp_wc"]
    assert all(set(v) == S for v in group["coefficients"].values())
    assert set(group["optimum"]) == {"plw", "clw"} and set(group["optimum"]["plw"]) == S
    assert group["baseline"] == {"plw": 0.0, "clw": 1.0}
    assert set(group["gain_over_baseline"]) == S
    cells = group["cell_probabilities"]
    assert len(cells) == 35 and set(cells[0]) == {"plw", "clw", "prob_best"}
    assert sum(c["prob_best"] for c in cells) == pytest.approx(1.0)
    assert set(group["diagnostics"]) == {"rhat_max", "ess_bulk_min", "divergences", "converged"}
    json.dumps(surface_sweep.to_dict(), allow_nan=False)


def test_the_json_says_where_the_synthetic_peak_is(surface_sweep):
    groups = surface_sweep.to_dict()["groups"]
    interior, flat = groups["Interior"], groups["Flat"]
    opt = interior["optimum"]
    assert opt["plw"]["hdi_low"] <= 0.05 <= opt["plw"]["hdi_high"]
    assert opt["clw"]["hdi_low"] <= 0.8 <= opt["clw"]["hdi_high"]
    best = max(interior["cell_probabilities"], key=lambda c: c["prob_best"])
    assert (best["plw"], best["clw"]) == (0.05, 0.8)
    assert interior["prob_beats_baseline"] == 1.0 and interior["gain_over_baseline"]["mean"] > 0
    assert flat["optimum"]["plw"]["sd"] > opt["plw"]["sd"]


def test_summary_and_repr(surface_sweep):
    fit = surface_sweep.groups["Interior"]
    summary = fit.summary()
    assert list(summary.columns) == ["mean", "sd", "hdi_low", "hdi_high", "ess_bulk", "r_hat"]
    assert {"wp_wc", "kappa", "sd_slope_wp", "sd_slope_wc", "sd_model"} <= set(summary.index)
    assert summary.dtypes.eq(float).all()
    stacked = surface_sweep.summary()
    assert set(stacked["dataset"]) == {"Interior", "Flat"}
    assert repr(fit).startswith("<SurfaceFitResult 'Interior': 700 rows, optimum PLW 0.0")


def test_frames_for_figures(surface_sweep):
    fit = surface_sweep.groups["Interior"]
    observed = fit.observed()
    assert len(observed) == 35 and observed["n_rows"].eq(20).all()
    assert observed["relative"].between(0, 1).all()
    assert set(fit.observed_by_model()["model"]) == set(fit.design.models)
    surface = fit.mean_surface(n_points=11)
    assert len(surface) == 121 and surface["mean"].between(0, 1).all()
    region = fit.optimum_region()
    assert region.loc[region["in_region"], "density"].sum() >= fit.hdi_prob
    points = fit.marked_points()
    assert points["kind"].tolist() == ["recommended", "baseline"]
    assert points.loc[1, ["wp", "wc"]].tolist() == [0.0, 1.0]


def test_the_flat_call():
    assert SurfaceEvidence(1.0, 2.0, 0, 0.4).flat  # neither route
    assert not SurfaceEvidence(10.0, 2.0, 0, 0.4).flat  # LOO alone, > 2 SE
    assert not SurfaceEvidence(1.0, 2.0, 0, 0.01).flat  # the LRT, LOO the same way
    assert SurfaceEvidence(-1.0, 2.0, 0, 0.01).flat  # the LRT alone, LOO against
    assert SurfaceEvidence(-3.0, 1.0, 0, np.nan).flat
    assert SurfaceEvidence(1.0, 2.0, 0, 0.4).to_dict()["flat"] is True


def test_pointwise_loo_of_a_synthetic_posterior(surface_specs):
    spec = surface_specs["Interior"]
    idata = synthetic_idata(spec, PEAK, seed=3)
    elpd, k = pointwise_loo(spec, idata)
    assert elpd.shape == k.shape == (700,)
    assert np.all(np.isfinite(elpd))


def test_pointwise_loo_equals_arviz_loo(surface_specs):
    """The vectorised PSIS-LOO gives ArviZ's numbers on a surface posterior (no sampler)."""
    import warnings

    import arviz as az

    from plw_stats.glmm.backends.general_draws import pointwise_log_likelihood

    spec = surface_specs["Interior"]
    idata = synthetic_idata(spec, PEAK, seed=3)
    posterior = idata["posterior"].to_dataset()
    values = pointwise_log_likelihood(spec.glmm(), posterior)
    log_lik = xr.Dataset({"score": (("chain", "draw", "obs"), values)})
    tree = xr.DataTree.from_dict({"posterior": posterior, "log_likelihood": log_lik})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # synthetic draws: some k may be high
        expected = az.loo(tree, pointwise=True, var_name="score")
    elpd_i, pareto_k = pointwise_loo(spec, idata)
    np.testing.assert_allclose(elpd_i, np.asarray(expected.elpd_i), rtol=1e-10)
    np.testing.assert_allclose(pareto_k, np.asarray(expected.pareto_k), rtol=1e-10)


def test_a_result_with_ml_and_evidence_reports_both(surface_specs):
    spec = surface_specs["Flat"]
    fit = synthetic_surface(spec, FLAT, seed=4)
    ml = fit_surface_ml(spec)
    evidence = SurfaceEvidence(-2.0, 1.0, 0, ml.lrt.p_value, null_notes=("attempt 1: retried",))
    full = fit.__class__(**{**fit.__dict__, "ml": ml, "evidence": evidence})
    group = full.to_dict()
    assert group["evidence"]["flat"] is True and group["ml"]["lrt"]["df"] == 5
    assert group["notes"][-1] == "null model: attempt 1: retried"
    only_ml = MLSurfaceResult(spec, ml).to_dict()
    assert set(only_ml) == {"n_rows", "n_benchmarks", "n_models", "notes", "problems", "ml"}


def test_save_writes_posterior_rows_and_record(surface_sweep, tmp_path):
    folder = surface_sweep.save(tmp_path / "out")
    names = {p.name for p in folder.iterdir()}
    assert names == {"Interior.nc", "Flat.nc", "summary.csv", "surface.json"}
    tree = xr.open_datatree(folder / "Interior.nc", engine="h5netcdf")
    assert tree["posterior"]["wp_wc"].shape == (2, 200)
    assert tree["fit_data"]["clw"].size == 700
    record = json.loads(tree.attrs["plw_stats_fit"])
    assert record["kind"] == "surface" and record["model"]["clw_power"] == 1.0
    assert record["baseline"] == [0.0, 1.0] and len(record["data_checksum"]) == 64
    saved = json.loads((folder / "surface.json").read_text())
    assert saved["groups"].keys() == {"Interior", "Flat"}


def test_the_baseline_option_moves_the_comparison(surface_specs):
    spec = surface_specs["Interior"]
    idata = synthetic_idata(spec, PEAK, seed=1)
    settings = SamplerSettings(chains=2, draws=200)
    fit = SurfaceFitResult.from_idata(
        spec, idata, settings=settings, random_seed=1, baseline=(0.05, 0.8)
    )
    assert fit.to_dict()["baseline"] == {"plw": 0.05, "clw": 0.8}
    assert fit.baseline.gain.hdi_low < 0.01  # the baseline sits at the peak


def test_sweep_json_top_level(surface_sweep):
    payload = surface_sweep.to_dict()
    assert set(payload) == {"method", "plw_power", "clw_power", "groups", "settings"}
    assert payload["method"] == "bayes" and payload["clw_power"] == 1.0
    assert SurfaceSweep({}, "ml", 1.0, 1.0).problems() == {}
