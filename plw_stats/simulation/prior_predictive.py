"""Prior predictive check: the relative scores a prior set implies on a design.

Before calibrating a model against its priors, look at what the priors say about data.  Relative
(min-max scaled) scores spread over [0, 1] and, once squeezed, never come within ``0.5 / n`` of
its ends; priors under which a large share of simulated scores sit against 0 or 1 describe
sweeps that no evaluation produces, and push the sampler into regions where the beta likelihood
is numerically saturated.  :func:`prior_predictive` simulates sweeps from a prior set;
:func:`prior_predictive_summary` condenses them into the numbers docs/inference.md reports, and
:func:`~plw_stats.plots.calibration.plot_prior_predictive` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from plw_stats.glmm.priors import BetaPriors
from plw_stats.simulation.sources import prior_truth, simulate_scores
from plw_stats.simulation.sweeps import Design
from plw_stats.transforms import plw_to_wp

#: Scores within this distance of 0 or 1 count as "against a bound".
NEAR_BOUND = 1e-3
#: A sweep with more than this share of its scores against a bound counts as saturated.
SATURATED_SHARE = 0.05


def prior_predictive(
    priors: Mapping[str, BetaPriors] | BetaPriors,
    design: Design | None = None,
    *,
    n_sims: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate ``n_sims`` sweeps of ``design`` from each prior set.

    Parameters
    ----------
    priors : BetaPriors or mapping of name to BetaPriors
        One prior set, or several to compare (each gets the same seed).
    design : Design, optional
        PLW levels, models and benchmarks; the paper's by default.
    n_sims : int
        Sweeps per prior set.
    seed : int
        Seed of the simulation.

    Returns
    -------
    pandas.DataFrame
        Columns ``priors``, ``simulation``, ``score`` (unit scale, as simulated: exact 0 and 1
        kept).
    """
    design = design or Design()
    sets = {"priors": priors} if isinstance(priors, BetaPriors) else dict(priors)
    levels = np.asarray(design.plw_levels, dtype=float)
    wp = plw_to_wp(np.tile(levels, len(design.models) * len(design.benchmarks)), design.power)
    frames = []
    for name, prior_set in sets.items():
        rng = np.random.default_rng(seed)
        for sim in range(n_sims):
            truth = prior_truth(prior_set, wp, rng)
            scores = simulate_scores(truth, design, 1, rng)["score"].to_numpy()
            frames.append(pd.DataFrame({"priors": name, "simulation": sim, "score": scores}))
    return pd.concat(frames, ignore_index=True)


def prior_predictive_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Condense simulated sweeps per prior set.

    Returns
    -------
    pandas.DataFrame
        Index: prior set; columns ``near_bound`` (share of scores within 0.001 of 0 or 1),
        ``exact_bound`` (share that is exactly 0 or 1 in double precision),
        ``saturated_sweeps`` (share of sweeps with more than 5% of their scores near a bound),
        ``mean_q05``, ``mean_q50``, ``mean_q95`` (quantiles of the sweeps' mean score) and
        ``sd_q50`` (median of the sweeps' standard deviation).
    """
    y = scores["score"].to_numpy(float)
    frame = scores.assign(
        near=(np.minimum(y, 1 - y) < NEAR_BOUND).astype(float),
        exact=((y <= 0) | (y >= 1)).astype(float),
    )
    sweeps = frame.groupby(["priors", "simulation"], sort=False).agg(
        near=("near", "mean"), mean=("score", "mean"), sd=("score", "std")
    )
    by_set = sweeps.groupby(level="priors", sort=False)
    return pd.DataFrame(
        {
            "near_bound": frame.groupby("priors", sort=False)["near"].mean(),
            "exact_bound": frame.groupby("priors", sort=False)["exact"].mean(),
            "saturated_sweeps": by_set["near"].apply(lambda s: float((s > SATURATED_SHARE).mean())),
            "mean_q05": by_set["mean"].quantile(0.05),
            "mean_q50": by_set["mean"].quantile(0.5),
            "mean_q95": by_set["mean"].quantile(0.95),
            "sd_q50": by_set["sd"].median(),
        }
    )
