"""What a fitted curve looks like: the posterior mean score along wp, and the observed runs.

Computed here, drawn by :mod:`plw_stats.plots.fitted`: plotting never touches a posterior.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit

from plw_stats import mcmc_stats
from plw_stats.glmm.design import BetaDesign
from plw_stats.transforms import wp_to_plw

#: Label of the population-level curve in :func:`fitted_curve`.
POPULATION = "population"


def fitted_curve(
    design: BetaDesign, posterior: xr.Dataset, *, prob: float, n_points: int = 101
) -> pd.DataFrame:
    """Posterior of the mean relative score along wp, for the population and each model.

    The population curve is ``invlogit(b0 + b1·wp + b2·wp²)`` (benchmark slopes and model
    offsets at zero); each model's curve adds that model's offset.

    Parameters
    ----------
    design : BetaDesign
        The fitted design (its power maps wp to PLW).
    posterior : xarray.Dataset
        Posterior with ``intercept``, ``wp``, ``wp2`` and, with several models, ``model_offset``.
    prob : float
        Mass of the pointwise HDI.
    n_points : int
        Points on the wp grid over [0, 1].

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``curve`` (``"population"`` or a model name), ``wp``, ``plw``,
        ``mean``, ``hdi_low``, ``hdi_high``.
    """
    wp = np.linspace(0.0, 1.0, n_points)
    stacked = posterior.stack(sample=("chain", "draw"))
    eta = (
        stacked["intercept"].to_numpy()[:, None]
        + stacked["wp"].to_numpy()[:, None] * wp
        + stacked["wp2"].to_numpy()[:, None] * wp**2
    )
    offsets = {POPULATION: np.zeros(eta.shape[0])}
    if "model_offset" in posterior.data_vars:
        for model in stacked["pretrained"].to_numpy():
            offsets[str(model)] = stacked["model_offset"].sel(pretrained=model).to_numpy()
    frames = [
        _curve_frame(name, wp, expit(eta + off[:, None]), prob, design.power)
        for name, off in offsets.items()
    ]
    return pd.concat(frames, ignore_index=True)


def _curve_frame(name: str, wp: np.ndarray, mu: np.ndarray, prob: float, power: float):
    band = mcmc_stats.hdi(mu.T, prob, axis=-1)
    return pd.DataFrame(
        {
            "curve": name,
            "wp": wp,
            "plw": wp_to_plw(wp, power),
            "mean": mu.mean(axis=0),
            "hdi_low": band[:, 0],
            "hdi_high": band[:, 1],
        }
    )


def observed_aggregate(design: BetaDesign) -> pd.DataFrame:
    """Relative aggregate of each run the model was fitted on.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, plw, wp, relative`` (mean relative score over benchmarks and seeds).
    """
    data = design.data.assign(wp=design.wp())
    table = data.groupby(["model", "plw", "wp"], as_index=False)["score"].mean()
    return table.rename(columns={"score": "relative"})
