"""Rank statistics of simulation-based calibration and the tests of their uniformity.

For each simulation and parameter, the truth is ranked among ``L`` posterior draws thinned
evenly over the chains (thinning makes the draws nearly independent, which the discrete uniform
law of the ranks assumes).  If the sampler is right, the rank is uniform on {0, …, L}
(Talts et al. 2018).  Two tests:

* **χ² on binned ranks**: ranks grouped into equal-width bins, Pearson's χ² against equal
  expected counts (Talts et al.'s histogram in numbers);
* **ECDF with a simultaneous band** (Säilynoja, Bürkner & Vehtari 2022, the basis of Modrák et
  al. 2023): the empirical CDF of the fractional ranks is compared with the uniform CDF at
  every rank value; the smallest pointwise binomial tail probability is the statistic, and its
  null distribution — simulated from uniform ranks — gives both a p-value and a band that the
  whole ECDF difference stays inside with probability ``prob``.

Everything here is plain arithmetic on arrays (tested without a sampler).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

#: Simulated uniform rank samples behind the ECDF band and p-value.
ECDF_SIMULATIONS = 2000
#: Most bins of the χ² test (and at least this many ranks per bin on average).
MAX_BINS = 20
MIN_PER_BIN = 10


def thin(draws: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws spread evenly over all chains of a (chain, draw) array (chain-major)."""
    flat = np.asarray(draws, dtype=float).reshape(-1)
    if n > flat.size:
        raise ValueError(f"cannot thin {flat.size} draws to {n}")
    return flat[np.round(np.linspace(0, flat.size - 1, n)).astype(int)]


def rank_of(truth: float, draws: np.ndarray) -> float:
    """Count the ``draws`` below ``truth`` (NaN for an unknown truth)."""
    if not np.isfinite(truth):
        return np.nan
    return float(np.sum(np.asarray(draws) < truth))


def chi2_uniformity(ranks, n_draws: int, bins: int | None = None) -> tuple[float, float, int]:
    """Pearson's χ² of ranks in {0, …, n_draws} against the discrete uniform law.

    Returns
    -------
    statistic, p_value, bins
        ``bins`` defaults to ``N // 10`` capped at 20 (at least 2); bins have (nearly) equal
        widths, and the expected counts follow their exact widths.
    """
    ranks = _checked(ranks, n_draws)
    n_values = n_draws + 1
    bins = bins or int(np.clip(ranks.size // MIN_PER_BIN, 2, MAX_BINS))
    bins = min(bins, n_values)
    edges = np.floor(np.linspace(0, n_values, bins + 1)).astype(int)
    counts = np.histogram(ranks, bins=edges - 0.5)[0]
    expected = ranks.size * np.diff(edges) / n_values
    statistic = float(np.sum((counts - expected) ** 2 / expected))
    return statistic, float(stats.chi2.sf(statistic, bins - 1)), bins


@dataclass(frozen=True)
class EcdfBand:
    """Simultaneous band of the ECDF of fractional ranks under uniformity.

    Attributes
    ----------
    z : numpy.ndarray
        Evaluation points ``k / (L + 1)``, k = 1 … L.
    lower, upper : numpy.ndarray
        Band of the ECDF at ``z`` (subtract ``z`` for the ECDF-difference plot).
    gamma : float
        Adjusted pointwise level: the band is the central ``1 − gamma`` binomial interval.
    null : numpy.ndarray
        Simulated null statistics (smallest pointwise tail probability).
    """

    z: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    gamma: float
    null: np.ndarray


@lru_cache(maxsize=32)
def ecdf_band(n_sims: int, n_draws: int, prob: float = 0.95, *, seed: int = 0) -> EcdfBand:
    """Band that the ECDF of ``n_sims`` uniform ranks in {0, …, n_draws} stays inside w.p. ``prob``.

    The simulation method of Säilynoja et al. (2022): the null distribution of the smallest
    pointwise binomial tail probability is simulated from uniform ranks; its ``1 − prob``
    quantile is the pointwise level of the band.  Cached: equal arguments, the same band.
    """
    z = np.arange(1, n_draws + 1) / (n_draws + 1)
    rng = np.random.default_rng(seed)
    null = np.array(
        [
            _smallest_tail(rng.integers(0, n_draws + 1, n_sims), n_draws, z)
            for _ in range(ECDF_SIMULATIONS)
        ]
    )
    gamma = float(np.quantile(null, 1.0 - prob))
    lower = stats.binom.ppf(gamma / 2, n_sims, z) / n_sims
    upper = stats.binom.ppf(1 - gamma / 2, n_sims, z) / n_sims
    return EcdfBand(z=z, lower=lower, upper=upper, gamma=gamma, null=null)


def ecdf_test(ranks, n_draws: int, band: EcdfBand) -> tuple[float, bool]:
    """P-value of the ECDF uniformity test and whether the ECDF stays inside ``band``."""
    ranks = _checked(ranks, n_draws)
    observed = _smallest_tail(ranks, n_draws, band.z)
    ecdf = _ecdf(ranks, band.z, n_draws)
    inside = bool(np.all((ecdf >= band.lower) & (ecdf <= band.upper)))
    return float(np.mean(band.null <= observed)), inside


def rank_ecdf(ranks: pd.DataFrame, n_draws: int, prob: float = 0.95) -> pd.DataFrame:
    """ECDF difference of every parameter's ranks, with its simultaneous band, for plotting.

    Parameters
    ----------
    ranks : pandas.DataFrame
        One column of ranks per parameter (NaN rows are left out).
    n_draws : int
        Draws each rank was taken among.
    prob : float
        Mass of the simultaneous band.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter, z, ecdf_diff, lower, upper`` (the band minus ``z``).
    """
    frames = []
    for name in ranks.columns:
        values = _checked(ranks[name].dropna(), n_draws)
        if values.size == 0:
            continue
        band = ecdf_band(values.size, n_draws, prob)
        frames.append(
            pd.DataFrame(
                {
                    "parameter": name,
                    "z": band.z,
                    "ecdf_diff": _ecdf(values, band.z, n_draws) - band.z,
                    "lower": band.lower - band.z,
                    "upper": band.upper - band.z,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def uniformity_table(ranks: pd.DataFrame, n_draws: int, prob: float = 0.95) -> pd.DataFrame:
    """Both uniformity tests for every parameter (one column of ``ranks`` each).

    Returns
    -------
    pandas.DataFrame
        Index: parameter; columns ``n`` (ranks counted), ``chi2``, ``bins``, ``uniformity_p``
        (the χ² p-value), ``ecdf_p`` and ``inside_band`` (the ECDF stays inside the
        simultaneous ``prob`` band).
    """
    rows = {}
    for name in ranks.columns:
        values = _checked(ranks[name].dropna(), n_draws)
        if values.size < 2:
            continue
        statistic, p_value, bins = chi2_uniformity(values, n_draws)
        ecdf_p, inside = ecdf_test(values, n_draws, ecdf_band(values.size, n_draws, prob))
        rows[name] = {
            "n": int(values.size),
            "chi2": statistic,
            "bins": bins,
            "uniformity_p": p_value,
            "ecdf_p": ecdf_p,
            "inside_band": inside,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _checked(ranks, n_draws: int) -> np.ndarray:
    values = np.asarray(ranks, dtype=float)
    if values.size and (values.min() < 0 or values.max() > n_draws):
        raise ValueError(f"ranks must lie in 0..{n_draws}, got {values.min()}..{values.max()}")
    return values.astype(int)


def _ecdf(ranks: np.ndarray, z: np.ndarray, n_draws: int) -> np.ndarray:
    """Share of ranks below k at each ``z = k / (L + 1)``."""
    counts = np.bincount(ranks, minlength=n_draws + 1)
    return np.cumsum(counts)[: z.size] / ranks.size


def _smallest_tail(ranks: np.ndarray, n_draws: int, z: np.ndarray) -> float:
    """Smallest two-sided binomial tail probability of the ECDF over the evaluation points."""
    n = ranks.size
    hits = np.round(_ecdf(ranks, z, n_draws) * n)
    below = stats.binom.cdf(hits, n, z)
    above = stats.binom.sf(hits - 1, n, z)
    return float(np.min(2 * np.minimum(below, above)))
