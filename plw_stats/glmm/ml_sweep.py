"""The maximum-likelihood route for every dataset of a table (``plw-stats fit --method ml``).

No sampler runs: each dataset's GLMM is fitted by :func:`plw_stats.glmm.ml.fit_ml_design` (the
Laplace approximation, as glmmTMB does), about a fifth of a second each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from plw_stats.errors import DataSchemaError
from plw_stats.glmm.design import BetaDesign
from plw_stats.glmm.ml import fit_ml_design
from plw_stats.glmm.ml_result import MLFit


@dataclass(frozen=True, eq=False)
class MLGroup:
    """One dataset's specification and its maximum-likelihood fit."""

    spec: BetaDesign
    ml: MLFit

    @property
    def name(self) -> str:
        """Name of the fitted dataset."""
        return self.spec.name

    def to_dict(self) -> dict[str, Any]:
        """Return the per-dataset object of ``fit --method ml --json``."""
        return {
            "n_rows": len(self.spec.data),
            "n_benchmarks": len(self.spec.benchmarks),
            "n_models": len(self.spec.models),
            "notes": self.spec.notes(),
            "problems": list(self.ml.problems),
            "ml": self.ml.to_dict(),
        }


@dataclass(frozen=True, eq=False)
class MLSweepResult:
    """Maximum-likelihood fits of every dataset of a score table."""

    groups: dict[str, MLGroup]
    power: float
    settings: dict[str, Any] = field(default_factory=dict)

    def problems(self) -> dict[str, list[str]]:
        """Convergence problems per dataset (only datasets that have some)."""
        found = {name: list(group.ml.problems) for name, group in self.groups.items()}
        return {name: items for name, items in found.items() if items}

    def summary(self) -> pd.DataFrame:
        """Return the fixed effects of every dataset (``dataset, parameter, estimate, se …``)."""
        frames = [
            group.ml.to_frame().rename_axis("parameter").reset_index().assign(dataset=name)
            for name, group in self.groups.items()
        ]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["dataset", "parameter", "estimate", "se", "z", "p_value"]]

    def to_dict(self) -> dict[str, Any]:
        """Return the whole ``fit --method ml --json`` contract."""
        return {
            "plw_power": self.power,
            "groups": {name: group.to_dict() for name, group in self.groups.items()},
            "settings": self.settings,
        }


def fit_ml_specs(
    specs: Sequence[BetaDesign], *, on_fit: Callable[[MLGroup], None] | None = None
) -> MLSweepResult:
    """Fit every validated specification by maximum likelihood."""
    if not specs:
        raise DataSchemaError("no dataset to fit")
    groups = {}
    for spec in specs:
        groups[spec.name] = MLGroup(spec=spec, ml=fit_ml_design(spec))
        if on_fit is not None:
            on_fit(groups[spec.name])
    first = specs[0]
    settings = {
        "method": "ml",
        "squeeze": (
            "smithson-verkuilen" if first.squeeze_epsilon is None else first.squeeze_epsilon
        ),
        "relative_scores": "min-max within benchmark over all rows",
    }
    return MLSweepResult(groups=groups, power=first.power, settings=settings)
