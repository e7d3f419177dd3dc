"""Sample a surface model, retrying with the remedy its diagnostics point to.

The retry policy is the one-knob model's (:mod:`plw_stats.glmm.healing`: divergences raise the
target acceptance, R-hat trouble doubles warm-up and draws, at most two retries, seeds derived
from the fit's seed); the sampler is the general GLMM's single dispatch
(:func:`plw_stats.glmm.backends.general_dispatch.sample_general`).
"""

from __future__ import annotations

from plw_stats.glmm.backends.general_dispatch import sample_general
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.healing import HealedDraws, Outcome, retry
from plw_stats.glmm.posterior import diagnose
from plw_stats.surface.design import SurfaceDesign

#: Default sampler settings of a surface: ``fit``'s, with 500 draws per chain instead of 1000
#: and target acceptance 0.95 instead of 0.9.  Measured on the simulated demo (700 rows per
#: dataset): the smallest bulk ESS of the scalar parameters was 1,200-2,200 (3-5x the 400
#: threshold) and R-hat <= 1.007, at half the time; pass ``draws``/``tune`` for more.  At 0.9 the
#: demo's "Conventional" surface diverged 13 times and needed two retries (one at 0.95), so the
#: surface keeps 0.95.
SURFACE_SAMPLER = SamplerSettings(draws=500, tune=500, target_accept=0.95)


def sample_surface(
    design: SurfaceDesign,
    settings: SamplerSettings,
    seed: int,
    *,
    progress: bool = False,
    max_retries: int | None = None,
) -> HealedDraws:
    """Sample ``design`` (surface or null model), retrying while the diagnostics show trouble.

    The retry loop is the one-knob model's (:func:`plw_stats.glmm.healing.retry`);
    ``max_retries`` defaults to its :data:`~plw_stats.glmm.healing.MAX_RETRIES`; 0 samples once.
    Each retry is described in the returned notes.
    """
    glmm = design.glmm()
    names = design.parameter_names()

    def run(current_design: SurfaceDesign, current: SamplerSettings, current_seed: int):
        # no sd_slope in the outcome: the remedy is always new settings, the design stays
        draws = sample_general(glmm, current, current_seed, progress=progress)
        return Outcome(
            result=draws.idata, diagnostics=diagnose(draws.idata, names), notes=draws.notes
        )

    return retry(run, design, settings, seed, max_retries=max_retries).healed()
