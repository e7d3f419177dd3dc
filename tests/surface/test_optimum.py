"""Post-processing of surface draws: the per-draw argmax, cell probabilities, the baseline."""

import numpy as np
import pandas as pd
import pytest
from surface.synthetic import FLAT, PEAK

from plw_stats.config import PLW_POWER
from plw_stats.surface import optimum as opt
from plw_stats.transforms import plw_to_wp

GRID = opt.SurfaceGrid(PLW_POWER, 1.0)


def draws_around(truth, n=800, spread=0.05, seed=0):
    rng = np.random.default_rng(seed)
    b = np.array([truth.wp, truth.wp2, truth.wc, truth.wc2, truth.wp_wc])
    b0 = truth.intercept + spread * rng.standard_normal(n)
    return b0, b + spread * rng.standard_normal((n, 5))


def test_argmax_of_every_draw_matches_a_brute_force_search():
    _, b = draws_around(PEAK, n=7)
    wp, wc = opt.argmax_draws(b, GRID)
    axis = GRID.axis
    for k in range(b.shape[0]):
        values = np.array([[b[k] @ opt.basis(x, y)[0] for y in axis] for x in axis])
        i, j = np.unravel_index(np.argmax(values), values.shape)
        assert (wp[k], wc[k]) == (axis[i], axis[j])


def test_argmax_does_not_depend_on_the_chunk_size(monkeypatch):
    _, b = draws_around(PEAK, n=50, spread=0.5)
    whole = opt.argmax_draws(b, GRID)
    monkeypatch.setattr(opt, "CHUNK", 7)
    np.testing.assert_array_equal(opt.argmax_draws(b, GRID), whole)


def test_optimum_interval_covers_a_known_peak():
    _, b = draws_around(PEAK)
    found = opt.summarize_optimum(b, GRID)
    assert found.plw.hdi_low <= 0.05 <= found.plw.hdi_high
    assert found.clw.hdi_low <= 0.8 <= found.clw.hdi_high
    assert found.plw.hdi_high - found.plw.hdi_low < 0.05
    assert set(found.to_dict()) == {"plw", "clw"}
    assert set(found.to_dict()["plw"]) == {"mean", "sd", "hdi_low", "hdi_high"}


def test_a_boundary_maximum_is_found_on_the_boundary():
    truth = PEAK.__class__(wp=-1.0, wc=2.0, wc2=-0.8)  # best at PLW 0, CLW 1
    _, b = draws_around(truth)
    found = opt.summarize_optimum(b, GRID)
    assert found.plw.mean == 0.0 and found.clw.mean == 1.0


def test_cell_probabilities_sum_to_one_and_pick_the_best_cell():
    cells = pd.DataFrame({"plw": [0.0, 0.01, 0.05, 0.05, 1.0], "clw": [1.0, 0.8, 0.8, 0.2, 1.0]})
    _, b = draws_around(PEAK)
    probs = opt.cell_probabilities(b, cells, plw_to_wp(cells["plw"]), cells["clw"])
    assert list(probs.columns) == ["plw", "clw", "prob_best"]
    assert probs["prob_best"].sum() == pytest.approx(1.0)
    assert probs.loc[probs["prob_best"].idxmax(), ["plw", "clw"]].tolist() == [0.05, 0.8]


def test_baseline_comparison_on_a_peak_and_on_a_flat_surface():
    b0, b = draws_around(PEAK)
    peaked = opt.compare_baseline(b0, b, GRID, (0.0, 1.0))
    assert peaked.prob_beats == 1.0 and peaked.gain.hdi_low > 0
    assert peaked.recommended_plw == pytest.approx(0.05, abs=0.02)
    assert peaked.recommended_clw == pytest.approx(0.8, abs=0.02)
    b0, b = draws_around(FLAT, spread=0.3)
    flat = opt.compare_baseline(b0, b, GRID, (0.0, 1.0))
    assert flat.gain.hdi_low < 0.02  # no sure gain where the weights do not matter


def test_comparing_the_baseline_with_itself_gives_no_gain():
    b0, b = draws_around(FLAT.__class__(wp=-1.0, wc=2.0, wc2=-0.8))
    same = opt.compare_baseline(b0, b, GRID, (0.0, 1.0))
    assert (same.recommended_plw, same.recommended_clw) == (0.0, 1.0)
    assert same.prob_beats == 0.0 and same.gain.mean == 0.0


def test_mean_surface_is_the_average_of_the_draws_expit():
    b0, b = draws_around(PEAK, n=30, spread=0.4)
    grid = opt.SurfaceGrid(PLW_POWER, 1.0, n=5)
    frame = opt.mean_surface(b0, b, grid)
    wp, wc = grid.points()
    expected = (1 / (1 + np.exp(-(b0[:, None] + b @ opt.basis(wp, wc).T)))).mean(axis=0)
    np.testing.assert_allclose(frame["mean"], expected)
    assert frame["plw"].iloc[-1] == 1.0 and frame["clw"].between(0, 1).all()


def test_optimum_region_holds_the_requested_mass_around_the_peak():
    _, b = draws_around(PEAK)
    found = opt.summarize_optimum(b, GRID)
    region = opt.optimum_region(found, GRID, prob=0.9)
    assert region["density"].sum() == pytest.approx(1.0)
    assert region.loc[region["in_region"], "density"].sum() >= 0.9
    inside = region[region["in_region"]]
    assert inside["wp"].between(0.3, 0.5).all() and inside["wc"].between(0.7, 0.9).all()
