"""What the beta mixed model is fitted to: validated data, coordinates, priors, parameterisation.

For one fine-tuning dataset, with ``wp = plw ** p`` and relative scores ``y`` in (0, 1)::

    logit(mu) = b0 + (b1 + u[benchmark]) · wp + b2 · wp² + v[model]
    y ~ Beta(mu, kappa)                      (mean mu, precision kappa)
    u[b] ~ Normal(0, sd_slope),   v[m] ~ Normal(0, sd_model)

A random slope of wp by benchmark with no random intercept, and a random intercept by pretrained
model, as in the paper's Section 5.2.  With a single benchmark (or model) that random effect is
dropped and a note says so.  Several rows of one (model, benchmark, PLW) cell — repeated training
seeds — all enter the likelihood.

:class:`BetaDesign` holds and checks everything a backend needs; the user-facing
:class:`~plw_stats.glmm.model.BetaMixedModel` adds ``fit()``.  Priors are documented in
:class:`~plw_stats.glmm.priors.BetaPriors`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.priors import BetaPriors
from plw_stats.transforms import plw_to_wp, squeeze_unit

MIN_PLW_LEVELS = 3
PARAMETERIZATIONS = ("centered", "noncentered")
#: Scalar parameters of the quadratic model, in the order summaries list them.
COEFFICIENTS = ("intercept", "wp", "wp2")


class RandomEffectLevels:
    """The random-effect levels of a design whose ``data`` has benchmark and model columns.

    Shared by the one-knob design and the two-knob surface (:mod:`plw_stats.surface.design`):
    slopes vary by benchmark, intercepts by pretrained model, each only with two or more levels.
    """

    data: pd.DataFrame

    @property
    def benchmarks(self) -> list[str]:
        """Benchmarks in the order of the random-slope coordinate(s)."""
        return sorted(self.data["benchmark"].unique())

    @property
    def models(self) -> list[str]:
        """Pretrained models in the order of the random-intercept coordinate."""
        return sorted(self.data["model"].unique())

    @property
    def has_benchmark_slope(self) -> bool:
        """Whether the random slope(s) by benchmark are in the model (needs ≥ 2 benchmarks)."""
        return len(self.benchmarks) > 1

    @property
    def has_model_intercept(self) -> bool:
        """Whether the random intercept by model is in the model (needs ≥ 2 models)."""
        return len(self.models) > 1


@dataclass(frozen=True, eq=False)
class BetaDesign(RandomEffectLevels):
    """Validated data and settings of the beta mixed model for one fine-tuning dataset.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows of one dataset with columns ``model, benchmark, plw, score`` (score in [0, 1]).
    name : str
        Name of the fine-tuning dataset, used in messages and output.
    power : float
        Exponent of ``wp = plw ** power``.
    priors : BetaPriors
        Prior scales.
    squeeze_epsilon : float or None
        None applies Smithson & Verkuilen's ``(y·(n−1)+0.5)/n``; a number maps [0, 1] onto
        [epsilon, 1 − epsilon] instead.
    model_intercept, benchmark_slope : {"centered", "noncentered"}
        Parameterisation of the model levels and of the benchmark slopes (same model, other
        sampling coordinates); centred by default, which measured best on paper-shaped sweeps.
    quadratic : bool
        True (the default) fits the model above; False fits the *null model* without the fixed
        wp and wp² terms (everything else identical, the benchmark slopes keep mean zero), the
        reference of :mod:`plw_stats.glmm.evidence`.
    selection : tuple of str
        How the rows were chosen from a larger table (shown among the notes).

    Raises
    ------
    DataSchemaError
        If a column is missing, a score lies outside [0, 1] or there are fewer than three PLW
        levels (a quadratic needs three).
    ModelSpecError
        On an unknown parameterisation or a non-boolean ``quadratic``.

    Notes
    -----
    Instances hold a DataFrame, so they compare (and hash) by identity.
    """

    data: pd.DataFrame
    name: str = "scores"
    power: float = PLW_POWER
    priors: BetaPriors = field(default_factory=BetaPriors)
    squeeze_epsilon: float | None = None
    model_intercept: Literal["centered", "noncentered"] = "centered"
    benchmark_slope: Literal["centered", "noncentered"] = "centered"
    quadratic: bool = True
    selection: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.quadratic, bool):
            raise ModelSpecError(f"quadratic must be True or False, got {self.quadratic!r}")
        for option in ("model_intercept", "benchmark_slope"):
            if getattr(self, option) not in PARAMETERIZATIONS:
                raise ModelSpecError(
                    f"{option} must be one of {', '.join(PARAMETERIZATIONS)}, "
                    f"got {getattr(self, option)!r}"
                )
        missing = {"model", "benchmark", "plw", "score"} - set(self.data.columns)
        if missing:
            raise DataSchemaError(
                f"dataset {self.name!r}: missing column(s) {', '.join(sorted(missing))}"
            )
        levels = np.unique(self.data["plw"].to_numpy(float))
        if levels.size < MIN_PLW_LEVELS:
            shown = ", ".join(f"{v:g}" for v in levels)
            raise DataSchemaError(
                f"dataset {self.name!r} has {levels.size} PLW level(s) ({shown}); the quadratic "
                f"in wp needs at least {MIN_PLW_LEVELS} distinct PLW values"
            )
        object.__setattr__(self, "data", self.data.reset_index(drop=True).copy())
        # Validates range and squeeze settings up front rather than at fit time.
        self.response()

    @property
    def n_replicates(self) -> int:
        """Largest number of rows sharing one (model, benchmark, PLW) cell."""
        return int(self.data.groupby(["model", "benchmark", "plw"]).size().max())

    def notes(self) -> list[str]:
        """Plain statements about simplifications of the model for this data."""
        found = list(self.selection)
        if not self.has_benchmark_slope:
            found.append(f"single benchmark ({self.benchmarks[0]}): random slope dropped")
        if not self.has_model_intercept:
            found.append(f"single model ({self.models[0]}): random intercept dropped")
        return found

    def wp(self) -> np.ndarray:
        """Return the transformed PLW of every row."""
        return plw_to_wp(self.data["plw"].to_numpy(float), self.power)

    def response(self) -> np.ndarray:
        """Scores squeezed strictly inside (0, 1)."""
        try:
            return squeeze_unit(self.data["score"].to_numpy(float), epsilon=self.squeeze_epsilon)
        except DataSchemaError as err:
            raise DataSchemaError(f"dataset {self.name!r}: {err}") from err

    def benchmark_codes(self) -> np.ndarray:
        """Index of every row's benchmark in :attr:`benchmarks`."""
        return pd.Categorical(self.data["benchmark"], categories=self.benchmarks).codes.astype(
            np.int64
        )

    def model_codes(self) -> np.ndarray:
        """Index of every row's pretrained model in :attr:`models`."""
        return pd.Categorical(self.data["model"], categories=self.models).codes.astype(np.int64)

    def graph_key(self) -> tuple:
        """Return what fixes the compiled graph (equal keys: only data values differ)."""
        return (
            len(self.data),
            len(self.benchmarks),
            len(self.models),
            self.quadratic,
            self.model_intercept,
            self.benchmark_slope,
            self.priors,
        )

    def parameter_names(self) -> list[str]:
        """Free scalar parameters whose diagnostics are reported."""
        names = [*COEFFICIENTS, "kappa"] if self.quadratic else ["intercept", "kappa"]
        if self.has_benchmark_slope:
            names.append("sd_slope")
        if self.has_model_intercept:
            names.append("sd_model")
        return names

    def fields(self) -> dict:
        """Return the constructor arguments (to rebuild the design as another class)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def settings_dict(self) -> dict:
        """Return what, besides the data, fixes the model (saved with every fit)."""
        return {
            "power": float(self.power),
            "priors": vars(self.priors) | {},
            "squeeze": (
                "smithson-verkuilen" if self.squeeze_epsilon is None else self.squeeze_epsilon
            ),
            "model_intercept": self.model_intercept,
            "benchmark_slope": self.benchmark_slope,
            "selection": list(self.selection),
        }
