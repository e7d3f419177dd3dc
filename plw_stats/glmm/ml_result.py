"""The frozen result of a maximum-likelihood fit of the beta GLMM, and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Coefficient:
    """A fixed effect with its Wald test (``se``, ``z``, ``p_value`` None without a Hessian)."""

    estimate: float
    se: float | None
    z: float | None
    p_value: float | None


@dataclass(frozen=True)
class LikelihoodRatio:
    """Likelihood-ratio test of the wp terms: ``2·(loglik − null loglik)`` against χ²(df)."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class CriticalWp:
    """Vertex ``−b1/(2·b2)`` of the population quadratic and its delta-method standard error."""

    estimate: float
    se: float | None


@dataclass(frozen=True)
class CriticalPLW:
    """Critical PLW and the ends of the wp interval mapped to PLW (None without a Hessian)."""

    estimate: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class MLFit:
    """Maximum-likelihood (Laplace) fit of the paper's beta GLMM for one dataset.

    Attributes
    ----------
    coefficients : dict of str to Coefficient
        ``intercept`` (at wp = 0), ``wp`` and ``wp2`` with Wald z and normal p.
    sd_slope, sd_model : float or None
        Random-effect standard deviations; None when the effect is dropped (a single
        benchmark or model).
    kappa : float
        Beta precision (glmmTMB's ``phi``).
    loglik : float
        Laplace log-likelihood at the estimate (all constants included, as glmmTMB's logLik).
    lrt : LikelihoodRatio
        Test against the null model without the fixed wp and wp² terms (χ², 2 df).
    critical_wp : CriticalWp or None
        None unless b2 < 0.
    critical_plw : CriticalPLW or None
        None unless the vertex is an interior maximum (b2 < 0 and 0 < wp* < 1).
    converged : bool
        False when any problem was found.
    problems : tuple of str
        Plain-words convergence problems of the fit and of the null fit.
    covariance : numpy.ndarray or None
        Covariance of (intercept, wp, wp2); None when the Hessian is not positive definite.
    null_loglik : float
        Log-likelihood of the null model.
    """

    coefficients: dict[str, Coefficient]
    sd_slope: float | None
    sd_model: float | None
    kappa: float
    loglik: float
    lrt: LikelihoodRatio
    critical_wp: CriticalWp | None
    critical_plw: CriticalPLW | None
    converged: bool
    problems: tuple[str, ...]
    covariance: np.ndarray | None = field(default=None, repr=False, compare=False)
    null_loglik: float | None = None

    def to_dict(self) -> dict:
        """Return the JSON ``ml`` object: plain floats, ints, bools, strings, lists and None."""
        return {
            "coefficients": {k: asdict(v) for k, v in self.coefficients.items()},
            "sd_slope": self.sd_slope,
            "sd_model": self.sd_model,
            "kappa": self.kappa,
            "loglik": self.loglik,
            "lrt": asdict(self.lrt),
            "critical_wp": asdict(self.critical_wp) if self.critical_wp else None,
            "critical_plw": asdict(self.critical_plw) if self.critical_plw else None,
            "converged": self.converged,
            "problems": list(self.problems),
        }

    @classmethod
    def from_dict(cls, values: dict) -> MLFit:
        """Rebuild a fit from :meth:`to_dict` (a saved fit's record); no covariance."""
        optional = {"critical_wp": CriticalWp, "critical_plw": CriticalPLW}
        return cls(
            coefficients={k: Coefficient(**v) for k, v in values["coefficients"].items()},
            sd_slope=values["sd_slope"],
            sd_model=values["sd_model"],
            kappa=values["kappa"],
            loglik=values["loglik"],
            lrt=LikelihoodRatio(**values["lrt"]),
            **{
                name: kind(**values[name]) if values[name] is not None else None
                for name, kind in optional.items()
            },
            converged=values["converged"],
            problems=tuple(values["problems"]),
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the fixed effects as a table (rows: coefficients; columns: estimate … p_value)."""
        rows = {k: asdict(v) for k, v in self.coefficients.items()}
        return pd.DataFrame.from_dict(rows, orient="index").astype(float)
