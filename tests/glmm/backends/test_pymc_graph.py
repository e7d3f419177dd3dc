import numpy as np
import pytest

from plw_stats.glmm.backends import pymc_graph
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel

TINY = SamplerSettings(chains=2, draws=60, tune=60, sampler="nutpie")


def test_graph_key_equal_for_same_design(demo_scores):
    a = BetaMixedModel.from_table(demo_scores, "AlpacaData")
    b = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    assert a.graph_key() == b.graph_key()
    one_model = BetaMixedModel(a.data[a.data["model"] == a.models[0]])
    assert one_model.graph_key() != a.graph_key()


@pytest.mark.slow
def test_cached_compilation_gives_the_same_posterior_as_a_fresh_one(demo_scores, monkeypatch):
    first = BetaMixedModel.from_table(demo_scores, "AlpacaData")
    second = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    monkeypatch.setattr(pymc_graph, "_COMPILED", {})
    first.fit(TINY, random_seed=3, retries=0)
    reused = second.fit(TINY, random_seed=3, retries=0)  # compiled for `first`, data swapped
    assert len(pymc_graph._COMPILED) == 1
    monkeypatch.setattr(pymc_graph, "_COMPILED", {})
    fresh = second.fit(TINY, random_seed=3, retries=0)
    np.testing.assert_array_equal(reused.draws("wp"), fresh.draws("wp"))
    np.testing.assert_array_equal(reused.draws("kappa"), fresh.draws("kappa"))
    assert list(reused.idata["posterior"]["model_offset"].coords["pretrained"].values) == list(
        second.models
    )
