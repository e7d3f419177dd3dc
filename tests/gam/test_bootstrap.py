"""Bootstrap of the GAM's optimal PLW: resampling, determinism, coverage of the truth."""

import numpy as np
import pandas as pd
import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.gam.bootstrap import (
    GroupSolver,
    bootstrap_draws,
    bootstrap_optimal,
    resample_rows,
)
from plw_stats.gam.model import GroupDesign, TensorGam, refit_fixed
from plw_stats.gam.optimum import tensor_effect
from plw_stats.simulation.ratio_sweeps import RatioTruth, simulate_ratio_sweep

RATIOS = (0.1, 0.5, 1.0, 2.0, 4.0, 8.0)
CHECK = (0.5, 1.0, 2.0, 4.0)
TRUTH = RatioTruth(opt_intercept=0.4, opt_slope=0.05, curvature=0.4, scale="wp")


@pytest.fixture(scope="module")
def fitted():
    scores = simulate_ratio_sweep(RATIOS, TRUTH, seed=21)
    return TensorGam(scores, scale="wp").fit(ratio_grid=CHECK)


@pytest.fixture(scope="module")
def booted(fitted):
    return bootstrap_optimal(fitted, 60, seed=4, n_jobs=1)


def test_interval_contains_truth(booted):
    table = booted.optimal_table("All")
    truth = TRUTH.optimum_plw(CHECK)
    assert (table["plw_low"] <= truth).all()
    assert (truth <= table["plw_high"]).all()
    assert (table["plw_low"] <= table["plw"]).all()
    assert (table["plw"] <= table["plw_high"]).all()
    assert (table["flat_share"] == 0).all()
    # Informative, not trivially wide: the true optima span 0.06 to 0.18.
    assert (table["plw_high"] - table["plw_low"] < 0.15).all()


def test_result_is_a_copy_with_settings(fitted, booted):
    assert fitted.intervals is None
    assert booted.bootstrap == {"n_boot": 60, "seed": 4, "ci_prob": 0.94, "n_failed": 0}
    item = booted.to_dict()["groups"]["MC"]["optimal"][0]
    assert isinstance(item["plw_low"], float)


def test_same_seed_same_draws_whatever_the_jobs(fitted):
    serial, _ = bootstrap_draws(fitted, 20, seed=9, n_jobs=1)
    parallel, failed = bootstrap_draws(fitted, 20, seed=9, n_jobs=2)
    assert failed == 0
    pd.testing.assert_frame_equal(serial, parallel)
    other, _ = bootstrap_draws(fitted, 20, seed=10, n_jobs=1)
    assert not np.array_equal(serial["plw"].to_numpy(), other["plw"].to_numpy())


def test_resampling_keeps_runs_whole_and_datasets_balanced(fitted):
    design = fitted.fits["All"].design
    rows = resample_rows(design, np.random.default_rng(0))
    assert rows.size == design.y.size
    per_run = pd.Series(design.runs[rows]).value_counts()
    n_benchmarks = len(design.benchmarks)
    assert (per_run % n_benchmarks == 0).all()
    drawn_ratios = pd.Series(design.X[rows, 1]).value_counts().sort_index()
    assert (drawn_ratios == design.y.size // len(RATIOS)).all()


@pytest.mark.parametrize("group", ["All", "Gen"])
def test_fast_refit_matches_a_pygam_refit(fitted, group):
    fit = fitted.fits[group]
    solver = GroupSolver.from_fit(fit, fitted.spec, fitted.settings)
    rows = resample_rows(fit.design, np.random.default_rng(3))
    sample = GroupDesign(
        name=group,
        X=fit.design.X[rows],
        y=fit.design.y[rows],
        benchmarks=fit.design.benchmarks,
        runs=fit.design.runs[rows],
        strata=fit.design.strata,
    )
    n_points = fitted.settings.n_points
    expected = tensor_effect(refit_fixed(fitted.spec, sample, fit.gam.lam), sample, CHECK, n_points)
    got = solver.surface(rows, n_points)
    # The tensor term's level is shared with the intercept and the factor, so compare the
    # curves at each ratio up to a constant; argmax and max - min depend only on those.
    centred = got - got.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(centred, expected - expected.mean(axis=1, keepdims=True), atol=1e-6)
    np.testing.assert_array_equal(got.argmax(axis=1), expected.argmax(axis=1))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_boot": 5}, "n_boot must be an integer >= 20"),
        ({"n_boot": 50, "seed": -1}, "seed must be a non-negative integer"),
        ({"n_boot": 50, "n_jobs": 0}, "n_jobs must be an integer >= 1"),
        ({"n_boot": 50, "ci_prob": 1.5}, r"ci_prob must lie in \(0, 1\)"),
    ],
)
def test_invalid_arguments(fitted, options, message):
    with pytest.raises(ModelSpecError, match=message):
        bootstrap_optimal(fitted, **options)
