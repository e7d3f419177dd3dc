"""plw_stats.mcmc_stats gives arviz_stats' numbers (array_stats.hdi, .rhat, .ess).

hdi and the "mean"/"tail" ESS are bit-identical; R-hat and the bulk ESS go through a different
(equally accurate) normal quantile, so they are compared at rtol 1e-12.
"""

import numpy as np
import pytest
from arviz_stats.base import array_stats

from plw_stats import mcmc_stats

RANK_RTOL = 1e-12


def ar1(rng, n_chain, n_draw, phi):
    """Stationary AR(1) chains with unit marginal variance."""
    noise = rng.normal(size=(n_chain, n_draw)) * np.sqrt(1 - phi**2)
    out = np.empty((n_chain, n_draw))
    out[:, 0] = rng.normal(size=n_chain)
    for t in range(1, n_draw):
        out[:, t] = phi * out[:, t - 1] + noise[:, t]
    return out


def _cases():
    rng = np.random.default_rng(20240611)
    shifted = rng.normal(size=(4, 300)) + np.array([[0.0], [0.0], [1.5], [-1.0]])
    scaled = rng.normal(size=(4, 300)) * np.array([[1.0], [1.0], [1.0], [4.0]])
    return {
        "well_mixed": rng.normal(size=(4, 500)),
        "ar1": ar1(rng, 4, 400, 0.9),
        "different_means": shifted,
        "different_scales": scaled,  # the folded (tail) R-hat is the larger one
        "heavy_tails": rng.standard_t(1.5, size=(4, 400)),
        "small": rng.normal(size=(4, 50)),
        "odd_draws": rng.normal(size=(3, 51)),
        "irregular_fft_length": ar1(rng, 2, 154, 0.5),  # split length 77: 2*77 is not 5-smooth
        "ties": rng.poisson(2.0, size=(4, 200)).astype(float),
        "one_chain": ar1(rng, 1, 300, 0.3),
    }


CASES = _cases()


def arviz(function, *args, **kwargs):
    with np.errstate(all="ignore"):  # arviz_stats warns on constant chains; we return quietly
        return function(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhat_matches_arviz(name):
    values = CASES[name]
    ours = mcmc_stats.rhat(values)
    expected = arviz(array_stats.rhat, values)
    assert ours.shape == expected.shape == ()
    np.testing.assert_allclose(ours, expected, rtol=RANK_RTOL)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bulk_ess_matches_arviz(name):
    values = CASES[name]
    np.testing.assert_allclose(
        mcmc_stats.ess(values), array_stats.ess(values, method="bulk"), rtol=RANK_RTOL
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_mean_and_tail_ess_are_bit_identical_to_arviz(name):
    values = CASES[name]
    np.testing.assert_array_equal(
        mcmc_stats.ess(values, method="mean"), array_stats.ess(values, method="mean")
    )
    for prob in (0.05, 0.2, (0.1, 0.7)):
        np.testing.assert_array_equal(
            mcmc_stats.ess(values, method="tail", prob=prob),
            array_stats.ess(values, method="tail", prob=prob),
        )


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("prob", [0.5, 0.89, 0.95, 1.0])
def test_hdi_is_bit_identical_to_arviz(name, prob):
    values = CASES[name]
    for axis in (-1, 0, (0, 1), None):
        np.testing.assert_array_equal(
            mcmc_stats.hdi(values, prob, axis=axis), array_stats.hdi(values, prob, axis=axis)
        )


def test_the_cases_cover_converged_and_unconverged_regimes():
    rhat = {name: float(mcmc_stats.rhat(values)) for name, values in CASES.items()}
    ess = {name: float(mcmc_stats.ess(values)) for name, values in CASES.items()}
    assert rhat["well_mixed"] < 1.01 < 1.2 < min(rhat["different_means"], rhat["different_scales"])
    assert ess["ar1"] < 0.1 * CASES["ar1"].size < 0.5 * CASES["well_mixed"].size < ess["well_mixed"]


def test_multidimensional_arrays_with_either_axis_layout():
    rng = np.random.default_rng(7)
    draws = np.stack([ar1(rng, 4, 120, phi) for phi in (0.0, 0.6, 0.95)], axis=-1)
    draws[2, :, 1] += 2.0  # one chain off for the middle parameter only
    for kwargs in ({"chain_axis": 0, "draw_axis": 1}, {"chain_axis": -3, "draw_axis": -2}):
        np.testing.assert_allclose(
            mcmc_stats.rhat(draws, **kwargs), array_stats.rhat(draws, **kwargs), rtol=RANK_RTOL
        )
        np.testing.assert_allclose(
            mcmc_stats.ess(draws, **kwargs), array_stats.ess(draws, **kwargs), rtol=RANK_RTOL
        )
        np.testing.assert_array_equal(
            mcmc_stats.ess(draws, method="mean", **kwargs),
            array_stats.ess(draws, method="mean", **kwargs),
        )
    last = np.moveaxis(draws, -1, 0)  # (k, chain, draw): the default axes
    assert mcmc_stats.rhat(last).shape == (3,)
    np.testing.assert_allclose(mcmc_stats.rhat(last), array_stats.rhat(last), rtol=RANK_RTOL)
    np.testing.assert_array_equal(
        mcmc_stats.hdi(last, 0.9, axis=(1, 2)), array_stats.hdi(last, 0.9, axis=(1, 2))
    )
    np.testing.assert_array_equal(mcmc_stats.hdi(last, 0.9), array_stats.hdi(last, 0.9))


def test_constant_chains():
    constant = np.full((4, 50), 3.0)
    assert np.isnan(mcmc_stats.rhat(constant))
    assert mcmc_stats.ess(constant) == mcmc_stats.ess(constant, method="mean") == 200
    per_chain = np.repeat(np.arange(4.0)[:, None], 50, axis=1)
    assert mcmc_stats.rhat(per_chain) == np.inf
    for values in (constant, per_chain):
        np.testing.assert_array_equal(mcmc_stats.rhat(values), arviz(array_stats.rhat, values))
        for method in ("bulk", "mean"):
            np.testing.assert_allclose(
                mcmc_stats.ess(values, method=method),
                array_stats.ess(values, method=method),
                rtol=RANK_RTOL,
            )
        np.testing.assert_array_equal(
            mcmc_stats.ess(values, method="tail"),
            array_stats.ess(values, method="tail", prob=0.05),
        )


def test_nan_draws_give_nan_only_where_they_are():
    draws = np.random.default_rng(3).normal(size=(4, 60, 2))
    draws[1, 7, 0] = np.nan
    for method in ("bulk", "tail", "mean"):
        ess = mcmc_stats.ess(draws, method=method, chain_axis=0, draw_axis=1)
        assert np.isnan(ess[0]) and np.isfinite(ess[1])
    rhat = mcmc_stats.rhat(draws, chain_axis=0, draw_axis=1)
    assert np.isnan(rhat[0]) and np.isfinite(rhat[1])
    assert np.isnan(mcmc_stats.rhat(np.full((4, 60), np.nan)))
    np.testing.assert_array_equal(
        mcmc_stats.hdi(draws, 0.9, axis=(0, 1)), array_stats.hdi(draws, 0.9, axis=(0, 1))
    )


def test_too_few_chains_or_draws_give_nan():
    draws = np.random.default_rng(4).normal(size=(4, 3))
    assert np.isnan(mcmc_stats.rhat(draws)) and np.isnan(mcmc_stats.ess(draws))
    assert np.isnan(mcmc_stats.rhat(CASES["one_chain"]))
    assert np.isfinite(mcmc_stats.ess(CASES["one_chain"]))


def test_hdi_edge_cases():
    np.testing.assert_array_equal(mcmc_stats.hdi(np.arange(10), 0.5), [0.0, 5.0])
    assert mcmc_stats.hdi(np.arange(10), 0.5).dtype == np.float64
    np.testing.assert_array_equal(mcmc_stats.hdi([2.5], 0.9), [2.5, 2.5])
    skewed = np.random.default_rng(5).exponential(size=1000)
    low, high = mcmc_stats.hdi(skewed, 0.9)
    assert low < np.quantile(skewed, 0.05) and high < np.quantile(skewed, 0.95)
    for prob in (0.0, 1.5):
        with pytest.raises(ValueError, match="prob"):
            mcmc_stats.hdi(skewed, prob)
    with pytest.raises(ValueError, match="Too few"):
        mcmc_stats.hdi(np.array([]), 0.9)


def test_unknown_ess_method_is_refused():
    with pytest.raises(ValueError, match="unknown ESS method"):
        mcmc_stats.ess(CASES["small"], method="sd")
