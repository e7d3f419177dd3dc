"""The two-knob simulator's known truths and the shipped (simulated) demo grid."""

import hashlib
import importlib.resources

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import plw_stats as plw
from plw_stats.datasets import REGISTRY, data_path
from plw_stats.simulation.surface_sweeps import (
    SURFACE_DEMO_DATASETS,
    SurfaceGrid,
    SurfaceTruth,
    simulate_surface_sweep,
    surface_demo_sweep,
)
from plw_stats.transforms import plw_to_wp


def test_demo_file_is_exactly_what_the_generator_makes():
    path = data_path("surface_demo_scores.csv")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == REGISTRY["surface_demo_scores.csv"]
    shipped = pd.read_csv(path)
    pd.testing.assert_frame_equal(
        shipped, surface_demo_sweep(), check_dtype=False, check_exact=False, rtol=1e-6
    )


def test_demo_loader_shape_and_labels(surface_scores):
    assert surface_scores.shape[0] == 3 * 5 * 6 * 6 * 4
    assert set(surface_scores["dataset"]) == {"Interior", "Conventional", "Flat"}
    assert sorted(surface_scores["clw"].unique()) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    readme = importlib.resources.files("plw_stats.data").joinpath("README.md").read_text()
    assert "## `surface_demo_scores.csv` — SIMULATED, not real results" in readme
    assert plw.load_surface_demo_scores().equals(surface_scores)


def test_from_peak_puts_the_maximum_where_asked():
    truth = SurfaceTruth.from_peak(0.3, 0.7, height=1.2, curvature=(2.0, 3.0, 1.5))
    assert truth.surface(0.3, 0.7) == pytest.approx(1.2)
    gradient = (
        truth.wp + 2 * truth.wp2 * 0.3 + truth.wp_wc * 0.7,
        truth.wc + 2 * truth.wc2 * 0.7 + truth.wp_wc * 0.3,
    )
    np.testing.assert_allclose(gradient, 0.0, atol=1e-12)
    assert truth.optimum(power=1.0) == pytest.approx((0.3, 0.7), abs=1e-9)


def test_demo_truths_have_the_documented_optima():
    interior = SURFACE_DEMO_DATASETS["Interior"].optimum()
    assert interior == pytest.approx((0.05, 0.8), abs=0.005)
    assert SURFACE_DEMO_DATASETS["Conventional"].optimum() == (0.0, 1.0)
    assert SURFACE_DEMO_DATASETS["Flat"].surface(0.3, 0.9) == 0.0


def test_simulated_scores_follow_the_truth():
    grid = SurfaceGrid(models=("m1", "m2"))
    truth = SurfaceTruth.from_peak(0.5, 0.5, height=0.0, curvature=(6.0, 6.0, 0.0), kappa=400.0)
    table = simulate_surface_sweep({"d": truth}, grid, seed=3, raw_scale=False)
    columns = ["dataset", "model", "plw", "clw", "benchmark", "task_type", "score"]
    assert list(table.columns) == columns
    means = table.groupby(["plw", "clw"])["score"].mean().reset_index()
    expected = expit(truth.surface(plw_to_wp(means["plw"]), means["clw"]))
    assert np.corrcoef(means["score"], expected)[0, 1] > 0.95
    again = simulate_surface_sweep({"d": truth}, grid, seed=3, raw_scale=False)
    pd.testing.assert_frame_equal(table, again)
