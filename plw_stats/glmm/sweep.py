"""Fit the beta mixed model to every fine-tuning dataset of a score table.

:func:`fit` is the notebook entry point (``plw.fit(scores, dataset=..., draws=..., seed=...)``);
:func:`fit_sweep` and :func:`fit_specs` are what the CLI uses.  :class:`SweepResult` holds the
fits of several datasets and the run's settings (the whole ``fit --json`` contract).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError
from plw_stats.glmm import display
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.evidence import start_null
from plw_stats.glmm.healing import MAX_RETRIES
from plw_stats.glmm.model import BetaMixedModel, check_prob, check_seed
from plw_stats.glmm.priors import BetaPriors
from plw_stats.glmm.result import SUMMARY_COLUMNS, BetaFitResult
from plw_stats.glmm.specify import specify_all
from plw_stats.output import ensure_folder, write_csv, write_json

#: File of a saved sweep's run settings, beside the per-dataset posteriors.
SWEEP_FILE = "sweep.json"


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Fits of every fine-tuning dataset of a score table."""

    groups: dict[str, BetaFitResult]
    power: float
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """All groups' summaries stacked, with ``dataset`` and ``parameter`` columns."""
        frames = [
            fit.summary().rename_axis("parameter").reset_index().assign(dataset=name)
            for name, fit in self.groups.items()
        ]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["dataset", "parameter", *SUMMARY_COLUMNS]]

    def problems(self) -> dict[str, list[str]]:
        """Convergence problems per dataset (only datasets that have some)."""
        found = {name: fit.problems() for name, fit in self.groups.items()}
        return {name: items for name, items in found.items() if items}

    def to_dict(self) -> dict[str, Any]:
        """Return the whole ``fit --json`` contract (no timings: equal seeds, equal JSON)."""
        return {
            "plw_power": self.power,
            "groups": {name: fit.to_dict() for name, fit in self.groups.items()},
            "settings": self.settings,
        }

    def save(self, folder: str | Path) -> Path:
        """Save every fit (``<dataset>.nc``), ``summary.csv`` and the run settings."""
        folder = ensure_folder(folder)
        for fit in self.groups.values():
            fit.save(folder)
        write_csv(folder / "summary.csv", self.summary(), index=False)
        write_json(folder / SWEEP_FILE, {"plw_power": self.power, "settings": self.settings})
        return folder

    def plot(self, **options):
        """Every dataset's fitted curve in a panel grid; returns the Figure."""
        from plw_stats.plots.fitted import plot_fitted_curves  # matplotlib only when drawing

        return plot_fitted_curves(self, **options)

    def __repr__(self) -> str:
        return display.sweep_repr(self)

    def _repr_html_(self) -> str:
        return display.sweep_html(self)


def group_seed(seed: int, dataset: str) -> int:
    """Seed of one dataset's fit: depends on the run's seed and the dataset name only.

    So fitting a dataset alone or with others gives the same posterior.
    """
    return int(np.random.SeedSequence([seed, zlib.crc32(dataset.encode())]).generate_state(1)[0])


def fit(
    scores: pd.DataFrame,
    dataset: str | None = None,
    *,
    seed: int = 0,
    evidence: bool = False,
    power: float = PLW_POWER,
    priors: BetaPriors | None = None,
    hdi_prob: float = HDI_PROB,
    retries: int = MAX_RETRIES,
    settings: SamplerSettings | None = None,
    **sampler_options,
) -> BetaFitResult | SweepResult:
    """Fit the beta mixed model: one dataset (a :class:`BetaFitResult`) or all (a sweep).

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table (:func:`plw_stats.read_scores`, :func:`load_demo_scores`).
    dataset : str, optional
        The dataset to fit; every dataset of the table when omitted.
    seed : int
        Run seed (each dataset's seed is derived from it and its name, so a dataset fitted
        alone or in a sweep gets the same posterior).
    evidence : bool
        Also compute the evidence for the wp terms (null-model fit, PSIS-LOO, ML test).
    power, priors, hdi_prob
        PLW exponent, prior scales, interval mass.
    retries : int
        Retries of a fit with divergences or R-hat trouble (0: sample once).
    settings : SamplerSettings, optional
        Sampler settings; keyword options (``draws=1000, chains=4, tune=1000,
        target_accept=0.9, sampler="native"``) override its fields.

    Returns
    -------
    BetaFitResult or SweepResult
    """
    names = None if dataset is None else [dataset]
    sweep = fit_sweep(
        scores,
        names,
        settings=SamplerSettings.from_options(settings, **sampler_options),
        seed=seed,
        power=power,
        priors=priors,
        hdi_prob=hdi_prob,
        evidence=evidence,
        retries=retries,
    )
    return sweep.groups[dataset] if dataset is not None else sweep


def fit_sweep(
    scores: pd.DataFrame,
    datasets: Sequence[str] | None = None,
    *,
    power: float = PLW_POWER,
    priors: BetaPriors | None = None,
    squeeze_epsilon: float | None = None,
    **fit_options,
) -> SweepResult:
    """Fit one beta mixed model per fine-tuning dataset.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table (see :func:`plw_stats.io.read_scores`).
    datasets : sequence of str, optional
        Datasets to fit; all by default.  Relative scores use every row of ``scores``.
    power, priors, squeeze_epsilon
        Passed to :class:`BetaMixedModel`.
    **fit_options
        ``settings, seed, hdi_prob, progress, on_fit, evidence`` of :func:`fit_specs`.
    """
    specs = specify_all(
        scores,
        datasets,
        power=power,
        priors=priors,
        squeeze_epsilon=squeeze_epsilon,
        model_class=BetaMixedModel,
    )
    return fit_specs(specs, **fit_options)


def fit_specs(
    specs: Sequence[BetaMixedModel],
    *,
    settings: SamplerSettings | None = None,
    seed: int = 0,
    hdi_prob: float = HDI_PROB,
    progress: bool = False,
    on_fit: Callable[[BetaFitResult], None] | None = None,
    evidence: bool = False,
    retries: int = MAX_RETRIES,
) -> SweepResult:
    """Fit already validated specifications (from :func:`specify_all`).

    Parameters
    ----------
    specs : sequence of BetaMixedModel
        The models to fit.
    settings : SamplerSettings, optional
        Sampler settings shared by all fits.
    seed : int
        Run seed; each dataset's seed is derived from it and the dataset's name.
    hdi_prob : float
        Mass of the reported intervals.
    progress : bool
        Show the sampler's progress bars.
    on_fit : callable, optional
        Called with each result as soon as it is ready (the CLI prints from it).
    evidence : bool
        Also compute each dataset's evidence for the wp terms (see :mod:`plw_stats.glmm.evidence`).
    retries : int
        Retries of a fit with divergences or R-hat trouble (see :mod:`plw_stats.glmm.healing`).

    Every result also carries the maximum-likelihood fit of the same model (``ml``).
    """
    settings = settings or SamplerSettings()
    seed = check_seed(seed)
    check_prob(hdi_prob)
    if not specs:
        raise DataSchemaError("no dataset to fit")
    groups = {}
    for spec in specs:
        result = spec.fit(
            settings,
            random_seed=group_seed(seed, spec.name),
            hdi_prob=hdi_prob,
            progress=progress,
            retries=retries,
        )
        # the null model samples while the ML fit and the quadratic model's LOO run
        null = (
            start_null(result.spec, result.settings, result.random_seed, retries=retries)
            if evidence
            else None
        )
        result = result.with_ml()
        groups[spec.name] = result.with_evidence(retries=retries, null=null) if evidence else result
        if on_fit is not None:
            on_fit(groups[spec.name])
    return SweepResult(
        groups=groups, power=specs[0].power, settings=run_settings(specs, settings, seed, hdi_prob)
    )


def run_settings(specs, settings: SamplerSettings, seed: int, hdi_prob: float) -> dict:
    """Return the ``settings`` object of the ``fit --json`` contract."""
    return {
        "seed": seed,
        "hdi_prob": hdi_prob,
        "sampler": settings.to_dict(),
        "priors": vars(specs[0].priors),
        "squeeze": (
            "smithson-verkuilen" if specs[0].squeeze_epsilon is None else specs[0].squeeze_epsilon
        ),
        "relative_scores": "min-max within benchmark over all rows",
    }
