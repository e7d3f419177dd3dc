"""Maximise a Laplace marginal likelihood and check the optimum as glmmTMB does.

The optimiser is L-BFGS-B on ``θ = (fixed effects, log sd per group, log kappa)`` with the exact
gradient of :class:`~plw_stats.glmm.laplace.LaplaceObjective`, followed by a few Newton steps
with the Hessian (central differences of the exact gradient, as TMB's ``sdreport`` does).  The
fixed effects are optimised in an orthonormalised basis of the design and mapped back, so the
search is well conditioned whatever the scale of the covariates.

Checks, each turned into a plain-words problem by the caller:

- the optimiser stopped without reaching a stationary point;
- the Hessian of ``−log L`` is not positive definite (glmmTMB's "non-positive-definite Hessian
  matrix");
- a standard deviation converged to its boundary, zero.  The curvature in its log vanishes
  there, so the covariance of the other parameters is computed with it held fixed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from plw_stats.glmm.laplace import BetaGLMMProblem, LaplaceObjective

#: A random-effect standard deviation below this (logit scale) is at its boundary, zero.
SD_BOUNDARY = 1e-3
#: Largest absolute gradient of −log L accepted at a reported optimum.
GRADIENT_TOL = 1e-3
#: Bounds of the log standard deviations and of log kappa during the search.
LOG_SD_BOUNDS = (np.log(1e-6), np.log(1e3))
LOG_KAPPA_BOUNDS = (np.log(1e-3), np.log(1e7))
#: Relative step of the central differences of the gradient.
HESSIAN_STEP = 1e-4
NEWTON_STEPS = 4
#: L-BFGS-B is restarted (at most RESTARTS times) while its projected gradient exceeds this.
RESTARTS = 4
RESTART_GRADIENT = 1e-5
#: Log SD from which a boundary estimate is re-searched, and the SD where it is probed.
RESTART_LOG_SD = np.log(0.5)
PROBE_SD = 0.01
#: Newton polish that moves θ further than this recomputes the Hessian.
REHESSIAN_MOVE = 1e-3


@dataclass(frozen=True)
class MarginalFit:
    """The maximum of the Laplace marginal likelihood of one problem.

    Attributes
    ----------
    theta : numpy.ndarray
        Estimates of (fixed effects, log sd per group, log kappa), the fixed effects in the
        basis of the problem's original design.
    nll : float
        ``−log L`` at ``theta`` (so the log-likelihood is ``−nll``).
    gradient : numpy.ndarray
        Gradient of ``−log L`` at ``theta``.
    covariance : numpy.ndarray or None
        Inverse Hessian of ``−log L`` (rows and columns of boundary SDs are zero); None when
        the Hessian is not positive definite.
    boundary : tuple of int
        Indices of the standard deviations at their boundary.
    optimizer_message : str
        What the optimiser reported.
    optimizer_converged : bool
        Whether it reached a stationary point (gradient below ``GRADIENT_TOL``).
    positive_definite : bool or None
        Whether the Hessian (without boundary SDs) is positive definite; None if not computed.
    """

    theta: np.ndarray
    nll: float
    gradient: np.ndarray
    covariance: np.ndarray | None
    boundary: tuple[int, ...]
    optimizer_message: str
    optimizer_converged: bool
    positive_definite: bool | None


def fit_marginal(
    problem: BetaGLMMProblem, start: np.ndarray | None = None, *, hessian: bool = True
) -> MarginalFit:
    """Maximise the Laplace marginal likelihood of ``problem``.

    Parameters
    ----------
    problem : BetaGLMMProblem
        Cells, designs and groups.
    start : numpy.ndarray, optional
        Starting θ in the original basis; by default least squares on the empirical logits for
        the fixed effects, SD 0.5 and a moment estimate of kappa.
    hessian : bool
        False skips the Hessian and the Newton polish (when only the maximum is needed, as for
        the null model of a likelihood-ratio test): no covariance, ``positive_definite`` None.

    Returns
    -------
    MarginalFit
    """
    basis = _orthonormal_basis(problem.X)
    scaled = dataclasses.replace(problem, X=problem.X @ basis)
    to_scaled = _block_transform(np.linalg.inv(basis), problem)
    theta0 = to_scaled @ (default_start(problem) if start is None else np.asarray(start, float))
    objective = LaplaceObjective(scaled)
    theta, message = _optimise(objective, theta0, _bounds(problem))
    theta, message = _confirm_boundary(objective, theta, message)
    boundary = _boundary(problem, theta)
    free = np.setdiff1d(np.arange(theta.size), [problem.n_fixed + g for g in boundary])
    covariance, positive_definite = None, None
    if hessian:
        theta, matrix = _polish(objective, theta, free)
        covariance, positive_definite = _covariance(matrix, free)
    nll, grad = objective.nll_and_grad(theta)
    back = _block_transform(basis, problem)
    if covariance is not None:
        covariance = back @ covariance @ back.T
    return MarginalFit(
        theta=back @ theta,
        nll=nll,
        gradient=np.linalg.solve(back.T, grad),
        covariance=covariance,
        boundary=boundary,
        optimizer_message=message,
        optimizer_converged=bool(np.max(np.abs(grad[free]), initial=0.0) < GRADIENT_TOL),
        positive_definite=positive_definite,
    )


def default_start(problem: BetaGLMMProblem) -> np.ndarray:
    """Return a starting θ: weighted least squares on the cell mean logits, SD 0.5, moment kappa."""
    mean_logit = (problem.sum_log_y - problem.sum_log_1my) / problem.count
    w = np.sqrt(problem.count)
    a, *_ = np.linalg.lstsq(problem.X * w[:, None], mean_logit * w, rcond=None)
    mean_y = np.exp(problem.sum_log_y / problem.count)
    m = np.average(mean_y, weights=problem.count)
    v = np.average((mean_y - m) ** 2, weights=problem.count)
    kappa = np.clip(m * (1 - m) / max(v, 1e-12) - 1.0, 1.0, 1e4)
    return np.concatenate([a, np.full(problem.n_groups, RESTART_LOG_SD), [np.log(kappa)]])


def _orthonormal_basis(X: np.ndarray) -> np.ndarray:
    """Matrix ``T`` such that ``X @ T`` has orthogonal columns of mean square one."""
    _, r = np.linalg.qr(X / np.sqrt(X.shape[0]))
    return np.linalg.inv(r)


def _block_transform(fixed: np.ndarray, problem: BetaGLMMProblem) -> np.ndarray:
    """Block-diagonal map that applies ``fixed`` to the fixed effects and keeps the rest."""
    out = np.eye(problem.n_params)
    p = problem.n_fixed
    out[:p, :p] = fixed
    return out


def _bounds(problem: BetaGLMMProblem) -> list[tuple[float | None, float | None]]:
    return (
        [(None, None)] * problem.n_fixed + [LOG_SD_BOUNDS] * problem.n_groups + [LOG_KAPPA_BOUNDS]
    )


def _optimise(objective: LaplaceObjective, theta0: np.ndarray, bounds) -> tuple[np.ndarray, str]:
    """L-BFGS-B with the exact gradient, restarted while it stops short of a stationary point.

    A trial step into a region where the Laplace objective cannot be evaluated makes L-BFGS-B
    give up; a restart forgets the curvature memory that proposed that step.
    """
    lower = np.array([-np.inf if lo is None else lo for lo, _ in bounds])
    upper = np.array([np.inf if hi is None else hi for _, hi in bounds])
    theta = theta0
    for _ in range(RESTARTS + 1):
        result = optimize.minimize(
            objective.nll_and_grad,
            theta,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 20},
        )
        theta, grad = result.x, np.asarray(result.jac, float)
        pushing_out = ((theta <= lower) & (grad > 0)) | ((theta >= upper) & (grad < 0))
        if np.max(np.abs(np.where(pushing_out, 0.0, grad)), initial=0.0) < RESTART_GRADIENT:
            break
    return theta, str(result.message)


def _confirm_boundary(objective: LaplaceObjective, theta: np.ndarray, message: str):
    """Check that SDs at their boundary belong there; else search again from an interior value.

    Near zero the gradient in a log SD vanishes like SD², so a search that wanders there can
    stall even when the maximum is interior.  The likelihood must fall as each such SD grows
    to ``PROBE_SD`` (the other parameters at their estimates); where it rises instead, the
    search restarts from SD 0.5 and the better optimum is kept.
    """
    problem = objective.problem
    index = [problem.n_fixed + g for g in _boundary(problem, theta)]
    if not index:
        return theta, message
    probe = theta.copy()
    probe[index] = np.log(PROBE_SD)
    _, grad = objective.nll_and_grad(probe)
    if np.all(grad[index] > 0):
        objective.mode(theta)  # leave the warm start at the optimum
        return theta, message
    restart = theta.copy()
    restart[index] = RESTART_LOG_SD
    other, other_message = _optimise(objective, restart, _bounds(problem))
    if objective.nll(other) < objective.nll(theta):
        return other, other_message
    objective.mode(theta)  # leave the warm start at the kept optimum
    return theta, message


def _polish(objective: LaplaceObjective, theta: np.ndarray, free: np.ndarray):
    """Newton steps on the ``free`` parameters; return θ and the Hessian there."""
    nll, grad = objective.nll_and_grad(theta)
    hessian = hessian_of(objective, theta)
    start = theta
    for _ in range(NEWTON_STEPS):
        if np.max(np.abs(grad[free]), initial=0.0) < 1e-9:
            break
        try:
            step = linalg.solve(hessian[np.ix_(free, free)], grad[free], assume_a="pos")
        except (linalg.LinAlgError, ValueError):
            break
        candidate = theta.copy()
        candidate[free] -= step
        new_nll, new_grad = objective.nll_and_grad(candidate)
        if not new_nll <= nll:
            break
        theta, nll, grad = candidate, new_nll, new_grad
    if np.max(np.abs(theta - start), initial=0.0) > REHESSIAN_MOVE:
        hessian = hessian_of(objective, theta)
    return theta, hessian


def _boundary(problem: BetaGLMMProblem, theta: np.ndarray) -> tuple[int, ...]:
    log_sd = problem.split(theta)[1]
    return tuple(int(g) for g in np.flatnonzero(log_sd < np.log(SD_BOUNDARY)))


def hessian_of(objective: LaplaceObjective, theta: np.ndarray) -> np.ndarray:
    """Hessian of ``−log L`` by central differences of the exact gradient, symmetrised."""
    n = theta.size
    hessian = np.empty((n, n))
    for j in range(n):
        h = HESSIAN_STEP * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        hessian[:, j] = (objective.nll_and_grad(up)[1] - objective.nll_and_grad(down)[1]) / (2 * h)
    objective.mode(theta)  # leave the warm start at the optimum
    return 0.5 * (hessian + hessian.T)


def _covariance(hessian: np.ndarray, free: np.ndarray) -> tuple[np.ndarray | None, bool]:
    """Inverse of the Hessian on the free parameters (zeros elsewhere), and whether it is PD."""
    block = hessian[np.ix_(free, free)]
    if not np.all(np.isfinite(block)):
        return None, False
    try:
        factor = linalg.cho_factor(block)
    except linalg.LinAlgError:
        return None, False
    covariance = np.zeros_like(hessian)
    covariance[np.ix_(free, free)] = linalg.cho_solve(factor, np.eye(free.size))
    return covariance, True
