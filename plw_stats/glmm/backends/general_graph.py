"""The PyMC graph of the general beta GLMM, in the coordinates of the hand-written kernel.

Same model and priors as :mod:`.general_spec`, same sampling coordinates as the kernel (rotated
centred fixed effects ``coef_rotated``, levels with the grand intercept integrated out, centred
random terms), so the native and graph backends give the same posterior variables.  Every array
that depends on the data is a data container, so one compiled graph serves every model of the
same shape (:meth:`.general_spec.GeneralGlmm.graph_key`).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from plw_stats.glmm.backends.general_spec import GeneralGlmm, RandomTerm


def build_general_model(glmm: GeneralGlmm) -> pm.Model:
    """Return the PyMC model of ``glmm`` (not yet sampled).

    Posterior variables: ``intercept`` (at all covariates 0), one per fixed column (named by
    ``glmm.fixed_names``), ``kappa``, and per random term its coefficients and sd; with a level
    term, its levels, their sd, ``intercept_centred`` and the offsets, named by the term.
    """
    coords = {term.dim: list(term.labels) for term in glmm.terms}
    if glmm.level is not None:
        coords[glmm.level.dim] = list(glmm.level.labels)
    centred, means = glmm.centred_fixed()
    with pm.Model(coords=coords) as model:
        eta = 0.0
        b = []
        if centred.shape[1]:
            r = glmm.rotation()
            rotated = pm.Data("fixed_rotated", centred @ np.linalg.inv(r))
            inverse = pm.Data("rotation_inverse", np.linalg.inv(r))
            cov = pm.Data("rotated_prior_cov", glmm.coef_sd**2 * r @ r.T)
            a = pm.MvNormal("coef_rotated", mu=np.zeros(r.shape[0]), cov=cov)
            eta = pt.dot(rotated, a)
            b = pt.dot(inverse, a)
            for j, name in enumerate(glmm.sampled_fixed):
                pm.Deterministic(name, b[j])
        a0, base = _intercept(glmm)
        eta = eta + base
        for term in glmm.terms:
            if term.sd_gamma is None:  # (an absorbing term has a gamma prior)
                sd = pm.HalfNormal(term.sd_name, term.sd_scale)
            else:
                sd = pm.Gamma(term.sd_name, alpha=term.sd_gamma[0], beta=term.sd_gamma[1])
            coefs = _term_effects(term, sd, glmm.coef_sd)
            index = pm.Data(f"{term.name}_index", term.index)
            covariate = pm.Data(f"{term.name}_covariate", term.covariate)
            eta = eta + coefs[index] * covariate
        offset = pt.dot(b, pm.Data("fixed_means", means)) if len(means) else 0.0
        pm.Deterministic("intercept", a0 - offset)
        kappa = pm.Gamma("kappa", alpha=glmm.kappa_shape, beta=glmm.kappa_rate)
        observed = pm.Data("score_obs", glmm.y)
        pm.Beta("score", mu=pm.math.invlogit(eta), nu=kappa, observed=observed)
    return model


def _intercept(glmm: GeneralGlmm):
    """Grand intercept (at the centred covariates) and what enters eta: itself or the levels.

    The levels ``ℓ = a0 + v`` follow their marginal prior ``MvNormal(0, sd²·I + s0²·J)`` and
    ``a0`` its exact normal conditional given them, non-centred (as
    :func:`plw_stats.glmm.graph.model_levels`, with the term's names).
    """
    s0 = glmm.intercept_sd
    if glmm.level is None:
        a0 = pm.Normal("intercept_centred", 0.0, s0)
        return a0, a0
    level = glmm.level
    n = len(level.labels)
    sd = pm.Gamma(level.sd_name, alpha=level.sd_shape, beta=level.sd_rate)
    cov = sd**2 * pt.eye(n) + s0**2 * pt.ones((n, n))
    levels = pm.MvNormal(level.levels_name, mu=pt.zeros(n), cov=cov, dims=level.dim)
    precision = 1.0 / s0**2 + n / sd**2
    z0 = pm.Normal("z_intercept", 0.0, 1.0)
    a0 = pm.Deterministic(
        "intercept_centred", levels.sum() / sd**2 / precision + z0 / pt.sqrt(precision)
    )
    pm.Deterministic(level.name, levels - a0, dims=level.dim)
    index = pm.Data("level_index", level.index)
    return a0, levels[index]


def _term_effects(term: RandomTerm, sd, coef_sd: float):
    """Return what multiplies a term's covariate (effects, or totals when absorbing)."""
    n = len(term.labels)
    if term.parameterisation == "centred":
        return pm.Normal(term.name, 0.0, sd, dims=term.dim)
    if term.parameterisation == "noncentred":
        z = pm.Normal(f"{term.name}_z", 0.0, 1.0, dims=term.dim)
        return pm.Deterministic(term.name, sd * z, dims=term.dim)
    cov = sd**2 * pt.eye(n) + coef_sd**2 * pt.ones((n, n))
    totals = pm.MvNormal(f"{term.name}_total", mu=pt.zeros(n), cov=cov, dims=term.dim)
    precision = 1.0 / coef_sd**2 + n / sd**2
    z = pm.Normal(f"z_{term.absorbs}", 0.0, 1.0)
    fixed = pm.Deterministic(
        term.absorbs, totals.sum() / sd**2 / precision + z / pt.sqrt(precision)
    )
    pm.Deterministic(term.name, totals - fixed, dims=term.dim)
    return totals
