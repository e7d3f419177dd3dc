"""The Laplace objective: derivatives, cells, the no-random-effect limit and quadrature."""

import numpy as np
import pytest
from scipy import integrate, special, stats

from plw_stats.glmm.laplace import BetaGLMMProblem, LaplaceObjective, cell_derivatives


def simulated_problem(seed=0, n_bench=5, n_models=2, seeds=2):
    rng = np.random.default_rng(seed)
    wp = np.linspace(0.0, 1.0, 6)
    grid = np.array(np.meshgrid(range(n_bench), range(n_models), wp, range(seeds), indexing="ij"))
    bench, model, w = grid[0].ravel().astype(int), grid[1].ravel().astype(int), grid[2].ravel()
    eta = -0.3 + (1.5 + rng.normal(0, 0.7, n_bench)[bench]) * w - 1.2 * w**2
    eta += rng.normal(0, 0.4, n_models)[model]
    mu = special.expit(eta)
    y = np.clip(rng.beta(mu * 12, (1 - mu) * 12), 1e-3, 1 - 1e-3)
    X = np.column_stack([np.ones_like(w), w, w**2])
    Z = np.hstack([np.eye(n_bench)[bench] * w[:, None], np.eye(n_models)[model]])
    groups = np.r_[np.zeros(n_bench, int), np.ones(n_models, int)]
    return X, Z, groups, y


THETA = np.array([-0.2, 1.3, -1.0, np.log(0.6), np.log(0.5), np.log(10.0)])


@pytest.mark.parametrize("shift", [0.0, 0.3, -0.5])
def test_gradient_matches_finite_differences(shift):
    objective = LaplaceObjective(BetaGLMMProblem.from_rows(*simulated_problem()))
    theta = THETA + shift * np.array([1, -1, 1, 1, -1, 0.5])
    _, grad = objective.nll_and_grad(theta)
    h = 1e-5
    numeric = [
        (objective.nll(theta + h * e) - objective.nll(theta - h * e)) / (2 * h)
        for e in np.eye(theta.size)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_mode_is_stationary():
    objective = LaplaceObjective(BetaGLMMProblem.from_rows(*simulated_problem()))
    mode = objective.mode(THETA)
    precision = np.exp(-2 * THETA[3:5])[objective.problem.groups]
    inner_grad = -objective.problem.Z.T @ mode.derivs.d1 + precision * mode.r
    assert np.max(np.abs(inner_grad)) < 1e-8


def test_cell_derivatives_match_finite_differences():
    X, Z, groups, y = simulated_problem(seeds=1)
    problem = BetaGLMMProblem.from_rows(X, Z, groups, y)
    eta, kappa, h = np.linspace(-2, 2, problem.count.size), 7.0, 1e-5
    d = cell_derivatives(problem, eta, kappa, full=True)

    def at(e=eta, k=kappa):
        return cell_derivatives(problem, e, k, full=True)

    np.testing.assert_allclose(d.d1, (at(eta + h).value - at(eta - h).value) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(d.d2, (at(eta + h).d1 - at(eta - h).d1) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(d.d3, (at(eta + h).d2 - at(eta - h).d2) / (2 * h), rtol=1e-5)
    for name, of in (("dk", "value"), ("d1k", "d1"), ("d2k", "d2")):
        numeric = (getattr(at(k=kappa + h), of) - getattr(at(k=kappa - h), of)) / (2 * h)
        np.testing.assert_allclose(getattr(d, name), numeric, rtol=1e-5, atol=1e-8)


def test_repeated_rows_collapse_into_cells_exactly():
    X, Z, groups, y = simulated_problem(seeds=3)
    collapsed = BetaGLMMProblem.from_rows(X, Z, groups, y)
    # 2 models × (wp = 0, where every benchmark's slope column is zero, + 5 wp × 5 benchmarks)
    assert collapsed.count.size == 2 * (1 + 5 * 5) and collapsed.n_obs == X.shape[0]
    one_per_row = BetaGLMMProblem(
        X=X,
        Z=Z,
        groups=groups,
        n_groups=2,
        count=np.ones(y.size),
        sum_log_y=np.log(y),
        sum_log_1my=np.log1p(-y),
    )
    f1, g1 = LaplaceObjective(collapsed).nll_and_grad(THETA)
    f2, g2 = LaplaceObjective(one_per_row).nll_and_grad(THETA)
    assert f1 == pytest.approx(f2, rel=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-9)


def test_without_random_effects_it_is_the_beta_log_likelihood():
    X, _, _, y = simulated_problem()
    problem = BetaGLMMProblem.from_rows(X, np.empty((y.size, 0)), [], y)
    theta = np.array([-0.2, 1.3, -1.0, np.log(10.0)])
    mu = special.expit(X @ theta[:3])
    expected = -stats.beta.logpdf(y, mu * 10.0, (1 - mu) * 10.0).sum()
    assert LaplaceObjective(problem).nll(theta) == pytest.approx(expected, rel=1e-12)


def test_laplace_is_close_to_quadrature_for_one_random_intercept():
    X, Z, _, y = simulated_problem(n_models=1, seeds=1)
    problem = BetaGLMMProblem.from_rows(X, Z[:, -1:], [0], y)
    theta = np.array([-0.2, 1.3, -1.0, np.log(0.5), np.log(10.0)])
    a, sd, kappa = theta[:3], 0.5, 10.0

    def joint(v):
        mu = special.expit(X @ a + v)
        loglik = stats.beta.logpdf(y, mu * kappa, (1 - mu) * kappa).sum()
        return np.exp(loglik + stats.norm.logpdf(v, 0, sd) - shift)

    laplace = -LaplaceObjective(problem).nll(theta)
    shift = laplace
    exact = np.log(integrate.quad(joint, -4, 4, points=[0.0], epsabs=0, epsrel=1e-10)[0]) + shift
    assert laplace == pytest.approx(exact, abs=5e-3)
