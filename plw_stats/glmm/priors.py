"""Default priors of the beta mixed model, declared once and documented.

All priors live on the logit scale of the mean relative score.  They are weakly informative and
were checked against their prior predictive distribution (docs/inference.md): on the paper's
design the legacy priors put a fifth of all simulated scores within 0.001 of 0 or 1 (4% at
exactly 0 or 1), mostly through the intercept; the defaults halve that, while the coefficients
keep their wide prior because a tighter one biases b1 and b2 at the paper's own estimates (their
difference is weakly identified).  The earlier defaults remain available as
:meth:`BetaPriors.legacy` (and by name, :func:`preset`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from plw_stats.errors import ModelSpecError


class PositiveScales:
    """Base of a dataclass of prior settings that must all be positive numbers.

    Shared by :class:`BetaPriors` and the surface's
    :class:`~plw_stats.surface.priors.SurfacePriors`.
    """

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ModelSpecError(
                    f"prior setting {item.name} must be a positive number, got {value!r}"
                )

    def to_dict(self) -> dict[str, float]:
        """Plain-dict form (the ``priors`` object saved with fits, studies and JSON)."""
        return {item.name: float(getattr(self, item.name)) for item in fields(self)}


@dataclass(frozen=True)
class BetaPriors(PositiveScales):
    """Prior scales of :class:`~plw_stats.glmm.model.BetaMixedModel`.

    Attributes
    ----------
    intercept_sd : float
        ``a0 ~ Normal(0, intercept_sd)`` for the intercept at the mean (wp, wp²) of the data,
        as brms places it; the reported intercept at wp = 0 is ``a0 − b1·mean(wp) −
        b2·mean(wp²)``.  1 puts the mean relative score at the centre of the sweep between 12%
        and 88% within two standard deviations: min-max scaled scores sit in the middle of
        their range by construction (legacy: 2.5, i.e. 0.7% to 99.3%).
    coef_sd : float
        ``b1, b2 ~ Normal(0, coef_sd)``, independent.  5 lets effects as large as the paper's
        through with little shrinkage.  A prior predictive check alone would prefer 3 (half
        the simulated scores near the bounds), but wp and wp² are nearly collinear, so the
        prior decides where (b1, b2) sits along the direction the data hardly see: with sd 3,
        90% intervals covered the paper's b1 in only 80% of 200 simulated sweeps (bias −0.24);
        with 5, 89% (bias −0.06).
    slope_sd_scale : float
        ``sd of the benchmark slopes ~ HalfNormal(slope_sd_scale)`` (ML fits of paper-shaped
        sweeps give 0.7 to 1.1).
    model_sd_shape, model_sd_rate : float
        ``sd of the pretrained-model intercepts ~ Gamma(model_sd_shape, model_sd_rate)``
        (mean 0.5, mode 0.375, 95% prior interval about 0.14 to 1.1 on the logit scale).  With
        two or three models the data say little about this standard deviation; a
        boundary-avoiding prior (after Chung et al. 2013, Psychometrika 78:685) keeps its
        posterior off zero, where the centred model levels form a funnel that makes NUTS
        diverge.  Measured on sweeps simulated at the paper's estimates: HalfNormal(0.5) gave
        6–20 divergences per 4,000 draws; the legacy Gamma(2, 4) (density ∝ sd near zero)
        still left divergent transitions — all at sd_model below 0.05 — in a quarter of the
        fits; shape 4 (density ∝ sd³) none in 18 fits of the datasets that diverged.
    kappa_shape, kappa_rate : float
        ``kappa ~ Gamma(kappa_shape, kappa_rate)``, the beta precision (mean 20; the 95% prior
        interval is roughly 2.4 to 56).
    """

    intercept_sd: float = 1.0
    coef_sd: float = 5.0
    slope_sd_scale: float = 1.0
    model_sd_shape: float = 4.0
    model_sd_rate: float = 8.0
    kappa_shape: float = 2.0
    kappa_rate: float = 0.1

    @classmethod
    def legacy(cls) -> BetaPriors:
        """Return the defaults of plw-stats before the prior predictive check (0.1.0).

        Normal(0, 2.5) intercept, Normal(0, 5) coefficients, HalfNormal(1) slope sd,
        Gamma(2, 4) model sd, Gamma(2, 0.1) kappa.
        """
        return cls(intercept_sd=2.5, coef_sd=5.0, model_sd_shape=2.0, model_sd_rate=4.0)


#: Named prior sets: the current defaults and the earlier ones.
PRESETS = ("default", "legacy")


def preset(name: str) -> BetaPriors:
    """Return the named prior set (``"default"`` or ``"legacy"``).

    Raises
    ------
    ModelSpecError
        On an unknown name.
    """
    if name == "default":
        return BetaPriors()
    if name == "legacy":
        return BetaPriors.legacy()
    raise ModelSpecError(f"unknown prior preset {name!r}; choose one of {', '.join(PRESETS)}")
