"""MCMC summaries of plain arrays: highest-density interval, rank-normalised R-hat and ESS.

The numbers are those of ``arviz_stats.base.array_stats`` (``hdi`` with its default "nearest"
method, ``rhat`` with "rank", ``ess`` with "bulk", "tail" and "mean"), after Vehtari, Gelman,
Simpson, Carpenter & Bürkner (2021), *Rank-normalization, folding, and localization: an improved
R-hat for assessing convergence of MCMC*, Bayesian Analysis 16(2), 667–718.

Only NumPy is imported: importing ``arviz_stats`` costs about 0.7 s at start-up (it pulls in
``scipy.stats``) and even ``scipy.special`` about 0.3 s, while these summaries need one special
function, the normal quantile (:func:`normal_quantile`).

``hdi``, ``ess(method="mean")`` and ``ess(method="tail")`` are bit-identical to arviz_stats.
``rhat`` and ``ess(method="bulk")`` go through the normal quantile, here Wichura's AS 241
rather than SciPy's Cephes ``ndtri``; both are accurate to about 1e-16, so they agree to about
1e-15 relative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

#: Blom's (1958) offset in the rank-to-probability back-transform, as arviz_stats.
_BLOM = 3 / 8
#: Fewest draws per chain for R-hat and ESS; fewer gives NaN, as arviz_stats.
_MIN_DRAWS = 4

# Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37(3), 477–484: numerator and
# denominator coefficients, highest power first (np.polyval order).
# fmt: off
_CENTRAL = (
    (
        2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
        4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
        1.3314166789178437745e2, 3.3871328727963666080e0,
    ),
    (
        5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
        2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
        4.2313330701600911252e1, 1.0,
    ),
)
_NEAR_TAIL = (
    (
        7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
        1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
        4.63033784615654529590e0, 1.42343711074968357734e0,
    ),
    (
        1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
        1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
        2.05319162663775882187e0, 1.0,
    ),
)
_FAR_TAIL = (
    (
        2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
        2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
        5.46378491116411436990e0, 6.65790464350110377720e0,
    ),
    (
        2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
        7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
        5.99832206555887937690e-1, 1.0,
    ),
)
# fmt: on


def normal_quantile(p):
    """Quantile function of the standard normal distribution (Wichura's AS 241).

    Parameters
    ----------
    p : float or array_like
        Probabilities.

    Returns
    -------
    numpy.ndarray
        ``z`` with ``P(Z <= z) = p``, relative error about 1e-16; ``-inf`` at 0, ``inf`` at 1
        and NaN outside [0, 1].
    """
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        central = q * _rational(0.180625 - q * q, _CENTRAL)
        r = np.sqrt(-np.log(np.minimum(p, 1.0 - p)))
        tail = np.where(r <= 5.0, _rational(r - 1.6, _NEAR_TAIL), _rational(r - 5.0, _FAR_TAIL))
    z = np.where(np.abs(q) <= 0.425, central, np.where(q < 0, -tail, tail))
    z = np.where(p == 0.0, -np.inf, np.where(p == 1.0, np.inf, z))
    return np.where((p < 0.0) | (p > 1.0), np.nan, z)


def _rational(x, coefficients):
    numerator, denominator = coefficients
    return np.polyval(numerator, x) / np.polyval(denominator, x)


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
    ranks = _average_ranks(values)
    return normal_quantile((ranks - _BLOM) / (ranks.size - 2 * _BLOM + 1))


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
    n = chains.shape[1]
    size = _next_regular(2 * n)
    centred = chains - chains.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    spectrum *= np.conjugate(spectrum)
    return np.fft.irfft(spectrum, n=size, axis=1)[:, :n] / n


def _next_regular(target: int) -> int:
    """Smallest ``2**a * 3**b * 5**c >= target`` (the FFT length arviz_stats pads to)."""
    best = 1 << (target - 1).bit_length()
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            candidate = power35
            while candidate < target:
                candidate *= 2
            best = min(best, candidate)
            power35 *= 3
        power5 *= 5
    return best
