"""The user-facing specification of the beta mixed model: :class:`BetaMixedModel` and ``fit()``.

The model, its data checks and its coordinates are documented in :mod:`plw_stats.glmm.design`;
priors in :class:`~plw_stats.glmm.priors.BetaPriors`; the sampling coordinates in
:mod:`plw_stats.glmm.graph`; the backends in :mod:`plw_stats.glmm.backends.dispatch`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from plw_stats.config import HDI_PROB
from plw_stats.errors import ConvergenceWarning, DataSchemaError, ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.healing import MAX_RETRIES, sample_healed
from plw_stats.glmm.result import BetaFitResult
from plw_stats.transforms import relative_scores

if TYPE_CHECKING:  # PyMC is imported only by the graph backends
    import pymc as pm


@dataclass(frozen=True, eq=False)
class BetaMixedModel(BetaDesign):
    """Specification of the beta mixed model for one fine-tuning dataset.

    Build it with :meth:`from_table` (which computes relative scores over the whole table, as
    the paper does) or directly from a group whose ``score`` already lies in [0, 1].  The
    parameters, checks and errors are those of :class:`~plw_stats.glmm.design.BetaDesign`.
    """

    @classmethod
    def from_table(cls, scores: pd.DataFrame, dataset: str, **options) -> BetaMixedModel:
        """Specify the model for ``dataset`` from a validated raw score table.

        Scores are min-max scaled within each benchmark over *all* rows of ``scores`` (the
        paper's relative scores) before the dataset's rows are selected.
        """
        available = sorted(scores["dataset"].unique())
        if dataset not in available:
            raise DataSchemaError(
                f"no dataset {dataset!r} in the table; available: {', '.join(available)}"
            )
        relative = relative_scores(scores)
        return cls(relative[relative["dataset"] == dataset], name=dataset, **options)

    def build(self) -> pm.Model:
        """Return the PyMC model (not yet sampled); see :mod:`plw_stats.glmm.graph`."""
        from plw_stats.glmm.graph import build_model  # imports PyMC

        return build_model(self)

    def fit(
        self,
        settings: SamplerSettings | None = None,
        *,
        random_seed: int = 0,
        hdi_prob: float = HDI_PROB,
        progress: bool = False,
        retries: int = MAX_RETRIES,
        **sampler_options,
    ) -> BetaFitResult:
        """Sample the posterior and return a frozen :class:`BetaFitResult`.

        Parameters
        ----------
        settings : SamplerSettings, optional
            Chains, draws, warm-up, target acceptance and backend; defaults to
            ``SamplerSettings()``.
        random_seed : int
            The same seed (and settings) gives identical draws.
        hdi_prob : float
            Mass of the reported highest-density intervals; defaults to ``config.HDI_PROB``.
        progress : bool
            Show the sampler's progress bar.
        retries : int
            At most this many retries of a fit that ends with divergences or R-hat trouble,
            each with the remedy the diagnostics point to (:mod:`plw_stats.glmm.healing`) and
            noted in the result; 0 samples once.
        **sampler_options
            Fields of :class:`SamplerSettings` (``draws=500, chains=2, sampler="nutpie"``)
            overriding ``settings``.

        Warns
        -----
        ConvergenceWarning
            When the last attempt still has divergences or R-hat/ESS beyond the thresholds.
        """
        settings = SamplerSettings.from_options(settings, **sampler_options)
        if not self.quadratic:
            raise ModelSpecError(
                f"dataset {self.name!r}: the null model (quadratic=False) has no wp terms to "
                "summarise; sample it with plw_stats.glmm.evidence instead"
            )
        seed = check_seed(random_seed)
        check_prob(hdi_prob)
        draws = sample_healed(self, settings, seed, progress=progress, max_retries=retries)
        result = BetaFitResult.from_idata(
            self,
            draws.idata,
            settings=settings,
            random_seed=seed,
            hdi_prob=hdi_prob,
            notes=draws.notes,
        )
        warn_if_unconverged(result)
        return result


def check_seed(seed) -> int:
    """Check a non-negative integer seed (numpy integers accepted); return a plain int."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ModelSpecError(f"random_seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def check_prob(prob) -> float:
    """Check an interval mass in (0, 1); return it as a float."""
    if not isinstance(prob, int | float | np.floating) or not 0 < prob < 1:
        raise ModelSpecError(f"hdi_prob must lie in (0, 1), got {prob!r}")
    return float(prob)


def warn_if_unconverged(result) -> None:
    """Raise a :class:`ConvergenceWarning` naming the dataset and its problems, if any.

    ``result`` is any fit with a ``name`` and ``problems()`` (one-knob or surface).
    """
    problems = result.problems()
    if problems:
        warnings.warn(
            f"dataset {result.name!r}: {'; '.join(problems)}; rerun with more draws/tune or a "
            "higher target_accept",
            ConvergenceWarning,
            stacklevel=3,
        )
