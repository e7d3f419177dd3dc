"""The user-facing specification of the response surface: :class:`SurfaceModel` and its fits.

The model, its checks and coordinates are documented in :mod:`plw_stats.surface.design`; the
priors in :class:`~plw_stats.surface.priors.SurfacePriors`; the sampler backends in
:mod:`plw_stats.glmm.backends.general_dispatch`; the answers in :mod:`plw_stats.surface.optimum`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from plw_stats.config import HDI_PROB
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import check_prob, check_seed, warn_if_unconverged
from plw_stats.surface.design import SurfaceDesign
from plw_stats.surface.ml import SurfaceMLFit, fit_surface_ml
from plw_stats.surface.result import CONVENTIONAL, SurfaceFitResult
from plw_stats.surface.sampling import sample_surface
from plw_stats.surface.settings import SURFACE_SAMPLER
from plw_stats.surface.table import surface_rows


@dataclass(frozen=True, eq=False)
class SurfaceModel(SurfaceDesign):
    """Specification of the response surface for one fine-tuning dataset.

    Build it with :meth:`from_table` (which leaves out the (0, 0) cell and computes relative
    scores over the whole table, unless ``scale="unit"``) or directly from rows whose ``score``
    already lies in [0, 1].
    Parameters, checks and errors are those of :class:`~plw_stats.surface.design.SurfaceDesign`.
    """

    @classmethod
    def from_table(cls, scores: pd.DataFrame, dataset: str, **options) -> SurfaceModel:
        """Specify the surface of ``dataset`` from a validated raw score table with ``clw``."""
        available = sorted(scores["dataset"].unique())
        if dataset not in available:
            raise DataSchemaError(
                f"no dataset {dataset!r} in the table; available: {', '.join(available)}"
            )
        fitted, base_rows = surface_rows(scores, scale=options.get("scale", "relative"))
        rows = fitted[fitted["dataset"] == dataset]
        return cls(rows, name=dataset, base_rows=base_rows.get(dataset, 0), **options)

    def fit_ml(self) -> SurfaceMLFit:
        """Fit the surface by maximum likelihood (Laplace), as glmmTMB does."""
        return fit_surface_ml(dataclasses.replace(self, full=True))

    def fit(
        self,
        settings: SamplerSettings | None = None,
        *,
        random_seed: int = 0,
        hdi_prob: float = HDI_PROB,
        baseline: tuple[float, float] = CONVENTIONAL,
        evidence: bool = True,
        progress: bool = False,
        heal: bool = True,
        **sampler_options,
    ) -> SurfaceFitResult:
        """Sample the posterior and return a frozen :class:`SurfaceFitResult`.

        Parameters
        ----------
        settings : SamplerSettings, optional
            Chains, draws, warm-up, target acceptance and backend; keyword options override.
            Defaults to :data:`~plw_stats.surface.settings.SURFACE_SAMPLER`.
        random_seed : int
            The same seed (and settings) gives identical draws.
        hdi_prob : float
            Mass of the reported highest-density intervals.
        baseline : tuple of float
            (PLW, CLW) the recommended setting is compared with; conventional instruction
            tuning (0, 1) by default.
        evidence : bool
            Also fit the null model (PSIS-LOO) and the ML surface (likelihood-ratio test).
        progress : bool
            Show the sampler's progress bar.
        heal : bool
            Retry a fit with divergences or R-hat trouble (see :mod:`plw_stats.surface.sampling`).

        Warns
        -----
        ConvergenceWarning
            When the last attempt still has divergences or R-hat/ESS beyond the thresholds.
        """
        settings = SamplerSettings.from_options(settings or SURFACE_SAMPLER, **sampler_options)
        if not self.full:
            raise ModelSpecError(
                f"dataset {self.name!r}: the null model (full=False) has no surface to "
                "summarise; it is sampled by plw_stats.surface.evidence"
            )
        seed = check_seed(random_seed)
        check_prob(hdi_prob)
        baseline = check_baseline(baseline)
        draws = sample_surface(
            self, settings, seed, progress=progress, max_retries=None if heal else 0
        )
        result = SurfaceFitResult.from_idata(
            self,
            draws.idata,
            settings=draws.settings,
            random_seed=seed,
            hdi_prob=hdi_prob,
            baseline=baseline,
            notes=draws.notes,
        )
        if evidence:
            result = dataclasses.replace(result, ml=self.fit_ml()).with_evidence(settings)
        warn_if_unconverged(result)
        return result


def check_baseline(baseline) -> tuple[float, float]:
    """Check a (PLW, CLW) baseline inside [0, 1]² and not the untrained (0, 0) cell."""
    try:
        plw, clw = (float(v) for v in baseline)
    except (TypeError, ValueError) as err:
        raise ModelSpecError(f"baseline must be two numbers (PLW, CLW), got {baseline!r}") from err
    if not (0 <= plw <= 1 and 0 <= clw <= 1):
        raise ModelSpecError(f"baseline weights must lie in [0, 1], got PLW {plw:g}, CLW {clw:g}")
    if plw == 0 and clw == 0:
        raise ModelSpecError(
            "baseline (0, 0) is no training (the base model), which the surface leaves out; "
            "choose another cell, e.g. 0,1 for conventional instruction tuning"
        )
    return plw, clw
