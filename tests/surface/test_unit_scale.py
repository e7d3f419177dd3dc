"""``scale="unit"``: scores fitted as proportions on their own scale, a shift per benchmark.

No sampler runs here (synthetic posteriors); the ML route is checked against glmmTMB in
test_ml.py (design ``unit_levels``) and the Bayesian recovery in test_recovery.py (slow).
"""

import dataclasses

import numpy as np
import pytest
from scipy.special import expit
from surface.synthetic import PEAK, synthetic_surface

from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.io.tables import validate_scores
from plw_stats.simulation.surface_sweeps import SurfaceGrid, SurfaceTruth, simulate_surface_sweep
from plw_stats.surface import optimum as opt
from plw_stats.surface.design import FIXED_TERMS, SurfaceDesign
from plw_stats.surface.model import SurfaceModel
from plw_stats.surface.result import coefficient_draws
from plw_stats.surface.store import load_surface
from plw_stats.surface.sweep import specify_surfaces
from plw_stats.surface.table import surface_rows

LEVELS = SurfaceTruth.from_peak(0.5, 0.7, height=0.3, sd_benchmark=0.7, kappa=30.0)


@pytest.fixture(scope="module")
def proportions():
    """A one-dataset sweep on the proportion scale, benchmarks at their own levels."""
    sweep = simulate_surface_sweep({"d": LEVELS}, SurfaceGrid(), seed=5, raw_scale=False)
    return validate_scores(sweep)


@pytest.fixture(scope="module")
def unit_spec(proportions):
    return SurfaceModel.from_table(proportions, "d", scale="unit")


def test_unit_scores_are_kept_and_every_benchmark_gets_a_shift(proportions, unit_spec):
    kept = proportions[(proportions["plw"] > 0) | (proportions["clw"] > 0)]
    assert np.array_equal(np.sort(unit_spec.data["score"]), np.sort(kept["score"]))
    assert unit_spec.shift_names() == tuple(f"benchmark_shift_{k}" for k in (1, 2, 3))
    X = unit_spec.fixed_design()
    assert X.shape == (700, 5 + 3)
    assert unit_spec.fixed_names() == (*FIXED_TERMS, *unit_spec.shift_names())
    # one indicator per benchmark after the first (the reference)
    codes = unit_spec.codes("benchmark")
    np.testing.assert_array_equal(X[:, 5:].argmax(axis=1) + 1, np.where(codes > 0, codes, 1))
    assert (X[codes == 0, 5:] == 0).all()
    assert unit_spec.glmm().fixed_names == unit_spec.fixed_names()
    assert "benchmark_shift_3" in unit_spec.parameter_names()
    assert unit_spec.notes()[-1].startswith("scores fitted on their own [0, 1] scale")
    assert unit_spec.settings_dict()["scale"] == "unit"
    assert unit_spec.score_label == "mean score (proportion)"


def test_the_null_model_keeps_the_shifts(unit_spec):
    null = dataclasses.replace(unit_spec, full=False)
    assert null.fixed_names() == unit_spec.shift_names()
    np.testing.assert_array_equal(null.fixed_design(), unit_spec.fixed_design()[:, 5:])


def test_relative_scores_and_a_single_benchmark_have_no_shifts(proportions, unit_spec):
    relative = SurfaceModel.from_table(proportions, "d")
    assert relative.scale == "relative" and relative.shift_names() == ()
    assert relative.fixed_design().shape == (700, 5)
    one = unit_spec.data[unit_spec.data["benchmark"] == "mmlu"]
    single = SurfaceDesign(one, name="d", scale="unit")
    assert single.shift_names() == () and single.fixed_design().shape == (175, 5)


def test_scores_outside_zero_one_are_refused_naming_the_benchmark(surface_scores):
    with pytest.raises(
        DataSchemaError,
        match=r"^demo.csv: benchmark 'alpaca_eval' has score \S+ outside \[0, 1\] \(525 row\(s\) "
        r"in all\); scale unit fits proportions, so divide percentages by 100",
    ):
        specify_surfaces(surface_scores, scale="unit", source="demo.csv")


def test_an_unknown_scale_is_refused(proportions, unit_spec):
    with pytest.raises(ModelSpecError, match="unknown scale 'logit'; choose one of relative, unit"):
        surface_rows(proportions, scale="logit")
    with pytest.raises(ModelSpecError, match="unknown scale 'raw'"):
        dataclasses.replace(unit_spec, scale="raw")


def test_the_mean_score_averages_each_benchmark_s_level():
    rng = np.random.default_rng(0)
    levels, eta = rng.normal(size=(50, 3)), rng.normal(size=(50, 7))
    expected = np.mean([expit(levels[:, [k]] + eta) for k in range(3)], axis=0)
    np.testing.assert_allclose(opt.mean_score(levels, eta), expected)
    np.testing.assert_allclose(opt.mean_score(levels[:, 0], eta), expit(levels[:, [0]] + eta))


def test_shifts_move_no_optimum_but_enter_the_gain(unit_spec):
    fit = synthetic_surface(unit_spec, PEAK, seed=3)
    b0, b = coefficient_draws(fit.idata["posterior"].to_dataset(), unit_spec.shift_names())
    assert b0.shape == (400, 4)
    shift = fit.idata["posterior"]["benchmark_shift_2"].to_numpy().ravel()
    np.testing.assert_allclose(b0[:, 2] - b0[:, 0], shift)
    one_level = opt.compare_baseline(b0[:, 0], b, fit.grid, (0.0, 1.0))
    base = fit.baseline
    assert (base.recommended_plw, base.recommended_clw) == pytest.approx(
        (one_level.recommended_plw, one_level.recommended_clw), abs=0.02
    )
    # lower benchmarks sit where expit is steeper or flatter: the average gain differs
    assert base.gain.mean != pytest.approx(one_level.gain.mean, rel=1e-3)
    contours = fit.mean_surface(n_points=11)
    corner = contours[(contours["wp"] == 0) & (contours["wc"] == 0)]["mean"].item()
    assert corner == pytest.approx(expit(b0).mean())  # at (0, 0) the surface is b0 alone


def test_a_saved_unit_scale_fit_reads_back_with_its_scale(unit_spec, tmp_path):
    fit = synthetic_surface(unit_spec, PEAK, seed=4)
    loaded = load_surface(fit.save(tmp_path))
    assert loaded.design.scale == "unit"
    assert loaded.to_dict() == fit.to_dict()
