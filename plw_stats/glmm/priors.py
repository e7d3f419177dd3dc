"""Default priors of the beta mixed model, declared once and documented.

All priors live on the logit scale of the mean relative score.  They are weakly informative:
wide enough that the paper's AlpacaDataShort coefficients (b1 = 5.59, b2 = −4.28) sit well inside
one prior standard deviation, tight enough to keep the sampler out of absurd regions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from plw_stats.errors import ModelSpecError


@dataclass(frozen=True)
class BetaPriors:
    """Prior scales of :class:`~plw_stats.glmm.model.BetaMixedModel`.

    Attributes
    ----------
    intercept_sd : float
        ``a0 ~ Normal(0, intercept_sd)`` for the intercept at the mean (wp, wp²) of the data,
        as brms places it; the reported intercept at wp = 0 is ``a0 − b1·mean(wp) −
        b2·mean(wp²)``.  2.5 covers mean relative scores from 0.7% to 99.3% within two
        standard deviations.
    coef_sd : float
        ``b1, b2 ~ Normal(0, coef_sd)``, independent.  5 lets effects as large as the
        paper's through with little shrinkage (with relative scores, |b| > 15 would mean the
        whole score range is crossed many times over within wp ∈ [0, 1]).
    slope_sd_scale : float
        ``sd of the benchmark slopes ~ HalfNormal(slope_sd_scale)``.
    model_sd_shape, model_sd_rate : float
        ``sd of the pretrained-model intercepts ~ Gamma(model_sd_shape, model_sd_rate)``
        (mean 0.5, mode 0.25, 95% prior interval about 0.06 to 1.4 on the logit scale).  With
        two or three models the data say little about this standard deviation; a
        boundary-avoiding prior (shape 2, after Chung et al. 2013, Psychometrika 78:685) keeps
        its posterior off zero, where the centred model levels would form a funnel that makes
        NUTS diverge.  Measured: HalfNormal(0.5) gave 6–20 divergences per 4,000 draws on data
        simulated with the paper's coefficients, this prior none.
    kappa_shape, kappa_rate : float
        ``kappa ~ Gamma(kappa_shape, kappa_rate)``, the beta precision (mean 20 by default; the
        95% prior interval is roughly 2.4 to 56).
    """

    intercept_sd: float = 2.5
    coef_sd: float = 5.0
    slope_sd_scale: float = 1.0
    model_sd_shape: float = 2.0
    model_sd_rate: float = 4.0
    kappa_shape: float = 2.0
    kappa_rate: float = 0.1

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not value > 0:
                raise ModelSpecError(
                    f"prior setting {item.name} must be a positive number, got {value!r}"
                )
