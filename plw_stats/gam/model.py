"""The user-facing tensor-smooth GAM: :class:`TensorGam` and its ``fit()``.

The model, its data checks and the correspondence with mgcv are documented in
:mod:`plw_stats.gam.design`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from pygam import LinearGAM
from threadpoolctl import threadpool_limits

from plw_stats.errors import ModelSpecError
from plw_stats.gam.design import (
    DEFAULT_RATIO_GRID,
    FLAT_FRACTION,
    N_POINTS,
    GamDesign,
    GroupDesign,
    GroupFit,
    OptimumSettings,
)
from plw_stats.gam.optimum import optimum_frame
from plw_stats.gam.result import GamResult


@dataclass(frozen=True, eq=False)
class TensorGam(GamDesign):
    """Specification of ``score ~ te(PLW, ratio) + factor(benchmark)`` per benchmark group.

    Parameters, checks and errors are those of :class:`~plw_stats.gam.design.GamDesign`.
    """

    def fit(
        self,
        *,
        ratio_grid: Sequence[float] = DEFAULT_RATIO_GRID,
        flat_fraction: float = FLAT_FRACTION,
        n_points: int = N_POINTS,
    ) -> GamResult:
        """Fit every group and return the frozen result with its optimal-PLW table.

        Parameters
        ----------
        ratio_grid : sequence of float
            Ratios at which the optimal PLW is read off; defaults to 0.5, 1.0, …, 8.0.
        flat_fraction : float
            Flag a ratio flat when the predicted max − min is below this share of the score
            range (the paper's 5%).
        n_points : int
            Resolution of the PLW (or wp) grid searched for the maximum.

        Returns
        -------
        GamResult
        """
        settings = OptimumSettings.make(ratio_grid, flat_fraction, n_points)
        # Multithreaded BLAS on these small matrices is slower than one thread, badly so when
        # the cores are busy.
        with threadpool_limits(limits=1, user_api="blas"):
            fits = {name: fit_group(self, self.design(name)) for name in self.group_members}
        tables = [optimum_frame(self, fit.gam, fit.design, settings) for fit in fits.values()]
        return GamResult(
            spec=self, fits=fits, optimal=pd.concat(tables, ignore_index=True), settings=settings
        )


def fit_group(spec: GamDesign, design: GroupDesign) -> GroupFit:
    """Fit one group with λ chosen by pygam's GCV grid search."""
    gam = LinearGAM(spec.terms(design))
    try:
        gam.gridsearch(design.X, design.y, lam=spec.lam_candidates(design), progress=False)
    except ValueError as err:
        raise ModelSpecError(f"group {design.name!r}: pygam could not fit the GAM ({err})") from err
    return GroupFit(design=design, gam=gam)


def refit_fixed(spec: GamDesign, design: GroupDesign, lam) -> LinearGAM:
    """Refit one group's GAM at fixed smoothing parameters (used by the bootstrap)."""
    return LinearGAM(spec.terms(design), lam=lam).fit(design.X, design.y)
