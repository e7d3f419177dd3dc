import numpy as np
import pandas as pd
import pytest

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.simulation.sweeps import PAPER_PLW_LEVELS
from plw_stats.transforms import (
    aggregates,
    length_ratio,
    plw_to_wp,
    relative_scores,
    squeeze_unit,
    wp_to_plw,
)


def test_power_maps_0_1_to_one_half():
    assert PLW_POWER == pytest.approx(np.log10(2))
    assert plw_to_wp(0.1) == pytest.approx(0.5)


def test_paper_levels_on_wp_scale():
    expected = [0, 0.1015, 0.1593, 0.25, 0.3279, 0.4058, 0.5, 0.6559, 0.8117, 1]
    np.testing.assert_allclose(plw_to_wp(np.array(PAPER_PLW_LEVELS)), expected, atol=5e-4)


def test_wp_round_trip_with_custom_power():
    plw = np.linspace(0, 1, 7)
    np.testing.assert_allclose(wp_to_plw(plw_to_wp(plw, 0.5), 0.5), plw)


def test_bad_power_rejected():
    with pytest.raises(ModelSpecError, match="positive"):
        plw_to_wp(0.5, power=0)


def _table(scores, benchmarks):
    return pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "plw": [0.0, 0.5, 1.0] * (len(scores) // 3),
            "benchmark": benchmarks,
            "score": scores,
        }
    )


def test_relative_scores_span_unit_interval_per_benchmark():
    table = _table([10.0, 20.0, 30.0, 0.5, 0.7, 0.6], ["a"] * 3 + ["b"] * 3)
    rel = relative_scores(table)
    assert rel.groupby("benchmark")["score"].agg(["min", "max"]).to_numpy().tolist() == [
        [0, 1],
        [0, 1],
    ]
    np.testing.assert_allclose(rel["score"], [0, 0.5, 1, 0, 1, 0.5])
    np.testing.assert_allclose(rel["raw_score"], table["score"])
    assert table["score"].tolist()[0] == 10.0  # argument untouched


def test_constant_benchmark_cannot_be_scaled():
    table = _table([1.0, 2.0, 3.0, 0.5, 0.5, 0.5], ["a"] * 3 + ["flat"] * 3)
    with pytest.raises(DataSchemaError, match="benchmark 'flat' has the same score"):
        relative_scores(table)


def test_aggregates_simple_and_relative():
    table = _table([10.0, 20.0, 30.0, 0.5, 0.7, 0.6], ["a"] * 3 + ["b"] * 3)
    agg = aggregates(table)
    np.testing.assert_allclose(agg["simple"], [(10 + 0.5) / 2, (20 + 0.7) / 2, (30 + 0.6) / 2])
    np.testing.assert_allclose(agg["relative"], [0.0, 0.75, 0.75])
    assert agg["n_benchmarks"].tolist() == [2, 2, 2]


def test_squeeze_smithson_verkuilen():
    y = np.array([0.0, 0.5, 1.0])
    np.testing.assert_allclose(squeeze_unit(y), [0.5 / 3, 0.5, 2.5 / 3])
    np.testing.assert_allclose(squeeze_unit(y, epsilon=0.01), [0.01, 0.5, 0.99])


def test_squeeze_rejects_out_of_range():
    with pytest.raises(DataSchemaError, match=r"\[0, 1\]"):
        squeeze_unit([0.2, 1.5])


def test_length_ratio_is_ratio_of_means():
    # the paper's Table 1 AlpacaDataShort: 14.62 / (16.93 + 162.34)
    assert length_ratio([14.62], [16.93 + 162.34]) == pytest.approx(0.0816, abs=1e-4)
    assert length_ratio([1, 3], [1, 1]) == pytest.approx(2.0)
