"""Real fits (slow): a known optimum is recovered, a flat truth is called flat.

Also: the native backend agrees with nutpie on the PyMC graph.
"""

import numpy as np
import pytest

from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.io.tables import validate_scores
from plw_stats.simulation.surface_sweeps import SurfaceGrid, SurfaceTruth, simulate_surface_sweep
from plw_stats.surface.sweep import fit_surface
from plw_stats.transforms import plw_to_wp

SETTINGS = SamplerSettings(draws=500, tune=500)
#: A peak at PLW 0.01 (wp = 0.25) and CLW 0.6, away from the grid's cells.
PEAK = SurfaceTruth.from_peak(float(plw_to_wp(0.01)), 0.6, height=0.3, kappa=30.0)


def sweep(truth, seed):
    table = simulate_surface_sweep({"d": truth}, SurfaceGrid(), seed=seed, raw_scale=False)
    return validate_scores(table)


@pytest.fixture(scope="module")
def peaked():
    return fit_surface(sweep(PEAK, 11), "d", seed=1, settings=SETTINGS)


@pytest.mark.slow
def test_the_optimum_interval_covers_the_true_optimum(peaked):
    plw, clw = PEAK.optimum()
    assert peaked.optimum.plw.hdi_low <= plw <= peaked.optimum.plw.hdi_high
    assert peaked.optimum.clw.hdi_low <= clw <= peaked.optimum.clw.hdi_high
    assert peaked.problems() == []
    assert not peaked.evidence.flat and peaked.evidence.ml_p_value < 1e-6
    assert peaked.baseline.prob_beats > 0.99


@pytest.mark.slow
def test_bayes_and_ml_agree_on_the_coefficients(peaked):
    for name, interval in peaked.coefficients.items():
        ml = peaked.ml.coefficients[name]
        assert abs(interval.mean - ml.estimate) < 0.5 * ml.se + 0.05, name


#: A peak near the CLW edge (CLW 0.88), benchmarks at their own levels: relative scores pull
#: such an optimum towards the edge (docs/surface.md); the proportion scale does not.
EDGE = SurfaceTruth.from_peak(
    0.6, 0.88, height=0.3, curvature=(3.0, 4.0, 0.5), kappa=30.0, sd_benchmark=0.7
)


@pytest.mark.slow
def test_on_the_proportion_scale_an_optimum_near_the_edge_is_covered():
    fit = fit_surface(sweep(EDGE, 15), "d", seed=5, settings=SETTINGS, scale="unit")
    plw, clw = EDGE.optimum()
    assert fit.optimum.plw.hdi_low <= plw <= fit.optimum.plw.hdi_high
    assert fit.optimum.clw.hdi_low <= clw <= fit.optimum.clw.hdi_high
    assert fit.problems() == [] and not fit.evidence.flat
    assert fit.ml.argmax_clw == pytest.approx(clw, abs=0.05)
    shifts = fit.summary().loc[["benchmark_shift_1", "benchmark_shift_2", "benchmark_shift_3"]]
    assert (shifts["r_hat"] < 1.01).all()


@pytest.mark.slow
def test_a_flat_truth_is_called_flat():
    flat = fit_surface(sweep(SurfaceTruth(kappa=30.0), 12), "d", seed=2, settings=SETTINGS)
    assert flat.evidence.flat
    assert flat.optimum.plw.hdi_high - flat.optimum.plw.hdi_low > 0.5  # no sure optimum


@pytest.mark.slow
def test_native_and_pymc_graph_backends_give_the_same_posterior():
    grid = SurfaceGrid(models=("m1", "m2", "m3"))
    scores = validate_scores(simulate_surface_sweep({"d": PEAK}, grid, seed=5, raw_scale=False))
    means = {}
    for sampler in ("native", "nutpie"):
        options = {"evidence": False, "draws": 600, "tune": 400, "sampler": sampler}
        fit = fit_surface(scores, "d", seed=3, **options)
        assert fit.problems() == []
        means[sampler] = {k: (v.mean, v.sd) for k, v in fit.coefficients.items()}
    for name, (mean, sd) in means["native"].items():
        other, other_sd = means["nutpie"][name]
        assert abs(mean - other) < 0.25 * max(sd, other_sd), name
        assert np.isclose(sd, other_sd, rtol=0.25), name


@pytest.mark.slow
def test_python_callback_fallback_gives_identical_draws_and_is_noted(monkeypatch):
    from plw_stats.errors import SamplerFallbackWarning
    from plw_stats.glmm.backends.native import PYTHON_CALLBACK_NOTE
    from plw_stats.glmm.backends.nutpie_model import NativeUnavailable

    scores = sweep(PEAK, 13)
    options = {"evidence": False, "draws": 100, "tune": 100, "chains": 2}
    fast = fit_surface(scores, "d", seed=4, **options)

    def unavailable(problem):
        raise NativeUnavailable("simulated")

    monkeypatch.setattr("plw_stats.glmm.backends.general_dispatch.compile_general", unavailable)
    with pytest.warns(SamplerFallbackWarning, match="Python callback"):
        slow = fit_surface(scores, "d", seed=4, **options)
    for name in fast.coefficients:
        np.testing.assert_array_equal(fast.idata["posterior"][name], slow.idata["posterior"][name])
    assert PYTHON_CALLBACK_NOTE in slow.all_notes() and PYTHON_CALLBACK_NOTE not in fast.all_notes()
