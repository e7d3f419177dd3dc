"""Tensor-smooth GAM: input checks, recovery of a known ratio-dependent optimum, the flat flag.

Tolerances.  With the paper's design (10 PLW levels × 2 models × 13 benchmarks) over 6 datasets,
noise sd 0.03 and curvature 0.4 (a PLW effect of at most ~0.1 on the unit scale), 20 seeds gave
an across-seed sd of the recovered optimum of at most 0.008 on the wp axis (max |error| 0.023)
and at most 0.011 on the PLW axis (max |error| 0.029) at the ratios checked below, with mean
errors under 0.01.  A tolerance of 0.05 is about five such sds -- a seed will not fail by chance
-- yet it catches a wrong axis, a wrong sign or an off-by-one grid (errors of 0.1 and more), and
the grid resolution (0.001) is far below it.
"""

import numpy as np
import pandas as pd
import pytest

from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.gam.groups import default_groups, parse_group_option
from plw_stats.gam.model import TensorGam
from plw_stats.gam.optimum import tensor_effect
from plw_stats.simulation.ratio_sweeps import RatioTruth, simulate_ratio_sweep

RATIOS = (0.1, 0.5, 1.0, 2.0, 4.0, 8.0)
CHECK = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0)
TOLERANCE = 0.05
WP_TRUTH = RatioTruth(opt_intercept=0.4, opt_slope=0.05, curvature=0.4, scale="wp")
PLW_TRUTH = RatioTruth(opt_intercept=0.1, opt_slope=0.08, curvature=0.4, scale="plw")


@pytest.fixture(scope="module")
def wp_sweep():
    return simulate_ratio_sweep(RATIOS, WP_TRUTH, seed=11)


@pytest.fixture(scope="module")
def wp_result(wp_sweep):
    return TensorGam(wp_sweep, scale="wp").fit(ratio_grid=CHECK)


def test_recovers_optimum_on_wp_scale(wp_result):
    table = wp_result.optimal_table("All")
    np.testing.assert_allclose(table["wp"], WP_TRUTH.optimum_x(CHECK), atol=TOLERANCE)
    assert not table["flat"].any()
    assert not table["extrapolated"].any()


def test_recovers_optimum_on_plw_scale():
    scores = simulate_ratio_sweep(RATIOS, PLW_TRUTH, seed=5)
    table = TensorGam(scores).fit(ratio_grid=CHECK).optimal_table("All")
    np.testing.assert_allclose(table["plw"], PLW_TRUTH.optimum_plw(CHECK), atol=TOLERANCE)


def test_groups_recover_their_own_optimum():
    # Gen has 3 benchmarks and MC 4, so a deeper curve (curvature 1) keeps the same tolerance:
    # over 12 seeds the group optima had sd 0.004 (Gen) and 0.006 (MC), max |error| 0.01.
    truths = {
        "MC": RatioTruth(opt_intercept=0.3, opt_slope=0.0, curvature=1.0, scale="wp"),
        "GS": RatioTruth(opt_intercept=0.7, opt_slope=0.0, curvature=1.0, scale="wp"),
        "GL": RatioTruth(opt_intercept=0.7, opt_slope=0.0, curvature=1.0, scale="wp"),
    }
    scores = simulate_ratio_sweep(RATIOS, truths, seed=2)
    table = TensorGam(scores, scale="wp").fit(ratio_grid=(1.0, 4.0)).optimal_table()
    by_group = table.groupby("group")["wp"].mean()
    assert by_group["MC"] == pytest.approx(0.3, abs=TOLERANCE)
    assert by_group["Gen"] == pytest.approx(0.7, abs=TOLERANCE)


def test_flat_flag_without_plw_effect():
    none = RatioTruth(curvature=0.0, ratio_effect=0.05)
    table = TensorGam(simulate_ratio_sweep(RATIOS, none, seed=3)).fit().optimal_table()
    assert table["flat"].all()
    assert (table["spread_fraction"] < 0.05).all()


def test_flat_flag_follows_threshold(wp_result):
    spread = wp_result.optimal_table("All")["spread_fraction"]
    assert (spread > 0.05).all()
    lenient = TensorGam(wp_result.spec.scores, scale="wp").fit(
        ratio_grid=CHECK, flat_fraction=float(spread.max()) + 0.01
    )
    assert lenient.optimal_table("All")["flat"].all()


def test_extrapolated_ratios_are_marked(wp_sweep):
    table = TensorGam(wp_sweep).fit(ratio_grid=(0.05, 1.0, 9.0)).optimal_table("All")
    assert table["extrapolated"].tolist() == [True, False, True]


def test_single_ratio_is_a_clear_error():
    scores = simulate_ratio_sweep((2.0,), WP_TRUTH, seed=1)
    with pytest.raises(DataSchemaError, match=r"'ratio' has 1 distinct value\(s\) \(2\)"):
        TensorGam(scores)


def test_too_few_ratios_for_the_basis():
    scores = simulate_ratio_sweep((1.0, 2.0, 4.0), WP_TRUTH, seed=1)
    TensorGam(scores)  # three ratios suffice for n_splines=3
    with pytest.raises(DataSchemaError, match="at least 4 different ratios"):
        TensorGam(scores, n_splines=(3, 4), spline_order=2)


def test_too_few_plw_levels_is_a_clear_error(wp_sweep):
    two_levels = wp_sweep[wp_sweep["plw"].isin([0.0, 1.0])]
    with pytest.raises(DataSchemaError, match=r"'plw' has 2 distinct level\(s\) \(0, 1\)"):
        TensorGam(two_levels)


def test_missing_ratio_column(wp_sweep):
    with pytest.raises(DataSchemaError, match="no 'ratio' column"):
        TensorGam(wp_sweep.drop(columns="ratio"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_splines": 3, "spline_order": 3}, "n_splines=3 must exceed spline_order=3"),
        ({"scale": "log"}, "scale must be 'plw' or 'wp'"),
        ({"lam_grid": [0.1, -1.0]}, "lam_grid must be positive"),
        ({"groups": {"MC": ["arc_chalenge"]}}, "did you mean 'arc_challenge'"),
        ({"groups": {"X": []}}, "group 'X' has no benchmarks"),
        ({"translation_pattern": "("}, "not a valid regular expression"),
    ],
)
def test_invalid_specification(wp_sweep, options, message):
    with pytest.raises(ModelSpecError, match=message):
        TensorGam(wp_sweep, **options)


def test_invalid_fit_settings(wp_sweep):
    spec = TensorGam(wp_sweep)
    with pytest.raises(ModelSpecError, match="flat_fraction must lie in"):
        spec.fit(flat_fraction=5)
    with pytest.raises(ModelSpecError, match="ratio_grid must be positive"):
        spec.fit(ratio_grid=[0.0, 1.0])


def test_default_groups_follow_task_type(demo_scores):
    groups = default_groups(demo_scores)
    assert list(groups) == ["All", "MC", "Gen"]
    assert len(groups["All"]) == 13
    assert groups["MC"] == ("arc_challenge", "piqa", "truthfulqa_mc2", "winogrande")
    assert groups["Gen"] == ("alpaca_eval", "pandalm", "truthfulqa_gen")
    assert list(default_groups(demo_scores.drop(columns="task_type"))) == ["All"]
    wider = default_groups(demo_scores, translation_pattern="^$")
    assert len(wider["Gen"]) == 9


def test_user_groups_and_group_option(wp_sweep):
    assert parse_group_option("QA=piqa, arc_challenge") == ("QA", ("piqa", "arc_challenge"))
    with pytest.raises(ModelSpecError, match="NAME=benchmark"):
        parse_group_option("QA")
    spec = TensorGam(wp_sweep, groups={"QA": ["piqa"]})
    result = spec.fit(ratio_grid=(1.0,))
    assert result.groups == ["QA"]
    assert result.fits["QA"].design.X.shape[1] == 2  # one benchmark: no factor term


def test_input_is_not_modified(wp_sweep):
    before = wp_sweep.copy()
    TensorGam(wp_sweep, scale="wp")
    pd.testing.assert_frame_equal(wp_sweep, before)


def test_tensor_effect_matches_pygam(wp_result):
    fit = wp_result.fits["All"]
    grid = np.zeros((11, fit.design.X.shape[1]))
    grid[:, 0] = np.linspace(0, 1, 11)
    grid[:, 1] = 2.0
    expected = fit.gam.partial_dependence(term=0, X=grid)
    np.testing.assert_allclose(tensor_effect(fit.gam, fit.design, [2.0], 11)[0], expected)


def test_summary_table_and_dict(wp_result):
    summary = wp_result.summary()
    assert list(summary.index) == ["All", "MC", "Gen"]
    assert summary.loc["All", "n_datasets"] == len(RATIOS)
    assert summary.loc["All", "n_obs"] == len(RATIOS) * 2 * 10 * 13
    assert summary["edof"].dtype == float
    assert 0 < summary.loc["All", "pseudo_r2"] <= 1
    table = wp_result.to_frame()
    assert table["plw_low"].isna().all()
    payload = wp_result.to_dict()
    item = payload["groups"]["All"]["optimal"][0]
    assert set(item) == {"ratio", "plw", "flat", "plw_low", "plw_high"}
    assert item["plw_low"] is None
    assert isinstance(item["flat"], bool)


def test_surface_grid(wp_result):
    surface = wp_result.surface("MC", n_plw=7, n_ratio=5)
    assert surface.shape == (35, 6)
    assert (surface["lower"] <= surface["effect"]).all()
    assert (surface["effect"] <= surface["upper"]).all()
    assert surface["ratio"].min() == pytest.approx(min(RATIOS))
    with pytest.raises(ModelSpecError, match="no group 'Nope'"):
        wp_result.surface("Nope")
