import numpy as np
import pandas as pd
import pymc as pm
import pytest

from plw_stats.critical import critical_point
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.glmm.priors import BetaPriors
from plw_stats.simulation.sweeps import Design, Truth, simulate_group

PAPER_TRUTH = Truth(intercept=-1.043, b1=5.590, b2=-4.284, sd_slope=0.8, sd_model=0.3, kappa=30)


def unit_group(truth=PAPER_TRUTH, design=None, seed=11):
    design = design or Design()
    scores = simulate_group("sim", truth, design, np.random.default_rng(seed)).scores
    return scores.rename(columns={"unit_score": "score"})


def small_group(n_benchmarks=3, n_models=2, levels=(0.0, 0.01, 0.1, 0.5, 1.0)):
    rows = [
        {"model": f"m{m}", "benchmark": f"b{b}", "plw": plw, "score": 0.2 + 0.5 * plw + 0.05 * b}
        for m in range(n_models)
        for b in range(n_benchmarks)
        for plw in levels
    ]
    return pd.DataFrame(rows)


def test_too_few_plw_levels():
    with pytest.raises(DataSchemaError, match=r"2 PLW level\(s\) \(0, 1\).*at least 3"):
        BetaMixedModel(small_group(levels=(0.0, 1.0)), name="two")


def test_scores_must_be_unit_scale():
    data = small_group().assign(score=lambda d: d["score"] * 100)
    with pytest.raises(DataSchemaError, match=r"dataset 'x'.*\[0, 1\]"):
        BetaMixedModel(data, name="x")


def test_unknown_parameterisation_and_priors():
    with pytest.raises(ModelSpecError, match="model_intercept must be one of"):
        BetaMixedModel(small_group(), model_intercept="sideways")
    with pytest.raises(ModelSpecError, match="coef_sd must be a positive number"):
        BetaPriors(coef_sd=-1)
    with pytest.raises(ModelSpecError, match="kappa_rate must be a positive number, got True"):
        BetaPriors(kappa_rate=True)  # a flag is not a scale, as for the surface's priors


def test_sampler_settings_validate():
    with pytest.raises(ModelSpecError, match="draws must be an integer >= 1"):
        SamplerSettings(draws=0)
    with pytest.raises(ModelSpecError, match="unknown sampler 'stan'"):
        SamplerSettings(sampler="stan")
    with pytest.raises(ModelSpecError, match=r"unknown adaptation 'dense'.*low_rank, diag"):
        SamplerSettings(adaptation="dense")


def test_from_table_scales_over_whole_table(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    assert len(spec.data) == 260 and spec.data["dataset"].unique().tolist() == ["AlpacaDataShort"]
    assert spec.data["score"].between(0, 1).all()
    with pytest.raises(DataSchemaError, match=r"no dataset 'Nope'.*AlpacaData"):
        BetaMixedModel.from_table(demo_scores, "Nope")


def free_names(spec):
    return {rv.name for rv in spec.build().free_RVs}


def test_full_model_structure():
    spec = BetaMixedModel(small_group())
    assert free_names(spec) == {
        "coef_rotated",
        "sd_slope",
        "slope",
        "sd_model",
        "model_level",
        "z_intercept",
        "kappa",
    }
    assert spec.notes() == []
    noncentred = BetaMixedModel(
        small_group(), model_intercept="noncentered", benchmark_slope="noncentered"
    )
    assert {"z_model", "z_slope"} <= free_names(noncentred)


def test_single_benchmark_or_model_drops_that_effect():
    one_bench = BetaMixedModel(small_group(n_benchmarks=1))
    assert "sd_slope" not in free_names(one_bench) and "sd_model" in free_names(one_bench)
    assert one_bench.notes() == ["single benchmark (b0): random slope dropped"]
    one_model = BetaMixedModel(small_group(n_models=1))
    assert "sd_model" not in free_names(one_model)
    assert one_model.notes() == ["single model (m0): random intercept dropped"]
    assert one_model.parameter_names() == ["intercept", "wp", "wp2", "kappa", "sd_slope"]


def test_reparameterised_model_keeps_the_documented_prior():
    priors = BetaPriors(intercept_sd=2.5, coef_sd=5.0)
    spec = BetaMixedModel(unit_group(), priors=priors)
    names = ["intercept_centred", "wp", "wp2", "intercept"]
    prior = pm.sample_prior_predictive(
        draws=4000, model=spec.build(), random_seed=3, var_names=names
    )["prior"]
    draws = {v: prior[v].to_numpy().ravel() for v in names}
    np.testing.assert_allclose([draws[v].std() for v in names[:3]], [2.5, 5.0, 5.0], rtol=0.05)
    assert abs(np.corrcoef(draws["wp"], draws["wp2"])[0, 1]) < 0.05
    # the intercept at wp = 0 is a0 - b1·mean(wp) - b2·mean(wp²)
    wp = spec.wp()
    expected_sd = np.sqrt(2.5**2 + 25 * (wp.mean() ** 2 + (wp**2).mean() ** 2))
    assert draws["intercept"].std() == pytest.approx(expected_sd, rel=0.05)


# ---------------------------------------------------------------- real fits (slow)


@pytest.fixture(scope="session")
def recovery_fit():
    """One fit to data simulated with the paper's AlpacaDataShort coefficients."""
    spec = BetaMixedModel(unit_group(), name="paper-truth")
    return spec.fit(SamplerSettings(chains=4, draws=500, tune=500), random_seed=2024)


@pytest.mark.slow
def test_posterior_recovers_known_coefficients(recovery_fit):
    for key, truth in (("wp", PAPER_TRUTH.b1), ("wp2", PAPER_TRUTH.b2)):
        interval = recovery_fit.coefficients[key]
        assert interval.hdi_low < truth < interval.hdi_high, (key, interval)
        assert abs(interval.mean - truth) < 2 * interval.sd
    assert recovery_fit.diagnostics.divergences == 0
    assert recovery_fit.diagnostics.rhat_max < 1.02


@pytest.mark.slow
def test_posterior_recovers_critical_plw(recovery_fit):
    true_plw = critical_point(PAPER_TRUTH.b1, PAPER_TRUTH.b2).plw
    crit = recovery_fit.critical
    assert crit.prob_b2_negative == 1.0 and crit.prob_interior_max > 0.99
    assert crit.plw.hdi_low < true_plw < crit.plw.hdi_high
    assert crit.plw.hdi_high - crit.plw.hdi_low < 0.2  # informative, not just wide


@pytest.mark.slow
def test_recovery_result_tables(recovery_fit):
    summary = recovery_fit.summary()
    assert list(summary.columns) == ["mean", "sd", "hdi_low", "hdi_high", "ess_bulk", "r_hat"]
    assert summary.loc["wp", "mean"] == pytest.approx(recovery_fit.coefficients["wp"].mean)
    assert summary.dtypes.map(lambda t: t.kind == "f").all()
    draws = recovery_fit.to_frame()
    assert len(draws) == 4 * 500
    assert draws["interior_max"].mean() == pytest.approx(recovery_fit.critical.prob_interior_max)
    np.testing.assert_allclose(
        draws.loc[draws["interior_max"], "critical_plw"].mean(), recovery_fit.critical.plw.mean
    )


@pytest.mark.slow
def test_single_model_and_benchmark_still_fit():
    data = unit_group()
    one = data[(data["model"] == data["model"].iloc[0]) & (data["benchmark"] == "winogrande")]
    spec = BetaMixedModel(one, name="one")
    fit = spec.fit(SamplerSettings(chains=2, draws=300, tune=300), random_seed=5)
    assert fit.to_dict()["notes"] == [
        "single benchmark (winogrande): random slope dropped",
        "single model (llama1-7b): random intercept dropped",
    ]
    assert fit.diagnostics.divergences == 0
    assert np.isfinite(fit.coefficients["wp"].mean)


def test_a_two_knob_table_fits_its_clw_1_slice_with_a_note(demo_scores):
    from plw_stats.glmm.specify import specify_all

    short = demo_scores[demo_scores["dataset"] == "AlpacaDataShort"]
    grid = pd.concat([short.assign(clw=1.0), short.assign(clw=0.5, score=short["score"] * 0.9)])
    (spec,) = specify_all(grid)
    assert len(spec.data) == len(short)
    assert spec.notes()[0].startswith("the table has 2 completion-loss weights: fitted the clw = 1")
    with pytest.raises(DataSchemaError, match=r"no row has clw = 1 \(the table's clw levels: 0\.5"):
        specify_all(short.assign(clw=0.5))
    (plain,) = specify_all(short.assign(clw=1.0))
    assert plain.notes() == []
