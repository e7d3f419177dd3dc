"""Laplace-approximated marginal likelihood of a beta GLMM, with its exact gradient.

The model, on *cells* (rows with identical fixed and random design share their mean)::

    eta = X @ a + Z @ r,        r[k] ~ Normal(0, sd[group[k]]),
    y   ~ Beta(mu·kappa, (1 − mu)·kappa),   mu = expit(eta).

The random effects ``r`` are integrated out by the Laplace approximation, as TMB (and so
glmmTMB) does: with the joint log density ``J(r) = log p(y | r) + log p(r)``, its mode ``r̂`` and
``H = −∂²J/∂r²`` at the mode (the *observed*, not the expected, information),

    log L(θ) ≈ J(r̂) + (q/2)·log 2π − ½·log det H,     θ = (a, log sd, log kappa).

The gradient of ``−log L`` is exact (implicit-function theorem, as in TMB): it needs the first
three derivatives of the beta log density in ``eta`` and the mixed ones in ``kappa``.  Rows of a
cell enter through their count and the sums of ``log y`` and ``log(1 − y)``, which is exact
because the beta log density is linear in those given the mean.

Pure NumPy/SciPy; no plw_stats imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, special

#: Largest Newton iteration count of the inner (mode) problem.
INNER_MAX_ITER = 100
#: The inner problem has converged when no random effect moves more than this.
INNER_STEP_TOL = 1e-11


@dataclass(frozen=True)
class BetaGLMMProblem:
    """Data of one beta GLMM, collapsed to cells.

    Attributes
    ----------
    X : numpy.ndarray
        Fixed-effect design, one row per cell (cells × p).
    Z : numpy.ndarray
        Random-effect design, one row per cell (cells × q); q may be 0.
    groups : numpy.ndarray
        For each random effect (column of Z), the index of its standard deviation.
    n_groups : int
        Number of random-effect standard deviations.
    count, sum_log_y, sum_log_1my : numpy.ndarray
        Rows per cell and their sums of ``log y`` and ``log(1 − y)``.
    """

    X: np.ndarray
    Z: np.ndarray
    groups: np.ndarray
    n_groups: int
    count: np.ndarray
    sum_log_y: np.ndarray
    sum_log_1my: np.ndarray

    @classmethod
    def from_rows(cls, X, Z, groups, y) -> BetaGLMMProblem:
        """Collapse rows with identical design rows (repeated seeds) into cells.

        Parameters
        ----------
        X, Z : array_like
            Fixed and random design, one row per observation.
        groups : array_like of int
            Standard-deviation index of each column of ``Z``.
        y : array_like
            Responses strictly inside (0, 1).
        """
        X, Z = np.asarray(X, float), np.asarray(Z, float).reshape(len(X), -1)
        y = np.asarray(y, float)
        _, first, cell = np.unique(
            np.hstack([X, Z]), axis=0, return_index=True, return_inverse=True
        )
        cell = cell.ravel()
        n_cells = first.size
        groups = np.asarray(groups, dtype=np.int64)
        return cls(
            X=X[first],
            Z=Z[first],
            groups=groups,
            n_groups=int(groups.max()) + 1 if groups.size else 0,
            count=np.bincount(cell, minlength=n_cells).astype(float),
            sum_log_y=np.bincount(cell, weights=np.log(y), minlength=n_cells),
            sum_log_1my=np.bincount(cell, weights=np.log1p(-y), minlength=n_cells),
        )

    @property
    def n_fixed(self) -> int:
        """Number of fixed effects."""
        return self.X.shape[1]

    @property
    def n_params(self) -> int:
        """Length of θ = (fixed effects, log sd per group, log kappa)."""
        return self.n_fixed + self.n_groups + 1

    @property
    def n_obs(self) -> int:
        """Number of rows (observations)."""
        return int(self.count.sum())

    def split(self, theta) -> tuple[np.ndarray, np.ndarray, float]:
        """Return (fixed effects, log sd per group, log kappa) of ``theta``."""
        p, k = self.n_fixed, self.n_groups
        return theta[:p], theta[p : p + k], float(theta[p + k])


@dataclass(frozen=True)
class CellDerivatives:
    """Beta log density of every cell and its derivatives in eta and kappa."""

    value: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    d3: np.ndarray | None = None
    dk: np.ndarray | None = None
    d1k: np.ndarray | None = None
    d2k: np.ndarray | None = None


def cell_derivatives(
    problem: BetaGLMMProblem, eta: np.ndarray, kappa: float, *, full: bool = False
) -> CellDerivatives:
    """Beta log density of each cell, with derivatives in eta (and in kappa if ``full``).

    ``d1``, ``d2``, ``d3`` are derivatives in eta; ``dk`` in kappa; ``d1k``, ``d2k`` the mixed
    ones (first and second in eta, first in kappa).
    """
    c, s1, s2 = problem.count, problem.sum_log_y, problem.sum_log_1my
    mu, nu = special.expit(eta), special.expit(-eta)  # nu = 1 − mu without cancellation
    a, b = mu * kappa, nu * kappa
    psi_a, psi_b = special.digamma(a), special.digamma(b)
    tri_a, tri_b = special.zeta(2.0, a), special.zeta(2.0, b)
    logit_gap = s1 - s2 - c * (psi_a - psi_b)
    value = c * (special.gammaln(kappa) - special.gammaln(a) - special.gammaln(b))
    value += (a - 1.0) * s1 + (b - 1.0) * s2
    l_mu = kappa * logit_gap
    l_mumu = -c * kappa**2 * (tri_a + tri_b)
    g = mu * nu
    g1 = g * (nu - mu)
    d1, d2 = l_mu * g, l_mumu * g**2 + l_mu * g1
    if not full:
        return CellDerivatives(value, d1, d2)
    tet_a, tet_b = -2.0 * special.zeta(3.0, a), -2.0 * special.zeta(3.0, b)
    g2 = g * (nu - mu) ** 2 - 2.0 * g**2
    l_mumumu = -c * kappa**3 * (tet_a - tet_b)
    dk = c * (special.digamma(kappa) - mu * psi_a - nu * psi_b) + mu * s1 + nu * s2
    l_muk = logit_gap - c * kappa * (mu * tri_a - nu * tri_b)
    l_mumuk = -c * (2.0 * kappa * (tri_a + tri_b) + kappa**2 * (mu * tet_a + nu * tet_b))
    return CellDerivatives(
        value,
        d1,
        d2,
        d3=l_mumumu * g**3 + 3.0 * l_mumu * g * g1 + l_mu * g2,
        dk=dk,
        d1k=l_muk * g,
        d2k=l_mumuk * g**2 + l_muk * g1,
    )


@dataclass(frozen=True)
class Mode:
    """The inner solution at one θ: the mode of the random effects and what it implies."""

    r: np.ndarray
    eta: np.ndarray
    derivs: CellDerivatives
    hessian_cho: tuple | None
    nll: float


class LaplaceObjective:
    """Negative Laplace log-likelihood ``−log L(θ)`` of a problem, and its exact gradient.

    The mode of the random effects is warm-started from the previous call, so a sequence of
    nearby θ (an optimiser's path) costs a few Newton steps each.
    """

    def __init__(self, problem: BetaGLMMProblem):
        self.problem = problem
        self._r = np.zeros(problem.Z.shape[1])

    def _precisions(self, log_sd: np.ndarray) -> np.ndarray:
        return np.exp(-2.0 * log_sd[self.problem.groups])

    def _inner(self, r, eta_fixed, kappa, precision):
        """Inner objective ``−J(r)`` (without the prior's normalising terms), its derivatives."""
        eta = eta_fixed + self.problem.Z @ r
        derivs = cell_derivatives(self.problem, eta, kappa)
        f = -derivs.value.sum() + 0.5 * np.dot(precision, r**2)
        return f, eta, derivs

    def mode(self, theta) -> Mode:
        """Newton's method (with step halving) for the mode of the random effects at ``theta``.

        Starts from the previous mode and, if that fails, from zero.

        Raises
        ------
        FloatingPointError
            If the inner problem has no finite solution at ``theta``.
        """
        a, log_sd, log_kappa = self.problem.split(np.asarray(theta, float))
        kappa, precision, Z = np.exp(log_kappa), self._precisions(log_sd), self.problem.Z
        eta_fixed = self.problem.X @ a
        for start in (self._r, np.zeros_like(self._r)):
            found = self._newton(start, eta_fixed, kappa, precision)
            if found is not None:
                break
        else:
            raise FloatingPointError("the random effects have no finite mode at this θ")
        r, f, eta, derivs = found
        self._r = r
        cho = None
        if r.size:
            cho = linalg.cho_factor((Z.T * -derivs.d2) @ Z + np.diag(precision))
        log_det = 2.0 * np.log(np.diag(cho[0])).sum() if cho else 0.0
        nll = f + log_sd[self.problem.groups].sum() + 0.5 * log_det
        if not np.isfinite(nll):
            raise FloatingPointError("the Laplace log-likelihood is not finite at this θ")
        return Mode(r=r, eta=eta, derivs=derivs, hessian_cho=cho, nll=float(nll))

    def _newton(self, r, eta_fixed, kappa, precision):
        """Return (mode, objective, eta, derivatives), or None if Newton's method fails."""
        Z = self.problem.Z
        f, eta, derivs = self._inner(r, eta_fixed, kappa, precision)
        for _ in range(INNER_MAX_ITER):
            if not np.isfinite(f):
                return None
            grad = -Z.T @ derivs.d1 + precision * r
            step = self._newton_step(Z, derivs, precision, grad)
            t = 1.0
            while t > 1e-10:
                f_new, eta_new, d_new = self._inner(r - t * step, eta_fixed, kappa, precision)
                if f_new <= f + 1e-12 * abs(f):
                    break
                t *= 0.5
            else:  # no decrease along the Newton direction: stationary to rounding, or stuck
                stationary = np.max(np.abs(grad), initial=0.0) < 1e-6 * max(1.0, abs(f))
                return (r, f, eta, derivs) if stationary else None
            r, f, eta, derivs = r - t * step, f_new, eta_new, d_new
            if np.max(np.abs(t * step), initial=0.0) < INNER_STEP_TOL:
                return r, f, eta, derivs
        return None

    @staticmethod
    def _newton_step(Z, derivs, precision, grad):
        """Newton step of the inner problem; Fisher scoring where the Hessian is not PD."""
        if not grad.size:
            return grad
        hessian = (Z.T * -derivs.d2) @ Z + np.diag(precision)
        try:
            return linalg.cho_solve(linalg.cho_factor(hessian), grad)
        except linalg.LinAlgError:
            fisher = np.maximum(-derivs.d2, 0.0) + 1e-8
            return linalg.solve((Z.T * fisher) @ Z + np.diag(precision), grad, assume_a="pos")

    def nll(self, theta) -> float:
        """``−log L(θ)`` (Laplace); ``inf`` where it cannot be evaluated."""
        try:
            with np.errstate(all="ignore"):
                return self.mode(theta).nll
        except (FloatingPointError, ValueError, linalg.LinAlgError):
            return np.inf

    def nll_and_grad(self, theta) -> tuple[float, np.ndarray]:
        """``−log L(θ)`` and its exact gradient; ``(inf, nan)`` where they cannot be evaluated."""
        theta = np.asarray(theta, float)
        try:
            with np.errstate(all="ignore"):
                mode = self.mode(theta)
                grad = self._gradient(theta, mode)
        except (FloatingPointError, ValueError, linalg.LinAlgError):
            return np.inf, np.full(theta.size, np.nan)
        if not np.all(np.isfinite(grad)):
            return np.inf, np.full(theta.size, np.nan)
        return mode.nll, grad

    def _gradient(self, theta, mode: Mode) -> np.ndarray:
        """Total derivative of ``−log L`` in θ through the mode (implicit-function theorem)."""
        pr = self.problem
        _, log_sd, log_kappa = pr.split(theta)
        kappa, r, Z, X = np.exp(log_kappa), mode.r, pr.Z, pr.X
        d = cell_derivatives(pr, mode.eta, kappa, full=True)
        p, k, q = pr.n_fixed, pr.n_groups, r.size
        onehot = np.zeros((q, k))
        onehot[np.arange(q), pr.groups] = 1.0
        precision = self._precisions(log_sd)
        # partial derivatives of J at fixed r, and C = ∂²J/∂r∂θ (q × n_params)
        partial = np.concatenate([X.T @ d.d1, onehot.T @ (r**2 * precision) - onehot.sum(0)])
        partial = np.append(partial, kappa * d.dk.sum())
        cross = np.hstack([Z.T @ (d.d2[:, None] * X), 2.0 * (r * precision)[:, None] * onehot])
        cross = np.hstack([cross, (Z.T @ (kappa * d.d1k))[:, None]])
        # total derivative of eta, then of W = −∂²ℓ/∂η² and of H
        deta = np.hstack([X, np.zeros((X.shape[0], k + 1))])
        trace = np.zeros(theta.size)
        if q:
            h_inv = linalg.cho_solve(mode.hessian_cho, np.eye(q))
            deta += Z @ (h_inv @ cross)
            leverage = np.einsum("ij,jk,ik->i", Z, h_inv, Z)
            dW = -d.d3[:, None] * deta
            dW[:, -1] -= kappa * d.d2k
            trace = leverage @ dW
            trace[p : p + k] += onehot.T @ (-2.0 * precision * np.diag(h_inv))
        # the Σ log sd of the prior's normalising constant is in ``partial`` already
        return -partial + 0.5 * trace
