"""The general GLMM's hand-written log density equals PyMC's, in every parameterisation.

Also: the C callbacks read their packed data as the kernel does, the named draws reproduce the
kernel's linear predictor, and overflow gives minus infinity rather than an error.
"""

import ctypes
import dataclasses

import numpy as np
import pandas as pd
import pytest

from plw_stats.glmm.backends.general_callbacks import _logp_callback, pack_problem
from plw_stats.glmm.backends.general_draws import expand_draws, linear_predictor
from plw_stats.glmm.backends.general_graph import build_general_model
from plw_stats.glmm.backends.general_kernel import general_logp
from plw_stats.glmm.backends.general_spec import GeneralProblem
from plw_stats.surface.design import SurfaceDesign


def small(spec, *, models=2, benchmarks=3, seeds=1):
    """Fewer models and benchmarks (fast PyMC compilation), optionally repeated seeds."""
    data = spec.data
    data = data[data["model"].isin(spec.models[:models])]
    data = data[data["benchmark"].isin(spec.benchmarks[:benchmarks])]
    data = pd.concat([data.assign(score=data["score"] ** (1 + s)) for s in range(seeds)])
    return SurfaceDesign(data.reset_index(drop=True), name="small")


def variant(design, kind):
    glmm = design.glmm()
    if kind in ("centred", "noncentred", "halfnormal"):
        mode = "noncentred" if kind == "noncentred" else "centred"
        gamma = None if kind == "halfnormal" else (2.0, 4.0)
        terms = tuple(
            dataclasses.replace(t, parameterisation=mode, absorbs=None, sd_gamma=gamma)
            for t in glmm.terms
        )
        glmm = dataclasses.replace(glmm, terms=terms)
    return glmm


def value_order(glmm):
    """PyMC value variables in the order of the native parameter vector."""
    order = ["coef_rotated"]
    if glmm.level is not None:
        order += [glmm.level.levels_name, f"{glmm.level.sd_name}_log__"]
    else:
        order.append("intercept_centred")
    for term in glmm.terms:
        coords = {"centred": term.name, "noncentred": f"{term.name}_z"}
        order += [coords.get(term.parameterisation, f"{term.name}_total"), f"{term.sd_name}_log__"]
    return [*order, "kappa_log__"]


def pymc_logp_and_gradient(glmm):
    """PyMC's log density and gradient of ``glmm`` as a function of the native vector."""
    model = build_general_model(glmm)
    names = [v.name for v in model.value_vars]
    start = model.initial_point()
    sizes = {n: max(1, int(np.prod(start[n].shape))) for n in names}
    order = [n for n in value_order(glmm) if n in names]
    logp = model.compile_logp(mode="FAST_COMPILE")
    dlogp = model.compile_dlogp(mode="FAST_COMPILE")
    offsets = np.cumsum([0] + [sizes[n] for n in names])

    def evaluate(theta):
        point, cursor = dict(start), 0
        for name in order:
            point[name] = theta[cursor : cursor + sizes[name]].reshape(start[name].shape)
            cursor += sizes[name]
        assert cursor == theta.size
        gradient = dlogp(point)
        by_name = {n: gradient[offsets[i] : offsets[i + 1]] for i, n in enumerate(names)}
        return logp(point), np.concatenate([by_name[n] for n in order])

    return evaluate


@pytest.mark.slow  # compiles PyMC's log density for each design
@pytest.mark.parametrize(
    ("kind", "full", "models", "benchmarks", "seeds"),
    [
        ("absorbing", True, 2, 3, 1),
        ("absorbing", True, 2, 3, 2),
        ("centred", False, 2, 3, 1),
        ("noncentred", True, 2, 3, 1),
        ("halfnormal", True, 1, 3, 1),
        ("absorbing", True, 3, 1, 1),
    ],
    ids=["surface", "2-seeds", "null", "noncentred", "halfnormal-1-model", "1-benchmark"],
)
def test_log_density_and_gradient_match_pymc(surface_specs, kind, full, models, benchmarks, seeds):
    design = small(surface_specs["Interior"], models=models, benchmarks=benchmarks, seeds=seeds)
    glmm = variant(dataclasses.replace(design, full=full), kind)
    problem = GeneralProblem.from_glmm(glmm)
    assert problem.arrays["count"].sum() == glmm.n_rows
    assert problem.arrays["count"].size == glmm.n_rows // seeds
    rng = np.random.default_rng(0)
    reference = pymc_logp_and_gradient(glmm)
    offsets = []
    for seed in range(3):
        theta = problem.initial_point(seed) + rng.normal(0, 0.3, problem.n_dim)
        lp, grad = general_logp(problem, theta)
        reference_lp, reference_grad = reference(theta)
        np.testing.assert_allclose(grad, reference_grad, rtol=1e-7, atol=1e-7)
        offsets.append(lp - reference_lp)
    np.testing.assert_allclose(offsets, offsets[0], atol=1e-7)  # equal up to a constant


def test_the_c_callback_reads_the_pack_as_the_kernel_does(surface_specs):
    problem = GeneralProblem.from_glmm(small(surface_specs["Interior"]).glmm())
    pack = pack_problem(problem)
    theta = problem.initial_point(3)
    grad = np.zeros(problem.n_dim)
    logp = np.zeros(1)
    pointer = ctypes.POINTER(ctypes.c_double)
    status = _logp_callback.ctypes(
        problem.n_dim,
        theta.ctypes.data_as(pointer),
        grad.ctypes.data_as(pointer),
        logp.ctypes.data_as(pointer),
        pack.ctypes.data_as(ctypes.c_void_p),
    )
    expected_lp, expected_grad = general_logp(problem, theta)
    assert status == 0
    assert logp[0] == pytest.approx(expected_lp, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12)


def test_named_draws_reproduce_the_kernels_linear_predictor(surface_specs):
    glmm = small(surface_specs["Interior"]).glmm()
    problem = GeneralProblem.from_glmm(glmm)
    theta = problem.initial_point(1)[None, None, :] + np.zeros((1, 2, 1))
    theta[0, 1] += 0.2
    posterior = expand_draws(problem, theta, seed=5)
    eta = linear_predictor(glmm, posterior)
    # the kernel's coordinates: rotated centred fixed effects, levels, slope totals
    centred, _ = glmm.centred_fixed()
    p, level_start = int(problem.layout[0]), int(problem.layout[3])
    for d in range(2):
        t = theta[0, d]
        expected = centred @ problem.rotation_inverse @ t[:p] + t[level_start + glmm.level.index]
        for term, start in zip(glmm.terms, problem.layout[4:6], strict=True):
            expected += t[start + term.index] * term.covariate
        np.testing.assert_allclose(eta[d], expected, atol=1e-10)
    wp_total = posterior["slope_wp_total"] - posterior["wp"]
    np.testing.assert_allclose(wp_total, posterior["slope_wp"])


def test_overflow_gives_minus_infinity_not_an_error(surface_specs):
    problem = GeneralProblem.from_glmm(small(surface_specs["Interior"]).glmm())
    theta = problem.initial_point(0)
    theta[-1] = 800.0  # kappa = exp(800) overflows
    lp, grad = general_logp(problem, theta)
    assert lp == -np.inf and np.all(grad == 0)
