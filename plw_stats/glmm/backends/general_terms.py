"""Random terms of the general GLMM kernel: their coordinates, priors and chain rule.

A term with ``n`` levels has ``n`` coordinates and the log of its standard deviation, in one of
three parameterisations (same model, other sampling coordinates; ``u`` are the effects):

``centred`` (0)
    ``u`` itself, ``u ~ Normal(0, sd)``.  Best when each level's data pin its effect down.
``noncentred`` (1)
    ``z ~ Normal(0, 1)``, ``u = sd·z``.  Best when the data say little next to the sd.
``absorbing`` (2)
    for a random slope whose covariate is also a fixed effect ``b``: the *totals*
    ``t = b + u``, whose marginal prior is ``MvNormal(0, sd²·I + coef_sd²·J)`` (``b`` integrated
    out, drawn afterwards from its exact normal conditional, as the one-knob model's grand
    intercept).  The data pin ``b + mean(u)`` but not the two apart; in centred coordinates
    the mean's prior width ``sd/√n`` then forms a funnel with the sd.  Needs a gamma prior on
    the sd.

The kernel first turns every term's coordinates into effects (:func:`term_effects`), runs the
likelihood on the effects, and maps their gradient back (:func:`term_gradient`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from plw_stats.glmm.backends.kernel import _levels_block

PARAMETERISATIONS: dict[str, int] = {"centred": 0, "noncentred": 1, "absorbing": 2}
_NONCENTRED, _ABSORBING = 1, 2


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _term(layout, k):
    """Start in theta, number of levels and parameterisation code of term ``k``."""
    n_terms = layout[2]
    return layout[4 + k], layout[4 + n_terms + k], layout[4 + 2 * n_terms + k]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def n_effects(layout) -> int:
    """Total number of random effects over all terms."""
    total = 0
    for k in range(layout[2]):
        total += _term(layout, k)[1]
    return total


@numba.njit(cache=True, nogil=True, error_model="numpy")
def term_effects(theta, layout):
    """Effects of every term (totals for absorbing terms), flat and term after term."""
    effects = np.empty(n_effects(layout))
    offset = 0
    for k in range(layout[2]):
        start, n, mode = _term(layout, k)
        scale = math.exp(theta[start + n]) if mode == _NONCENTRED else 1.0
        for b in range(n):
            effects[offset + b] = scale * theta[start + b]
        offset += n
    return effects


@numba.njit(cache=True, nogil=True, error_model="numpy")
def term_gradient(theta, layout, g_effects, grad):
    """Add the gradient of the likelihood in the effects to ``grad`` (chain rule)."""
    offset = 0
    for k in range(layout[2]):
        start, n, mode = _term(layout, k)
        if mode == _NONCENTRED:
            sd = math.exp(theta[start + n])
            for b in range(n):
                grad[start + b] += sd * g_effects[offset + b]
                grad[start + n] += sd * theta[start + b] * g_effects[offset + b]
        else:
            for b in range(n):
                grad[start + b] += g_effects[offset + b]
        offset += n


@numba.njit(cache=True, nogil=True, error_model="numpy")
def term_prior(theta, layout, k, kind, a, b, coef_sd, grad):
    """Log prior of term ``k``'s coordinates and sd (with the log-Jacobian); sets ``grad``.

    ``kind`` 0: sd ~ HalfNormal(a); 1: sd ~ Gamma(a, b).  ``coef_sd`` is the prior sd of the
    fixed effect an absorbing term integrates out.
    """
    start, n, mode = _term(layout, k)
    if mode == _ABSORBING:
        return _levels_block(theta, start, n, coef_sd, a, b, grad)
    log_sd = theta[start + n]
    sd = math.exp(log_sd)
    squares = 0.0
    for i in range(n):
        squares += theta[start + i] ** 2
    if mode == _NONCENTRED:
        lp = -0.5 * squares
        for i in range(n):
            grad[start + i] = -theta[start + i]
        d_log_sd = 0.0
    else:
        lp = -0.5 * squares / (sd * sd) - n * log_sd
        for i in range(n):
            grad[start + i] = -theta[start + i] / (sd * sd)
        d_log_sd = squares / (sd * sd) - n
    if kind == 0:
        lp += -0.5 * sd * sd / (a * a) + log_sd
        d_log_sd += 1.0 - sd * sd / (a * a)
    else:
        lp += a * log_sd - b * sd
        d_log_sd += a - b * sd
    grad[start + n] = d_log_sd
    return lp
