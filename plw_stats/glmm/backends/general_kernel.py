"""Hand-written log density and gradient of the general beta GLMM, compiled once to disk.

The model and its sampling coordinates are those of :mod:`.general_spec`; this is the one-knob
kernel (:mod:`.kernel`) generalised to any fixed design and any number of independent random
terms, and it reuses that kernel's digamma and prior blocks.  Like it, the functions carry
``cache=True``: the first run compiles them into numba's on-disk cache and later processes load
them in well under a second.  (numba's cache tracks this file only: after editing ``kernel.py``,
clear the ``__pycache__`` entries of this module too.)

``tests/surface/test_general_kernel.py`` checks the log density and gradient against the
PyMC graph of :mod:`.general_graph` at random points.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from plw_stats.glmm.backends.general_spec import CELL_ARRAYS, GeneralProblem
from plw_stats.glmm.backends.general_terms import term_effects, term_gradient, term_prior
from plw_stats.glmm.backends.kernel import _levels_block
from plw_stats.glmm.backends.special import beta_lgamma_digamma, lgamma_digamma


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _priors(theta, precision, consts, layout, grad):
    """Log prior (with log-Jacobians) of every block; sets the prior part of ``grad``."""
    n_fixed, n_levels, n_terms, level_start = layout[0], layout[1], layout[2], layout[3]
    lp = 0.0
    for j in range(n_fixed):
        acc = 0.0
        for k in range(n_fixed):
            acc += precision[j * n_fixed + k] * theta[k]
        lp -= 0.5 * theta[j] * acc
        grad[j] = -acc
    s0 = consts[0]
    if n_levels > 0:
        lp += _levels_block(theta, level_start, n_levels, s0, consts[1], consts[2], grad)
    else:
        lp -= 0.5 * theta[level_start] ** 2 / (s0 * s0)
        grad[level_start] = -theta[level_start] / (s0 * s0)
    for k in range(n_terms):
        c = 6 + 3 * k
        lp += term_prior(theta, layout, k, consts[c], consts[c + 1], consts[c + 2], consts[5], grad)
    return lp


@numba.njit(cache=True, nogil=True, error_model="numpy")
def general_log_density(
    theta,
    fixed,
    level_idx,
    term_idx,
    term_val,
    count,
    sum_log_y,
    sum_log_1my,
    precision,
    consts,
    layout,
):
    """Log posterior density (up to a constant) and its gradient at ``theta``.

    The likelihood runs over cells; the beta log density of a cell needs only its row count and
    the sums of log y and log(1 − y) (exact).  Arrays are flat float64 (``fixed`` is cells ×
    n_fixed and ``term_idx``/``term_val`` cells × n_terms, row-major; ``term_idx`` indexes the
    flat effects of :func:`.general_terms.term_effects`).  See
    :class:`.general_spec.GeneralProblem` for ``consts`` and ``layout``.
    """
    grad = np.zeros(theta.size)
    n_fixed, n_levels, n_terms, level_start = layout[0], layout[1], layout[2], layout[3]
    lp = _priors(theta, precision, consts, layout, grad)
    last = theta.size - 1
    kappa = math.exp(theta[last])
    n_obs = count.sum()
    lgamma_kappa, digamma_kappa = lgamma_digamma(kappa)
    lp += consts[3] * theta[last] - consts[4] * kappa + n_obs * lgamma_kappa
    dkappa = n_obs * digamma_kappa
    effects = term_effects(theta, layout)
    g_effects = np.zeros(effects.size)
    for i in range(count.size):
        lev = level_start + (int(level_idx[i]) if n_levels > 0 else 0)
        eta = theta[lev]
        for j in range(n_fixed):
            eta += fixed[i * n_fixed + j] * theta[j]
        for k in range(n_terms):
            eta += term_val[i * n_terms + k] * effects[int(term_idx[i * n_terms + k])]
        mu = 1.0 / (1.0 + math.exp(-eta)) if eta >= 0 else math.exp(eta) / (1.0 + math.exp(eta))
        alpha = mu * kappa
        beta = (1.0 - mu) * kappa
        lgamma_ab, psi_a, psi_b = beta_lgamma_digamma(alpha, beta)
        lp += -count[i] * lgamma_ab
        lp += (alpha - 1.0) * sum_log_y[i] + (beta - 1.0) * sum_log_1my[i]
        d_mu = kappa * (count[i] * (psi_b - psi_a) + sum_log_y[i] - sum_log_1my[i])
        d_eta = d_mu * mu * (1.0 - mu)
        grad[lev] += d_eta
        for j in range(n_fixed):
            grad[j] += d_eta * fixed[i * n_fixed + j]
        for k in range(n_terms):
            g_effects[int(term_idx[i * n_terms + k])] += d_eta * term_val[i * n_terms + k]
        dkappa += -count[i] * (mu * psi_a + (1.0 - mu) * psi_b)
        dkappa += mu * sum_log_y[i] + (1.0 - mu) * sum_log_1my[i]
    grad[last] = consts[3] - consts[4] * kappa + dkappa * kappa
    term_gradient(theta, layout, g_effects, grad)
    # overflow far out in the tails: -inf makes NUTS reject the step (a divergence)
    finite = math.isfinite(lp)
    for k in range(grad.size):
        finite = finite and math.isfinite(grad[k])
    if not finite:
        return -np.inf, np.zeros(theta.size)
    return lp, grad


def kernel_arguments(problem: GeneralProblem) -> tuple[np.ndarray, ...]:
    """Everything after ``theta`` that :func:`general_log_density` takes, in order."""
    cells = tuple(problem.arrays[name] for name in CELL_ARRAYS)
    return (*cells, problem.precision, problem.consts, problem.layout)


def general_logp(problem: GeneralProblem, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """Log density and gradient at ``theta`` (a float64 vector of length ``problem.n_dim``)."""
    return general_log_density(np.asarray(theta, float), *kernel_arguments(problem))
