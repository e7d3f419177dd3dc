"""Gather everything a report or a figure set shows: fits (sampled or loaded), GAM, loss RSD.

This is the one place where the CLI's ``figures`` and ``report`` commands (and notebooks) turn a
score table into results; the report and the plots only render what :func:`analyse` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.gam.model import TensorGam
from plw_stats.gam.result import GamResult
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.result import BetaFitResult
from plw_stats.glmm.store import load_sweep
from plw_stats.glmm.sweep import SweepResult, fit_sweep


@dataclass(frozen=True)
class Analysis:
    """Everything a report shows.

    Attributes
    ----------
    scores : pandas.DataFrame
        The validated raw score table.
    source : str
        Where the scores came from (a path, or the bundled demo).
    fits : SweepResult
        Beta mixed model fit of every dataset.
    fit_source : str
        How the fits were obtained (sampled now, or loaded from a folder).
    gam : GamResult or None
        The tensor-smooth GAM, or None when the table cannot support it.
    rsd : pandas.DataFrame or None
        Loss-RSD table (``dataset, plw, rsd``) when trainer logs were given.
    notes : tuple of str
        What was skipped and why.
    """

    scores: pd.DataFrame
    source: str
    fits: SweepResult
    fit_source: str
    gam: GamResult | None = None
    rsd: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()


def analyse(
    scores: pd.DataFrame,
    *,
    source: str = "score table",
    fit_dir: str | Path | None = None,
    settings: SamplerSettings | None = None,
    seed: int = 0,
    power: float | None = None,
    hdi_prob: float = HDI_PROB,
    rsd: pd.DataFrame | None = None,
    on_fit: Callable[[BetaFitResult], None] | None = None,
) -> Analysis:
    """Fit (or load) the beta mixed models and fit the GAM for a score table.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table.
    source : str
        Shown in the report as the data's origin.
    fit_dir : str or Path, optional
        A ``plw-stats fit --out`` folder whose posteriors are reused instead of sampling.
    settings : SamplerSettings, optional
        Sampler settings when fitting; defaults to ``SamplerSettings()``.
    seed : int
        Seed of the fits.
    power : float, optional
        PLW transform exponent; defaults to the paper's when fitting.  With ``fit_dir`` each
        saved fit's own power is used, and a given power that differs is refused.
    hdi_prob : float
        Interval mass.
    rsd : pandas.DataFrame, optional
        Loss-RSD table to include.
    on_fit : callable, optional
        Called with each fit as soon as it is ready.

    Returns
    -------
    Analysis
        The GAM is left out, with a note saying why, when the table has no ``ratio`` column
        or too few distinct ratios.
    """
    notes: list[str] = []
    if fit_dir is not None:
        fits = load_sweep(fit_dir, scores=scores, power=power, hdi_prob=hdi_prob)
        fit_source = f"posteriors loaded from {fit_dir}"
        skipped = sorted(set(scores["dataset"]) - set(fits.groups))
        if skipped:
            notes.append(f"no saved posterior for {', '.join(skipped)} in {fit_dir}")
    else:
        settings = settings or SamplerSettings()
        fits = fit_sweep(
            scores,
            settings=settings,
            seed=seed,
            power=PLW_POWER if power is None else power,
            hdi_prob=hdi_prob,
            on_fit=on_fit,
        )
        fit_source = (
            f"sampled now: {settings.chains} chains x {settings.draws} draws "
            f"({settings.tune} tune), sampler {settings.sampler}, seed {seed}"
        )
    try:
        gam = TensorGam(scores, power=fits.power).fit()
    except (DataSchemaError, ModelSpecError) as err:
        gam = None
        notes.append(f"GAM skipped: {err}")
    if rsd is None:
        notes.append("training-loss RSD skipped: no trainer logs given (--trainer-logs)")
    return Analysis(scores, source, fits, fit_source, gam, rsd, tuple(notes))
