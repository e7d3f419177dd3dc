"""Posterior draws of the general beta GLMM: named variables, linear predictor, log-likelihood.

Vectorised NumPy on draws, no compilation.  The native backend samples a flat vector ``theta``
(:mod:`.general_spec` lays it out); :func:`expand_draws` names it as the PyMC graph
(:mod:`.general_graph`) names its variables, so every later step reads one set of names.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.special import expit, gammaln

from plw_stats.glmm.backends.general_spec import GeneralGlmm, GeneralProblem, RandomTerm

CHAIN_DRAW = ("chain", "draw")


def expand_draws(problem: GeneralProblem, theta: np.ndarray, seed: int) -> xr.Dataset:
    """Name raw draws ``theta`` (chain, draw, k) as the PyMC graph names its variables."""
    glmm, layout = problem.glmm, problem.layout
    p, n_levels, level_start = int(layout[0]), int(layout[1]), int(layout[3])
    cd = CHAIN_DRAW
    out = {"kappa": (cd, np.exp(theta[..., -1]))}
    b = theta[..., :p] @ problem.rotation_inverse.T if p else np.zeros((*theta.shape[:2], 0))
    if p:
        out["coef_rotated"] = ((*cd, "coef_rotated_dim_0"), theta[..., :p])
        out |= {name: (cd, b[..., j]) for j, name in enumerate(glmm.sampled_fixed)}
    if n_levels:
        out |= _levels(glmm, theta[..., level_start : level_start + n_levels + 1], seed)
        a0 = out["intercept_centred"][1]
    else:
        a0 = theta[..., level_start]
        out["intercept_centred"] = (cd, a0)
    starts = layout[4 : 4 + len(glmm.terms)]
    for k, (term, start) in enumerate(zip(glmm.terms, starts, strict=True)):
        n = len(term.labels)
        block = theta[..., start : start + n + 1]
        out |= _term(term, block, glmm.coef_sd, np.random.default_rng([seed, 11, k]))
    out["intercept"] = (cd, a0 - b @ problem.means)
    coords = {"chain": np.arange(theta.shape[0]), "draw": np.arange(theta.shape[1])}
    coords |= {term.dim: list(term.labels) for term in glmm.terms}
    if glmm.level is not None:
        coords[glmm.level.dim] = list(glmm.level.labels)
    return xr.Dataset(out, coords=coords)


def _conditional_mean(totals: np.ndarray, sd: np.ndarray, prior_sd: float, z: np.ndarray):
    """Draw the common mean of ``totals = mean + N(0, sd)`` given them, mean ~ N(0, prior_sd)."""
    precision = 1.0 / prior_sd**2 + totals.shape[-1] / sd**2
    return totals.sum(axis=-1) / sd**2 / precision + z / np.sqrt(precision)


def _term(term: RandomTerm, block: np.ndarray, coef_sd: float, rng) -> dict:
    """Return a term's effects and sd (and an absorbed fixed effect) from its coordinates."""
    cd = CHAIN_DRAW
    coords, sd = block[..., :-1], np.exp(block[..., -1])
    out = {term.sd_name: (cd, sd)}
    if term.parameterisation == "noncentred":
        coords = coords * sd[..., None]
    elif term.absorbs is not None:
        z = rng.standard_normal(sd.shape)
        fixed = _conditional_mean(coords, sd, coef_sd, z)
        out |= {f"{term.name}_total": ((*cd, term.dim), coords), f"z_{term.absorbs}": (cd, z)}
        out[term.absorbs] = (cd, fixed)
        coords = coords - fixed[..., None]
    out[term.name] = ((*cd, term.dim), coords)
    return out


def _levels(glmm: GeneralGlmm, block: np.ndarray, seed: int) -> dict:
    """Levels, their sd, and the grand intercept drawn from its exact conditional."""
    level, cd = glmm.level, CHAIN_DRAW
    levels, sd = block[..., :-1], np.exp(block[..., -1])
    z0 = np.random.default_rng([seed, 7]).standard_normal(sd.shape)
    a0 = _conditional_mean(levels, sd, glmm.intercept_sd, z0)
    return {
        level.levels_name: ((*cd, level.dim), levels),
        level.sd_name: (cd, sd),
        "z_intercept": (cd, z0),
        "intercept_centred": (cd, a0),
        level.name: ((*cd, level.dim), levels - a0[..., None]),
    }


def flat_draws(posterior: xr.Dataset, name: str) -> np.ndarray:
    """Draws of one variable with chains concatenated (chain-major): (draws, …)."""
    array = posterior[name]
    rest = [d for d in array.dims if d not in CHAIN_DRAW]
    values = array.transpose(*CHAIN_DRAW, *rest).to_numpy()
    return values.reshape(-1, *values.shape[2:])


def linear_predictor(glmm: GeneralGlmm, posterior: xr.Dataset, draws=slice(None)) -> np.ndarray:
    """Linear predictor of every row under the selected draws, shape (draws, rows)."""
    eta = flat_draws(posterior, "intercept")[draws][:, None] + np.zeros(glmm.n_rows)
    X = np.asarray(glmm.X, float).reshape(glmm.n_rows, -1)
    if X.shape[1]:
        b = np.column_stack([flat_draws(posterior, name)[draws] for name in glmm.fixed_names])
        eta += b @ X.T
    if glmm.level is not None:
        eta += flat_draws(posterior, glmm.level.name)[draws][:, glmm.level.index]
    for term in glmm.terms:
        eta += flat_draws(posterior, term.name)[draws][:, term.index] * term.covariate
    return eta


def pointwise_log_likelihood(glmm: GeneralGlmm, posterior: xr.Dataset) -> np.ndarray:
    """Log-likelihood of every row under every draw, shape (chain, draw, rows).

    Computed in chunks of draws so memory stays bounded for large tables.
    """
    n_chain, n_draw = posterior.sizes["chain"], posterior.sizes["draw"]
    total = n_chain * n_draw
    kappa = flat_draws(posterior, "kappa")
    log_y, log_1my = np.log(glmm.y), np.log1p(-np.asarray(glmm.y, float))
    out = np.empty((total, glmm.n_rows))
    step = max(1, 2_000_000 // max(1, glmm.n_rows))
    for start in range(0, total, step):
        rows = slice(start, min(start + step, total))
        mu = expit(linear_predictor(glmm, posterior, rows))
        k = kappa[rows, None]
        alpha, beta = mu * k, (1.0 - mu) * k
        out[rows] = (
            gammaln(k)
            - gammaln(alpha)
            - gammaln(beta)
            + (alpha - 1.0) * log_y
            + (beta - 1.0) * log_1my
        )
    return out.reshape(n_chain, n_draw, -1)
