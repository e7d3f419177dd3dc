"""Posterior-predictive model checks: randomized quantile residuals (the DHARMa idea).

For every observation the fitted model simulates replicated scores, one per posterior draw.  The
*scaled residual* is where the observed score falls among its replicates,

``r_i = (#{y_rep < y_i} + U_i · (#{y_rep = y_i} + 1)) / (S + 1)``,  ``U_i ~ Uniform(0, 1)``,

the randomized probability integral transform (Dunn & Smyth 1996; Hartig's DHARMa package).  If
the model is right the residuals are uniform on (0, 1) whatever the likelihood, so one reads them
like residuals of a linear model: a Kolmogorov–Smirnov test of uniformity, a dispersion test
(DHARMa's simulation-based one: the variance of ``y − E[y_rep]`` against that of replicated data)
and plots (:mod:`plw_stats.plots.checks`).  Observations outside all their replicates are counted
as outliers.

The replicates use the same posterior that saw the data, so the checks are mildly conservative,
as DHARMa's are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.kernel import mean_response
from plw_stats.glmm.result import BetaFitResult

#: Replicated datasets kept for the checks (posterior draws are thinned down to this many).
MAX_REPLICATES = 1000


@dataclass(frozen=True)
class ResidualCheck:
    """Scaled residuals and the tests computed from them.

    Attributes
    ----------
    observed : numpy.ndarray
        The modelled scores (squeezed into (0, 1)), one per row of the fitted data.
    simulated : numpy.ndarray
        Replicated scores, shape ``(replicates, observations)``.
    residuals : numpy.ndarray
        Randomized quantile residuals in (0, 1).
    fitted : numpy.ndarray
        Posterior-predictive mean of every observation.
    ks_statistic, ks_p_value : float
        Kolmogorov–Smirnov test of the residuals against Uniform(0, 1).
    dispersion_ratio, dispersion_p_value : float
        Observed over mean replicated variance of ``y − fitted`` (1 when the spread is right,
        > 1 overdispersion) and its two-sided simulation p-value.
    outliers : int
        Observations below or above all their replicates.
    """

    observed: np.ndarray
    simulated: np.ndarray
    residuals: np.ndarray
    fitted: np.ndarray
    ks_statistic: float
    ks_p_value: float
    dispersion_ratio: float
    dispersion_p_value: float
    outliers: int

    def to_dict(self) -> dict:
        """Return the test results as plain numbers (no arrays)."""
        return {
            "ks_statistic": self.ks_statistic,
            "ks_p_value": self.ks_p_value,
            "dispersion_ratio": self.dispersion_ratio,
            "dispersion_p_value": self.dispersion_p_value,
            "outliers": self.outliers,
            "n_observations": int(self.observed.size),
            "n_replicates": int(self.simulated.shape[0]),
        }


def quantile_residuals(
    observed: np.ndarray, simulated: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Randomized quantile residuals of ``observed`` (n) among ``simulated`` (S × n)."""
    observed = np.asarray(observed, dtype=float)
    simulated = np.asarray(simulated, dtype=float)
    if simulated.ndim != 2 or simulated.shape[1] != observed.size:
        raise ModelSpecError(
            f"simulated must have shape (replicates, {observed.size}), got {simulated.shape}"
        )
    below = (simulated < observed).sum(axis=0)
    equal = (simulated == observed).sum(axis=0)
    return (below + rng.uniform(size=observed.size) * (equal + 1)) / (simulated.shape[0] + 1)


def dispersion_test(observed: np.ndarray, simulated: np.ndarray) -> tuple[float, float]:
    """DHARMa's simulation-based dispersion test.

    Returns
    -------
    ratio, p_value : float
        ``var(y − mean(y_rep)) / mean_s var(y_rep,s − mean(y_rep))`` and the two-sided share of
        replicates at least as extreme.
    """
    fitted = simulated.mean(axis=0)
    observed_stat = np.var(observed - fitted)
    simulated_stat = np.var(simulated - fitted, axis=1)
    ratio = float(observed_stat / simulated_stat.mean())
    tail = min(np.mean(simulated_stat >= observed_stat), np.mean(simulated_stat <= observed_stat))
    return ratio, float(min(1.0, 2 * tail))


def check_arrays(
    observed: np.ndarray, simulated: np.ndarray, *, random_seed: int = 0
) -> ResidualCheck:
    """All checks from observed scores and replicated datasets (no sampler involved)."""
    observed = np.asarray(observed, dtype=float)
    simulated = np.asarray(simulated, dtype=float)
    residuals = quantile_residuals(observed, simulated, np.random.default_rng(random_seed))
    ks = stats.kstest(residuals, "uniform")
    ratio, dispersion_p = dispersion_test(observed, simulated)
    below = (simulated < observed).sum(axis=0)
    above = (simulated > observed).sum(axis=0)
    n_sim = simulated.shape[0]
    return ResidualCheck(
        observed=observed,
        simulated=simulated,
        residuals=residuals,
        fitted=simulated.mean(axis=0),
        ks_statistic=float(ks.statistic),
        ks_p_value=float(ks.pvalue),
        dispersion_ratio=ratio,
        dispersion_p_value=dispersion_p,
        outliers=int(np.sum((below == n_sim) | (above == n_sim))),
    )


def posterior_predictive(
    fit: BetaFitResult, *, random_seed: int = 0, max_replicates: int = MAX_REPLICATES
) -> np.ndarray:
    """Replicated scores ``(replicates, observations)`` from the fit's posterior.

    Posterior draws are thinned evenly to at most ``max_replicates``; each replicate draws every
    observation from ``Beta(mu·kappa, (1 − mu)·kappa)`` under one draw (plain NumPy).
    """
    posterior = fit.idata["posterior"].to_dataset()
    n_draws = posterior.sizes["chain"] * posterior.sizes["draw"]
    keep = np.unique(np.linspace(0, n_draws - 1, min(n_draws, max_replicates)).astype(int))
    mu = mean_response(fit.spec, posterior, keep)
    kappa = fit.draws("kappa")[keep][:, None]
    rng = np.random.default_rng(random_seed)
    return rng.beta(mu * kappa, (1.0 - mu) * kappa)


def check_fit(
    fit: BetaFitResult, *, random_seed: int = 0, max_replicates: int = MAX_REPLICATES
) -> ResidualCheck:
    """Posterior-predictive residual checks of a fitted beta mixed model.

    Parameters
    ----------
    fit : BetaFitResult
        The fit to check.
    random_seed : int
        Seed of the replicates and of the residuals' randomization.
    max_replicates : int
        Posterior draws used (thinned evenly).

    Returns
    -------
    ResidualCheck
    """
    simulated = posterior_predictive(fit, random_seed=random_seed, max_replicates=max_replicates)
    return check_arrays(fit.spec.response(), simulated, random_seed=random_seed)
