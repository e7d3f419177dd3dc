"""Is the surface flat?  PSIS-LOO against the null model, and the likelihood-ratio test.

As in ``fit`` (:mod:`plw_stats.glmm.evidence`): the null model — the same model without the
five fixed wp/wc terms, benchmark slopes and model intercepts kept — is sampled with the same
care as the surface (half its draws and warm-up), and ``elpd_diff = ELPD(surface) −
ELPD(null)`` by PSIS-LOO with its standard error from the pointwise differences.  The
maximum-likelihood route is the Laplace likelihood-ratio test of :mod:`plw_stats.surface.ml`
(χ², 5 df), glmmTMB's answer.

The weights are said to **matter** (the surface is not flat) when LOO favours the surface by more
than two standard errors, or when the likelihood-ratio p-value is below 0.05 *and* LOO points
the same way (``elpd_diff > 0``).  The likelihood-ratio test alone is anti-conservative with few
benchmarks — its χ² reference ignores that the benchmark slopes' mean is estimated from a
handful of benchmarks (measured: p < 0.05 in 6 of 40 simulated flat sweeps with 4 benchmarks,
and LOO disagreed in all of them) — so it counts only when the out-of-sample route agrees.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr

from plw_stats.glmm.backends.general_draws import pointwise_log_likelihood
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.evidence import (
    loo_difference,
    loo_from_log_likelihood,
    null_seed,
    null_settings,
)
from plw_stats.surface.design import SurfaceDesign
from plw_stats.surface.sampling import sample_surface

#: Likelihood-ratio p-value below which the weights are said to matter.
ALPHA = 0.05


@dataclass(frozen=True)
class SurfaceEvidence:
    """Out-of-sample and likelihood-ratio evidence that PLW and CLW matter for one dataset.

    Attributes
    ----------
    elpd_diff, elpd_diff_se : float
        ELPD(surface) − ELPD(null) by PSIS-LOO and its standard error.
    pareto_k_bad : int
        Observations with Pareto k > 0.7 in either model.
    ml_p_value : float
        Laplace likelihood-ratio p-value of the five wp/wc terms (NaN when not computed).
    null_converged : bool
        Whether the null model's fit (after any retries) converged.
    null_notes : tuple of str
        Retries and fallbacks of the null model's fit.
    """

    elpd_diff: float
    elpd_diff_se: float
    pareto_k_bad: int
    ml_p_value: float
    null_converged: bool = True
    null_notes: tuple[str, ...] = ()

    @property
    def flat(self) -> bool:
        """Whether the weights do not matter: see the module docstring for the rule."""
        loo_strong = self.elpd_diff > 2.0 * self.elpd_diff_se
        lrt_effect = bool(np.isfinite(self.ml_p_value) and self.ml_p_value < ALPHA)
        return not (loo_strong or (lrt_effect and self.elpd_diff > 0))

    def to_dict(self) -> dict:
        """Return the ``evidence`` object of the ``surface --json`` contract."""
        return {
            "elpd_diff": self.elpd_diff,
            "elpd_diff_se": self.elpd_diff_se,
            "pareto_k_bad": self.pareto_k_bad,
            "ml_p_value": self.ml_p_value,
            "null_converged": self.null_converged,
            "flat": self.flat,
        }

    def to_record(self) -> dict:
        """Every field, for saving with the fit."""
        return asdict(self) | {"flat": self.flat}

    @classmethod
    def from_record(cls, values: dict) -> SurfaceEvidence:
        """Rebuild from :meth:`to_record`; ``flat`` is derived, so recomputed, not read."""
        fields = {k: v for k, v in values.items() if k != "flat"}
        for name in ("elpd_diff", "elpd_diff_se", "ml_p_value"):  # JSON null back to NaN
            fields[name] = np.nan if fields[name] is None else float(fields[name])
        return cls(**fields | {"null_notes": tuple(fields.get("null_notes", ()))})


def pointwise_loo(design: SurfaceDesign, idata: xr.DataTree) -> tuple[np.ndarray, np.ndarray]:
    """PSIS-LOO pointwise ELPD and Pareto k of a sampled surface (or null) model.

    The same numbers as ``arviz.loo(..., pointwise=True)``, for all observations at once
    (:func:`plw_stats.glmm.evidence.loo_from_log_likelihood`).
    """
    posterior = idata["posterior"].to_dataset()
    values = pointwise_log_likelihood(design.glmm(), posterior)
    return loo_from_log_likelihood(values, posterior)


def compute_evidence(
    design: SurfaceDesign,
    idata: xr.DataTree,
    settings: SamplerSettings,
    random_seed: int,
    ml_p_value: float = np.nan,
) -> SurfaceEvidence:
    """Evidence for the wp/wc terms of a fitted surface.

    Parameters
    ----------
    design : SurfaceDesign
        The fitted surface's design (``full=True``).
    idata : xarray.DataTree
        Its posterior.
    settings : SamplerSettings
        Sampler settings of the surface's fit; the null model gets half its draws and
        warm-up (:func:`plw_stats.glmm.evidence.null_settings`), as in ``fit``.
    random_seed : int
        The surface fit's seed; the null model's seed is derived from it.
    ml_p_value : float
        The likelihood-ratio p-value (from :func:`plw_stats.surface.ml.fit_surface_ml`).
    """
    null_design = dataclasses.replace(design, full=False)
    null_draws = sample_surface(null_design, null_settings(settings), null_seed(random_seed))
    diff, se, bad = loo_difference(
        pointwise_loo(design, idata), pointwise_loo(null_design, null_draws.idata)
    )
    return SurfaceEvidence(
        elpd_diff=diff,
        elpd_diff_se=se,
        pareto_k_bad=bad,
        ml_p_value=float(ml_p_value),
        null_converged=null_draws.diagnostics.converged,
        null_notes=null_draws.notes,
    )
