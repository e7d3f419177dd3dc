"""Saved fits carry their meaning: read back with nothing else, contradictions refused."""

import dataclasses

import numpy as np
import pytest
from helpers import PEAKED, synthetic_fit

import plw_stats as plw
from plw_stats.errors import DataSchemaError
from plw_stats.glmm.evidence import Evidence
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.glmm.priors import BetaPriors
from plw_stats.glmm.store import load_fit, load_sweep
from plw_stats.glmm.sweep import SweepResult


def test_a_saved_sweep_reads_back_the_same(fit_dir, sweep_fit, demo_scores):
    loaded = load_fit(fit_dir, scores=demo_scores)
    assert isinstance(loaded, SweepResult)
    assert list(loaded.groups) == ["AlpacaData", "AlpacaDataShort"]
    for name, fit in loaded.groups.items():
        original = sweep_fit.groups[name]
        assert fit.coefficients == original.coefficients
        assert fit.critical == original.critical
        assert fit.diagnostics == original.diagnostics
        assert fit.settings == original.settings
        assert fit.spec.benchmarks == original.spec.benchmarks
        assert fit.summary().equals(original.summary())


def test_a_fit_with_its_own_power_priors_and_evidence_round_trips(demo_scores, tmp_path):
    priors = BetaPriors(coef_sd=3.0)
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort", power=0.5, priors=priors)
    evidence = Evidence(1.5, 0.5, 2, 0.01, 9.0, 7.5, 3.0, null_converged=False, null_notes=("x",))
    fit = dataclasses.replace(synthetic_fit(spec, PEAKED, seed=3), evidence=evidence)
    path = fit.save(tmp_path)
    assert path == tmp_path / "AlpacaDataShort.nc"
    back = plw.load_fit(tmp_path)
    assert back.spec.power == 0.5 and back.spec.priors == priors
    assert back.critical.plw == fit.critical.plw  # its own power, not the paper's
    assert back.evidence == evidence
    assert back.to_dict() == fit.to_dict()
    np.testing.assert_array_equal(back.spec.response(), spec.response())


def test_a_given_power_that_contradicts_the_saved_one_is_refused(demo_scores, tmp_path):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort", power=0.5)
    synthetic_fit(spec).save(tmp_path)
    with pytest.raises(DataSchemaError, match=r"PLW power 0\.5 but power 0\.30103 was given"):
        load_fit(tmp_path, power=0.30103)
    assert load_fit(tmp_path, power=0.5).spec.power == 0.5


def test_a_table_with_other_rows_is_refused(fit_dir, demo_scores):
    changed = demo_scores.copy()
    changed.loc[changed["dataset"] == "AlpacaDataShort", "score"] *= 1.01
    with pytest.raises(DataSchemaError, match=r"\.nc: fitted on other rows of dataset"):
        load_fit(fit_dir, scores=changed)


def test_folder_errors_name_the_folder_and_the_fix(fit_dir, demo_scores, tmp_path):
    with pytest.raises(DataSchemaError, match="no such file or folder; give a saved fit"):
        load_fit(tmp_path / "missing")
    with pytest.raises(DataSchemaError, match=r"holds no saved fit \(\*\.nc\)"):
        load_fit(tmp_path)
    other = demo_scores[demo_scores["dataset"] == "AlpacaDataCleaned"]
    with pytest.raises(DataSchemaError, match="no saved fit of any dataset of the score table"):
        load_fit(fit_dir, scores=other)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "AlpacaData.nc").write_text("not netCDF")
    with pytest.raises(DataSchemaError, match="cannot be read as a netCDF posterior"):
        load_fit(broken)


def test_a_posterior_without_its_record_is_refused(sweep_fit, tmp_path):
    fit = sweep_fit.groups["AlpacaData"]
    fit.idata.to_netcdf(tmp_path / "old.nc", engine="h5netcdf")
    with pytest.raises(DataSchemaError, match=r"old\.nc: not a plw-stats saved fit"):
        load_fit(tmp_path / "old.nc")


def test_one_dataset_of_a_folder_and_a_sweep_of_one(fit_dir):
    one = load_fit(fit_dir, dataset="AlpacaDataShort")
    assert one.name == "AlpacaDataShort"
    assert list(load_sweep(fit_dir, dataset="AlpacaData").groups) == ["AlpacaData"]
    with pytest.raises(DataSchemaError, match="no saved fit of dataset 'Nope'"):
        load_fit(fit_dir, dataset="Nope")
