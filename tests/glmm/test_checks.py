import numpy as np
import pytest
from matplotlib.axes import Axes

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.checks import check_arrays, check_fit, dispersion_test, quantile_residuals
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.plots.checks import plot_ppc, plot_residual_qq, plot_residuals_vs_fitted
from plw_stats.simulation.sweeps import Design, Truth, simulate_group


def beta_draws(mu, kappa, size, seed):
    rng = np.random.default_rng(seed)
    return rng.beta(mu * kappa, (1 - mu) * kappa, size=size)


@pytest.fixture(scope="module")
def well_specified():
    """Observed and replicated scores from the same beta distributions."""
    mu = np.linspace(0.2, 0.8, 300)
    return check_arrays(
        beta_draws(mu, 20, mu.size, 1), beta_draws(mu, 20, (400, mu.size), 2), random_seed=3
    )


def test_residuals_are_uniform_when_the_model_is_right(well_specified):
    assert well_specified.residuals.min() > 0 and well_specified.residuals.max() < 1
    assert well_specified.ks_p_value > 0.05
    assert 0.8 < well_specified.dispersion_ratio < 1.2
    assert well_specified.dispersion_p_value > 0.05
    assert well_specified.outliers <= 3
    assert set(well_specified.to_dict()) >= {"ks_p_value", "dispersion_ratio", "outliers"}


def test_overdispersed_data_fail_the_checks():
    mu = np.linspace(0.2, 0.8, 300)
    check = check_arrays(
        beta_draws(mu, 4, mu.size, 1), beta_draws(mu, 40, (400, mu.size), 2), random_seed=3
    )
    assert check.dispersion_ratio > 2 and check.dispersion_p_value < 0.01
    assert check.ks_p_value < 0.01
    assert check.outliers > 10


def test_ties_are_randomised():
    observed = np.array([0.5, 0.5])
    simulated = np.full((9, 2), 0.5)
    residuals = quantile_residuals(observed, simulated, np.random.default_rng(0))
    assert np.all((residuals > 0) & (residuals < 1)) and residuals[0] != residuals[1]
    with pytest.raises(ModelSpecError, match=r"shape \(replicates, 2\)"):
        quantile_residuals(observed, simulated[:, :1], np.random.default_rng(0))


def test_dispersion_of_identical_spread_is_one():
    simulated = beta_draws(np.full(50, 0.4), 10, (2000, 50), 5)
    ratio, p_value = dispersion_test(simulated[0], simulated[1:])
    assert ratio == pytest.approx(1.0, abs=0.5) and p_value > 0.01


def test_plots_return_axes(well_specified):
    for plot in (plot_residual_qq, plot_residuals_vs_fitted, plot_ppc):
        ax = plot(well_specified)
        assert isinstance(ax, Axes) and ax.has_data()
    assert "KS p" in plot_residual_qq(well_specified).get_title()
    with pytest.raises(ModelSpecError, match="n_replicates must be >= 1"):
        plot_ppc(well_specified, n_replicates=0)


@pytest.mark.slow
def test_posterior_predictive_checks_pass_on_a_correct_model():
    truth = Truth(intercept=-1.043, b1=5.590, b2=-4.284, kappa=30)
    data = simulate_group("sim", truth, Design(), np.random.default_rng(4)).scores
    spec = BetaMixedModel(data.rename(columns={"unit_score": "score"}))
    fit = spec.fit(SamplerSettings(chains=2, draws=200, tune=200), random_seed=1)
    check = check_fit(fit, random_seed=2, max_replicates=300)
    assert check.simulated.shape == (300, 260)
    assert check.ks_p_value > 0.01 and check.dispersion_p_value > 0.01
    assert check_fit(fit, random_seed=2, max_replicates=300).to_dict() == check.to_dict()
