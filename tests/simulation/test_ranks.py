"""SBC rank statistics and their uniformity tests, on synthetic posteriors (no sampler)."""

import numpy as np
import pandas as pd
import pytest

from plw_stats.simulation.ranks import (
    chi2_uniformity,
    ecdf_band,
    ecdf_test,
    rank_ecdf,
    rank_of,
    thin,
    uniformity_table,
)

L = 99  # thinned draws per rank


def conjugate_ranks(n_sims: int, *, posterior_sd_factor: float = 1.0, seed: int = 0):
    """Ranks of SBC on a normal model whose posterior is known exactly.

    theta ~ N(0, 1), y ~ N(theta, 1): the posterior is N(y/2, 1/2).  A factor below 1 makes the
    "sampler" over-confident (too narrow), so its ranks pile up at both ends.
    """
    rng = np.random.default_rng(seed)
    ranks = []
    for _ in range(n_sims):
        theta = rng.standard_normal()
        y = theta + rng.standard_normal()
        sd = np.sqrt(0.5) * posterior_sd_factor
        draws = (y / 2 + sd * rng.standard_normal((4, 250))).reshape(4, 250)
        ranks.append(rank_of(theta, thin(draws, L)))
    return np.array(ranks)


def test_thin_spreads_the_draws_over_all_chains():
    draws = np.arange(40.0).reshape(4, 10)
    picked = thin(draws, 5)
    assert picked.tolist() == [0.0, 10.0, 20.0, 29.0, 39.0]
    with pytest.raises(ValueError, match="cannot thin 40 draws to 41"):
        thin(draws, 41)


def test_rank_counts_draws_below_the_truth():
    assert rank_of(2.5, np.array([1.0, 2.0, 3.0])) == 2
    assert rank_of(0.0, np.array([1.0, 2.0])) == 0
    assert np.isnan(rank_of(np.nan, np.array([1.0])))


def test_exact_posterior_gives_uniform_ranks():
    ranks = conjugate_ranks(400, seed=1)
    _, p_value, bins = chi2_uniformity(ranks, L)
    assert bins == 20 and p_value > 0.01
    ecdf_p, inside = ecdf_test(ranks, L, ecdf_band(ranks.size, L))
    assert ecdf_p > 0.01 and inside


def test_over_confident_posterior_fails_both_tests():
    ranks = conjugate_ranks(400, posterior_sd_factor=0.6, seed=2)
    assert chi2_uniformity(ranks, L)[1] < 1e-4
    ecdf_p, inside = ecdf_test(ranks, L, ecdf_band(ranks.size, L))
    assert ecdf_p < 0.01 and not inside


def test_chi2_uses_the_exact_bin_widths():
    # 101 rank values in 10 bins: widths 10 or 11, expected counts proportional
    ranks = np.arange(101).repeat(3)
    statistic, p_value, bins = chi2_uniformity(ranks, 100, bins=10)
    assert bins == 10 and statistic == pytest.approx(0.0, abs=1e-12) and p_value == 1.0
    with pytest.raises(ValueError, match=r"ranks must lie in 0\.\.100"):
        chi2_uniformity([101], 100)


def test_the_band_holds_uniform_ecdfs_with_its_probability():
    n_sims, band = 100, ecdf_band(100, L, 0.95)
    assert 0 < band.gamma < 0.05  # simultaneous: stricter than the pointwise 5%
    rng = np.random.default_rng(5)
    inside = [ecdf_test(rng.integers(0, L + 1, n_sims), L, band)[1] for _ in range(400)]
    assert np.mean(inside) == pytest.approx(0.95, abs=0.035)


def test_tables_for_reports_and_plots():
    ranks = pd.DataFrame(
        {"b1": conjugate_ranks(60, seed=3), "b2": conjugate_ranks(60, seed=4), "none": np.nan}
    )
    table = uniformity_table(ranks, L)
    assert list(table.index) == ["b1", "b2"]
    assert set(table.columns) == {"n", "chi2", "bins", "uniformity_p", "ecdf_p", "inside_band"}
    assert (table["n"] == 60).all() and (table["bins"] == 6).all()
    ecdf = rank_ecdf(ranks, L)
    assert set(ecdf["parameter"]) == {"b1", "b2"} and len(ecdf) == 2 * L
    assert (ecdf["lower"] <= 0).all() and (ecdf["upper"] >= 0).all()
    assert ecdf["ecdf_diff"].abs().max() < 0.5
