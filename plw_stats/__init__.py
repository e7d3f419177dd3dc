"""plw-stats: statistics and figures for prompt-loss-weight (PLW) fine-tuning sweeps.

The notebook API in one import::

    import plw_stats as plw

    scores = plw.load_demo_scores()                  # or plw.read_scores("scores.csv")
    fit = plw.fit(scores, dataset="AlpacaDataShort", draws=1000, seed=1)
    fit.plot(); fit.save("fits/"); plw.load_fit("fits/")
    sweep = plw.fit(scores, seed=1)                  # every dataset
    plw.load_surface("surfaces/")                    # two-knob fits saved by `surface --out`

Names are loaded on first use, so ``import plw_stats`` stays fast.
"""

from __future__ import annotations

import importlib

from plw_stats.config import __version__

#: Public name → module that defines it.
_API: dict[str, str] = {
    "read_scores": "plw_stats.io.tables",
    "validate_scores": "plw_stats.io.tables",
    "load_demo_scores": "plw_stats.datasets",
    "load_paper_optimal_plw": "plw_stats.datasets",
    "load_surface_demo_scores": "plw_stats.datasets",
    "collect": "plw_stats.io.manifest",
    "manifest_from_pattern": "plw_stats.io.manifest",
    "describe_instructions": "plw_stats.describe.instructions",
    "loss_rsd": "plw_stats.describe.rsd",
    "rsd_from_manifest": "plw_stats.describe.rsd",
    "relative_scores": "plw_stats.transforms",
    "plw_to_wp": "plw_stats.transforms",
    "wp_to_plw": "plw_stats.transforms",
    "critical_point": "plw_stats.critical",
    "fit": "plw_stats.glmm.sweep",
    "load_fit": "plw_stats.glmm.store",
    "BetaMixedModel": "plw_stats.glmm.model",
    "BetaPriors": "plw_stats.glmm.priors",
    "SamplerSettings": "plw_stats.glmm.backends.settings",
    "BetaFitResult": "plw_stats.glmm.result",
    "SweepResult": "plw_stats.glmm.sweep",
    "check_fit": "plw_stats.glmm.checks",
    "TensorGam": "plw_stats.gam.model",
    "simulate_sweep": "plw_stats.simulation.sweeps",
    "simulate_surface_sweep": "plw_stats.simulation.surface_sweeps",
    "fit_surface": "plw_stats.surface.sweep",
    "load_surface": "plw_stats.surface.store",
    "SurfaceModel": "plw_stats.surface.model",
    "SurfacePriors": "plw_stats.surface.priors",
    "SurfaceFitResult": "plw_stats.surface.result",
    "SurfaceSweep": "plw_stats.surface.sweep",
    "use_style": "plw_stats.plots.style",
    "Analysis": "plw_stats.analysis",
    "analyse": "plw_stats.analysis",
    "write_report": "plw_stats.report.html",
    "data_summary": "plw_stats.report.html",
    "critical_table": "plw_stats.report.html",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'plw_stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
