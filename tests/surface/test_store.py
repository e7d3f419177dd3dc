"""Saved surface fits read back with nothing else; wrong files refused in one line naming them."""

import dataclasses
import json

import numpy as np
import pytest
import xarray as xr
from surface.synthetic import PEAK, synthetic_idata, synthetic_surface

import plw_stats as plw
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm import record
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.store import load_fit
from plw_stats.surface.evidence import SurfaceEvidence
from plw_stats.surface.ml import SurfaceMLFit
from plw_stats.surface.model import SurfaceModel
from plw_stats.surface.priors import SurfacePriors
from plw_stats.surface.result import SurfaceFitResult
from plw_stats.surface.store import load_surface
from plw_stats.surface.sweep import SurfaceSweep

EVIDENCE = SurfaceEvidence(12.5, 3.0, 2, 1e-6, null_converged=False, null_notes=("retried",))


@pytest.fixture(scope="module")
def interior_ml(surface_specs):
    """The demo Interior's maximum-likelihood fit (Laplace: no sampler)."""
    return surface_specs["Interior"].fit_ml()


@pytest.fixture(scope="module")
def full_fit(surface_scores, interior_ml):
    """A surface with its own powers, priors, baseline, notes, evidence and ML fit."""
    priors = SurfacePriors(coef_sd=3.0, kappa_rate=0.2)
    spec = SurfaceModel.from_table(
        surface_scores, "Interior", power=0.5, clw_power=2.0, priors=priors
    )
    fit = SurfaceFitResult.from_idata(
        spec,
        synthetic_idata(spec, PEAK, seed=5),
        settings=SamplerSettings(chains=2, draws=200, tune=300, target_accept=0.95),
        random_seed=17,
        hdi_prob=0.9,
        baseline=(0.05, 0.8),
        notes=("attempt 1 had 2 divergences: retried at target_accept 0.99",),
    )
    return dataclasses.replace(fit, ml=interior_ml, evidence=EVIDENCE)


def test_a_saved_surface_reads_back_the_same(full_fit, tmp_path):
    path = full_fit.save(tmp_path)
    assert path == tmp_path / "Interior.nc"
    for source in (path, tmp_path):  # the file, or a folder holding one fit
        back = plw.load_surface(source)
        assert isinstance(back, SurfaceFitResult)
        assert back.to_dict() == full_fit.to_dict()
    design, spec = back.design, full_fit.design
    assert (design.name, design.power, design.clw_power) == ("Interior", 0.5, 2.0)
    assert design.priors == spec.priors and design.base_rows == 20
    assert design.benchmarks == spec.benchmarks and design.models == spec.models
    np.testing.assert_array_equal(design.response(), spec.response())
    np.testing.assert_array_equal(design.wc(), spec.wc())
    assert (back.settings, back.random_seed, back.hdi_prob) == (full_fit.settings, 17, 0.9)
    assert (back.baseline.plw, back.baseline.clw) == (0.05, 0.8)
    assert back.notes == full_fit.notes and back.evidence == EVIDENCE
    assert back.ml == full_fit.ml
    assert back.summary().equals(full_fit.summary())
    assert back.record() == full_fit.record()


def test_the_ml_fit_is_saved_in_full_and_round_trips(interior_ml, full_fit):
    saved = full_fit.record()["ml"]
    assert set(interior_ml.to_dict()) < set(saved)
    assert set(saved["sds"]) == {"sd_slope_wp", "sd_slope_wc", "sd_model"}
    text = record.encode({"ml": saved})
    back = SurfaceMLFit.from_record(record.decode(text, source="test")["ml"])
    assert back == interior_ml
    assert back.to_dict() == interior_ml.to_dict()


def test_the_evidence_round_trips_and_flat_is_recomputed():
    assert SurfaceEvidence.from_record(EVIDENCE.to_record()) == EVIDENCE
    wrong = EVIDENCE.to_record() | {"flat": True}  # derived: not read back
    assert SurfaceEvidence.from_record(wrong).flat is False
    nan = dataclasses.replace(EVIDENCE, ml_p_value=np.nan)
    text = record.encode({"evidence": nan.to_record()})
    back = SurfaceEvidence.from_record(record.decode(text, source="test")["evidence"])
    assert np.isnan(back.ml_p_value) and back.null_notes == ("retried",)
    null = SurfaceEvidence.from_record(EVIDENCE.to_record() | {"ml_p_value": None})
    assert np.isnan(null.ml_p_value)


def test_a_saved_sweep_reads_back_as_a_sweep(surface_sweep, tmp_path):
    folder = surface_sweep.save(tmp_path / "out")
    back = load_surface(folder)
    assert isinstance(back, SurfaceSweep)
    assert list(back.groups) == ["Flat", "Interior"]
    assert (back.method, back.power, back.clw_power) == ("bayes", surface_sweep.power, 1.0)
    assert back.settings == {"seed": 0, "fit_dir": str(folder)}
    saved = json.loads((folder / "surface.json").read_text())
    for name, fit in back.groups.items():
        assert fit.to_dict() == surface_sweep.groups[name].to_dict()
        assert json.loads(json.dumps(fit.to_dict())) == saved["groups"][name]
    assert back.summary().equals(
        surface_sweep.summary().sort_values("dataset", kind="stable", ignore_index=True)
    )


def test_one_dataset_of_a_folder(surface_sweep, tmp_path):
    folder = surface_sweep.save(tmp_path)
    one = load_surface(folder, "Flat")
    assert isinstance(one, SurfaceFitResult) and one.name == "Flat"
    with pytest.raises(DataSchemaError, match=r"no saved surface fit of dataset 'Nope'; saved: "):
        load_surface(folder, dataset="Nope")


def test_another_hdi_prob_re_summarises(surface_sweep, tmp_path):
    folder = surface_sweep.save(tmp_path)
    stored = load_surface(folder, "Interior")
    narrow = load_surface(folder, "Interior", hdi_prob=0.5)
    assert narrow.hdi_prob == 0.5 and stored.hdi_prob == surface_sweep.groups["Interior"].hdi_prob
    wide, small = stored.coefficients["wp"], narrow.coefficients["wp"]
    assert small.hdi_high - small.hdi_low < wide.hdi_high - wide.hdi_low
    assert load_surface(folder, hdi_prob=0.5).settings["hdi_prob"] == 0.5
    with pytest.raises(ModelSpecError, match=r"hdi_prob must lie in \(0, 1\), got 1\.5"):
        load_surface(folder, hdi_prob=1.5)


def test_fits_of_different_powers_are_not_one_sweep(surface_scores, tmp_path):
    for name, power in (("Interior", 0.5), ("Flat", 0.3)):
        spec = SurfaceModel.from_table(surface_scores, name, power=power)
        synthetic_surface(spec, seed=1).save(tmp_path)
    with pytest.raises(DataSchemaError, match=r"different \(PLW, CLW\) powers .* dataset=NAME"):
        load_surface(tmp_path)
    assert load_surface(tmp_path, "Flat").design.power == 0.3


def test_a_one_knob_fit_is_named_and_sent_to_load_fit(fit_dir):
    file = fit_dir / "AlpacaData.nc"
    with pytest.raises(DataSchemaError, match=r"AlpacaData\.nc is a one-knob fit; load it with "):
        load_surface(file)
    with pytest.raises(DataSchemaError, match=r"is a one-knob fit; load it with plw\.load_fit"):
        load_surface(fit_dir)


def test_a_surface_fit_given_to_load_fit_is_sent_to_load_surface(surface_sweep, tmp_path):
    folder = surface_sweep.save(tmp_path)
    message = r"Interior\.nc is a two-knob surface fit; load it with plw\.load_surface\("
    with pytest.raises(DataSchemaError, match=message) as err:
        load_fit(folder / "Interior.nc")
    assert "\n" not in str(err.value)
    with pytest.raises(DataSchemaError, match="is a two-knob surface fit"):
        plw.load_fit(folder)


def test_files_and_folders_that_are_not_surface_fits(surface_sweep, tmp_path):
    cases = []
    with pytest.raises(DataSchemaError, match="no such file or folder; give a saved surface fit"):
        load_surface(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataSchemaError, match=r"holds no saved surface fit \(\*\.nc\); save") as e:
        load_surface(empty)
    cases.append(e)
    (empty / "surface.json").write_text(json.dumps({"method": "ml", "groups": {}}))
    with pytest.raises(DataSchemaError, match=r"a --method ml run, which saves no posterior"):
        load_surface(empty)
    plain = tmp_path / "plain.nc"
    surface_sweep.groups["Flat"].idata.to_netcdf(plain, engine="h5netcdf")
    with pytest.raises(DataSchemaError, match=r"plain\.nc: not a plw-stats saved fit") as e:
        load_surface(plain)
    cases.append(e)
    broken = tmp_path / "broken.nc"
    broken.write_text("not netCDF")
    with pytest.raises(DataSchemaError, match=r"broken\.nc: cannot be read as a netCDF") as e:
        load_surface(broken)
    cases.append(e)
    assert all("\n" not in str(c.value) for c in cases)


def test_rows_changed_after_saving_are_refused(surface_sweep, tmp_path):
    path = surface_sweep.groups["Flat"].save(tmp_path)
    tree = xr.open_datatree(path, engine="h5netcdf").load()
    tree.close()
    tree["fit_data"]["score"] = tree["fit_data"]["score"] * 0.99
    changed = tmp_path / "changed.nc"
    tree.to_netcdf(changed, engine="h5netcdf")
    with pytest.raises(DataSchemaError, match=r"changed\.nc: its fitted rows do not match"):
        load_surface(changed)


def test_the_facade_exposes_load_surface():
    assert plw.load_surface is load_surface
    assert "load_surface" in plw.__all__


@pytest.mark.slow
def test_the_cli_s_saved_surfaces_read_back_as_its_json(tmp_path):
    from plw_stats.cli.main import main

    out, payload = tmp_path / "out", tmp_path / "surface.json"
    tiny = ["--draws", "100", "--tune", "100", "--chains", "2", "--seed", "2", "--quiet"]
    args = ["surface", "--dataset", "Interior", "--dataset", "Flat", *tiny]
    assert main([*args, "--out", str(out), "--json", str(payload)]) == 0
    saved = json.loads(payload.read_text())
    back = plw.load_surface(out)
    assert isinstance(back, SurfaceSweep) and set(back.groups) == {"Interior", "Flat"}
    assert back.settings == saved["settings"] | {"fit_dir": str(out)}
    for name, fit in back.groups.items():
        assert fit.ml is not None and fit.evidence is not None
        assert json.loads(json.dumps(fit.to_dict())) == saved["groups"][name]
