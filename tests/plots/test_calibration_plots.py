"""Figures of simulation studies, from synthetic tables (no sampler)."""

import numpy as np
import pandas as pd
import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.plots.calibration import plot_prior_predictive, plot_rank_ecdf
from plw_stats.simulation.ranks import rank_ecdf


def test_rank_ecdf_panels_one_per_parameter():
    rng = np.random.default_rng(0)
    ranks = pd.DataFrame({name: rng.integers(0, 100, 50) for name in ("b1", "b2", "kappa", "x")})
    axes = plot_rank_ecdf(rank_ecdf(ranks, 99))
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes] == ["b1 (wp)", "b2 (wp²)", "κ", "x"]
    line = axes[0].get_lines()[0]
    assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == 1
    assert len(axes[0].collections) == 1  # the band
    hidden = [ax for ax in axes[0].figure.axes if not ax.get_visible()]
    assert len(hidden) == 2  # a 2 x 3 grid with four panels used


def test_rank_ecdf_refuses_a_table_without_its_columns():
    with pytest.raises(ModelSpecError, match="ecdf table lacks column"):
        plot_rank_ecdf(pd.DataFrame({"parameter": ["b1"], "z": [0.5]}))


def test_prior_predictive_two_panels_one_line_per_prior_set():
    rng = np.random.default_rng(1)
    scores = pd.concat(
        [
            pd.DataFrame({"priors": "default", "score": rng.beta(2, 2, 500)}),
            pd.DataFrame({"priors": "legacy", "score": np.r_[rng.beta(0.2, 0.2, 499), 1.0]}),
        ]
    )
    left, right = plot_prior_predictive(scores)
    assert len(left.patches) == 2 and len(right.get_lines()) == 3  # two sets + the 1e-3 mark
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["default", "legacy"]
    legacy = right.get_lines()[1].get_ydata()
    assert legacy[0] > 0  # the exact 1.0 is drawn at the floor
    with pytest.raises(ModelSpecError, match="scores table lacks column"):
        plot_prior_predictive(pd.DataFrame({"score": [0.5]}))
