"""The paper's beta-regression mixed model, Bayesian, in PyMC.

For one fine-tuning dataset, with ``wp = plw ** p`` and relative scores ``y`` in (0, 1)::

    logit(mu) = b0 + (b1 + u[benchmark]) · wp + b2 · wp² + v[model]
    y ~ Beta(mu, kappa)                      (mean mu, precision kappa)
    u[b] ~ Normal(0, sd_slope),   v[m] ~ Normal(0, sd_model)

Priors are documented in :class:`~plw_stats.models.priors.BetaPriors`; the coordinates NUTS moves
in (the same model, reparameterised so that it samples without divergences) are explained in
:mod:`plw_stats.models.beta_graph`.

A random slope of wp by benchmark with no random intercept, and a random intercept by pretrained
model, as in the paper's Section 5.2.  With a single benchmark (or model) that random effect is
dropped and a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.models import native
from plw_stats.models.priors import BetaPriors
from plw_stats.models.sampling import SamplerSettings, sample
from plw_stats.results import BetaFitResult
from plw_stats.transforms import centred_quadratic, plw_to_wp, relative_scores, squeeze_unit

if TYPE_CHECKING:
    import pymc as pm

MIN_PLW_LEVELS = 3
PARAMETERIZATIONS = ("centered", "noncentered")


@dataclass(frozen=True)
class BetaMixedModel:
    """Specification of the beta mixed model for one fine-tuning dataset.

    Build it with :meth:`from_table` (which computes relative scores over the whole table, as
    the paper does) or directly from a group whose ``score`` already lies in [0, 1].

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
        reference of :mod:`plw_stats.models.evidence`.  Only the quadratic model can be
        :meth:`fit` into a :class:`BetaFitResult`.

    Raises
    ------
    DataSchemaError
        If a column is missing, a score lies outside [0, 1] or there are fewer than three PLW
        levels (a quadratic needs three).
    """

    data: pd.DataFrame
    name: str = "scores"
    power: float = PLW_POWER
    priors: BetaPriors = field(default_factory=BetaPriors)
    squeeze_epsilon: float | None = None
    model_intercept: Literal["centered", "noncentered"] = "centered"
    benchmark_slope: Literal["centered", "noncentered"] = "centered"
    quadratic: bool = True

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

    @property
    def benchmarks(self) -> list[str]:
        """Benchmarks in the order of the random-slope coordinate."""
        return sorted(self.data["benchmark"].unique())

    @property
    def models(self) -> list[str]:
        """Pretrained models in the order of the random-intercept coordinate."""
        return sorted(self.data["model"].unique())

    @property
    def has_benchmark_slope(self) -> bool:
        """Whether the random slope by benchmark is in the model (needs ≥ 2 benchmarks)."""
        return len(self.benchmarks) > 1

    @property
    def has_model_intercept(self) -> bool:
        """Whether the random intercept by model is in the model (needs ≥ 2 models)."""
        return len(self.models) > 1

    def notes(self) -> list[str]:
        """Plain statements about simplifications of the model for this data."""
        found = []
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

    def build(self) -> pm.Model:
        """Return the PyMC model (not yet sampled); see :mod:`plw_stats.models.beta_graph`.

        PyMC is imported here, not at module level: the default sampler never needs it.

        The observed scores are the data container ``score_obs``, so a compiled model can be
        re-run on new scores of the same design (simulation studies).
        """
        import pymc as pm

        from plw_stats.models import beta_graph as graph

        bench = pd.Categorical(self.data["benchmark"], categories=self.benchmarks)
        model_codes = pd.Categorical(self.data["model"], categories=self.models)
        coords = {"benchmark": self.benchmarks, "pretrained": self.models}
        p = self.priors
        centred, means = centred_quadratic(self.wp())
        with pm.Model(coords=coords) as model:
            wp = pm.Data("wp", self.wp())
            if self.quadratic:
                means = pm.Data("wp_means", means)
                b = graph.quadratic_coefficients(centred, p)
                eta = b[0] * (wp - means[0]) + b[1] * (wp**2 - means[1])
            else:
                b, means, eta = (0.0, 0.0), (0.0, 0.0), 0.0
            if self.has_model_intercept:
                idx = pm.Data("model_idx", model_codes.codes.astype("int64"))
                levels, a0 = graph.model_levels(
                    len(self.models), p, centered=self.model_intercept == "centered"
                )
                eta = eta + levels[idx]
            else:
                a0 = graph.grand_intercept(p)
                eta = eta + a0
            if self.has_benchmark_slope:
                idx = pm.Data("benchmark_idx", bench.codes.astype("int64"))
                slopes = graph.benchmark_slopes(p, centered=self.benchmark_slope == "centered")
                eta = eta + slopes[idx] * wp
            pm.Deterministic("intercept", a0 - b[0] * means[0] - b[1] * means[1])
            if self.quadratic:
                pm.Deterministic("b_wp", b[0])
                pm.Deterministic("b_wp2", b[1])
            kappa = pm.Gamma("kappa", alpha=p.kappa_shape, beta=p.kappa_rate)
            observed = pm.Data("score_obs", self.response())
            pm.Beta("score", mu=pm.math.invlogit(eta), nu=kappa, observed=observed)
        return model

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
        names = (
            ["intercept", "b_wp", "b_wp2", "kappa"] if self.quadratic else ["intercept", "kappa"]
        )
        if self.has_benchmark_slope:
            names.append("sd_slope")
        if self.has_model_intercept:
            names.append("sd_model")
        return names

    def fit(
        self,
        settings: SamplerSettings | None = None,
        *,
        random_seed: int = 0,
        hdi_prob: float = HDI_PROB,
        progress: bool = False,
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
        """
        settings = settings or SamplerSettings()
        if not self.quadratic:
            raise ModelSpecError(
                f"dataset {self.name!r}: the null model (quadratic=False) has no wp terms to "
                "summarise; sample it with plw_stats.models.evidence instead"
            )
        if not isinstance(random_seed, int | np.integer) or random_seed < 0:
            raise ModelSpecError(f"random_seed must be a non-negative integer, got {random_seed!r}")
        if settings.sampler == "native" and native.supports(self):
            idata = native.sample_native(self, settings, int(random_seed), progress=progress)
        else:
            idata = sample(
                self.build(), settings, int(random_seed), progress=progress, key=self.graph_key()
            )
        return BetaFitResult.from_idata(
            self, idata, settings=settings, random_seed=int(random_seed), hdi_prob=hdi_prob
        )
