"""What a response surface is fitted to: one dataset's validated rows, powers and priors.

For one fine-tuning dataset, with ``wp = plw ** p``, ``wc = clw ** q`` and relative scores ``y``
squeezed into (0, 1)::

    logit(mu) = b0 + b1·wp + b2·wp² + b3·wc + b4·wc² + b5·wp·wc
                + u[benchmark]·wp + w[benchmark]·wc + v[model]
    y ~ Beta(mu, kappa)
    u ~ Normal(0, sd_slope_wp),  w ~ Normal(0, sd_slope_wc),  v ~ Normal(0, sd_model)

The benchmark slopes of wp and wc are independent terms (glmmTMB's ``(0 + wp | benchmark) +
(0 + wc | benchmark)``); with a single benchmark (or model) that random effect is dropped and a
note says so.  Priors: :class:`~plw_stats.surface.priors.SurfacePriors`.  The *null model*
(``full=False``) drops the five fixed wp/wc terms and keeps everything else.

``scale="unit"`` fits scores that are already proportions (accuracy, win rate) on their own
scale instead of relative scores: every benchmark then has its own level, a fixed intercept
shift ``a[benchmark]`` (benchmark 0 the reference, glmmTMB's ``+ benchmark``), kept in the null
model too.  The shifts are constants in (wp, wc), so they move no optimum.

Sampling coordinates (same model): b2, b4, b5 centred and rotated as in ``fit``; with several
benchmarks, b1 and b3 are sampled inside the benchmark slopes as the totals ``b1 + u`` and
``b3 + w`` (:mod:`plw_stats.glmm.backends.general_terms`, ``absorbing``), which removes the
funnel between the slopes' mean and their sd.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.backends.general_spec import GeneralGlmm, LevelTerm, RandomTerm
from plw_stats.glmm.design import RandomEffectLevels
from plw_stats.surface.priors import SurfacePriors
from plw_stats.transforms import plw_to_wp, squeeze_unit

#: Default exponent of ``wc = clw ** q``: completion weights are swept on linear grids
#: (WIT's 0, 0.2 … 1) and nothing calls for stretching either end, so wc = clw.
CLW_POWER: float = 1.0
#: Coefficients of the surface, in the order summaries list them.
COEFFICIENTS: tuple[str, ...] = ("intercept", "wp", "wp2", "wc", "wc2", "wp_wc")
FIXED_TERMS: tuple[str, ...] = COEFFICIENTS[1:]
#: Distinct levels each weight needs for its quadratic.
MIN_LEVELS = 3
#: What the scores are fitted as: min-max relative scores (the paper's) or their own [0, 1] scale.
SCALES: tuple[str, ...] = ("relative", "unit")
#: Prefix of the fixed benchmark shifts of ``scale="unit"`` (``benchmark_shift_1`` …).
SHIFT_PREFIX = "benchmark_shift_"


@dataclass(frozen=True, eq=False)
class SurfaceDesign(RandomEffectLevels):
    """Validated rows and settings of the response-surface model for one dataset.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows of one dataset with columns ``model, benchmark, plw, clw, score`` (score in
        [0, 1]: relative, or the benchmark's own proportion with ``scale="unit"``); the (0, 0)
        cell must already be left out.
    name : str
        Name of the fine-tuning dataset, used in messages and output.
    power, clw_power : float
        Exponents of ``wp = plw ** power`` and ``wc = clw ** clw_power``.
    priors : SurfacePriors
        Prior scales (``coef_sd`` applies to each of the five surface coefficients).
    squeeze_epsilon : float or None
        None applies Smithson & Verkuilen's squeeze, a number maps [0, 1] onto [eps, 1 − eps].
    full : bool
        True fits the surface; False the null model without the fixed wp/wc terms.
    scale : {"relative", "unit"}
        What ``score`` is: relative scores (one common level), or proportions on each
        benchmark's own scale, which adds a fixed intercept shift per benchmark.
    base_rows : int
        Rows of the (0, 0) cell left out before fitting (reported in the notes).

    Raises
    ------
    DataSchemaError
        On a missing column, a score outside [0, 1], (0, 0) rows, fewer than three levels of a
        weight, or (plw, clw) cells that cannot identify a full quadratic surface.
    """

    data: pd.DataFrame
    name: str = "scores"
    power: float = PLW_POWER
    clw_power: float = CLW_POWER
    priors: SurfacePriors = field(default_factory=SurfacePriors)
    squeeze_epsilon: float | None = None
    full: bool = True
    scale: str = "relative"
    base_rows: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.full, bool):
            raise ModelSpecError(f"full must be True or False, got {self.full!r}")
        if self.scale not in SCALES:
            raise ModelSpecError(f"unknown scale {self.scale!r}; choose one of {', '.join(SCALES)}")
        for label, value in (("power", self.power), ("clw_power", self.clw_power)):
            if not np.isfinite(value) or value <= 0:
                raise ModelSpecError(f"{label} must be a positive number, got {value!r}")
        missing = {"model", "benchmark", "plw", "clw", "score"} - set(self.data.columns)
        if missing:
            raise DataSchemaError(
                f"dataset {self.name!r}: missing column(s) {', '.join(sorted(missing))}"
            )
        object.__setattr__(self, "data", self.data.reset_index(drop=True).copy())
        self._check_levels()
        self.response()

    def _check_levels(self) -> None:
        base = (self.data["plw"] == 0) & (self.data["clw"] == 0)
        if base.any():
            raise DataSchemaError(
                f"dataset {self.name!r}: {int(base.sum())} row(s) at plw = 0, clw = 0 (no "
                "training); leave the base model out of a surface fit"
            )
        for column in ("plw", "clw"):
            levels = np.unique(self.data[column].to_numpy(float))
            if levels.size < MIN_LEVELS:
                shown = ", ".join(f"{v:g}" for v in levels)
                raise DataSchemaError(
                    f"dataset {self.name!r} has {levels.size} {column} level(s) ({shown}); the "
                    f"quadratic surface needs at least {MIN_LEVELS} distinct {column} values"
                )
        cells = self.cells()
        design = np.column_stack([np.ones(len(cells)), *self._columns(cells).T])
        if np.linalg.matrix_rank(design) < design.shape[1]:
            raise DataSchemaError(
                f"dataset {self.name!r}: its {len(cells)} (plw, clw) cells cannot identify the "
                "six coefficients of a quadratic surface; sweep both weights on a grid"
            )

    def notes(self) -> list[str]:
        """Plain statements about what was left out or simplified for this data."""
        found = []
        if self.base_rows:
            found.append(
                f"(plw, clw) = (0, 0) is no training (the base model): its {self.base_rows} "
                "row(s) were left out of the surface fit"
            )
        if not self.has_benchmark_slope:
            found.append(f"single benchmark ({self.benchmarks[0]}): benchmark slopes dropped")
        if not self.has_model_intercept:
            found.append(f"single model ({self.models[0]}): random intercept dropped")
        if self.scale == "unit":
            found.append(
                "scores fitted on their own [0, 1] scale (not min-max relative)"
                + (", with a fixed intercept per benchmark" if self.has_benchmark_shifts else "")
            )
        return found

    @property
    def score_label(self) -> str:
        """What the surface's scores are, for axis labels and printed output."""
        return "mean relative score" if self.scale == "relative" else "mean score (proportion)"

    @property
    def has_benchmark_shifts(self) -> bool:
        """True when each benchmark gets its own fixed intercept (unit scale, >1 benchmark)."""
        return self.scale == "unit" and len(self.benchmarks) > 1

    def shift_names(self) -> tuple[str, ...]:
        """Names of the benchmark shifts: ``benchmark_shift_k`` for benchmark ``k`` ≥ 1."""
        if not self.has_benchmark_shifts:
            return ()
        return tuple(f"{SHIFT_PREFIX}{k}" for k in range(1, len(self.benchmarks)))

    def shift_design(self) -> np.ndarray:
        """Rows × indicator of benchmarks 1 … B − 1 (benchmark 0 is the reference)."""
        if not self.has_benchmark_shifts:
            return np.empty((len(self.data), 0))
        return np.eye(len(self.benchmarks))[self.codes("benchmark")][:, 1:]

    def cells(self) -> pd.DataFrame:
        """Distinct observed (plw, clw) pairs, sorted."""
        pairs = self.data[["plw", "clw"]].drop_duplicates().astype(float)
        return pairs.sort_values(["plw", "clw"]).reset_index(drop=True)

    def wp(self, plw=None) -> np.ndarray:
        """Return the transformed PLW of every row (or of ``plw``)."""
        values = self.data["plw"] if plw is None else plw
        return plw_to_wp(np.asarray(values, float), self.power)

    def wc(self, clw=None) -> np.ndarray:
        """Return the transformed CLW of every row (or of ``clw``)."""
        values = self.data["clw"] if clw is None else clw
        return plw_to_wp(np.asarray(values, float), self.clw_power)

    def _columns(self, frame: pd.DataFrame) -> np.ndarray:
        wp, wc = self.wp(frame["plw"]), self.wc(frame["clw"])
        return np.column_stack([wp, wp**2, wc, wc**2, wp * wc])

    def fixed_design(self) -> np.ndarray:
        """Rows × (wp, wp², wc, wc², wp·wc), then the benchmark shifts (null model: only those)."""
        surface = self._columns(self.data) if self.full else np.empty((len(self.data), 0))
        return np.column_stack([surface, self.shift_design()])

    def fixed_names(self) -> tuple[str, ...]:
        """Names of the columns of :meth:`fixed_design`."""
        return (FIXED_TERMS if self.full else ()) + self.shift_names()

    def response(self) -> np.ndarray:
        """Scores squeezed strictly inside (0, 1)."""
        try:
            return squeeze_unit(self.data["score"].to_numpy(float), epsilon=self.squeeze_epsilon)
        except DataSchemaError as err:
            raise DataSchemaError(f"dataset {self.name!r}: {err}") from err

    def codes(self, column: str) -> np.ndarray:
        """Index of every row's benchmark or model in :attr:`benchmarks` / :attr:`models`."""
        order = self.benchmarks if column == "benchmark" else self.models
        return pd.Categorical(self.data[column], categories=order).codes.astype(np.int64)

    def glmm(self) -> GeneralGlmm:
        """Return the model in the general form the sampler backends and the ML route take."""
        p = self.priors
        level = None
        if self.has_model_intercept:
            level = LevelTerm(
                "model_offset",
                "sd_model",
                "pretrained",
                tuple(self.models),
                self.codes("model"),
                sd_shape=p.model_sd_shape,
                sd_rate=p.model_sd_rate,
            )
        return GeneralGlmm(
            X=self.fixed_design(),
            fixed_names=self.fixed_names(),
            y=self.response(),
            level=level,
            terms=self._slope_terms(),
            intercept_sd=p.intercept_sd,
            coef_sd=p.coef_sd,
            kappa_shape=p.kappa_shape,
            kappa_rate=p.kappa_rate,
        )

    def _slope_terms(self) -> tuple[RandomTerm, ...]:
        if not self.has_benchmark_slope:
            return ()
        index, labels = self.codes("benchmark"), tuple(self.benchmarks)
        gamma = (self.priors.slope_sd_shape, self.priors.slope_sd_rate)
        return tuple(
            RandomTerm(
                f"slope_{key}",
                f"sd_slope_{key}",
                "benchmark",
                labels,
                index,
                covariate,
                parameterisation="absorbing" if self.full else "centred",
                sd_gamma=gamma,
                absorbs=key if self.full else None,
            )
            for key, covariate in (("wp", self.wp()), ("wc", self.wc()))
        )

    def parameter_names(self) -> list[str]:
        """Free scalar parameters whose diagnostics are reported."""
        names = [*COEFFICIENTS, "kappa"] if self.full else ["intercept", "kappa"]
        names += self.shift_names()
        if self.has_benchmark_slope:
            names += ["sd_slope_wp", "sd_slope_wc"]
        if self.has_model_intercept:
            names.append("sd_model")
        return names

    def settings_dict(self) -> dict:
        """Return what, besides the data, fixes the model (saved with every fit)."""
        return {
            "power": float(self.power),
            "clw_power": float(self.clw_power),
            "priors": self.priors.to_dict(),
            "scale": self.scale,
            "squeeze": (
                "smithson-verkuilen" if self.squeeze_epsilon is None else self.squeeze_epsilon
            ),
        }
