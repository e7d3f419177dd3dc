"""Planning a PLW sweep: power to detect the quadratic effect and the expected PLW* precision.

For a proposed design (which PLW levels, how many pretrained models, benchmarks and training
seeds) and an assumed truth (typically the posterior means of a pilot fit, so that the noise —
beta precision, spread of benchmark slopes and of model intercepts — comes from real data), many
sweeps are simulated and fitted with the simulation engine of
:mod:`plw_stats.simulation.calibration`.  Reported per design:

* **Bayesian power**: share of simulated sweeps whose posterior gives ``P(b2 < 0) ≥ threshold``
  (0.975 by default, the one-sided analogue of a 5% test);
* **ML power**: share whose likelihood-ratio p-value of the wp terms is below ``alpha`` — the
  paper's GLMM fitted by maximum likelihood (Laplace, as glmmTMB does; :mod:`plw_stats.glmm.ml`)
  against the same model without the wp terms;
* **PLW* interval width**: median and quartiles of the width of the PLW* highest-density
  interval, and how often it covers the true PLW*.

The cheapest design whose power and width meet the user's needs is the one to run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd

from plw_stats.config import PLW_POWER
from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.progress import Progress
from plw_stats.simulation.calibration import PAPER_TRUTH, StudySetup, coverage_table, run_study
from plw_stats.simulation.sweeps import (
    PAPER_BENCHMARKS,
    PAPER_MODELS,
    PAPER_PLW_LEVELS,
    BenchmarkSpec,
    Design,
    Truth,
)

#: Default sampler settings of planning fits: enough for interval widths and P(b2 < 0).
PLANNING_SETTINGS = SamplerSettings(chains=2, draws=500, tune=500)


@dataclass(frozen=True)
class SweepDesign:
    """A proposed sweep.

    Attributes
    ----------
    plw_levels : tuple of float
        PLW values to train at (at least three distinct values in [0, 1]).
    n_models, n_benchmarks, n_seeds : int
        Pretrained models, evaluation benchmarks and training seeds per (model, PLW) run.
    power : float
        Exponent of ``wp = plw ** power``.
    """

    plw_levels: tuple[float, ...] = PAPER_PLW_LEVELS
    n_models: int = 2
    n_benchmarks: int = 13
    n_seeds: int = 1
    power: float = PLW_POWER

    def __post_init__(self) -> None:
        levels = np.unique(np.asarray(self.plw_levels, dtype=float))
        if levels.size < 3 or levels.min() < 0 or levels.max() > 1:
            raise ModelSpecError(
                f"plw_levels needs at least 3 distinct values in [0, 1], got {self.plw_levels!r}"
            )
        for name in ("n_models", "n_benchmarks", "n_seeds"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise ModelSpecError(f"{name} must be a positive integer, got {value!r}")
        object.__setattr__(self, "plw_levels", tuple(float(v) for v in levels))

    @property
    def n_runs(self) -> int:
        """Fine-tuning runs the sweep needs (levels × models × seeds)."""
        return len(self.plw_levels) * self.n_models * self.n_seeds

    @property
    def n_rows(self) -> int:
        """Scores the sweep yields (runs × benchmarks)."""
        return self.n_runs * self.n_benchmarks

    def to_design(self) -> Design:
        """Return the simulator's design: the paper's models and benchmarks, then numbered ones."""
        models = [*PAPER_MODELS, *(f"model{i + 1}" for i in range(2, self.n_models))]
        extra = (
            BenchmarkSpec(f"benchmark{i + 1:02d}", "MC", 0.0, 1.0)
            for i in range(len(PAPER_BENCHMARKS), self.n_benchmarks)
        )
        benchmarks = (*PAPER_BENCHMARKS, *extra)[: self.n_benchmarks]
        return Design(
            plw_levels=self.plw_levels,
            models=tuple(models[: self.n_models]),
            benchmarks=benchmarks,
            power=self.power,
        )

    def to_dict(self) -> dict:
        """Plain-dict form, with the run and row counts."""
        return asdict(self) | {"n_runs": self.n_runs, "n_rows": self.n_rows}


def truth_from_posterior(posterior) -> Truth:
    """Posterior means of a fit as a simulation truth (absent random effects get sd 0).

    Parameters
    ----------
    posterior : xarray.Dataset or DataTree node
        The ``posterior`` group of a fit of the quadratic model (e.g. ``fit.idata["posterior"]``
        or a netCDF written by ``plw-stats fit --out``).
    """
    names = set(posterior.data_vars) if hasattr(posterior, "data_vars") else set(posterior)
    missing = {"intercept", "wp", "wp2", "kappa"} - names
    if missing:
        raise ModelSpecError(
            f"posterior lacks {', '.join(sorted(missing))}; pass the posterior of a "
            "plw-stats fit of the quadratic model"
        )

    def mean(name: str) -> float:
        return float(posterior[name].mean()) if name in names else 0.0

    return Truth(
        intercept=mean("intercept"),
        b1=mean("wp"),
        b2=mean("wp2"),
        sd_slope=mean("sd_slope"),
        sd_model=mean("sd_model"),
        kappa=mean("kappa"),
    )


@dataclass(frozen=True)
class PlanResult:
    """What a proposed sweep is expected to deliver.

    Attributes
    ----------
    design : SweepDesign
    truth : Truth
        The assumed parameters.
    n_sims : int
        Simulated sweeps.
    power_bayes, power_ml : float
        Shares of sweeps detecting the effect (see the module docstring).
    power_bayes_se, power_ml_se : float
        Monte Carlo standard errors of the two powers.
    plw_width_median, plw_width_q25, plw_width_q75 : float
        Quartiles of the PLW* interval width (NaN where fewer than 2 draws had a maximum).
    plw_coverage : float
        Share of PLW* intervals covering the true PLW* (NaN if the truth has no interior max).
    settings : dict
        Interval mass, thresholds, sampler settings and seed.
    table : pandas.DataFrame
        The per-simulation table of :func:`~plw_stats.simulation.calibration.run_study`.
    """

    design: SweepDesign
    truth: Truth
    n_sims: int
    power_bayes: float
    power_bayes_se: float
    power_ml: float
    power_ml_se: float
    plw_width_median: float
    plw_width_q25: float
    plw_width_q75: float
    plw_coverage: float
    settings: dict = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_dict(self) -> dict:
        """JSON-ready summary (no timings: equal seeds, equal output)."""
        skip = {"design", "truth", "table"}
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        return {"design": self.design.to_dict(), "truth": asdict(self.truth), **values}


def _share(flags: np.ndarray) -> tuple[float, float]:
    share = float(np.mean(flags))
    return share, float(np.sqrt(share * (1 - share) / flags.size))


def plan_sweep(
    design: SweepDesign,
    truth: Truth = PAPER_TRUTH,
    *,
    n_sims: int = 40,
    seed: int = 0,
    n_jobs: int = 1,
    scheduler=None,
    progress: Progress | None = None,
    settings: SamplerSettings = PLANNING_SETTINGS,
    prob: float = 0.9,
    threshold: float = 0.975,
    alpha: float = 0.05,
) -> PlanResult:
    """Estimate by simulation what ``design`` delivers under ``truth``.

    Parameters
    ----------
    design : SweepDesign
        The proposed sweep.
    truth : Truth
        Assumed parameters; :func:`truth_from_posterior` turns a pilot fit into one.
    n_sims : int
        Simulated sweeps (the Monte Carlo error of a power is at most ``0.5/sqrt(n_sims)``).
    seed : int
        Seed of the study; equal seeds give equal results for any ``n_jobs``.
    n_jobs : int
        Local worker processes (without a scheduler).
    scheduler : str or dask.distributed.Client, optional
        A Dask scheduler address (or client) to run the fits on.
    progress : Progress, optional
        Advanced once per finished simulation.
    settings : SamplerSettings
        Sampler settings of each fit.
    prob : float
        Mass of the PLW* interval.
    threshold : float
        Posterior probability of ``b2 < 0`` that counts as a detection.
    alpha : float
        Level of the ML likelihood-ratio test.

    Returns
    -------
    PlanResult
    """
    if not (0 < threshold < 1 and 0 < alpha < 1):
        raise ModelSpecError(f"threshold and alpha must lie in (0, 1), got {threshold}, {alpha}")
    setup = StudySetup(
        design=design.to_design(),
        truth=truth,
        replicates=design.n_seeds,
        settings=settings,
        prob=prob,
        ml_test=True,
    )
    table = run_study(
        setup, n_sims, seed=seed, n_jobs=n_jobs, scheduler=scheduler, progress=progress
    )
    bayes, bayes_se = _share(table["prob_b2_negative"].to_numpy() >= threshold)
    ml, ml_se = _share(table["ml_p_value"].fillna(1.0).to_numpy() < alpha)
    width = (table["plw_high"] - table["plw_low"]).to_numpy()
    q25, q50, q75 = (
        np.nanquantile(width, [0.25, 0.5, 0.75]) if np.isfinite(width).any() else [np.nan] * 3
    )
    return PlanResult(
        design=design,
        truth=truth,
        n_sims=n_sims,
        power_bayes=bayes,
        power_bayes_se=bayes_se,
        power_ml=ml,
        power_ml_se=ml_se,
        plw_width_median=float(q50),
        plw_width_q25=float(q25),
        plw_width_q75=float(q75),
        plw_coverage=float(coverage_table(table).loc["plw", "coverage"]),
        settings={
            "seed": seed,
            "prob": prob,
            "threshold": threshold,
            "alpha": alpha,
            "sampler": settings.to_dict(),
        },
        table=table,
    )
