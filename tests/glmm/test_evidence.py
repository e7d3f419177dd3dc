import dataclasses

import numpy as np
import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.dispatch import ReusableSampler
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.evidence import (
    Evidence,
    loo_difference,
    null_settings,
    pointwise_loo,
    start_null,
)
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.glmm.sweep import fit_sweep
from plw_stats.simulation.sweeps import Design, Truth, simulate_group

PAPER_TRUTH = Truth(intercept=-1.043, b1=5.590, b2=-4.284, sd_slope=0.8, sd_model=0.3, kappa=15)
#: No PLW effect at all: scores do not depend on PLW (no mean curve, no benchmark slopes).
NO_EFFECT = Truth(intercept=0.0, b1=0.0, b2=0.0, sd_slope=0.0, sd_model=0.3, kappa=15)


def unit_group(truth, seed):
    scores = simulate_group("sim", truth, Design(), np.random.default_rng(seed)).scores
    return scores.rename(columns={"unit_score": "score"})


def spec_of(truth, seed, **options):
    # the slopes are non-centred: with no true slope spread the centred ones form a funnel
    return BetaMixedModel(unit_group(truth, seed), benchmark_slope="noncentered", **options)


def test_null_model_has_no_fixed_wp_terms():
    spec = spec_of(PAPER_TRUTH, 1, quadratic=False)
    model = spec.build()
    names = {rv.name for rv in model.free_RVs}
    assert "coef_rotated" not in names and {"sd_slope", "z_slope", "kappa"} <= names
    assert "wp" not in model.named_vars and "wp_data" in model.named_vars
    assert spec.parameter_names() == ["intercept", "kappa", "sd_slope", "sd_model"]
    with pytest.raises(ModelSpecError, match=r"null model .* has no wp terms"):
        spec.fit()
    with pytest.raises(ModelSpecError, match="quadratic must be True or False"):
        dataclasses.replace(spec, quadratic="no")


def test_loo_difference_from_pointwise_values():
    rng = np.random.default_rng(0)
    elpd_null = rng.normal(1.0, 0.5, 100)
    gain = rng.normal(0.2, 0.1, 100)
    k = np.zeros(100)
    diff, se, bad = loo_difference((elpd_null + gain, k), (elpd_null, k + 0.8 * (gain > 0.3)))
    assert diff == pytest.approx(gain.sum())
    assert se == pytest.approx(np.sqrt(100 * gain.var(ddof=1)))
    assert bad == int((gain > 0.3).sum())


def test_evidence_json_object():
    evidence = Evidence(elpd_diff=3.5, elpd_diff_se=1.0, pareto_k_bad=2, ml_p_value=0.01)
    assert evidence.to_dict() == {
        "elpd_diff": 3.5,
        "elpd_diff_se": 1.0,
        "pareto_k_bad": 2,
        "ml_p_value": 0.01,
        "null_converged": True,
    }
    assert evidence.favours_quadratic


def test_glmm_lrt_no_effect_vs_paper_effect():
    """The paper's test (ML fit of the GLMM, as glmmTMB): calibrated without an effect."""
    null_p = [fit_ml_design(spec_of(NO_EFFECT, seed)).lrt.p_value for seed in range(10)]
    assert sum(p > 0.05 for p in null_p) >= 8, null_p
    effect_p = [fit_ml_design(spec_of(PAPER_TRUTH, seed)).lrt.p_value for seed in range(3)]
    assert max(effect_p) < 1e-6, effect_p


# ---------------------------------------------------------------- real fits (slow)

# non-centred slopes: the PyMC graph with nutpie (the native kernel is centred only)
TINY = SamplerSettings(chains=2, draws=300, tune=300, sampler="nutpie")


@pytest.fixture(scope="module")
def loo_diffs():
    """PSIS-LOO differences on 3 no-effect datasets and 1 paper-effect one (2 compiles only)."""
    template = spec_of(NO_EFFECT, 0)
    fitters = {
        quadratic: ReusableSampler(dataclasses.replace(template, quadratic=quadratic), TINY)
        for quadratic in (True, False)
    }
    found = {}
    for label, truth, seeds in (("none", NO_EFFECT, (1, 2, 3)), ("paper", PAPER_TRUTH, (1,))):
        for seed in seeds:
            pointwise = []
            for quadratic in (True, False):
                spec = spec_of(truth, seed, quadratic=quadratic)
                pointwise.append(pointwise_loo(spec, fitters[quadratic].sample(spec, seed).idata))
            found[label, seed] = loo_difference(*pointwise)
    return found


@pytest.mark.slow
def test_loo_does_not_favour_h1_without_effect(loo_diffs):
    diffs = [value for (label, _), value in loo_diffs.items() if label == "none"]
    favours = [diff > 2 * se for diff, se, _ in diffs]
    assert sum(favours) <= 1, diffs
    assert all(diff < 4 for diff, _, _ in diffs), diffs  # the extra terms cost a little


@pytest.mark.slow
def test_loo_favours_h1_with_paper_effect(loo_diffs):
    for (label, seed), (diff, se, bad) in loo_diffs.items():
        if label == "paper":
            assert diff > 4 * se and diff > 20, (seed, diff, se)
            assert bad <= 5


@pytest.mark.slow
def test_fit_sweep_adds_the_evidence_object(demo_scores):
    settings = SamplerSettings(chains=2, draws=150, tune=150)
    result = fit_sweep(demo_scores, ["AlpacaDataShort"], settings=settings, seed=3, evidence=True)
    group = result.to_dict()["groups"]["AlpacaDataShort"]
    evidence = group["evidence"]
    assert set(evidence) == {
        "elpd_diff",
        "elpd_diff_se",
        "pareto_k_bad",
        "ml_p_value",
        "null_converged",
    }
    assert isinstance(evidence["pareto_k_bad"], int)
    assert evidence["elpd_diff"] > 2 * evidence["elpd_diff_se"] > 0
    assert 0 <= evidence["ml_p_value"] < 0.001
    fit = result.groups["AlpacaDataShort"]
    assert fit.evidence.elpd_quadratic - fit.evidence.elpd_null == pytest.approx(
        evidence["elpd_diff"]
    )


def test_pointwise_loo_equals_arviz_loo(demo_scores):
    """Our array-level PSIS-LOO gives ArviZ's numbers on the same posterior (no sampler)."""
    import arviz as az
    import xarray as xr
    from helpers import PEAKED, synthetic_fit

    from plw_stats.glmm.backends.kernel import pointwise_log_likelihood

    fit = synthetic_fit(BetaMixedModel.from_table(demo_scores, "AlpacaDataShort"), PEAKED)
    posterior = fit.idata["posterior"].to_dataset()
    values = pointwise_log_likelihood(fit.spec, posterior)
    log_lik = xr.Dataset({"score": (("chain", "draw", "obs"), values)})
    tree = xr.DataTree.from_dict({"posterior": posterior, "log_likelihood": log_lik})
    with pytest.warns(UserWarning, match="Pareto"):  # synthetic draws: some k are high
        expected = az.loo(tree, pointwise=True, var_name="score")
    elpd_i, pareto_k = pointwise_loo(fit.spec, fit.idata)
    np.testing.assert_allclose(elpd_i, np.asarray(expected.elpd_i), rtol=1e-10)
    np.testing.assert_allclose(pareto_k, np.asarray(expected.pareto_k), rtol=1e-10)


@pytest.mark.slow
def test_null_model_started_in_the_background_gives_the_same_evidence(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    settings = SamplerSettings(chains=2, draws=200, tune=200)
    fit = spec.fit(settings, random_seed=3).with_ml()
    null = start_null(fit.spec, fit.settings, fit.random_seed)
    background = fit.with_evidence(null=null).evidence
    assert background == fit.with_evidence().evidence


def test_null_settings_halve_the_work_but_keep_500_draws():
    half = null_settings(SamplerSettings(draws=1000, tune=500))
    assert (half.draws, half.tune) == (500, 250)
    assert null_settings(SamplerSettings(draws=500, tune=500)).draws == 500
    assert null_settings(SamplerSettings(draws=3000, tune=500)).draws == 1500
    assert null_settings(SamplerSettings(draws=200, tune=200)).draws == 200
