"""A hand-written log density of the beta mixed model, compiled once to disk, sampled by nutpie.

``nutpie.compile_pymc_model`` spends 5–10 s compiling the PyMC graph with numba in every new
process, more than the sampling itself.  This module writes the same log density and its
gradient directly as numba functions with ``cache=True``: the first run compiles them into
numba's on-disk cache, every later process loads them in well under a second.

It implements the default specification (quadratic or null model, centred model levels; any
number of models, benchmarks and repeated seeds) with centred or non-centred benchmark slopes, in
exactly the coordinates of :mod:`plw_stats.glmm.graph`, so the posterior has the same variables, and
``tests/glmm/backends/test_kernel.py`` checks the log density and gradient against PyMC's at random
points.  ``z_intercept`` does not enter the likelihood, so it is drawn from its N(0, 1)
conditional instead of by NUTS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit, gammaln

from plw_stats.glmm.backends.special import beta_lgamma_digamma, lgamma_digamma
from plw_stats.glmm.design import BetaDesign
from plw_stats.transforms import centred_quadratic

#: Per-cell arrays, in the order :func:`log_density` takes them.
CELL_ARRAYS = ("x1", "x2", "wp", "count", "sum_log_y", "sum_log_1my", "bench_idx", "model_idx")


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _levels_block(theta, start, n_models, s0, shape, rate, grad):
    """Centred model levels ~ MvNormal(0, sd²·I + s0²·J) and sd ~ Gamma(shape, rate)."""
    log_sd = theta[start + n_models]
    q = math.exp(2.0 * log_sd)
    d = q + n_models * s0 * s0
    total = 0.0
    squares = 0.0
    for m in range(n_models):
        total += theta[start + m]
        squares += theta[start + m] ** 2
    quad = (squares - s0 * s0 * total * total / d) / q
    lp = -0.5 * (quad + (n_models - 1) * math.log(q) + math.log(d))
    for m in range(n_models):
        grad[start + m] = -(theta[start + m] - s0 * s0 * total / d) / q
    dquad = -quad / q + s0 * s0 * total * total / (d * d) / q
    dq = -0.5 * (dquad + (n_models - 1) / q + 1.0 / d)
    sd = math.exp(log_sd)
    grad[start + n_models] = dq * 2.0 * q + shape - rate * sd
    return lp + shape * log_sd - rate * sd


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _slopes_block(theta, start, n_bench, half_normal_sd, grad):
    """Centred benchmark slopes ~ Normal(0, sd) and sd ~ HalfNormal(half_normal_sd)."""
    log_sd = theta[start + n_bench]
    sd = math.exp(log_sd)
    squares = 0.0
    for b in range(n_bench):
        squares += theta[start + b] ** 2
        grad[start + b] = -theta[start + b] / (sd * sd)
    lp = -0.5 * squares / (sd * sd) - n_bench * log_sd
    lp += -0.5 * sd * sd / half_normal_sd**2 + log_sd
    grad[start + n_bench] = squares / (sd * sd) - n_bench - sd * sd / half_normal_sd**2 + 1.0
    return lp


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _z_slopes_block(theta, start, n_bench, half_normal_sd, grad):
    """Non-centred slopes ``sd·z`` with z ~ Normal(0, 1) and sd ~ HalfNormal(half_normal_sd)."""
    sd = math.exp(theta[start + n_bench])
    squares = 0.0
    for b in range(n_bench):
        squares += theta[start + b] ** 2
        grad[start + b] = -theta[start + b]
    grad[start + n_bench] = 1.0 - sd * sd / half_normal_sd**2
    return -0.5 * squares - 0.5 * sd * sd / half_normal_sd**2 + theta[start + n_bench]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def log_density(
    theta, x1, x2, wp, count, sum_log_y, sum_log_1my, bench_idx, model_idx, consts, layout
):
    """Log posterior density (up to a constant) and its gradient at ``theta``.

    The likelihood runs over *cells* (model, benchmark, PLW level): rows that share a cell
    (repeated seeds) share their mean, so the beta log density of the cell needs only the row
    count and the sums of log y and log(1 − y) — exact, and the cost grows with the number of
    cells, not of rows.

    ``layout`` = (n_models, n_benchmarks, level_start, slope_start, quadratic, non-centred
    slopes); with non-centred slopes the slope coordinates are ``z`` and the slopes ``sd·z``;
    ``consts`` =
    (rotation inverse (4), prior precision of the rotated coefficients (4), intercept sd,
    model-sd Gamma shape and rate, slope-sd HalfNormal scale, kappa Gamma shape and rate).
    """
    grad = np.zeros(theta.size)
    n_obs = count.sum()
    n_models, n_bench, level_start, slope_start = layout[0], layout[1], layout[2], layout[3]
    quadratic = layout[4] == 1
    noncentred = layout[5] == 1
    r00, r01, r10, r11 = consts[0], consts[1], consts[2], consts[3]
    p00, p01, p10, p11 = consts[4], consts[5], consts[6], consts[7]
    s0 = consts[8]
    lp = 0.0
    b1 = 0.0
    b2 = 0.0
    if quadratic:
        a0, a1 = theta[0], theta[1]
        lp = -0.5 * (a0 * (p00 * a0 + p01 * a1) + a1 * (p10 * a0 + p11 * a1))
        grad[0] = -(p00 * a0 + p01 * a1)
        grad[1] = -(p10 * a0 + p11 * a1)
        b1 = r00 * a0 + r01 * a1
        b2 = r10 * a0 + r11 * a1
    if n_models > 1:
        lp += _levels_block(theta, level_start, n_models, s0, consts[9], consts[10], grad)
    else:
        lp += -0.5 * theta[level_start] ** 2 / (s0 * s0)
        grad[level_start] = -theta[level_start] / (s0 * s0)
    slope_scale = 1.0
    if n_bench > 1 and noncentred:
        lp += _z_slopes_block(theta, slope_start, n_bench, consts[11], grad)
        slope_scale = math.exp(theta[slope_start + n_bench])
    elif n_bench > 1:
        lp += _slopes_block(theta, slope_start, n_bench, consts[11], grad)
    g_log_sd = 0.0
    log_kappa = theta[theta.size - 1]
    kappa = math.exp(log_kappa)
    lp += consts[12] * log_kappa - consts[13] * kappa
    lgamma_kappa, digamma_kappa = lgamma_digamma(kappa)
    lp += n_obs * lgamma_kappa
    dkappa = n_obs * digamma_kappa
    g_b1 = 0.0
    g_b2 = 0.0
    for i in range(x1.size):
        m = level_start + (int(model_idx[i]) if n_models > 1 else 0)
        s = slope_start + int(bench_idx[i])
        eta = b1 * x1[i] + b2 * x2[i] + theta[m]
        if n_bench > 1:
            eta += theta[s] * slope_scale * wp[i]
        mu = 1.0 / (1.0 + math.exp(-eta)) if eta >= 0 else math.exp(eta) / (1.0 + math.exp(eta))
        alpha = mu * kappa
        beta = (1.0 - mu) * kappa
        lgamma_ab, psi_a, psi_b = beta_lgamma_digamma(alpha, beta)
        lp += -count[i] * lgamma_ab
        lp += (alpha - 1.0) * sum_log_y[i] + (beta - 1.0) * sum_log_1my[i]
        d_mu = kappa * (count[i] * (psi_b - psi_a) + sum_log_y[i] - sum_log_1my[i])
        d_eta = d_mu * mu * (1.0 - mu)
        g_b1 += d_eta * x1[i]
        g_b2 += d_eta * x2[i]
        grad[m] += d_eta
        if n_bench > 1:
            grad[s] += d_eta * wp[i] * slope_scale
            g_log_sd += d_eta * wp[i] * theta[s] * slope_scale
        dkappa += -count[i] * (mu * psi_a + (1.0 - mu) * psi_b)
        dkappa += mu * sum_log_y[i] + (1.0 - mu) * sum_log_1my[i]
    grad[theta.size - 1] = consts[12] - consts[13] * kappa + dkappa * kappa
    if n_bench > 1 and noncentred:
        grad[slope_start + n_bench] += g_log_sd
    if quadratic:
        grad[0] += r00 * g_b1 + r10 * g_b2
        grad[1] += r01 * g_b1 + r11 * g_b2
    # overflow far out in the tails: -inf makes NUTS reject the step (a divergence)
    finite = math.isfinite(lp)
    for k in range(grad.size):
        finite = finite and math.isfinite(grad[k])
    if not finite:
        return -np.inf, np.zeros(theta.size)
    return lp, grad


def supports(spec: BetaDesign) -> bool:
    """Whether this backend implements ``spec`` (centred model levels; either slope form)."""
    return spec.model_intercept == "centered"


@dataclass(frozen=True)
class NativeProblem:
    """Arrays and constants of one dataset, in the form :func:`log_density` takes."""

    arrays: dict[str, np.ndarray]
    consts: np.ndarray
    layout: np.ndarray
    rotation_inverse: np.ndarray
    wp_means: np.ndarray
    intercept_sd: float
    benchmarks: list[str]
    models: list[str]

    @classmethod
    def from_spec(cls, spec: BetaDesign) -> NativeProblem:
        """Precompute everything that does not change during sampling."""
        wp = spec.wp()
        centred, means = centred_quadratic(wp)
        _, r = np.linalg.qr(centred)
        r = r / np.sqrt(centred.shape[0])
        p = spec.priors
        precision = np.linalg.inv(p.coef_sd**2 * r @ r.T)
        y = spec.response()
        n_models, n_bench = len(spec.models), len(spec.benchmarks)
        level_start = 2 if spec.quadratic else 0
        slope_start = level_start + (n_models + 1 if n_models > 1 else 1)
        bench = spec.data["benchmark"].map({b: i for i, b in enumerate(spec.benchmarks)})
        model = spec.data["model"].map({m: i for i, m in enumerate(spec.models)})
        rotation_inverse = np.linalg.inv(r)
        consts = np.concatenate(
            [
                rotation_inverse.ravel(),
                precision.ravel(),
                [
                    p.intercept_sd,
                    p.model_sd_shape,
                    p.model_sd_rate,
                    p.slope_sd_scale,
                    p.kappa_shape,
                    p.kappa_rate,
                ],
            ]
        )
        rows = pd.DataFrame(
            {
                "model_idx": model.to_numpy(np.int64),
                "bench_idx": bench.to_numpy(np.int64),
                "wp": wp.astype(float),
                "x1": centred[:, 0],
                "x2": centred[:, 1],
                "log_y": np.log(y),
                "log_1my": np.log1p(-y),
            }
        )
        cells = rows.groupby(["model_idx", "bench_idx", "wp"], sort=True).agg(
            x1=("x1", "first"),
            x2=("x2", "first"),
            count=("log_y", "size"),
            sum_log_y=("log_y", "sum"),
            sum_log_1my=("log_1my", "sum"),
        )
        cells = cells.reset_index()
        arrays = {name: np.ascontiguousarray(cells[name].to_numpy()) for name in CELL_ARRAYS}
        arrays["count"] = arrays["count"].astype(float)
        arrays |= {f"row_{name}": rows[name].to_numpy() for name in rows.columns}
        return cls(
            arrays=arrays,
            consts=consts.astype(float),
            layout=np.array(
                [
                    n_models,
                    n_bench,
                    level_start,
                    slope_start,
                    int(spec.quadratic),
                    int(spec.benchmark_slope == "noncentered"),
                ],
                dtype=np.int64,
            ),
            rotation_inverse=rotation_inverse,
            wp_means=means,
            intercept_sd=p.intercept_sd,
            benchmarks=spec.benchmarks,
            models=spec.models,
        )

    @property
    def n_dim(self) -> int:
        """Length of the unconstrained parameter vector."""
        n_bench, slope_start = self.layout[1], self.layout[3]
        return int(slope_start + (n_bench + 1 if n_bench > 1 else 0) + 1)

    def logp(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Log density and gradient at ``theta`` (float64 vector of length ``n_dim``).

        Overflow far out in the tails gives ``-inf`` (NUTS then rejects the step as a
        divergence) instead of an exception.
        """
        return log_density(theta, *self.cell_arrays(), self.consts, self.layout)

    def cell_arrays(self) -> tuple[np.ndarray, ...]:
        """Per-cell arrays in the order :func:`log_density` takes them."""
        return tuple(self.arrays[name] for name in CELL_ARRAYS)

    def initial_point(self, seed: int) -> np.ndarray:
        """Return a jittered starting point near the prior centre (never a zero gradient)."""
        rng = np.random.default_rng(seed)
        theta = rng.uniform(-0.5, 0.5, self.n_dim)
        theta[-1] += math.log(10.0)
        return theta


def pointwise_log_likelihood(spec: BetaDesign, posterior: xr.Dataset) -> np.ndarray:
    """Log-likelihood of every observation under every draw, shape (chain, draw, n).

    Vectorised NumPy on the posterior's named variables (no compilation), in chunks of draws so
    memory stays bounded for large tables.
    """
    a = row_arrays(spec)
    n_chain, n_draw = posterior.sizes["chain"], posterior.sizes["draw"]
    flat = {name: _flat_draws(posterior, name) for name in posterior.data_vars}
    out = np.empty((n_chain * n_draw, a["x1"].size))
    step = max(1, 2_000_000 // max(1, a["x1"].size))
    for start in range(0, n_chain * n_draw, step):
        rows = slice(start, start + step)
        mu = expit(_linear_predictor(flat, rows, a, spec))
        kappa = flat["kappa"][rows, None]
        alpha, beta = mu * kappa, (1.0 - mu) * kappa
        out[rows] = (
            gammaln(kappa)
            - gammaln(alpha)
            - gammaln(beta)
            + (alpha - 1.0) * a["log_y"]
            + (beta - 1.0) * a["log_1my"]
        )
    return out.reshape(n_chain, n_draw, -1)


def mean_response(spec: BetaDesign, posterior: xr.Dataset, draws: np.ndarray) -> np.ndarray:
    """Mean score ``mu`` of every observation under the chosen draws, shape (len(draws), n).

    ``draws`` indexes the draws with chains concatenated (chain-major).
    """
    a = row_arrays(spec)
    flat = {name: _flat_draws(posterior, name)[draws] for name in posterior.data_vars}
    return expit(_linear_predictor(flat, slice(None), a, spec))


def row_arrays(spec: BetaDesign) -> dict[str, np.ndarray]:
    """Per-row arrays of ``spec``: indices, wp, centred columns and log scores."""
    arrays = NativeProblem.from_spec(spec).arrays
    return {k[4:]: v for k, v in arrays.items() if k.startswith("row_")}


def _flat_draws(posterior: xr.Dataset, name: str) -> np.ndarray:
    array = posterior[name]
    rest = [d for d in array.dims if d not in ("chain", "draw")]
    values = array.transpose("chain", "draw", *rest).to_numpy()
    return values.reshape(-1, *values.shape[2:])


def _linear_predictor(flat, rows, arrays, spec) -> np.ndarray:
    """Compute the linear predictor of every row under the selected draws."""
    wp = arrays["wp"]
    eta = np.zeros((len(flat["kappa"][rows]), wp.size)) + flat["intercept"][rows, None]
    if spec.quadratic:
        eta += flat["wp"][rows, None] * wp + flat["wp2"][rows, None] * wp**2
    if spec.has_model_intercept:
        eta += flat["model_offset"][rows][:, arrays["model_idx"]]
    if spec.has_benchmark_slope:
        eta += flat["slope"][rows][:, arrays["bench_idx"]] * wp
    return eta
