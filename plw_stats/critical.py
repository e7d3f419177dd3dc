"""The critical (score-maximising) PLW of a quadratic in wp — pure arithmetic, no sampler.

For ``logit(mu) = b0 + b1·wp + b2·wp²`` the vertex is ``wp* = −b1 / (2·b2)``; it is an interior
maximum only when ``b2 < 0`` and ``0 < wp* < 1``.  ``PLW* = wp* ** (1 / p)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plw_stats.config import PLW_POWER
from plw_stats.errors import ModelSpecError
from plw_stats.transforms import wp_to_plw


def critical_wp(b1, b2):
    """Vertex ``−b1 / (2·b2)`` of the quadratic in wp (NaN where ``b2 == 0``)."""
    b1 = np.asarray(b1, dtype=float)
    b2 = np.asarray(b2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = np.where(b2 != 0, -b1 / (2.0 * np.where(b2 != 0, b2, 1.0)), np.nan)
    return vertex[()] if vertex.ndim == 0 else vertex


def interior_maximum(b1, b2):
    """Flag where the quadratic has its maximum strictly inside (0, 1) on the wp scale."""
    vertex = critical_wp(b1, b2)
    with np.errstate(invalid="ignore"):
        return (np.asarray(b2) < 0) & (vertex > 0) & (vertex < 1)


@dataclass(frozen=True)
class CriticalPoint:
    """The critical point of one quadratic, on the wp and the PLW scale.

    Attributes
    ----------
    wp : float
        Vertex on the wp scale (may fall outside [0, 1]).
    plw : float or None
        ``wp ** (1 / power)`` when the vertex is an interior maximum, else None.
    interior_max : bool
        Whether ``b2 < 0`` and ``0 < wp < 1``.
    """

    wp: float
    plw: float | None
    interior_max: bool


def critical_point(b1: float, b2: float, power: float = PLW_POWER) -> CriticalPoint:
    """Critical wp and PLW for given coefficients.

    Parameters
    ----------
    b1, b2 : float
        Linear and quadratic coefficients of wp on the logit scale.
    power : float, optional
        PLW transform exponent; defaults to ``config.PLW_POWER``.

    Returns
    -------
    CriticalPoint

    Raises
    ------
    ModelSpecError
        If ``b2`` is zero (no vertex) or a coefficient is not finite.

    Examples
    --------
    The paper's AlpacaDataShort coefficients:

    >>> round(critical_point(5.590, -4.284).plw, 3)
    0.242
    """
    if not (np.isfinite(b1) and np.isfinite(b2)):
        raise ModelSpecError(f"coefficients must be finite numbers, got b1={b1!r}, b2={b2!r}")
    if b2 == 0:
        raise ModelSpecError("b2 = 0: the curve is a straight line and has no critical point")
    wp = float(critical_wp(b1, b2))
    interior = bool(interior_maximum(b1, b2))
    plw = float(wp_to_plw(wp, power)) if interior else None
    return CriticalPoint(wp=wp, plw=plw, interior_max=interior)
