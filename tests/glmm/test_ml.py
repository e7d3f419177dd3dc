"""The ML (Laplace) beta GLMM against recorded glmmTMB fits, and its problem paths.

The fixtures in tests/reference/glmmtmb/ were made by tests/reference/glmmtmb_beta.R from the
CSVs written by tests/reference/make_designs.py; these tests never run R.
"""

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm import ml
from plw_stats.glmm.marginal import SD_BOUNDARY, fit_marginal
from plw_stats.transforms import wp_to_plw

FIXTURES = Path(__file__).parents[1] / "reference" / "glmmtmb"
DESIGNS = sorted(path.stem for path in FIXTURES.glob("*.json"))
ML_KEYS = {
    "coefficients",
    "sd_slope",
    "sd_model",
    "kappa",
    "loglik",
    "lrt",
    "critical_wp",
    "critical_plw",
    "converged",
    "problems",
}


def load_design(name):
    rows = pd.read_csv(FIXTURES / f"{name}.csv")
    reference = json.loads((FIXTURES / f"{name}.json").read_text())
    return rows, reference


def fit_rows(rows, **options):
    bench = pd.Categorical(rows["benchmark"])
    model = pd.Categorical(rows["model"])
    return ml.fit_ml(
        rows["wp"],
        rows["y"],
        bench.codes,
        model.codes,
        len(bench.categories),
        len(model.categories),
        **options,
    )


@pytest.fixture(scope="module")
def fits():
    return {name: fit_rows(load_design(name)[0]) for name in DESIGNS}


def test_fixtures_cover_the_required_designs():
    required = {"demo_AlpacaData", "single_benchmark", "single_model", "seeds", "no_effect"}
    assert required <= set(DESIGNS)
    _, reference = load_design("seeds")
    assert reference["n_rows"] == 3 * 13 * 2 * 10


@pytest.mark.parametrize("name", DESIGNS)
def test_fixed_effects_match_glmmtmb(fits, name):
    _, reference = load_design(name)
    for key, expected in reference["quadratic"]["coefficients"].items():
        got = fits[name].coefficients[key]
        assert abs(got.estimate - expected["estimate"]) <= 0.05 * expected["se"], key
        assert got.se == pytest.approx(expected["se"], rel=0.05), key
        assert got.z == pytest.approx(expected["z"], rel=0.05, abs=0.05), key


@pytest.mark.parametrize("name", DESIGNS)
def test_likelihood_and_lrt_match_glmmtmb(fits, name):
    _, reference = load_design(name)
    fit = fits[name]
    assert fit.loglik == pytest.approx(reference["quadratic"]["loglik"], rel=1e-3)
    assert fit.null_loglik == pytest.approx(reference["null"]["loglik"], rel=1e-3)
    expected = reference["lrt"]["p_value"]
    if expected < 0.01:
        assert abs(np.log10(fit.lrt.p_value) - np.log10(expected)) <= 0.1
    else:
        assert abs(fit.lrt.p_value - expected) <= 0.01
    assert fit.lrt.statistic == pytest.approx(reference["lrt"]["statistic"], rel=0.01, abs=0.01)


@pytest.mark.parametrize("name", DESIGNS)
def test_variance_parameters_match_glmmtmb(fits, name):
    _, reference = load_design(name)
    fit = fits[name]
    assert fit.kappa == pytest.approx(reference["quadratic"]["phi"], rel=0.01)
    for key in ("sd_slope", "sd_model"):
        expected, got = reference["quadratic"][key], getattr(fit, key)
        if expected is None:
            assert got is None
        elif expected < SD_BOUNDARY:
            assert got < SD_BOUNDARY
            assert any(p.startswith(f"{key} is at its boundary") for p in fit.problems)
        else:
            assert got == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("name", DESIGNS)
def test_problems_are_those_glmmtmb_reports_plus_boundaries(fits, name):
    _, reference = load_design(name)
    fit = fits[name]
    assert reference["quadratic"]["pd_hessian"] and not reference["quadratic"]["warnings"]
    boundary = [
        key
        for key in ("sd_slope", "sd_model")
        if reference["quadratic"][key] is not None and reference["quadratic"][key] < SD_BOUNDARY
    ]
    assert len(fit.problems) == len(boundary)
    assert fit.converged == (not boundary)


def test_single_benchmark_and_single_model_drop_their_random_effect(fits):
    single_benchmark, single_model = fits["single_benchmark"], fits["single_model"]
    assert single_benchmark.sd_slope is None and single_benchmark.sd_model is not None
    assert single_model.sd_model is None and single_model.sd_slope is not None
    assert single_benchmark.to_dict()["sd_slope"] is None
    assert single_model.to_dict()["sd_model"] is None


def test_to_dict_is_the_issue_json_object(fits):
    payload = fits["demo_AlpacaDataShort"].to_dict()
    assert set(payload) == ML_KEYS
    assert set(payload["coefficients"]) == {"intercept", "wp", "wp2"}
    for coefficient in payload["coefficients"].values():
        assert set(coefficient) == {"estimate", "se", "z", "p_value"}
    assert set(payload["lrt"]) == {"statistic", "df", "p_value"} and payload["lrt"]["df"] == 2
    assert set(payload["critical_wp"]) == {"estimate", "se"}
    assert set(payload["critical_plw"]) == {"estimate", "low", "high"}
    assert payload["converged"] is True and payload["problems"] == []
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload


def test_to_frame_holds_the_coefficients(fits):
    frame = fits["demo_AlpacaData"].to_frame()
    assert list(frame.index) == ["intercept", "wp", "wp2"]
    assert frame.loc["wp", "estimate"] == fits["demo_AlpacaData"].coefficients["wp"].estimate


def test_critical_wp_se_matches_finite_differences(fits):
    fit = fits["demo_AlpacaDataShort"]
    b1, b2 = fit.coefficients["wp"].estimate, fit.coefficients["wp2"].estimate
    assert fit.critical_wp.estimate == pytest.approx(-b1 / (2 * b2))
    h = 1e-6

    def vertex(x1, x2):
        return -x1 / (2 * x2)

    jac = np.array(
        [
            (vertex(b1 + h, b2) - vertex(b1 - h, b2)) / (2 * h),
            (vertex(b1, b2 + h) - vertex(b1, b2 - h)) / (2 * h),
        ]
    )
    se = np.sqrt(jac @ fit.covariance[1:, 1:] @ jac)
    assert fit.critical_wp.se == pytest.approx(se, rel=1e-6)
    assert np.sqrt(fit.covariance[1, 1]) == pytest.approx(fit.coefficients["wp"].se)


def test_critical_plw_maps_the_wp_interval(fits):
    fit = fits["demo_AlpacaDataShort"]
    crit, plw = fit.critical_wp, fit.critical_plw
    assert 0 < crit.estimate < 1
    assert plw.estimate == pytest.approx(wp_to_plw(crit.estimate))
    half = 1.959963984540054 * crit.se
    assert plw.low == pytest.approx(wp_to_plw(max(crit.estimate - half, 0.0)))
    assert plw.high == pytest.approx(wp_to_plw(min(crit.estimate + half, 1.0)))
    assert plw.low < plw.estimate < plw.high
    narrower = fit_rows(load_design("demo_AlpacaDataShort")[0], level=0.5).critical_plw
    assert plw.low < narrower.low < narrower.high < plw.high


def test_no_critical_point_without_a_maximum():
    rows, _ = load_design("demo_AlpacaDataShort")
    flipped = rows.assign(y=1.0 - rows["y"])  # the curve becomes convex: b2 > 0
    fit = fit_rows(flipped)
    assert fit.coefficients["wp2"].estimate > 0
    assert fit.critical_wp is None and fit.critical_plw is None
    assert fit.to_dict()["critical_plw"] is None


def test_identical_benchmarks_put_the_slope_sd_at_its_boundary():
    rows, _ = load_design("demo_AlpacaData")
    first = rows[rows["benchmark"] == rows["benchmark"].iloc[0]].set_index(["model", "wp"])["y"]
    same = rows.assign(y=first.loc[list(zip(rows["model"], rows["wp"], strict=True))].to_numpy())
    fit = fit_rows(same)
    assert fit.sd_slope < SD_BOUNDARY and fit.sd_model > 0.1
    assert not fit.converged
    assert fit.problems == (
        f"sd_slope is at its boundary (estimate {fit.sd_slope:.1e} < {SD_BOUNDARY:g}): the wp "
        "slope shows no variation between benchmarks; the fit equals the model without that "
        "random effect",
    )
    assert fit.coefficients["wp"].se is not None


def test_constant_scores_are_reported_as_not_converged():
    rows, _ = load_design("no_effect")
    fit = fit_rows(rows.assign(y=0.4))  # kappa grows without limit: no maximum exists
    assert not fit.converged
    assert any(
        p.startswith("optimiser did not converge") and "log kappa" in p for p in fit.problems
    )
    assert any(p.startswith("null model: optimiser did not converge") for p in fit.problems)


def test_non_positive_definite_hessian_is_a_problem_without_standard_errors():
    rows, _ = load_design("demo_AlpacaData")
    bench, model = pd.Categorical(rows["benchmark"]), pd.Categorical(rows["model"])
    args = (rows["wp"].to_numpy(), rows["y"].to_numpy(), bench.codes, model.codes, 13, 2)
    full = fit_marginal(ml._problem(*args, quadratic=True))
    null = fit_marginal(ml._problem(*args, quadratic=False))
    flat = dataclasses.replace(full, covariance=None, positive_definite=False)
    fit = ml._result(flat, null, ["sd_slope", "sd_model"], power=PLW_POWER, level=0.95)
    assert not fit.converged
    assert fit.problems[0].startswith("non-positive-definite Hessian matrix")
    assert fit.coefficients["wp"].se is None and fit.coefficients["wp"].p_value is None
    assert fit.critical_wp.se is None and fit.critical_plw.low is None
    assert json.dumps(fit.to_dict(), allow_nan=False)


def test_design_object_gives_the_same_fit(fits):
    rows, _ = load_design("demo_AlpacaData")
    design = SimpleNamespace(
        data=rows,
        benchmarks=sorted(rows["benchmark"].unique()),
        models=sorted(rows["model"].unique()),
        wp=lambda: rows["wp"].to_numpy(),
        response=lambda: rows["y"].to_numpy(),
    )
    fit = ml.fit_ml_design(design)
    reference = fits["demo_AlpacaData"]
    assert fit.loglik == pytest.approx(reference.loglik, abs=1e-8)
    for key, coefficient in reference.coefficients.items():
        assert fit.coefficients[key].estimate == pytest.approx(coefficient.estimate, abs=1e-6)


def test_row_order_does_not_matter(fits):
    rows, _ = load_design("seeds")
    shuffled = rows.sample(frac=1.0, random_state=3).reset_index(drop=True)
    fit = fit_rows(shuffled)
    assert fit.loglik == pytest.approx(fits["seeds"].loglik, abs=1e-7)
    assert fit.coefficients["wp"].estimate == pytest.approx(
        fits["seeds"].coefficients["wp"].estimate, abs=1e-5
    )


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"y": np.r_[0.0, np.full(29, 0.5)]}, DataSchemaError, r"strictly inside \(0, 1\)"),
        ({"wp": np.r_[np.nan, np.linspace(0, 1, 29)]}, DataSchemaError, "wp has missing"),
        ({"wp": np.tile([0.0, 1.0], 15)}, DataSchemaError, "needs at least 3 PLW levels"),
        (
            {"bench_idx": np.full(30, 3)},
            DataSchemaError,
            r"bench_idx must hold integers in \[0, 3\)",
        ),
        ({"y": np.full(29, 0.5)}, DataSchemaError, "inputs differ in length"),
        ({"n_models": 0}, ModelSpecError, "must be ≥ 1"),
        ({"level": 1.5}, ModelSpecError, r"level must lie in \(0, 1\)"),
    ],
)
def test_bad_input_is_refused(change, error, match):
    rng = np.random.default_rng(0)
    args = {
        "wp": np.tile(np.linspace(0, 1, 10), 3),
        "y": rng.uniform(0.1, 0.9, 30),
        "bench_idx": np.repeat(np.arange(3), 10),
        "model_idx": np.zeros(30, int),
        "n_bench": 3,
        "n_models": 1,
    }
    level = change.pop("level", 0.95)
    args.update(change)
    with pytest.raises(error, match=match):
        ml.fit_ml(**args, level=level)


def test_one_benchmark_and_one_model_is_statsmodels_beta_regression():
    from statsmodels.othermod.betareg import BetaModel

    rows, _ = load_design("single_benchmark")
    rows = rows[rows["model"] == rows["model"].iloc[0]]
    X = np.column_stack([np.ones(len(rows)), rows["wp"], rows["wp"] ** 2])
    expected = BetaModel(rows["y"].to_numpy(), X).fit(disp=0)
    zeros = np.zeros(len(rows), int)
    fit = ml.fit_ml(rows["wp"], rows["y"], zeros, zeros, 1, 1)
    assert fit.sd_slope is None and fit.sd_model is None and fit.converged
    assert fit.loglik == pytest.approx(expected.llf, abs=1e-6)
    assert fit.kappa == pytest.approx(np.exp(expected.params[3]), rel=1e-4)
    np.testing.assert_allclose(fit.to_frame()["estimate"], expected.params[:3], atol=1e-3)
    np.testing.assert_allclose(fit.to_frame()["se"], expected.bse[:3], rtol=1e-3)


def test_a_negative_likelihood_ratio_is_a_problem_not_a_p_value():
    full, null = SimpleNamespace(nll=10.0), SimpleNamespace(nll=9.0)  # null better: a failure
    lrt, problems = ml.likelihood_ratio(full, null, 5, "the surface")
    assert lrt.statistic == 0.0 and lrt.p_value == 1.0 and lrt.df == 5
    assert problems == [
        "the null model fits better than the surface (likelihood-ratio statistic -2): "
        "one of the optimisations failed"
    ]
    lrt, problems = ml.likelihood_ratio(SimpleNamespace(nll=5.0), SimpleNamespace(nll=8.0), 2)
    assert lrt.statistic == 6.0 and lrt.p_value == pytest.approx(np.exp(-3.0)) and problems == []
