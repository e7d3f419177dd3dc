"""The surface's table checks, its design and the general-GLMM form it hands the backends."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.surface.design import SurfaceDesign
from plw_stats.surface.model import SurfaceModel, check_baseline
from plw_stats.surface.priors import SurfacePriors
from plw_stats.surface.sweep import specify_surfaces
from plw_stats.surface.table import surface_rows


def test_a_table_without_clw_cannot_fit_a_surface(demo_scores):
    with pytest.raises(DataSchemaError, match="has no clw column, so every run has completion"):
        specify_surfaces(demo_scores, source="scores.csv")


def test_a_single_clw_level_cannot_fit_a_surface(demo_scores):
    with pytest.raises(DataSchemaError, match=r"a single completion loss weight \(clw = 1\)"):
        specify_surfaces(demo_scores.assign(clw=1.0))


def test_the_untrained_cell_is_left_out_with_a_note(surface_scores, surface_specs):
    relative, base = surface_rows(surface_scores)
    assert base == {"Conventional": 20, "Flat": 20, "Interior": 20}
    assert not ((relative["plw"] == 0) & (relative["clw"] == 0)).any()
    spec = surface_specs["Interior"]
    assert len(spec.data) == 700 and spec.base_rows == 20
    assert spec.notes()[0].startswith("(plw, clw) = (0, 0) is no training (the base model)")


def test_relative_scores_span_each_benchmark_over_the_table(surface_specs):
    scores = pd.concat([spec.data for spec in surface_specs.values()])
    span = scores.groupby("benchmark")["score"].agg(["min", "max"])
    assert (span["min"] == 0).all() and (span["max"] == 1).all()


def test_a_design_refuses_base_rows_and_too_few_levels(surface_specs):
    data = surface_specs["Interior"].data
    base = pd.concat([data, data.head(1).assign(plw=0.0, clw=0.0)])
    with pytest.raises(DataSchemaError, match=r"row\(s\) at plw = 0, clw = 0"):
        SurfaceDesign(base, name="d")
    two = data[data["clw"].isin([0.6, 1.0])]
    with pytest.raises(DataSchemaError, match=r"has 2 clw level\(s\) \(0.6, 1\); the quadratic"):
        SurfaceDesign(two, name="d")


def test_cells_that_cannot_identify_the_surface_are_refused(surface_specs):
    data = surface_specs["Interior"].data
    diagonal = data[data["plw"].rank(method="dense") == data["clw"].rank(method="dense") + 1]
    with pytest.raises(DataSchemaError, match="cannot identify the six coefficients"):
        SurfaceDesign(diagonal, name="d")


def test_the_full_model_absorbs_b1_and_b3_into_the_benchmark_slopes(surface_specs):
    spec = surface_specs["Interior"]
    glmm = spec.glmm()
    assert glmm.fixed_names == ("wp", "wp2", "wc", "wc2", "wp_wc")
    assert glmm.sampled_fixed == ("wp2", "wc2", "wp_wc")
    assert [(t.name, t.parameterisation, t.absorbs) for t in glmm.terms] == [
        ("slope_wp", "absorbing", "wp"),
        ("slope_wc", "absorbing", "wc"),
    ]
    assert glmm.level.labels == tuple(spec.models) and len(spec.models) == 5
    null = dataclasses.replace(spec, full=False).glmm()
    assert null.fixed_names == () and {t.parameterisation for t in null.terms} == {"centred"}
    assert spec.parameter_names()[:6] == ["intercept", "wp", "wp2", "wc", "wc2", "wp_wc"]


def test_single_benchmark_and_single_model_drop_their_effects(surface_specs):
    data = surface_specs["Interior"].data
    one = SurfaceDesign(data[(data["benchmark"] == "mmlu") & (data["model"] == "qwen2-7b")])
    glmm = one.glmm()
    assert glmm.terms == () and glmm.level is None and glmm.sampled_fixed == glmm.fixed_names
    assert one.notes() == [
        "single benchmark (mmlu): benchmark slopes dropped",
        "single model (qwen2-7b): random intercept dropped",
    ]
    assert "sd_model" not in one.parameter_names()


def test_powers_and_priors_are_checked_and_recorded(surface_specs):
    data = surface_specs["Interior"].data
    with pytest.raises(ModelSpecError, match="clw_power must be a positive number, got 0"):
        SurfaceDesign(data, clw_power=0)
    with pytest.raises(ModelSpecError, match="prior setting coef_sd must be a positive number"):
        SurfacePriors(coef_sd=-1)
    spec = SurfaceDesign(data, power=1.0, clw_power=2.0)
    np.testing.assert_allclose(spec.wc(), data["clw"].to_numpy() ** 2)
    settings = spec.settings_dict()
    assert (settings["power"], settings["clw_power"]) == (1.0, 2.0)
    assert settings["priors"]["coef_sd"] == 2.5


@pytest.mark.parametrize(
    ("baseline", "message"),
    [
        ((0, 0), r"baseline \(0, 0\) is no training"),
        ((1.5, 1), r"must lie in \[0, 1\], got PLW 1.5"),
        (("a", 1), "baseline must be two numbers"),
    ],
)
def test_bad_baselines_are_refused(baseline, message):
    with pytest.raises(ModelSpecError, match=message):
        check_baseline(baseline)


def test_from_table_and_an_unknown_dataset(surface_scores):
    spec = SurfaceModel.from_table(surface_scores, "Flat")
    assert spec.name == "Flat" and spec.base_rows == 20 and len(spec.data) == 700
    with pytest.raises(DataSchemaError, match="no dataset 'Nope' in the table; available"):
        SurfaceModel.from_table(surface_scores, "Nope")
