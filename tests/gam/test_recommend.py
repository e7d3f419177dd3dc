"""The shipped Appendix D table and recommendations from it or from a fitted GAM."""

import pytest

from plw_stats.datasets import load_paper_optimal_plw
from plw_stats.errors import ModelSpecError
from plw_stats.gam.recommend import compare_with_paper, recommend_from_paper, recommend_from_scores
from plw_stats.simulation.ratio_sweeps import RatioTruth, simulate_ratio_sweep


def test_paper_table_is_transcribed_exactly():
    table = load_paper_optimal_plw()
    assert table.shape == (48, 5)
    assert table["ratio"].tolist()[:3] == [8.0, 8.0, 8.0]
    assert sorted(table["ratio"].unique()) == [0.5 * k for k in range(1, 17)]
    row = table.set_index(["ratio", "group"])
    # every unflagged cell of the printed table
    unflagged = {
        (8.0, "Gen"): 0.654,
        (2.0, "All"): 0.239,
        (2.0, "Gen"): 0.679,
        (1.5, "All"): 0.183,
        (1.5, "MC"): 0.278,
        (1.5, "Gen"): 0.385,
        (1.0, "All"): 0.155,
        (1.0, "MC"): 0.183,
        (1.0, "Gen"): 0.321,
        (0.5, "All"): 0.155,
        (0.5, "MC"): 0.155,
        (0.5, "Gen"): 0.292,
    }
    assert set(row.index[~row["flat"]]) == set(unflagged)
    for key, value in unflagged.items():
        assert row.loc[key, "plw"] == value
    assert row.loc[(5.0, "All"), "plw"] == 0.0
    assert row.loc[(6.0, "Gen"), "plw"] == 0.0
    assert set(row.loc[row["flat"], "plw"]) == {0.0, 1.0}
    assert table["source"].str.contains("arXiv:2401.13586").all()


@pytest.mark.parametrize(
    ("ratio", "group", "plw", "row_ratio", "flat"),
    [
        (1.1, "All", 0.155, 1.0, False),
        (1.25, "MC", 0.183, 1.0, False),  # a tie goes to the smaller ratio
        (1.9, "Gen", 0.679, 2.0, False),
        (3.27, "All", 1.0, 3.5, True),
    ],
)
def test_recommend_from_paper(ratio, group, plw, row_ratio, flat):
    rec = recommend_from_paper(ratio, group=group)
    assert (rec.plw, rec.table_ratio, rec.flat) == (plw, row_ratio, flat)
    assert rec.source == "paper"
    assert rec.plw_low is None and rec.plw_high is None
    assert not rec.extrapolated


def test_recommend_from_paper_outside_the_table():
    rec = recommend_from_paper(0.08)
    assert rec.extrapolated and rec.table_ratio == 0.5
    assert "outside the table's ratios 0.5 to 8" in rec.note


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ratio": -1.0}, "ratio must be a positive"),
        ({"ratio": "abc"}, "ratio must be a number"),
        ({"ratio": 1.0, "group": "GS"}, "choose one of All, MC, Gen"),
    ],
)
def test_recommend_from_paper_errors(kwargs, message):
    with pytest.raises(ModelSpecError, match=message):
        recommend_from_paper(**kwargs)


def test_recommend_from_scores_with_interval():
    truth = RatioTruth(opt_intercept=0.4, opt_slope=0.05, curvature=0.4, scale="wp")
    scores = simulate_ratio_sweep((0.1, 0.5, 1.0, 2.0, 4.0, 8.0), truth, seed=8)
    rec = recommend_from_scores(scores, 2.0, scale="wp", n_boot=30, n_jobs=1, seed=1)
    assert rec.source == "gam" and rec.table_ratio == 2.0
    assert rec.plw == pytest.approx(float(truth.optimum_plw(2.0)), abs=0.03)
    assert rec.plw_low <= rec.plw <= rec.plw_high
    assert "30 replicates" in rec.note
    with pytest.raises(ModelSpecError, match="group 'Gen' was not formed"):
        recommend_from_scores(scores.drop(columns="task_type"), 2.0, group="Gen", n_boot=0)


def test_compare_with_paper(demo_scores):
    from plw_stats.gam.model import TensorGam

    result = TensorGam(demo_scores).fit(ratio_grid=(0.5, 1.0, 9.0))
    table = compare_with_paper(result)
    assert table.shape[0] == 6  # ratio 9.0 is not in the paper's table
    assert list(table.columns) == [
        "ratio",
        "group",
        "plw_paper",
        "flat_paper",
        "plw",
        "flat",
        "plw_low",
        "plw_high",
        "paper_in_interval",
    ]
    assert (
        table.loc[(table["group"] == "All") & (table["ratio"] == 1.0), "plw_paper"].item() == 0.155
    )
    assert not table["paper_in_interval"].any()
