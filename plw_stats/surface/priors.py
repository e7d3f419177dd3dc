"""Default priors of the response-surface model, declared once and documented.

All on the logit scale of the mean relative score, weakly informative, and checked by the prior
predictive figure of ``docs/surface.md`` (made from :func:`prior_predictive_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from plw_stats.config import PLW_POWER
from plw_stats.glmm.priors import PositiveScales


@dataclass(frozen=True)
class SurfacePriors(PositiveScales):
    """Prior scales of :class:`~plw_stats.surface.design.SurfaceDesign`.

    Attributes
    ----------
    intercept_sd : float
        ``b0 ~ Normal(0, intercept_sd)`` for the intercept at wp = wc = 0 with the quadratic
        terms at their means (with a single benchmark: at the means of all terms).  2.5 covers
        mean relative scores from 0.7% to 99.3% within two standard deviations.
    coef_sd : float
        ``b1 … b5 ~ Normal(0, coef_sd)``, independent.  2.5 (half the one-knob model's 5, as
        five coefficients share the range): over [0, 1]² the prior's surfaces have a median
        max − min of the mean relative score of 0.62 (90% between 0.03 and 0.98), and 98% of
        them peak on an edge of the square (72% in a corner), so an interior optimum comes from
        the data, not the prior.  5 would make 90% of the surfaces span almost the whole scale.
    slope_sd_shape, slope_sd_rate : float
        ``sd of the benchmark slopes of wp (and of wc) ~ Gamma(shape, rate)``: mean 0.5,
        boundary-avoiding (Chung et al. 2013).  Sweeps with few benchmarks say little about
        these sds, and a prior with mass at zero lets the slopes collapse into a funnel: on the
        simulated demo's "Conventional" dataset (4 benchmarks) centred slopes with
        HalfNormal(1) gave 25–51 divergences per 4,000 draws at target acceptance 0.95, this
        prior with the totals parameterisation of :mod:`plw_stats.surface.design` 3 (which
        the automatic retry at 0.99 removes).
    model_sd_shape, model_sd_rate : float
        ``sd of the pretrained-model intercepts ~ Gamma(shape, rate)``, as in ``fit``.
    kappa_shape, kappa_rate : float
        ``kappa ~ Gamma(shape, rate)``, the beta precision (mean 20), as in ``fit``.
    """

    intercept_sd: float = 2.5
    coef_sd: float = 2.5
    slope_sd_shape: float = 2.0
    slope_sd_rate: float = 4.0
    model_sd_shape: float = 2.0
    model_sd_rate: float = 4.0
    kappa_shape: float = 2.0
    kappa_rate: float = 0.1


def prior_predictive_frame(
    priors: SurfacePriors,
    *,
    baseline: tuple[float, float] = (0.0, 1.0),
    power: float = PLW_POWER,
    clw_power: float = 1.0,
    n_draws: int = 4000,
    n_grid: int = 41,
    seed: int = 0,
) -> pd.DataFrame:
    """Draw population surfaces from the prior alone and summarise each draw.

    The intercept is drawn at wp = wc = 0 with the quadratic terms at their means over a grid
    uniform in (wp, wc) (where the model places it when there are several benchmarks).

    Parameters
    ----------
    priors : SurfacePriors
        Prior scales.
    baseline : tuple of float
        (PLW, CLW) whose score is reported as ``at_baseline``.
    power, clw_power : float
        Exponents of ``wp = plw ** power`` and ``wc = clw ** clw_power`` (to place the baseline
        and map the maximiser back to PLW and CLW).
    n_draws, n_grid, seed
        Prior draws, grid points per axis and the seed.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``range`` (max − min of the mean relative score over [0, 1]²),
        ``at_baseline``, and the maximiser as ``optimum_wp``, ``optimum_wc``, ``optimum_plw``,
        ``optimum_clw``.
    """
    rng = np.random.default_rng(seed)
    axis = np.linspace(0.0, 1.0, n_grid)
    wp, wc = (v.ravel() for v in np.meshgrid(axis, axis, indexing="ij"))
    columns = np.column_stack([wp, wp**2, wc, wc**2, wp * wc])
    centre = np.zeros(5)
    centre[[1, 3, 4]] = columns[:, [1, 3, 4]].mean(axis=0)
    b = rng.normal(0.0, priors.coef_sd, (n_draws, 5))
    b0 = rng.normal(0.0, priors.intercept_sd, n_draws) - b @ centre
    mu = expit(b0[:, None] + b @ columns.T)
    best = np.argmax(mu, axis=1)
    bp, bc = baseline[0] ** power, baseline[1] ** clw_power
    base = np.array([bp, bp**2, bc, bc**2, bp * bc])
    return pd.DataFrame(
        {
            "range": mu.max(axis=1) - mu.min(axis=1),
            "at_baseline": expit(b0 + b @ base),
            "optimum_wp": wp[best],
            "optimum_wc": wc[best],
            "optimum_plw": wp[best] ** (1.0 / power),
            "optimum_clw": wc[best] ** (1.0 / clw_power),
        }
    )
