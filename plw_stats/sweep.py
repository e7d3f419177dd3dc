"""Fit the beta mixed model to every fine-tuning dataset of a score table."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError
from plw_stats.models.beta_glmm import BetaMixedModel
from plw_stats.models.priors import BetaPriors
from plw_stats.models.sampling import SamplerSettings
from plw_stats.results import BetaFitResult, SweepResult
from plw_stats.transforms import relative_scores


def group_seed(seed: int, dataset: str) -> int:
    """Seed of one dataset's fit: depends on the run's seed and the dataset name only.

    So fitting a dataset alone or with others gives the same posterior.
    """
    return int(np.random.SeedSequence([seed, zlib.crc32(dataset.encode())]).generate_state(1)[0])


def select_datasets(scores: pd.DataFrame, datasets: Sequence[str] | None) -> list[str]:
    """Datasets to fit, in table order; checks that requested names exist."""
    available = sorted(scores["dataset"].unique())
    if not datasets:
        return available
    unknown = [name for name in datasets if name not in available]
    if unknown:
        raise DataSchemaError(
            f"no dataset {unknown[0]!r} in the table; available: {', '.join(available)}"
        )
    return list(dict.fromkeys(datasets))


def specify_all(
    scores: pd.DataFrame,
    datasets: Sequence[str] | None = None,
    *,
    power: float = PLW_POWER,
    priors: BetaPriors | None = None,
    squeeze_epsilon: float | None = None,
) -> list[BetaMixedModel]:
    """Validate and specify every model before any sampling starts (fail fast).

    Scores are min-max scaled once, over every row of ``scores`` (the paper's relative scores),
    as :meth:`BetaMixedModel.from_table` does for a single dataset.
    """
    names = select_datasets(scores, datasets)
    relative = relative_scores(scores)
    return [
        BetaMixedModel(
            relative[relative["dataset"] == name],
            name=name,
            power=power,
            priors=priors or BetaPriors(),
            squeeze_epsilon=squeeze_epsilon,
        )
        for name in names
    ]


def fit_sweep(
    scores: pd.DataFrame,
    datasets: Sequence[str] | None = None,
    *,
    settings: SamplerSettings | None = None,
    seed: int = 0,
    power: float = PLW_POWER,
    priors: BetaPriors | None = None,
    squeeze_epsilon: float | None = None,
    hdi_prob: float = HDI_PROB,
    progress: bool = False,
    on_fit: Callable[[BetaFitResult], None] | None = None,
    evidence: bool = False,
) -> SweepResult:
    """Fit one beta mixed model per fine-tuning dataset.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table (see :func:`plw_stats.io.read_scores`).
    datasets : sequence of str, optional
        Datasets to fit; all by default.  Relative scores use every row of ``scores``.
    settings : SamplerSettings, optional
        Sampler settings shared by all fits.
    seed : int
        Run seed; each dataset's seed is derived from it and the dataset's name.
    power, priors, squeeze_epsilon
        Passed to :class:`BetaMixedModel`.
    hdi_prob : float
        Mass of the reported intervals.
    progress : bool
        Show the sampler's progress bars.
    on_fit : callable, optional
        Called with each result as soon as it is ready (the CLI prints from it).
    evidence : bool
        Also compute each dataset's evidence for the wp terms (a fit of the null model, PSIS-LOO
        and the ML test; see :mod:`plw_stats.models.evidence`).

    Returns
    -------
    SweepResult
    """
    specs = specify_all(
        scores, datasets, power=power, priors=priors, squeeze_epsilon=squeeze_epsilon
    )
    return fit_specs(
        specs,
        settings=settings,
        seed=seed,
        hdi_prob=hdi_prob,
        progress=progress,
        on_fit=on_fit,
        evidence=evidence,
    )


def fit_specs(
    specs: Sequence[BetaMixedModel],
    *,
    settings: SamplerSettings | None = None,
    seed: int = 0,
    hdi_prob: float = HDI_PROB,
    progress: bool = False,
    on_fit: Callable[[BetaFitResult], None] | None = None,
    evidence: bool = False,
) -> SweepResult:
    """Fit already validated specifications (from :func:`specify_all`); see :func:`fit_sweep`."""
    settings = settings or SamplerSettings()
    if not 0 < hdi_prob < 1:
        raise DataSchemaError(f"hdi_prob must lie in (0, 1), got {hdi_prob!r}")
    if not specs:
        raise DataSchemaError("no dataset to fit")
    groups = {}
    for spec in specs:
        fit = spec.fit(
            settings,
            random_seed=group_seed(seed, spec.name),
            hdi_prob=hdi_prob,
            progress=progress,
        )
        if evidence:
            from plw_stats.models.evidence import compute_evidence

            fit = dataclasses.replace(fit, evidence=compute_evidence(fit))
        groups[spec.name] = fit
        if on_fit is not None:
            on_fit(fit)
    run_settings = {
        "seed": seed,
        "hdi_prob": hdi_prob,
        "sampler": settings.to_dict(),
        "priors": vars(specs[0].priors),
        "squeeze": (
            "smithson-verkuilen" if specs[0].squeeze_epsilon is None else specs[0].squeeze_epsilon
        ),
        "relative_scores": "min-max within benchmark over all rows",
    }
    return SweepResult(groups=groups, power=specs[0].power, settings=run_settings)
