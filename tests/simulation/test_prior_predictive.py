"""The prior predictive check behind the default priors (simulation only)."""

import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.priors import PRESETS, BetaPriors, preset
from plw_stats.simulation.prior_predictive import prior_predictive, prior_predictive_summary
from plw_stats.simulation.sweeps import PAPER_BENCHMARKS, Design


def test_default_priors_keep_scores_off_the_bounds_legacy_ones_do_not():
    sets = {name: preset(name) for name in PRESETS}
    scores = prior_predictive(sets, n_sims=200, seed=3)
    assert len(scores) == 2 * 200 * 260
    summary = prior_predictive_summary(scores)
    assert list(summary.index) == ["default", "legacy"]
    default, legacy = summary.loc["default"], summary.loc["legacy"]
    assert legacy["near_bound"] > 0.15 and default["near_bound"] < legacy["near_bound"] / 1.5
    assert legacy["exact_bound"] > 0.025 and default["exact_bound"] < legacy["exact_bound"] / 1.5
    assert default["saturated_sweeps"] < legacy["saturated_sweeps"] - 0.1
    assert 0.15 < default["mean_q05"] < default["mean_q50"] < default["mean_q95"] < 0.85
    assert legacy["mean_q05"] < 0.1 and legacy["mean_q95"] > 0.9


def test_one_prior_set_on_a_small_design():
    design = Design(plw_levels=(0.0, 0.1, 1.0), benchmarks=PAPER_BENCHMARKS[:2])
    scores = prior_predictive(BetaPriors(), design, n_sims=5)
    assert set(scores["priors"]) == {"priors"} and len(scores) == 5 * 3 * 2 * 2


def test_presets():
    assert preset("default") == BetaPriors()
    legacy = preset("legacy")
    assert (legacy.intercept_sd, legacy.coef_sd, legacy.model_sd_shape) == (2.5, 5.0, 2.0)
    assert legacy == BetaPriors.legacy() and legacy.to_dict()["kappa_rate"] == 0.1
    with pytest.raises(ModelSpecError, match="unknown prior preset 'wide'; choose one of default"):
        preset("wide")
