"""The three sources of a simulation study (simulation only, no fit)."""

import numpy as np
import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.priors import BetaPriors
from plw_stats.simulation import sources
from plw_stats.simulation.sources import (
    EXACT_SQUEEZE,
    PAPER_TRUTH,
    StudySetup,
    prior_truth,
    simulate,
    simulate_scores,
    template_design,
)
from plw_stats.simulation.sweeps import PAPER_BENCHMARKS, Design, Truth

SMALL_DESIGN = Design(plw_levels=(0.0, 0.01, 0.1, 0.5, 1.0), benchmarks=PAPER_BENCHMARKS[:4])


def test_setup_validates():
    with pytest.raises(ModelSpecError, match="source must be one of fixed, prior, pipeline"):
        StudySetup(source="posterior")
    with pytest.raises(ModelSpecError, match="replicates must be a positive integer"):
        StudySetup(replicates=0)
    with pytest.raises(ModelSpecError, match=r"prob must lie in \(0, 1\)"):
        StudySetup(prob=1.5)
    with pytest.raises(ModelSpecError, match="rank_draws must be a positive integer"):
        StudySetup(rank_draws=0)


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
    sd_model = np.array([t.sd_model for t in draws])
    assert b1.std() == pytest.approx(BetaPriors().coef_sd, rel=0.05)
    assert kappa.mean() == pytest.approx(20.0, rel=0.05)
    assert sd_model.mean() == pytest.approx(0.5, rel=0.05)
    assert min(t.sd_slope for t in draws) >= 0


def test_model_sources_are_fitted_exactly_as_simulated():
    setup = StudySetup(design=SMALL_DESIGN)
    data = simulate(setup, np.random.default_rng(2))
    scores = data.design.data["score"].to_numpy()
    assert data.design.squeeze_epsilon == EXACT_SQUEEZE
    np.testing.assert_array_equal(data.design.response(), scores)
    assert data.truth["b1"] == PAPER_TRUTH.b1 and data.truth["kappa"] == PAPER_TRUTH.kappa
    assert 0 < data.truth["plw"] < 1 and data.redraws == 0


def test_prior_source_redraws_sweeps_with_scores_at_the_bounds():
    wild = BetaPriors(intercept_sd=30.0, kappa_shape=0.5, kappa_rate=1.0)
    setup = StudySetup(design=SMALL_DESIGN, source="prior", priors=wild)
    found = [simulate(setup, np.random.default_rng(seed)) for seed in range(6)]
    assert sum(d.redraws for d in found) > 0
    for data in found:
        scores = data.design.data["score"].to_numpy()
        assert ((scores > 0) & (scores < 1)).all()
        assert set(data.truth) == {"intercept", "b1", "b2", "kappa", "sd_slope", "sd_model", "plw"}


def test_unusable_priors_are_refused(monkeypatch):
    monkeypatch.setattr(sources, "MAX_REDRAWS", 3)
    absurd = BetaPriors(intercept_sd=1e4, kappa_shape=0.01, kappa_rate=1.0)
    setup = StudySetup(design=SMALL_DESIGN, source="prior", priors=absurd)
    with pytest.raises(ModelSpecError, match="3 simulated sweeps in a row had scores of exactly"):
        simulate(setup, np.random.default_rng(0))


def test_pipeline_source_fits_min_max_scaled_scores():
    setup = StudySetup(design=SMALL_DESIGN, source="pipeline")
    data = simulate(setup, np.random.default_rng(3))
    frame = data.design.data
    by_benchmark = frame.groupby("benchmark")["score"]
    assert (by_benchmark.min() == 0).all() and (by_benchmark.max() == 1).all()
    assert data.design.squeeze_epsilon is None  # Smithson & Verkuilen, as for real data
    assert data.design.response().min() > 0
    assert data.truth["b1"] == PAPER_TRUTH.b1 and np.isnan(data.truth["kappa"])


def test_one_benchmark_has_no_slope_sd_truth():
    setup = StudySetup(design=Design(benchmarks=PAPER_BENCHMARKS[:1]))
    assert np.isnan(simulate(setup, np.random.default_rng(4)).truth["sd_slope"])


def test_template_has_the_study_shape():
    setup = StudySetup(design=SMALL_DESIGN, replicates=2, source="pipeline")
    template = template_design(setup)
    assert len(template.data) == 2 * 2 * 4 * 5
    assert template.graph_key() == simulate(setup, np.random.default_rng(5)).design.graph_key()
