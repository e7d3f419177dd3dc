"""Fit the response surface to every fine-tuning dataset of a score table.

:func:`fit_surface` is the notebook entry point (``plw.fit_surface(scores, dataset=..., ...)``);
:func:`specify_surfaces` and :func:`fit_surfaces` are what the CLI uses.  :class:`SurfaceSweep`
holds every dataset's result and the run's settings (the whole ``surface --json`` contract).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import check_prob, check_seed
from plw_stats.glmm.specify import select_datasets
from plw_stats.glmm.sweep import group_seed
from plw_stats.output import ensure_folder, write_csv, write_json
from plw_stats.surface.design import CLW_POWER, SurfaceDesign
from plw_stats.surface.ml import SurfaceMLFit
from plw_stats.surface.model import SurfaceModel, check_baseline
from plw_stats.surface.priors import SurfacePriors
from plw_stats.surface.result import CONVENTIONAL, SurfaceFitResult
from plw_stats.surface.settings import SURFACE_SAMPLER
from plw_stats.surface.table import surface_rows

METHODS: tuple[str, ...] = ("bayes", "ml")
#: How the scores were put on a common scale, per ``scale`` (the JSON's ``relative_scores``).
RELATIVE_SCORES: dict[str, str] = {
    "relative": "min-max within benchmark over all rows except plw = clw = 0",
    "unit": "none: scores fitted as proportions, with a fixed intercept per benchmark",
}
#: File of a saved sweep's run settings, beside the per-dataset posteriors.
SWEEP_FILE = "surface.json"


@dataclass(frozen=True, eq=False)
class MLSurfaceResult:
    """A dataset's surface fitted by maximum likelihood only (``--method ml``)."""

    design: SurfaceDesign
    ml: SurfaceMLFit

    @property
    def name(self) -> str:
        """Name of the fitted dataset."""
        return self.design.name

    def problems(self) -> list[str]:
        """Return the ML fit's convergence problems."""
        return list(self.ml.problems)

    def to_dict(self) -> dict[str, Any]:
        """Return the per-dataset object of ``surface --method ml --json``."""
        return {
            "n_rows": len(self.design.data),
            "n_benchmarks": len(self.design.benchmarks),
            "n_models": len(self.design.models),
            "notes": self.design.notes(),
            "problems": self.problems(),
            "ml": self.ml.to_dict(),
        }


@dataclass(frozen=True, eq=False)
class SurfaceSweep:
    """Surface fits of every fine-tuning dataset of a score table."""

    groups: dict[str, SurfaceFitResult | MLSurfaceResult]
    method: str
    power: float
    clw_power: float
    settings: dict[str, Any] = field(default_factory=dict)

    def problems(self) -> dict[str, list[str]]:
        """Convergence problems per dataset (only datasets that have some)."""
        found = {name: fit.problems() for name, fit in self.groups.items()}
        return {name: items for name, items in found.items() if items}

    def to_dict(self) -> dict[str, Any]:
        """Return the whole ``surface --json`` contract (no timings: equal seeds, equal JSON)."""
        return {
            "method": self.method,
            "plw_power": self.power,
            "clw_power": self.clw_power,
            "groups": {name: fit.to_dict() for name, fit in self.groups.items()},
            "settings": self.settings,
        }

    def summary(self) -> pd.DataFrame:
        """Every Bayesian group's parameter summary stacked (``dataset``, ``parameter`` first)."""
        frames = [
            fit.summary().rename_axis("parameter").reset_index().assign(dataset=name)
            for name, fit in self.groups.items()
            if isinstance(fit, SurfaceFitResult)
        ]
        if not frames:
            return pd.DataFrame()
        frame = pd.concat(frames, ignore_index=True)
        return frame[["dataset", *frame.columns.drop("dataset")]]

    def save(self, folder: str | Path) -> Path:
        """Save each Bayesian fit (``<dataset>.nc``), ``summary.csv`` and the JSON contract."""
        folder = ensure_folder(folder)
        for fit in self.groups.values():
            if isinstance(fit, SurfaceFitResult):
                fit.save(folder)
        summary = self.summary()
        if not summary.empty:
            write_csv(folder / "summary.csv", summary, index=False)
        write_json(folder / SWEEP_FILE, self.to_dict())
        return folder

    def plot(self, **options):
        """Every dataset's surface in a panel grid (Bayesian fits); returns the Figure."""
        from plw_stats.plots.surface import plot_surfaces  # matplotlib only when drawing

        fits = [fit for fit in self.groups.values() if isinstance(fit, SurfaceFitResult)]
        return plot_surfaces(fits, **options)


def specify_surfaces(
    scores: pd.DataFrame,
    datasets: Sequence[str] | None = None,
    *,
    power: float = PLW_POWER,
    clw_power: float = CLW_POWER,
    priors: SurfacePriors | None = None,
    scale: str = "relative",
    source: str = "score table",
) -> list[SurfaceModel]:
    """Validate and specify every dataset's surface before any fitting starts (fail fast)."""
    names = select_datasets(scores, datasets)
    rows, base_rows = surface_rows(scores, source=source, scale=scale)
    return [
        SurfaceModel(
            rows[rows["dataset"] == name],
            name=name,
            power=power,
            clw_power=clw_power,
            priors=priors or SurfacePriors(),
            scale=scale,
            base_rows=base_rows.get(name, 0),
        )
        for name in names
    ]


def fit_surfaces(
    specs: Sequence[SurfaceModel],
    *,
    method: str = "bayes",
    settings: SamplerSettings | None = None,
    seed: int = 0,
    hdi_prob: float = HDI_PROB,
    baseline: tuple[float, float] = CONVENTIONAL,
    evidence: bool = True,
    on_fit: Callable[[SurfaceFitResult | MLSurfaceResult], None] | None = None,
) -> SurfaceSweep:
    """Fit already validated surfaces (from :func:`specify_surfaces`).

    Parameters
    ----------
    specs : sequence of SurfaceModel
        The surfaces to fit.
    method : {"bayes", "ml"}
        Bayesian posterior (with the ML fit alongside) or maximum likelihood only.
    settings, seed, hdi_prob, baseline, evidence
        As in :meth:`SurfaceModel.fit`; each dataset's seed derives from ``seed`` and its name.
    on_fit : callable, optional
        Called with each result as soon as it is ready (the CLI prints from it).
    """
    if method not in METHODS:
        raise ModelSpecError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not specs:
        raise DataSchemaError("no dataset to fit")
    settings = settings or SURFACE_SAMPLER
    seed, baseline = check_seed(seed), check_baseline(baseline)
    check_prob(hdi_prob)
    groups: dict[str, SurfaceFitResult | MLSurfaceResult] = {}
    for spec in specs:
        if method == "ml":
            result = MLSurfaceResult(design=spec, ml=spec.fit_ml())
        else:
            result = spec.fit(
                settings,
                random_seed=group_seed(seed, spec.name),
                hdi_prob=hdi_prob,
                baseline=baseline,
                evidence=evidence,
            )
        groups[spec.name] = result
        if on_fit is not None:
            on_fit(result)
    run = {
        "seed": seed,
        "hdi_prob": hdi_prob,
        "baseline": list(baseline),
        "priors": specs[0].priors.to_dict(),
        "squeeze": "smithson-verkuilen",
        "scale": specs[0].scale,
        "relative_scores": RELATIVE_SCORES[specs[0].scale],
    }
    if method == "bayes":
        run["sampler"] = settings.to_dict()
    return SurfaceSweep(groups, method, specs[0].power, specs[0].clw_power, run)


def fit_surface(
    scores: pd.DataFrame,
    dataset: str | None = None,
    *,
    method: str = "bayes",
    seed: int = 0,
    power: float = PLW_POWER,
    clw_power: float = CLW_POWER,
    priors: SurfacePriors | None = None,
    scale: str = "relative",
    settings: SamplerSettings | None = None,
    **options,
) -> SurfaceFitResult | MLSurfaceResult | SurfaceSweep:
    """Fit the two-knob response surface: one dataset (its result) or all (a sweep).

    Parameters
    ----------
    scores : pandas.DataFrame
        A validated raw score table with a ``clw`` column (:func:`plw_stats.read_scores`,
        :func:`plw_stats.load_surface_demo_scores`).
    dataset : str, optional
        The dataset to fit; every dataset of the table when omitted.
    method : {"bayes", "ml"}
        Bayesian posterior (default) or maximum likelihood only.
    seed : int
        Run seed (a dataset's seed derives from it and its name).
    power, clw_power, priors
        Exponents of ``wp = plw ** power`` and ``wc = clw ** clw_power``, prior scales.
    scale : {"relative", "unit"}
        Fit min-max relative scores (the paper's, default) or scores that are proportions on
        their own scale, with a fixed intercept per benchmark (see ``docs/surface.md``).
    settings : SamplerSettings, optional
        Sampler settings (default :data:`~plw_stats.surface.settings.SURFACE_SAMPLER`);
        sampler keyword options (``draws=…``) override its fields.
    **options
        ``hdi_prob, baseline, evidence`` of :func:`fit_surfaces`, or sampler options.
    """
    fit_keys = {"hdi_prob", "baseline", "evidence", "on_fit"}
    fit_options = {k: v for k, v in options.items() if k in fit_keys}
    sampler = {k: v for k, v in options.items() if k not in fit_keys}
    specs = specify_surfaces(
        scores,
        None if dataset is None else [dataset],
        power=power,
        clw_power=clw_power,
        priors=priors,
        scale=scale,
    )
    sweep = fit_surfaces(
        specs,
        method=method,
        settings=SamplerSettings.from_options(settings or SURFACE_SAMPLER, **sampler),
        seed=seed,
        **fit_options,
    )
    return sweep.groups[dataset] if dataset is not None else sweep
