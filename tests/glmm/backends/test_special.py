"""The kernels' lgamma/digamma against SciPy's."""

import numpy as np
import pytest
from scipy.special import digamma, gammaln

from plw_stats.glmm.backends.special import beta_lgamma_digamma, lgamma_digamma

ARGUMENTS = np.exp(np.random.default_rng(0).uniform(np.log(1e-6), np.log(1e4), 2000))


def test_lgamma_digamma_match_scipy():
    x = np.concatenate([ARGUMENTS, [1e-6, 0.5, 1.0, 6.999, 7.0, 7.001, 1e4]])
    values = np.array([lgamma_digamma(v) for v in x])
    np.testing.assert_allclose(values[:, 0], gammaln(x), rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(values[:, 1], digamma(x), rtol=1e-12, atol=1e-11)


def test_beta_pair_matches_scipy_over_the_range():
    a, b = ARGUMENTS[:1000], ARGUMENTS[1000:]
    values = np.array([beta_lgamma_digamma(x, y) for x, y in zip(a, b, strict=True)])
    np.testing.assert_allclose(values[:, 0], gammaln(a) + gammaln(b), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(values[:, 1], digamma(a), rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(values[:, 2], digamma(b), rtol=1e-12, atol=1e-11)


def test_beta_pair_survives_two_tiny_arguments():
    lg, dg_a, dg_b = beta_lgamma_digamma(1e-200, 1e-200)
    assert lg == pytest.approx(2 * gammaln(1e-200), rel=1e-12)
    assert np.isfinite([dg_a, dg_b]).all()
