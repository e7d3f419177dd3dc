"""The response surface by maximum likelihood (Laplace), as glmmTMB fits it.

The model of :mod:`plw_stats.surface.design` in glmmTMB's terms::

    y ~ wp + I(wp^2) + wc + I(wc^2) + wp:wc + (0 + wp | benchmark) + (0 + wc | benchmark)
        + (1 | model),   family = beta_family()

(a random effect is dropped when its factor has a single level).  The random effects are
integrated out by the Laplace approximation and the marginal likelihood maximised with
:func:`plw_stats.glmm.marginal.fit_marginal`.  Reported: Wald z and normal p of the six
coefficients, the likelihood-ratio test against the null model without the five wp/wc terms
(χ², 5 df), the maximiser of the fitted surface over [0, 1]², and glmmTMB's convergence checks in
plain words.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from plw_stats.glmm.laplace import BetaGLMMProblem
from plw_stats.glmm.marginal import SD_BOUNDARY, MarginalFit, fit_marginal
from plw_stats.glmm.ml import likelihood_ratio, wald_coefficients
from plw_stats.glmm.ml_result import Coefficient, LikelihoodRatio
from plw_stats.surface.design import COEFFICIENTS, SurfaceDesign
from plw_stats.surface.optimum import SurfaceGrid, argmax_draws

#: Degrees of freedom of the likelihood-ratio test (the five wp/wc terms).
LRT_DF = 5


@dataclass(frozen=True)
class SurfaceMLFit:
    """Maximum-likelihood (Laplace) fit of the response surface for one dataset.

    Attributes
    ----------
    coefficients : dict of str to Coefficient
        ``intercept, wp, wp2, wc, wc2, wp_wc`` with Wald z and normal p (None without a
        positive-definite Hessian).
    sds : dict of str to float
        Random-effect standard deviations by name (``sd_slope_wp``, ``sd_slope_wc``,
        ``sd_model``, those in the model).
    kappa : float
        Beta precision (glmmTMB's ``phi``).
    loglik, null_loglik : float
        Laplace log-likelihoods of the surface and of the null model.
    lrt : LikelihoodRatio
        Test of the five wp/wc terms (χ², 5 df).
    argmax_plw, argmax_clw : float
        Maximiser of the fitted surface over [0, 1]² (on the evaluation grid).
    converged : bool
        False when any problem was found.
    problems : tuple of str
        Plain-words convergence problems of both fits.
    """

    coefficients: dict[str, Coefficient]
    sds: dict[str, float]
    kappa: float
    loglik: float
    null_loglik: float
    lrt: LikelihoodRatio
    argmax_plw: float
    argmax_clw: float
    converged: bool
    problems: tuple[str, ...]

    def to_dict(self) -> dict:
        """Return the ``ml`` object of the ``surface --json`` contract."""
        return {
            "coefficients": {k: asdict(v) for k, v in self.coefficients.items()},
            "argmax": {"plw": self.argmax_plw, "clw": self.argmax_clw},
            "lrt": asdict(self.lrt),
            "converged": self.converged,
            "problems": list(self.problems),
        }

    def to_record(self) -> dict:
        """Every field, for saving with the fit (:meth:`from_record` reads it back)."""
        extra = {"sds": dict(self.sds), "kappa": self.kappa, "loglik": self.loglik}
        return self.to_dict() | extra | {"null_loglik": self.null_loglik}

    @classmethod
    def from_record(cls, values: dict) -> SurfaceMLFit:
        """Rebuild a fit from :meth:`to_record` (a saved surface fit's record)."""
        return cls(
            coefficients={k: Coefficient(**v) for k, v in values["coefficients"].items()},
            sds={k: float(v) for k, v in values["sds"].items()},
            kappa=float(values["kappa"]),
            loglik=float(values["loglik"]),
            null_loglik=float(values["null_loglik"]),
            lrt=LikelihoodRatio(**values["lrt"]),
            argmax_plw=float(values["argmax"]["plw"]),
            argmax_clw=float(values["argmax"]["clw"]),
            converged=bool(values["converged"]),
            problems=tuple(values["problems"]),
        )


def problems_of(design: SurfaceDesign) -> tuple[BetaGLMMProblem, BetaGLMMProblem, list[str]]:
    """Laplace problems of the surface and of the null model, and the sd names in order."""
    glmm = design.glmm()
    Z, groups = glmm.random_design()
    ones = np.ones((glmm.n_rows, 1))
    null_design = dataclasses.replace(design, full=False)  # the null model evidence samples
    X = np.hstack([ones, design.fixed_design()])
    full = BetaGLMMProblem.from_rows(X, Z, groups, glmm.y)
    null = BetaGLMMProblem.from_rows(
        np.hstack([ones, null_design.fixed_design()]), Z, groups, glmm.y
    )
    return full, null, glmm.sd_names()


def fit_surface_ml(design: SurfaceDesign) -> SurfaceMLFit:
    """Fit the surface and its null model by maximum likelihood (Laplace).

    Parameters
    ----------
    design : SurfaceDesign
        The dataset's surface model (``full=True``).

    Returns
    -------
    SurfaceMLFit
    """
    full_problem, null_problem, sd_names = problems_of(design)
    # the matrices are tiny: BLAS threads only add hand-off latency
    with threadpool_limits(limits=1, user_api="blas"):
        full = fit_marginal(full_problem)
        null = fit_marginal(null_problem, hessian=False)
    b = full.theta[: len(COEFFICIENTS)]
    grid = SurfaceGrid(design.power, design.clw_power)
    wp, wc = argmax_draws(b[None, 1:], grid)
    lrt, lrt_problems = likelihood_ratio(full, null, LRT_DF, "the surface")
    problems = _problems(full, sd_names, full_problem.n_fixed)
    problems += [f"null model: {p}" for p in _optimiser(null)]
    problems += lrt_problems
    n_fixed = full_problem.n_fixed
    return SurfaceMLFit(
        coefficients=wald_coefficients(COEFFICIENTS, b, full.covariance),
        sds={name: float(np.exp(full.theta[n_fixed + g])) for g, name in enumerate(sd_names)},
        kappa=float(np.exp(full.theta[-1])),
        loglik=-full.nll,
        null_loglik=-null.nll,
        lrt=lrt,
        argmax_plw=float(grid.to_plw(wp[0])),
        argmax_clw=float(grid.to_clw(wc[0])),
        converged=not problems,
        problems=tuple(problems),
    )


def _optimiser(fit: MarginalFit) -> list[str]:
    if fit.optimizer_converged:
        return []
    worst = int(np.argmax(np.abs(fit.gradient)))
    return [
        f"optimiser did not converge ({fit.optimizer_message}; largest gradient "
        f"{fit.gradient[worst]:.2g} in parameter {worst}): the estimates may not maximise the "
        "likelihood"
    ]


def _problems(fit: MarginalFit, sd_names: list[str], n_fixed: int) -> list[str]:
    """Turn glmmTMB's checks into plain words: optimiser, Hessian, sds at zero."""
    found = _optimiser(fit)
    if not fit.positive_definite:
        found.append(
            "non-positive-definite Hessian matrix: the likelihood is flat or saddle-shaped at the "
            "estimate, so standard errors and z tests are unavailable"
        )
    for g in fit.boundary:
        found.append(
            f"{sd_names[g]} is at its boundary (estimate "
            f"{np.exp(fit.theta[n_fixed + g]):.1e} < {SD_BOUNDARY:g}): the fit equals the model "
            "without that random effect"
        )
    return found
