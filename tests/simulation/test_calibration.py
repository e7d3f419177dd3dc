import numpy as np
import pandas as pd
import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.priors import BetaPriors
from plw_stats.simulation.calibration import (
    StudySetup,
    coverage_table,
    prior_truth,
    run_study,
    simulate_scores,
)
from plw_stats.simulation.sweeps import PAPER_BENCHMARKS, Design, Truth

SMALL_DESIGN = Design(plw_levels=(0.0, 0.01, 0.1, 0.5, 1.0), benchmarks=PAPER_BENCHMARKS[:4])


def test_setup_validates():
    with pytest.raises(ModelSpecError, match="source must be one of fixed, prior"):
        StudySetup(source="posterior")
    with pytest.raises(ModelSpecError, match="replicates must be a positive integer"):
        StudySetup(replicates=0)
    with pytest.raises(ModelSpecError, match=r"prob must lie in \(0, 1\)"):
        StudySetup(prob=1.5)
    with pytest.raises(ModelSpecError, match="n_sims must be a positive integer"):
        run_study(StudySetup(), 0)


def test_replicates_share_the_mean_and_differ_in_noise():
    truth = Truth(intercept=0.0, b1=1.0, b2=-1.0)
    frame = simulate_scores(truth, SMALL_DESIGN, 3, np.random.default_rng(0))
    assert len(frame) == 3 * 2 * 4 * 5
    by_rep = frame.pivot_table(index=["model", "benchmark", "plw"], columns="replicate")
    assert np.allclose(by_rep["mu"][0], by_rep["mu"][2])
    assert not np.allclose(by_rep["score"][0], by_rep["score"][1])


def test_prior_truth_follows_the_priors():
    rng = np.random.default_rng(1)
    wp = np.linspace(0, 1, 10)
    draws = [prior_truth(BetaPriors(), wp, rng) for _ in range(3000)]
    b1 = np.array([t.b1 for t in draws])
    kappa = np.array([t.kappa for t in draws])
    assert b1.std() == pytest.approx(5.0, rel=0.05)
    assert kappa.mean() == pytest.approx(20.0, rel=0.05)
    assert min(t.sd_slope for t in draws) >= 0


def test_coverage_table_counts_misses_and_missing_intervals():
    table = pd.DataFrame(
        {
            "true_b1": [1.0] * 4,
            "b1_mean": [1.0, 1.2, 0.9, 3.0],
            "b1_low": [0.5, 0.9, 0.2, 2.0],
            "b1_high": [1.5, 1.4, 1.1, 4.0],
            "true_b2": [-1.0] * 4,
            "b2_mean": [-1.0] * 4,
            "b2_low": [-2.0] * 4,
            "b2_high": [0.0] * 4,
            "true_plw": [0.2, 0.2, 0.2, np.nan],
            "plw_mean": [0.2, np.nan, 0.3, 0.2],
            "plw_low": [0.1, np.nan, 0.25, 0.1],
            "plw_high": [0.3, np.nan, 0.35, 0.3],
        }
    )
    coverage = coverage_table(table)
    assert coverage.loc["b1", "coverage"] == 0.75 and coverage.loc["b2", "coverage"] == 1.0
    assert coverage.loc["plw", "n"] == 3 and coverage.loc["plw", "coverage"] == pytest.approx(1 / 3)
    assert coverage.loc["b1", "mc_se"] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert coverage.loc["b1", "bias"] == pytest.approx((0.2 - 0.1 + 2.0) / 4)


@pytest.mark.slow
def test_small_study_runs_and_does_not_depend_on_workers():
    setup = StudySetup(design=SMALL_DESIGN, settings=SamplerSettings(chains=2, draws=150, tune=150))
    one = run_study(setup, 3, seed=5, n_jobs=1)
    two = run_study(setup, 3, seed=5, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    assert one["simulation"].tolist() == [0, 1, 2]
    assert (one["true_b1"] == 5.590).all() and one["true_plw"].notna().all()
    assert one["ml_p_value"].max() < 0.05
    coverage = coverage_table(one)
    assert list(coverage.index) == ["b1", "b2", "plw"]
    assert coverage["coverage"].between(0, 1).all() and (coverage["n"] == 3).all()
