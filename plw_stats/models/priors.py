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
    """Prior scales of :class:`~plw_stats.models.beta_glmm.BetaMixedModel`.

    Attributes
    ----------
    intercept_sd : float
        ``b0 ~ Normal(0, intercept_sd)``.  2.5 covers mean relative scores from 0.7% to 99.3%
        within two standard deviations.
    coef_sd : float
        ``b1, b2 ~ Normal(0, coef_sd)``.  5 lets effects as large as the paper's through with
        little shrinkage (with relative scores, |b| > 15 would mean the whole score range is
        crossed many times over within wp ∈ [0, 1]).
    slope_sd_scale : float
        ``sd of the benchmark slopes ~ HalfNormal(slope_sd_scale)``.
    model_sd_scale : float
        ``sd of the pretrained-model intercepts ~ HalfNormal(model_sd_scale)``.  Kept tight:
        with two or three models the data say little about it, and a wide prior opens a funnel
        that makes NUTS diverge (see ../shared/API-NOTES.md §1.5).
    kappa_shape, kappa_rate : float
        ``kappa ~ Gamma(kappa_shape, kappa_rate)``, the beta precision (mean 20 by default; the
        95% prior interval is roughly 2.4 to 56).
    """

    intercept_sd: float = 2.5
    coef_sd: float = 5.0
    slope_sd_scale: float = 1.0
    model_sd_scale: float = 0.5
    kappa_shape: float = 2.0
    kappa_rate: float = 0.1

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not value > 0:
                raise ModelSpecError(
                    f"prior setting {item.name} must be a positive number, got {value!r}"
                )
