"""Pieces of the PyMC graph of the beta mixed model, in a parameterisation that samples well.

The model is the one documented in :mod:`plw_stats.glmm.design`; only the coordinates in
which NUTS moves differ, and every prior is carried over exactly.  Three choices, each measured
on the paper-shaped demo sweep and on data simulated with the paper's coefficients:

1. **Centred predictors, rotated.**  wp and wp² are strongly collinear on [0, 1].  The intercept
   is placed at the mean of (wp, wp²) (as brms does), and (b1, b2) are sampled as ``a = R·b``
   with ``R`` from the QR decomposition of the centred columns, whose likelihood is close to
   uncorrelated.  ``b ~ Normal(0, coef_sd²·I)`` becomes ``a ~ MvNormal(0, coef_sd²·R·Rᵀ)``.
2. **Model levels with the intercept integrated out.**  With two pretrained models, the grand
   intercept and the model-level standard deviation form a funnel.  The levels
   ``ℓ_m = a0 + v_m`` are sampled from their marginal prior ``MvNormal(0, sd²·I + s0²·J)`` and
   the intercept from its exact conditional ``a0 | ℓ, sd`` (normal-normal), non-centred.
   The boundary-avoiding prior on ``sd`` (see :class:`~plw_stats.glmm.priors.BetaPriors`)
   removes the remaining funnel of the levels near ``sd = 0``.
3. **Benchmark slopes centred** by default: each benchmark has 20 rows in the paper's design,
   enough to pin its slope down; the non-centred form is an option.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.priors import BetaPriors
from plw_stats.transforms import centred_quadratic


def build_model(design: BetaDesign) -> pm.Model:
    """Return the PyMC model of ``design`` (not yet sampled).

    The observed scores are the data container ``score_obs``, so a compiled model can be re-run
    on new scores of the same design (simulation studies).  Posterior variables are named as in
    every summary: ``intercept`` (at wp = 0), ``wp``, ``wp2``, ``kappa``, ``sd_slope``,
    ``sd_model``, ``slope`` and ``model_offset``.
    """
    coords = {"benchmark": design.benchmarks, "pretrained": design.models}
    p = design.priors
    centred, means = centred_quadratic(design.wp())
    with pm.Model(coords=coords) as model:
        wp = pm.Data("wp_data", design.wp())
        if design.quadratic:
            means = pm.Data("wp_means", means)
            b = quadratic_coefficients(centred, p)
            eta = b[0] * (wp - means[0]) + b[1] * (wp**2 - means[1])
        else:
            b, means, eta = (0.0, 0.0), (0.0, 0.0), 0.0
        if design.has_model_intercept:
            idx = pm.Data("model_idx", design.model_codes())
            levels, a0 = model_levels(
                len(design.models), p, centered=design.model_intercept == "centered"
            )
            eta = eta + levels[idx]
        else:
            a0 = grand_intercept(p)
            eta = eta + a0
        if design.has_benchmark_slope:
            idx = pm.Data("benchmark_idx", design.benchmark_codes())
            slopes = benchmark_slopes(p, centered=design.benchmark_slope == "centered")
            eta = eta + slopes[idx] * wp
        pm.Deterministic("intercept", a0 - b[0] * means[0] - b[1] * means[1])
        if design.quadratic:
            pm.Deterministic("wp", b[0])
            pm.Deterministic("wp2", b[1])
        kappa = pm.Gamma("kappa", alpha=p.kappa_shape, beta=p.kappa_rate)
        observed = pm.Data("score_obs", design.response())
        pm.Beta("score", mu=pm.math.invlogit(eta), nu=kappa, observed=observed)
    return model


def quadratic_coefficients(centred: np.ndarray, priors: BetaPriors):
    """Sample (b1, b2) in the rotated basis; return them as a length-2 tensor.

    The rotation and the rotated prior covariance are data containers, so one compiled model
    serves every dataset of the same design (see :func:`plw_stats.glmm.backends.settings.sample`).
    """
    _, r = np.linalg.qr(centred)
    r = r / np.sqrt(centred.shape[0])
    inverse = pm.Data("rotation_inverse", np.linalg.inv(r))
    cov = pm.Data("rotated_prior_cov", priors.coef_sd**2 * r @ r.T)
    rotated = pm.MvNormal("coef_rotated", mu=np.zeros(2), cov=cov)
    return pt.dot(inverse, rotated)


def grand_intercept(priors: BetaPriors):
    """Intercept at the mean (wp, wp²), used when there is a single pretrained model."""
    return pm.Normal("intercept_centred", 0.0, priors.intercept_sd)


def model_levels(n_models: int, priors: BetaPriors, *, centered: bool):
    """Per-model levels ``ℓ_m = a0 + v_m`` and the grand intercept ``a0`` (centred predictors).

    Returns
    -------
    levels, intercept : tensors
        ``levels`` has dims ``pretrained``; ``intercept`` is ``a0``.
    """
    sd_model = pm.Gamma("sd_model", alpha=priors.model_sd_shape, beta=priors.model_sd_rate)
    s0 = priors.intercept_sd
    cov = sd_model**2 * pt.eye(n_models) + s0**2 * pt.ones((n_models, n_models))
    if centered:
        levels = pm.MvNormal("model_level", mu=pt.zeros(n_models), cov=cov, dims="pretrained")
    else:
        z = pm.Normal("z_model", 0.0, 1.0, dims="pretrained")
        levels = pm.Deterministic(
            "model_level", pt.dot(pt.linalg.cholesky(cov), z), dims="pretrained"
        )
    precision = 1.0 / s0**2 + n_models / sd_model**2
    mean = levels.sum() / sd_model**2 / precision
    z0 = pm.Normal("z_intercept", 0.0, 1.0)
    intercept = pm.Deterministic("intercept_centred", mean + z0 / pt.sqrt(precision))
    pm.Deterministic("model_offset", levels - intercept, dims="pretrained")
    return levels, intercept


def benchmark_slopes(priors: BetaPriors, *, centered: bool):
    """Random slopes of wp by benchmark, ``u_b ~ Normal(0, sd_slope)`` (dims ``benchmark``)."""
    sd_slope = pm.HalfNormal("sd_slope", priors.slope_sd_scale)
    if centered:
        return pm.Normal("slope", 0.0, sd_slope, dims="benchmark")
    z = pm.Normal("z_slope", 0.0, 1.0, dims="benchmark")
    return pm.Deterministic("slope", sd_slope * z, dims="benchmark")
