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
