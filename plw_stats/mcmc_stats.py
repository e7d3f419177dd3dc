"""MCMC summaries of plain arrays: highest-density interval, rank-normalised R-hat and ESS.

The numbers are those of ``arviz_stats.base.array_stats`` (``hdi`` with its default "nearest"
method, ``rhat`` with "rank", ``ess`` with "bulk", "tail" and "mean"), after Vehtari, Gelman,
Simpson, Carpenter & Bürkner (2021), *Rank-normalization, folding, and localization: an improved
R-hat for assessing convergence of MCMC*, Bayesian Analysis 16(2), 667–718.

Importing ``arviz_stats`` costs about 0.7 s at start-up (it pulls in ``scipy.stats``); these
summaries need only SciPy's normal quantile (``scipy.special.ndtri``) and FFT length
(``scipy.fftpack.next_fast_len``), imported where they are used, so that :func:`hdi` alone
needs nothing but NumPy (the fits that call :func:`rhat` and :func:`ess` import
``scipy.special`` anyway).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

#: Blom's (1958) offset in the rank-to-probability back-transform, as arviz_stats.
_BLOM = 3 / 8
#: Fewest draws per chain for R-hat and ESS; fewer gives NaN, as arviz_stats.
_MIN_DRAWS = 4


def hdi(values, prob: float, axis: int | Sequence[int] | None = -1) -> np.ndarray:
    """Highest-density interval: the narrowest interval between draws holding ``prob`` of them.

    Parameters
    ----------
    values : array_like
        Draws.
    prob : float
        Probability mass of the interval, in (0, 1].
    axis : int, sequence of int or None, optional
        Axes holding the draws (flattened together); None uses all of them.

    Returns
    -------
    numpy.ndarray
        Float array of the remaining axes' shape plus a last axis ``(low, high)``.

    Raises
    ------
    ValueError
        If ``prob`` is outside (0, 1] or there are no draws.
    """
    if not 1 >= prob > 0:
        raise ValueError("The value of `prob` must be in the (0, 1] interval.")
    array = np.asarray(values)
    core = _normalise_axes(array.ndim, axis)
    array = _move_to_end(array, core)
    n = math.prod(array.shape[array.ndim - len(core) :])
    if n == 0:
        raise ValueError("Too few elements for interval calculation.")
    ordered = np.sort(array.reshape((*array.shape[: array.ndim - len(core)], n)), axis=-1)
    span = min(int(np.floor(prob * n)), n - 1)
    widths = np.subtract(ordered[..., span:], ordered[..., : n - span], dtype=np.float64)
    low = np.argmin(widths, axis=-1)[..., np.newaxis]
    bounds = (np.take_along_axis(ordered, low, -1), np.take_along_axis(ordered, low + span, -1))
    return np.concatenate(bounds, axis=-1).astype(float)


def rhat(values, chain_axis: int = -2, draw_axis: int = -1) -> np.ndarray:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) R-hat.

    Parameters
    ----------
    values : array_like
        Draws with a chain and a draw axis (any others are kept).
    chain_axis, draw_axis : int, optional
        Positions of the chain and the draw axis.

    Returns
    -------
    numpy.ndarray
        R-hat per entry of the other axes (0-d for a (chain, draw) input); NaN with fewer than
        2 chains or 4 draws or any NaN draw, NaN or inf (silently) when the chains are constant.
    """
    return _per_chain_draw(values, chain_axis, draw_axis, _rhat_rank)


def ess(
    values,
    method: str = "bulk",
    chain_axis: int = -2,
    draw_axis: int = -1,
    prob: float | tuple[float, float] = 0.05,
) -> np.ndarray:
    """Effective sample size by Geyer's initial monotone sequence over split chains.

    Parameters
    ----------
    values : array_like
        Draws with a chain and a draw axis (any others are kept).
    method : {"bulk", "tail", "mean"}, optional
        "bulk" of rank-normalised draws, "mean" of the raw draws, "tail" the smaller ESS of the
        two quantile indicators ``draw <= quantile``.
    chain_axis, draw_axis : int, optional
        Positions of the chain and the draw axis.
    prob : float or (float, float), optional
        For "tail" only: the quantiles ``(prob, 1 - prob)``, or the pair itself. arviz_stats'
        array interface has no default; 0.05 is Vehtari et al.'s (2021) tail ESS.

    Returns
    -------
    numpy.ndarray
        ESS per entry of the other axes (0-d for a (chain, draw) input); NaN with fewer than 4
        draws or any NaN draw; the number of (split) draws when the draws are constant.

    Raises
    ------
    ValueError
        If ``method`` is not one of the above.
    """
    if method == "tail":
        low, high = sorted((prob, 1 - prob)) if np.ndim(prob) == 0 else prob
        return _per_chain_draw(values, chain_axis, draw_axis, _ess_tail, (low, high))
    functions = {"bulk": _ess_bulk, "mean": _ess_mean}
    if method not in functions:
        raise ValueError(f"unknown ESS method {method!r}; use 'bulk', 'tail' or 'mean'")
    return _per_chain_draw(values, chain_axis, draw_axis, functions[method])


def _normalise_axes(ndim: int, axis) -> list[int]:
    if axis is None:
        return list(range(ndim))
    axes = [axis] if isinstance(axis, int | np.integer) else list(axis)
    return [int(a) + ndim if a < 0 else int(a) for a in axes]


def _move_to_end(array: np.ndarray, axes: list[int]) -> np.ndarray:
    """Transpose so that ``axes`` come last, in the given order; the others keep theirs."""
    rest = [i for i in range(array.ndim) if i not in axes]
    return np.transpose(array, rest + axes)


def _per_chain_draw(values, chain_axis: int, draw_axis: int, statistic: Callable, *args):
    """Apply ``statistic`` to every (chain, draw) slice of ``values``."""
    array = np.asarray(values, dtype=float)
    array = _move_to_end(array, _normalise_axes(array.ndim, [chain_axis, draw_axis]))
    out = np.empty(array.shape[:-2])
    for index in np.ndindex(out.shape):
        out[index] = statistic(array[index], *args)
    return out


def _unusable(draws: np.ndarray, min_chains: int) -> bool:
    n_chain, n_draw = draws.shape
    return bool(np.isnan(draws).any()) or n_chain < min_chains or n_draw < _MIN_DRAWS


def _split_chains(draws: np.ndarray) -> np.ndarray:
    """Halve every chain; with an odd draw count the middle draw is left out."""
    half = draws.shape[1] // 2
    return np.vstack((draws[:, :half], draws[:, -half:]))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the flattened values, ties sharing the mean of their ranks."""
    flat = values.ravel()
    order = np.argsort(flat, kind="mergesort")
    ordered = flat[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    bounds = np.r_[np.flatnonzero(starts), flat.size]
    ranks = np.empty(flat.size)
    ranks[order] = 0.5 * (bounds[group] + bounds[group + 1] + 1)
    return ranks.reshape(values.shape)


def _z_scale(values: np.ndarray) -> np.ndarray:
    """Rank-normalise: normal quantiles of the Blom-offset ranks."""
    from scipy.special import ndtri

    ranks = _average_ranks(values)
    return ndtri((ranks - _BLOM) / (ranks.size - 2 * _BLOM + 1))


def _rhat_of_split(chains: np.ndarray) -> float:
    """Classic R-hat of (already split) chains."""
    n_draw = chains.shape[1]
    between = n_draw * np.var(np.mean(chains, axis=1), ddof=1)
    within = np.mean(np.var(chains, axis=1, ddof=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((between / within + n_draw - 1) / n_draw)


def _rhat_rank(draws: np.ndarray) -> float:
    if _unusable(draws, min_chains=2):
        return np.nan
    split = _split_chains(draws)
    bulk = _rhat_of_split(_z_scale(split))
    tail = _rhat_of_split(_z_scale(abs(split - np.median(split))))
    return max(bulk, tail)


def _ess_bulk(draws: np.ndarray) -> float:
    if _unusable(draws, min_chains=1):
        return np.nan
    return _ess_of_split(_z_scale(_split_chains(draws)))


def _ess_mean(draws: np.ndarray) -> float:
    if _unusable(draws, min_chains=1):
        return np.nan
    return _ess_of_split(_split_chains(draws))


def _ess_tail(draws: np.ndarray, probs: tuple[float, float]) -> float:
    if _unusable(draws, min_chains=1):
        return np.nan
    return min(_ess_quantile(draws, probs[0]), _ess_quantile(draws, probs[1]))


def _ess_quantile(draws: np.ndarray, prob: float) -> float:
    below = draws <= np.quantile(draws, prob, axis=None)
    return _ess_of_split(_split_chains(below).astype(float))


def _ess_of_split(chains: np.ndarray) -> float:
    """ESS of (already split) chains: their draw count over the integrated autocorrelation."""
    if np.max(chains) - np.min(chains) < np.finfo(float).resolution:
        return float(chains.size)
    n_chain, n_draw = chains.shape
    acov = _autocovariance(chains)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(chains.mean(axis=1), axis=None, ddof=1)
    rho, max_t = _monotone_autocorrelation(acov, mean_var, var_plus)
    total = n_chain * n_draw
    tau = -1.0 + 2.0 * np.sum(rho[: max_t + 1]) + np.sum(rho[max_t + 1 : max_t + 2])
    tau = max(tau, 1 / np.log10(total))
    return np.nan if np.isnan(rho).any() else total / tau


def _monotone_autocorrelation(acov: np.ndarray, mean_var: float, var_plus: float):
    """Combined-chain autocorrelations cut by Geyer's initial positive, then monotone, sequence.

    Returns the autocorrelations (zero beyond the cut) and the last lag summed in full.
    """
    n_draw = acov.shape[1]

    def at(lag: int) -> float:
        return 1.0 - (mean_var - np.mean(acov[:, lag])) / var_plus

    rho = np.zeros(n_draw)
    rho[0] = even = 1.0
    rho[1] = odd = at(1)
    t = 1
    while t < n_draw - 3 and even + odd > 0.0:
        even, odd = at(t + 1), at(t + 2)
        if even + odd >= 0:
            rho[t + 1], rho[t + 2] = even, odd
        t += 2
    max_t = t - 2
    # The last even lag is kept when positive, even if its pair's sum was not (as Stan).
    if even > 0:
        rho[max_t + 1] = even
    for t in range(1, max_t - 1, 2):
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2.0
    return rho, max_t


def _autocovariance(chains: np.ndarray) -> np.ndarray:
    """Autocovariance of every chain at every lag, by FFT."""
    from scipy.fftpack import next_fast_len

    n = chains.shape[1]
    size = next_fast_len(2 * n)
    centred = chains - chains.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    spectrum *= np.conjugate(spectrum)
    return np.fft.irfft(spectrum, n=size, axis=1)[:, :n] / n
