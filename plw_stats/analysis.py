"""Gather everything a report or a figure set shows, from a score table.

Fits (sampled or loaded), evidence, model checks, maximum-likelihood cross-checks, GAM, loss RSD,
and what it takes to reproduce them.

This is the one place where the CLI's ``figures`` and ``report`` commands (and notebooks) turn a
score table into results; the report and the plots only render what :func:`analyse` returns.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError, PlwStatsError
from plw_stats.gam.model import TensorGam
from plw_stats.gam.result import GamResult
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.checks import ResidualCheck, check_fit
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.ml_result import MLFit
from plw_stats.glmm.result import BetaFitResult
from plw_stats.glmm.store import load_sweep
from plw_stats.glmm.sweep import SweepResult, fit_sweep
from plw_stats.surface.settings import SURFACE_SAMPLER
from plw_stats.surface.sweep import SurfaceSweep, fit_surfaces, specify_surfaces

#: Distributions whose versions a report records (besides Python itself).
VERSIONED = (
    "plw-stats",
    "numpy",
    "scipy",
    "pandas",
    "pymc",
    "nutpie",
    "arviz",
    "pygam",
    "statsmodels",
    "matplotlib",
)


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
    weights : pandas.DataFrame or None
        Weight distances per run (``plw-stats weight-distance -o``) when given.
    surfaces : SurfaceSweep or None
        Two-knob (PLW × CLW) response surfaces, when the table has a ``clw`` grid.
    notes : tuple of str
        What was skipped and why.
    ml : dict of str to MLFit
        Maximum-likelihood (Laplace) fit of each dataset, with its likelihood-ratio test;
        datasets whose ML fit failed or was not requested are absent.
    checks : dict of str to ResidualCheck
        Posterior-predictive residual checks of each fit (absent when not requested).
    data_checksum : str
        sha256 of the score table (:func:`table_checksum`).
    file_checksum : str or None
        sha256 of the score file's bytes, when the scores were read from a file.
    versions : dict of str to str
        Versions of Python and the packages that computed the analysis.
    """

    scores: pd.DataFrame
    source: str
    fits: SweepResult
    fit_source: str
    gam: GamResult | None = None
    rsd: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    ml: dict[str, MLFit] = field(default_factory=dict)
    checks: dict[str, ResidualCheck] = field(default_factory=dict)
    data_checksum: str = ""
    file_checksum: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    weights: pd.DataFrame | None = None
    surfaces: SurfaceSweep | None = None


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
    weights: pd.DataFrame | None = None,
    surfaces: bool = True,
    on_fit: Callable[[BetaFitResult], None] | None = None,
    evidence: bool = True,
    checks: bool = True,
    gam: bool = True,
    data_file: str | Path | None = None,
) -> Analysis:
    """Fit (or load) the beta mixed models, check them and fit the GAM for a score table.

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table.
    source : str
        Shown in the report as the data's origin.
    fit_dir : str or Path, optional
        A ``plw-stats fit --out`` folder whose posteriors are reused instead of sampling (with
        the evidence stored in them, when the fit computed it).
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
    weights : pandas.DataFrame, optional
        Weight-distance table to include (:mod:`plw_stats.describe.weight_table`).
    surfaces : bool
        When the table has several completion-loss weights (a ``clw`` grid), also fit the
        two-knob response surface of every dataset (:mod:`plw_stats.surface`, its own sampler
        defaults, the same seed); the one-knob fits then use the clw = 1 slice.
    on_fit : callable, optional
        Called with each fit as soon as it is ready.
    evidence : bool
        When fitting, also compute each dataset's evidence for the wp terms (this samples
        the null model too, so it about doubles the time).
    checks : bool
        Compute the posterior-predictive residual checks and the maximum-likelihood fits
        (no sampling; well under a second per dataset).
    gam : bool
        Fit the tensor-smooth GAM (a few seconds); left out with a note when False.
    data_file : str or Path, optional
        The file the scores were read from; its sha256 is recorded.

    Returns
    -------
    Analysis
        The GAM is left out, with a note saying why, when the table has no ``ratio`` column
        or too few distinct ratios.
    """
    notes: list[str] = []
    if fit_dir is not None:
        fits, fit_source = _load(scores, fit_dir, power, hdi_prob, notes)
    else:
        settings = settings or SamplerSettings()
        fits = fit_sweep(
            scores,
            settings=settings,
            seed=seed,
            power=PLW_POWER if power is None else power,
            hdi_prob=hdi_prob,
            on_fit=on_fit,
            evidence=evidence,
        )
        fit_source = (
            f"sampled now: {settings.chains} chains x {settings.draws} draws "
            f"({settings.tune} tune), sampler {settings.sampler}, seed {seed}"
        )
    gam_result = _gam(scores, fits.power, notes) if gam else None
    if not gam:
        notes.append("GAM skipped: not requested")
    if rsd is None:
        notes.append("training-loss RSD skipped: no trainer logs given (--trainer-logs)")
    if weights is None:
        notes.append("weight distances skipped: no table given (--weights)")
    ml = ml_fits(fits, notes) if checks else {}
    grids = two_knob_surfaces(scores, seed, hdi_prob, evidence) if surfaces else None
    if grids is not None:
        notes.append(
            f"two-knob surfaces sampled at `plw-stats surface`'s defaults ({SURFACE_SAMPLER.chains}"
            f" chains x {SURFACE_SAMPLER.draws} draws, {SURFACE_SAMPLER.tune} tune); run "
            "plw-stats surface for other settings"
        )
    return Analysis(
        scores,
        source,
        fits,
        fit_source,
        gam_result,
        rsd,
        tuple(notes),
        ml=ml,
        checks=residual_checks(fits) if checks else {},
        data_checksum=table_checksum(scores),
        file_checksum=file_checksum(data_file) if data_file is not None else None,
        versions=package_versions(),
        weights=weights,
        surfaces=grids,
    )


def two_knob_surfaces(
    scores: pd.DataFrame, seed: int, hdi_prob: float, evidence: bool
) -> SurfaceSweep | None:
    """Fit every dataset's PLW × CLW surface when the table has a clw grid (else None)."""
    if "clw" not in scores.columns or scores["clw"].nunique() < 2:
        return None
    specs = specify_surfaces(scores)
    return fit_surfaces(specs, seed=seed, hdi_prob=hdi_prob, evidence=evidence)


def _load(scores, fit_dir, power, hdi_prob, notes: list[str]) -> tuple[SweepResult, str]:
    fits = load_sweep(fit_dir, scores=scores, power=power, hdi_prob=hdi_prob)
    skipped = sorted(set(scores["dataset"]) - set(fits.groups))
    if skipped:
        notes.append(f"no saved posterior for {', '.join(skipped)} in {fit_dir}")
    return fits, f"posteriors loaded from {fit_dir}"


def _gam(scores: pd.DataFrame, power: float, notes: list[str]) -> GamResult | None:
    try:
        return TensorGam(scores, power=power).fit()
    except (DataSchemaError, ModelSpecError) as err:
        notes.append(f"GAM skipped: {err}")
        return None


def ml_fits(fits: SweepResult, notes: list[str]) -> dict[str, MLFit]:
    """Maximum-likelihood fit of every dataset: the fit's own ``ml`` when it has one.

    A dataset whose ML fit fails is left out and the reason appended to ``notes``.
    """
    found = {}
    for name, fit in fits.groups.items():
        stored = getattr(fit, "ml", None)
        if stored is not None:
            found[name] = stored
            continue
        try:
            found[name] = fit_ml_design(fit.spec)
        except (PlwStatsError, np.linalg.LinAlgError) as err:
            notes.append(f"maximum-likelihood fit of {name} skipped: {err}")
    return found


def residual_checks(fits: SweepResult) -> dict[str, ResidualCheck]:
    """Posterior-predictive residual checks of every fit, seeded by the fit's own seed."""
    return {name: check_fit(fit, random_seed=fit.random_seed) for name, fit in fits.groups.items()}


def table_checksum(scores: pd.DataFrame) -> str:
    """sha256 of a score table written as CSV (its columns in order, rows sorted, %.12g).

    The same table read from CSV or Parquet, in any row order, gives the same checksum.
    """
    frame = scores.sort_values(list(scores.columns), kind="stable").reset_index(drop=True)
    text = frame.to_csv(index=False, float_format="%.12g")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_checksum(path: str | Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of Python and of :data:`VERSIONED` ("not installed" when absent)."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found
