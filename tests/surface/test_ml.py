"""The surface by maximum likelihood (Laplace) against recorded glmmTMB fits.

The fixtures in tests/reference/glmmtmb_surface/ were made by tests/reference/glmmtmb_surface.R
from the CSVs written by tests/reference/make_surface_designs.py; these tests never run R.
"""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plw_stats.glmm.laplace import BetaGLMMProblem
from plw_stats.glmm.marginal import fit_marginal
from plw_stats.surface.design import COEFFICIENTS, SurfaceDesign
from plw_stats.surface.ml import fit_surface_ml

FIXTURES = Path(__file__).parents[1] / "reference" / "glmmtmb_surface"
DESIGNS = sorted(path.stem for path in FIXTURES.glob("*.json"))


def load(name):
    rows = pd.read_csv(FIXTURES / f"{name}.csv")
    return rows, json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def fits():
    out = {}
    for name in DESIGNS:
        rows, _ = load(name)
        out[name] = fit_surface_ml(_exact(rows, name))
    return out


def _exact(rows, name):
    """Design whose squeezed response reproduces the fixture's y exactly."""
    n = len(rows)
    unsqueezed = (rows["y"] * n - 0.5) / (n - 1)  # inverse of Smithson & Verkuilen's squeeze
    data = rows.assign(plw=rows["wp"], clw=rows["wc"], score=unsqueezed)
    scale = "unit" if name.startswith("unit_") else "relative"
    design = SurfaceDesign(data, name="fixture", power=1.0, clw_power=1.0, scale=scale)
    np.testing.assert_allclose(design.response(), rows["y"], rtol=1e-12)
    return design


def test_fixtures_cover_the_required_designs():
    required = {"demo_Interior", "demo_Flat", "wit_linear", "single_benchmark", "unit_levels"}
    assert required <= set(DESIGNS)
    _, reference = load("wit_linear")
    assert reference["n_rows"] == 700 and reference["versions"]["glmmTMB"] == "1.1.5"


@pytest.mark.parametrize("name", DESIGNS)
def test_coefficients_match_glmmtmb_within_five_hundredths_of_an_se(fits, name):
    _, reference = load(name)
    for key in COEFFICIENTS:
        expected = reference["full"]["surface"]["coefficients"][key]
        got = fits[name].coefficients[key]
        assert abs(got.estimate - expected["estimate"]) <= 0.05 * expected["se"], key
        assert got.se == pytest.approx(expected["se"], rel=0.02), key
        assert got.p_value == pytest.approx(expected["p_value"], rel=0.05, abs=1e-6), key


@pytest.mark.parametrize("name", DESIGNS)
def test_likelihoods_sds_and_test_match_glmmtmb(fits, name):
    _, reference = load(name)
    full = reference["full"]
    fit = fits[name]
    assert fit.loglik == pytest.approx(full["surface"]["loglik"], abs=1e-3)
    assert fit.null_loglik == pytest.approx(full["null"]["loglik"], abs=1e-3)
    assert fit.kappa == pytest.approx(full["surface"]["phi"], rel=1e-3)
    assert fit.lrt.statistic == pytest.approx(full["lrt"]["statistic"], abs=2e-3)
    sds = sorted(full["surface"]["sds"].values())
    np.testing.assert_allclose(sorted(fit.sds.values()), sds, atol=2e-3, rtol=1e-2)


@pytest.mark.parametrize("name", DESIGNS)
def test_the_issue_formula_without_benchmark_slopes_matches_glmmtmb(name):
    """y ~ wp + I(wp^2) + wc + I(wc^2) + wp:wc + (1 | model), the issue's reference model."""
    rows, reference = load(name)
    design = _exact(rows, name)
    glmm = dataclasses.replace(design.glmm(), terms=())
    Z, groups = glmm.random_design()
    X = np.column_stack([np.ones(len(rows)), design.fixed_design()])
    fit = fit_marginal(BetaGLMMProblem.from_rows(X, Z, groups, rows["y"]))
    se = np.sqrt(np.diag(fit.covariance))
    # glmmTMB names a benchmark's shift "benchmark<label>", the reference level first as ours
    shifts = [f"benchmark{label}" for label in design.benchmarks[1:] if design.scale == "unit"]
    for k, key in enumerate([*COEFFICIENTS, *shifts]):
        expected = reference["issue"]["surface"]["coefficients"][key]
        assert abs(fit.theta[k] - expected["estimate"]) <= 0.05 * expected["se"], key
        assert se[k] == pytest.approx(expected["se"], rel=0.02), key
    assert -fit.nll == pytest.approx(reference["issue"]["surface"]["loglik"], abs=1e-3)


def test_the_proportion_scale_design_has_benchmark_shifts(fits):
    _, reference = load("unit_levels")
    assert "+ benchmark" in reference["full"]["surface"]["formula"]
    assert len(reference["full"]["surface"]["coefficients"]) == len(COEFFICIENTS) + 3
    # the shifts are in the likelihood: without them the fit is far worse than glmmTMB's
    rows, _ = load("unit_levels")
    plain = fit_surface_ml(dataclasses.replace(_exact(rows, "unit_levels"), scale="relative"))
    assert plain.loglik < reference["full"]["surface"]["loglik"] - 50
    assert fits["unit_levels"].converged


def test_ml_answers_of_the_demo(fits):
    interior, flat = fits["demo_Interior"], fits["demo_Flat"]
    assert interior.converged and interior.problems == ()
    assert interior.lrt.df == 5 and interior.lrt.p_value < 1e-50
    assert flat.lrt.p_value > 0.05
    # the fixture's wp is plw ** 0.301: map the argmax back to PLW with that power
    assert interior.argmax_plw ** (np.log(0.1) / np.log(0.5)) == pytest.approx(0.05, abs=0.02)
    assert interior.argmax_clw == pytest.approx(0.8, abs=0.05)
    payload = interior.to_dict()
    assert set(payload) == {"coefficients", "argmax", "lrt", "converged", "problems"}
    assert set(payload["coefficients"]["wp_wc"]) == {"estimate", "se", "z", "p_value"}
    json.dumps(payload)
