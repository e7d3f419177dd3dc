"""Every figure is rendered headless (Agg) and checked for what it draws."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from arviz_stats.base import array_stats
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

from plw_stats import plots
from plw_stats.describe.rsd import rsd_from_manifest
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.glmm.result import BetaFitResult
from plw_stats.plots.gallery import CAPTIONS, close_all, figure_set
from plw_stats.plots.style import format_plw
from plw_stats.transforms import aggregates, plw_to_wp


def visible(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def secondary_ticklabels(ax):
    (secondary,) = ax.child_axes
    return [t.get_text() for t in secondary.get_xticklabels()], secondary.get_xlabel()


# ---------------------------------------------------------------- style


def test_use_style_applies_only_inside_the_block():
    before = dict(mpl.rcParams)
    with plots.use_style():
        assert mpl.rcParams["font.size"] == 9
        assert mpl.rcParams["pdf.fonttype"] == 42
    assert dict(mpl.rcParams) == before


def test_style_file_ships_with_the_package():
    assert plots.style_path().is_file()
    assert plots.style_path().suffix == ".mplstyle"


@pytest.mark.parametrize(
    ("value", "label"),
    [(0, "0"), (0.0005, "5e-4"), (0.002236, "2.2e-3"), (0.02463, "0.0246"), (1, "1")],
)
def test_plw_labels_are_short(value, label):
    assert format_plw(value) == label


# ---------------------------------------------------------------- Fig. 1


def test_aggregates_grid_draws_one_line_per_dataset(demo_scores):
    fig = plots.plot_aggregates(demo_scores)
    axes = visible(fig)
    assert len(axes) == 4  # simple/relative x two models
    expected = aggregates(demo_scores)
    for ax in axes:
        assert len(ax.get_lines()) == 3
        assert ax.get_xlim() == pytest.approx((-0.03, 1.03))
    top_left, bottom_right = axes[0], axes[3]
    assert top_left.get_title(loc="left") == "llama1-7b: simple aggregate"
    assert bottom_right.get_title(loc="left") == "llama2-7b: relative aggregate"
    line = next(ln for ln in bottom_right.get_lines() if ln.get_label() == "AlpacaDataShort")
    rows = expected[(expected["dataset"] == "AlpacaDataShort") & (expected["model"] == "llama2-7b")]
    np.testing.assert_allclose(line.get_ydata(), rows.sort_values("plw")["relative"])
    np.testing.assert_allclose(line.get_xdata(), plw_to_wp(rows.sort_values("plw")["plw"]))
    labels, title = secondary_ticklabels(top_left)
    assert title == "PLW" and labels == ["0", "1e-3", "0.01", "0.1", "0.5", "1"]
    assert not bottom_right.child_axes  # the PLW axis is on the top row only
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "AlpacaData",
        "AlpacaDataCleaned",
        "AlpacaDataShort",
    ]


def test_single_aggregate_draws_on_the_given_axes(demo_scores):
    _, ax = plt.subplots()
    assert plots.plot_aggregate(demo_scores, model="llama1-7b", kind="simple", ax=ax) is ax
    assert ax.get_ylabel().startswith("simple aggregate")
    with pytest.raises(ModelSpecError, match="no model 'gpt' in the table; the models are"):
        plots.plot_aggregate(demo_scores, model="gpt")
    with pytest.raises(ModelSpecError, match="kind must be one of simple, relative"):
        plots.plot_aggregate(demo_scores, model="llama1-7b", kind="median")


# ---------------------------------------------------------------- Appendix B


def test_benchmark_grid_has_one_panel_per_benchmark_grouped_by_task_type(demo_scores):
    fig = plots.plot_benchmark_grid(demo_scores)
    axes = visible(fig)
    assert len(axes) == 13
    titles = [ax.get_title(loc="left") for ax in axes]
    assert titles[:4] == ["arc_challenge", "piqa", "truthfulqa_mc2", "winogrande"]
    assert titles[-2:] == ["alpaca_eval", "pandalm"]
    row_labels = [ax.get_ylabel() for ax in axes if ax.get_ylabel()]
    assert row_labels == [
        "multiple choice\nrelative score",
        "short generation\nrelative score",
        "short generation\nrelative score",
        "long generation\nrelative score",
    ]
    for ax in axes:
        lines = ax.get_lines()
        assert len(lines) == 6  # 3 datasets x 2 models
        ys = np.concatenate([ln.get_ydata() for ln in lines])
        assert ys.min() == pytest.approx(0.0) or ys.min() >= 0
        assert ys.max() <= 1.0
        assert ax.get_ylim() == pytest.approx((-0.05, 1.05))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "AlpacaData",
        "AlpacaDataCleaned",
        "AlpacaDataShort",
        "llama1-7b",
        "llama2-7b",
    ]


def test_benchmark_grid_restricted_to_one_dataset(demo_scores):
    fig = plots.plot_benchmark_grid(demo_scores, datasets=["AlpacaDataShort"], ncols=7)
    axes = visible(fig)
    assert len(axes) == 13
    assert all(len(ax.get_lines()) == 2 for ax in axes)
    with pytest.raises(DataSchemaError, match="no dataset 'Nope' in the table"):
        plots.plot_benchmark_grid(demo_scores, datasets=["Nope"])


# ---------------------------------------------------------------- fitted curve


def test_fitted_curve_frame_is_a_band_around_the_mean(sweep_fit):  # computed by the result
    fit = sweep_fit.groups["AlpacaDataShort"]
    curve = fit.curve(n_points=21)
    assert set(curve["curve"]) == {"population", "llama1-7b", "llama2-7b"}
    assert len(curve) == 63
    assert (curve["hdi_low"] <= curve["mean"]).all() and (curve["mean"] <= curve["hdi_high"]).all()
    assert curve["mean"].between(0, 1).all()
    population = curve[curve["curve"] == "population"]
    peak = population["wp"].to_numpy()[population["mean"].argmax()]
    assert fit.critical.wp.hdi_low - 0.05 <= peak <= fit.critical.wp.hdi_high + 0.05


def test_fitted_curve_plot_marks_the_critical_plw(sweep_fit):
    fit = sweep_fit.groups["AlpacaDataShort"]
    ax = plots.plot_fitted_curve(fit)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    population = lines["population mean"]
    assert len(population.get_xdata()) == 101 and population.get_color() == "black"
    critical = lines["critical wp (mean)"]
    assert critical.get_xdata()[0] == pytest.approx(fit.critical.wp.mean)
    assert len(ax.get_lines()) == 4  # population, two models, critical line
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1  # the band
    assert len(ax.collections) == 3  # band + one scatter per model
    assert ax.get_ylim() == (0.0, 1.0)
    text = " ".join(t.get_text() for t in ax.texts)
    assert f"PLW* = {format_plw(fit.critical.plw.mean)}" in text
    assert "P(interior max) = 1.00" in text
    labels, title = secondary_ticklabels(ax)
    assert title == "PLW" and "0.1" in labels


def test_fitted_curves_figure_has_a_panel_per_dataset(sweep_fit):
    fig = plots.plot_fitted_curves(sweep_fit, ncols=3)
    axes = visible(fig)
    assert [ax.get_title(loc="left") for ax in axes] == ["AlpacaData", "AlpacaDataShort"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["94% HDI", "population mean"]
    assert "critical wp (mean)" in legend


# ---------------------------------------------------------------- critical PLW posterior


def test_critical_posterior_histogram_density_and_hdi(sweep_fit):
    fit = sweep_fit.groups["AlpacaDataShort"]
    ax = plots.plot_critical_posterior(fit, bins=20)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 20
    assert ax.get_xlim() == (0.0, 1.0)
    assert ax.get_xlabel() == "critical PLW"
    values = fit.draws("critical_plw")
    values = values[np.isfinite(values)]
    low, high = array_stats.hdi(values, fit.hdi_prob)
    hdi = next(ln for ln in ax.get_lines() if ln.get_label() == "94% HDI")
    np.testing.assert_allclose(hdi.get_xdata(), [low, high])
    mean = next(ln for ln in ax.get_lines() if ln.get_label().startswith("mean"))
    assert mean.get_xdata()[0] == pytest.approx(values.mean())
    heights = np.array([b.get_height() for b in bars])
    assert np.sum(heights * 0.05) == pytest.approx(1.0)  # a density over [0, 1]
    assert "P(interior max) = 1.00" in ax.texts[0].get_text()


def test_critical_posteriors_stack_datasets_and_check_scale(sweep_fit):
    fig = plots.plot_critical_posteriors(sweep_fit, scale="wp")
    axes = visible(fig)
    assert [ax.get_title(loc="left") for ax in axes] == ["AlpacaData", "AlpacaDataShort"]
    assert axes[-1].get_xlabel() == "critical wp" and axes[0].get_xlabel() == ""
    table = plots.critical_frame(sweep_fit)
    assert len(table) == 2 * 2 * 200 and set(table["dataset"]) == set(sweep_fit.groups)
    with pytest.raises(ModelSpecError, match="scale must be one of plw, wp, got 'log'"):
        plots.plot_critical_posterior(sweep_fit.groups["AlpacaData"], scale="log")


# ---------------------------------------------------------------- GAM surface


def test_gam_surface_contours_with_the_optimal_path(gam_fit):
    ax = plots.plot_gam_surface(gam_fit, "All")
    low, high = gam_fit.spec.ratio_range
    assert ax.get_xlim() == (0.0, 1.0)
    assert ax.get_ylim() == pytest.approx((low, high))
    assert ax.get_xlabel() == "PLW" and ax.get_ylabel() == "completion/prompt ratio $R_g$"
    path = [ln for ln in ax.get_lines() if ln.get_label() == "optimal PLW"]
    assert len(path) == 1
    path_x = np.concatenate(
        [ln.get_xdata() for ln in ax.get_lines() if ln.get_color() == "#D55E00"]
    )
    assert ((path_x >= 0) & (path_x <= 1)).all()
    expected = plots.optimal_path(gam_fit, "All")
    assert len(path_x) == len(expected)
    dataset_lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert sorted(ln.get_ydata()[0] for ln in dataset_lines) == [0.08, 3.27, 7.83]
    assert len(ax.figure.axes) == 2  # the panel and its colour bar
    table = gam_fit.optimal_table("All")
    inside = table[~table["extrapolated"]]
    markers = [c for c in ax.collections if c.get_label().startswith("table")]
    assert sum(len(c.get_offsets()) for c in markers) == len(inside)


def test_gam_surfaces_one_panel_per_group(gam_fit):
    fig = plots.plot_gam_surfaces(gam_fit, x="wp")
    panels = [ax for ax in fig.axes if ax.get_title(loc="left").startswith("GAM surface")]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "GAM surface: All",
        "GAM surface: MC",
        "GAM surface: Gen",
    ]
    assert all(ax.child_axes for ax in panels)  # PLW axis on top with x="wp"
    with pytest.raises(ModelSpecError, match="x must be one of plw, wp"):
        plots.plot_gam_surface(gam_fit, x="ratio")


# ---------------------------------------------------------------- training-loss RSD


def test_loss_rsd_boxes_per_level_and_dataset(rsd_table):
    ax = plots.plot_loss_rsd(rsd_table)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0", "5e-4", "2.2e-3", "0.01", "0.1", "1"]
    boxes = [p for p in ax.patches if p.get_facecolor()[3] > 0]
    assert len(boxes) == 6 * 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["AlpacaData", "AlpacaDataShort"]
    assert ax.get_xlim() == pytest.approx((-0.6, 5.6))
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    np.testing.assert_allclose(np.sort(points), np.sort(rsd_table["rsd"]))


def test_loss_rsd_from_trainer_logs(trainer_manifest, rsd_table):
    table = rsd_from_manifest(trainer_manifest)
    assert list(table.columns) == ["dataset", "model", "plw", "rsd", "n_steps"]
    assert len(table) == len(rsd_table) and (table["n_steps"] == 20).all()
    assert table["rsd"].between(0, 0.5).all()


def test_loss_rsd_rejects_a_table_without_rsd(rsd_table):
    with pytest.raises(DataSchemaError, match="missing column\\(s\\) rsd; it needs dataset, plw"):
        plots.plot_loss_rsd(rsd_table.drop(columns="rsd"))


# ---------------------------------------------------------------- the whole set


def test_figure_set_draws_what_the_inputs_allow(demo_scores, sweep_fit, gam_fit, rsd_table):
    full = figure_set(demo_scores, fits=sweep_fit, gam=gam_fit, rsd=rsd_table)
    optional = ("surfaces", "weight_distance")  # drawn only when those inputs are given
    assert [f.name for f in full] == [name for name in CAPTIONS if name not in optional]
    close_all(full)
    assert not any(plt.fignum_exists(f.figure.number) for f in full)
    scores_only = figure_set(demo_scores)
    assert [f.name for f in scores_only] == ["aggregates", "benchmarks"]


def test_figures_say_so_when_no_draw_has_an_interior_maximum(sweep_fit):
    fit = sweep_fit.groups["AlpacaData"]
    idata = fit.idata.copy()
    posterior = idata["posterior"].to_dataset()
    idata["posterior"] = xr.DataTree(dataset=posterior.assign(wp2=abs(posterior["wp2"])))
    convex = BetaFitResult.from_idata(
        fit.spec, idata, settings=fit.settings, random_seed=fit.random_seed
    )
    assert convex.critical.plw is None
    ax = plots.plot_critical_posterior(convex)
    assert not ax.patches and "too few interior draws to draw" in ax.texts[0].get_text()
    ax = plots.plot_fitted_curve(convex)
    assert "no interior maximum" in ax.texts[0].get_text()
    assert not any(ln.get_label().startswith("critical") for ln in ax.get_lines())
