"""analyse(): fits, evidence stored in saved fits, ML cross-checks, residual checks, checksums."""

import re

import numpy as np
import pytest

from plw_stats.analysis import (
    analyse,
    file_checksum,
    ml_fits,
    package_versions,
    table_checksum,
)
from plw_stats.glmm.ml_result import MLFit


def test_saved_evidence_comes_back_with_the_fits(report_analysis):
    fits = report_analysis.fits.groups
    assert fits["AlpacaData"].evidence is None
    evidence = fits["AlpacaDataShort"].evidence
    assert evidence.elpd_diff == pytest.approx(48.25) and evidence.pareto_k_bad == 1


def test_ml_fits_and_checks_for_every_fit(report_analysis):
    assert set(report_analysis.ml) == set(report_analysis.fits.groups)
    short = report_analysis.ml["AlpacaDataShort"]
    assert isinstance(short, MLFit)
    assert short.lrt.p_value < 1e-6  # the demo's AlpacaDataShort has a strong quadratic effect
    assert 0.1 < short.critical_plw.estimate < 0.4
    check = report_analysis.checks["AlpacaDataShort"]
    assert check.residuals.size == len(report_analysis.fits.groups["AlpacaDataShort"].spec.data)
    assert 0 <= check.ks_p_value <= 1


def test_a_fit_that_already_has_an_ml_fit_keeps_it(report_analysis):
    class WithML:  # stands in for a result carrying the ML fit (attribute ``ml``)
        def __init__(self, fit, ml):
            self.spec, self.ml = fit.spec, ml

    stored = report_analysis.ml["AlpacaData"]
    fits = report_analysis.fits
    sweep = type(fits)(
        groups={"AlpacaData": WithML(fits.groups["AlpacaData"], stored)}, power=fits.power
    )
    assert ml_fits(sweep, []) == {"AlpacaData": stored}


def test_checks_can_be_left_out(fit_dir, demo_scores):
    analysis = analyse(demo_scores, fit_dir=fit_dir, checks=False, gam=False)
    assert analysis.ml == {} and analysis.checks == {}
    assert analysis.gam is None and "GAM skipped: not requested" in analysis.notes


def test_checksums_and_versions(demo_scores, tmp_path):
    shuffled = demo_scores.sample(frac=1.0, random_state=np.random.default_rng(1))
    assert table_checksum(shuffled) == table_checksum(demo_scores)
    changed = demo_scores.assign(score=demo_scores["score"].where(demo_scores.index != 0, 0.123))
    assert table_checksum(changed) != table_checksum(demo_scores)
    file = tmp_path / "x.csv"
    file.write_bytes(b"abc")
    assert file_checksum(file) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    versions = package_versions()
    assert list(versions)[:2] == ["python", "plw-stats"]
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", versions["numpy"])


def test_sampling_asks_for_evidence(demo_scores, sweep_fit, monkeypatch):
    seen = {}

    def fake_fit_sweep(scores, **options):  # the session fit stands in for sampling
        seen.update(options)
        return sweep_fit

    monkeypatch.setattr("plw_stats.analysis.fit_sweep", fake_fit_sweep)
    analysis = analyse(demo_scores, checks=False, gam=False)
    assert seen["evidence"] is True and analysis.fits is sweep_fit
    analyse(demo_scores, checks=False, gam=False, evidence=False)
    assert seen["evidence"] is False
