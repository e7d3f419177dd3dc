"""Default priors of the response-surface model, declared once and documented.

All on the logit scale of the mean relative score, weakly informative, and checked by the prior
predictive figure of ``docs/surface.md`` (made by :func:`prior_predictive`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from plw_stats.errors import ModelSpecError


@dataclass(frozen=True)
class SurfacePriors:
    """Prior scales of :class:`~plw_stats.surface.design.SurfaceDesign`.

    Attributes
    ----------
    intercept_sd : float
        ``b0 ~ Normal(0, intercept_sd)`` for the intercept at wp = wc = 0 with the quadratic
        terms at their means (with a single benchmark: at the means of all terms).  2.5 covers
        mean relative scores from 0.7% to 99.3% within two standard deviations.
    coef_sd : float
        ``b1 … b5 ~ Normal(0, coef_sd)``, independent.  2.5 keeps a surface's range over
        [0, 1]² within a few logit units a priori (the prior predictive puts 90% of the
        surfaces' max − min of the mean relative score between about 0.15 and 0.85), still
        far wider than effects seen in sweeps.
    slope_sd_shape, slope_sd_rate : float
        ``sd of the benchmark slopes of wp (and of wc) ~ Gamma(shape, rate)``: mean 0.5,
        boundary-avoiding (Chung et al. 2013).  Sweeps with few benchmarks say little about
        these sds; a prior with mass at zero lets the slopes collapse into a funnel that makes
        NUTS diverge (measured: HalfNormal(1) gave 25–51 divergences per 4,000 draws on the
        simulated demo's "Conventional" dataset, this prior and the totals parameterisation
        none).
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

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ModelSpecError(
                    f"prior setting {item.name} must be a positive number, got {value!r}"
                )

    def to_dict(self) -> dict[str, float]:
        """Plain-dict form (saved with fits and written to JSON)."""
        return {item.name: float(getattr(self, item.name)) for item in fields(self)}


def prior_predictive(
    priors: SurfacePriors, basis: np.ndarray, n_draws: int = 4000, *, seed: int = 0
) -> np.ndarray:
    """Return the population mean relative score on a grid under prior draws (no data).

    Parameters
    ----------
    priors : SurfacePriors
        Prior scales.
    basis : numpy.ndarray
        Grid points × (wp, wp², wc, wc², wp·wc), e.g. :func:`plw_stats.surface.optimum.basis`.
    n_draws : int
        Number of prior draws.
    seed : int
        Seed of the draws.

    Returns
    -------
    numpy.ndarray
        (n_draws, grid points) of ``expit(b0 + basis·b)``, the intercept drawn at the basis'
        quadratic-term means.
    """
    rng = np.random.default_rng(seed)
    b = rng.normal(0.0, priors.coef_sd, (n_draws, basis.shape[1]))
    centred = basis.copy()
    centred[:, [1, 3, 4]] -= basis[:, [1, 3, 4]].mean(axis=0)
    eta = rng.normal(0.0, priors.intercept_sd, (n_draws, 1)) + b @ centred.T
    return 1.0 / (1.0 + np.exp(-eta))
