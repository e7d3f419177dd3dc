"""Maximising the Laplace likelihood: starts, boundary confirmation, Hessian and its checks."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plw_stats.glmm import marginal, ml

FIXTURES = Path(__file__).parents[1] / "reference" / "glmmtmb"


@pytest.fixture(scope="module")
def problem():
    rows = pd.read_csv(FIXTURES / "demo_AlpacaData.csv")
    bench, model = pd.Categorical(rows["benchmark"]), pd.Categorical(rows["model"])
    args = (rows["wp"].to_numpy(), rows["y"].to_numpy(), bench.codes.astype(int))
    return ml._problem(*args, model.codes.astype(int), 13, 2, quadratic=True)


@pytest.fixture(scope="module")
def reference_fit(problem):
    return marginal.fit_marginal(problem)


def test_a_start_at_the_boundary_finds_the_interior_optimum(problem, reference_fit):
    start = reference_fit.theta.copy()
    start[3:5] = np.log(1e-6)  # both SDs at the lower end of the search
    fit = marginal.fit_marginal(problem, start=start)
    assert fit.boundary == ()
    np.testing.assert_allclose(fit.theta, reference_fit.theta, atol=1e-4)
    assert fit.nll == pytest.approx(reference_fit.nll, abs=1e-8)


def test_a_far_start_reaches_the_same_optimum(problem, reference_fit):
    start = np.array([6.0, -20.0, 20.0, np.log(20.0), np.log(5.0), np.log(500.0)])
    fit = marginal.fit_marginal(problem, start=start)
    assert fit.optimizer_converged
    assert fit.nll == pytest.approx(reference_fit.nll, abs=1e-7)


def test_the_optimum_is_stationary_with_a_positive_definite_covariance(reference_fit):
    assert reference_fit.optimizer_converged and reference_fit.positive_definite
    assert np.max(np.abs(reference_fit.gradient)) < 1e-6
    assert np.all(np.linalg.eigvalsh(reference_fit.covariance) > 0)


def test_without_the_hessian_only_the_maximum_is_found(problem, reference_fit):
    fit = marginal.fit_marginal(problem, hessian=False)
    assert fit.covariance is None and fit.positive_definite is None
    assert fit.nll == pytest.approx(reference_fit.nll, abs=1e-7)


def test_an_indefinite_hessian_has_no_covariance():
    indefinite = np.diag([2.0, -1.0, 3.0])
    assert marginal._covariance(indefinite, np.arange(3)) == (None, False)
    covariance, ok = marginal._covariance(indefinite, np.array([0, 2]))
    assert ok and covariance[1].tolist() == [0.0, 0.0, 0.0]
    assert covariance[0, 0] == pytest.approx(0.5) and covariance[2, 2] == pytest.approx(1 / 3)
