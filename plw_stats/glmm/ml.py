"""The paper's beta GLMM by maximum likelihood, as glmmTMB fits it.

For one fine-tuning dataset, with ``wp = plw ** p`` and squeezed relative scores ``y``::

    logit(mu_i) = b0 + b1·wp_i + b2·wp_i² + u[benchmark_i]·wp_i + v[model_i]
    y_i ~ Beta(mu_i·kappa, (1 − mu_i)·kappa),   u ~ N(0, sd_slope²),   v ~ N(0, sd_model²)

— glmmTMB's ``y ~ wp + I(wp^2) + (0 + wp | benchmark) + (1 | model)`` with ``beta_family()``
(its dispersion ``phi`` is ``kappa``).  The random effects are integrated out by the Laplace
approximation and the marginal likelihood is maximised over (b, log sd_slope, log sd_model,
log kappa) (:mod:`plw_stats.glmm.marginal`).  A random effect whose factor has a single level
is dropped.  Every row enters the likelihood, including repeated seeds of one cell.

Reported on the paper's scale (intercept at wp = 0): Wald z and normal p of b from the Hessian
of the marginal likelihood; the likelihood-ratio test against the null model without the wp and
wp² fixed terms (the random slope and intercept stay), χ² with 2 df; the critical wp
``−b1/(2·b2)`` with a delta-method standard error, and the critical PLW with the ends of the wp
interval mapped through ``wp ** (1/p)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special
from threadpoolctl import threadpool_limits

from plw_stats.config import PLW_POWER
from plw_stats.critical import critical_wp, interior_maximum
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.laplace import BetaGLMMProblem
from plw_stats.glmm.marginal import SD_BOUNDARY, MarginalFit, fit_marginal
from plw_stats.glmm.ml_result import (
    Coefficient,
    CriticalPLW,
    CriticalWp,
    LikelihoodRatio,
    MLFit,
)
from plw_stats.transforms import wp_to_plw

#: Coverage of the critical-PLW interval.
CI_LEVEL = 0.95
#: Degrees of freedom of the likelihood-ratio test (wp and wp²).
LRT_DF = 2
COEFFICIENT_NAMES = ("intercept", "wp", "wp2")
#: Distinct wp values a quadratic needs.
MIN_WP_LEVELS = 3
#: A negative likelihood-ratio statistic beyond this is an optimisation failure, not rounding.
LRT_NEGATIVE_TOL = 1e-6
#: What a standard deviation at zero says, in words.
SD_MEANING = {
    "sd_slope": "the wp slope shows no variation between benchmarks",
    "sd_model": "the pretrained models show no difference in level",
}


def fit_ml(
    wp,
    y,
    bench_idx,
    model_idx,
    n_bench: int,
    n_models: int,
    *,
    power: float = PLW_POWER,
    level: float = CI_LEVEL,
) -> MLFit:
    """Fit the paper's beta GLMM and its null model by maximum likelihood (Laplace).

    Parameters
    ----------
    wp : array_like
        Transformed PLW ``plw ** power`` of every row.
    y : array_like
        Squeezed relative scores, strictly inside (0, 1).
    bench_idx, model_idx : array_like of int
        Benchmark and pretrained-model index of every row, in ``[0, n_bench)`` and
        ``[0, n_models)``.
    n_bench, n_models : int
        Number of benchmarks and models; one level drops that random effect.
    power : float
        Exponent of the PLW transform, to map the critical wp to PLW; defaults to
        ``config.PLW_POWER``.
    level : float
        Coverage of the critical-PLW interval (normal quantiles); 0.95 by default.

    Returns
    -------
    MLFit

    Raises
    ------
    DataSchemaError
        If the arrays differ in length, ``y`` leaves (0, 1), ``wp`` is not finite, an index is
        out of range or there are fewer than three distinct wp values.
    """
    wp, y, bench_idx, model_idx = _validate(wp, y, bench_idx, model_idx, n_bench, n_models)
    if not 0 < level < 1:
        raise ModelSpecError(f"level must lie in (0, 1), got {level!r}")
    sd_names = [name for name, n in (("sd_slope", n_bench), ("sd_model", n_models)) if n > 1]
    full_problem = _problem(wp, y, bench_idx, model_idx, n_bench, n_models, quadratic=True)
    null_problem = _problem(wp, y, bench_idx, model_idx, n_bench, n_models, quadratic=False)
    # the matrices are tiny: BLAS threads only add hand-off latency (3× slower on 2 cores)
    with threadpool_limits(limits=1, user_api="blas"):
        full = fit_marginal(full_problem)
        null = fit_marginal(null_problem, hessian=False)
    return _result(full, null, sd_names, power=power, level=level)


def fit_ml_design(design, *, level: float = CI_LEVEL) -> MLFit:
    """Fit :func:`fit_ml` on a model specification of one dataset.

    Parameters
    ----------
    design : object
        Anything with ``wp()``, ``response()`` (squeezed scores), ``data`` holding ``benchmark``
        and ``model`` columns, ``benchmarks`` and ``models`` (the level orders) and optionally
        ``power`` — such as the Bayesian model's specification.
    level : float
        Coverage of the critical-PLW interval.
    """
    benchmarks, models = list(design.benchmarks), list(design.models)
    bench_idx = pd.Categorical(design.data["benchmark"], categories=benchmarks).codes
    model_idx = pd.Categorical(design.data["model"], categories=models).codes
    return fit_ml(
        design.wp(),
        design.response(),
        bench_idx,
        model_idx,
        len(benchmarks),
        len(models),
        power=getattr(design, "power", PLW_POWER),
        level=level,
    )


def _validate(wp, y, bench_idx, model_idx, n_bench, n_models):
    """Return the inputs as arrays, or raise a DataSchemaError naming the bad one."""
    wp, y = np.asarray(wp, float).ravel(), np.asarray(y, float).ravel()
    bench_idx, model_idx = np.asarray(bench_idx).ravel(), np.asarray(model_idx).ravel()
    lengths = {"wp": wp.size, "y": y.size, "bench_idx": bench_idx.size, "model_idx": model_idx.size}
    if len(set(lengths.values())) != 1:
        shown = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise DataSchemaError(f"ML fit: inputs differ in length ({shown}); pass one value per row")
    if not np.all(np.isfinite(wp)):
        raise DataSchemaError("ML fit: wp has missing or infinite values; drop or fix those rows")
    if not np.all((y > 0) & (y < 1)):
        raise DataSchemaError(
            f"ML fit: y must lie strictly inside (0, 1), found range [{np.nanmin(y):g}, "
            f"{np.nanmax(y):g}]; squeeze the relative scores first"
        )
    for name, idx, n in (("bench_idx", bench_idx, n_bench), ("model_idx", model_idx, n_models)):
        if not isinstance(n, int | np.integer) or n < 1:
            raise ModelSpecError(f"ML fit: number of levels for {name} must be ≥ 1, got {n!r}")
        if not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= n:
            raise DataSchemaError(
                f"ML fit: {name} must hold integers in [0, {n}), found {idx[:5].tolist()}…"
            )
    if np.unique(wp).size < MIN_WP_LEVELS:
        raise DataSchemaError(
            f"ML fit: {np.unique(wp).size} distinct wp value(s); the quadratic in wp needs at "
            f"least {MIN_WP_LEVELS} PLW levels"
        )
    return wp, y, bench_idx.astype(np.int64), model_idx.astype(np.int64)


def _problem(wp, y, bench_idx, model_idx, n_bench, n_models, *, quadratic: bool):
    """Build the fixed and random designs of the quadratic (or null) model, collapsed to cells."""
    fixed = [np.ones_like(wp), wp, wp**2] if quadratic else [np.ones_like(wp)]
    columns, groups = [], []
    if n_bench > 1:
        columns.append(np.eye(n_bench)[bench_idx] * wp[:, None])
        groups += [len(set(groups))] * n_bench
    if n_models > 1:
        columns.append(np.eye(n_models)[model_idx])
        groups += [len(set(groups))] * n_models
    random = np.hstack(columns) if columns else np.empty((wp.size, 0))
    return BetaGLMMProblem.from_rows(np.column_stack(fixed), random, groups, y)


def _result(full: MarginalFit, null: MarginalFit, sd_names, *, power, level) -> MLFit:
    """Assemble the reported numbers and the problems of both fits."""
    b = full.theta[:3]
    cov = full.covariance[:3, :3] if full.covariance is not None else None
    sds = dict.fromkeys(("sd_slope", "sd_model"))
    for g, name in enumerate(sd_names):
        sds[name] = float(np.exp(full.theta[3 + g]))
    lrt, lrt_problems = likelihood_ratio(full, null, LRT_DF)
    null_problems = _problems(null, sd_names, optimiser_only=True)
    problems = _problems(full, sd_names) + [f"null model: {p}" for p in null_problems]
    problems += lrt_problems
    crit_wp = _critical_wp(b, cov)
    return MLFit(
        coefficients=wald_coefficients(COEFFICIENT_NAMES, b, cov),
        sd_slope=sds["sd_slope"],
        sd_model=sds["sd_model"],
        kappa=float(np.exp(full.theta[-1])),
        loglik=-full.nll,
        lrt=lrt,
        critical_wp=crit_wp,
        critical_plw=_critical_plw(b, crit_wp, power, level),
        converged=not problems,
        problems=tuple(problems),
        covariance=cov,
        null_loglik=-null.nll,
    )


def wald_coefficients(names, b, cov) -> dict[str, Coefficient]:
    """Estimate, standard error, Wald z and two-sided p of each fixed effect.

    Without a covariance (a Hessian that is not positive definite) only the estimate is given.
    """
    out = {}
    for k, name in enumerate(names):
        se = float(np.sqrt(cov[k, k])) if cov is not None else None
        z = float(b[k] / se) if se else None
        p = float(2 * special.ndtr(-abs(z))) if z is not None else None
        out[name] = Coefficient(estimate=float(b[k]), se=se, z=z, p_value=p)
    return out


def likelihood_ratio(
    full: MarginalFit, null: MarginalFit, df: int, model: str = "the quadratic model"
) -> tuple[LikelihoodRatio, list[str]]:
    """χ² likelihood-ratio test of ``full`` against ``null`` with ``df`` degrees of freedom.

    A statistic below ``-LRT_NEGATIVE_TOL`` means an optimisation failed: it is reported as a
    problem naming ``model`` and the statistic is set to 0.
    """
    statistic = 2.0 * (null.nll - full.nll)
    problems = []
    if statistic < -LRT_NEGATIVE_TOL:
        problems.append(
            f"the null model fits better than {model} (likelihood-ratio statistic "
            f"{statistic:.3g}): one of the optimisations failed"
        )
    statistic = max(statistic, 0.0)
    p_value = float(special.chdtrc(df, statistic))
    return LikelihoodRatio(statistic=statistic, df=df, p_value=p_value), problems


def _problems(fit: MarginalFit, sd_names, *, optimiser_only: bool = False) -> list[str]:
    """Turn glmmTMB's checks into plain words (the LRT needs only the null model's maximum)."""
    found = []
    if not fit.optimizer_converged:
        fixed = COEFFICIENT_NAMES[: fit.theta.size - len(sd_names) - 1]
        names = [*fixed, *(f"log {name}" for name in sd_names), "log kappa"]
        worst = int(np.argmax(np.abs(fit.gradient)))
        found.append(
            f"optimiser did not converge ({fit.optimizer_message}; gradient "
            f"{fit.gradient[worst]:.2g} in {names[worst]}): the estimates may not maximise "
            "the likelihood"
        )
    if optimiser_only:
        return found
    if not fit.positive_definite:
        found.append(
            "non-positive-definite Hessian matrix: the likelihood is flat or saddle-shaped at the "
            "estimate, so standard errors and z tests are unavailable"
        )
    for g in fit.boundary:
        name = sd_names[g]
        found.append(
            f"{name} is at its boundary (estimate {np.exp(fit.theta[3 + g]):.1e} < "
            f"{SD_BOUNDARY:g}): {SD_MEANING[name]}; the fit equals the model without that "
            "random effect"
        )
    return found


def _critical_wp(b, cov) -> CriticalWp | None:
    """Vertex −b1/(2·b2) and its delta-method SE; None unless b2 < 0 (a maximum)."""
    if not b[2] < 0:
        return None
    estimate = float(critical_wp(b[1], b[2]))
    se = None
    if cov is not None:
        jac = np.array([-1.0 / (2.0 * b[2]), b[1] / (2.0 * b[2] ** 2)])
        se = float(np.sqrt(jac @ cov[1:3, 1:3] @ jac))
    return CriticalWp(estimate=estimate, se=se)


def _critical_plw(b, crit: CriticalWp | None, power, level) -> CriticalPLW | None:
    """PLW of an interior maximum, with the wp interval's ends mapped (clipped to [0, 1])."""
    if crit is None or not interior_maximum(b[1], b[2]):
        return None
    low = high = None
    if crit.se is not None:
        half = special.ndtri(0.5 + level / 2) * crit.se
        ends = np.clip([crit.estimate - half, crit.estimate + half], 0.0, 1.0)
        low, high = (float(v) for v in wp_to_plw(ends, power))
    return CriticalPLW(estimate=float(wp_to_plw(crit.estimate, power)), low=low, high=high)
