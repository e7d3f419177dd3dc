"""The hand-written log density must equal PyMC's (up to a constant) with the same gradient."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from plw_stats.glmm.backends import kernel as native
from plw_stats.glmm.backends.kernel import NativeProblem
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel

#: PyMC value variables in the order of the native parameter vector.
ORDER = [
    "coef_rotated",
    "model_level",
    "sd_model_log__",
    "intercept_centred",
    "slope",
    "z_slope",
    "sd_slope_log__",
    "kappa_log__",
]


def subset(scores, models=None, benchmarks=None, quadratic=True, seeds=1, slopes="centered"):
    spec = BetaMixedModel.from_table(scores, "AlpacaDataShort")
    # repeated seeds: the same cells again with other scores
    data = pd.concat([spec.data.assign(score=spec.data["score"] ** (1 + s)) for s in range(seeds)])
    if models:
        data = data[data["model"].isin(models)]
    if benchmarks:
        data = data[data["benchmark"].isin(benchmarks)]
    return BetaMixedModel(
        data.reset_index(drop=True), name="subset", quadratic=quadratic, benchmark_slope=slopes
    )


def pymc_point_and_gradient(spec, theta):
    model = spec.build()
    names = [v.name for v in model.value_vars]
    point = model.initial_point()
    sizes = {n: max(1, int(np.prod(point[n].shape))) for n in names}
    cursor = 0
    for name in [n for n in ORDER if n in names]:
        point[name] = theta[cursor : cursor + sizes[name]].reshape(point[name].shape)
        cursor += sizes[name]
    assert cursor == theta.size
    gradient = model.compile_dlogp()(point)
    offsets = np.cumsum([0] + [sizes[n] for n in names])
    by_name = {n: gradient[offsets[i] : offsets[i + 1]] for i, n in enumerate(names)}
    ordered = np.concatenate([by_name[n] for n in ORDER if n in names])
    return model.compile_logp()(point), ordered


@pytest.mark.slow  # compiles PyMC's log density for each design (5–10 s each)
@pytest.mark.parametrize(
    ("models", "benchmarks", "quadratic", "seeds", "slopes"),
    [
        (None, None, True, 1, "centered"),
        (["llama2-7b"], None, True, 1, "centered"),
        (None, ["piqa"], True, 1, "centered"),
        (["llama1-7b"], ["wmt16_en_de"], True, 1, "centered"),
        (None, None, False, 1, "centered"),
        (None, None, True, 3, "centered"),
        (None, None, True, 1, "noncentered"),
        (None, None, False, 2, "noncentered"),
    ],
    ids=[
        "full",
        "single-model",
        "single-benchmark",
        "single-both",
        "null-model",
        "3-seeds",
        "non-centred-slopes",
        "non-centred-null-2-seeds",
    ],
)
def test_log_density_and_gradient_match_pymc(
    demo_scores, models, benchmarks, quadratic, seeds, slopes
):
    spec = subset(demo_scores, models, benchmarks, quadratic, seeds, slopes)
    assert len(spec.data) == seeds * len(subset(demo_scores, models, benchmarks).data)
    problem = NativeProblem.from_spec(spec)
    rng = np.random.default_rng(0)
    offsets = []
    for seed in range(3):
        theta = problem.initial_point(seed) + rng.normal(0, 0.3, problem.n_dim)
        lp, grad = problem.logp(theta)
        reference_lp, reference_grad = pymc_point_and_gradient(spec, theta)
        np.testing.assert_allclose(grad, reference_grad, rtol=1e-7, atol=1e-7)
        offsets.append(lp - reference_lp)
    np.testing.assert_allclose(offsets, offsets[0], atol=1e-8)  # equal up to a constant


def test_overflow_gives_minus_infinity_not_an_error(demo_scores):
    problem = NativeProblem.from_spec(subset(demo_scores))
    theta = np.full(problem.n_dim, 800.0)
    lp, grad = problem.logp(theta)
    assert lp == -np.inf and not grad.any()


def test_native_covers_centred_model_levels_with_either_slope_form(demo_scores):
    spec = subset(demo_scores)
    assert native.supports(spec) and native.supports(subset(demo_scores, quadratic=False))
    assert native.supports(BetaMixedModel(spec.data, benchmark_slope="noncentered"))
    assert not native.supports(BetaMixedModel(spec.data, model_intercept="noncentered"))


@pytest.mark.slow
def test_native_and_pymc_graph_posteriors_agree(demo_scores):
    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    settings = {"chains": 4, "draws": 500, "tune": 500}
    fast = spec.fit(SamplerSettings(**settings), random_seed=1)
    graph = spec.fit(SamplerSettings(**settings, sampler="nutpie"), random_seed=1)
    for key in ("intercept", "wp", "wp2"):
        a, b = fast.coefficients[key], graph.coefficients[key]
        assert abs(a.mean - b.mean) < 0.15 * a.sd, key
        assert a.sd == pytest.approx(b.sd, rel=0.15), key
    assert fast.critical.plw.mean == pytest.approx(graph.critical.plw.mean, abs=0.01)
    assert set(graph.idata["posterior"].data_vars) <= set(fast.idata["posterior"].data_vars) | {
        "critical_wp",
        "critical_plw",
    }


def test_pointwise_log_likelihood_matches_scipy(demo_scores):
    from scipy import stats

    spec = subset(demo_scores)
    rng = np.random.default_rng(1)
    shape = (2, 3)
    posterior = xr.Dataset(
        {
            "intercept": (("chain", "draw"), rng.normal(-1, 0.3, shape)),
            "wp": (("chain", "draw"), rng.normal(5, 0.3, shape)),
            "wp2": (("chain", "draw"), rng.normal(-4, 0.3, shape)),
            "kappa": (("chain", "draw"), rng.uniform(5, 10, shape)),
            "model_offset": (("chain", "draw", "pretrained"), rng.normal(0, 0.3, (*shape, 2))),
            "slope": (("chain", "draw", "benchmark"), rng.normal(0, 0.5, (*shape, 13))),
        },
        coords={"pretrained": spec.models, "benchmark": spec.benchmarks},
    )
    got = native.pointwise_log_likelihood(spec, posterior)
    assert got.shape == (2, 3, len(spec.data))
    c, d = 1, 2
    draw = posterior.isel(chain=c, draw=d)
    wp, y = spec.wp(), spec.response()
    offsets = draw["model_offset"].sel(pretrained=spec.data["model"].to_numpy()).to_numpy()
    slopes = draw["slope"].sel(benchmark=spec.data["benchmark"].to_numpy()).to_numpy()
    eta = (
        float(draw["intercept"])
        + (float(draw["wp"]) + slopes) * wp
        + float(draw["wp2"]) * wp**2
        + offsets
    )
    mu, kappa = 1 / (1 + np.exp(-eta)), float(draw["kappa"])
    expected = stats.beta.logpdf(y, mu * kappa, (1 - mu) * kappa)
    np.testing.assert_allclose(got[c, d], expected, rtol=1e-10)
