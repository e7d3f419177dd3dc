"""Read the optimal PLW off a fitted tensor surface: the argmax at each ratio and the flat flag.

The tensor term's partial effect is evaluated on ``n_points`` equally spaced values of the
model's first axis (PLW, or wp with ``scale="wp"``) in [0, 1] at each ratio of the grid; the
benchmark factor only adds a constant and drops out of both the argmax and the max − min.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pygam import LinearGAM

from plw_stats.gam.design import GamDesign, GroupDesign, OptimumSettings
from plw_stats.transforms import plw_to_wp, wp_to_plw


def optimum_frame(
    spec: GamDesign,
    gam: LinearGAM,
    design: GroupDesign,
    settings: OptimumSettings,
    *,
    score_range: float | None = None,
    basis=None,
) -> pd.DataFrame:
    """Optimal PLW, spread and flat flag at each ratio of the grid for one fitted group.

    The tensor term's partial effect is evaluated on ``n_points`` equally spaced values of the
    first margin (PLW or wp) in [0, 1]; the benchmark factor adds a constant and drops out.
    ``score_range`` (default: the range of ``design.y``) is the reference of the flat flag;
    ``basis`` is an optional precomputed :func:`grid_basis`.
    """
    surface = tensor_effect(gam, design, settings.ratio_grid, settings.n_points, basis=basis)
    score_range = design.score_range if score_range is None else score_range
    plw, spread, fraction = read_optimum(spec, surface, score_range)
    ratios = np.asarray(settings.ratio_grid)
    lo, hi = spec.ratio_range
    return pd.DataFrame(
        {
            "group": design.name,
            "ratio": ratios,
            "plw": plw,
            "wp": plw_to_wp(plw, spec.power),
            "flat": fraction < settings.flat_fraction,
            "spread": spread,
            "spread_fraction": fraction,
            "extrapolated": (ratios < lo) | (ratios > hi),
        }
    )


def read_optimum(spec: GamDesign, surface: np.ndarray, score_range: float):
    """Argmax and spread of each row of a (ratio × grid) surface.

    Returns
    -------
    tuple of numpy.ndarray
        The maximising PLW (first on the grid when tied), the max − min and that spread as a
        share of ``score_range`` (0 when the range is 0), one value per ratio.
    """
    x = np.linspace(0.0, 1.0, surface.shape[1])
    best = x[np.argmax(surface, axis=1)]
    spread = surface.max(axis=1) - surface.min(axis=1)
    fraction = spread / score_range if score_range > 0 else np.zeros_like(spread)
    plw = best if spec.scale == "plw" else wp_to_plw(best, spec.power)
    return plw, spread, fraction


def grid_basis(gam: LinearGAM, design: GroupDesign, ratios, n_points: int):
    """Tensor-term basis on a (ratio × first-margin) grid, rows ordered ratio-major.

    The margins' edge knots are fixed by the specification, so the basis of a refit (as in
    the bootstrap) is the same and can be reused.
    """
    ratios = np.asarray(ratios, dtype=float)
    grid = np.zeros((ratios.size * n_points, design.X.shape[1]))
    grid[:, 0] = np.tile(np.linspace(0.0, 1.0, n_points), ratios.size)
    grid[:, 1] = np.repeat(ratios, n_points)
    return gam.terms[0].build_columns(grid)


def tensor_effect(
    gam: LinearGAM, design: GroupDesign, ratios, n_points: int, *, basis=None
) -> np.ndarray:
    """Partial effect of the tensor term on a (ratio × first-margin) grid, shape (R, n_points).

    Equal to pygam's ``partial_dependence(term=0)`` on that grid; ``basis`` (from
    :func:`grid_basis`) skips rebuilding the spline basis.
    """
    ratios = np.atleast_1d(np.asarray(ratios, dtype=float))
    if basis is None:
        basis = grid_basis(gam, design, ratios, n_points)
    coef = gam.coef_[gam.terms.get_coef_indices(0)]
    return np.asarray(basis @ coef).reshape(ratios.size, n_points)
