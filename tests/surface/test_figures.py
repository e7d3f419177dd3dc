"""Surface figures from synthetic fits: what is drawn matches what the results say."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection

from plw_stats.errors import ModelSpecError
from plw_stats.plots.surface import plot_prior_predictive, plot_surface, plot_surfaces
from plw_stats.surface.priors import SurfacePriors, prior_predictive_frame


def markers(ax):
    return {
        c.get_label(): c.get_offsets()[0] for c in ax.collections if isinstance(c, PathCollection)
    }


def test_one_surface_marks_the_recommended_setting_and_the_baseline(surface_sweep):
    fit = surface_sweep.groups["Interior"]
    ax = plot_surface(fit)
    found = markers(ax)
    points = fit.marked_points().set_index("kind")
    np.testing.assert_allclose(found["recommended"], points.loc["recommended", ["wp", "wc"]])
    np.testing.assert_allclose(found["baseline"], [0.0, 1.0])
    assert ax.get_title(loc="left") == "Interior"
    assert ax.get_title(loc="right") == "P(recommended > baseline) 1.00"
    labels = [t.get_text() for t in ax.texts]
    best = fit.cells["prob_best"].max()
    assert f"{best:.2f}" in labels  # the best cell's probability is written on it
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1e-3", "0.01", "0.05", "0.2", "1"]
    assert len(ax.figure.axes) == 2  # with its colour bar


def test_the_heatmap_holds_the_observed_cell_means(surface_sweep):
    fit = surface_sweep.groups["Interior"]
    ax = plot_surface(fit, region=False, annotate=False, colorbar=False)
    mesh = ax.collections[0].get_array()
    observed = fit.observed()
    assert mesh.count() == len(observed)  # the (0, 0) cell is masked
    assert sorted(mesh.compressed()) == pytest.approx(sorted(observed["relative"]))


def test_per_model_panels_and_unknown_model(surface_sweep):
    fit = surface_sweep.groups["Flat"]
    ax = plot_surface(fit, model="llama2-7b")
    assert ax.get_title(loc="left") == "Flat: llama2-7b"
    with pytest.raises(ModelSpecError, match="no model 'gpt' in dataset 'Flat'; known: gemma-7b"):
        plot_surface(fit, model="gpt")


def test_panel_grids(surface_sweep):
    fig = surface_sweep.plot()
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == ["Interior", "Flat"]
    grid = plot_surfaces(list(surface_sweep.groups.values()), by_model=True)
    panels = [ax for ax in grid.axes if ax.get_title(loc="left")]
    assert len(panels) == 2 * 5 and panels[6].get_title(loc="left") == "Flat: llama2-7b"
    assert panels[0].get_title(loc="right") == ""
    with pytest.raises(ModelSpecError, match="no fitted surface to draw"):
        plot_surfaces([])
    plt.close("all")


def test_prior_predictive_figure():
    frame = prior_predictive_frame(SurfacePriors(), n_draws=500)
    assert frame["range"].between(0, 1).all() and frame["at_baseline"].between(0, 1).all()
    on_edge = np.isin(frame["optimum_wp"], [0, 1]) | np.isin(frame["optimum_wc"], [0, 1])
    assert on_edge.mean() > 0.9  # independent quadratics rarely peak inside the square
    fig = plot_prior_predictive(frame)
    assert [ax.get_title(loc="left") for ax in fig.axes[:3]] == [
        "surface range",
        "level",
        "where the maximum falls (log counts)",
    ]
